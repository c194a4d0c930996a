"""L1/L2 penalties (values, centred-difference gradients, which parameters) and early stopping."""

import math

import numpy as np
import pytest

from dlcore.layers import BatchNorm, Dense, Parameter
from dlcore.optimizers import SGD
from dlcore.regularization import (
    EarlyStopping,
    add_penalty_grads,
    l1_grad,
    l1_penalty,
    l2_grad,
    l2_penalty,
    weights_of,
)

W = np.array([[1.0, 2.0], [3.0, -4.0]])


def centred_difference(f, w, h=1e-6):
    """d f / d w, one entry at a time: (f(w + h) - f(w - h)) / 2h."""
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + h
        up = f(w)
        w[i] = old - h
        down = f(w)
        w[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


# Penalties --------------------------------------------------------------------------------------------------

def test_penalty_values_by_hand():
    b = np.array([0.5, -0.5])
    assert l2_penalty(W, 0.1) == pytest.approx(0.05 * (1 + 4 + 9 + 16), rel=1e-15)
    assert l2_penalty([W, b], 0.1) == pytest.approx(0.05 * (30 + 0.5), rel=1e-15)
    assert l1_penalty(W, 0.1) == pytest.approx(0.1 * 10, rel=1e-15)
    assert l1_penalty([Parameter(W), Parameter(b)], 0.1) == pytest.approx(0.1 * 11, rel=1e-15)
    assert isinstance(l2_penalty(W.astype(np.float32), 0.1), float)


def test_penalty_gradients_match_centred_differences():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 4))
    w[np.abs(w) < 0.01] = 0.5            # keep L1's kink at 0 out of reach of the difference step
    np.testing.assert_allclose(l2_grad(w, 0.3), centred_difference(lambda v: l2_penalty(v, 0.3), w),
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(l1_grad(w, 0.3), centred_difference(lambda v: l1_penalty(v, 0.3), w),
                               rtol=1e-7, atol=1e-9)


def test_l1_subgradient_is_zero_at_zero_and_dtypes_are_kept():
    w = np.array([-2.0, 0.0, 3.0], dtype=np.float32)
    np.testing.assert_array_equal(l1_grad(w, 0.5), [-0.5, 0.0, 0.5])
    assert l1_grad(w, 0.5).dtype == np.float32 and l2_grad(w, 0.5).dtype == np.float32


def test_negative_strength_is_refused():
    with pytest.raises(ValueError, match=r"lam must be in \[0.0, inf\], got -0.1"):
        l2_penalty(W, -0.1)
    with pytest.raises(ValueError, match="l1 must be in"):
        add_penalty_grads([Parameter(W)], l1=-1.0)


def test_weights_of_leaves_biases_and_batchnorm_alone():
    dense, norm = Dense(3, 2, rng=0), BatchNorm(2)
    unnamed_matrix, named_vector = Parameter(np.ones((2, 2))), Parameter(np.ones(2), "W")
    chosen = weights_of(dense.parameters() + norm.parameters() + [unnamed_matrix, named_vector])
    assert [id(p) for p in chosen] == [id(dense.W), id(unnamed_matrix), id(named_vector)]


def test_add_penalty_grads_adds_to_weights_only_and_returns_the_penalty():
    dense = Dense(2, 2, rng=0)
    dense.W.value[...] = W
    dense.W.grad, dense.b.grad = np.ones((2, 2)), np.ones(2)
    penalty = add_penalty_grads(dense.parameters(), l1=0.2, l2=0.1)
    assert penalty == pytest.approx(0.05 * 30 + 0.2 * 10, rel=1e-15)
    np.testing.assert_allclose(dense.W.grad, 1.0 + 0.1 * W + 0.2 * np.sign(W), rtol=1e-15)
    np.testing.assert_array_equal(dense.b.grad, np.ones(2))


def test_l2_penalty_step_equals_sgd_weight_decay_on_the_weights():
    rng = np.random.default_rng(1)
    a, b = Dense(3, 2, rng=0), Dense(3, 2, rng=0)
    grads = rng.normal(size=(2, 3)), rng.normal(size=2)
    for layer in (a, b):
        layer.W.grad, layer.b.grad = grads[0].copy(), grads[1].copy()
    add_penalty_grads(a.parameters(), l2=0.1)
    SGD(a.parameters(), lr=0.5).step()
    SGD(b.parameters(), lr=0.5, weight_decay=0.1).step()   # coupled L2 on every parameter
    np.testing.assert_allclose(a.W.value, b.W.value, rtol=1e-14)
    np.testing.assert_allclose(a.b.value, -0.5 * grads[1], rtol=1e-14)   # bias not decayed here


def test_add_penalty_grads_before_backward_is_an_error():
    with pytest.raises(RuntimeError, match="no gradient yet: call backward before add_penalty_grads"):
        add_penalty_grads(Dense(2, 2, rng=0).parameters(), l2=0.1)


# Early stopping ---------------------------------------------------------------------------------------------

def feed(stopper, losses, param=None):
    """Call update once per epoch, setting the parameter to the epoch number first; return the stop epoch."""
    for epoch, loss in enumerate(losses):
        if param is not None:
            param.value[...] = epoch
        if stopper.update(loss, None if param is None else [param]):
            return epoch
    return None


def test_stops_after_patience_epochs_without_improvement_and_restores_the_best():
    p = Parameter(np.zeros(3))
    stopper = EarlyStopping(patience=3)
    stopped = feed(stopper, [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 3.05, 2.0], p)
    assert stopped == 5 and stopper.stopped_epoch == 5
    assert stopper.best == 3.0 and stopper.best_epoch == 2
    np.testing.assert_array_equal(p.value, [2.0, 2.0, 2.0])


def test_improvement_resets_the_count():
    stopper = EarlyStopping(patience=2)
    assert feed(stopper, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.7]) is None
    assert stopper.best_epoch == 6 and stopper.wait == 0


def test_min_delta_and_max_mode():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert feed(stopper, [1.0, 0.95, 0.91, 0.5]) == 2     # 0.95 and 0.91 are not better by more than 0.1
    stopper = EarlyStopping(patience=1, mode="max")
    assert feed(stopper, [0.5, 0.7, 0.9, 0.9]) == 3 and stopper.best == 0.9


def test_an_equal_value_is_not_an_improvement():
    stopper = EarlyStopping(patience=2)
    assert feed(stopper, [1.0, 1.0, 1.0]) == 2 and stopper.best_epoch == 0


def test_nan_never_counts_as_an_improvement():
    stopper = EarlyStopping(patience=2)
    assert feed(stopper, [1.0, math.nan, math.nan]) == 2 and stopper.best == 1.0


def test_restore_best_false_leaves_the_parameters_until_restore_is_called():
    p = Parameter(np.zeros(2))
    stopper = EarlyStopping(patience=1, restore_best=False)
    assert feed(stopper, [2.0, 1.0, 1.5], p) == 2
    np.testing.assert_array_equal(p.value, [2.0, 2.0])
    stopper.restore()
    np.testing.assert_array_equal(p.value, [1.0, 1.0])


def test_restore_errors():
    with pytest.raises(RuntimeError, match="no best values saved"):
        EarlyStopping().restore([Parameter(np.zeros(2))])
    stopper = EarlyStopping()
    stopper.update(1.0, [Parameter(np.zeros(2))])
    with pytest.raises(ValueError, match="saved 1 parameters, got 2"):
        stopper.restore([Parameter(np.zeros(2)), Parameter(np.zeros(2))])
    with pytest.raises(ValueError, match=r"saved shape \(2,\)"):
        stopper.restore([Parameter(np.zeros(3))])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"patience": -1}, ValueError, "patience must be an integer >= 0, got -1"),
    ({"patience": 2.5}, TypeError, "patience must be an integer"),
    ({"min_delta": -0.1}, ValueError, "min_delta must be in"),
    ({"mode": "minimum"}, ValueError, "unknown EarlyStopping mode 'minimum'; expected one of 'min', 'max'"),
    ({"restore_best": "yes"}, TypeError, "restore_best must be True or False"),
])
def test_bad_arguments_are_explained(kwargs, error, message):
    with pytest.raises(error, match=message):
        EarlyStopping(**kwargs)


def test_update_wants_a_number():
    with pytest.raises(TypeError, match="expected a number such as the validation loss, got list"):
        EarlyStopping().update([0.5])
