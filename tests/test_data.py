"""Tests for dlcore.data: the toy data sets, the digits, one-hot labels, splits, standardization and minibatches."""

import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import data
from dlcore.data import (
    Dataset,
    Standardizer,
    load_digits,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    minibatches,
    one_hot,
    standardize,
    train_test_split,
)

# Each toy generator with arguments giving 2 classes of 50 or 3 classes of 40 points.
GENERATORS = {
    "xor": (lambda **kw: make_xor(100, noise=0.1, **kw), 100, 2),
    "spirals": (lambda **kw: make_spirals(40, 3, **kw), 120, 3),
    "moons": (lambda **kw: make_moons(100, **kw), 100, 2),
    "circles": (lambda **kw: make_circles(100, **kw), 100, 2),
}


# Toy data sets ------------------------------------------------------------------------------------------------------


def test_xor_truth_table():
    X, y = make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert make_xor(dtype=np.float32)[0].dtype == np.float32


def test_xor_without_noise_puts_every_point_on_a_corner_with_its_label():
    X, y = make_xor(10, rng=0)
    assert X.shape == (10, 2) and y.shape == (10,)
    assert set(map(tuple, X)) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, X[:, 0] != X[:, 1])
    np.testing.assert_array_equal(np.bincount(y), [5, 5])


def test_xor_noise_moves_points_around_their_corner():
    X, y = make_xor(400, noise=0.1, rng=1)
    corner = np.round(X)
    assert np.abs(X - corner).max() < 0.6
    np.testing.assert_array_equal(y, corner[:, 0] != corner[:, 1])
    assert 0.08 < (X - corner).std() < 0.12


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_generator_shapes_dtypes_and_balance(name, dtype):
    make, n, n_classes = GENERATORS[name]
    X, y = make(rng=0, dtype=dtype)
    assert X.shape == (n, 2) and X.dtype == dtype
    assert y.shape == (n,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [n // n_classes] * n_classes)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic_and_shuffled(name):
    make = GENERATORS[name][0]
    X1, y1 = make(rng=7)
    X2, y2 = make(rng=np.random.default_rng(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(rng=8)
    assert not np.array_equal(X1, X3)
    assert np.any(np.diff(y1) < 0), "labels should not come sorted"


@pytest.mark.parametrize("name", GENERATORS)
def test_float32_is_the_float64_data_rounded(name):
    make = GENERATORS[name][0]
    np.testing.assert_array_equal(make(rng=3, dtype=np.float32)[0], make(rng=3)[0].astype(np.float32))


def test_odd_sizes_stay_as_balanced_as_possible():
    assert sorted(np.bincount(make_moons(7, rng=0)[1])) == [3, 4]
    assert sorted(np.bincount(make_circles(7, rng=0)[1])) == [3, 4]
    assert sorted(np.bincount(make_xor(7, rng=0)[1])) == [3, 4]


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(101, noise=0.0, rng=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert upper[:, 1].min() >= 0.0
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert lower[:, 1].max() <= 0.5 + 1e-12


@pytest.mark.parametrize("factor", [0.3, 0.5, 0.8])
def test_circles_without_noise_have_radii_one_and_factor(factor):
    X, y = make_circles(60, noise=0.0, factor=factor, rng=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], factor)


def test_spirals_without_noise_follow_the_arms():
    X, y = make_spirals(50, 3, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    for k in range(3):
        np.testing.assert_allclose(np.sort(r[y == k]), np.linspace(0, 1, 50), atol=1e-12)
    # The point at radius r of arm k is at angle 4k + 4r, measured from the x2 axis (x = r sin θ, y = r cos θ).
    theta = 4.0 * y + 4.0 * r
    np.testing.assert_allclose(X, np.column_stack([r * np.sin(theta), r * np.cos(theta)]), atol=1e-12)


def _least_squares_accuracy(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    W, *_ = np.linalg.lstsq(A, one_hot(y), rcond=None)
    return np.mean((A @ W).argmax(axis=1) == y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spirals_defeat_a_linear_classifier(seed):
    X, y = make_spirals(100, 3, rng=seed)
    assert _least_squares_accuracy(X, y) < 0.70


def test_linear_least_squares_baseline_does_separate_separable_data():
    # Guards the check above: the same baseline must succeed where a line is enough.
    X, _ = make_xor(200, noise=0.1, rng=0)
    and_labels = (np.round(X).sum(axis=1) == 2).astype(int)
    assert _least_squares_accuracy(X, and_labels) > 0.95


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: make_xor(-3), ValueError, r"n \(the number of XOR points\) must be an integer >= 4, got -3"),
        (lambda: make_xor(2.5), TypeError, r"must be an integer, got 2.5"),
        (lambda: make_xor(8, noise=-0.1), ValueError, r"noise must be in \[0.0, inf\], got -0.1"),
        (lambda: make_moons(-1), ValueError, r"must be an integer >= 2, got -1"),
        (lambda: make_moons(10, noise=-1), ValueError, r"noise must be in"),
        (
            lambda: make_circles(10, factor=1.0),
            ValueError,
            r"factor \(the inner radius\) must be in \(0.0, 1.0\), got 1.0",
        ),
        (lambda: make_circles(10, noise="a"), TypeError, r"noise must be a number, got 'a'"),
        (lambda: make_spirals(0), ValueError, r"n_per_class must be an integer >= 1, got 0"),
        (lambda: make_spirals(10, n_classes=1), ValueError, r"n_classes must be an integer >= 2, got 1"),
        (lambda: make_spirals(10, noise=-0.2), ValueError, r"noise must be in"),
        (lambda: make_moons(10, dtype=np.int32), TypeError, r"dtype must be np.float32 or np.float64, got int32"),
        (lambda: make_moons(10, rng="seed"), TypeError, r"rng must be a np.random.Generator"),
    ],
)
def test_generator_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# The digits ---------------------------------------------------------------------------------------------------------


def test_digits_shapes_range_and_labels():
    digits = load_digits()
    assert isinstance(digits, Dataset)
    assert digits.X.shape == (1797, 64) and digits.X.dtype == np.float64
    assert digits.y.shape == (1797,) and digits.y.dtype == np.int64
    assert digits.images.shape == (1797, 8, 8)
    assert digits.X.min() == 0.0 and digits.X.max() == 1.0
    np.testing.assert_array_equal(np.unique(digits.y), np.arange(10))
    assert np.bincount(digits.y).min() > 170
    np.testing.assert_array_equal(digits.images.reshape(1797, 64), digits.X)
    assert digits.class_names == tuple("0123456789")
    assert "1,797" in digits.description and "8x8" in digits.description
    assert "1797" in repr(digits)


def test_digits_unscaled_are_counts_from_0_to_16():
    X, _ = load_digits(scale=False)
    assert X.max() == 16.0
    np.testing.assert_array_equal(X, np.round(X))
    np.testing.assert_allclose(load_digits().X * 16, X)


def test_digits_match_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    reference = sklearn_datasets.load_digits()
    X, y = load_digits()
    np.testing.assert_allclose(X, reference.data / 16)
    np.testing.assert_array_equal(y, reference.target)


def test_digits_float32_and_independent_copies():
    X32, _ = load_digits(dtype=np.float32)
    assert X32.dtype == np.float32
    first = load_digits()
    first.X[:] = -1
    first.y[:] = -1
    first.images[:] = -1
    again = load_digits()
    assert again.X.min() == 0.0 and again.y.min() == 0 and again.images.min() == 0.0


def test_digits_errors(monkeypatch):
    with pytest.raises(TypeError, match=r"scale must be True or False, got 'yes'"):
        load_digits(scale="yes")
    data._raw_digits.cache_clear()
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    try:
        with pytest.raises(ImportError, match=r"scikit-learn.*pip install scikit-learn"):
            load_digits()
    finally:
        data._raw_digits.cache_clear()


# one_hot ------------------------------------------------------------------------------------------------------------


def test_one_hot_small_case_and_round_trip():
    Y = one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    y = np.random.default_rng(0).integers(0, 10, 500)
    np.testing.assert_array_equal(one_hot(y, 10).argmax(axis=1), y)
    assert one_hot(y, 12, dtype=np.float32).shape == (500, 12)
    assert one_hot(y, dtype=np.float32).dtype == np.float32
    assert one_hot([], num_classes=3).shape == (0, 3)
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


@given(st.lists(st.integers(0, 20), min_size=1, max_size=50))
def test_one_hot_rows_sum_to_one(labels):
    Y = one_hot(labels)
    assert Y.shape == (len(labels), max(labels) + 1)
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    np.testing.assert_array_equal(Y.argmax(axis=1), labels)


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        ([0, 1.5], {}, TypeError, r"y must hold integer class labels, got non-integer values"),
        (["a", "b"], {}, TypeError, r"y must hold integer class labels, got dtype <U1"),
        ([0, -1], {}, ValueError, r"y must hold labels >= 0, got -1"),
        ([0, 3], {"num_classes": 3}, ValueError, r"y has label 3, but there are only 3 classes \(labels 0..2\)"),
        ([[0, 1]], {}, ValueError, r"shape \(N,\), got shape \(1, 2\)"),
        ([], {}, ValueError, r"cannot infer the number of classes from an empty y"),
        ([0, 1], {"num_classes": 0}, ValueError, r"num_classes must be an integer >= 1, got 0"),
        ([0, 1], {"dtype": int}, TypeError, r"dtype must be np.float32 or np.float64"),
    ],
)
def test_one_hot_errors(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        one_hot(y, **kwargs)


# train_test_split ---------------------------------------------------------------------------------------------------


def test_split_sizes_partition_and_pairing():
    X = np.arange(100).reshape(50, 2).astype(np.float32)
    y = np.arange(50)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, rng=0)
    assert len(X_test) == 15 and len(X_train) == 35
    assert X_train.dtype == np.float32
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    assert np.any(np.diff(y_train) < 0), "rows should be shuffled"


def test_split_rounds_the_test_set_up():
    assert len(train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=0.25, rng=0)[1]) == 3
    assert len(train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=0.3, rng=0)[1]) == 3


def test_split_is_deterministic():
    X, y = make_moons(60, rng=0)
    first = train_test_split(X, y, rng=5)
    for a, b in zip(first, train_test_split(X, y, rng=5)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], train_test_split(X, y, rng=6)[3])


def test_stratified_split_keeps_class_proportions_on_the_digits():
    X, y = load_digits()
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, rng=0, stratify=True)
    assert len(y_test) == 360
    counts = np.bincount(y)
    assert np.all(np.abs(np.bincount(y_test, minlength=10) - 0.2 * counts) <= 1)
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test), counts)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(2, 40), min_size=2, max_size=6),
    test_size=st.floats(0.05, 0.6),
    seed=st.integers(0, 2**16),
)
def test_stratified_split_property(counts, test_size, seed):
    y = np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    X = np.arange(len(y))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, rng=seed, stratify=True)
    np.testing.assert_array_equal(np.sort(np.concatenate([X_train, X_test])), X)
    np.testing.assert_array_equal(y[X_test], y_test)
    test_counts = np.bincount(y_test, minlength=len(counts))
    n_test = int(np.ceil(test_size * len(y) - 1e-9))
    assert np.all(np.abs(test_counts - n_test * np.array(counts) / len(y)) <= 1 + 1e-9)
    # Exact unless every class that could take a leftover slot must keep its last training example.
    assert n_test - len(counts) < len(y_test) <= n_test
    assert np.all(np.bincount(y_train, minlength=len(counts)) >= 1), "every class keeps a training example"


def test_stratified_split_accepts_one_hot_targets():
    _, y = make_spirals(20, 3, rng=0)
    _, _, Y_train, Y_test = train_test_split(np.zeros((60, 2)), one_hot(y), test_size=0.5, rng=0, stratify=True)
    np.testing.assert_array_equal(Y_test.sum(axis=0), [10, 10, 10])
    assert Y_train.shape == (30, 3)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"),
    [
        (
            np.zeros((10, 2)),
            np.zeros(9),
            {},
            ValueError,
            r"same number of examples \(rows\), got 10 in X .* and 9 in y",
        ),
        (
            np.zeros((10, 2)),
            np.zeros(10),
            {"test_size": 0.0},
            ValueError,
            r"test_size must be in \(0.0, 1.0\), got 0.0",
        ),
        (
            np.zeros((10, 2)),
            np.zeros(10),
            {"test_size": 1.5},
            ValueError,
            r"test_size must be in \(0.0, 1.0\), got 1.5",
        ),
        (np.zeros((10, 2)), np.zeros(10), {"test_size": "half"}, TypeError, r"test_size must be a number"),
        (np.zeros((2, 2)), np.zeros(2), {"test_size": 0.9}, ValueError, r"leaves no training example"),
        (
            np.zeros((4, 2)),
            np.array([0.5, 1, 2, 3]),
            {"stratify": True},
            TypeError,
            r"stratify=True needs class labels: y must hold integer class labels",
        ),
        (
            np.zeros((5, 2)),
            np.array([0, 0, 1, 1, 2]),
            {"stratify": True},
            ValueError,
            r"at least 2 examples of every class, but class 2 has only 1",
        ),
        (5.0, np.zeros(1), {}, ValueError, r"X must hold one example per row .* got a scalar"),
    ],
)
def test_split_errors(X, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_test_split(X, y, **kwargs)


# Standardization ----------------------------------------------------------------------------------------------------


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 3.0, size=(200, 4))
    X_test = rng.normal(-2.0, 1.0, size=(50, 4))
    scaler = Standardizer().fit(X_train)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1)
    np.testing.assert_allclose(Z_test, (X_test - X_train.mean(axis=0)) / X_train.std(axis=0))
    np.testing.assert_allclose(scaler.inverse_transform(Z_test), X_test)
    for a, b in zip(standardize(X_train, X_test), (Z_train, Z_test)):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(standardize(X_train), Z_train)
    np.testing.assert_allclose(scaler.fit_transform(X_train), Z_train)


def test_constant_features_become_zero_without_warnings():
    X = np.column_stack([np.full(7, 0.1), np.zeros(7), np.arange(7.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = standardize(X)
    np.testing.assert_allclose(Z[:, :2], 0, atol=1e-12)
    np.testing.assert_array_equal(Standardizer().fit(X).std[:2], [1, 1])
    digits_Z = standardize(load_digits().X)
    assert np.all(np.isfinite(digits_Z))


def test_standardizer_keeps_float32():
    X = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    assert standardize(X).dtype == np.float32
    assert Standardizer().fit(X.astype(np.float64)).transform(X).dtype == np.float32


def test_standardizer_errors():
    with pytest.raises(RuntimeError, match=r"transform\(\) was called before fit\(\)"):
        Standardizer().transform(np.zeros((2, 2)))
    scaler = Standardizer().fit(np.eye(3))
    with pytest.raises(ValueError, match=r"fitted on 3 features, so transform expected shape \(N, 3\), got \(4, 2\)"):
        scaler.transform(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"must be a 2-D array, got shape \(3,\)"):
        Standardizer().fit(np.zeros(3))
    with pytest.raises(ValueError, match=r"contains 1 NaN"):
        Standardizer().fit([[1.0, np.nan]])
    assert repr(Standardizer()) == "Standardizer(not fitted)"


# Minibatches --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "batch_size"), [(100, 32), (100, 25), (7, 10), (1, 1), (10, 1)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatches_cover_every_example_once(n, batch_size, shuffle):
    X = np.arange(2 * n).reshape(n, 2)
    y = np.arange(n)
    batches = list(minibatches(X, y, batch_size, rng=0, shuffle=shuffle))
    assert len(batches) == -(-n // batch_size)
    assert [len(yb) for _, yb in batches[:-1]] == [batch_size] * (len(batches) - 1)
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)
    if not shuffle:
        np.testing.assert_array_equal(seen, y)


def test_minibatches_shuffle_deterministically_and_anew_each_epoch():
    X, y = np.zeros((50, 1)), np.arange(50)
    order = lambda batches: np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(order(minibatches(X, y, 8, rng=3)), order(minibatches(X, y, 8, rng=3)))
    rng = np.random.default_rng(3)
    epoch1, epoch2 = order(minibatches(X, y, 8, rng=rng)), order(minibatches(X, y, 8, rng=rng))
    assert not np.array_equal(epoch1, epoch2)
    assert not np.array_equal(epoch1, y)


def test_minibatches_keep_dtype_and_one_hot_targets():
    X = np.ones((9, 3), dtype=np.float32)
    Xb, Yb = next(minibatches(X, one_hot(np.arange(9) % 3), 4, rng=0))
    assert Xb.dtype == np.float32 and Xb.shape == (4, 3) and Yb.shape == (4, 3)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.zeros((5, 2)), np.zeros(5), 0), ValueError, r"batch_size must be an integer >= 1, got 0"),
        ((np.zeros((5, 2)), np.zeros(5), 2.0), TypeError, r"batch_size must be an integer, got 2.0"),
        ((np.zeros((5, 2)), np.zeros(4), 2), ValueError, r"got 5 in X .* and 4 in y"),
    ],
)
def test_minibatches_errors_raise_at_the_call(args, error, match):
    with pytest.raises(error, match=match):
        minibatches(*args)
