"""SymPy versus NumPy: every derivative in dlcore agrees with the one SymPy derives, and the text's identities hold.

The symbolic side is computed once per shape and cached, so the many random trials below cost little.
"""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlcore import activations, losses
from dlcore import symbolic as sym
from dlcore.layers import Dense

TOL = 1e-10
ACTIVATION_NAMES = [*activations.ACTIVATIONS, "softmax"]
LOSS_NAMES = list(losses.LOSSES)
SEEDS = range(5)


def is_zero(expr):
    # Expanding first settles polynomial identities, on which simplify is slow.
    return sp.expand(expr) == 0 or sp.simplify(expr) == 0


def assert_identity(a, b):
    """``sympy.simplify(a - b) == 0``, entry by entry for explicit matrices."""
    difference = a - b
    entries = list(difference) if isinstance(difference, sp.MatrixBase) else [difference]
    assert all(is_zero(entry) for entry in entries), sp.simplify(difference)


# SymPy and dlcore agree numerically -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_and_derivative_match_sympy(name, seed):
    assert sym.verify_activation(name, rng=seed) < TOL


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(list(activations.ACTIVATIONS)),
    z=hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(-30, 30)),
)
def test_activation_matches_sympy_at_any_point(name, z):
    assert sym.verify_activation(name, z=z) < TOL


@settings(max_examples=20, deadline=None)
@given(z=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.just(3)), elements=st.floats(-20, 20)))
def test_softmax_jacobian_matches_sympy_at_any_point(z):
    assert sym.verify_activation("softmax", z=z) < TOL


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0])
def test_leaky_relu_matches_sympy_for_each_slope(slope):
    assert sym.verify_activation("leaky_relu", negative_slope=slope) < TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_and_gradient_match_sympy(name, seed):
    assert sym.verify_loss(name, rng=seed) < TOL


@pytest.mark.parametrize("name", ["mse", "mae", "binary_cross_entropy"])
def test_regression_losses_match_sympy_with_one_output(name):
    assert sym.verify_loss(name, shape=(3, 1), rng=1) < TOL


def test_verify_all_covers_every_activation_and_loss():
    errors = sym.verify_all()
    assert set(errors) == set(ACTIVATION_NAMES) | set(LOSS_NAMES)
    assert max(errors.values()) < TOL


def test_aliases_are_accepted():
    assert sym.verify_loss("bce") < TOL
    assert sym.verify_activation("linear") < TOL


# The checks can fail ----------------------------------------------------------------------------------------------


def test_a_wrong_activation_derivative_is_detected(monkeypatch):
    wrong = (activations.sigmoid, lambda z: activations.sigmoid(z) * (1 + activations.sigmoid(z)))
    monkeypatch.setitem(activations.ACTIVATIONS, "sigmoid", wrong)
    assert sym.verify_activation("sigmoid") > 0.1


def test_a_wrong_layer_backward_is_detected(monkeypatch):
    # A common slip: treating softmax as elementwise, dZ = dY p (1 - p), drops the off-diagonal terms.
    def elementwise_backward(self, dY, input_grad=True):
        return dY * self._cache * (1 - self._cache)

    monkeypatch.setattr(activations.Softmax, "_backward", elementwise_backward)
    assert sym.verify_activation("softmax") > 0.01


def test_a_missing_averaging_factor_is_detected(monkeypatch):
    monkeypatch.setattr(losses, "mse_grad", lambda y_hat, y: 2 * (np.asarray(y_hat) - y))
    assert sym.verify_loss("mse") > 0.1


def test_a_wrong_loss_backward_is_detected(monkeypatch):
    def backward_without_mean(self):
        p, y = self._cache
        return p - (y if y.ndim == 2 else np.eye(p.shape[1])[y])

    monkeypatch.setattr(losses.SoftmaxCrossEntropy, "_backward", backward_without_mean)
    assert sym.verify_loss("softmax_cross_entropy") > 0.1


def test_derivatives_are_compared_away_from_the_kink():
    # relu_grad(0) is 0 by convention; the check must not depend on that choice.
    assert sym.verify_activation("relu", z=[-1.0, 0.0, 2.0]) == 0.0


# Identities the text states -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "derivation",
    [
        sym.sigmoid_grad_closed_form,
        sym.tanh_grad_closed_form,
        sym.tanh_as_sigmoid,
        sym.softmax_jacobian_closed_form,
        sym.sigmoid_bce_cancellation,
        sym.sigmoid_mse_gradient,
        sym.mse_over_n_examples,
        sym.adam_bias_correction,
    ],
)
def test_identity_holds(derivation):
    derived, closed_form = derivation()
    assert_identity(derived, closed_form)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_gradient_closed_form(name):
    derived, closed_form = sym.loss_grad_closed_form(name, shape=(2, 2))
    assert_identity(derived, closed_form)


def test_derivatives_come_from_sympy_diff():
    assert sym.activation_grad("sigmoid") == sp.diff(1 / (1 + sp.exp(-sym.z)), sym.z)
    assert sym.activation_grad("tanh") == 1 - sp.tanh(sym.z) ** 2
    assert sym.activation_grad("relu").subs(sym.z, 2) == 1 and sym.activation_grad("relu").subs(sym.z, -2) == 0
    assert sym.activation_grad("leaky_relu").subs(sym.z, -2) == sym.alpha
    assert sym.activation_grad("identity") == 1
    assert sym.activation_grad("softmax", K=4).shape == (4, 4)


def test_mse_gradient_carries_the_mean():
    value, y_hat, y = sym.loss_expr("mse", shape=(3, 1))
    assert sym.loss_grad("mse", shape=(3, 1))[0] == sp.Rational(2, 3) * (y_hat[0] - y[0])


def test_sigmoid_derivative_peaks_at_one_quarter():
    z_star, peak = sym.sigmoid_grad_maximum()
    assert z_star == 0 and peak == sp.Rational(1, 4)
    third = sp.diff(sym.activation_grad("sigmoid"), sym.z, 2).subs(sym.z, 0)
    assert third < 0  # a maximum, not a minimum
    grid = np.linspace(-20, 20, 4001)
    assert activations.sigmoid_grad(grid).max() <= 0.25


def test_check_identities_reports_each_identity(monkeypatch):
    # Each identity's truth is tested above; here only the report, so skip the slow simplification.
    checked = []
    monkeypatch.setattr(sym, "symbolically_equal", lambda a, b: checked.append((a, b)) or True)
    results = sym.check_identities()
    assert all(results.values())
    assert len(checked) == len(results) - 1  # all but the sigmoid maximum go through symbolically_equal
    assert {"sigmoid_grad", "softmax_jacobian", "stacked_linear_layers", "adam_bias_correction"} <= set(results)
    assert {f"{name}_grad" for name in LOSS_NAMES} <= set(results)


# Derivations --------------------------------------------------------------------------------------------------------


def test_example_gradient_at_3_2_1():
    grad, value = sym.example_gradient((3, 2, 1))
    x, y, z = sym.example_function()[1]
    assert_identity(grad, sp.Matrix([sp.Rational(4, 3) * x, 2 * y - 2, 4 * z**3 - 4 * z**2]))
    assert value == sp.Matrix([4, 2, 0])


def test_bowl_gradient_points_away_from_the_minimum():
    grad, value = sym.bowl_gradient((1, 1))
    assert value == sp.Matrix([2, 2])


def test_stacked_linear_layers_collapse_symbolically():
    result = sym.stacked_linear_layers((2, 3, 3, 2))
    W1, W2, W3 = (sp.MatrixSymbol(f"W{i}", *shape) for i, shape in [(1, (3, 2)), (2, (3, 3)), (3, (2, 3))])
    assert result.W == W3 * W2 * W1
    assert result.holds()
    explicit = sym.stacked_linear_layers((2, 3, 3, 2), explicit=True)
    assert_identity(explicit.stacked, explicit.W * explicit.x + explicit.b)


def test_stacked_dense_layers_equal_the_collapsed_map():
    sizes = (2, 3, 4, 2)
    layers = [Dense(n_in, n_out, rng=i) for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
    result = sym.stacked_linear_layers(sizes, explicit=True)
    weights = [sp.MatrixSymbol(f"{kind}{i}", *shape) for i in (1, 2, 3) for kind, shape in [
        ("W", (sizes[i], sizes[i - 1])), ("b", (sizes[i], 1))]]
    collapse = sp.lambdify(weights, [result.W, result.b], "numpy")
    W, b = collapse(*[a for layer in layers for a in (layer.W.value, layer.b.value[:, None])])
    X = np.random.default_rng(0).normal(size=(5, 2))
    stacked = X
    for layer in layers:
        stacked = layer.forward(stacked)
    np.testing.assert_allclose(stacked, X @ W.T + b.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("wrt", ["w", "b"])
def test_chain_rule_on_one_neuron(wrt):
    result = sym.one_neuron_chain_rule(wrt)
    w, x, b, y = result.symbols
    assert result.factors[2] == (x if wrt == "w" else 1)
    assert_identity(result.chain, result.direct)


def test_chain_rule_matches_dlcore_backward():
    result = sym.one_neuron_chain_rule("w")
    gradient = sp.lambdify(result.symbols, result.direct, "numpy")
    w, x, b, y = 0.7, -1.3, 0.2, 1.0
    dense = Dense(1, 1, rng=0)
    dense.W.value[...] = w
    dense.b.value[...] = b
    sigmoid, mse = activations.Sigmoid(), losses.MSE()
    mse(sigmoid.forward(dense.forward(np.array([[x]]))), np.array([[y]]))
    dense.backward(sigmoid.backward(mse.backward()))
    assert abs(dense.W.grad[0, 0] - gradient(w, x, b, y)) < TOL


def test_adam_moment_is_biased_towards_zero():
    beta = sp.Symbol("beta1", positive=True)
    m4, grads = sym.adam_moment_unrolled(4, beta)
    g = sp.Symbol("g")
    constant = m4.subs({gi: g for gi in grads})
    assert_identity(constant, (1 - beta**4) * g)
    assert_identity(constant / (1 - beta**4), g)  # the bias-corrected estimate


# Helpers and errors -------------------------------------------------------------------------------------------------


def test_lambdified_constant_derivative_keeps_the_shape():
    _, grad = sym.activation_numpy("identity")
    assert grad(np.zeros((3, 2))).shape == (3, 2)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="sigmoid"):
        sym.activation_expr("swish")
    with pytest.raises(ValueError, match="cross_entropy"):
        sym.verify_loss("hinge")
    with pytest.raises(TypeError, match="name"):
        sym.verify_activation(3)


def test_bad_shape_is_explained():
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        sym.loss_expr("mse", shape=5)


def test_import_dlcore_does_not_import_sympy():
    code = "import sys, dlcore; assert 'sympy' not in sys.modules, 'import dlcore loaded SymPy'"
    subprocess.run([sys.executable, "-c", code], check=True)
