"""Layer conventions and contracts (Chapters 1, 6 and 8): shapes, gradient bookkeeping, Dropout, BatchNorm,
dtypes kept end to end, and the weight initialisers' variances."""

import numpy as np
import pytest

from dlcore import init
from dlcore.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from dlcore.layers import BatchNorm, Dense, Dropout, Layer, Parameter
from dlcore.losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy
from dlcore.network import Sequential, mlp

# Dense ------------------------------------------------------------------------------------------------------------


def test_dense_parameter_shapes_follow_z_equals_W_a_plus_b():
    layer = Dense(3, 5, rng=0)
    assert layer.W.shape == (5, 3) and layer.W.value.shape == (5, 3)
    assert layer.b.shape == (5,)
    assert (layer.W.name, layer.b.name) == ("W", "b")
    assert layer.parameters() == [layer.W, layer.b]
    np.testing.assert_array_equal(layer.b.value, 0.0)  # biases start at zero
    assert layer.W.size == 15


def test_dense_forward_is_the_weighted_sum_of_each_unit(rng):
    layer = Dense(3, 4, rng=rng)
    layer.b.value[:] = rng.normal(size=4)
    X = rng.normal(size=(6, 3))
    W, b = layer.W.value, layer.b.value
    # z_j = Σ_i W[j, i] x_i + b_j, one example and one unit at a time
    expected = np.array([[sum(W[j, i] * x[i] for i in range(3)) + b[j] for j in range(4)] for x in X])
    Y = layer.forward(X)
    assert Y.shape == (6, 4)
    np.testing.assert_allclose(Y, expected, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(layer(X), Y, rtol=0, atol=0)  # __call__ is forward


def test_dense_backward_by_hand():
    layer = Dense(2, 1, rng=0)
    layer.W.value[:] = [[2.0, -1.0]]
    layer.b.value[:] = [0.5]
    X = np.array([[1.0, 3.0], [2.0, 0.0]])
    np.testing.assert_allclose(layer.forward(X), [[-0.5], [4.5]])
    dX = layer.backward(np.array([[1.0], [10.0]]))
    np.testing.assert_allclose(layer.W.grad, [[1 * 1 + 10 * 2, 1 * 3 + 10 * 0]])  # dYᵀ X
    np.testing.assert_allclose(layer.b.grad, [11.0])  # Σ_rows dY
    np.testing.assert_allclose(dX, [[2.0, -1.0], [20.0, -10.0]])  # dY W


def test_dense_backward_without_input_grad_returns_none():
    layer = Dense(3, 2, rng=0)
    layer.forward(np.ones((4, 3)))
    assert layer.backward(np.ones((4, 2)), input_grad=False) is None
    np.testing.assert_allclose(layer.W.grad, np.full((2, 3), 4.0))


def test_same_seed_same_weights():
    np.testing.assert_array_equal(Dense(4, 3, rng=7).W.value, Dense(4, 3, rng=7).W.value)
    assert not np.array_equal(Dense(4, 3, rng=7).W.value, Dense(4, 3, rng=8).W.value)


# Gradients are set, never accumulated -----------------------------------------------------------------------------


def trainable_layers():
    bn = BatchNorm(3)
    return [Dense(3, 3, rng=0), bn, Sequential(Dense(3, 4, rng=1), Tanh(), Dense(4, 3, rng=2))]


@pytest.mark.parametrize("layer", trainable_layers(), ids=repr)
def test_grad_is_none_before_backward_then_overwritten(layer, rng):
    assert all(p.grad is None for p in layer.parameters())
    X = rng.normal(size=(5, 3))
    dY1, dY2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))

    layer.forward(X)
    layer.backward(dY2)
    second_alone = [p.grad.copy() for p in layer.parameters()]

    layer.forward(X)
    layer.backward(dY1)
    first = [p.grad.copy() for p in layer.parameters()]
    layer.backward(dY1)  # the same backward twice must not double the gradient
    for p, g in zip(layer.parameters(), first):
        np.testing.assert_allclose(p.grad, g, rtol=1e-14)
    layer.backward(dY2)
    for p, g in zip(layer.parameters(), second_alone):
        assert p.grad.shape == p.value.shape
        np.testing.assert_allclose(p.grad, g, rtol=1e-12, atol=1e-14)


def test_parameter_basics():
    p = Parameter([[1, 2, 3]], name="W")
    assert p.value.dtype == np.float64 and p.shape == (1, 3) and p.size == 3 and p.grad is None
    assert "W" in repr(p) and "(1, 3)" in repr(p)


ALL_LAYERS = [
    lambda: Dense(3, 4, rng=0), Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity, lambda: Dropout(0.5, rng=0),
    lambda: BatchNorm(3), lambda: Sequential(Dense(3, 4, rng=0), ReLU()),
]


@pytest.mark.parametrize("make", ALL_LAYERS)
def test_backward_before_forward_raises_a_clear_runtime_error(make):
    layer = make()
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
        layer.backward(np.ones((2, 4)))


@pytest.mark.parametrize("make", ALL_LAYERS)
def test_train_and_eval_switch_the_mode_and_return_the_layer(make):
    layer = make()
    assert layer.training is True
    assert layer.eval() is layer and layer.training is False
    assert layer.train() is layer and layer.training is True


# Dropout ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inverted_dropout_statistics(p, dtype):
    n = 1_000_000
    X = np.ones((1000, 1000), dtype=dtype)
    Y = Dropout(p, rng=0).forward(X)
    assert Y.dtype == dtype and Y.shape == X.shape
    dropped = np.count_nonzero(Y == 0) / n
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)  # binomial, 5 sigma
    kept = Y[Y != 0]
    np.testing.assert_array_equal(kept, dtype(1.0 / (1.0 - p)))  # scaled by exactly 1/(1-p)
    # Inverted dropout keeps every unit's expectation: the output's mean estimates 1 (std sqrt(p/(1-p)/n)).
    assert abs(Y.mean(dtype=np.float64) - 1.0) < 5 * np.sqrt(p / (1 - p) / n)


def test_dropout_keeps_input_values_of_kept_units(rng):
    p = 0.3
    X = rng.normal(size=(50, 40))
    Y = Dropout(p, rng=1).forward(X)
    kept = Y != 0
    np.testing.assert_array_equal(Y[kept], X[kept] * (1.0 / (1.0 - p)))


def test_dropout_backward_uses_the_forward_mask(rng):
    layer = Dropout(0.4, rng=3)
    X = rng.uniform(1.0, 2.0, size=(20, 10))
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    np.testing.assert_array_equal(layer.backward(dY), dY * ((Y != 0) / 0.6))


def test_dropout_is_the_identity_in_eval_mode(rng):
    X = rng.normal(size=(30, 20))
    layer = Dropout(0.9, rng=0).eval()
    np.testing.assert_array_equal(layer.forward(X), X)
    dY = rng.normal(size=X.shape)
    np.testing.assert_array_equal(layer.backward(dY), dY)


def test_dropout_with_p_zero_is_the_identity_in_training(rng):
    X = rng.normal(size=(30, 20))
    layer = Dropout(0.0, rng=0)
    np.testing.assert_array_equal(layer.forward(X), X)


@pytest.mark.parametrize("p", [1.0, 1.5, -0.1])
def test_dropout_p_outside_zero_one_is_rejected(p):
    # p = 1 would drop everything and divide by zero in the 1/(1-p) scaling: the valid range is [0, 1).
    with pytest.raises(ValueError, match=r"Dropout p .*must be in \[0.0, 1.0\), got"):
        Dropout(p)


def test_dropout_masks_are_reproducible_from_the_seed_and_fresh_each_call():
    X = np.ones((20, 30))
    a, b = Dropout(0.5, rng=42), Dropout(0.5, rng=42)
    first = a.forward(X)
    np.testing.assert_array_equal(first, b.forward(X))
    np.testing.assert_array_equal(a.forward(X), b.forward(X))
    assert not np.array_equal(first, a.forward(X))  # a new mask on every training forward


def test_dropout_accepts_a_generator():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    X = np.ones((10, 10))
    np.testing.assert_array_equal(Dropout(0.5, rng=g1).forward(X), Dropout(0.5, rng=g2).forward(X))


# BatchNorm --------------------------------------------------------------------------------------------------------


def test_batchnorm_training_output_is_standardised(rng):
    layer = BatchNorm(4)
    X = rng.normal(loc=[0.0, 5.0, -3.0, 100.0], scale=[1.0, 0.1, 10.0, 3.0], size=(64, 4))
    Y = layer.forward(X)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-12)
    var = X.var(axis=0)
    # Biased variance of the output: σ² / (σ² + eps), i.e. 1 up to eps.
    np.testing.assert_allclose(Y.var(axis=0), var / (var + layer.eps), rtol=1e-10)
    np.testing.assert_allclose(Y.var(axis=0), 1.0, atol=2e-3)  # the 0.1-scale feature: 0.01 / (0.01 + 1e-5)


def test_batchnorm_applies_gamma_and_beta(rng):
    layer = BatchNorm(3)
    layer.gamma.value[:] = [2.0, 0.5, -1.0]
    layer.beta.value[:] = [1.0, -2.0, 3.0]
    X = rng.normal(size=(10, 3))
    x_hat = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + 1e-5)
    np.testing.assert_allclose(layer.forward(X), x_hat * [2.0, 0.5, -1.0] + [1.0, -2.0, 3.0], rtol=1e-12)


def test_batchnorm_running_statistics_use_the_unbiased_variance(rng):
    m = 0.1
    layer = BatchNorm(3, momentum=m)
    np.testing.assert_array_equal(layer.running_mean, 0.0)
    np.testing.assert_array_equal(layer.running_var, 1.0)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(3):
        X = rng.normal(loc=2.0, scale=3.0, size=(5 + step, 3))
        layer.forward(X)
        mean = (1 - m) * mean + m * X.mean(axis=0)
        var = (1 - m) * var + m * X.var(axis=0, ddof=1)  # ddof=1: divide by N - 1
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-13)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-13)


@pytest.mark.parametrize("momentum", [0.0, 1.0])
def test_batchnorm_momentum_extremes(momentum, rng):
    layer = BatchNorm(2, momentum=momentum)
    X = rng.normal(size=(8, 2))
    layer.forward(X)
    if momentum == 0.0:
        np.testing.assert_array_equal(layer.running_mean, 0.0)
        np.testing.assert_array_equal(layer.running_var, 1.0)
    else:
        np.testing.assert_allclose(layer.running_mean, X.mean(axis=0), rtol=1e-14)
        np.testing.assert_allclose(layer.running_var, X.var(axis=0, ddof=1), rtol=1e-14)


def trained_batchnorm(rng):
    layer = BatchNorm(3)
    layer.gamma.value[:] = [1.5, -0.5, 2.0]
    layer.beta.value[:] = [0.1, 0.2, -0.3]
    for _ in range(4):
        layer.forward(rng.normal(loc=[1.0, -2.0, 4.0], scale=[2.0, 0.5, 1.0], size=(16, 3)))
    return layer


def test_batchnorm_eval_uses_running_statistics_and_does_not_update_them(rng):
    layer = trained_batchnorm(rng).eval()
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    X = rng.normal(size=(6, 3))
    expected = (X - mean) / np.sqrt(var + layer.eps) * layer.gamma.value + layer.beta.value
    np.testing.assert_allclose(layer.forward(X), expected, rtol=1e-13)
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)


def test_batchnorm_eval_prediction_does_not_depend_on_the_rest_of_the_batch(rng):
    layer = trained_batchnorm(rng).eval()
    X = rng.normal(size=(8, 3))
    alone = layer.forward(X[:1])  # a batch of one example is fine in eval mode
    in_batch = layer.forward(X)[:1]
    with_others = layer.forward(np.vstack([X[:1], 100 * rng.normal(size=(5, 3))]))[:1]
    np.testing.assert_allclose(alone, in_batch, rtol=1e-14)
    np.testing.assert_allclose(alone, with_others, rtol=1e-14)


def test_batchnorm_training_output_depends_on_the_batch(rng):
    layer = BatchNorm(3)
    X = rng.normal(size=(8, 3))
    a = layer.forward(X)[:1]
    b = layer.forward(np.vstack([X[:1], X[1:] + 5.0]))[:1]
    assert not np.allclose(a, b)


def test_batchnorm_eval_backward_by_hand(rng):
    layer = trained_batchnorm(rng).eval()
    X = rng.normal(size=(4, 3))
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    inv_std = 1.0 / np.sqrt(layer.running_var + layer.eps)
    np.testing.assert_allclose(layer.backward(dY), dY * layer.gamma.value * inv_std, rtol=1e-13)
    np.testing.assert_allclose(layer.beta.grad, dY.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(layer.gamma.grad, (dY * (X - layer.running_mean) * inv_std).sum(axis=0), rtol=1e-12)


# Sequential -------------------------------------------------------------------------------------------------------


def test_sequential_container_behaviour():
    layers = [Dense(2, 4, rng=0), ReLU(), Dense(4, 3, rng=1)]
    net = Sequential(layers)
    assert len(net) == 3 and net[0] is layers[0] and list(net) == layers
    assert Sequential(*layers).layers == layers
    assert net.parameters() == [layers[0].W, layers[0].b, layers[2].W, layers[2].b]
    assert net.num_parameters() == (2 * 4 + 4) + (4 * 3 + 3)
    text = repr(net)
    assert "Dense(2, 4)" in text and "ReLU()" in text and "Dense(4, 3)" in text
    assert "12 parameters" in text and "15 parameters" in text and "27" in text


def test_sequential_forward_and_backward_chain_the_layers(rng):
    d1, act, d2 = Dense(3, 5, rng=0), Tanh(), Dense(5, 2, rng=1)
    net = Sequential(d1, act, d2)
    X = rng.normal(size=(4, 3))
    H = np.tanh(X @ d1.W.value.T + d1.b.value)
    np.testing.assert_allclose(net(X), H @ d2.W.value.T + d2.b.value, rtol=1e-13)
    dY = rng.normal(size=(4, 2))
    dH = dY @ d2.W.value * (1 - H**2)
    np.testing.assert_allclose(net.backward(dY), dH @ d1.W.value, rtol=1e-12)
    np.testing.assert_allclose(d2.W.grad, dY.T @ H, rtol=1e-12)
    np.testing.assert_allclose(d1.W.grad, dH.T @ X, rtol=1e-12)


class RecordingDense(Dense):
    """A Dense layer that records the ``input_grad`` flag of each backward call."""

    def _backward(self, dY, input_grad=True):
        self.flags = getattr(self, "flags", []) + [input_grad]
        return super()._backward(dY, input_grad)


def test_backward_without_input_grad_skips_only_the_first_layers_input_gradient(rng):
    first, second = RecordingDense(3, 4, rng=0), RecordingDense(4, 2, rng=1)
    net = Sequential(first, Tanh(), second)
    net.forward(rng.normal(size=(5, 3)))
    assert net.backward(np.ones((5, 2)), input_grad=False) is None
    assert first.flags == [False] and second.flags == [True]


@pytest.mark.parametrize("first", [Dropout(0.5, rng=0), ReLU()], ids=repr)
def test_backward_without_input_grad_returns_none_whatever_the_first_layer(first, rng):
    net = Sequential(first, Dense(3, 2, rng=0))
    net.forward(rng.normal(size=(5, 3)))
    assert net.backward(np.ones((5, 2)), input_grad=False) is None
    assert net.backward(np.ones((5, 2))).shape == (5, 3)


def test_sequential_train_eval_reach_every_layer_and_predict_restores_the_mode(rng):
    net = Sequential(Dense(3, 8, rng=0), BatchNorm(8), ReLU(), Dropout(0.5, rng=0), Dense(8, 2, rng=1))
    assert net.eval() is net and all(not layer.training for layer in net)
    assert net.train() is net and all(layer.training for layer in net)
    X = rng.normal(size=(6, 3))
    net.forward(X)
    running = net[1].running_mean.copy()
    p1, p2 = net.predict(X), net.predict(X)
    np.testing.assert_array_equal(p1, p2)  # dropout off, running statistics frozen
    np.testing.assert_array_equal(net[1].running_mean, running)
    assert net.training and all(layer.training for layer in net)
    net.eval()
    net.predict(X)
    assert not net.training


def test_mlp_structure():
    net = mlp([2, 64, 64, 3], "relu", rng=0)
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Dense", "ReLU", "Dense", "ReLU", "Dense"]
    assert [(layer.n_in, layer.n_out) for layer in net if isinstance(layer, Dense)] == [(2, 64), (64, 64), (64, 3)]
    net = mlp([4, 5, 1], "tanh", output_activation="sigmoid", rng=0)
    assert [type(layer).__name__ for layer in net] == ["Dense", "Tanh", "Dense", "Sigmoid"]
    np.testing.assert_array_equal(mlp([3, 4, 2], rng=9)[0].W.value, mlp([3, 4, 2], rng=9)[0].W.value)


# float32 end to end -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity, lambda: Dropout(0.3, rng=0)])
def test_float32_activation_layers_keep_float32(make, rng):
    layer = make()
    X = rng.normal(size=(5, 4)).astype(np.float32)
    Y = layer.forward(X)
    assert Y.dtype == np.float32
    assert layer.backward(np.ones_like(Y)).dtype == np.float32


def test_float32_dense_and_batchnorm_keep_float32(rng):
    dense, bn = Dense(4, 3, rng=0, dtype=np.float32), BatchNorm(3, dtype=np.float32)
    for p in dense.parameters() + bn.parameters():
        assert p.value.dtype == np.float32
    X = rng.normal(size=(6, 4)).astype(np.float32)
    for layer in (dense, bn):
        X = layer.forward(X)
        assert X.dtype == np.float32
    assert bn.running_mean.dtype == np.float32 and bn.running_var.dtype == np.float32
    dY = bn.backward(np.ones_like(X))
    assert dY.dtype == np.float32 and dense.backward(dY).dtype == np.float32
    for p in dense.parameters() + bn.parameters():
        assert p.grad.dtype == np.float32, p


def test_float32_dense_casts_float64_input_to_its_own_dtype(rng):
    layer = Dense(4, 3, rng=0, dtype=np.float32)
    assert layer.forward(rng.normal(size=(2, 4))).dtype == np.float32


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"])
@pytest.mark.parametrize(
    "loss, output, target",
    [(MSE, None, "real"), (MAE, None, "real"), (BinaryCrossEntropy, "sigmoid", "binary"),
     (CrossEntropy, "softmax", "labels"), (SoftmaxCrossEntropy, None, "labels"),
     (SoftmaxCrossEntropy, None, "one_hot")],
)
def test_float32_kept_through_a_network_and_its_loss(activation, loss, output, target, rng):
    n_out = 1 if target == "binary" else 3
    net = Sequential(Dense(4, 6, rng=0, dtype=np.float32), BatchNorm(6, dtype=np.float32),
                     *mlp([6, 5, n_out], activation, output_activation=output, rng=1, dtype=np.float32).layers)
    X = rng.normal(size=(8, 4)).astype(np.float32)
    labels = rng.integers(0, n_out if n_out > 1 else 2, size=8)
    # Targets in float64 on purpose: they must not promote the float32 predictions or gradients.
    y = {"real": rng.normal(size=(8, 3)), "binary": labels[:, None].astype(np.float64), "labels": labels,
         "one_hot": np.eye(3)[labels]}[target]
    loss_fn = loss()
    y_hat = net.forward(X)
    assert y_hat.dtype == np.float32
    value = loss_fn(y_hat, y)
    assert isinstance(value, float) and np.isfinite(value)
    dY = loss_fn.backward()
    assert dY.dtype == np.float32 and dY.shape == y_hat.shape
    assert net.backward(dY).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


def test_sequential_follows_the_parameter_dtype_whatever_the_first_layer(rng):
    """A float32 network gives float32 output for float64 input, as a float32 Dense alone does.

    With an input Dropout (or any parameter-free first layer) the float64 input is not cast, and X @ W.T promotes
    the output and every later gradient to float64.
    """
    X = rng.normal(size=(5, 3))
    assert Sequential(Dense(3, 4, rng=0, dtype=np.float32)).forward(X).dtype == np.float32
    net = Sequential(Dropout(0.2, rng=0), Dense(3, 4, rng=0, dtype=np.float32))
    assert net.forward(X).dtype == np.float32


# Initialisers -----------------------------------------------------------------------------------------------------


N_IN, N_OUT = 300, 500  # 150,000 draws: the sample variance is within about 1% of the true one

VARIANCES = {
    "glorot_uniform": 2.0 / (N_IN + N_OUT),
    "glorot_normal": 2.0 / (N_IN + N_OUT),
    "xavier_uniform": 2.0 / (N_IN + N_OUT),
    "he_uniform": 2.0 / N_IN,
    "he_normal": 2.0 / N_IN,
    "kaiming_normal": 2.0 / N_IN,
    "lecun_normal": 1.0 / N_IN,
    "uniform_fan_in": 1.0 / (3 * N_IN),  # U(-a, a) has variance a²/3 with a = 1/sqrt(n_in)
}


@pytest.mark.parametrize("name, variance", VARIANCES.items())
def test_initialiser_variance_matches_its_formula(name, variance):
    W = init.get_initializer(name)(N_IN, N_OUT, rng=0)
    assert W.shape == (N_OUT, N_IN) and W.dtype == np.float64
    assert W.var() == pytest.approx(variance, rel=0.03)
    assert abs(W.mean()) < 5 * np.sqrt(variance / W.size)


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", np.sqrt(6.0 / (N_IN + N_OUT))), ("he_uniform", np.sqrt(6.0 / N_IN)),
    ("uniform_fan_in", 1.0 / np.sqrt(N_IN)),
])
def test_uniform_initialiser_limits(name, limit):
    W = init.get_initializer(name)(N_IN, N_OUT, rng=1)
    assert W.max() <= limit and W.min() >= -limit
    assert W.max() > 0.99 * limit and W.min() < -0.99 * limit


@pytest.mark.parametrize("name", list(init.INITIALIZERS))
def test_initialisers_shape_dtype_and_seed(name):
    f = init.get_initializer(name)
    W = f(3, 7, rng=5, dtype=np.float32)
    assert W.shape == (7, 3) and W.dtype == np.float32
    np.testing.assert_array_equal(W, f(3, 7, rng=5, dtype=np.float32))


def test_zeros_initialiser_and_dense_init_argument():
    np.testing.assert_array_equal(init.zeros(3, 2), np.zeros((2, 3)))
    np.testing.assert_array_equal(Dense(3, 2, init="zeros").W.value, 0.0)
    np.testing.assert_array_equal(Dense(30, 20, rng=4, init="he_normal").W.value, init.he_normal(30, 20, rng=4))


def test_dense_accepts_a_callable_initialiser_and_checks_its_shape():
    layer = Dense(2, 3, init=lambda n_in, n_out, rng, dtype: np.full((n_out, n_in), 0.5, dtype=dtype))
    np.testing.assert_array_equal(layer.W.value, 0.5)
    with pytest.raises(ValueError, match=r"returned shape \(2, 3\), expected \(n_out, n_in\) = \(3, 2\)"):
        Dense(2, 3, init=lambda n_in, n_out, rng, dtype: np.zeros((n_in, n_out)))


def test_get_initializer_rejects_unknown_names_listing_the_known_ones():
    with pytest.raises(ValueError, match="unknown initialiser 'glorot'") as info:
        init.get_initializer("glorot")
    for known in ("glorot_uniform", "he_normal", "lecun_normal", "uniform_fan_in", "zeros"):
        assert repr(known) in str(info.value)
    with pytest.raises(TypeError, match="init must be a name or a function"):
        init.get_initializer(3)


def test_layer_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        Layer().forward(np.ones((1, 1)))
