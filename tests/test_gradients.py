"""Gradient checks (Chapters 5 and 6): every backward pass against centred differences, in float64.

Shapes and values are drawn by Hypothesis (through a seed, so each example is a reproducible NumPy draw). Inputs of
functions with a kink (ReLU, LeakyReLU at 0, MAE where the prediction equals the target) are kept more than 1e-3
away from it, so the difference quotient with h = 1e-6 never straddles the kink.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlcore.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, softmax
from dlcore.gradcheck import check_layer, check_loss, check_network, numerical_gradient, relative_error
from dlcore.layers import BatchNorm, Dense, Dropout
from dlcore.losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy
from dlcore.network import Sequential, mlp

TOL = 1e-7
# Whole networks are checked with a larger step: the rounding noise of the difference quotient (≈ 1e-16 · L / h)
# then stays far below 1e-7 even for the small gradients of early layers, and the truncation error (≈ h²) is 1e-10.
H_NETWORK = 1e-5
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 6)
batch = st.integers(2, 6)


def assert_small(errors):
    """Every relative error in ``errors`` (a dict or a float) is below TOL."""
    if not isinstance(errors, dict):
        errors = {"loss": errors}
    assert errors, "nothing was checked"
    bad = {k: v for k, v in errors.items() if not v < TOL}
    assert not bad, f"relative errors above {TOL}: {bad}"


def assume_measurable(*grads, floor=1e-2):
    """Skip an example in which some gradient is tiny by chance (an input near 0, projections that cancel).

    The difference quotient carries a rounding error of about 1e-16 · |L| / h ≈ 1e-10 per entry, so the relative
    error of a gradient with a norm below ~1e-2 measures that noise rather than the code.
    """
    assume(all(np.linalg.norm(g) > floor for g in grads))


def away_from_zero(rng, shape, margin=1e-2, high=2.0):
    """Values with |x| in [margin, high] and a random sign."""
    return rng.uniform(margin, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# Layers -----------------------------------------------------------------------------------------------------------


SMOOTH_ACTIVATIONS = [Sigmoid, Tanh, Softmax, Identity]


@pytest.mark.parametrize("cls", SMOOTH_ACTIVATIONS, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=batch, d=sizes)
def test_smooth_activation_layers(cls, seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 2.0, size=(n, d))
    assert_small(check_layer(cls(), X, rng=rng))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=batch, d=sizes)
def test_relu_layer_away_from_kink(seed, n, d):
    rng = np.random.default_rng(seed)
    assert_small(check_layer(ReLU(), away_from_zero(rng, (n, d)), rng=rng))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=batch, d=sizes, slope=st.floats(0.0, 0.9))
def test_leaky_relu_layer_with_random_slope(seed, n, d, slope):
    rng = np.random.default_rng(seed)
    assert_small(check_layer(LeakyReLU(slope), away_from_zero(rng, (n, d)), rng=rng))


@settings(max_examples=20, deadline=None)
@given(seed=seeds, n=st.integers(1, 6), n_in=sizes, n_out=sizes)
def test_dense(seed, n, n_in, n_out):
    rng = np.random.default_rng(seed)
    layer = Dense(n_in, n_out, rng=rng)
    layer.b.value[:] = rng.normal(size=n_out)  # a nonzero bias, so b enters the check for real
    errors = check_layer(layer, rng.normal(size=(n, n_in)), rng=rng)
    assume_measurable(layer.W.grad, layer.b.grad)  # check_layer leaves the analytic gradients in .grad
    assert set(errors) == {"input", "W", "b"}
    assert_small(errors)


def random_batchnorm(rng, d):
    layer = BatchNorm(d)
    layer.gamma.value[:] = rng.uniform(0.5, 2.0, size=d)
    layer.beta.value[:] = rng.normal(size=d)
    return layer


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=st.integers(3, 8), d=sizes)
def test_batchnorm_training_mode(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(1.0, 2.0, size=(n, d))
    # Features with almost no spread make the normalisation ill-conditioned; real batches are not like that.
    assume(X.std(axis=0).min() > 0.1)
    layer = random_batchnorm(rng, d)
    errors = check_layer(layer, X, rng=rng)
    assume_measurable(layer.gamma.grad, layer.beta.grad)
    assert set(errors) == {"input", "gamma", "beta"}
    assert_small(errors)


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=st.integers(1, 6), d=sizes)
def test_batchnorm_eval_mode_after_training(seed, n, d):
    rng = np.random.default_rng(seed)
    layer = random_batchnorm(rng, d)
    for _ in range(5):
        layer.forward(rng.normal(3.0, 0.5, size=(8, d)))
    assert not np.allclose(layer.running_mean, 0.0) and not np.allclose(layer.running_var, 1.0)
    layer.eval()
    errors = check_layer(layer, rng.normal(size=(n, d)), rng=rng)
    assume_measurable(layer.gamma.grad, layer.beta.grad)
    assert_small(errors)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, n=batch, d=sizes, p=st.floats(0.0, 0.9))
def test_dropout_eval_mode(seed, n, d, p):
    rng = np.random.default_rng(seed)
    assert_small(check_layer(Dropout(p, rng=rng).eval(), rng.normal(size=(n, d)), rng=rng))


class FixedMaskDropout(Dropout):
    """Dropout that draws the same mask on every forward pass (its generator is re-seeded each time)."""

    def __init__(self, p, seed):
        super().__init__(p)
        self.seed = seed

    def forward(self, X):
        self.rng = np.random.default_rng(self.seed)
        return super().forward(X)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, n=batch, d=sizes, p=st.floats(0.05, 0.9))
def test_dropout_training_mode_with_fixed_mask(seed, n, d, p):
    rng = np.random.default_rng(seed)
    X = away_from_zero(rng, (n, d))
    layer = Dropout(p, rng=seed)
    Y = layer.forward(X)
    mask = (Y != 0) * (1.0 / (1.0 - p))  # kept units are scaled by 1/(1-p), dropped ones are 0
    np.testing.assert_array_equal(Y, X * mask)
    dY = rng.normal(size=Y.shape)
    np.testing.assert_array_equal(layer.backward(dY), dY * mask)
    assert_small(check_layer(FixedMaskDropout(p, seed), X, rng=rng))


# Losses -----------------------------------------------------------------------------------------------------------


shapes = st.tuples(st.integers(1, 6), st.integers(1, 4))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, shape=shapes)
def test_mse(seed, shape):
    rng = np.random.default_rng(seed)
    assert_small(check_loss(MSE(), rng.normal(size=shape), rng.normal(size=shape)))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, shape=shapes)
def test_mae_away_from_the_target(seed, shape):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape)
    assert_small(check_loss(MAE(), y + away_from_zero(rng, shape), y))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, shape=shapes, soft=st.booleans())
def test_binary_cross_entropy(seed, shape, soft):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, size=shape)
    y = rng.uniform(0.0, 1.0, size=shape) if soft else rng.integers(0, 2, size=shape).astype(float)
    assert_small(check_loss(BinaryCrossEntropy(), p, y))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=st.integers(1, 6), c=st.integers(2, 5), one_hot=st.booleans())
def test_cross_entropy_on_softmax_rows(seed, n, c, one_hot):
    rng = np.random.default_rng(seed)
    p = softmax(rng.normal(size=(n, c)))
    labels = rng.integers(0, c, size=n)
    y = np.eye(c)[labels] if one_hot else labels
    assert_small(check_loss(CrossEntropy(), p, y))


@settings(max_examples=15, deadline=None)
@given(seed=seeds, n=st.integers(1, 6), c=st.integers(2, 5), target=st.sampled_from(["labels", "one_hot", "soft"]))
def test_softmax_cross_entropy(seed, n, c, target):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, size=(n, c))
    labels = rng.integers(0, c, size=n)
    y = {"labels": labels, "one_hot": np.eye(c)[labels], "soft": softmax(rng.normal(size=(n, c)))}[target]
    # A confident right answer has a gradient p − y near 0, and a loss log(1 + tiny) known only to about 1e-16.
    assume_measurable(softmax(logits) - (np.eye(c)[labels] if target != "soft" else y))
    assert_small(check_loss(SoftmaxCrossEntropy(), logits, y))


# Whole networks ---------------------------------------------------------------------------------------------------


def hidden_preactivations_away_from_kink(net, X, margin=1e-3):
    """True if no Dense output that feeds a ReLU-type layer lies within ``margin`` of 0."""
    out = X
    for layer, after in zip(net.layers, net.layers[1:]):
        out = layer.forward(out)
        if isinstance(after, (ReLU, LeakyReLU)) and np.abs(out).min() <= margin:
            return False
    return True


def gradients_measurable(net, loss, X, y, floor=1e-3):
    """True if every parameter's gradient is exactly 0 or has a norm above ``floor``.

    A gradient that is tiny but not 0 (a unit barely alive, a bias right after BatchNorm) drowns in the rounding
    noise of the difference quotient (about 1e-16 · L / h), so its relative error says nothing about the code.
    """
    loss(net.forward(X), y)
    net.backward(loss.backward())
    norms = [np.linalg.norm(p.grad) for p in net.parameters()]
    return all(g == 0.0 or g > floor for g in norms)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"])
@settings(max_examples=8, deadline=None)
@given(seed=seeds, n=batch, n_in=sizes, hidden=sizes, n_out=sizes)
def test_mlp_with_each_activation(activation, seed, n, n_in, hidden, n_out):
    rng = np.random.default_rng(seed)
    net = mlp([n_in, hidden, hidden, n_out], activation, rng=rng)
    X, y = rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))
    assume(hidden_preactivations_away_from_kink(net, X))
    assume(gradients_measurable(net, MSE(), X, y))
    errors = check_network(net, MSE(), X, y, h=H_NETWORK)
    assert len(errors) == 6  # W and b of three Dense layers
    assert_small(errors)


@pytest.mark.parametrize(
    "output_activation, loss, target",
    [("sigmoid", BinaryCrossEntropy, "binary"), ("softmax", CrossEntropy, "labels"),
     (None, SoftmaxCrossEntropy, "labels"), (None, SoftmaxCrossEntropy, "one_hot")],
)
@settings(max_examples=8, deadline=None)
@given(seed=seeds, n=batch, n_in=sizes, hidden=sizes)
def test_classifier_networks(output_activation, loss, target, seed, n, n_in, hidden):
    rng = np.random.default_rng(seed)
    n_out = 1 if target == "binary" else 3
    net = mlp([n_in, hidden, n_out], "tanh", output_activation=output_activation, rng=rng)
    labels = rng.integers(0, n_out if n_out > 1 else 2, size=n)
    y = {"binary": labels[:, None].astype(float), "labels": labels, "one_hot": np.eye(3)[labels]}[target]
    X = rng.normal(size=(n, n_in))
    assume(gradients_measurable(net, loss(), X, y))
    assert_small(check_network(net, loss(), X, y, h=H_NETWORK))


@settings(max_examples=8, deadline=None)
@given(seed=seeds, n=st.integers(4, 8), n_in=sizes, hidden=st.integers(2, 6))
def test_network_with_batchnorm_and_dropout(seed, n, n_in, hidden):
    rng = np.random.default_rng(seed)
    # BatchNorm after the nonlinearity: right after a Dense layer it would cancel that layer's bias (and the scale
    # of each row of W), whose true gradients are then 0 and the relative error meaningless.
    net = Sequential(Dense(n_in, hidden, rng=rng), Tanh(), BatchNorm(hidden), Dropout(0.5, rng=rng),
                     Dense(hidden, 2, rng=rng))
    net[3].eval()  # a fresh dropout mask on every evaluation would make the loss a random function
    X = rng.normal(size=(n, n_in))
    y = rng.integers(0, 2, size=n)
    assume(np.tanh(net[0].forward(X)).std(axis=0).min() > 0.1)
    assume(gradients_measurable(net, SoftmaxCrossEntropy(), X, y))
    errors = check_network(net, SoftmaxCrossEntropy(), X, y, h=H_NETWORK)
    assert {"layer 2 gamma", "layer 2 beta"} <= set(errors)
    assert_small(errors)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, n=batch, n_in=sizes)
def test_backward_without_input_grad_sets_the_same_parameter_gradients(seed, n, n_in):
    rng = np.random.default_rng(seed)
    net = mlp([n_in, 5, 3], "tanh", rng=rng)
    X, y = rng.normal(size=(n, n_in)), rng.integers(0, 3, size=n)
    loss = SoftmaxCrossEntropy()
    loss(net.forward(X), y)
    dY = loss.backward()
    dX = net.backward(dY)
    assert dX.shape == X.shape
    full = [p.grad.copy() for p in net.parameters()]
    for p in net.parameters():
        p.grad = None
    assert net.backward(dY, input_grad=False) is None
    for p, g in zip(net.parameters(), full):
        np.testing.assert_allclose(p.grad, g, rtol=1e-12, atol=1e-15)


def test_network_input_gradient_matches_numerical():
    rng = np.random.default_rng(3)
    net = mlp([4, 6, 2], "tanh", rng=rng)
    X, y = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    loss = MSE()
    loss(net.forward(X), y)
    dX = net.backward(loss.backward())
    numeric = numerical_gradient(lambda: loss(net.forward(X), y), X)
    assert relative_error(dX, numeric) < TOL


# The checker itself -----------------------------------------------------------------------------------------------


class TransposedWeightGradDense(Dense):
    """A classic bug: ``dW = Xᵀ dY`` (shape (n_in, n_out)) instead of ``dYᵀ X``."""

    def _backward(self, dY, input_grad=True):
        self.W.grad = self._cache.T @ dY
        self.b.grad = dY.sum(axis=0)
        return dY @ self.W.value


class DoubledInputGradDense(Dense):
    """Another bug: a stray factor 2 in ``dX``."""

    def _backward(self, dY, input_grad=True):
        dX = super()._backward(dY, input_grad)
        return 2.0 * dX


def test_gradcheck_catches_a_transposed_weight_gradient():
    rng = np.random.default_rng(0)
    errors = check_layer(TransposedWeightGradDense(4, 4, rng=rng), rng.normal(size=(6, 4)), rng=rng)
    assert errors["W"] > 0.1
    assert errors["input"] < TOL and errors["b"] < TOL


def test_gradcheck_catches_a_factor_of_two():
    rng = np.random.default_rng(1)
    errors = check_layer(DoubledInputGradDense(3, 5, rng=rng), rng.normal(size=(4, 3)), rng=rng)
    assert errors["input"] == pytest.approx(0.5, rel=1e-6)  # |2a - a| / |2a|
    assert errors["W"] < TOL


def test_gradcheck_catches_a_wrong_loss_gradient():
    class HalfMSE(MSE):
        def _backward(self):
            return super()._backward() / 2.0  # forgets the 2 of the derivative of a square

    rng = np.random.default_rng(2)
    assert check_loss(HalfMSE(), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))) > 0.1


def test_numerical_gradient_restores_its_input():
    x = np.array([1.0, -2.0, 3.0])
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-8)
