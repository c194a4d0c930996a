"""Classification metrics: accuracy, the confusion matrix, precision, recall and F1 (Chapter 9).

Every metric compares true classes ``y_true`` with predicted classes ``y_pred``. Both may be given as

========================  ======================================================================================
shape                     read as
========================  ======================================================================================
``(N,)`` integers         class labels ``0 .. C - 1`` (whole-number floats such as ``2.0`` and booleans too)
``(N, C)``, ``C >= 2``    one-hot rows, probabilities or logits: the class is the argmax of each row
``(N, 1)``                the probability of class 1: the class is 1 where it exceeds 0.5
========================  ======================================================================================

A 1-D array of probabilities such as ``[0.2, 0.9]`` is rejected rather than guessed at: turn it into labels with
:func:`to_labels` first. With ``C`` classes and, for class ``k``, ``TP_k`` true positives (predicted ``k``, truly
``k``), ``FP_k`` false positives and ``FN_k`` false negatives:

.. math::

    \\text{precision}_k = \\frac{TP_k}{TP_k + FP_k}, \\qquad
    \\text{recall}_k = \\frac{TP_k}{TP_k + FN_k}, \\qquad
    F_{1,k} = \\frac{2\\,\\text{precision}_k\\,\\text{recall}_k}{\\text{precision}_k + \\text{recall}_k}
            = \\frac{TP_k}{TP_k + \\tfrac12 (FP_k + FN_k)}.

A ratio whose denominator is 0 (a class never predicted, or never present) counts as 0, without a warning.
The results agree with scikit-learn's ``sklearn.metrics`` called with ``zero_division=0``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_labels, check_finite, check_in, check_number, check_positive_int

AVERAGES = ("macro", "micro", "weighted", "binary", None)


def to_labels(y, threshold=0.5):
    """Turn a network's outputs into integer class labels (Chapter 9).

    Parameters
    ----------
    y : array
        * ``(N, C)`` with ``C >= 2``: probabilities, one-hot rows or logits; returns the argmax of each row
          (the first one on a tie).
        * ``(N, 1)`` or ``(N,)`` floats: the probability of class 1; returns 1 where ``p > threshold``, else 0.
          Values must lie in ``[0, 1]``: for logits, threshold at 0 yourself (``logits > 0``), since
          ``σ(z) > 0.5`` exactly when ``z > 0``.
        * ``(N,)`` integers or booleans: already labels; returned as int64.
    threshold : float in [0, 1]

    Returns
    -------
    ndarray of int64, shape (N,)
    """
    return _to_labels(y, threshold, "y")


def _to_labels(y, threshold, name):
    threshold = check_number(threshold, "threshold", 0.0, 1.0)
    arr = np.asarray(y)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be labels of shape (N,) or one row of scores per example, shape (N, C), got shape {arr.shape}"
        )
    if arr.dtype.kind == "b":  # e.g. probs > 0.5, or boolean one-hot rows
        arr = arr.astype(np.int64)
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        return as_labels(arr, name)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    check_finite(arr, name)
    if arr.ndim == 2 and arr.shape[1] >= 2:
        return arr.argmax(axis=1).astype(np.int64, copy=False)
    p = arr.reshape(-1)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(
            f"{name} has one value per example, which to_labels reads as the probability of class 1 and "
            f"thresholds at {threshold}, so it must lie in [0, 1]; got values from {p.min():g} to {p.max():g}. "
            "For class labels pass integers (y.astype(int)); for logits use (logits > 0)"
        )
    return (p > threshold).astype(np.int64)


def accuracy(y_true, y_pred) -> float:
    """The fraction of examples whose predicted class is the true one: ``(1/N) Σ [ŷ_i = y_i]``."""
    t, p, _, _ = _prepare(y_true, y_pred, None)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, num_classes=None) -> np.ndarray:
    """Count each (true class, predicted class) pair.

    Returns an int64 array ``M`` of shape ``(C, C)`` where ``M[i, j]`` is the number of examples of class ``i``
    predicted as class ``j`` (rows are true classes, columns predictions, as in scikit-learn). The diagonal holds
    the correct predictions; ``C`` is ``num_classes``, else the number of columns of a 2-D input, else the largest
    label plus one.
    """
    t, p, C, _ = _prepare(y_true, y_pred, num_classes)
    return _confusion(t, p, C)


def precision(y_true, y_pred, average="macro", pos_label=None, num_classes=None):
    """Of the examples predicted as class ``k``, the fraction that truly are: ``TP_k / (TP_k + FP_k)``.

    Parameters
    ----------
    y_true, y_pred : labels, one-hot rows or probabilities (see the module documentation)
    average : {"macro", "micro", "weighted", "binary", None}
        * ``"macro"``: the plain mean over classes (every class counts the same, however rare);
        * ``"weighted"``: the mean over classes weighted by each class's number of true examples;
        * ``"micro"``: pool ``TP`` and ``FP`` over the classes first; for single-label problems this equals the
          accuracy;
        * ``"binary"``: the score of class ``pos_label`` alone, for two-class problems (labels 0 and 1);
        * ``None``: the per-class scores, an array of shape ``(C,)``.

        Without ``num_classes``, ``"macro"`` and ``"weighted"`` average over the classes that occur in
        ``y_true`` or ``y_pred``; with it, over all ``C`` classes.
    pos_label : int or None
        The positive class for ``average="binary"`` (default 1); only allowed with that average.
    num_classes : int or None

    Returns
    -------
    float, or ndarray of shape (C,) when ``average`` is None
    """
    return _score("precision", y_true, y_pred, average, pos_label, num_classes)


def recall(y_true, y_pred, average="macro", pos_label=None, num_classes=None):
    """Of the examples of class ``k``, the fraction predicted as ``k``: ``TP_k / (TP_k + FN_k)``.

    Also called sensitivity or true-positive rate. Arguments and return value as in :func:`precision`.
    """
    return _score("recall", y_true, y_pred, average, pos_label, num_classes)


def f1_score(y_true, y_pred, average="macro", pos_label=None, num_classes=None):
    """The harmonic mean of precision and recall: ``F1_k = 2 P_k R_k / (P_k + R_k) = TP_k / (TP_k + (FP_k + FN_k)/2)``.

    High only when both are high. ``"macro"`` averages the per-class F1 scores (not the F1 of the averaged
    precision and recall), as scikit-learn does. Arguments and return value as in :func:`precision`.
    """
    return _score("f1", y_true, y_pred, average, pos_label, num_classes)


def classification_report(y_true, y_pred, class_names=None, num_classes=None, digits=2) -> str:
    """A table of precision, recall, F1 and support (the number of true examples) per class, then the accuracy and
    the macro and weighted averages, laid out like scikit-learn's report.

    Parameters
    ----------
    y_true, y_pred : labels, one-hot rows or probabilities (see the module documentation)
    class_names : sequence of str or None
        ``class_names[k]`` names class ``k``; giving them fixes the number of classes to ``len(class_names)`` and
        lists every class. Without them, classes are named by their labels and those that never occur are left out.
    num_classes : int or None
    digits : int
        Decimal places.

    Returns
    -------
    str
    """
    digits = check_positive_int(digits, "digits", minimum=0)
    if class_names is not None:
        class_names = [str(name) for name in class_names]
        if num_classes is not None and num_classes != len(class_names):
            raise ValueError(f"num_classes={num_classes}, but {len(class_names)} class_names were given")
        num_classes = len(class_names)
    t, p, C, explicit = _prepare(y_true, y_pred, num_classes)
    tp, predicted, support, include = _counts(t, p, C, explicit)
    scores = {kind: _safe_divide(tp, _denominator(kind, predicted, support)) for kind in ("precision", "recall", "f1")}
    names = class_names or [str(k) for k in range(C)]
    width = max(len("weighted avg"), *(len(names[k]) for k in np.flatnonzero(include)))
    cell = max(digits + 3, 10)

    def row(name, values, n):
        numbers = "".join(f"{v:>{cell}.{digits}f}" for v in values)
        return f"{name:>{width}} {numbers}{n:>{cell}d}"

    lines = [f"{'':>{width}} " + "".join(f"{h:>{cell}}" for h in ("precision", "recall", "f1-score", "support")), ""]
    for k in np.flatnonzero(include):
        lines.append(row(names[k], [scores[kind][k] for kind in scores], support[k]))
    n = len(t)
    acc = float(np.mean(t == p))
    lines += ["", f"{'accuracy':>{width}} {'':>{2 * cell}}{acc:>{cell}.{digits}f}{n:>{cell}d}"]
    for average in ("macro", "weighted"):
        values = [_average(scores[kind], tp, kind, predicted, support, include, average) for kind in scores]
        lines.append(row(f"{average} avg", values, n))
    return "\n".join(lines) + "\n"


# The counting behind every metric -----------------------------------------------------------------------------------


def _prepare(y_true, y_pred, num_classes):
    """Labels ``t`` and ``p`` of shape ``(N,)``, the number of classes ``C`` and whether ``C`` was given."""
    t, width_t = _as_label_vector(y_true, "y_true")
    p, width_p = _as_label_vector(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred must have the same number of examples, got {len(t)} and {len(p)}")
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty: a metric needs at least one example")
    if width_t and width_p and width_t != width_p:
        raise ValueError(f"y_true has columns for {width_t} classes but y_pred for {width_p}")
    width = width_t or width_p
    explicit = num_classes is not None
    if explicit:
        num_classes = check_positive_int(num_classes, "num_classes")
        if width and width != num_classes:
            raise ValueError(
                f"num_classes={num_classes}, but the predictions or targets have columns for {width} classes"
            )
    C = num_classes or width or int(max(t.max(), p.max())) + 1
    return as_labels(t, "y_true", C), as_labels(p, "y_pred", C), C, explicit


def _as_label_vector(y, name):
    """Labels of shape (N,), and the number of classes a 2-D input implies (None for labels)."""
    arr = np.asarray(y)
    if arr.ndim == 2:
        return _to_labels(arr, 0.5, name), max(arr.shape[1], 2)
    if arr.ndim == 1 and arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.any(arr != np.round(arr)):
        raise TypeError(
            f"{name} must hold class labels, but it has non-integer values such as {arr[arr != np.round(arr)][0]:g}. "
            f"If these are probabilities of class 1, turn them into labels with to_labels({name}), "
            "or pass them as a column of shape (N, 1)"
        )
    if arr.ndim == 1 and arr.dtype.kind == "b":
        return arr.astype(np.int64), None
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be labels of shape (N,) or one row of scores per example, shape (N, C), got shape {arr.shape}"
        )
    return as_labels(arr, name), None


def _confusion(t, p, C):
    return np.bincount(t * C + p, minlength=C * C).reshape(C, C)


def _counts(t, p, C, explicit):
    """Per class: true positives, predicted count (TP + FP), support (TP + FN), and which classes to average over."""
    M = _confusion(t, p, C)
    tp = np.diag(M)
    predicted = M.sum(axis=0)
    support = M.sum(axis=1)
    include = np.ones(C, dtype=bool) if explicit else (predicted + support) > 0
    return tp, predicted, support, include


def _denominator(kind, predicted, support):
    if kind == "precision":
        return predicted
    if kind == "recall":
        return support
    return (predicted + support) / 2  # TP + (FP + FN)/2


def _safe_divide(num, den):
    num = np.asarray(num, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=np.asarray(den) > 0)


def _score(kind, y_true, y_pred, average, pos_label, num_classes):
    check_in(average, "average", AVERAGES)
    if pos_label is not None and average != "binary":
        raise ValueError(f"pos_label is used only with average='binary', got average={average!r}")
    t, p, C, explicit = _prepare(y_true, y_pred, num_classes)
    if average == "binary":
        if C > 2:
            raise ValueError(
                f"average='binary' needs two classes (labels 0 and 1), got {C} classes; "
                "choose average='macro', 'micro', 'weighted' or None"
            )
        pos_label = 1 if pos_label is None else pos_label
        if isinstance(pos_label, bool) or not isinstance(pos_label, (int, np.integer)) or pos_label not in (0, 1):
            raise ValueError(f"pos_label must be 0 or 1, got {pos_label!r}")
        C, explicit = 2, True
    tp, predicted, support, include = _counts(t, p, C, explicit)
    per_class = _safe_divide(tp, _denominator(kind, predicted, support))
    if average is None:
        return per_class
    if average == "binary":
        return float(per_class[pos_label])
    return _average(per_class, tp, kind, predicted, support, include, average)


def _average(per_class, tp, kind, predicted, support, include, average):
    if average == "micro":
        den = _denominator(kind, predicted[include], support[include]).sum()
        return float(_safe_divide(tp[include].sum(), den))
    if average == "macro":
        return float(per_class[include].mean())
    return float(np.average(per_class[include], weights=support[include]))
