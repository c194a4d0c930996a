"""Oracle tests: dlcore's layers and losses against PyTorch (float64, identical weights), to 1e-10.

Skipped when PyTorch is not installed; dlcore follows PyTorch's conventions wherever PyTorch has the same thing.
"""

import numpy as np
import pytest

from dlcore.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from dlcore.layers import BatchNorm, Dense, Dropout
from dlcore.losses import MAE, MSE, BinaryCrossEntropy, CrossEntropy, SoftmaxCrossEntropy
from dlcore.network import mlp

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {"rtol": 1e-10, "atol": 1e-12}


def t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **TOL)


def torch_linear(layer):
    linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(t(layer.W.value))  # both (n_out, n_in)
        linear.bias.copy_(t(layer.b.value))
    return linear


def test_dense_forward_and_backward(rng):
    layer = Dense(4, 3, rng=rng)
    layer.b.value[:] = rng.normal(size=3)
    linear = torch_linear(layer)
    X, dY = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    Xt = t(X, grad=True)
    Yt = linear(Xt)
    Yt.backward(t(dY))
    close(layer.forward(X), Yt)
    close(layer.backward(dY), Xt.grad)
    close(layer.W.grad, linear.weight.grad)
    close(layer.b.grad, linear.bias.grad)


ACTIVATIONS = [
    (Sigmoid(), torch.sigmoid), (Tanh(), torch.tanh), (ReLU(), torch.relu),
    (LeakyReLU(), F.leaky_relu), (LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (Softmax(), lambda x: torch.softmax(x, dim=1)), (Identity(), lambda x: x),
]


@pytest.mark.parametrize("layer, f", ACTIVATIONS,
                         ids=["sigmoid", "tanh", "relu", "leaky_relu", "leaky_relu_0.2", "softmax", "identity"])
def test_activation_forward_and_backward(layer, f, rng):
    X, dY = rng.normal(0, 3, size=(6, 5)), rng.normal(size=(6, 5))
    X[0, :2] = 0.0  # the kink: both libraries give ReLU's gradient 0 and LeakyReLU's the slope there
    Xt = t(X, grad=True)
    Yt = f(Xt)
    Yt.backward(t(dY))
    close(layer.forward(X), Yt)
    close(layer.backward(dY), Xt.grad)


def torch_batchnorm(layer):
    bn = torch.nn.BatchNorm1d(layer.num_features, eps=layer.eps, momentum=layer.momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(t(layer.gamma.value))
        bn.bias.copy_(t(layer.beta.value))
    return bn


def test_batchnorm_training_three_steps_then_eval(rng):
    layer = BatchNorm(4)
    layer.gamma.value[:] = rng.uniform(0.5, 2.0, size=4)
    layer.beta.value[:] = rng.normal(size=4)
    bn = torch_batchnorm(layer)
    for _ in range(3):
        X = rng.normal(loc=[0.0, 2.0, -1.0, 5.0], scale=[1.0, 3.0, 0.5, 2.0], size=(7, 4))
        dY = rng.normal(size=(7, 4))
        bn.zero_grad()
        Xt = t(X, grad=True)
        Yt = bn(Xt)
        Yt.backward(t(dY))
        close(layer.forward(X), Yt)
        close(layer.backward(dY), Xt.grad)
        close(layer.gamma.grad, bn.weight.grad)
        close(layer.beta.grad, bn.bias.grad)
        close(layer.running_mean, bn.running_mean)
        close(layer.running_var, bn.running_var)
    layer.eval()
    bn.eval()
    X, dY = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    Xt = t(X, grad=True)
    Yt = bn(Xt)
    Yt.backward(t(dY))
    close(layer.forward(X), Yt)
    close(layer.backward(dY), Xt.grad)


def test_dropout_in_eval_mode(rng):
    X = rng.normal(size=(4, 6))
    drop = torch.nn.Dropout(0.3).eval()
    close(Dropout(0.3, rng=0).eval().forward(X), drop(t(X)))


def loss_pair(ours, theirs, y_hat, y, y_torch=None):
    y_hat_t = t(y_hat, grad=True)
    value_t = theirs(y_hat_t, t(y) if y_torch is None else y_torch)
    value_t.backward()
    value = ours(y_hat, y)
    np.testing.assert_allclose(value, value_t.item(), **TOL)
    close(ours.backward(), y_hat_t.grad)


def test_mse_and_mae(rng):
    y_hat, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss_pair(MSE(), torch.nn.MSELoss(), y_hat, y)
    loss_pair(MAE(), torch.nn.L1Loss(), y_hat, y)


def test_binary_cross_entropy(rng):
    p, y = rng.uniform(0.05, 0.95, size=(6, 2)), rng.integers(0, 2, size=(6, 2)).astype(float)
    loss_pair(BinaryCrossEntropy(), torch.nn.BCELoss(), p, y)
    soft = rng.uniform(size=(6, 2))
    loss_pair(BinaryCrossEntropy(), torch.nn.BCELoss(), p, soft)


def test_softmax_cross_entropy_with_labels_one_hot_and_probabilities(rng):
    logits = rng.normal(0, 3, size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    labels_t = torch.tensor(labels)
    loss_pair(SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), logits, labels, labels_t)
    one_hot = np.eye(4)[labels]
    loss_pair(SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), logits, one_hot)
    probs = rng.dirichlet(np.ones(4), size=6)
    loss_pair(SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), logits, probs)


def test_cross_entropy_is_nll_of_the_log(rng):
    p = rng.dirichlet(np.ones(4), size=6)
    p = np.clip(p, 0.01, None) / np.clip(p, 0.01, None).sum(axis=1, keepdims=True)  # no probability near the clip
    labels = rng.integers(0, 4, size=6)
    loss_pair(CrossEntropy(), lambda q, y: F.nll_loss(torch.log(q), y), p, labels, torch.tensor(labels))


@pytest.mark.parametrize("activation, torch_activation", [
    ("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh), ("sigmoid", torch.nn.Sigmoid),
    ("leaky_relu", torch.nn.LeakyReLU),
])
def test_whole_mlp_parameter_gradients(activation, torch_activation, rng):
    net = mlp([4, 16, 8, 3], activation, rng=rng)
    modules = []
    for layer in net:
        modules.append(torch_linear(layer) if isinstance(layer, Dense) else torch_activation())
    torch_net = torch.nn.Sequential(*modules)
    X, labels = rng.normal(size=(10, 4)), rng.integers(0, 3, size=10)
    Xt = t(X, grad=True)
    value_t = torch.nn.CrossEntropyLoss()(torch_net(Xt), torch.tensor(labels))
    value_t.backward()

    loss = SoftmaxCrossEntropy()
    np.testing.assert_allclose(loss(net.forward(X), labels), value_t.item(), **TOL)
    close(net.backward(loss.backward()), Xt.grad)
    ours = [p.grad for p in net.parameters()]
    theirs = [p.grad for p in torch_net.parameters()]  # weight, bias per Linear, in order
    assert len(ours) == len(theirs) == 6
    for g, g_t in zip(ours, theirs):
        close(g, g_t)
