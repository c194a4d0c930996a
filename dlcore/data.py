"""Data sets and the plumbing around them: toy problems, the digits, splits, scaling and minibatches.

Every generator returns ``X`` of shape ``(N, 2)`` (one example per row, float64 unless ``dtype`` says otherwise)
and integer labels ``y`` of shape ``(N,)``, with the classes as balanced as ``N`` allows and the rows shuffled.
Everything random draws from ``rng`` (a ``np.random.Generator``, an integer seed or ``None``), so the same seed
gives the same arrays.

=================  ===============================================================  ==========
function           what it is for                                                    chapter
=================  ===============================================================  ==========
make_xor           the four XOR points, or noisy clouds around them                  2
make_spirals       interleaved spiral arms that no straight line separates           3, 6
make_moons         two interlocking half circles                                     8
make_circles       a disc inside a ring                                              8
load_digits        8×8 handwritten digits shipped with scikit-learn (no download)    9
one_hot            integer labels to one-hot rows                                    4
train_test_split   hold examples out to measure generalisation                       8
Standardizer       zero mean, unit variance per feature, from training data only     8
minibatches        shuffled batches for stochastic gradient descent                  7
=================  ===============================================================  ==========
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._checks import as_float_array, as_labels, as_rng, check_dtype, check_number, check_positive_int

# Toy data sets ------------------------------------------------------------------------------------------------------

_XOR_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_LABELS = np.array([0, 1, 1, 0])


def make_xor(n=None, noise=0.0, rng=None, dtype=np.float64):
    """The XOR problem: label 1 when exactly one of the two inputs is 1 (Chapter 2).

    Parameters
    ----------
    n : int or None
        ``None`` gives the four corners ``(0,0), (0,1), (1,0), (1,1)`` in that order with labels ``0, 1, 1, 0``
        (the truth table). An integer ``n >= 4`` gives ``n`` points spread over the corners in turn (so the
        corners, and the two classes, differ in size by at most one), shuffled.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate.
    rng : np.random.Generator, int or None
    dtype : np.float32 or np.float64

    Returns
    -------
    X : ndarray, shape (4, 2) or (n, 2)
    y : ndarray of int64, shape (4,) or (n,)
    """
    noise = check_number(noise, "noise", low=0.0)
    dtype = check_dtype(dtype)
    rng = as_rng(rng)
    if n is None:
        corner = np.arange(4)
    else:
        n = check_positive_int(n, "n (the number of XOR points)", minimum=4)
        corner = rng.permutation(np.arange(n) % 4)
    X = _XOR_CORNERS[corner] + noise * rng.standard_normal((corner.size, 2))
    return X.astype(dtype), _XOR_LABELS[corner]


def make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=None, dtype=np.float64):
    """Spiral arms, one per class, wound around each other (the CS231n example; Chapters 3 and 6).

    Arm ``k`` has ``n_per_class`` points at radii ``r`` evenly spaced in ``[0, 1]``; the angle grows with the
    radius, ``θ = 4k + 4r + noise·ε`` with ``ε ~ N(0, 1)``, and a point sits at ``(r sin θ, r cos θ)``. The arms
    interleave, so no linear classifier separates them while a small network with one hidden layer does.

    Parameters
    ----------
    n_per_class : int
    n_classes : int, at least 2
    noise : float
        Standard deviation of the noise on the angle, in radians.
    rng : np.random.Generator, int or None
    dtype : np.float32 or np.float64

    Returns
    -------
    X : ndarray, shape (n_per_class * n_classes, 2)
    y : ndarray of int64, shape (n_per_class * n_classes,), labels ``0 .. n_classes - 1``; rows shuffled
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    noise = check_number(noise, "noise", low=0.0)
    dtype = check_dtype(dtype)
    rng = as_rng(rng)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * y + 4.0 * r + noise * rng.standard_normal(r.size)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return _shuffled(X, y, rng, dtype)


def make_moons(n=200, noise=0.1, rng=None, dtype=np.float64):
    """Two interlocking half circles (Chapter 8).

    Class 0 lies on the upper half of the unit circle, ``(cos t, sin t)``; class 1 on a lower half circle shifted
    right and up, ``(1 − cos t, 0.5 − sin t)``, with ``t`` evenly spaced in ``[0, π]``. Gaussian noise of standard
    deviation ``noise`` is then added to both coordinates.

    Parameters
    ----------
    n : int, at least 2
        Total number of points: ``n // 2`` in class 0, the rest in class 1.
    noise : float
    rng : np.random.Generator, int or None
    dtype : np.float32 or np.float64

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int64, shape (n,); rows shuffled
    """
    n = check_positive_int(n, "n (the number of points)", minimum=2)
    noise = check_number(noise, "noise", low=0.0)
    dtype = check_dtype(dtype)
    rng = as_rng(rng)
    n_upper = n // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n - n_upper)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n_upper, n - n_upper])
    return _shuffled(X, y, rng, dtype)


def make_circles(n=200, noise=0.05, factor=0.5, rng=None, dtype=np.float64):
    """A disc inside a ring: class 0 on the unit circle, class 1 on a circle of radius ``factor`` (Chapter 8).

    Points are evenly spaced in angle on each circle; Gaussian noise of standard deviation ``noise`` is then
    added to both coordinates. No straight line separates the classes, but the squared radius ``x₁² + x₂²`` does:
    a hidden layer can learn such a feature.

    Parameters
    ----------
    n : int, at least 2
        Total number of points: ``n // 2`` on the outer circle (class 0), the rest on the inner one (class 1).
    noise : float
    factor : float in (0, 1)
        Radius of the inner circle.
    rng : np.random.Generator, int or None
    dtype : np.float32 or np.float64

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int64, shape (n,); rows shuffled
    """
    n = check_positive_int(n, "n (the number of points)", minimum=2)
    noise = check_number(noise, "noise", low=0.0)
    factor = check_number(factor, "factor (the inner radius)", 0.0, 1.0, low_open=True, high_open=True)
    dtype = check_dtype(dtype)
    rng = as_rng(rng)
    n_outer = n // 2
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n - n_outer, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    X = np.vstack([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n_outer, n - n_outer])
    return _shuffled(X, y, rng, dtype)


def _shuffled(X, y, rng, dtype):
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order]


# The digits ---------------------------------------------------------------------------------------------------------

_DIGITS_DESCRIPTION = (
    "Handwritten digits 0-9: 1,797 grayscale images of 8x8 pixels, about 180 per digit. Each pixel counts how many "
    "of the 16 cells of a 4x4 block of a 32x32 black-and-white scan are inked, so raw values run from 0 to 16. "
    "This is the test part of the UCI 'Optical Recognition of Handwritten Digits' data set (Alpaydin and Kaynak, "
    "1998), as shipped inside scikit-learn: no download is needed."
)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A labelled data set: inputs, labels and what is needed to show and describe them.

    Unpacks like a pair, so both ``digits = load_digits()`` (then ``digits.images``, ``digits.class_names``) and
    ``X, y = load_digits()`` work.

    Attributes
    ----------
    X : ndarray, shape (N, n_features)
        One example per row.
    y : ndarray of int64, shape (N,)
        Class labels ``0 .. C - 1``.
    images : ndarray, shape (N, height, width)
        The same numbers as ``X`` (a separate copy) laid out as images, for plotting.
    class_names : tuple of str
        ``class_names[k]`` names class ``k``.
    description : str
        Where the data come from and what the numbers mean.
    """

    X: np.ndarray
    y: np.ndarray
    images: np.ndarray
    class_names: tuple
    description: str

    def __iter__(self):
        return iter((self.X, self.y))

    def __repr__(self) -> str:
        return (
            f"Dataset(X: {self.X.shape} {self.X.dtype}, y: {self.y.shape} {self.y.dtype}, "
            f"images: {self.images.shape}, {len(self.class_names)} classes)"
        )


def load_digits(dtype=np.float64, scale=True) -> Dataset:
    """The 8×8 handwritten digits shipped with scikit-learn, ready for a network (Chapter 9).

    Parameters
    ----------
    dtype : np.float32 or np.float64
    scale : bool
        Divide the pixel values (0 .. 16) by 16 so that they lie in ``[0, 1]``.

    Returns
    -------
    Dataset
        ``X`` of shape ``(1797, 64)`` (each image flattened row by row), ``y`` of shape ``(1797,)`` with labels
        0 .. 9, ``images`` of shape ``(1797, 8, 8)``, ``class_names = ("0", ..., "9")`` and a ``description``.
        ``X, y = load_digits()`` also works.
    """
    dtype = check_dtype(dtype)
    if not isinstance(scale, (bool, np.bool_)):
        raise TypeError(f"scale must be True or False, got {scale!r} ({type(scale).__name__})")
    pixels, labels = _raw_digits()
    X = (pixels / 16.0 if scale else pixels).astype(dtype)
    return Dataset(
        X=X,
        y=labels.copy(),
        images=X.reshape(-1, 8, 8).copy(),
        class_names=tuple(str(k) for k in range(10)),
        description=_DIGITS_DESCRIPTION,
    )


@lru_cache(maxsize=1)
def _raw_digits():
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as err:
        raise ImportError(
            "load_digits reads the digits file that ships inside scikit-learn, which is not installed; "
            "install it with `pip install scikit-learn` (no further download is needed)"
        ) from err
    bunch = sklearn_load_digits()
    pixels = np.asarray(bunch.data, dtype=np.float64)
    labels = np.asarray(bunch.target, dtype=np.int64)
    pixels.flags.writeable = labels.flags.writeable = False  # shared by every call: callers get copies
    return pixels, labels


# Labels, splits, scaling, batches -----------------------------------------------------------------------------------


def one_hot(y, num_classes=None, dtype=np.float64):
    """Integer labels to one-hot rows: row ``i`` is all zeros except a 1 in column ``y[i]`` (Chapter 4).

    Parameters
    ----------
    y : array of int, shape (N,)
        Labels in ``0 .. num_classes - 1``.
    num_classes : int or None
        Number of columns ``C``; ``None`` uses ``max(y) + 1``.
    dtype : np.float32 or np.float64

    Returns
    -------
    ndarray, shape (N, C)
        ``one_hot(y).argmax(axis=1)`` gives ``y`` back.
    """
    dtype = check_dtype(dtype)
    if num_classes is not None:
        num_classes = check_positive_int(num_classes, "num_classes")
    y = as_labels(y, "y", num_classes)
    if num_classes is None:
        if y.size == 0:
            raise ValueError("one_hot cannot infer the number of classes from an empty y: pass num_classes")
        num_classes = int(y.max()) + 1
    Y = np.zeros((y.size, num_classes), dtype=dtype)
    Y[np.arange(y.size), y] = 1
    return Y


def train_test_split(X, y, test_size=0.25, rng=None, stratify=False):
    """Split examples at random into a training set and a held-out test set (Chapter 8).

    Parameters
    ----------
    X : array, shape (N, ...)
        One example per row (any number of further dimensions; any dtype, kept).
    y : array, shape (N, ...)
        Targets: labels, one-hot rows or regression values.
    test_size : float in (0, 1)
        Fraction of the examples to hold out: ``ceil(test_size · N)`` of them.
    rng : np.random.Generator, int or None
    stratify : bool
        Keep each class's share the same in both parts: class ``c``, with ``n_c`` examples, puts its share
        ``n_test · n_c / N`` of the test set there, within one example (and keeps at least one for training).
        Needs class labels: ``y`` of integers of shape ``(N,)``, or one-hot rows (their argmax is used), with at
        least two examples per class.

    Returns
    -------
    X_train, X_test, y_train, y_test
        In scikit-learn's order; rows shuffled.
    """
    X, y = _check_examples(X, y)
    test_size = check_number(test_size, "test_size", 0.0, 1.0, low_open=True, high_open=True)
    rng = as_rng(rng)
    n = len(X)
    # The tolerance keeps products such as 0.3 * 10 = 3.0000000000000004 from rounding up to 4.
    n_test = math.ceil(test_size * n - 1e-9)
    if n - n_test < 1:
        raise ValueError(f"test_size={test_size} of {n} examples leaves no training example; use a smaller test_size")
    if stratify:
        test = _stratified_test_indices(_stratify_labels(y), n_test, rng)
        is_test = np.zeros(n, dtype=bool)
        is_test[test] = True
        test, train = rng.permutation(test), rng.permutation(np.flatnonzero(~is_test))
    else:
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def _stratify_labels(y):
    if y.ndim == 2:
        return y.argmax(axis=1)
    try:
        return as_labels(y, "y")
    except (TypeError, ValueError) as err:
        raise type(err)(f"stratify=True needs class labels: {err}") from None


def _stratified_test_indices(labels, n_test, rng):
    """Largest-remainder allocation of the ``n_test`` slots: class ``c`` (``n_c`` of the ``N`` examples) gets its
    share ``n_test · n_c / N`` rounded down, and the leftover slots go to the classes rounded down the most."""
    classes, counts = np.unique(labels, return_counts=True)
    if counts.min() < 2:
        rare = classes[counts.argmin()]
        raise ValueError(
            f"stratify=True needs at least 2 examples of every class, but class {rare} has only {counts.min()}"
        )
    share = n_test * counts / counts.sum()
    k = np.floor(share).astype(int)
    leftover = n_test - k.sum()
    # A class never gives all its examples to the test set.
    room = np.flatnonzero(k + 1 <= counts - 1)
    by_remainder = room[np.argsort(-(share - k)[room], kind="stable")]
    k[by_remainder[:leftover]] += 1
    return np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:k_c] for c, k_c in zip(classes, k)])


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1: ``x' = (x − μ) / σ`` (Chapter 8).

    ``μ`` and ``σ`` come from the training data only (``fit``) and are then applied unchanged to the validation
    and test data (``transform``): using test statistics would leak information about the test set. A feature
    that is constant in the training data (``σ = 0``, such as the always-blank corner pixels of the digits) gets
    ``σ = 1``, so it becomes 0 instead of a division by zero.

    Attributes
    ----------
    mean, std : ndarray of shape (n_features,), or None before ``fit``
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, X):
        """Learn the per-feature mean and standard deviation of ``X`` (shape ``(N, n_features)``); returns self."""
        X = as_float_array(X, "Standardizer.fit X", ndim=2)
        if len(X) == 0:
            raise ValueError("Standardizer.fit needs at least one example, got X of shape (0, ...)")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        # Rounding in the mean of a constant column leaves a std of a few ulps instead of exactly 0.
        std[std <= 10 * np.finfo(X.dtype).eps * np.abs(mean)] = 1
        self.mean, self.std = mean, std
        return self

    def transform(self, X):
        """Return ``(X − mean) / std``, in the dtype of ``X``."""
        X = self._check_fitted(X, "transform")
        return (X - self.mean.astype(X.dtype, copy=False)) / self.std.astype(X.dtype, copy=False)

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo ``transform``: return ``X · std + mean``."""
        X = self._check_fitted(X, "inverse_transform")
        return X * self.std.astype(X.dtype, copy=False) + self.mean.astype(X.dtype, copy=False)

    def _check_fitted(self, X, method):
        if self.mean is None:
            raise RuntimeError(f"Standardizer.{method}() was called before fit(): fit it on the training data first")
        X = as_float_array(X, f"Standardizer.{method} X", ndim=2)
        if X.shape[1] != self.mean.size:
            raise ValueError(
                f"Standardizer was fitted on {self.mean.size} features, so {method} expected shape "
                f"(N, {self.mean.size}), got {X.shape}"
            )
        return X

    def __repr__(self) -> str:
        state = "not fitted" if self.mean is None else f"{self.mean.size} features"
        return f"Standardizer({state})"


def standardize(X_train, *others):
    """Standardize ``X_train`` with its own statistics, and every array in ``others`` with the same ones.

    ``X_train_s, X_test_s = standardize(X_train, X_test)``; with a single argument the one array is returned.
    See :class:`Standardizer` (Chapter 8).
    """
    scaler = Standardizer().fit(X_train)
    scaled = tuple(scaler.transform(X) for X in (X_train, *others))
    return scaled[0] if not others else scaled


def minibatches(X, y, batch_size, rng=None, shuffle=True):
    """Iterate over ``(X_batch, y_batch)`` pairs that cover every example once: one epoch (Chapter 7).

    With ``shuffle`` the examples are visited in the order of one random permutation drawn when this function is
    called (call it again each epoch for a new order); without it, in order. Every batch has ``batch_size`` rows
    except possibly the last, which holds what is left: ``ceil(N / batch_size)`` batches in all.

    Parameters
    ----------
    X : array, shape (N, ...)
    y : array, shape (N, ...)
    batch_size : int, at least 1
    rng : np.random.Generator, int or None
        Ignored when ``shuffle`` is False.
    shuffle : bool

    Returns
    -------
    iterator of (X_batch, y_batch)
    """
    X, y = _check_examples(X, y)
    batch_size = check_positive_int(batch_size, "batch_size")
    order = as_rng(rng).permutation(len(X)) if shuffle else None
    return _batches(X, y, batch_size, order)


def _batches(X, y, batch_size, order):
    # A generator apart from minibatches() so that bad arguments raise at the call, not at the first next().
    for start in range(0, len(X), batch_size):
        if order is None:
            yield X[start : start + batch_size], y[start : start + batch_size]
        else:
            idx = order[start : start + batch_size]
            yield X[idx], y[idx]


def _check_examples(X, y):
    """``X`` and ``y`` as arrays with one example per row and the same number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    for name, arr in (("X", X), ("y", y)):
        if arr.ndim == 0:
            raise ValueError(f"{name} must hold one example per row (shape (N, ...)), got a scalar")
    if len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of examples (rows), got {len(X)} in X (shape {X.shape}) "
            f"and {len(y)} in y (shape {y.shape})"
        )
    return X, y
