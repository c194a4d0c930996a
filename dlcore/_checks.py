"""Argument checks shared by every module.

Each check turns a mistake a learner is likely to make (a wrong shape, a string where a number belongs, a NaN that
crept into the data) into one sentence that says what was expected and what came, instead of a NumPy error raised
three calls deeper.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_rng(rng) -> np.random.Generator:
    """Return a ``np.random.Generator`` from a Generator, an integer seed or ``None`` (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a np.random.Generator, an integer seed or None, got {type(rng).__name__}"
    )


def describe(x) -> str:
    """A short description of a value for an error message: its shape and dtype, or its type."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def as_float_array(x, name: str, ndim: int | tuple[int, ...] | None = None, allow_nonfinite: bool = False):
    """Convert ``x`` to a float array, keeping float32 and float64 and turning ints and bools into float64.

    Raises ``TypeError`` for values that are not numbers and ``ValueError`` for a wrong number of dimensions or for
    NaN/inf entries (unless ``allow_nonfinite``).
    """
    if isinstance(x, np.ndarray) and x.dtype in FLOAT_DTYPES:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as err:  # ragged nested lists
            raise TypeError(f"{name} must be an array of numbers, got {describe(x)} ({err})") from None
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind == "f":
            arr = arr.astype(np.float64 if arr.dtype.itemsize > 4 else np.float32)
        else:
            raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype} ({describe(x)})")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {want} array, got shape {arr.shape}")
    if not allow_nonfinite:
        check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming how many entries of ``arr`` are NaN or infinite."""
    # One reduction first: a finite sum means every entry is finite (the exact count is computed only on failure).
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None)
    if np.isfinite(total):
        return
    bad = ~np.isfinite(arr)
    n_bad = int(bad.sum())
    if n_bad == 0:  # the sum overflowed but every entry is finite
        return
    n_nan = int(np.isnan(arr).sum())
    raise ValueError(
        f"{name} contains {n_nan} NaN and {n_bad - n_nan} infinite value(s) out of {arr.size}; "
        "expected finite numbers"
    )


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_number(value, name: str, low=None, high=None, low_open=False, high_open=False) -> float:
    """Return ``value`` as a float, or raise if it is not a real number inside the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def check_probability(value, name: str, allow_one: bool = False) -> float:
    """Return ``value`` as a float in ``[0, 1)`` (or ``[0, 1]`` with ``allow_one``)."""
    return check_number(value, name, 0.0, 1.0, high_open=not allow_one)


def check_in(value, name: str, options) -> str:
    """Return ``value`` if it is one of ``options``, otherwise raise ``ValueError`` listing them."""
    if value not in options:
        known = ", ".join(repr(o) for o in options)
        raise ValueError(f"unknown {name} {value!r}; expected one of {known}")
    return value


def check_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a NumPy float dtype; only float32 and float64 are supported."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be np.float32 or np.float64, got {dt}")
    return dt


def as_labels(y, name: str = "y", num_classes: int | None = None) -> np.ndarray:
    """Check integer class labels of shape ``(N,)``: whole numbers in ``[0, num_classes)``."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must hold one integer label per example, shape (N,), got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError(f"{name} must hold integer class labels, got non-integer values of dtype {arr.dtype}")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {arr.min()}")
    if num_classes is not None and arr.size and arr.max() >= num_classes:
        raise ValueError(
            f"{name} has label {arr.max()}, but there are only {num_classes} classes (labels 0..{num_classes - 1})"
        )
    return arr
