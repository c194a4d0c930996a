"""Oracle tests: dlcore's optimizers and schedules against PyTorch's, fed the same gradients.

Skipped when torch is not installed.
"""

import numpy as np
import pytest

from dlcore import optimizers as opt
from dlcore.layers import Parameter

torch = pytest.importorskip("torch")

NUM_STEPS = 20

# (dlcore optimizer, torch optimizer, keyword arguments both accept)
CASES = {
    "sgd": (opt.SGD, torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum": (opt.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": (opt.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    "sgd_weight_decay": (opt.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    "sgd_nesterov_weight_decay": (opt.SGD, torch.optim.SGD,
                                  {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.3}),
    "rmsprop": (opt.RMSProp, torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop_options": (opt.RMSProp, torch.optim.RMSprop,
                        {"lr": 0.02, "alpha": 0.9, "eps": 1e-3, "momentum": 0.7, "weight_decay": 0.05}),
    "adam": (opt.Adam, torch.optim.Adam, {"lr": 1e-3}),
    "adam_options": (opt.Adam, torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-2}),
    "adam_weight_decay": (opt.Adam, torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.2}),
}


def gradient_sequence(rng, shapes):
    """Random gradients for NUM_STEPS steps; the vector's gradient is missing on some steps (grad None)."""
    steps = []
    for t in range(NUM_STEPS):
        grads = [rng.normal(scale=10.0 ** rng.uniform(-3, 1), size=s) for s in shapes]
        if t % 4 == 1:
            grads[1] = None
        steps.append(grads)
    return steps


def run_both(name, dtype, rng):
    ours_cls, torch_cls, kwargs = CASES[name]
    shapes = [(4, 3), (4,), (2, 5)]
    values = [rng.normal(size=s).astype(dtype) for s in shapes]
    params = [Parameter(v.copy()) for v in values]
    tensors = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    ours, theirs = ours_cls(params, **kwargs), torch_cls(tensors, **kwargs)
    for grads in gradient_sequence(rng, shapes):
        for p, t, g in zip(params, tensors, grads):
            p.grad = None if g is None else g.astype(dtype)
            t.grad = None if g is None else torch.tensor(g.astype(dtype))
        ours.step()
        theirs.step()
    return params, tensors


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_float64(name):
    params, tensors = run_both(name, np.float64, np.random.default_rng(7))
    for p, t in zip(params, tensors):
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_float32(name):
    params, tensors = run_both(name, np.float32, np.random.default_rng(8))
    for p, t in zip(params, tensors):
        assert p.value.dtype == np.float32
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-4, atol=1e-5)


SCHEDULES = {
    "step": (lambda o: opt.StepLR(o, step_size=4, gamma=0.3),
             lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.3)),
    "exponential": (lambda o: opt.ExponentialLR(o, gamma=0.87),
                    lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.87)),
    "cosine": (lambda o: opt.CosineAnnealingLR(o, T_max=12, eta_min=0.01),
               lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.01)),
    "linear": (lambda o: opt.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=7),
               lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=0.9,
                                                           total_iters=7)),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_matches_torch(name):
    make_ours, make_theirs = SCHEDULES[name]
    ours = opt.SGD([Parameter(np.zeros(1))], lr=0.5)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    ours_schedule, theirs_schedule = make_ours(ours), make_theirs(theirs)
    ours_lrs, theirs_lrs = [ours.lr], [theirs.param_groups[0]["lr"]]
    for _ in range(30):   # past T_max, where both cosines turn back up
        theirs.step()     # torch warns if the schedule steps before the optimizer
        ours_schedule.step()
        theirs_schedule.step()
        ours_lrs.append(ours.lr)
        theirs_lrs.append(theirs.param_groups[0]["lr"])
    np.testing.assert_allclose(ours_lrs, theirs_lrs, rtol=1e-10, atol=1e-14)


def test_adam_with_a_step_schedule_matches_torch():
    rng = np.random.default_rng(3)
    value = rng.normal(size=(3, 3))
    p, t = Parameter(value.copy()), torch.tensor(value.copy(), requires_grad=True)
    ours, theirs = opt.Adam([p], lr=0.1), torch.optim.Adam([t], lr=0.1)
    ours_schedule = opt.StepLR(ours, step_size=3, gamma=0.5)
    theirs_schedule = torch.optim.lr_scheduler.StepLR(theirs, step_size=3, gamma=0.5)
    for _ in range(NUM_STEPS):
        g = rng.normal(size=(3, 3))
        p.grad, t.grad = g, torch.tensor(g)
        ours.step()
        theirs.step()
        ours_schedule.step()
        theirs_schedule.step()
    np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-10, atol=1e-12)
