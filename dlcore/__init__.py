"""dlcore: neural networks from first principles, in plain NumPy.

The single implementation behind the course: every lesson, figure, demo, exercise and test calls it. Rows are
examples (``X`` has shape ``(N, n_in)``), ``W`` has shape ``(n_out, n_in)``, every loss is a mean, and whatever
draws random numbers takes ``rng``. A training step reads: forward, loss, backward, step::

    import dlcore as dl
    net = dl.Sequential([dl.Dense(2, 4, rng=0), dl.Tanh(), dl.Dense(4, 1, rng=1), dl.Sigmoid()])
    loss_fn, opt = dl.BinaryCrossEntropy(), dl.SGD(net.parameters(), lr=0.5)
    y_hat = net(X); loss = loss_fn(y_hat, y); net.backward(loss_fn.backward()); opt.step()
"""

from __future__ import annotations

import importlib

from . import activations, data, gradcheck, init, layers, losses, metrics, network, optimizers, regularization, train
from .activations import (
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .data import load_digits, make_circles, make_moons, make_spirals, make_xor, minibatches, one_hot, train_test_split
from .gradcheck import check_layer, check_loss, check_network, numerical_gradient, relative_error
from .layers import BatchNorm, Dense, Dropout, Layer, Parameter
from .losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy, get_loss
from .metrics import accuracy, confusion_matrix, f1_score, precision, recall
from .network import Sequential, mlp
from .optimizers import SGD, Adam, RMSProp, get_optimizer
from .regularization import EarlyStopping
from .train import History, evaluate, fit

__version__ = "0.1.0"

# SymPy and matplotlib take a second or more to import; load these modules on first use.
_LAZY = ("symbolic", "plotting")


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlcore' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
