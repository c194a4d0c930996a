"""Layers: the building blocks a network is stacked from (Chapters 1, 6 and 8).

A layer maps a batch ``X`` of shape ``(N, n_in)`` (one example per row) to a batch ``Y``. Training needs two passes:

* ``forward(X)`` computes ``Y`` and keeps only what the backward pass will need;
* ``backward(dY)`` receives ``dY = dL/dY`` (same shape as ``Y``), stores ``dL/dθ`` in each parameter's ``.grad``
  and returns ``dX = dL/dX`` for the layer below.

Every class here follows the conventions of PyTorch, so results can be checked against it.
"""

from __future__ import annotations

import numpy as np

from . import init as _init
from ._checks import as_float_array, as_rng, check_dtype, check_number, check_positive_int, check_probability


class Parameter:
    """A trainable array and its gradient.

    Attributes
    ----------
    value : ndarray
        The current value, updated in place by optimizers.
    grad : ndarray or None
        ``dL/dvalue`` from the last backward pass (same shape as ``value``); ``None`` before the first one.
    name : str
        A short name such as ``"W"`` or ``"b"``; regularizers use it to leave biases alone.
    """

    __slots__ = ("value", "grad", "name")

    def __init__(self, value, name: str = ""):
        self.value = as_float_array(value, f"Parameter {name!r}".strip())
        self.grad = None
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: ``forward``, ``backward``, ``parameters`` and the training/evaluation switch."""

    def __init__(self):
        self.training = True
        self._cache = None

    def forward(self, X):
        raise NotImplementedError

    def backward(self, dY):
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters (empty for layers without any)."""
        return []

    def train(self):
        """Switch to training behaviour (matters for Dropout and BatchNorm); returns the layer."""
        self.training = True
        return self

    def eval(self):
        """Switch to evaluation behaviour (matters for Dropout and BatchNorm); returns the layer."""
        self.training = False
        return self

    def __call__(self, X):
        return self.forward(X)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # Helpers for subclasses -------------------------------------------------------------------------------------

    @property
    def _label(self) -> str:
        """How error messages name this layer."""
        return repr(self)

    def _check_input(self, X, n_features: int | None = None, dtype=None):
        X = as_float_array(X, f"{self._label} input", ndim=2)
        if n_features is not None and X.shape[1] != n_features:
            raise ValueError(
                f"{self._label} expected input with {n_features} features (shape (N, {n_features})), got shape {X.shape}"
            )
        if dtype is not None and X.dtype != dtype:
            # Mixing float32 and float64 would silently promote everything to float64; follow the parameters.
            X = X.astype(dtype)
        return X

    def _check_grad(self, dY, expected_shape):
        if self._cache is None:
            raise RuntimeError(f"{self._label}.backward() was called before forward(): run a forward pass first")
        dY = as_float_array(dY, f"{self._label} upstream gradient dY", allow_nonfinite=True)
        if dY.shape != expected_shape:
            raise ValueError(
                f"{self._label}.backward expected dY of shape {expected_shape} (the shape of its last output), "
                f"got {dY.shape}"
            )
        return dY


class Dense(Layer):
    """A fully connected layer: ``Y = X Wᵀ + b``.

    Each output unit ``j`` computes the weighted sum ``z_j = Σ_i W[j, i] x_i + b_j`` (Chapter 1); stacking the
    examples as rows of ``X`` turns all of them into one matrix product.

    Parameters
    ----------
    n_in, n_out : int
        Number of input features and of output units.
    rng : np.random.Generator, int or None
        Source of the random initial weights.
    init : str or callable
        Weight initialiser (see :mod:`dlcore.init`); biases start at zero.
    dtype : np.float32 or np.float64

    Shapes: ``W`` is ``(n_out, n_in)`` (as in ``z = W a + b``), ``b`` is ``(n_out,)``, ``X`` is ``(N, n_in)``, ``Y`` is
    ``(N, n_out)``. Backward (Chapter 6), with ``dY = dL/dY``: ``dW = dYᵀ X``, ``db = Σ_rows dY``, ``dX = dY W``.
    """

    def __init__(self, n_in: int, n_out: int, rng=None, init="glorot_uniform", dtype=np.float64):
        super().__init__()
        self.n_in = check_positive_int(n_in, "Dense n_in")
        self.n_out = check_positive_int(n_out, "Dense n_out")
        dtype = check_dtype(dtype)
        initializer = _init.get_initializer(init)
        W = np.asarray(initializer(self.n_in, self.n_out, rng=as_rng(rng), dtype=dtype), dtype=dtype)
        if W.shape != (self.n_out, self.n_in):
            raise ValueError(
                f"initialiser {init!r} returned shape {W.shape}, expected (n_out, n_in) = {(self.n_out, self.n_in)}"
            )
        self.W = Parameter(W, "W")
        self.b = Parameter(np.zeros(self.n_out, dtype=dtype), "b")

    def forward(self, X):
        X = self._check_input(X, self.n_in, self.W.value.dtype)
        return self._forward(X)

    def _forward(self, X):
        self._cache = X
        Y = X @ self.W.value.T
        Y += self.b.value
        return Y

    def backward(self, dY, input_grad: bool = True):
        X = self._cache
        dY = self._check_grad(dY, (X.shape[0], self.n_out) if X is not None else None)
        return self._backward(dY, input_grad)

    def _backward(self, dY, input_grad=True):
        self.W.grad = dY.T @ self._cache
        self.b.grad = dY.sum(axis=0)
        return dY @ self.W.value if input_grad else None

    def parameters(self) -> list[Parameter]:
        return [self.W, self.b]

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014; Chapter 8).

    In training each unit is set to zero with probability ``p`` and the kept units are multiplied by ``1/(1-p)``,
    so every unit's expected value is unchanged; in evaluation the layer is the identity. (The original paper kept
    the units unscaled in training and multiplied the weights by ``1-p`` at test time instead; both give the same
    expected activations.)
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        self.p = check_probability(p, "Dropout p (the probability of dropping a unit)")
        self.rng = as_rng(rng)

    def forward(self, X):
        X = self._check_input(X)
        return self._forward(X)

    def _forward(self, X):
        if not self.training or self.p == 0.0:
            self._cache = (1.0, X.shape)  # backward is then the identity
            return X
        keep = self.rng.random(X.shape, dtype=X.dtype) >= self.p
        mask = keep * X.dtype.type(1.0 / (1.0 - self.p))
        self._cache = (mask, X.shape)
        return X * mask

    def backward(self, dY):
        dY = self._check_grad(dY, None if self._cache is None else self._cache[1])
        return self._backward(dY)

    def _backward(self, dY, input_grad=True):
        return dY * self._cache[0]

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class BatchNorm(Layer):
    """Batch normalization over the features of a 2-D batch (Ioffe & Szegedy 2015; Chapter 8).

    Training: each feature is normalised with the batch's mean and (biased) variance,
    ``x̂ = (x − μ_B) / sqrt(σ²_B + ε)``, then scaled and shifted, ``y = γ x̂ + β``; the running estimates move towards
    the batch's statistics, ``running = (1 − momentum)·running + momentum·batch`` (the unbiased variance is used for
    ``running_var``, as PyTorch does). Evaluation: the running estimates replace the batch's statistics, so a
    prediction does not depend on the other examples in the batch.
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5, dtype=np.float64):
        super().__init__()
        self.num_features = check_positive_int(num_features, "BatchNorm num_features")
        self.momentum = check_number(momentum, "BatchNorm momentum", 0.0, 1.0)
        self.eps = check_number(eps, "BatchNorm eps", 0.0, low_open=True)
        dtype = check_dtype(dtype)
        self.gamma = Parameter(np.ones(self.num_features, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(self.num_features, dtype=dtype), "beta")
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)

    def forward(self, X):
        X = self._check_input(X, self.num_features, self.gamma.value.dtype)
        return self._forward(X)

    def _forward(self, X):
        if self.training:
            if X.shape[0] < 2:
                raise ValueError(
                    f"{self!r} in training mode needs at least 2 examples per batch to estimate a variance, "
                    f"got shape {X.shape}; use a larger batch or call eval()"
                )
            mean = X.mean(axis=0)
            var = X.var(axis=0)
            n = X.shape[0]
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        X_hat = (X - mean) * inv_std
        self._cache = (X_hat, inv_std, self.training)
        return X_hat * self.gamma.value + self.beta.value

    def backward(self, dY):
        shape = None if self._cache is None else self._cache[0].shape
        dY = self._check_grad(dY, shape)
        return self._backward(dY)

    def _backward(self, dY, input_grad=True):
        X_hat, inv_std, was_training = self._cache
        self.gamma.grad = (dY * X_hat).sum(axis=0)
        self.beta.grad = dY.sum(axis=0)
        if not input_grad:
            return None
        dX_hat = dY * self.gamma.value
        if not was_training:  # running statistics are constants
            return dX_hat * inv_std
        # The batch mean and variance depend on every example, hence the two correction terms.
        mean_dX_hat = dX_hat.mean(axis=0)
        mean_dX_hat_X_hat = (dX_hat * X_hat).mean(axis=0)
        return (dX_hat - mean_dX_hat - X_hat * mean_dX_hat_X_hat) * inv_std

    def parameters(self) -> list[Parameter]:
        return [self.gamma, self.beta]

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features}, momentum={self.momentum}, eps={self.eps})"
