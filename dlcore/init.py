"""Weight initialisers (Chapters 1 and 6).

Each returns an ``(n_out, n_in)`` array. The scale matters: too small and the signal (and the gradient) shrinks
layer after layer, too large and units saturate or explode. Glorot & Bengio (2010) keep the variance of activations
and gradients roughly constant for tanh/sigmoid layers, ``Var(W) = 2 / (n_in + n_out)``; He et al. (2015) double
it for ReLU layers, which zero half their inputs, ``Var(W) = 2 / n_in``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_rng, check_dtype, check_in


def zeros(n_in, n_out, rng=None, dtype=np.float64):
    """All zeros. Every unit of a layer then computes the same thing and gets the same gradient: symmetry never breaks."""
    return np.zeros((n_out, n_in), dtype=check_dtype(dtype))


def uniform_fan_in(n_in, n_out, rng=None, dtype=np.float64):
    """``U(-1/sqrt(n_in), 1/sqrt(n_in))``: PyTorch's default for ``nn.Linear``."""
    limit = 1.0 / np.sqrt(n_in)
    return _uniform(limit, n_in, n_out, rng, dtype)


def glorot_uniform(n_in, n_out, rng=None, dtype=np.float64):
    """Glorot (Xavier) uniform: ``U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``, so ``Var = 2 / (n_in + n_out)``."""
    return _uniform(np.sqrt(6.0 / (n_in + n_out)), n_in, n_out, rng, dtype)


def glorot_normal(n_in, n_out, rng=None, dtype=np.float64):
    """Glorot (Xavier) normal: ``N(0, 2 / (n_in + n_out))``."""
    return _normal(np.sqrt(2.0 / (n_in + n_out)), n_in, n_out, rng, dtype)


def he_uniform(n_in, n_out, rng=None, dtype=np.float64):
    """He (Kaiming) uniform for ReLU layers: ``U(-a, a)`` with ``a = sqrt(6 / n_in)``, so ``Var = 2 / n_in``."""
    return _uniform(np.sqrt(6.0 / n_in), n_in, n_out, rng, dtype)


def he_normal(n_in, n_out, rng=None, dtype=np.float64):
    """He (Kaiming) normal for ReLU layers: ``N(0, 2 / n_in)``."""
    return _normal(np.sqrt(2.0 / n_in), n_in, n_out, rng, dtype)


def lecun_normal(n_in, n_out, rng=None, dtype=np.float64):
    """LeCun normal: ``N(0, 1 / n_in)``."""
    return _normal(np.sqrt(1.0 / n_in), n_in, n_out, rng, dtype)


def _uniform(limit, n_in, n_out, rng, dtype):
    values = as_rng(rng).uniform(-limit, limit, size=(n_out, n_in))
    return values.astype(check_dtype(dtype), copy=False)


def _normal(std, n_in, n_out, rng, dtype):
    values = as_rng(rng).normal(0.0, std, size=(n_out, n_in))
    return values.astype(check_dtype(dtype), copy=False)


INITIALIZERS = {
    "zeros": zeros,
    "uniform_fan_in": uniform_fan_in,
    "glorot_uniform": glorot_uniform,
    "xavier_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_normal": glorot_normal,
    "he_uniform": he_uniform,
    "kaiming_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_normal": he_normal,
    "lecun_normal": lecun_normal,
}


def get_initializer(init):
    """Return the initialiser called ``init`` (a name from ``INITIALIZERS``), or ``init`` itself if callable."""
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"init must be a name or a function (n_in, n_out, rng, dtype), got {type(init).__name__}")
    return INITIALIZERS[check_in(init, "initialiser", list(INITIALIZERS))]
