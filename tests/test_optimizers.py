"""Optimizers and learning-rate schedules: steps worked out by hand, dtypes, convergence, argument errors."""

import math

import numpy as np
import pytest

from dlcore.layers import Dense, Parameter
from dlcore.losses import MSE
from dlcore.network import Sequential, mlp
from dlcore.optimizers import (
    SGD,
    Adam,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    RMSProp,
    StepLR,
    cosine_annealing_lr,
    exponential_lr,
    get_optimizer,
    linear_lr,
    step_lr,
)


def scalar_param(value):
    return Parameter(np.array([value]))


def run(opt, p, grads):
    """Feed ``grads`` one step at a time; return the parameter's value after each step."""
    values = []
    for g in grads:
        p.grad = np.array([g])
        opt.step()
        values.append(float(p.value[0]))
    return values


# Steps by hand ----------------------------------------------------------------------------------------------

def test_sgd_plain_step():
    p = Parameter(np.array([1.0, -2.0]))
    p.grad = np.array([0.5, 0.25])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.value, [1.0 - 0.05, -2.0 - 0.025], rtol=1e-15)


def test_sgd_momentum_two_steps():
    p = scalar_param(1.0)
    # v1 = 1.0, p1 = 1 - 0.1 * 1 = 0.9; v2 = 0.9 * 1 + 0.5 = 1.4, p2 = 0.9 - 0.1 * 1.4 = 0.76
    values = run(SGD([p], lr=0.1, momentum=0.9), p, [1.0, 0.5])
    np.testing.assert_allclose(values, [0.9, 0.76], rtol=1e-14)


def test_sgd_nesterov_two_steps():
    p = scalar_param(1.0)
    # v1 = 1, p1 = 1 - 0.1 * (1 + 0.9 * 1) = 0.81
    # v2 = 0.9 + 0.5 = 1.4, p2 = 0.81 - 0.1 * (0.5 + 0.9 * 1.4) = 0.634
    values = run(SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [1.0, 0.5])
    np.testing.assert_allclose(values, [0.81, 0.634], rtol=1e-14)


def test_sgd_weight_decay_is_added_to_the_gradient():
    p = scalar_param(2.0)
    # g = 1 + 0.1 * 2 = 1.2, v1 = 1.2, p1 = 2 - 0.12 = 1.88; g = 1 + 0.188 = 1.188, v2 = 1.08 + 1.188 = 2.268
    values = run(SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1), p, [1.0, 1.0])
    np.testing.assert_allclose(values, [1.88, 1.88 - 0.2268], rtol=1e-14)


def test_rmsprop_two_steps():
    p = scalar_param(1.0)
    values = run(RMSProp([p], lr=0.01, alpha=0.9, eps=1e-8), p, [2.0, -1.0])
    s1 = 0.1 * 2.0**2                                   # 0.4
    p1 = 1.0 - 0.01 * 2.0 / (math.sqrt(s1) + 1e-8)
    s2 = 0.9 * s1 + 0.1 * (-1.0) ** 2                    # 0.46
    p2 = p1 - 0.01 * (-1.0) / (math.sqrt(s2) + 1e-8)
    np.testing.assert_allclose(values, [p1, p2], rtol=1e-14)


def test_rmsprop_with_momentum_two_steps():
    p = scalar_param(1.0)
    values = run(RMSProp([p], lr=0.01, alpha=0.9, eps=0.1, momentum=0.5), p, [2.0, -1.0])
    v1 = 2.0 / (math.sqrt(0.4) + 0.1)
    v2 = 0.5 * v1 + (-1.0) / (math.sqrt(0.46) + 0.1)
    np.testing.assert_allclose(values, [1.0 - 0.01 * v1, 1.0 - 0.01 * v1 - 0.01 * v2], rtol=1e-14)


@pytest.mark.parametrize("eps", [1e-8, 0.5])
def test_adam_two_steps(eps):
    p = scalar_param(1.0)
    values = run(Adam([p], lr=0.1, betas=(0.9, 0.999), eps=eps), p, [2.0, -1.0])
    m1, v1 = 0.1 * 2.0, 0.001 * 4.0                                   # 0.2, 0.004
    m1_hat, v1_hat = m1 / (1 - 0.9), v1 / (1 - 0.999)                 # 2, 4
    p1 = 1.0 - 0.1 * m1_hat / (math.sqrt(v1_hat) + eps)
    m2, v2 = 0.9 * m1 + 0.1 * (-1.0), 0.999 * v1 + 0.001 * 1.0        # 0.08, 0.004996
    m2_hat, v2_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.999**2)
    p2 = p1 - 0.1 * m2_hat / (math.sqrt(v2_hat) + eps)
    np.testing.assert_allclose(values, [p1, p2], rtol=1e-13)


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    p = Parameter(np.zeros(3))
    p.grad = np.array([1e-3, -5.0, 1e4])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, [-0.01, 0.01, -0.01], rtol=1e-4)


def test_adam_weight_decay_two_steps():
    p = scalar_param(1.0)
    values = run(Adam([p], lr=0.1, weight_decay=0.5), p, [2.0, -1.0])
    g1 = 2.0 + 0.5 * 1.0
    p1 = 1.0 - 0.1 * g1 / (math.sqrt(g1**2) + 1e-8)
    g2 = -1.0 + 0.5 * p1
    m2, v2 = 0.9 * 0.1 * g1 + 0.1 * g2, 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    p2 = p1 - 0.1 * (m2 / (1 - 0.81)) / (math.sqrt(v2 / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(values, [p1, p2], rtol=1e-13)


# Behaviour shared by every optimizer ------------------------------------------------------------------------

ALL = [
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: RMSProp(ps, lr=0.01, momentum=0.5, weight_decay=0.01),
    lambda ps: Adam(ps, lr=0.01, weight_decay=0.01),
]
NAMES = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_float32_stays_float32_and_matches_float64(make):
    rng = np.random.default_rng(0)
    W, grads = rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4))
    p32, p64 = Parameter(W.astype(np.float32)), Parameter(W.copy())
    opt32, opt64 = make([p32]), make([p64])
    for g in grads:
        p32.grad, p64.grad = g.astype(np.float32), g
        opt32.step()
        opt64.step()
    assert p32.value.dtype == np.float32
    np.testing.assert_allclose(p32.value, p64.value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_step_updates_in_place_and_skips_missing_gradients(make):
    a, b = Parameter(np.ones((2, 2))), Parameter(np.ones(2))
    value_a, opt = a.value, make([a, b])
    a.grad = np.full((2, 2), 0.5)
    opt.step()
    assert a.value is value_a and np.all(a.value < 1.0)
    np.testing.assert_array_equal(b.value, np.ones(2))


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_zero_grad_sets_gradients_to_none(make):
    p = Parameter(np.ones(3))
    p.grad = np.ones(3)
    opt = make([p])
    opt.zero_grad()
    assert p.grad is None
    opt.step()
    np.testing.assert_array_equal(p.value, np.ones(3))


def test_adam_counts_steps_per_parameter():
    a, b = scalar_param(0.0), scalar_param(0.0)
    opt = Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()
    b.grad = np.array([3.0])
    opt.step()
    # b's first step is a first step (bias correction with t = 1): size lr.
    np.testing.assert_allclose(b.value, [-0.1], rtol=1e-8)


def test_a_wrongly_shaped_gradient_is_refused_not_broadcast():
    p = Parameter(np.ones((2, 3)), "W")
    p.grad = np.ones(3)
    message = r"Adam.step: Parameter\('W'.*gradient of shape \(3,\); expected the parameter's shape \(2, 3\)"
    with pytest.raises(ValueError, match=message):
        Adam([p]).step()


def test_gradient_is_not_modified_by_weight_decay():
    p = Parameter(np.ones(2))
    g = np.array([0.5, -0.5])
    p.grad = g.copy()
    SGD([p], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_array_equal(p.grad, g)


@pytest.mark.parametrize("name, lr", [("sgd", 0.05), ("momentum", 0.01), ("nesterov", 0.01),
                                      ("rmsprop", 0.01), ("adam", 0.05)])
def test_every_optimizer_minimises_an_ill_conditioned_quadratic(name, lr):
    a = np.array([1.0, 10.0])           # f(x) = sum(a * x**2) / 2, gradient a * x, minimum at 0
    p = Parameter(np.array([3.0, -2.0]))
    opt = get_optimizer(name, [p], lr=lr)
    for _ in range(1000):
        p.grad = a * p.value
        opt.step()
    assert np.linalg.norm(p.value) < 1e-6, p.value


def test_training_a_network_reduces_the_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:]).astype(np.float32)
    net, loss = mlp([2, 16, 1], "tanh", rng=0, dtype=np.float32), MSE()
    opt = Adam(net.parameters(), lr=0.01)
    first = loss(net(X), y)
    for _ in range(300):
        loss(net(X), y)
        net.backward(loss.backward())
        opt.step()
    assert loss(net(X), y) < 0.5 * first
    assert all(p.value.dtype == np.float32 for p in net.parameters())


def test_hyperparameters_can_change_between_steps():
    p = scalar_param(1.0)
    opt = SGD([p], lr=0.1)
    opt.momentum = 0.9                   # as a widget slider does
    run(opt, p, [1.0, 1.0])
    np.testing.assert_allclose(p.value, [1.0 - 0.1 - 0.19], rtol=1e-14)


def test_repr_names_the_hyperparameters():
    text = repr(Adam([scalar_param(0.0)], lr=0.5))
    assert text.startswith("Adam(lr=0.5, betas=(0.9, 0.999)") and "1 parameters" in text


# get_optimizer ----------------------------------------------------------------------------------------------

def test_get_optimizer_builds_each_named_optimizer():
    ps = [scalar_param(0.0)]
    assert type(get_optimizer("sgd", ps)) is SGD and get_optimizer("sgd", ps).momentum == 0.0
    momentum = get_optimizer("Momentum", ps, lr=0.3)
    assert momentum.momentum == 0.9 and momentum.lr == 0.3 and not momentum.nesterov
    assert get_optimizer("nesterov", ps).nesterov
    assert get_optimizer("momentum", ps, momentum=0.5).momentum == 0.5
    assert type(get_optimizer("rmsprop", ps)) is RMSProp
    assert type(get_optimizer("adam", ps)) is Adam


def test_get_optimizer_unknown_name_lists_the_known_ones():
    known = "sgd, momentum, nesterov, rmsprop, adam"
    with pytest.raises(ValueError, match=f"unknown optimizer 'adagrad'; known optimizers: {known}"):
        get_optimizer("adagrad", [scalar_param(0.0)])


# Argument errors --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda ps: SGD(ps, lr=-0.1), ValueError, r"SGD: lr must be >= 0, got -0.1"),
    (lambda ps: SGD(ps, lr="0.1"), TypeError, r"SGD: lr must be a number, got str"),
    (lambda ps: SGD(ps, lr=float("nan")), ValueError, r"SGD: lr must be >= 0, got nan"),
    (lambda ps: SGD(ps, momentum=1.0), ValueError, r"SGD: momentum must be in \[0, 1\), got 1.0"),
    (lambda ps: SGD(ps, momentum=-0.5), ValueError, r"SGD: momentum must be in \[0, 1\)"),
    (lambda ps: SGD(ps, nesterov=True), ValueError, r"nesterov=True needs momentum > 0"),
    (lambda ps: SGD(ps, weight_decay=-1), ValueError, r"SGD: weight_decay must be >= 0"),
    (lambda ps: RMSProp(ps, alpha=1.0), ValueError, r"RMSProp: alpha must be in \[0, 1\)"),
    (lambda ps: RMSProp(ps, eps=-1e-8), ValueError, r"RMSProp: eps must be >= 0"),
    (lambda ps: Adam(ps, betas=(1.0, 0.999)), ValueError, r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
    (lambda ps: Adam(ps, betas=(0.9, -0.1)), ValueError, r"Adam: betas\[1\] must be in \[0, 1\)"),
    (lambda ps: Adam(ps, betas=0.9), ValueError, r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
    (lambda ps: Adam(ps, betas=(0.9, 0.99, 0.999)), ValueError, r"betas must be a pair"),
])
def test_bad_hyperparameters_are_explained(make, error, message):
    with pytest.raises(error, match=message):
        make([scalar_param(0.0)])


def test_setting_a_negative_lr_later_is_refused():
    opt = SGD([scalar_param(0.0)])
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.lr = -1.0


@pytest.mark.parametrize("params, error, message", [
    ([], ValueError, "empty parameter list"),
    ([Parameter(np.ones(2)), np.ones(2)], TypeError, "expected Parameters, got ndarray at position 1"),
    (Parameter(np.ones(2)), TypeError, "got a single Parameter; wrap it"),
    (Sequential(Dense(2, 1, rng=0)), TypeError, r"expected net.parameters\(\), got the Sequential itself"),
    (3, TypeError, "expected an iterable of Parameters"),
])
def test_bad_parameter_lists_are_explained(params, error, message):
    with pytest.raises(error, match=message):
        Adam(params)


def test_a_parameter_listed_twice_is_refused():
    p = scalar_param(0.0)
    with pytest.raises(ValueError, match="same Parameter twice"):
        SGD([p, p])


def test_parameters_from_a_generator_are_kept():
    ps = [scalar_param(1.0), scalar_param(2.0)]
    opt = SGD(p for p in ps)
    assert opt.params == ps


# Learning-rate schedules ------------------------------------------------------------------------------------

def schedule_lrs(make_schedule, base_lr, num_epochs):
    """The optimizer's learning rate at epochs 0 .. num_epochs - 1 (one scheduler.step() per epoch)."""
    opt = SGD([scalar_param(0.0)], lr=base_lr)
    schedule = make_schedule(opt)
    lrs = [opt.lr]
    for _ in range(num_epochs - 1):
        schedule.step()
        lrs.append(opt.lr)
    return lrs, schedule


def test_step_lr():
    lrs, schedule = schedule_lrs(lambda o: StepLR(o, step_size=3, gamma=0.5), 1.0, 8)
    np.testing.assert_allclose(lrs, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], rtol=1e-15)
    np.testing.assert_allclose(step_lr(np.arange(8), 1.0, 3, 0.5), lrs, rtol=1e-15)
    assert schedule.epoch == 7 and schedule.lr_at(9) == 0.125


def test_exponential_lr():
    lrs, _ = schedule_lrs(lambda o: ExponentialLR(o, gamma=0.9), 0.2, 4)
    np.testing.assert_allclose(lrs, [0.2, 0.18, 0.162, 0.1458], rtol=1e-14)
    assert exponential_lr(2, 0.2, 0.9) == pytest.approx(0.162, rel=1e-14)


def test_cosine_annealing_lr():
    lrs, _ = schedule_lrs(lambda o: CosineAnnealingLR(o, T_max=4, eta_min=0.1), 1.1, 5)
    # 0.1 + 1.0 * (1 + cos(pi * t / 4)) / 2 for t = 0..4
    expected = [1.1, 0.1 + (1 + math.sqrt(0.5)) / 2, 0.6, 0.1 + (1 - math.sqrt(0.5)) / 2, 0.1]
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)
    np.testing.assert_allclose(cosine_annealing_lr(np.arange(5), 1.1, 4, 0.1), expected, rtol=1e-14)
    assert isinstance(cosine_annealing_lr(2, 1.0, 4), float)


def test_linear_warmup_lr():
    lrs, _ = schedule_lrs(lambda o: LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3), 0.4, 6)
    np.testing.assert_allclose(lrs, [0.1, 0.2, 0.3, 0.4, 0.4, 0.4], rtol=1e-14)
    np.testing.assert_allclose(linear_lr(np.arange(6), 0.4, 0.25, 1.0, 3), lrs, rtol=1e-14)
    assert isinstance(linear_lr(1, 0.4), float)


def test_schedule_drives_the_step_size():
    p = scalar_param(0.0)
    opt = SGD([p], lr=1.0)
    schedule = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = np.array([1.0])
        opt.step()
        schedule.step()
    np.testing.assert_allclose(p.value, [-(1.0 + 0.5 + 0.25)], rtol=1e-15)


@pytest.mark.parametrize("make, error, message", [
    (lambda o: StepLR(o, step_size=0), ValueError, "StepLR: step_size must be an integer >= 1, got 0"),
    (lambda o: StepLR(o, step_size=2.5), TypeError, "StepLR: step_size must be an integer, got 2.5"),
    (lambda o: ExponentialLR(o, gamma=-0.5), ValueError, "ExponentialLR: gamma must be >= 0"),
    (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "CosineAnnealingLR: T_max must be an integer >= 1"),
    (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1), ValueError, "eta_min must be >= 0"),
    (lambda o: LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be in \(0, 1\]"),
    (lambda o: LinearLR(o, end_factor=1.5), ValueError, r"end_factor in \[0, 1\]"),
    (lambda o: StepLR(o.params, step_size=2), TypeError, "StepLR expected an Optimizer such as SGD"),
])
def test_bad_schedule_arguments_are_explained(make, error, message):
    with pytest.raises(error, match=message):
        make(SGD([scalar_param(0.0)]))


def test_schedules_refuse_negative_epochs():
    with pytest.raises(ValueError, match="epochs >= 0, got -1"):
        exponential_lr(-1, 0.1, 0.9)
