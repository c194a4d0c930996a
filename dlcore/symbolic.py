"""The course's formulas derived with SymPy, and checks of the NumPy code against them.

Every derivative the text quotes is computed here with ``sympy.diff`` rather than typed in, so the text, the
library and the maths cannot drift apart:

* activations (Chapter 3): :func:`activation_expr` gives ``f(z)``, :func:`activation_grad` gives ``f'(z)``
  (for softmax, the Jacobian);
* losses (Chapter 4): :func:`loss_expr` writes a loss over a small batch of symbols, :func:`loss_grad` gives
  ``∂L/∂ŷ`` for every entry, averaging factor included;
* derivations used in the text: stacked linear layers collapse to one affine map (Chapter 2), gradients
  (Chapter 5), the chain rule on one neuron (Chapter 6), Adam's bias correction (Chapter 7);
* checks: each derivation returns the derived result next to the closed form the text states, and ``.holds()``
  asks SymPy whether they agree; :func:`verify_activation`, :func:`verify_loss` and :func:`verify_all` evaluate
  the SymPy results with ``sympy.lambdify`` and return the largest difference from :mod:`dlcore.activations` and
  :mod:`dlcore.losses`.

Example
-------
>>> from dlcore import symbolic as sym
>>> sym.activation_grad("sigmoid")
exp(-z)/(1 + exp(-z))**2
>>> sym.sigmoid_grad_closed_form().holds()        # σ' = σ(1 − σ)
True
>>> sym.verify_activation("sigmoid") < 1e-12       # and dlcore computes the same numbers
True

Importing SymPy takes about half a second, so ``import dlcore`` loads this module only when it is first used.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import sympy as sp

from . import activations, losses
from ._checks import as_float_array, as_rng, check_in, check_positive_int

# Activations (Chapter 3) ------------------------------------------------------------------------------------------

z = sp.Symbol("z", real=True)
"""The pre-activation ``z``: the input of every elementwise activation."""

alpha = sp.Symbol("alpha", positive=True)
"""Leaky ReLU's slope for negative inputs (``negative_slope`` in :mod:`dlcore.activations`)."""

SIGMOID = 1 / (1 + sp.exp(-z))
TANH = sp.tanh(z)
# The condition z > 0 (not z >= 0) makes the derivative at the kink 0, the value dlcore and PyTorch use.
# sp.Max(0, z) is the same function, but its derivative is Heaviside(z), whose value at 0 is a convention.
RELU = sp.Piecewise((z, z > 0), (0, True))
LEAKY_RELU = sp.Piecewise((z, z > 0), (alpha * z, True))
IDENTITY = z

ELEMENTWISE = {"sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "leaky_relu": LEAKY_RELU, "identity": IDENTITY}
"""Elementwise activations as SymPy expressions in :data:`z`."""

ACTIVATION_NAMES = (*ELEMENTWISE, "softmax")
_ACTIVATION_ALIASES = {"linear": "identity"}
_KINKED = {"relu", "leaky_relu"}  # not differentiable at z = 0: compared away from it
_KINK_GAP = 1e-6


class Derivation(NamedTuple):
    """A result derived by SymPy next to the closed form the text states; ``holds()`` checks they agree."""

    derived: sp.Basic
    closed_form: sp.Basic

    def holds(self) -> bool:
        """True when ``sympy.simplify(derived - closed_form)`` is zero."""
        return symbolically_equal(self.derived, self.closed_form)


def symbolically_equal(a, b) -> bool:
    """True when SymPy proves ``a = b``: ``simplify(a − b) == 0``, entry by entry for matrices.

    Each difference is expanded first: that alone settles polynomial identities, on which ``simplify`` is slow.
    Matrix expressions built from ``MatrixSymbol`` (such as ``W2 (W1 x + b1)``) are only expanded, because
    ``simplify`` does not distribute matrix products.
    """
    difference = a - b
    if isinstance(difference, sp.MatrixBase):
        return all(_is_zero(entry) for entry in difference)
    if isinstance(difference, sp.MatrixExpr):
        return difference.expand().doit() == sp.ZeroMatrix(*difference.shape)
    return _is_zero(difference)


def _is_zero(expr) -> bool:
    return sp.expand(expr) == 0 or sp.simplify(expr) == 0


def _activation_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'sigmoid', got {type(name).__name__}")
    name = _ACTIVATION_ALIASES.get(name.lower(), name.lower())
    return check_in(name, "activation", ACTIVATION_NAMES)


def softmax_symbols(K=3):
    """The logits ``z_1, ..., z_K`` of one softmax row (Chapter 3)."""
    K = check_positive_int(K, "K (the number of classes)")
    return sp.symbols(f"z_1:{K + 1}", real=True)


def softmax_expr(K=3):
    """Softmax of ``K`` symbols as a column vector (Chapter 3).

    .. math:: p_k = \\frac{e^{z_k}}{\\sum_{j=1}^{K} e^{z_j}}
    """
    zs = softmax_symbols(K)
    total = sum(sp.exp(v) for v in zs)
    return sp.ImmutableMatrix([sp.exp(v) / total for v in zs])


def activation_expr(name, K=3):
    """The activation ``name`` as a SymPy expression in :data:`z` (Chapter 3).

    Softmax is not elementwise: it returns the ``(K, 1)`` vector of :func:`softmax_expr`. Leaky ReLU's slope is
    the symbol :data:`alpha`.
    """
    name = _activation_name(name)
    return softmax_expr(K) if name == "softmax" else ELEMENTWISE[name]


def activation_grad(name, K=3):
    """``f'(z)`` obtained with ``sympy.diff`` (Chapter 3).

    For softmax, the ``(K, K)`` Jacobian ``J[i, j] = ∂p_i/∂z_j``. ReLU's and leaky ReLU's derivatives are
    ``Piecewise``; SymPy reports the value at the kink ``z = 0`` that the ``z > 0`` condition gives (``0`` and
    ``alpha``), the same convention as :mod:`dlcore.activations`.
    """
    return _activation_grad(_activation_name(name), check_positive_int(K, "K (the number of classes)"))


@functools.lru_cache(maxsize=None)
def _activation_grad(name, K):
    if name == "softmax":
        return softmax_expr(K).jacobian(softmax_symbols(K))
    return sp.diff(ELEMENTWISE[name], z)


def sigmoid_grad_closed_form() -> Derivation:
    """``σ'(z)`` from ``sympy.diff`` and the textbook form ``σ(z)(1 − σ(z))`` (Chapter 3)."""
    return Derivation(activation_grad("sigmoid"), SIGMOID * (1 - SIGMOID))


def tanh_grad_closed_form() -> Derivation:
    """``tanh'(z) = 1 − tanh²(z)``, derived from ``tanh z = (e^z − e^{−z}) / (e^z + e^{−z})`` (Chapter 3).

    Starting from the exponentials, rather than ``sp.tanh``, means SymPy derives the identity instead of looking
    it up in its table of derivatives.
    """
    tanh_exp = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    return Derivation(sp.diff(tanh_exp, z), 1 - tanh_exp**2)


def tanh_as_sigmoid() -> Derivation:
    """``tanh(z) = 2σ(2z) − 1``: tanh is a sigmoid stretched to (−1, 1) and centred on 0 (Chapter 3)."""
    return Derivation(TANH.rewrite(sp.exp), 2 * SIGMOID.subs(z, 2 * z) - 1)


def sigmoid_grad_maximum():
    """Where ``σ'`` peaks and its value there: ``σ''(z) = 0`` only at ``z = 0``, where ``σ'(0) = 1/4`` (Chapter 3).

    Returns ``(z_star, max_value)``. Each sigmoid layer therefore scales a backpropagated gradient by at most 1/4,
    the root of the vanishing-gradient problem in deep sigmoid networks.
    """
    grad = activation_grad("sigmoid")
    (z_star,) = sp.solve(sp.diff(grad, z), z)
    return z_star, sp.simplify(grad.subs(z, z_star))


def softmax_jacobian_closed_form(K=3) -> Derivation:
    """The softmax Jacobian from ``sympy.diff`` and the closed form ``diag(p) − p pᵀ`` (Chapter 3).

    Entry by entry: ``∂p_i/∂z_j = p_i (δ_ij − p_j)``.
    """
    p = softmax_expr(K)
    return Derivation(activation_grad("softmax", K), sp.diag(*p) - p * p.T)


# Losses (Chapter 4) -----------------------------------------------------------------------------------------------

LOSS_NAMES = ("mse", "mae", "binary_cross_entropy", "cross_entropy", "softmax_cross_entropy")
# What the predictions are called in each loss's formula: outputs ŷ, probabilities p, or logits z.
_PREDICTION_SYMBOL = {
    "mse": "yhat",
    "mae": "yhat",
    "binary_cross_entropy": "p",
    "cross_entropy": "p",
    "softmax_cross_entropy": "z",
}


class SymbolicLoss(NamedTuple):
    """A loss over a batch of symbols: its ``value`` and the ``(N, C)`` symbol matrices ``y_hat`` and ``y``."""

    value: sp.Expr
    y_hat: sp.ImmutableMatrix
    y: sp.ImmutableMatrix


def _loss_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name such as 'mse', got {type(name).__name__}")
    name = losses._ALIASES.get(name.lower(), name.lower())
    return check_in(name, "loss", LOSS_NAMES)


def _check_shape(shape) -> tuple[int, int]:
    if not (isinstance(shape, (tuple, list)) and len(shape) == 2):
        raise ValueError(f"shape must be a pair (N, C): N examples with C outputs each, got {shape!r}")
    return check_positive_int(shape[0], "shape[0] (N)"), check_positive_int(shape[1], "shape[1] (C)")


def symbol_matrix(base, shape, **assumptions):
    """A ``(N, C)`` matrix of symbols ``base_{n,c}`` (``base_n`` when ``C = 1``), numbered from 1 like the text."""
    n_rows, n_cols = _check_shape(shape)

    def entry(i, j):
        name = f"{base}_{i + 1}" if n_cols == 1 else f"{base}_{i + 1},{j + 1}"
        return sp.Symbol(name, **assumptions)

    return sp.ImmutableMatrix(n_rows, n_cols, entry)


def _mse(y_hat, y):
    """``(1/n) Σ (ŷ − y)²`` over all ``n`` entries."""
    return sum((a - b) ** 2 for a, b in zip(y_hat, y)) / len(y_hat)


def _mae(y_hat, y):
    """``(1/n) Σ |ŷ − y|`` over all ``n`` entries."""
    return sum(sp.Abs(a - b) for a, b in zip(y_hat, y)) / len(y_hat)


def _binary_cross_entropy(p, y):
    """``−(1/n) Σ [y log p + (1 − y) log(1 − p)]`` over all ``n`` entries."""
    return -sum(b * sp.log(a) + (1 - b) * sp.log(1 - a) for a, b in zip(p, y)) / len(p)


def _cross_entropy(p, y):
    """``−(1/N) Σ_n Σ_k y_nk log p_nk``: with one-hot rows, minus the mean log-probability of the true class."""
    return -sum(b * sp.log(a) for a, b in zip(p, y)) / p.rows


def _softmax_cross_entropy(logits, y):
    """``−(1/N) Σ_n Σ_k y_nk log softmax(z_n)_k`` with ``log softmax(z)_k = z_k − log Σ_j e^{z_j}``."""
    total = 0
    for n in range(logits.rows):
        row = logits.row(n)
        log_sum_exp = sp.log(sum(sp.exp(v) for v in row))
        total += sum(y[n, k] * (row[k] - log_sum_exp) for k in range(logits.cols))
    return -total / logits.rows


_LOSS_FORMULAS = {
    "mse": _mse,
    "mae": _mae,
    "binary_cross_entropy": _binary_cross_entropy,
    "cross_entropy": _cross_entropy,
    "softmax_cross_entropy": _softmax_cross_entropy,
}


def loss_expr(name, shape=(4, 3)) -> SymbolicLoss:
    """The loss ``name`` over a batch of symbols of shape ``(N, C)`` (Chapter 4).

    MSE, MAE and binary cross-entropy average over all ``n = N·C`` entries; the two categorical cross-entropies
    average over the ``N`` examples, as :mod:`dlcore.losses` does. Targets ``y`` are free symbols: substitute 0/1
    values, or one-hot rows for the categorical losses (as :func:`loss_grad_closed_form` does).
    """
    name = _loss_name(name)
    y_hat = symbol_matrix(_PREDICTION_SYMBOL[name], shape, real=True)
    y = symbol_matrix("y", shape, real=True)
    return SymbolicLoss(_LOSS_FORMULAS[name](y_hat, y), y_hat, y)


def loss_grad(name, shape=(4, 3)):
    """``∂L/∂ŷ`` for every entry of the batch, by ``sympy.diff`` (Chapter 4); a matrix of shape ``shape``."""
    return _loss_grad(_loss_name(name), _check_shape(shape))


@functools.lru_cache(maxsize=None)
def _loss_grad(name, shape):
    value, y_hat, _ = loss_expr(name, shape)
    return y_hat.applyfunc(lambda entry: sp.diff(value, entry))


def _one_hot_rows(y):
    """A substitution making each row of ``y`` sum to 1, as one-hot rows do: last entry = 1 − the others."""
    return {y[n, -1]: 1 - sum(y[n, k] for k in range(y.cols - 1)) for n in range(y.rows)}


def loss_grad_closed_form(name, shape=(4, 3)) -> Derivation:
    """The gradient from ``sympy.diff`` and the closed form the text states (Chapter 4).

    ==========================  ==========================================================
    mse                         ``2 (ŷ − y) / n``
    mae                         ``sign(ŷ − y) / n``  (away from ``ŷ = y``)
    binary_cross_entropy        ``(p − y) / (p (1 − p)) / n``
    cross_entropy               ``−y / p / N``
    softmax_cross_entropy       ``(softmax(z) − y) / N``, when each row of ``y`` sums to 1
    ==========================  ==========================================================

    ``n = N·C`` is the number of entries, ``N`` the number of examples.
    """
    name = _loss_name(name)
    _, y_hat, y = loss_expr(name, shape)
    derived = loss_grad(name, shape)
    n_examples, n_entries = y_hat.rows, len(y_hat)
    if name == "softmax_cross_entropy":
        probs = sp.ImmutableMatrix.vstack(*(_row_softmax(y_hat.row(n)) for n in range(n_examples)))
        one_hot = _one_hot_rows(y)
        return Derivation(derived.subs(one_hot), ((probs - y) / n_examples).subs(one_hot))
    entry = {
        "mse": lambda y_hat, y: 2 * (y_hat - y) / n_entries,
        "mae": lambda y_hat, y: sp.sign(y_hat - y) / n_entries,
        "binary_cross_entropy": lambda p, y: (p - y) / (p * (1 - p)) / n_entries,
        "cross_entropy": lambda p, y: -y / p / n_examples,
    }[name]
    return Derivation(derived, sp.ImmutableMatrix(*y.shape, lambda i, j: entry(y_hat[i, j], y[i, j])))


def _row_softmax(row):
    total = sum(sp.exp(v) for v in row)
    return row.applyfunc(lambda v: sp.exp(v) / total)


def mse_over_n_examples() -> Derivation:
    """``∂/∂ŷ_k [(1/N) Σ_{i=1}^{N} (ŷ_i − y_i)²] = 2 (ŷ_k − y_k) / N`` for any number ``N`` of examples (Ch. 4).

    Written with ``sympy.Sum`` over indexed symbols, so ``N`` stays a symbol: the ``1/N`` of the mean survives
    into every entry of the gradient.
    """
    N = sp.Symbol("N", integer=True, positive=True)
    i, k = sp.symbols("i k", integer=True, positive=True)
    y_hat, y = sp.IndexedBase("yhat", real=True), sp.IndexedBase("y", real=True)
    mse = sp.Sum((y_hat[i] - y[i]) ** 2, (i, 1, N)) / N
    # diff gives Σ_i 2 (ŷ_i − y_i) δ_ik / N; doit() keeps only i = k, valid when k is one of 1..N.
    derived = sp.refine(sp.diff(mse, y_hat[k]).doit(), sp.Q.le(k, N))
    return Derivation(derived, 2 * (y_hat[k] - y[k]) / N)


def sigmoid_bce_cancellation() -> Derivation:
    """``dL/dz = σ(z) − y`` for ``L = −[y log σ(z) + (1 − y) log(1 − σ(z))]`` (Chapter 4).

    The chain rule gives ``(p − y) / (p (1 − p)) · σ'(z)`` and ``σ'(z) = p (1 − p)`` cancels the denominator, so a
    sigmoid output trained with cross-entropy never has its gradient throttled by a saturated ``σ'``.
    """
    y = sp.Symbol("y", real=True)
    p = SIGMOID
    bce = -(y * sp.log(p) + (1 - y) * sp.log(1 - p))
    return Derivation(sp.diff(bce, z), p - y)


def sigmoid_mse_gradient() -> Derivation:
    """``dL/dz = 2 (σ(z) − y) σ(z)(1 − σ(z))`` for ``L = (σ(z) − y)²``: the ``σ'`` factor stays (Chapter 4).

    This is the learning slowdown that cross-entropy avoids (compare :func:`sigmoid_bce_cancellation`): when the
    output saturates at the wrong answer, ``σ' ≈ 0`` and so is the gradient.
    """
    y = sp.Symbol("y", real=True)
    return Derivation(sp.diff((SIGMOID - y) ** 2, z), 2 * (SIGMOID - y) * SIGMOID * (1 - SIGMOID))


# Derivations used in the text (Chapters 2, 5, 6, 7) ---------------------------------------------------------------


class StackedLinear(NamedTuple):
    """Linear layers applied one after another, and the single affine map ``W x + b`` they collapse to."""

    x: sp.MatrixBase
    stacked: sp.MatrixBase
    W: sp.MatrixBase
    b: sp.MatrixBase

    def holds(self) -> bool:
        """True when ``stacked`` equals ``W x + b`` identically."""
        return symbolically_equal(self.stacked, self.W * self.x + self.b)


def stacked_linear_layers(sizes=(2, 3, 3, 2), explicit=False) -> StackedLinear:
    """Compose linear layers ``a_l = W_l a_{l−1} + b_l`` without activations: one affine map remains (Chapter 2).

    For ``sizes = (2, 3, 3, 2)``: ``W3 (W2 (W1 x + b1) + b2) + b3 = (W3 W2 W1) x + (W3 W2 b1 + W3 b2 + b3)``, so
    ``W = W3 W2 W1`` (shape ``(2, 2)``) and ``b = W3 W2 b1 + W3 b2 + b3``. With ``explicit=False`` the weights are
    ``MatrixSymbol`` s and the result reads like the equation; with ``explicit=True`` they are matrices of entries
    ``W1[i, j]`` and the identity is checked entry by entry.
    """
    sizes = [check_positive_int(s, "layer size") for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
    x = sp.MatrixSymbol("x", sizes[0], 1)
    W, b = sp.Identity(sizes[0]), sp.ZeroMatrix(sizes[0], 1)
    if explicit:
        x, W, b = x.as_explicit(), sp.eye(sizes[0]), sp.zeros(sizes[0], 1)
    stacked = x
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W_l, b_l = sp.MatrixSymbol(f"W{layer}", n_out, n_in), sp.MatrixSymbol(f"b{layer}", n_out, 1)
        if explicit:
            W_l, b_l = W_l.as_explicit(), b_l.as_explicit()
        stacked = W_l * stacked + b_l
        W, b = W_l * W, W_l * b + b_l  # the running collapse: W_l (W x + b) + b_l
    return StackedLinear(x, stacked, W, b.expand())


def gradient(f, variables):
    """The gradient ``∇f = (∂f/∂x_1, ..., ∂f/∂x_n)`` as a column vector, one ``sympy.diff`` each (Chapter 5)."""
    return sp.ImmutableMatrix([sp.diff(f, v) for v in variables])


def gradient_at(f, variables, point):
    """``(∇f, ∇f(point))``: the gradient expression and its value at ``point`` (Chapter 5)."""
    if len(point) != len(variables):
        raise ValueError(f"point must have one coordinate per variable {tuple(variables)}, got {tuple(point)}")
    grad = gradient(f, variables)
    return grad, grad.subs(dict(zip(variables, point)))


def example_function():
    """``f(x, y, z) = (2/3) x² + y² − 2y + z⁴ − (4/3) z³`` and its variables ``(x, y, z)`` (Chapter 5 exercise)."""
    x, y, z_ = sp.symbols("x y z", real=True)
    f = sp.Rational(2, 3) * x**2 + y**2 - 2 * y + z_**4 - sp.Rational(4, 3) * z_**3
    return f, (x, y, z_)


def example_gradient(point=(3, 2, 1)):
    """``∇f = ((4/3) x, 2y − 2, 4z³ − 4z²)`` for :func:`example_function`, and its value at ``point`` (Chapter 5).

    At ``(3, 2, 1)`` it is ``(4, 2, 0)``.
    """
    f, variables = example_function()
    return gradient_at(f, variables, point)


def bowl_gradient(point=(1, 1)):
    """``∇(x² + y²) = (2x, 2y)`` and its value at ``point`` (Chapter 5).

    At ``(1, 1)`` it is ``(2, 2)``: it points straight away from the minimum at the origin, the direction of
    steepest ascent, so gradient descent steps the opposite way.
    """
    x, y = sp.symbols("x y", real=True)
    return gradient_at(x**2 + y**2, (x, y), point)


class ChainRule(NamedTuple):
    """The chain rule on one neuron: the local derivatives, their product, and ``sympy.diff`` of the whole."""

    loss: sp.Expr  # L as a function of w, x, b, y
    factors: tuple  # (dL/da, da/dz, dz/dw_or_b), each evaluated along the forward pass
    chain: sp.Expr  # the product of the factors
    direct: sp.Expr  # sympy.diff(loss, w or b)
    symbols: tuple  # (w, x, b, y), for lambdify

    def holds(self) -> bool:
        """True when the chain-rule product equals the direct derivative."""
        return symbolically_equal(self.chain, self.direct)


def one_neuron_chain_rule(wrt="w") -> ChainRule:
    """``∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w`` for ``z = w x + b``, ``a = σ(z)``, ``L = (a − y)²`` (Chapter 6).

    Each factor is the derivative of one small step of the forward pass on its own (``2 (a − y)``, ``σ'(z)``,
    ``x``); backpropagation multiplies them, evaluated at the forward pass's values. ``wrt="b"`` gives
    ``∂L/∂b``, where the last factor is ``∂z/∂b = 1``.
    """
    w, x, b, y = sp.symbols("w x b y", real=True)
    a = sp.Symbol("a", real=True)
    param = {"w": w, "b": b}[check_in(wrt, "parameter", ("w", "b"))]
    pre_activation = w * x + b
    local = (sp.diff((a - y) ** 2, a), sp.diff(SIGMOID, z), sp.diff(pre_activation, param))
    # Evaluate each local derivative at the forward pass: a = σ(z), z = w x + b.
    factors = tuple(f.subs(a, SIGMOID).subs(z, pre_activation) for f in local)
    loss = (SIGMOID.subs(z, pre_activation) - y) ** 2
    return ChainRule(loss, factors, sp.Mul(*factors), sp.diff(loss, param), (w, x, b, y))


def adam_moment_unrolled(t=3, beta=None):
    """Adam's first moment ``m_t`` unrolled from ``m_0 = 0``, ``m_t = β m_{t−1} + (1 − β) g_t`` (Chapter 7).

    Returns ``(m_t, (g_1, ..., g_t))``; ``m_t = (1 − β) Σ_{i=1}^{t} β^{t−i} g_i``: recent gradients weigh most,
    and the weights sum to ``1 − β^t``, not 1.
    """
    t = check_positive_int(t, "t (the step number)")
    beta = sp.Symbol("beta1", positive=True) if beta is None else beta
    grads = sp.symbols(f"g_1:{t + 1}", real=True)
    m = sp.Integer(0)
    for g in grads:
        m = beta * m + (1 - beta) * g
    return sp.expand(m), grads


def adam_bias_correction() -> Derivation:
    """``E[m_t] = (1 − β1^t) E[g]`` when every gradient has the same expectation ``E[g]`` (Chapter 7).

    Summing the geometric series ``(1 − β1) Σ_{i=1}^{t} β1^{t−i} = 1 − β1^t`` symbolically shows that ``m_t``
    starts biased towards its initial value 0; Adam divides by ``1 − β1^t`` to remove the bias (and by
    ``1 − β2^t`` for the second moment, the same series with ``g²``).
    """
    beta1 = sp.Symbol("beta1", positive=True)
    t = sp.Symbol("t", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    expected_g = sp.Symbol("g", real=True)
    # Σ_{i=1}^{t} β1^{t−i} is Σ_{k=0}^{t−1} β1^k with k = t − i.
    series = sp.Sum(beta1**k, (k, 0, t - 1)).doit()
    # SymPy returns a Piecewise with a separate branch for β1 = 1; Adam requires β1 < 1.
    series = sp.refine(series, sp.Q.lt(beta1, 1))
    return Derivation((1 - beta1) * series * expected_g, (1 - beta1**t) * expected_g)


def check_identities() -> dict[str, bool]:
    """Every identity this module states, checked by SymPy: name -> True if it holds (Chapters 2–7)."""
    z_star, peak = sigmoid_grad_maximum()
    checks = {
        "sigmoid_grad": sigmoid_grad_closed_form().holds(),
        "tanh_grad": tanh_grad_closed_form().holds(),
        "tanh_as_sigmoid": tanh_as_sigmoid().holds(),
        "sigmoid_grad_max_quarter_at_zero": z_star == 0 and peak == sp.Rational(1, 4),
        "softmax_jacobian": softmax_jacobian_closed_form().holds(),
        "sigmoid_bce_cancellation": sigmoid_bce_cancellation().holds(),
        "sigmoid_mse_gradient": sigmoid_mse_gradient().holds(),
        "mse_over_n_examples": mse_over_n_examples().holds(),
        "stacked_linear_layers": stacked_linear_layers().holds(),
        "chain_rule_w": one_neuron_chain_rule("w").holds(),
        "chain_rule_b": one_neuron_chain_rule("b").holds(),
        "adam_bias_correction": adam_bias_correction().holds(),
    }
    checks.update({f"{name}_grad": loss_grad_closed_form(name, (2, 2)).holds() for name in LOSS_NAMES})
    return checks


# Lambdified versions and checks against dlcore --------------------------------------------------------------------


def _elementwise_numpy(expr):
    """Lambdify an expression in ``z``; constants (identity's derivative is 1) still return an array like ``z``."""
    fn = sp.lambdify(z, expr, "numpy")

    def evaluate(values):
        out = np.empty(np.shape(values))
        out[...] = fn(values)
        return out

    return evaluate


def activation_numpy(name, negative_slope=0.01, K=3):
    """NumPy functions ``(f, f')`` made from the SymPy expressions with ``sympy.lambdify`` (Chapter 3).

    Elementwise activations take an array of any shape. For softmax (``K`` classes) both take one row of ``K``
    logits and return ``p`` of shape ``(K,)`` and the Jacobian of shape ``(K, K)``. These are the
    textbook formulas, not numerically stable ones: ``1 / (1 + e^{−z})`` overflows for ``z`` below about −700.
    """
    name, K = _activation_name(name), check_positive_int(K, "K (the number of classes)")
    return _activation_numpy(name, float(negative_slope), K)


@functools.lru_cache(maxsize=None)
def _activation_numpy(name, negative_slope, K):
    if name == "softmax":
        zs = softmax_symbols(K)
        p_fn = sp.lambdify(zs, softmax_expr(K), "numpy")
        jac_fn = sp.lambdify(zs, activation_grad("softmax", K), "numpy")
        return (lambda row: np.asarray(p_fn(*row), dtype=float).reshape(K),
                lambda row: np.asarray(jac_fn(*row), dtype=float))
    expr = ELEMENTWISE[name].subs(alpha, negative_slope)
    grad = activation_grad(name).subs(alpha, negative_slope)
    return _elementwise_numpy(expr), _elementwise_numpy(grad)


def loss_numpy(name, shape=(4, 3)):
    """NumPy functions ``(value(y_hat, y) -> float, grad(y_hat, y) -> array)`` lambdified from :func:`loss_expr`.

    Both take arrays of exactly ``shape`` (targets as one-hot rows for the categorical losses) (Chapter 4).
    """
    return _loss_numpy(_loss_name(name), _check_shape(shape))


@functools.lru_cache(maxsize=None)
def _loss_numpy(name, shape):
    value, y_hat, y = loss_expr(name, shape)
    # Entries of a MatrixSymbol print as y_hat[n, c], so the functions index (N, C) arrays directly (and lambdify
    # need not rename symbols such as "y_1,2" that are not Python identifiers, which is slow).
    y_hat_array, y_array = sp.MatrixSymbol("y_hat", *shape), sp.MatrixSymbol("y", *shape)
    to_arrays = {**dict(zip(y_hat, y_hat_array.as_explicit())), **dict(zip(y, y_array.as_explicit()))}
    args = [y_hat_array, y_array]
    value_fn = sp.lambdify(args, value.xreplace(to_arrays), "numpy")
    grad_fn = sp.lambdify(args, _loss_grad(name, shape).xreplace(to_arrays), "numpy")
    return (lambda y_hat, y: float(value_fn(y_hat, y))), (lambda y_hat, y: np.asarray(grad_fn(y_hat, y), float))


def _max_abs_error(actual, expected) -> float:
    """``max |actual − expected|``; ``inf`` if the shapes differ or anything is NaN or infinite."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return float("inf")
    error = np.abs(actual - expected)
    return float(error.max(initial=0.0)) if np.all(np.isfinite(error)) else float("inf")


def verify_activation(name, z=None, rng=0, negative_slope=0.01) -> float:
    """Largest difference between SymPy's ``f`` and ``f'`` and dlcore's (Chapter 3).

    Compares the lambdified :func:`activation_expr` and :func:`activation_grad` with the pure functions in
    ``dlcore.activations.ACTIVATIONS`` and with the layer's forward and backward pass (for softmax: ``softmax`` and
    ``Softmax``, whose backward pass must reproduce the Jacobian).

    Parameters
    ----------
    name : str
        An activation name: ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"identity"``, ``"softmax"``.
    z : array_like, optional
        Sample points; by default 1000 draws from U(−8, 8). For softmax, rows of logits of shape ``(N, K)``;
        by default 16 rows of 4 drawn from N(0, 3²).
        Points within 1e-6 of the kink of ReLU and leaky ReLU are skipped: the derivative is not defined there.
    rng : np.random.Generator, int or None
        Source of the default sample points.
    negative_slope : float
        Leaky ReLU's slope, passed to both sides.

    Returns
    -------
    float
        ``max |dlcore − SymPy|`` over values and derivatives (``inf`` on a shape mismatch or NaN).
    """
    name = _activation_name(name)
    if name == "softmax":
        return _verify_softmax(z, rng)
    z = as_rng(rng).uniform(-8.0, 8.0, 1000) if z is None else as_float_array(z, "z").astype(float)
    if name in _KINKED:
        z = z[np.abs(z) > _KINK_GAP]
    f, f_grad = activations.ACTIVATIONS[name]
    layer_kwargs = {}
    if name == "leaky_relu":
        f = functools.partial(f, negative_slope=negative_slope)
        f_grad = functools.partial(f_grad, negative_slope=negative_slope)
        layer_kwargs = {"negative_slope": negative_slope}
    f_sym, grad_sym = activation_numpy(name, negative_slope)
    expected, expected_grad = f_sym(z), grad_sym(z)
    layer = activations.get_activation(name, **layer_kwargs)
    column = z.reshape(-1, 1)  # layers take (N, features)
    layer_out = layer.forward(column)
    layer_grad = layer.backward(np.ones_like(column))  # upstream gradient 1 leaves f'(z)
    return max(
        _max_abs_error(f(z), expected),
        _max_abs_error(f_grad(z), expected_grad),
        _max_abs_error(layer_out, expected.reshape(-1, 1)),
        _max_abs_error(layer_grad, expected_grad.reshape(-1, 1)),
    )


def _verify_softmax(z, rng) -> float:
    """Softmax values and the ``Softmax`` layer's backward pass against SymPy's vector and Jacobian."""
    if z is None:
        z = as_rng(rng).normal(0.0, 3.0, (16, 4))
    z = np.atleast_2d(as_float_array(z, "softmax input z", ndim=(1, 2)).astype(float))
    n, k = z.shape
    p_sym, jac_sym = activation_numpy("softmax", K=k)
    expected = np.array([p_sym(row) for row in z])
    expected_jac = np.array([jac_sym(row) for row in z])
    # Backpropagating the unit vector e_i through a copy of a row returns row i of that row's Jacobian.
    layer = activations.Softmax()
    layer_out = layer.forward(np.repeat(z, k, axis=0))
    layer_jac = layer.backward(np.tile(np.eye(k), (n, 1))).reshape(n, k, k)
    return max(
        _max_abs_error(activations.softmax(z), expected),
        _max_abs_error(layer_out[::k], expected),
        _max_abs_error(layer_jac, expected_jac),
    )


def _loss_inputs(name, shape, rng):
    """Random predictions and targets inside each loss's domain; class targets as integer labels."""
    if name in ("mse", "mae"):
        return rng.normal(size=shape), rng.normal(size=shape)
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, shape), rng.integers(0, 2, shape).astype(float)
    scores = rng.normal(0.0, 2.0, shape)
    labels = rng.integers(0, shape[1], shape[0])
    return (activations.softmax(scores) if name == "cross_entropy" else scores), labels


def verify_loss(name, shape=(4, 3), rng=0) -> float:
    """Largest difference between SymPy's loss and gradient and dlcore's, averaging factor included (Chapter 4).

    Draws predictions and targets of ``shape`` ``(N, C)`` and compares the lambdified :func:`loss_expr` and
    :func:`loss_grad` with the pure functions (``mse`` and ``mse_grad``, ...) and with the class in
    ``dlcore.losses.LOSSES`` (its value and ``backward()``). The categorical losses are checked with integer
    labels and with the same targets as one-hot rows.

    Parameters
    ----------
    name : str
        A loss name from ``dlcore.losses.LOSSES`` (or an alias such as ``"bce"``).
    shape : tuple of int
        ``(N, C)``; keep it small, SymPy builds one symbol per entry.
    rng : np.random.Generator, int or None
        Source of the sample points.

    Returns
    -------
    float
        ``max |dlcore − SymPy|`` over values and gradients (``inf`` on a shape mismatch or NaN).
    """
    name = _loss_name(name)
    shape = _check_shape(shape)
    y_hat, y = _loss_inputs(name, shape, as_rng(rng))
    targets = [y] if y.ndim == 2 else [y, np.eye(shape[1])[y]]
    value_fn, grad_fn = loss_numpy(name, shape)
    expected, expected_grad = value_fn(y_hat, targets[-1]), grad_fn(y_hat, targets[-1])
    value, value_grad = getattr(losses, name), getattr(losses, f"{name}_grad")
    errors = []
    for target in targets:
        loss = losses.LOSSES[name]()
        errors += [
            _max_abs_error(value(y_hat, target), expected),
            _max_abs_error(value_grad(y_hat, target), expected_grad),
            _max_abs_error(loss(y_hat, target), expected),
            _max_abs_error(loss.backward(), expected_grad),
        ]
    return max(errors)


def verify_all(rng=0) -> dict[str, float]:
    """Max error of every activation (Chapter 3) and every loss (Chapter 4): name -> ``verify_*(name)``."""
    names = dict.fromkeys([*activations.ACTIVATIONS, "softmax"])
    errors = {name: verify_activation(name, rng=rng) for name in names}
    errors.update({name: verify_loss(name, rng=rng) for name in losses.LOSSES})
    return errors
