"""Regularization: L1 and L2 penalties and early stopping (Chapter 8).

A network with many parameters can fit the training set, noise included, and do worse on new data
(overfitting). Two cures live here; dropout and batch normalization are layers (``dlcore.layers``).

* A penalty on the size of the weights, added to the loss, pulls them towards zero. The course's convention::

      L2:  (lam / 2) * sum(w**2),   gradient  lam * w
      L1:  lam * sum(|w|),          gradient  lam * sign(w)   (0 at w = 0)

  L2 shrinks every weight in proportion to its size ("weight decay": with plain SGD the update becomes
  ``w <- (1 - eta * lam) * w - eta * g``); L1 subtracts a constant amount and so drives many weights to
  exactly zero. Only weights are penalised, not biases: a bias shifts a unit's input without making the
  function any wigglier, and pushing it to zero only adds error. Here a *weight* is a Parameter named ``"W"``
  or with two or more dimensions; biases ``b`` and batch norm's ``gamma`` and ``beta`` are left alone.

* Early stopping watches the validation loss and stops training once it has not improved for ``patience``
  epochs, then puts back the parameters of the best epoch.
"""

import math
import numbers

import numpy as np

from ._checks import check_in, check_number, check_positive_int
from .layers import Parameter

__all__ = [
    "weights_of", "l2_penalty", "l2_grad", "l1_penalty", "l1_grad", "add_penalty_grads", "EarlyStopping",
]


def weights_of(params):
    """The Parameters that get penalised: named ``"W"`` or with ``ndim >= 2`` (not biases). Chapter 8."""
    return [p for p in params if p.name == "W" or p.value.ndim >= 2]


def _arrays(weights):
    """A list of arrays from one array, or from a list of arrays or Parameters."""
    if isinstance(weights, (np.ndarray, Parameter)):
        weights = [weights]
    return [w.value if isinstance(w, Parameter) else np.asarray(w) for w in weights]


def l2_penalty(weights, lam):
    """L2 penalty ``(lam / 2) * sum of w**2`` over every entry of every array in ``weights`` (arrays or
    Parameters; pass ``weights_of(net.parameters())`` to leave biases out). Returns a float. Chapter 8."""
    lam = check_number(lam, "lam", low=0.0)
    return lam / 2.0 * sum(float(np.vdot(w, w)) for w in _arrays(weights))


def l2_grad(w, lam):
    """Gradient of ``l2_penalty`` with respect to the array ``w``: ``lam * w`` (same shape and dtype)."""
    return check_number(lam, "lam", low=0.0) * np.asarray(w)


def l1_penalty(weights, lam):
    """L1 penalty ``lam * sum of |w|`` over every entry of every array in ``weights``. Returns a float.
    Chapter 8."""
    lam = check_number(lam, "lam", low=0.0)
    return lam * sum(float(np.abs(w).sum()) for w in _arrays(weights))


def l1_grad(w, lam):
    """(Sub)gradient of ``l1_penalty`` with respect to ``w``: ``lam * sign(w)``, taking 0 at ``w = 0``."""
    return check_number(lam, "lam", low=0.0) * np.sign(w)


def add_penalty_grads(params, l1=0.0, l2=0.0):
    """Add the L1/L2 penalty gradients to the ``.grad`` of the weights among ``params``; return the penalty.

    Call it after ``backward`` and before ``optimizer.step()``; add the returned value to the loss if you
    report the regularised objective::

        net.backward(loss_fn.backward())
        penalty = add_penalty_grads(net.parameters(), l2=1e-3)
        opt.step()

    Weights are chosen by ``weights_of`` (biases are not penalised). Chapter 8.
    """
    l1 = check_number(l1, "l1", low=0.0)
    l2 = check_number(l2, "l2", low=0.0)
    weights = weights_of(params)
    for p in weights:
        if p.grad is None:
            raise RuntimeError(f"{p!r} has no gradient yet: call backward before add_penalty_grads")
        if l2:
            p.grad += l2 * p.value
        if l1:
            p.grad += l1 * np.sign(p.value)
    penalty = 0.0
    if l2:
        penalty += l2_penalty(weights, l2)
    if l1:
        penalty += l1_penalty(weights, l1)
    return penalty


class EarlyStopping:
    """Stop training when a monitored value (usually the validation loss) stops improving. Chapter 8.

    Call ``update(value, params)`` once per epoch; it returns ``True`` when training should stop, that is
    after ``patience`` epochs in a row without improvement. An improvement is ``value < best - min_delta``
    (``mode="min"``) or ``value > best + min_delta`` (``mode="max"``, e.g. for accuracy); NaN never improves.

    When ``params`` are given, a copy of their values is kept at every improvement; ``restore(params)`` writes
    it back, and with ``restore_best=True`` that happens by itself when ``update`` returns ``True``.

    Attributes
    ----------
    best : float
        The best value seen (``inf`` for ``mode="min"``, ``-inf`` for ``"max"`` before the first update).
    best_epoch : int or None
        The epoch (counting calls to ``update`` from 0) of the best value.
    stopped_epoch : int or None
        The epoch at which ``update`` first returned ``True``.
    wait : int
        Epochs since the last improvement.
    """

    def __init__(self, patience=10, min_delta=0.0, mode="min", restore_best=True):
        self.patience = check_positive_int(patience, "EarlyStopping: patience", minimum=0)
        self.min_delta = check_number(min_delta, "EarlyStopping: min_delta", low=0.0)
        self.mode = check_in(mode, "EarlyStopping mode", ("min", "max"))
        if not isinstance(restore_best, bool):
            raise TypeError(f"EarlyStopping: restore_best must be True or False, got {restore_best!r}")
        self.restore_best = restore_best
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None
        self.stopped_epoch = None
        self.wait = 0
        self.epoch = -1
        self._params = None
        self._best_values = None

    def _improves(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value, params=None):
        """Record this epoch's ``value`` (and remember ``params`` if it is the best); return True to stop."""
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
            raise TypeError(f"EarlyStopping.update expected a number such as the validation loss, "
                            f"got {type(value).__name__}")
        self.epoch += 1
        if params is not None:
            self._params = list(params)
        if self._improves(float(value)):
            self.best, self.best_epoch, self.wait = float(value), self.epoch, 0
            if self._params is not None:
                self._best_values = [p.value.copy() for p in self._params]
            return False
        self.wait += 1
        if self.wait < self.patience:
            return False
        if self.stopped_epoch is None:
            self.stopped_epoch = self.epoch
        if self.restore_best and self._best_values is not None:
            self.restore()
        return True

    def restore(self, params=None):
        """Write the best values back into ``params`` (default: those last passed to ``update``), in place."""
        if self._best_values is None:
            raise RuntimeError("EarlyStopping.restore: no best values saved; pass params to update() first")
        params = self._params if params is None else list(params)
        if len(params) != len(self._best_values):
            raise ValueError(f"EarlyStopping.restore: saved {len(self._best_values)} parameters, "
                             f"got {len(params)}")
        for p, best in zip(params, self._best_values):
            if p.value.shape != best.shape:
                raise ValueError(f"EarlyStopping.restore: saved shape {best.shape}, got {p!r}")
            p.value[...] = best
