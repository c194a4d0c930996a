"""Activation functions and their derivatives (Chapter 3).

Pure functions work elementwise on arrays of any shape; ``f_grad(z)`` is ``df/dz`` evaluated at ``z``. The layer
classes below wrap them so they can sit in a :class:`~dlcore.network.Sequential` between Dense layers: an activation
layer has no parameters, and its backward pass multiplies the upstream gradient by ``f'(z)`` (the chain rule).

Without a nonlinearity between them, stacked Dense layers collapse to a single affine map (Chapter 2).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_in, check_number
from .layers import Layer


def sigmoid(z):
    """Logistic sigmoid ``σ(z) = 1 / (1 + e^{-z})``, range (0, 1).

    Computed as ``e^{z} / (1 + e^{z})`` for negative ``z`` so that no exponential overflows.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(_float_type(z), copy=False)


def sigmoid_grad(z):
    """``σ'(z) = σ(z)(1 − σ(z))``; at most 1/4 (at ``z = 0``), which is why deep sigmoid stacks learn slowly."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, range (−1, 1), zero-centred: ``tanh(z) = 2σ(2z) − 1``."""
    return np.tanh(z)


def tanh_grad(z):
    """``tanh'(z) = 1 − tanh²(z)``; at most 1 (at ``z = 0``)."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit ``max(0, z)``."""
    return np.maximum(z, 0.0)


def relu_grad(z):
    """``1`` for ``z > 0``, else ``0`` (the kink at 0 gets 0, as in PyTorch)."""
    z = np.asarray(z)
    return (z > 0).astype(_float_type(z))


def leaky_relu(z, negative_slope=0.01):
    """Leaky ReLU: ``z`` for ``z > 0``, ``negative_slope·z`` otherwise; negative inputs keep a small gradient."""
    z = np.asarray(z)
    return np.where(z > 0, z, z * negative_slope).astype(_float_type(z), copy=False)


def leaky_relu_grad(z, negative_slope=0.01):
    """``1`` for ``z > 0``, else ``negative_slope``."""
    z = np.asarray(z)
    return np.where(z > 0, 1.0, negative_slope).astype(_float_type(z))


def identity(z):
    """The identity ``f(z) = z`` (a linear output for regression)."""
    return np.asarray(z)


def identity_grad(z):
    """``1`` everywhere."""
    z = np.asarray(z)
    return np.ones_like(z, dtype=_float_type(z))


def softmax(z, axis=-1):
    """Softmax along ``axis``: ``p_k = e^{z_k} / Σ_j e^{z_j}``; each row becomes a probability vector.

    Subtracting the row's maximum first changes nothing mathematically (the factor ``e^{-max}`` cancels) and keeps
    every exponential in (0, 1], so logits of ±1e4 give finite results.
    """
    z = np.asarray(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(z, axis=-1):
    """``log softmax(z)`` computed stably as ``z − max − log Σ e^{z − max}``."""
    z = np.asarray(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _float_type(z):
    return z.dtype if z.dtype.kind == "f" else np.float64


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "identity": (identity, identity_grad),
}
"""Elementwise activations: name -> (f, f'). Softmax is not elementwise; see :func:`softmax`."""


# Layers ---------------------------------------------------------------------------------------------------------


class _Elementwise(Layer):
    """An activation applied to each entry: ``Y = f(Z)``, ``dZ = dY * f'(Z)``."""

    def forward(self, X):
        return self._forward(self._check_input(X))

    def backward(self, dY):
        dY = self._check_grad(dY, None if self._cache is None else self._cache.shape)
        return self._backward(dY)


class Sigmoid(_Elementwise):
    """Sigmoid layer; caches its output, since ``σ' = σ(1 − σ)``."""

    def _forward(self, X):
        self._cache = sigmoid(X)
        return self._cache

    def _backward(self, dY, input_grad=True):
        s = self._cache
        return dY * s * (1.0 - s)


class Tanh(_Elementwise):
    """Tanh layer; caches its output, since ``tanh' = 1 − tanh²``."""

    def _forward(self, X):
        self._cache = np.tanh(X)
        return self._cache

    def _backward(self, dY, input_grad=True):
        t = self._cache
        return dY * (1.0 - t * t)


class ReLU(_Elementwise):
    """ReLU layer; caches its input (the gradient passes where the input was positive)."""

    def _forward(self, X):
        self._cache = X
        return np.maximum(X, 0.0)

    def _backward(self, dY, input_grad=True):
        return dY * (self._cache > 0)


class LeakyReLU(_Elementwise):
    """Leaky ReLU layer with slope ``negative_slope`` for negative inputs (PyTorch's default 0.01)."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = check_number(negative_slope, "LeakyReLU negative_slope", 0.0)

    def _forward(self, X):
        self._cache = X
        return leaky_relu(X, self.negative_slope)

    def _backward(self, dY, input_grad=True):
        return dY * leaky_relu_grad(self._cache, self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Identity(_Elementwise):
    """The identity layer (a linear output)."""

    def _forward(self, X):
        self._cache = X
        return X

    def _backward(self, dY, input_grad=True):
        return dY


class Softmax(_Elementwise):
    """Softmax over each row.

    Its Jacobian for one row is ``∂p_i/∂z_j = p_i (δ_ij − p_j)``, so the backward pass needs no matrix:
    ``dZ = p ⊙ (dY − Σ_j dY_j p_j)``. For training a classifier prefer :class:`~dlcore.losses.SoftmaxCrossEntropy`,
    which fuses softmax and cross-entropy into the simpler and more stable gradient ``p − y``.
    """

    def _forward(self, X):
        self._cache = softmax(X, axis=1)
        return self._cache

    def _backward(self, dY, input_grad=True):
        p = self._cache
        return p * (dY - (dY * p).sum(axis=1, keepdims=True))


_LAYERS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
    "identity": Identity,
    "linear": Identity,
}


def get_activation(name: str, **kwargs) -> Layer:
    """A new activation layer from its name (``"relu"``, ``"tanh"``, ...); keyword arguments go to its constructor."""
    if isinstance(name, Layer):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'relu', got {type(name).__name__}")
    return _LAYERS[check_in(name.lower(), "activation", list(_LAYERS))](**kwargs)
