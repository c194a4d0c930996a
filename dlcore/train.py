"""The training loop (Chapters 7 to 9).

:func:`fit` repeats the four-line training step — forward, loss, backward, step — over minibatches for a number of
epochs and records what happened in a :class:`History`. It is deliberately plain: everything it does can be written
by hand in a lesson, and the lessons do so before they use it.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from . import metrics, regularization
from ._checks import as_float_array, as_rng, check_number, check_positive_int
from .losses import BinaryCrossEntropy, CrossEntropy, Loss, SoftmaxCrossEntropy, get_loss

_CLASSIFICATION_LOSSES = (SoftmaxCrossEntropy, CrossEntropy, BinaryCrossEntropy)


class DivergenceWarning(UserWarning):
    """Training stopped because the loss stopped being a finite number."""


class History(dict):
    """Per-epoch records of a training run: ``history["loss"]``, ``history["val_loss"]``, ``history["accuracy"]``...

    A dict of lists (one value per completed epoch), plus ``stop_reason``: ``None`` when every epoch ran, otherwise
    a sentence saying why training stopped early (early stopping, divergence, or a callback).

    ``loss`` is the average of the minibatch losses seen during the epoch (in training mode, without any L1/L2
    penalty, which is recorded separately as ``penalty``); ``val_*`` values are computed at the end of the epoch in
    evaluation mode.
    """

    def __init__(self):
        super().__init__()
        self.stop_reason: str | None = None

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.get("loss", []))

    @property
    def diverged(self) -> bool:
        return self.stop_reason is not None and self.stop_reason.startswith("diverged")

    def append(self, **values) -> None:
        for key, value in values.items():
            self.setdefault(key, []).append(value)

    def __eq__(self, other):
        return isinstance(other, History) and dict.__eq__(self, other) and self.stop_reason == other.stop_reason

    __hash__ = None

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.items() if v)
        reason = f", stopped: {self.stop_reason}" if self.stop_reason else ""
        return f"History({self.epochs} epochs: {last}{reason})"


def _check_xy(X, y, name="X"):
    X = as_float_array(X, name, ndim=2)
    y_arr = np.asarray(y)
    if y_arr.ndim == 0 or y_arr.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {X.shape[0]} examples (rows) but its targets have shape {y_arr.shape}; "
            "expected one target per row"
        )
    return X, y_arr


def _is_classification(loss) -> bool:
    return isinstance(loss, _CLASSIFICATION_LOSSES)


def _batch_correct(output, y) -> int:
    """How many predictions in a batch of outputs are right (outputs: logits, probabilities or a sigmoid column)."""
    predicted = metrics.to_labels(output)
    target = metrics.to_labels(y) if np.ndim(y) == 2 else np.asarray(y).reshape(-1)
    return int(np.count_nonzero(predicted == target))


def evaluate(net, loss, X, y, batch_size: int | None = None) -> dict[str, float]:
    """Loss (and accuracy for classification losses) of ``net`` on ``(X, y)`` in evaluation mode.

    Dropout is off and BatchNorm uses its running statistics; the network's previous mode is restored.
    """
    loss = get_loss(loss)
    X, y = _check_xy(X, y)
    n = X.shape[0]
    step = n if batch_size is None else check_positive_int(batch_size, "batch_size")
    total_loss, correct = 0.0, 0
    was_training = getattr(net, "training", False)
    net.eval()
    try:
        for start in range(0, n, step):
            out = net.forward(X[start:start + step])
            yb = y[start:start + step]
            total_loss += loss(out, yb) * out.shape[0]
            if _is_classification(loss):
                correct += _batch_correct(out, yb)
    finally:
        if was_training:
            net.train()
    result = {"loss": total_loss / n}
    if _is_classification(loss):
        result["accuracy"] = correct / n
    return result


def fit(net, loss, optimizer, X, y, num_epochs: int = 10, batch_size: int | None = None, rng=None,
        validation_data=None, l1: float = 0.0, l2: float = 0.0, early_stopping=None, scheduler=None,
        callback=None, progress: bool = False) -> History:
    """Train ``net`` in place and return its :class:`History`.

    Parameters
    ----------
    net : Sequential
    loss : Loss or str
    optimizer : an optimizer built on ``net.parameters()``
    X, y : training inputs ``(N, n_in)`` and targets (labels ``(N,)``, one-hot ``(N, C)`` or values ``(N, k)``)
    num_epochs : int
        Passes over the training set.
    batch_size : int or None
        Examples per step; ``None`` is full-batch gradient descent (one step per epoch).
    rng : Generator or seed
        Shuffles the examples at the start of every epoch (not used for full batches).
    validation_data : (X_val, y_val) or None
        Evaluated after every epoch (``val_loss``, ``val_accuracy``).
    l1, l2 : float
        Penalty strengths on the weight matrices (biases are not penalised; see :mod:`dlcore.regularization`).
    early_stopping : EarlyStopping or None
        Watches ``val_loss`` (``loss`` without validation data); the best weights are restored when it stops.
    scheduler : a learning-rate schedule with ``step()``, called once per epoch
    callback : callable(epoch, history) -> bool or None
        Called after every epoch; returning ``True`` stops training (the playground uses it to redraw).
    progress : bool
        Show a progress bar over epochs (tqdm) with the latest losses.

    If the loss becomes NaN or infinite, training stops, ``history.stop_reason`` explains it and a
    :class:`DivergenceWarning` is issued.
    """
    loss = get_loss(loss)
    X, y = _check_xy(X, y)
    num_epochs = check_positive_int(num_epochs, "num_epochs")
    n = X.shape[0]
    batch = n if batch_size is None else min(check_positive_int(batch_size, "batch_size"), n)
    l1 = check_number(l1, "l1", 0.0)
    l2 = check_number(l2, "l2", 0.0)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        validation_data = _check_xy(*validation_data, name="validation X")
    rng = as_rng(rng)
    history = History()
    bar = _progress_bar(num_epochs) if progress else None
    net.train()
    # A diverging run overflows long before the loss is NaN; fit reports that once, in words, instead of
    # letting NumPy print an overflow warning at every step.
    with np.errstate(over="ignore", invalid="ignore"):
        _train_epochs(net, loss, optimizer, X, y, num_epochs, batch, rng, validation_data, l1, l2,
                      early_stopping, scheduler, callback, bar, history)
    if bar is not None:
        bar.close()
    return history


def _train_epochs(net, loss, optimizer, X, y, num_epochs, batch, rng, validation_data, l1, l2, early_stopping,
                  scheduler, callback, bar, history):
    n = X.shape[0]
    params = net.parameters()
    classify = _is_classification(loss)
    for epoch in range(num_epochs):
        order = rng.permutation(n) if batch < n else None
        total, correct, penalty = 0.0, 0, 0.0
        for start in range(0, n, batch):
            if order is None:
                Xb, yb = X, y
            else:
                idx = order[start:start + batch]
                Xb, yb = X[idx], y[idx]
            out = net.forward(Xb)
            try:
                value = loss(out, yb)
            except ValueError:  # the loss refuses non-finite predictions; anything else is a real error
                if np.all(np.isfinite(out)):
                    raise
                value = float("nan")
            if not np.isfinite(value):
                _stop_diverged(history, epoch, start // batch, value)
                return
            net.backward(loss.backward(), input_grad=False)
            if l1 or l2:
                penalty += regularization.add_penalty_grads(params, l1=l1, l2=l2) * Xb.shape[0]
            optimizer.step()
            total += value * Xb.shape[0]
            if classify:
                correct += _batch_correct(out, yb)
        record = {"loss": total / n}
        if l1 or l2:
            record["penalty"] = penalty / n
        if classify:
            record["accuracy"] = correct / n
        if validation_data is not None:
            record.update({f"val_{k}": v for k, v in evaluate(net, loss, *validation_data).items()})
            net.train()
        history.append(**record)
        if bar is not None:
            bar.set_postfix({k: f"{v:.4g}" for k, v in record.items()}, refresh=False)
            bar.update(1)
        if scheduler is not None:
            scheduler.step()
        if early_stopping is not None:
            watched = record.get("val_loss", record["loss"])
            if early_stopping.update(watched, params):  # restores the best weights itself when restore_best
                best = early_stopping.best_epoch
                restored = (f"; the weights of epoch {best + 1} were restored"
                            if early_stopping.restore_best and best is not None else "")
                history.stop_reason = (
                    f"early stopping after epoch {epoch + 1}: the watched loss has not improved for "
                    f"{early_stopping.patience} epochs{restored}"
                )
                break
        if callback is not None and callback(epoch, history):
            history.stop_reason = f"stopped by the callback after epoch {epoch + 1}"
            break


def _stop_diverged(history, epoch, step, value):
    history.stop_reason = (
        f"diverged in epoch {epoch + 1}, step {step + 1}: the loss became {value}. The updates grew until the "
        "numbers overflowed; a smaller learning rate (or gradient clipping, or normalised inputs) usually fixes this"
    )
    warnings.warn(history.stop_reason, DivergenceWarning, stacklevel=4)


def _progress_bar(total):
    # The text bar (not the notebook widget) keeps saved outputs plain text that nbval can compare.
    from tqdm import tqdm

    return tqdm(total=total, desc="training", unit="epoch", file=sys.stderr, leave=True)
