"""Activation functions and layers (Chapter 3): values against hand formulas, identities, stability, dtypes."""

import warnings
from contextlib import contextmanager

import numpy as np
import pytest

from dlcore import activations as A
from dlcore.activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)


@contextmanager
def no_numpy_warnings():
    """Fail on any warning and on overflow, division by zero or invalid operations.

    Underflow is allowed: ``exp(-2e4) == 0`` is exactly what the stable formulas rely on.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


# Values -----------------------------------------------------------------------------------------------------------


def test_sigmoid_values():
    assert sigmoid(0.0) == 0.5
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=1e-12, atol=2e-16)  # 1 − σ cancels
    assert np.all((sigmoid(z) > 0) & (sigmoid(z) < 1))
    assert sigmoid(np.array([2.0])) == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-15)


def test_sigmoid_grad_peaks_at_a_quarter_at_zero():
    z = np.linspace(-10, 10, 20001)
    g = sigmoid_grad(z)
    assert g.max() == 0.25 and z[g.argmax()] == 0.0
    np.testing.assert_allclose(g, sigmoid(z) * (1 - sigmoid(z)), rtol=1e-14)


def test_tanh_is_a_rescaled_sigmoid():
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(tanh(z), 2 * sigmoid(2 * z) - 1, atol=1e-15)
    np.testing.assert_allclose(tanh_grad(z), 1 - np.tanh(z) ** 2, atol=1e-15)
    assert tanh_grad(0.0) == 1.0


def test_relu_and_its_gradient():
    z = np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 0.0, 1e-12, 3.0])
    np.testing.assert_array_equal(relu_grad(z), [0.0, 0.0, 0.0, 1.0, 1.0])  # 0 at the kink, as PyTorch


@pytest.mark.parametrize("slope", [0.01, 0.2])
def test_leaky_relu_slope(slope):
    z = np.array([-3.0, -0.5, 0.0, 2.0])
    np.testing.assert_allclose(leaky_relu(z, slope), [-3.0 * slope, -0.5 * slope, 0.0, 2.0], rtol=1e-15)
    np.testing.assert_array_equal(leaky_relu_grad(z, slope), [slope, slope, slope, 1.0])


def test_leaky_relu_default_slope_is_pytorchs():
    assert leaky_relu(np.array([-100.0]))[0] == pytest.approx(-1.0)
    assert LeakyReLU().negative_slope == 0.01


def test_identity():
    z = np.array([[-1.0, 2.0]])
    np.testing.assert_array_equal(A.identity(z), z)
    np.testing.assert_array_equal(A.identity_grad(z), 1.0)


def test_softmax_rows_are_probabilities_and_shift_invariant(rng):
    z = rng.normal(0, 3, size=(6, 5))
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    assert np.all(p > 0)
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-13)
    shifts = rng.normal(0, 100, size=(6, 1))
    np.testing.assert_allclose(softmax(z + shifts), p, rtol=1e-11)
    np.testing.assert_allclose(softmax(z.T, axis=0), p.T, rtol=1e-14)


def test_softmax_of_equal_logits_is_uniform():
    np.testing.assert_array_equal(softmax(np.zeros((2, 4))), 0.25)


def test_log_softmax_is_log_of_softmax(rng):
    z = rng.normal(0, 5, size=(5, 7))
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(log_softmax(z), z - np.log(np.exp(z).sum(axis=1, keepdims=True)), atol=1e-12)


def test_log_softmax_stays_finite_where_softmax_underflows():
    z = np.array([[0.0, -1000.0]])
    assert softmax(z)[0, 1] == 0.0
    assert log_softmax(z)[0, 1] == pytest.approx(-1000.0, rel=1e-15)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_derivative_matches_a_centred_difference(name):
    f, df = ACTIVATIONS[name]
    z = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])  # away from the kink at 0
    h = 1e-6
    np.testing.assert_allclose(df(z), (f(z + h) - f(z - h)) / (2 * h), rtol=1e-7, atol=1e-9)


# Stability and dtypes ---------------------------------------------------------------------------------------------


EXTREME = [[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]]
FUNCTIONS = [sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, leaky_relu_grad, A.identity,
             A.identity_grad, softmax, log_softmax]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_functions_are_finite_and_keep_the_dtype_at_extreme_logits(f, dtype):
    z = np.array(EXTREME, dtype=dtype)
    with no_numpy_warnings():
        out = f(z)
    assert out.dtype == dtype and out.shape == z.shape
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_values(dtype):
    z = np.array([[-1e4, 1e4]], dtype=dtype)
    with no_numpy_warnings():
        np.testing.assert_array_equal(sigmoid(z), [[0.0, 1.0]])
        np.testing.assert_array_equal(sigmoid_grad(z), 0.0)
        np.testing.assert_array_equal(softmax(z), [[0.0, 1.0]])
        np.testing.assert_allclose(log_softmax(z), [[-2e4, 0.0]])


LAYERS = [Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", LAYERS, ids=lambda c: c.__name__)
def test_layers_are_finite_and_keep_the_dtype_at_extreme_logits(cls, dtype):
    layer = cls()
    z = np.array(EXTREME, dtype=dtype)
    with no_numpy_warnings():
        Y = layer.forward(z)
        dZ = layer.backward(np.ones_like(Y))
    assert Y.dtype == dtype and dZ.dtype == dtype
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(dZ))


@pytest.mark.parametrize("f", [sigmoid, sigmoid_grad, tanh_grad, relu_grad, leaky_relu_grad, A.identity_grad])
def test_integer_input_gives_float64(f):
    assert f(np.array([1, 2])).dtype == np.float64


# Layers -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, f, df",
    [(Sigmoid(), sigmoid, sigmoid_grad), (Tanh(), tanh, tanh_grad), (ReLU(), relu, relu_grad),
     (LeakyReLU(0.1), lambda z: leaky_relu(z, 0.1), lambda z: leaky_relu_grad(z, 0.1)),
     (Identity(), A.identity, A.identity_grad)],
    ids=["sigmoid", "tanh", "relu", "leaky_relu", "identity"],
)
def test_elementwise_layers_apply_the_chain_rule(layer, f, df, rng):
    X = rng.normal(size=(4, 3))
    X[0, 0] = 0.0  # the kink: ReLU passes no gradient there
    dY = rng.normal(size=(4, 3))
    np.testing.assert_allclose(layer.forward(X), f(X), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(dY), dY * df(X), rtol=1e-14)
    assert layer.parameters() == []


def test_softmax_layer_backward_is_the_jacobian_product(rng):
    X, dY = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = Softmax()
    P = layer.forward(X)
    np.testing.assert_allclose(P, softmax(X), rtol=1e-15)
    dX = layer.backward(dY)
    for n in range(3):
        J = np.diag(P[n]) - np.outer(P[n], P[n])  # ∂p_i/∂z_j = p_i (δ_ij − p_j)
        np.testing.assert_allclose(dX[n], J.T @ dY[n], rtol=1e-12, atol=1e-15)


def test_leaky_relu_layer_uses_its_slope():
    layer = LeakyReLU(0.3)
    np.testing.assert_allclose(layer.forward(np.array([[-2.0, 2.0]])), [[-0.6, 2.0]])
    np.testing.assert_allclose(layer.backward(np.array([[1.0, 1.0]])), [[0.3, 1.0]])
    assert "0.3" in repr(layer)


# get_activation ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, cls",
    [("sigmoid", Sigmoid), ("tanh", Tanh), ("relu", ReLU), ("leaky_relu", LeakyReLU), ("softmax", Softmax),
     ("identity", Identity), ("linear", Identity), ("ReLU", ReLU)],
)
def test_get_activation_returns_a_new_layer(name, cls):
    a, b = get_activation(name), get_activation(name)
    assert type(a) is cls and a is not b


def test_get_activation_passes_keyword_arguments_and_layers_through():
    assert get_activation("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    layer = Tanh()
    assert get_activation(layer) is layer


def test_get_activation_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'relu6'") as info:
        get_activation("relu6")
    for known in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"):
        assert repr(known) in str(info.value)
    with pytest.raises(TypeError, match="activation must be a name such as 'relu', got int"):
        get_activation(3)
