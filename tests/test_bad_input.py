"""Mistakes a learner makes get an error that names what was expected and what came.

Every test checks the exception type and the key parts of the message (the expected and the actual shape, dtype,
value or name), never just that something was raised.
"""

import re

import numpy as np
import pytest

from dlcore.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, get_activation
from dlcore.layers import BatchNorm, Dense, Dropout
from dlcore.losses import LOSSES, MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy, get_loss
from dlcore.network import Sequential, mlp


def raises(exc, *parts):
    """``pytest.raises`` whose message must contain every one of ``parts`` (plain text, in order)."""
    return pytest.raises(exc, match=".*".join(re.escape(p) for p in parts))


# Constructors -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, parts",
    [
        (lambda: Dense(0, 3), ValueError, ["Dense n_in must be an integer >= 1, got 0"]),
        (lambda: Dense(3, -2), ValueError, ["Dense n_out must be an integer >= 1, got -2"]),
        (lambda: Dense(3.5, 2), TypeError, ["Dense n_in must be an integer, got 3.5 (float)"]),
        (lambda: Dense("3", 2), TypeError, ["Dense n_in must be an integer, got '3' (str)"]),
        (lambda: Dense(True, 2), TypeError, ["Dense n_in must be an integer, got True (bool)"]),
        (lambda: Dense(3, 4, dtype=np.int32), TypeError, ["dtype must be np.float32 or np.float64, got int32"]),
        (lambda: Dense(3, 4, dtype="float16"), TypeError, ["np.float32 or np.float64", "float16"]),
        (lambda: Dense(3, 4, rng="abc"), TypeError,
         ["rng must be a np.random.Generator, an integer seed or None, got str"]),
        (lambda: Dense(3, 4, rng=0.5), TypeError, ["rng must be", "got float"]),
        (lambda: Dense(3, 4, rng=-1), ValueError, ["non-negative", "-1"]),
        (lambda: Dense(3, 4, init="glorot"), ValueError, ["unknown initialiser 'glorot'", "'glorot_uniform'"]),
        (lambda: Dense(3, 4, init=5), TypeError, ["init must be a name or a function", "int"]),
        (lambda: Dropout(p=1.5), ValueError, ["Dropout p", "must be in [0.0, 1.0)", "got 1.5"]),
        (lambda: Dropout(p=1.0), ValueError, ["Dropout p", "[0.0, 1.0)", "got 1.0"]),
        (lambda: Dropout(p=-0.1), ValueError, ["Dropout p", "got -0.1"]),
        (lambda: Dropout(p="0.5"), TypeError, ["Dropout p", "must be a number, got '0.5' (str)"]),
        (lambda: Dropout(0.5, rng="seed"), TypeError, ["rng must be", "got str"]),
        (lambda: BatchNorm(0), ValueError, ["BatchNorm num_features must be an integer >= 1, got 0"]),
        (lambda: BatchNorm(2.5), TypeError, ["BatchNorm num_features must be an integer, got 2.5"]),
        (lambda: BatchNorm(3, momentum=1.5), ValueError, ["BatchNorm momentum must be in [0.0, 1.0], got 1.5"]),
        (lambda: BatchNorm(3, eps=0.0), ValueError, ["BatchNorm eps must be in (0.0, inf]", "got 0.0"]),
        (lambda: BatchNorm(3, dtype=np.int64), TypeError, ["np.float32 or np.float64, got int64"]),
        (lambda: LeakyReLU(-0.1), ValueError, ["LeakyReLU negative_slope must be in [0.0, inf], got -0.1"]),
        (lambda: LeakyReLU("small"), TypeError, ["LeakyReLU negative_slope must be a number, got 'small'"]),
        (lambda: LeakyReLU(float("nan")), ValueError, ["LeakyReLU negative_slope must be a finite number"]),
    ],
)
def test_bad_constructor_arguments(make, exc, parts):
    with raises(exc, *parts):
        make()


def test_unknown_activation_and_loss_names_list_the_known_ones():
    with raises(ValueError, "unknown activation 'rectifier'", "'tanh'", "'relu'", "'softmax'"):
        get_activation("rectifier")
    with raises(ValueError, "unknown loss 'nll'", "'mse'", "'softmax_cross_entropy'"):
        get_loss("nll")


# Sequential and mlp -----------------------------------------------------------------------------------------------


def test_sequential_needs_a_layer():
    with raises(ValueError, "Sequential needs at least one layer, got none"):
        Sequential([])
    with raises(ValueError, "Sequential needs at least one layer"):
        Sequential()


def test_sequential_hints_at_a_class_passed_instead_of_an_instance():
    with raises(TypeError, "Sequential layer 0 must be a Layer", "ReLU", "did you pass the class instead of an instance",
                "ReLU()"):
        Sequential([ReLU])
    with raises(TypeError, "Sequential layer 1 must be a Layer, got 'relu'"):
        Sequential([Dense(2, 3), "relu"])


def test_sequential_rejects_incompatible_dense_sizes():
    with raises(ValueError, "layer 2 Dense(5, 2) expects 5 inputs, but layer 0 Dense(3, 4) produces 4"):
        Sequential(Dense(3, 4), ReLU(), Dense(5, 2))


def test_sequential_rejects_a_batchnorm_of_the_wrong_size():
    """Dense(3, 4) followed by BatchNorm(5): caught at construction or at the first forward, with a clear message."""
    with pytest.raises(ValueError) as info:
        Sequential(Dense(3, 4), BatchNorm(5)).forward(np.ones((2, 3)))
    message = str(info.value)
    assert "BatchNorm(5" in message and "4" in message, message


def test_sequential_checks_the_input_features_whatever_its_first_layer():
    """The input is validated once, at the first layer; an input Dropout or activation must not skip the check."""
    with raises(ValueError, "Dense(3, 4) expected input with 3 features (shape (N, 3)), got shape (5, 2)"):
        Sequential(Dense(3, 4), ReLU()).forward(np.ones((5, 2)))
    with raises(ValueError, "3 features", "got shape (5, 2)"):
        Sequential(Dropout(0.2, rng=0), Dense(3, 4)).forward(np.ones((5, 2)))


def test_batchnorm_inside_a_sequential_rejects_a_single_training_example():
    net = Sequential(Dense(3, 4), BatchNorm(4))
    with raises(ValueError, "at least 2 examples", "got shape (1, 4)"):
        net.forward(np.ones((1, 3)))
    net.eval().forward(np.ones((1, 3)))  # fine with running statistics


@pytest.mark.parametrize(
    "call, exc, parts",
    [
        (lambda: mlp([2, 8, 1], "rectifier"), ValueError, ["unknown activation 'rectifier'", "'relu'"]),
        (lambda: mlp([2, 8, 1], "relu", output_activation="prob"), ValueError, ["unknown activation 'prob'"]),
        (lambda: mlp([2]), ValueError, ["mlp needs at least an input and an output size, got sizes=[2]"]),
        (lambda: mlp([2, 0, 1]), ValueError, ["every layer size in mlp must be an integer >= 1, got 0"]),
        (lambda: mlp([2, 4.5, 1]), TypeError, ["every layer size in mlp must be an integer, got 4.5"]),
        (lambda: mlp([2, 4, 1], dtype=np.int32), TypeError, ["np.float32 or np.float64, got int32"]),
        (lambda: mlp([2, 4, 1], rng="x"), TypeError, ["rng must be", "got str"]),
    ],
)
def test_bad_mlp_arguments(call, exc, parts):
    with raises(exc, *parts):
        call()


# Forward passes ---------------------------------------------------------------------------------------------------


def test_dense_wrong_number_of_features():
    with raises(ValueError, "Dense(3, 4) expected input with 3 features (shape (N, 3)), got shape (5, 2)"):
        Dense(3, 4).forward(np.ones((5, 2)))


def test_batchnorm_wrong_number_of_features():
    with raises(ValueError, "BatchNorm(4", "expected input with 4 features (shape (N, 4)), got shape (5, 3)"):
        BatchNorm(4).forward(np.ones((5, 3)))


def test_batchnorm_training_with_one_example():
    with raises(ValueError, "BatchNorm(4", "at least 2 examples", "got shape (1, 4)", "eval()"):
        BatchNorm(4).forward(np.ones((1, 4)))


LAYERS = {
    "Dense": lambda: Dense(3, 4),
    "BatchNorm": lambda: BatchNorm(3),
    "Dropout": lambda: Dropout(0.5),
    "Sigmoid": Sigmoid, "Tanh": Tanh, "ReLU": ReLU, "LeakyReLU": LeakyReLU, "Softmax": Softmax,
    "Identity": Identity,
    "Sequential": lambda: Sequential(Dense(3, 4), ReLU()),
}
BAD_INPUTS = [
    (np.ones(3), ValueError, ["input must be a 2-D array, got shape (3,)"]),
    (np.ones((2, 3, 1)), ValueError, ["input must be a 2-D array, got shape (2, 3, 1)"]),
    (np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]]), ValueError,
     ["input contains 1 NaN and 0 infinite value(s) out of 6; expected finite numbers"]),
    (np.array([[1.0, np.inf, -np.inf]]), ValueError, ["contains 0 NaN and 2 infinite value(s)"]),
    (np.array([["1", "2", "3"]]), TypeError, ["input must be an array of numbers, got dtype <U1"]),
    (np.array([[1.0, None, 3.0]], dtype=object), TypeError, ["input must be an array of numbers, got dtype object"]),
    (np.ones((2, 3), dtype=complex), TypeError, ["input must be an array of numbers, got dtype complex128"]),
    ([[1.0, 2.0, 3.0], [1.0]], TypeError, ["input must be an array of numbers, got a list"]),
    (None, TypeError, ["input must be an array of numbers"]),
]


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("X, exc, parts", BAD_INPUTS,
                         ids=["1-D", "3-D", "NaN", "inf", "strings", "object", "complex", "ragged", "None"])
def test_every_layer_rejects_bad_input_naming_itself(name, X, exc, parts):
    label = "Dense(3, 4)" if name == "Sequential" else name  # a Sequential's input is checked by its first layer
    with raises(exc, label, *parts):
        LAYERS[name]().forward(X)


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_accepts_lists_and_integers(name):
    Y = LAYERS[name]().forward([[1, 2, 3], [4, 5, 6]])
    assert Y.dtype == np.float64


# Backward passes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LAYERS)
def test_backward_before_forward(name):
    with raises(RuntimeError, name, ".backward() was called before forward(): run a forward pass first"):
        LAYERS[name]().backward(np.ones((2, 4)))


@pytest.mark.parametrize("name", LAYERS)
def test_backward_with_a_gradient_of_the_wrong_shape(name):
    layer = LAYERS[name]()
    Y = layer.forward(np.ones((2, 3)))
    with raises(ValueError, name, f"expected dY of shape {Y.shape}", "got (2, 7)"):
        layer.backward(np.ones((2, 7)))


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
def test_loss_backward_before_the_loss(make):
    with raises(RuntimeError, f"{make.__name__}.backward() was called before computing the loss"):
        make().backward()


# Losses -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss, y_hat, y, exc, parts",
    [
        (MSE(), np.ones((4, 1)), np.ones(3), ValueError,
         ["MSE expected targets y with the shape of y_hat (4, 1), got (3,)"]),
        (MAE(), np.ones((4, 2)), np.ones((4, 3)), ValueError, ["MAE expected targets y", "(4, 2), got (4, 3)"]),
        (BinaryCrossEntropy(), np.full((3, 1), 0.5), np.ones((2, 1)), ValueError,
         ["BinaryCrossEntropy expected targets y", "(3, 1), got (2, 1)"]),
        (MSE(), np.ones((2, 1)), np.array([[np.nan], [1.0]]), ValueError, ["MSE targets y contains 1 NaN"]),
        (MSE(), np.array([["a"], ["b"]]), np.ones((2, 1)), TypeError,
         ["MSE predictions y_hat must be an array of numbers"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array([0, 3]), ValueError,
         ["SoftmaxCrossEntropy labels y has label 3, but there are only 3 classes (labels 0..2)"]),
        (CrossEntropy(), np.full((2, 3), 1 / 3), np.array([3, 0]), ValueError,
         ["has label 3, but there are only 3 classes"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array([0, -1]), ValueError, ["labels >= 0, got -1"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array([0.5, 1.0]), TypeError,
         ["must hold integer class labels, got non-integer values of dtype float64"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array(["a", "b"]), TypeError,
         ["must hold integer class labels, got dtype <U1"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array([0, 1, 2]), ValueError,
         ["got 2 predictions but 3 labels"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.ones((2, 4)), ValueError,
         ["expected integer labels of shape (2,) or one-hot targets of shape (2, 3), got shape (2, 4)"]),
        (SoftmaxCrossEntropy(), np.zeros((2, 3)), np.array([[0], [1]]), ValueError,
         ["integer labels of shape (2,)", "got shape (2, 1)"]),
        (SoftmaxCrossEntropy(), np.zeros(3), np.array([0]), ValueError,
         ["SoftmaxCrossEntropy expects y_hat of shape (N, C), one row per example, got shape (3,)"]),
        (BinaryCrossEntropy(), np.array([[1.5], [0.2]]), np.ones((2, 1)), ValueError,
         ["BinaryCrossEntropy expects probabilities in [0, 1]", "got values from 0.2 to 1.5"]),
        (BinaryCrossEntropy(), np.array([[-0.1], [0.2]]), np.ones((2, 1)), ValueError,
         ["expects probabilities in [0, 1]", "-0.1"]),
        (CrossEntropy(), np.array([[1.5, -0.5]]), np.array([0]), ValueError,
         ["CrossEntropy expects probabilities in [0, 1]", "got values from -0.5 to 1.5", "logits"]),
    ],
)
def test_bad_loss_arguments(loss, y_hat, y, exc, parts):
    with raises(exc, *parts):
        loss(y_hat, y)


@pytest.mark.parametrize("make", list(LOSSES.values()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_predictions_point_at_divergence(make, bad):
    y_hat = np.full((2, 2), 0.5)
    y_hat[1, 0] = bad
    y = np.array([0, 1]) if make in (CrossEntropy, SoftmaxCrossEntropy) else np.ones((2, 2))
    with raises(ValueError, f"{make.__name__} predictions y_hat contain NaN or infinite values", "diverged",
                "smaller learning rate"):
        make()(y_hat, y)


def test_integer_valued_float_labels_are_accepted():
    assert SoftmaxCrossEntropy()(np.zeros((2, 3)), np.array([0.0, 2.0])) == pytest.approx(np.log(3))
