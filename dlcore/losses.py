"""Loss functions (Chapter 4).

A loss turns predictions ``y_hat`` and targets ``y`` into one number to minimise. Convention used throughout the
course (and by PyTorch's defaults): every loss is a *mean*. ``MSE`` and ``MAE`` average over every element; the
cross-entropies average over the examples (rows). The gradients returned include that averaging factor, so
``mse_grad`` is ``2 (y_hat − y) / size``, not ``y_hat − y``.

Pure functions compute values and gradients; the classes keep what ``backward()`` needs, so a training step reads
``loss = loss_fn(y_hat, y); dY = loss_fn.backward()``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_labels, check_in
from .activations import log_softmax, softmax

# Probabilities are clipped to [EPS, 1 - EPS] before taking logs, so a confident wrong answer costs about
# -log(1e-12) ≈ 27.6 rather than infinity.
EPS = 1e-12


# Checks -----------------------------------------------------------------------------------------------------------


def _predictions(y_hat, loss_name):
    y_hat = as_float_array(y_hat, f"{loss_name} predictions y_hat", allow_nonfinite=True)
    if not np.all(np.isfinite(y_hat)):
        raise ValueError(
            f"{loss_name} predictions y_hat contain NaN or infinite values: the network's output is no longer a "
            "number, which usually means training diverged (try a smaller learning rate)"
        )
    return y_hat


def _regression_pair(y_hat, y, loss_name):
    """Predictions and float targets of the same shape; targets ``(N,)`` are accepted for predictions ``(N, 1)``."""
    y_hat = _predictions(y_hat, loss_name)
    y = as_float_array(y, f"{loss_name} targets y")
    if y.ndim == 1 and y_hat.ndim == 2 and y_hat.shape[1] == 1 and y.shape[0] == y_hat.shape[0]:
        y = y[:, None]
    if y.shape != y_hat.shape:
        raise ValueError(f"{loss_name} expected targets y with the shape of y_hat {y_hat.shape}, got {y.shape}")
    return y_hat, y.astype(y_hat.dtype, copy=False)


def _class_targets(y, num_classes, n, loss_name):
    """Integer labels ``(N,)`` or target rows ``(N, C)`` (one-hot or probabilities) for ``C`` classes."""
    arr = np.asarray(y)
    if arr.ndim == 1:
        if arr.shape[0] != n:
            raise ValueError(f"{loss_name} got {n} predictions but {arr.shape[0]} labels")
        return as_labels(arr, f"{loss_name} labels y", num_classes)
    arr = as_float_array(arr, f"{loss_name} targets y", ndim=2)
    if arr.shape != (n, num_classes):
        raise ValueError(
            f"{loss_name} expected integer labels of shape ({n},) or one-hot targets of shape {(n, num_classes)}, "
            f"got shape {arr.shape}"
        )
    return arr


def _class_predictions(y_hat, loss_name):
    y_hat = _predictions(y_hat, loss_name)
    if y_hat.ndim != 2:
        raise ValueError(f"{loss_name} expects y_hat of shape (N, C), one row per example, got shape {y_hat.shape}")
    return y_hat


def _one_hot_like(y, shape, dtype):
    if y.ndim == 2:
        return y.astype(dtype, copy=False)
    onehot = np.zeros(shape, dtype=dtype)
    onehot[np.arange(shape[0]), y] = 1.0
    return onehot


# Pure functions ---------------------------------------------------------------------------------------------------


def mse(y_hat, y):
    """Mean squared error ``(1/n) Σ (ŷ − y)²`` over all ``n`` elements."""
    y_hat, y = _regression_pair(y_hat, y, "MSE")
    d = y_hat - y
    return float(np.mean(d * d))


def mse_grad(y_hat, y):
    """``∂MSE/∂ŷ = 2 (ŷ − y) / n``."""
    y_hat, y = _regression_pair(y_hat, y, "MSE")
    return (y_hat - y) * (2.0 / y_hat.size)


def mae(y_hat, y):
    """Mean absolute error ``(1/n) Σ |ŷ − y|``: less sensitive to outliers than MSE."""
    y_hat, y = _regression_pair(y_hat, y, "MAE")
    return float(np.mean(np.abs(y_hat - y)))


def mae_grad(y_hat, y):
    """``∂MAE/∂ŷ = sign(ŷ − y) / n`` (0 where ``ŷ = y``, as PyTorch)."""
    y_hat, y = _regression_pair(y_hat, y, "MAE")
    return np.sign(y_hat - y) * (1.0 / y_hat.size)


def _check_probabilities(p, loss_name):
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(
            f"{loss_name} expects probabilities in [0, 1] (for example a Sigmoid or Softmax output), "
            f"got values from {p.min():.4g} to {p.max():.4g}; for raw scores use the fused loss on logits"
        )


def _bce_bounds(p):
    """Clip bounds for probabilities: ``1 - 1e-12`` rounds to 1 in float32, so float32 uses its own epsilon."""
    eps = EPS if p.dtype == np.float64 else float(np.finfo(p.dtype).epsneg)
    return eps, 1.0 - eps


def binary_cross_entropy(p, y):
    """Binary cross-entropy ``−(1/n) Σ [y log p + (1 − y) log(1 − p)]`` over all ``n`` elements.

    ``p`` are predicted probabilities of class 1 (a Sigmoid output); ``y`` are 0/1 targets (or soft targets in [0, 1]).
    """
    p, y = _regression_pair(p, y, "BinaryCrossEntropy")
    _check_probabilities(p, "BinaryCrossEntropy")
    pc = np.clip(p, *_bce_bounds(p))
    return float(-np.mean(y * np.log(pc) + (1.0 - y) * np.log1p(-pc)))


def binary_cross_entropy_grad(p, y):
    """``∂BCE/∂p = (p − y) / (p (1 − p)) / n`` (with ``p`` clipped as in the value)."""
    p, y = _regression_pair(p, y, "BinaryCrossEntropy")
    _check_probabilities(p, "BinaryCrossEntropy")
    pc = np.clip(p, *_bce_bounds(p))
    return (pc - y) / (pc * (1.0 - pc)) * (1.0 / p.size)


def cross_entropy(p, y):
    """Categorical cross-entropy ``−(1/N) Σ_n log p[n, y_n]`` for probability rows ``p`` of shape ``(N, C)``.

    ``y`` holds integer labels ``(N,)`` or target rows ``(N, C)``; with rows it is ``−(1/N) Σ_n Σ_k y_nk log p_nk``.
    """
    p = _class_predictions(p, "CrossEntropy")
    _check_probabilities(p, "CrossEntropy")
    y = _class_targets(y, p.shape[1], p.shape[0], "CrossEntropy")
    logp = np.log(np.clip(p, EPS, 1.0))
    if y.ndim == 1:
        return float(-logp[np.arange(p.shape[0]), y].mean())
    return float(-(y * logp).sum() / p.shape[0])


def cross_entropy_grad(p, y):
    """``∂CE/∂p = −y / p / N`` (nonzero only at each row's target class for one-hot targets)."""
    p = _class_predictions(p, "CrossEntropy")
    _check_probabilities(p, "CrossEntropy")
    y = _class_targets(y, p.shape[1], p.shape[0], "CrossEntropy")
    onehot = _one_hot_like(y, p.shape, p.dtype)
    return -onehot / np.clip(p, EPS, 1.0) * (1.0 / p.shape[0])


def softmax_cross_entropy(logits, y):
    """Cross-entropy of ``softmax(logits)``, computed from log-sum-exp without forming probabilities.

    ``−(1/N) Σ_n [z_{n, y_n} − log Σ_k e^{z_nk}]``; finite for logits of any size.
    """
    logits = _class_predictions(logits, "SoftmaxCrossEntropy")
    y = _class_targets(y, logits.shape[1], logits.shape[0], "SoftmaxCrossEntropy")
    logp = log_softmax(logits, axis=1)
    if y.ndim == 1:
        return float(-logp[np.arange(logits.shape[0]), y].mean())
    return float(-(y * logp).sum() / logits.shape[0])


def softmax_cross_entropy_grad(logits, y):
    """``∂L/∂z = (softmax(z) − y) / N``: the softmax's Jacobian and the log's ``1/p`` cancel."""
    logits = _class_predictions(logits, "SoftmaxCrossEntropy")
    y = _class_targets(y, logits.shape[1], logits.shape[0], "SoftmaxCrossEntropy")
    return _softmax_ce_grad_inplace(softmax(logits, axis=1), y)


def _softmax_ce_grad_inplace(p, y):
    """Turn probabilities ``p`` into ``(p − y) / N`` in place; no one-hot matrix is built for integer labels."""
    n = p.shape[0]
    if y.ndim == 1:
        p[np.arange(n), y] -= 1.0
    else:
        p -= y
    p *= 1.0 / n
    return p


# Loss objects -----------------------------------------------------------------------------------------------------


class Loss:
    """Base class: ``value = loss(y_hat, y)`` then ``dY = loss.backward()``."""

    def __init__(self):
        self._cache = None

    def __call__(self, y_hat, y) -> float:
        return self.forward(y_hat, y)

    def forward(self, y_hat, y) -> float:
        raise NotImplementedError

    def backward(self):
        """``dL/dŷ`` for the last call, with the averaging factor included; same shape and dtype as ``ŷ``."""
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward() was called before computing the loss")
        return self._backward()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error over every element (PyTorch's ``MSELoss()``)."""

    def forward(self, y_hat, y):
        y_hat, y = _regression_pair(y_hat, y, "MSE")
        d = y_hat - y
        self._cache = (d, y_hat.shape)
        return float(np.mean(d * d))

    def _backward(self):
        d, shape = self._cache
        return d * (2.0 / d.size)


class MAE(Loss):
    """Mean absolute error over every element (PyTorch's ``L1Loss()``)."""

    def forward(self, y_hat, y):
        y_hat, y = _regression_pair(y_hat, y, "MAE")
        d = y_hat - y
        self._cache = d
        return float(np.mean(np.abs(d)))

    def _backward(self):
        return np.sign(self._cache) * (1.0 / self._cache.size)


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy on probabilities (PyTorch's ``BCELoss()``); pair it with a Sigmoid output."""

    def forward(self, y_hat, y):
        p, y = _regression_pair(y_hat, y, "BinaryCrossEntropy")
        _check_probabilities(p, "BinaryCrossEntropy")
        pc = np.clip(p, *_bce_bounds(p))
        self._cache = (pc, y)
        return float(-np.mean(y * np.log(pc) + (1.0 - y) * np.log1p(-pc)))

    def _backward(self):
        pc, y = self._cache
        return (pc - y) / (pc * (1.0 - pc)) * (1.0 / pc.size)


class CrossEntropy(Loss):
    """Categorical cross-entropy on probability rows (e.g. a Softmax output); mean over examples.

    Unlike PyTorch's ``CrossEntropyLoss`` (which takes logits) this takes probabilities; see
    :class:`SoftmaxCrossEntropy` for the logits version.
    """

    def forward(self, y_hat, y):
        p = _class_predictions(y_hat, "CrossEntropy")
        _check_probabilities(p, "CrossEntropy")
        y = _class_targets(y, p.shape[1], p.shape[0], "CrossEntropy")
        pc = np.clip(p, EPS, 1.0)
        self._cache = (pc, y)
        logp = np.log(pc)
        if y.ndim == 1:
            return float(-logp[np.arange(p.shape[0]), y].mean())
        return float(-(y * logp).sum() / p.shape[0])

    def _backward(self):
        pc, y = self._cache
        return -_one_hot_like(y, pc.shape, pc.dtype) / pc * (1.0 / pc.shape[0])


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, fused: takes logits (PyTorch's ``CrossEntropyLoss()``).

    Accepts integer labels ``(N,)`` or one-hot (or probability) rows ``(N, C)``. The gradient is ``(p − y) / N``.
    """

    def forward(self, y_hat, y):
        logits = _class_predictions(y_hat, "SoftmaxCrossEntropy")
        y = _class_targets(y, logits.shape[1], logits.shape[0], "SoftmaxCrossEntropy")
        n = logits.shape[0]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        if y.ndim == 1:
            picked = shifted[np.arange(n), y]
            value = float(np.log(sums).sum() / n - picked.sum() / n)
        else:
            value = float(-(y * (shifted - np.log(sums))).sum() / n)
        exp /= sums  # now the probabilities; backward turns them into (p - y) / N in place
        self._cache = (exp, y)
        return value

    def _backward(self):
        p, y = self._cache
        if y is not None:
            _softmax_ce_grad_inplace(p, y)  # the probabilities buffer becomes the gradient
            self._cache = (p, None)  # a second backward() returns the same gradient
        return p


LOSSES = {
    "mse": MSE,
    "mae": MAE,
    "binary_cross_entropy": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
}

_ALIASES = {"bce": "binary_cross_entropy", "l2": "mse", "l1": "mae"}


def get_loss(name) -> Loss:
    """A new loss object from its name (``"mse"``, ``"softmax_cross_entropy"``, ...), or ``name`` if already a loss."""
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name such as 'mse', got {type(name).__name__}")
    key = _ALIASES.get(name.lower(), name.lower())
    return LOSSES[check_in(key, "loss", list(LOSSES) + list(_ALIASES))]()
