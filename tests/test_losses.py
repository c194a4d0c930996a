"""Losses (Chapter 4): values and gradients against hand formulas, averaging conventions, stability."""

import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from dlcore import losses as L
from dlcore.activations import softmax
from dlcore.losses import LOSSES, MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy, get_loss


@contextmanager
def no_numpy_warnings():
    """Fail on any warning and on overflow, division by zero or invalid operations (underflow to 0 is fine)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


def value_and_grad(loss, y_hat, y):
    value = loss(y_hat, y)
    return value, loss.backward()


# Values by hand ---------------------------------------------------------------------------------------------------


def test_mse_by_hand():
    assert MSE()(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]])) == 5.0
    # Mean over all four elements, not over the two rows: (1 + 4 + 0 + 9) / 4.
    assert MSE()(np.array([[1.0, 2.0], [0.0, 3.0]]), np.zeros((2, 2))) == 3.5
    assert L.mse(np.array([[1.0], [3.0]]), np.array([0.0, 0.0])) == 5.0


def test_mae_by_hand():
    assert MAE()(np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.0, 0.0], [0.0, 1.0]])) == (1 + 2 + 0.5 + 2) / 4
    assert L.mae(np.array([[1.0], [-3.0]]), np.zeros((2, 1))) == 2.0


def test_binary_cross_entropy_by_hand():
    p, y = np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [1.0]])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3
    assert BinaryCrossEntropy()(p, y) == pytest.approx(expected, rel=1e-14)
    assert L.binary_cross_entropy(p, y) == pytest.approx(expected, rel=1e-14)


def test_binary_cross_entropy_soft_targets_are_smallest_at_the_target():
    y = np.array([[0.3]])
    ps = np.linspace(0.01, 0.99, 99)
    values = [BinaryCrossEntropy()(np.array([[p]]), y) for p in ps]
    assert ps[int(np.argmin(values))] == pytest.approx(0.3)


def test_cross_entropy_by_hand():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.25, 0.5, 0.25]])
    y = np.array([0, 2, 1])
    expected = -(np.log(0.7) + np.log(0.8) + np.log(0.5)) / 3
    assert CrossEntropy()(p, y) == pytest.approx(expected, rel=1e-14)
    assert CrossEntropy()(p, np.eye(3)[y]) == pytest.approx(expected, rel=1e-14)
    assert L.cross_entropy(p, y) == pytest.approx(expected, rel=1e-14)
    soft = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    expected_soft = -(0.5 * np.log(0.7) + 0.5 * np.log(0.2) + np.log(0.8) + np.log(0.5)) / 3
    assert CrossEntropy()(p, soft) == pytest.approx(expected_soft, rel=1e-14)


def test_softmax_cross_entropy_is_cross_entropy_of_the_softmax(rng):
    logits = rng.normal(0, 3, size=(5, 4))
    y = rng.integers(0, 4, size=5)
    expected = -np.mean(np.log(softmax(logits))[np.arange(5), y])
    assert SoftmaxCrossEntropy()(logits, y) == pytest.approx(expected, rel=1e-13)
    assert L.softmax_cross_entropy(logits, y) == pytest.approx(expected, rel=1e-13)
    assert CrossEntropy()(softmax(logits), y) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n, c", [(1, 2), (1, 3), (1, 10), (4, 3), (7, 10), (32, 5)])
def test_initial_softmax_loss_is_log_of_the_number_of_classes(n, c):
    value = SoftmaxCrossEntropy()(np.zeros((n, c)), np.arange(n) % c)
    if n == 1:
        assert value == np.log(c)  # exactly: log(C) − 0
    else:
        # A mean over rows of N copies of ln C can differ from ln C in the last bit.
        assert value == pytest.approx(np.log(c), rel=4 * np.finfo(float).eps)
    assert L.softmax_cross_entropy(np.zeros((n, c)), np.eye(c)[np.arange(n) % c]) == pytest.approx(np.log(c), rel=1e-15)


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_loss_value_is_a_python_float(make, rng):
    y_hat, y = classification_case(make, rng)
    assert type(make()(y_hat, y)) is float


# Gradients by hand ------------------------------------------------------------------------------------------------


def test_mse_gradient_includes_the_mean(rng):
    y_hat, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, g = value_and_grad(MSE(), y_hat, y)
    np.testing.assert_allclose(g, 2 * (y_hat - y) / 12, rtol=1e-15)
    np.testing.assert_allclose(L.mse_grad(y_hat, y), 2 * (y_hat - y) / 12, rtol=1e-15)


def test_mae_gradient(rng):
    y_hat, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, g = value_and_grad(MAE(), y_hat, y)
    np.testing.assert_array_equal(g, np.sign(y_hat - y) / 12)
    np.testing.assert_array_equal(L.mae_grad(y_hat, y), np.sign(y_hat - y) / 12)
    np.testing.assert_array_equal(L.mae_grad(np.ones((2, 1)), np.ones((2, 1))), 0.0)  # 0 where ŷ = y


def test_binary_cross_entropy_gradient(rng):
    p, y = rng.uniform(0.05, 0.95, size=(5, 2)), rng.integers(0, 2, size=(5, 2)).astype(float)
    expected = (p - y) / (p * (1 - p)) / 10
    _, g = value_and_grad(BinaryCrossEntropy(), p, y)
    np.testing.assert_allclose(g, expected, rtol=1e-13)
    np.testing.assert_allclose(L.binary_cross_entropy_grad(p, y), expected, rtol=1e-13)


def test_cross_entropy_gradient(rng):
    p = softmax(rng.normal(size=(4, 3)))
    y = np.array([0, 2, 1, 2])
    expected = -np.eye(3)[y] / p / 4
    _, g = value_and_grad(CrossEntropy(), p, y)
    np.testing.assert_allclose(g, expected, rtol=1e-14)
    np.testing.assert_allclose(L.cross_entropy_grad(p, y), expected, rtol=1e-14)


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_n(rng):
    logits = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 2])
    expected = (softmax(logits) - np.eye(3)[y]) / 4
    _, g = value_and_grad(SoftmaxCrossEntropy(), logits, y)
    np.testing.assert_allclose(g, expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(L.softmax_cross_entropy_grad(logits, y), expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-16)  # each row of p − y sums to 0


def test_softmax_cross_entropy_integer_labels_and_one_hot_agree(rng):
    logits = rng.normal(0, 2, size=(6, 5))
    labels = rng.integers(0, 5, size=6)
    v1, g1 = value_and_grad(SoftmaxCrossEntropy(), logits, labels)
    v2, g2 = value_and_grad(SoftmaxCrossEntropy(), logits, np.eye(5)[labels])
    assert v1 == pytest.approx(v2, rel=1e-14)
    np.testing.assert_allclose(g1, g2, rtol=1e-14, atol=1e-17)
    v3, g3 = value_and_grad(CrossEntropy(), softmax(logits), labels)
    v4, g4 = value_and_grad(CrossEntropy(), softmax(logits), np.eye(5)[labels])
    assert v3 == pytest.approx(v4, rel=1e-14)
    np.testing.assert_allclose(g3, g4, rtol=1e-14)


def test_softmax_cross_entropy_does_not_modify_its_inputs(rng):
    logits, y = rng.normal(size=(3, 4)), np.eye(4)[[0, 1, 3]]
    logits_before, y_before = logits.copy(), y.copy()
    loss = SoftmaxCrossEntropy()
    loss(logits, y)
    loss.backward()
    np.testing.assert_array_equal(logits, logits_before)
    np.testing.assert_array_equal(y, y_before)


def classification_case(make, rng, n=4, c=3):
    """A valid (y_hat, y) pair for the loss class ``make``."""
    labels = rng.integers(0, c, size=n)
    if make in (MSE, MAE):
        return rng.normal(size=(n, c)), rng.normal(size=(n, c))
    if make is BinaryCrossEntropy:
        return rng.uniform(0.05, 0.95, size=(n, c)), rng.integers(0, 2, size=(n, c)).astype(float)
    if make is CrossEntropy:
        return softmax(rng.normal(size=(n, c))), labels
    return rng.normal(size=(n, c)), labels


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_backward_twice_returns_the_same_gradient(make, rng):
    loss = make()
    y_hat, y = classification_case(make, rng)
    loss(y_hat, y)
    first = np.array(loss.backward(), copy=True)
    second = loss.backward()
    np.testing.assert_array_equal(first, second)
    assert second.shape == y_hat.shape and second.dtype == y_hat.dtype


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_backward_follows_the_last_forward(make, rng):
    loss = make()
    a, ya = classification_case(make, rng)
    b, yb = classification_case(make, rng, n=6)
    loss(a, ya)
    loss(b, yb)
    expected = make()
    expected(b, yb)
    np.testing.assert_array_equal(loss.backward(), expected.backward())


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_backward_before_the_loss_raises(make):
    with pytest.raises(RuntimeError, match=rf"{make.__name__}\.backward\(\) was called before computing the loss"):
        make().backward()


# Averaging conventions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("k", [2, 5])
def test_repeating_the_batch_keeps_the_loss_and_divides_the_gradient(make, k, rng):
    """A mean: k copies of every row give the same loss, and each row's gradient is k times smaller."""
    y_hat, y = classification_case(make, rng)
    value, grad = value_and_grad(make(), y_hat, y)
    tile = (lambda a: np.tile(a, k)) if np.ndim(y) == 1 else (lambda a: np.tile(a, (k, 1)))
    value_k, grad_k = value_and_grad(make(), np.tile(y_hat, (k, 1)), tile(y))
    assert value_k == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(grad_k, np.tile(grad, (k, 1)) / k, rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("make", [MSE, MAE])
def test_regression_losses_average_over_every_element(make, rng):
    """Adding output columns divides each gradient entry by the number of elements, not by the number of rows."""
    y_hat, y = rng.normal(size=(3, 1)), rng.normal(size=(3, 1))
    value, grad = value_and_grad(make(), y_hat, y)
    value_wide, grad_wide = value_and_grad(make(), np.tile(y_hat, (1, 4)), np.tile(y, (1, 4)))
    assert value_wide == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(grad_wide, np.tile(grad, (1, 4)) / 4, rtol=1e-14)


@pytest.mark.parametrize("make", [MSE, MAE, BinaryCrossEntropy])
def test_regression_targets_of_shape_n_are_accepted_for_predictions_n_by_1(make, rng):
    y_hat = rng.uniform(0.1, 0.9, size=(5, 1))
    y = rng.integers(0, 2, size=5).astype(float)
    v1, g1 = value_and_grad(make(), y_hat, y)
    v2, g2 = value_and_grad(make(), y_hat, y[:, None])
    assert v1 == v2 and g1.shape == (5, 1)
    np.testing.assert_array_equal(g1, g2)


# Stability --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_is_finite_for_huge_logits(dtype, one_hot):
    logits = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [1e4, -1e4, 0.0]], dtype=dtype)
    labels = np.array([0, 1, 1])
    y = np.eye(3)[labels] if one_hot else labels
    loss = SoftmaxCrossEntropy()
    with no_numpy_warnings():
        value = loss(logits, y)
        grad = loss.backward()
    # Row 0 puts its mass on class 2 (cost 2e4), row 1 splits it between 0 and 1 (ln 2), row 2 on class 0 (2e4).
    assert value == pytest.approx((2e4 + np.log(2) + 2e4) / 3, rel=1e-6)
    assert grad.dtype == dtype and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[-1 / 3, 0, 1 / 3], [0.5 / 3, -0.5 / 3, 0], [1 / 3, -1 / 3, 0]], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_cross_entropy_with_probabilities_exactly_0_and_1_stays_finite(dtype):
    p = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=dtype)
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    loss = BinaryCrossEntropy()
    with no_numpy_warnings():
        value = loss(p, y)
        grad = loss.backward()
    # Two perfect answers (≈ 0) and two confident wrong ones (clipped: about −log(eps) each, a large finite cost).
    assert np.isfinite(value) and value > 5.0
    assert grad.dtype == dtype and np.all(np.isfinite(grad))
    assert grad[2, 0] < 0 < grad[3, 0]  # the wrong answers are pushed the right way


def test_pure_loss_functions_with_probabilities_exactly_0_and_1_stay_finite():
    p, y = np.array([[0.0], [1.0], [0.0], [1.0]]), np.array([[0.0], [1.0], [1.0], [0.0]])
    rows, labels = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 0])
    with no_numpy_warnings():
        values = [L.binary_cross_entropy(p, y), L.cross_entropy(rows, labels)]
        grads = [L.binary_cross_entropy_grad(p, y), L.cross_entropy_grad(rows, labels)]
    assert all(np.isfinite(v) and v > 5.0 for v in values)
    assert all(np.all(np.isfinite(g)) for g in grads)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_with_probabilities_exactly_0_and_1_stays_finite(dtype):
    p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=dtype)
    y = np.array([0, 0])  # the first row is right, the second is certain and wrong
    loss = CrossEntropy()
    with no_numpy_warnings():
        value = loss(p, y)
        grad = loss.backward()
    assert np.isfinite(value) and value > 5.0
    assert grad.dtype == dtype and np.all(np.isfinite(grad))
    assert value == pytest.approx(CrossEntropy()(p, np.eye(3)[y]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_losses_keep_float32_predictions_float32(make, dtype, rng):
    y_hat, y = classification_case(make, rng)
    loss = make()
    loss(y_hat.astype(dtype), y)  # float64 targets must not promote the gradient
    assert loss.backward().dtype == dtype


# get_loss ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, cls",
    [("mse", MSE), ("mae", MAE), ("binary_cross_entropy", BinaryCrossEntropy), ("bce", BinaryCrossEntropy),
     ("cross_entropy", CrossEntropy), ("softmax_cross_entropy", SoftmaxCrossEntropy), ("MSE", MSE)],
)
def test_get_loss_returns_a_new_loss(name, cls):
    a, b = get_loss(name), get_loss(name)
    assert type(a) is cls and a is not b


def test_get_loss_passes_a_loss_through_and_rejects_other_types():
    loss = MSE()
    assert get_loss(loss) is loss
    with pytest.raises(TypeError, match="loss must be a name such as 'mse'"):
        get_loss(3)


def test_get_loss_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown loss 'hinge'") as info:
        get_loss("hinge")
    for known in ("mse", "mae", "binary_cross_entropy", "cross_entropy", "softmax_cross_entropy"):
        assert repr(known) in str(info.value)
