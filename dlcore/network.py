"""A network as a stack of layers (Chapters 1 and 6).

The forward pass feeds each layer's output to the next; the backward pass walks the same layers in reverse, each
turning ``dL/d(its output)`` into ``dL/d(its input)`` and filling its parameters' gradients on the way.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_dtype, check_positive_int
from .activations import get_activation
from .layers import Dense, Layer, Parameter


class Sequential(Layer):
    """Layers applied one after another: ``Sequential([Dense(2, 4), Tanh(), Dense(4, 1), Sigmoid()])``.

    The input is checked once, at the first layer; the layers inside then skip their own checks, which keeps a
    training step on a small network down to a few dozen NumPy calls.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one layer, got none")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = " (did you pass the class instead of an instance, e.g. ReLU instead of ReLU()?)" if (
                    isinstance(layer, type) and issubclass(layer, Layer)) else ""
                raise TypeError(f"Sequential layer {i} must be a Layer, got {layer!r}{hint}")
        self.layers = list(layers)
        self._check_dense_sizes()

    def _check_dense_sizes(self):
        """Follow the width through Dense and BatchNorm layers; remember the first one for input checks."""
        previous = None
        self._first_sized = None
        for i, layer in enumerate(self.layers):
            n_in = _input_width(layer)
            if n_in is None:
                continue
            if previous is None:
                self._first_sized = (i, layer)
            elif _output_width(previous[1]) != n_in:
                j, before = previous
                raise ValueError(
                    f"Sequential layer {i} {layer!r} expects {n_in} inputs, but layer {j} {before!r} "
                    f"produces {_output_width(before)}"
                )
            previous = (i, layer)

    def forward(self, X):
        """Run every layer in order; ``X`` has shape ``(N, n_in)`` and is checked once, here."""
        if self._first_sized is None:
            X = self.layers[0]._check_input(X)
        else:
            i, layer = self._first_sized
            dtype = layer.parameters()[0].value.dtype
            X = layer._check_input(X, _input_width(layer), dtype)
        return self._forward(X)

    def _forward(self, X):
        out = X
        for layer in self.layers:
            out = layer._forward(out)
        self._cache = out.shape
        return out

    def backward(self, dY, input_grad: bool = True):
        """Backpropagate ``dY = dL/d(output)``; returns ``dL/dX``, or ``None`` with ``input_grad=False``.

        With ``input_grad=False`` the first layer skips computing ``dL/dX``, which nothing needs during training.
        """
        return self._backward(self._check_grad(dY, self._cache), input_grad)

    def _backward(self, dY, input_grad=True):
        grad = dY
        for k in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[k]._backward(grad, input_grad or k > 0)
        return grad if input_grad else None

    @property
    def _label(self) -> str:
        return "Sequential"

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    def train(self):
        for layer in self.layers:
            layer.train()
        self.training = True
        return self

    def eval(self):
        for layer in self.layers:
            layer.eval()
        self.training = False
        return self

    def predict(self, X):
        """Forward pass in evaluation mode (Dropout off, BatchNorm on running statistics); the mode is restored."""
        was_training = self.training
        self.eval()
        try:
            return self.forward(X)
        finally:
            if was_training:
                self.train()

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        lines = ["Sequential("]
        for i, layer in enumerate(self.layers):
            n = sum(p.size for p in layer.parameters())
            detail = f"  # {n} parameters" if n else ""
            lines.append(f"  ({i}) {layer!r}{detail}")
        lines.append(f")  # {self.num_parameters()} parameters in total")
        return "\n".join(lines)


def _input_width(layer):
    if isinstance(layer, Dense):
        return layer.n_in
    return getattr(layer, "num_features", None)


def _output_width(layer):
    return layer.n_out if isinstance(layer, Dense) else layer.num_features


def mlp(sizes, activation="relu", output_activation=None, rng=None, init=None, dtype=np.float64) -> Sequential:
    """A multilayer perceptron: Dense layers of the given ``sizes`` with ``activation`` between them.

    ``mlp([2, 64, 64, 3], "relu", rng=0)`` is ``Dense(2, 64), ReLU(), Dense(64, 64), ReLU(), Dense(64, 3)``.
    With ``output_activation`` (e.g. ``"sigmoid"``) a last activation is appended. ``init`` defaults to He
    initialisation for ReLU-family activations and Glorot otherwise.
    """
    from ._checks import as_rng

    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least an input and an output size, got sizes={sizes}")
    for s in sizes:
        check_positive_int(s, "every layer size in mlp")
    dtype = check_dtype(dtype)
    get_activation(activation)  # fail early on an unknown name
    if init is None:
        init = "he_uniform" if str(activation).lower() in ("relu", "leaky_relu") else "glorot_uniform"
    rng = as_rng(rng)
    layers: list[Layer] = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = k == len(sizes) - 2
        layers.append(Dense(n_in, n_out, rng=rng, init="glorot_uniform" if last else init, dtype=dtype))
        if not last:
            layers.append(get_activation(activation))
    if output_activation is not None:
        layers.append(get_activation(output_activation))
    return Sequential(layers)
