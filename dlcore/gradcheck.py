"""Numerical gradients and gradient checking (Chapters 5 and 6).

A backward pass is easy to get subtly wrong. The centred difference

    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)

has an error of order ``h²`` (the first-order terms of the two Taylor expansions cancel), so comparing it with the
analytic gradient catches almost every bug. Compare with the *relative* error
``‖a − n‖ / max(‖a‖, ‖n‖)``: in float64 with ``h ≈ 1e-6``, below ``1e-7`` is a pass, around ``1e-4`` is suspicious
(unless a kink such as ReLU's 0 lies within ``h``), and above ``1e-2`` is a bug (CS231n's rules of thumb).
Check in float64: in float32 rounding error swamps the difference quotient.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_rng

DEFAULT_H = 1e-6


def numerical_gradient(f, x: np.ndarray, h: float = DEFAULT_H) -> np.ndarray:
    """Centred-difference gradient of the scalar function ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored, so ``f`` may read ``x`` through a closure (for
    example a layer's ``W.value``). Costs ``2 · x.size`` evaluations of ``f``.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"numerical_gradient needs a float ndarray to perturb, got {type(x).__name__}")
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array (it perturbs x in place)")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + h
        f_plus = f()
        flat[i] = original - h
        f_minus = f()
        flat[i] = original
        gflat[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a, b, floor: float = 1e-12) -> float:
    """``‖a − b‖ / max(‖a‖, ‖b‖, floor)`` with Euclidean norms over all entries.

    Measuring the whole array at once keeps an entry that is zero in both, or tiny next to the others (where the
    difference quotient's rounding noise dominates), from passing or failing on its own; the floor avoids 0/0.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of the same shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b), floor)
    return float(np.linalg.norm(a - b) / scale)


def _projection(shape, rng):
    """A fixed random direction ``R``: checking ``d(Σ Y·R)/dθ`` tests every entry of the backward pass at once."""
    return as_rng(rng).standard_normal(shape)


def check_layer(layer, X, rng=None, h: float = DEFAULT_H) -> dict[str, float]:
    """Compare a layer's backward pass with numerical gradients; returns ``{name: relative error}``.

    The scalar checked is ``L = Σ forward(X) ⊙ R`` for a random ``R``, whose gradient with respect to the output is
    ``R``. Keys are ``"input"`` and each parameter's name (``"W"``, ``"b"``, ...). Layers that draw random numbers in
    training (Dropout) must be checked in ``eval()`` mode or with a fixed mask.
    """
    X = np.array(X, dtype=np.float64)
    Y = layer.forward(X)
    R = _projection(Y.shape, rng)

    def scalar():
        return float(np.sum(layer.forward(X) * R))

    layer.forward(X)
    dX = layer.backward(R)
    analytic = {"input": dX}
    analytic.update({_key(p, i): p.grad.copy() for i, p in enumerate(layer.parameters())})
    errors = {"input": relative_error(dX, numerical_gradient(scalar, X, h))}
    for i, p in enumerate(layer.parameters()):
        errors[_key(p, i)] = relative_error(analytic[_key(p, i)], numerical_gradient(scalar, p.value, h))
    return errors


def check_loss(loss, y_hat, y, h: float = DEFAULT_H) -> float:
    """Relative error between ``loss.backward()`` and the numerical gradient of ``loss(y_hat, y)`` in ``y_hat``."""
    y_hat = np.array(y_hat, dtype=np.float64)
    loss(y_hat, y)
    analytic = np.array(loss.backward(), copy=True)
    numeric = numerical_gradient(lambda: loss(y_hat, y), y_hat, h)
    return relative_error(analytic, numeric)


def check_network(net, loss, X, y, h: float = DEFAULT_H) -> dict[str, float]:
    """Gradient check of a whole network and loss: ``{"layer k W": error, ...}`` for every parameter.

    Run it in float64 on a small batch; switch Dropout off (``net.eval()``) or its random masks change between
    evaluations.
    """
    X = np.array(X, dtype=np.float64)

    def scalar():
        return loss(net.forward(X), y)

    scalar()
    net.backward(loss.backward())
    errors = {}
    for k, layer in enumerate(net.layers):
        for i, p in enumerate(layer.parameters()):
            analytic = p.grad.copy()
            errors[f"layer {k} {_key(p, i)}"] = relative_error(analytic, numerical_gradient(scalar, p.value, h))
    return errors


def _key(param, index):
    return param.name or f"param{index}"
