"""Tests for dlcore.metrics: hand-computed cases, scikit-learn as an oracle, input forms and error messages."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore.data import one_hot
from dlcore.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    f1_score,
    precision,
    recall,
    to_labels,
)

skm = pytest.importorskip("sklearn.metrics")


def no_warnings(f, *args, **kwargs):
    """Call ``f`` and fail on any warning (zero divisions must be silent)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*args, **kwargs)


def sklearn(name, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(skm, name)(*args, **kwargs)


def random_labels(rng, n, num_classes):
    return rng.integers(0, num_classes, n), rng.integers(0, num_classes, n)


# Hand-computed cases ------------------------------------------------------------------------------------------------

# True classes 0, 0, 1, 1, 2, 2; one 0 predicted as 1 and one 2 predicted as 0.
Y_TRUE = np.array([0, 0, 1, 1, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 0, 2])


def test_small_multiclass_case_by_hand():
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), [[1, 1, 0], [0, 2, 0], [1, 0, 1]])
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    # Predicted counts per class: 2, 3, 1; true counts: 2, 2, 2; true positives: 1, 2, 1.
    np.testing.assert_allclose(precision(Y_TRUE, Y_PRED, average=None), [1 / 2, 2 / 3, 1])
    np.testing.assert_allclose(recall(Y_TRUE, Y_PRED, average=None), [1 / 2, 1, 1 / 2])
    np.testing.assert_allclose(f1_score(Y_TRUE, Y_PRED, average=None), [1 / 2, 4 / 5, 2 / 3])
    assert precision(Y_TRUE, Y_PRED) == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert f1_score(Y_TRUE, Y_PRED, average="macro") == pytest.approx((1 / 2 + 4 / 5 + 2 / 3) / 3)
    for metric in (precision, recall, f1_score):
        assert metric(Y_TRUE, Y_PRED, average="micro") == pytest.approx(4 / 6)
    # Equal supports: the weighted average equals the macro one.
    assert recall(Y_TRUE, Y_PRED, average="weighted") == pytest.approx(recall(Y_TRUE, Y_PRED))


def test_small_binary_case_by_hand():
    y_true = [1, 1, 1, 0, 0]
    y_pred = [1, 0, 1, 1, 0]
    # Class 1: TP = 2, FP = 1, FN = 1.  Class 0: TP = 1, FP = 1, FN = 1.
    for metric in (precision, recall, f1_score):
        assert metric(y_true, y_pred, average="binary") == pytest.approx(2 / 3)
        assert metric(y_true, y_pred, average="binary", pos_label=0) == pytest.approx(1 / 2)
    assert isinstance(precision(y_true, y_pred, average="binary"), float)


def test_weighted_average_weights_by_support():
    y_true = [0, 0, 0, 1]
    y_pred = [0, 0, 0, 0]
    # Recall: class 0 is 1, class 1 is 0; supports 3 and 1.
    assert recall(y_true, y_pred, average="weighted") == pytest.approx(0.75)
    assert recall(y_true, y_pred, average="macro") == pytest.approx(0.5)


def test_zero_division_gives_zero_without_warnings():
    y_true = np.array([0, 0, 0])
    y_pred = np.array([0, 0, 0])
    # Class 1 is never predicted and never present: every ratio for it is 0/0.
    for metric in (precision, recall, f1_score):
        np.testing.assert_array_equal(no_warnings(metric, y_true, y_pred, average=None, num_classes=2), [1, 0])
        assert no_warnings(metric, y_true, y_pred, num_classes=2) == 0.5
        assert no_warnings(metric, y_true, y_pred) == 1.0  # without num_classes only class 0 is averaged
        assert no_warnings(metric, y_true, y_pred, average="binary") == 0.0
    # Class 1 predicted but never right: precision 0/1, recall 0/0.
    assert no_warnings(recall, [0, 0], [1, 1], average=None).tolist() == [0.0, 0.0]
    assert no_warnings(f1_score, [0, 0], [1, 1], average="micro") == 0.0


def test_results_are_python_floats_and_per_class_arrays():
    assert type(accuracy(Y_TRUE, Y_PRED)) is float
    assert type(f1_score(Y_TRUE, Y_PRED, average="weighted")) is float
    per_class = recall(Y_TRUE, Y_PRED, average=None)
    assert per_class.shape == (3,) and per_class.dtype == np.float64
    assert confusion_matrix(Y_TRUE, Y_PRED).dtype == np.int64


# scikit-learn as the oracle -----------------------------------------------------------------------------------------


def sklearn_scores(y_true, y_pred, **kwargs):
    """scikit-learn's (precision, recall, f1) in one call, with ratios 0/0 counted as 0."""
    return sklearn("precision_recall_fscore_support", y_true, y_pred, zero_division=0, **kwargs)[:3]


def our_scores(y_true, y_pred, **kwargs):
    return tuple(no_warnings(metric, y_true, y_pred, **kwargs) for metric in (precision, recall, f1_score))


@pytest.mark.parametrize("seed", range(4))
def test_agrees_with_scikit_learn_on_random_labels(seed):
    rng = np.random.default_rng(seed)
    for _ in range(30):
        C = int(rng.integers(2, 7))
        y_true, y_pred = random_labels(rng, int(rng.integers(1, 40)), C)
        labels = list(range(C))
        assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
        np.testing.assert_array_equal(
            confusion_matrix(y_true, y_pred, num_classes=C), skm.confusion_matrix(y_true, y_pred, labels=labels)
        )
        for average in ("macro", "micro", "weighted"):
            # Without num_classes both average over the classes that occur; with it, over all of them.
            np.testing.assert_allclose(
                our_scores(y_true, y_pred, average=average), sklearn_scores(y_true, y_pred, average=average)
            )
            np.testing.assert_allclose(
                our_scores(y_true, y_pred, average=average, num_classes=C),
                sklearn_scores(y_true, y_pred, average=average, labels=labels),
            )
        np.testing.assert_allclose(
            our_scores(y_true, y_pred, average=None, num_classes=C),
            sklearn_scores(y_true, y_pred, average=None, labels=labels),
        )


@pytest.mark.parametrize("pos_label", [0, 1])
def test_binary_average_agrees_with_scikit_learn(pos_label):
    rng = np.random.default_rng(pos_label)
    for _ in range(60):
        y_true, y_pred = random_labels(rng, int(rng.integers(2, 30)), 2)
        y_true[:2] = [0, 1]  # scikit-learn needs both classes to exist to accept pos_label
        np.testing.assert_allclose(
            our_scores(y_true, y_pred, average="binary", pos_label=pos_label),
            sklearn_scores(y_true, y_pred, average="binary", pos_label=pos_label),
        )


@settings(max_examples=50, deadline=None)
@given(
    data=st.data(),
    num_classes=st.integers(1, 8),
    n=st.integers(1, 50),
)
def test_agrees_with_scikit_learn_property(data, num_classes, n):
    labels = st.lists(st.integers(0, num_classes - 1), min_size=n, max_size=n)
    y_true, y_pred = np.array(data.draw(labels)), np.array(data.draw(labels))
    for average in ("macro", "micro", "weighted"):
        np.testing.assert_allclose(
            our_scores(y_true, y_pred, average=average), sklearn_scores(y_true, y_pred, average=average)
        )
    present = np.union1d(y_true, y_pred)
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred)[np.ix_(present, present)], sklearn("confusion_matrix", y_true, y_pred)
    )


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_micro_average_is_accuracy_and_f1_lies_between_precision_and_recall(data):
    n = data.draw(st.integers(1, 40))
    labels = st.lists(st.integers(0, 4), min_size=n, max_size=n)
    y_true, y_pred = data.draw(labels), data.draw(labels)
    acc = accuracy(y_true, y_pred)
    for metric in (precision, recall, f1_score):
        assert metric(y_true, y_pred, average="micro") == pytest.approx(acc)
    P, R, F = (m(y_true, y_pred, average=None) for m in (precision, recall, f1_score))
    assert np.all(F <= np.maximum(P, R) + 1e-12) and np.all(F >= np.minimum(P, R) - 1e-12)
    assert confusion_matrix(y_true, y_pred).sum() == n


@pytest.mark.parametrize("seed", range(3))
def test_classification_report_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_labels(rng, 80, 4)
    names = ["cat", "dog", "bird", "fish"]
    expected = sklearn("classification_report", y_true, y_pred, target_names=names, zero_division=0)
    assert classification_report(y_true, y_pred, class_names=names).split() == expected.split()
    expected = sklearn("classification_report", y_true, y_pred, digits=4, zero_division=0)
    assert classification_report(y_true, y_pred, digits=4).split() == expected.split()


def test_classification_report_lists_only_classes_that_occur_unless_named():
    y_true, y_pred = [0, 2, 2, 0], [0, 2, 0, 0]
    expected = sklearn("classification_report", y_true, y_pred, zero_division=0)
    report = classification_report(y_true, y_pred)
    assert report.split() == expected.split()
    assert "\n           1 " not in report
    named = classification_report(y_true, y_pred, class_names=["a", "b", "c"])
    assert (
        named.split()
        == sklearn(
            "classification_report", y_true, y_pred, labels=[0, 1, 2], target_names=["a", "b", "c"], zero_division=0
        ).split()
    )


# Input forms --------------------------------------------------------------------------------------------------------


def test_one_hot_rows_and_probabilities_give_the_same_results_as_labels():
    rng = np.random.default_rng(0)
    y_true, y_pred = random_labels(rng, 50, 4)
    # Probabilities whose argmax is y_pred.
    probs = rng.random((50, 4))
    probs[np.arange(50), y_pred] += 1.0
    probs /= probs.sum(axis=1, keepdims=True)
    for metric in (precision, recall, f1_score):
        expected = metric(y_true, y_pred, average=None)
        np.testing.assert_array_equal(metric(one_hot(y_true), probs, average=None), expected)
        np.testing.assert_array_equal(metric(y_true.astype(float), np.log(probs), average=None), expected)
    assert accuracy(one_hot(y_true), one_hot(y_pred)) == accuracy(y_true, y_pred)
    np.testing.assert_array_equal(confusion_matrix(y_true, probs), confusion_matrix(y_true, y_pred))


def test_binary_probability_column_and_booleans():
    y_true = np.array([0, 1, 1, 0, 1])
    p = np.array([[0.1], [0.8], [0.4], [0.6], [0.9]])
    y_pred = np.array([0, 1, 0, 1, 1])
    assert accuracy(y_true, p) == accuracy(y_true, y_pred) == 0.6
    assert accuracy(y_true, p.ravel() > 0.5) == 0.6
    assert precision(y_true.astype(bool), p, average="binary") == pytest.approx(2 / 3)
    assert confusion_matrix(y_true, p).shape == (2, 2)
    np.testing.assert_array_equal(confusion_matrix([0, 0], [[0.2], [0.3]]), [[2, 0], [0, 0]])


def test_the_width_of_a_2d_input_sets_the_number_of_classes():
    y_true = [0, 1]
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    assert confusion_matrix(y_true, probs).shape == (3, 3)
    np.testing.assert_array_equal(recall(y_true, probs, average=None), [1, 1, 0])


def test_to_labels():
    np.testing.assert_array_equal(to_labels(np.array([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0]])), [1, 0])
    np.testing.assert_array_equal(to_labels(np.array([[-3.0, 2.0], [4.0, 1.0]])), [1, 0])  # logits work here
    np.testing.assert_array_equal(to_labels(np.array([[0.2], [0.5], [0.51]])), [0, 0, 1])
    np.testing.assert_array_equal(to_labels(np.array([0.2, 0.9, 1.0, 0.0])), [0, 1, 1, 0])
    np.testing.assert_array_equal(to_labels(np.array([0.2, 0.9]), threshold=0.1), [1, 1])
    np.testing.assert_array_equal(to_labels(np.array([3, 0, 2])), [3, 0, 2])
    np.testing.assert_array_equal(to_labels(np.array([True, False])), [1, 0])
    np.testing.assert_array_equal(to_labels(np.eye(3, dtype=bool)), [0, 1, 2])
    np.testing.assert_array_equal(to_labels(one_hot([2, 0, 1], dtype=np.float32)), [2, 0, 1])
    assert to_labels(np.array([[0.3, 0.7]])).dtype == np.int64
    assert to_labels(np.array([0.3, 0.7])).dtype == np.int64


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        (np.array([[-2.0], [3.0]]), {}, ValueError, r"must lie in \[0, 1\]; got values from -2 to 3.*logits > 0"),
        (np.array([0.0, 2.0]), {}, ValueError, r"For class labels pass integers"),
        (np.zeros((2, 2, 2)), {}, ValueError, r"shape \(N,\) or .* shape \(N, C\), got shape \(2, 2, 2\)"),
        (np.array(["a", "b"]), {}, TypeError, r"y must be an array of numbers, got dtype <U1"),
        (np.array([[0.5, np.nan]]), {}, ValueError, r"y contains 1 NaN"),
        (np.array([0.5]), {"threshold": 2.0}, ValueError, r"threshold must be in \[0.0, 1.0\], got 2.0"),
        (np.array([-1, 2]), {}, ValueError, r"y must hold labels >= 0, got -1"),
    ],
)
def test_to_labels_errors(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        to_labels(y, **kwargs)


# Error messages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: accuracy([0, 1, 1], [0, 1]), ValueError, r"same number of examples, got 3 and 2"),
        (lambda: accuracy([], []), ValueError, r"empty: a metric needs at least one example"),
        (
            lambda: accuracy([0, 1], [0.2, 0.9]),
            TypeError,
            r"y_pred must hold class labels, but it has non-integer values such as 0.2.*to_labels\(y_pred\)",
        ),
        (lambda: accuracy(np.eye(3), np.eye(4)[:3]), ValueError, r"y_true has columns for 3 classes but y_pred for 4"),
        (lambda: accuracy([0, 1], np.zeros((2, 2, 1))), ValueError, r"y_pred must be labels of shape \(N,\)"),
        (lambda: accuracy([0, -1], [0, 1]), ValueError, r"y_true must hold labels >= 0, got -1"),
        (lambda: accuracy(["a"], [0]), TypeError, r"y_true must hold integer class labels"),
        (
            lambda: confusion_matrix([0, 3], [0, 1], num_classes=3),
            ValueError,
            r"y_true has label 3, but there are only 3 classes \(labels 0..2\)",
        ),
        (lambda: confusion_matrix([0, 5], np.eye(2)), ValueError, r"y_true has label 5, but there are only 2 classes"),
        (
            lambda: confusion_matrix([0, 1], np.eye(2), num_classes=3),
            ValueError,
            r"num_classes=3, but the predictions or targets have columns for 2 classes",
        ),
        (
            lambda: precision([0, 1], [0, 1], average="mean"),
            ValueError,
            r"unknown average 'mean'; expected one of 'macro', 'micro', 'weighted', 'binary', None",
        ),
        (
            lambda: recall([0, 1], [0, 1], pos_label=1),
            ValueError,
            r"pos_label is used only with average='binary', got average='macro'",
        ),
        (
            lambda: f1_score([0, 1, 2], [0, 1, 2], average="binary"),
            ValueError,
            r"average='binary' needs two classes \(labels 0 and 1\), got 3 classes; choose average='macro'",
        ),
        (
            lambda: f1_score([0, 1], [0, 1], average="binary", pos_label=2),
            ValueError,
            r"pos_label must be 0 or 1, got 2",
        ),
        (
            lambda: recall([0, 1], [0, 1], average="binary", pos_label=1.0),
            ValueError,
            r"pos_label must be 0 or 1, got 1.0",
        ),
        (
            lambda: classification_report([0, 1], [0, 1], class_names=["a"]),
            ValueError,
            r"y_true has label 1, but there are only 1 classes",
        ),
        (
            lambda: classification_report([0, 1], [0, 1], class_names=["a", "b"], num_classes=3),
            ValueError,
            r"num_classes=3, but 2 class_names were given",
        ),
    ],
)
def test_errors_name_what_was_expected_and_what_came(call, error, match):
    with pytest.raises(error, match=match):
        call()
