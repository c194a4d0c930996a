"""Optimizers: how a gradient becomes a step (Chapter 7).

Backpropagation computes the gradient ``g = dL/dp`` of every parameter ``p``; an optimizer decides how far
to move ``p`` along ``-g``. Plain gradient descent takes ``p <- p - eta * g``. Momentum adds a running sum of
past gradients, so steps grow along directions that keep agreeing and cancel across a ravine; RMSProp divides
each coordinate by a running root-mean-square of its gradients, so every coordinate takes steps of similar
size; Adam does both, with a bias correction for the zero start of its averages.

Every optimizer here follows PyTorch's formulas exactly (the oracle tests compare them step by step), and
updates ``Parameter.value`` in place with a few NumPy calls per parameter, keeping the parameters' dtype.

A training step reads::

    opt = Adam(net.parameters(), lr=1e-3)
    y_hat = net(X); loss(y_hat, y); net.backward(loss.backward()); opt.step()

Learning-rate schedules (``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``) change ``opt.lr``
once per epoch; each has a pure function of the epoch (``step_lr``, ...) for plotting a schedule on its own.
"""

import math
import numbers

import numpy as np

from ._checks import check_positive_int
from .layers import Parameter

__all__ = [
    "Optimizer", "SGD", "RMSProp", "Adam", "OPTIMIZERS", "get_optimizer",
    "step_lr", "exponential_lr", "cosine_annealing_lr", "linear_lr",
    "LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
]


def _check_real(value, name, low=0.0, high=None, owner="Optimizer"):
    """Return ``value`` as a float after checking ``low <= value`` (and ``value < high`` when given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < low or (high is not None and value >= high):
        interval = f"in [{low:g}, {high:g})" if high is not None else f">= {low:g}"
        raise ValueError(f"{owner}: {name} must be {interval}, got {value!r}")
    return value


def _as_parameter_list(params, owner):
    """Turn ``params`` (e.g. ``net.parameters()``) into a list of distinct Parameters, or explain."""
    if isinstance(params, Parameter):
        raise TypeError(f"{owner} expected a list of Parameters, got a single Parameter; wrap it: [param]")
    if callable(getattr(params, "parameters", None)):
        raise TypeError(f"{owner} expected net.parameters(), got the {type(params).__name__} itself; "
                        "call .parameters() on it")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{owner} expected an iterable of Parameters such as net.parameters(), "
                        f"got {type(params).__name__}") from None
    if not params:
        raise ValueError(f"{owner} got an empty parameter list: there is nothing to optimise "
                         "(a network of activation layers alone has no parameters)")
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"{owner} expected Parameters, got {type(p).__name__} at position {i}")
        if not np.issubdtype(p.value.dtype, np.floating):
            raise TypeError(f"{owner} can only update floating-point parameters, "
                            f"got dtype {p.value.dtype} at position {i}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError(f"{owner} got the same Parameter twice; it would be updated twice per step")
    return params


class Optimizer:
    """Base class: holds the parameters, the learning rate ``lr`` and the weight decay (Chapter 7).

    Subclasses implement ``_update(i, p, g)``, the update of parameter ``p`` (number ``i``) from its gradient
    ``g``, where ``g`` already includes weight decay. ``step()`` skips parameters whose ``.grad`` is ``None``.

    Weight decay is PyTorch's coupled L2: ``g <- g + weight_decay * p`` for *every* parameter, biases included
    (``regularization.add_penalty_grads`` penalises the weight matrices only).
    """

    def __init__(self, params, lr, weight_decay=0.0):
        owner = type(self).__name__
        self.params = _as_parameter_list(params, owner)
        self.lr = lr
        self.weight_decay = _check_real(weight_decay, "weight_decay", owner=owner)
        # Scratch buffers, one per parameter, so a step allocates nothing. Every state buffer is allocated
        # even when unused, so changing a hyperparameter between steps (as widgets do) just works.
        self._tmp = [np.empty_like(p.value) for p in self.params]
        self._decayed = [np.empty_like(p.value) for p in self.params]

    @property
    def lr(self):
        """The learning rate ``eta``; schedules change it between epochs."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _check_real(value, "lr", owner=type(self).__name__)

    def zero_grad(self):
        """Set every ``.grad`` to ``None`` (as PyTorch does): a forgotten backward then skips the step."""
        for p in self.params:
            p.grad = None

    def step(self):
        """Update every parameter that has a gradient, in place."""
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if p.grad.shape != p.value.shape:
                # In-place updates would broadcast a wrong-shaped gradient silently.
                raise ValueError(f"{type(self).__name__}.step: {p!r} has a gradient of shape {p.grad.shape}; "
                                 f"expected the parameter's shape {p.value.shape}")
            self._update(i, p, self._gradient(i, p))

    def _gradient(self, i, p):
        """``g + weight_decay * p`` (PyTorch's coupled L2), or ``g`` itself when there is no weight decay."""
        if not self.weight_decay:
            return p.grad
        g = np.multiply(p.value, self.weight_decay, out=self._decayed[i])
        g += p.grad
        return g

    def _update(self, i, p, g):
        raise NotImplementedError

    def _hyperparameters(self):
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
        return f"{type(self).__name__}({args}; {len(self.params)} parameters)"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum, as PyTorch's ``SGD`` (Chapter 7).

    With velocity ``v`` (zeros at the start), momentum ``mu`` and learning rate ``eta``::

        plain:     p <- p - eta * g
        momentum:  v <- mu * v + g;   p <- p - eta * v
        Nesterov:  v <- mu * v + g;   p <- p - eta * (g + mu * v)

    The velocity is a sum of gradients, not an average (PyTorch's convention, dampening 0), so momentum ``mu``
    makes the steady-state step ``1 / (1 - mu)`` times larger: 10 times for ``mu = 0.9``.
    """

    def __init__(self, params, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_real(momentum, "momentum", high=1.0, owner="SGD")
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0 (Nesterov is a kind of momentum), "
                             "got momentum=0")
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i, p, g):
        step = g
        if self.momentum:
            v = self.velocity[i]
            v *= self.momentum
            v += g
            if self.nesterov:
                step = np.multiply(v, self.momentum, out=self._tmp[i])
                step += g
            else:
                step = v
        step = np.multiply(step, self.lr, out=self._tmp[i])
        p.value -= step

    def _hyperparameters(self):
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay}


class RMSProp(Optimizer):
    """RMSProp: divide each coordinate's step by a running RMS of its gradients, as PyTorch's ``RMSprop``.

    With ``s`` the running mean of squared gradients (zeros at the start)::

        s <- alpha * s + (1 - alpha) * g**2
        p <- p - eta * g / (sqrt(s) + eps)

    With ``momentum > 0`` the scaled gradient goes through a velocity first (PyTorch's convention)::

        v <- momentum * v + g / (sqrt(s) + eps);   p <- p - eta * v

    Chapter 7.
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.alpha = _check_real(alpha, "alpha", high=1.0, owner="RMSProp")
        self.eps = _check_real(eps, "eps", owner="RMSProp")
        self.momentum = _check_real(momentum, "momentum", high=1.0, owner="RMSProp")
        self.square_avg = [np.zeros_like(p.value) for p in self.params]
        self.velocity = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i, p, g):
        s, tmp = self.square_avg[i], self._tmp[i]
        s *= self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.alpha
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.eps
        step = np.divide(g, tmp, out=tmp)
        if self.momentum:
            v = self.velocity[i]
            v *= self.momentum
            v += step
            step = v
        step = np.multiply(step, self.lr, out=tmp)
        p.value -= step

    def _hyperparameters(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam: momentum and RMSProp together, with bias correction, as PyTorch's ``Adam`` (Kingma & Ba 2015).

    With first and second moments ``m``, ``v`` (zeros at the start) and the parameter's step count ``t``::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t),   v_hat = v / (1 - beta2**t)
        p <- p - eta * m_hat / (sqrt(v_hat) + eps)

    The corrections undo the pull towards zero of averages that start at zero (at ``t = 1``, ``m_hat = g``).
    The code folds them into one scalar: with ``c1 = 1 - beta1**t`` and ``c2 = 1 - beta2**t``, the last line
    is ``p <- p - (eta * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2))``, the same number in fewer passes.
    ``weight_decay`` is PyTorch's coupled L2 (added to ``g``), not AdamW's decoupled decay. Chapter 7.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_check_real(beta1, "betas[0]", high=1.0, owner="Adam"),
                      _check_real(beta2, "betas[1]", high=1.0, owner="Adam"))
        self.eps = _check_real(eps, "eps", owner="Adam")
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]
        # One count per parameter: a parameter skipped for lack of a gradient does not age (as in PyTorch).
        self.t = [0] * len(self.params)

    def _update(self, i, p, g):
        beta1, beta2 = self.betas
        m, v, tmp = self.m[i], self.v[i], self._tmp[i]
        self.t[i] += 1
        m *= beta1
        m += np.multiply(g, 1.0 - beta1, out=tmp)
        v *= beta2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - beta2
        v += tmp
        c1 = 1.0 - beta1 ** self.t[i]
        sqrt_c2 = math.sqrt(1.0 - beta2 ** self.t[i])
        np.sqrt(v, out=tmp)
        tmp += self.eps * sqrt_c2
        step = np.divide(m, tmp, out=tmp)
        step *= self.lr * sqrt_c2 / c1
        p.value -= step

    def _hyperparameters(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}


OPTIMIZERS = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "rmsprop": (RMSProp, {}),
    "adam": (Adam, {}),
}


def get_optimizer(name, params, **kwargs):
    """Build an optimizer by name: "sgd", "momentum" (SGD, momentum 0.9), "nesterov", "rmsprop" or "adam".

    Keyword arguments override the defaults, e.g. ``get_optimizer("momentum", net.parameters(), lr=0.1,
    momentum=0.5)``. Chapter 7.
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known optimizers: {', '.join(OPTIMIZERS)}")
    cls, defaults = OPTIMIZERS[key]
    return cls(params, **{**defaults, **kwargs})


# Learning-rate schedules ------------------------------------------------------------------------------------
# Pure functions of the epoch (an int or an array of ints) first, for plotting; then classes applying them.

def _check_epoch(epoch):
    if np.any(np.asarray(epoch) < 0):
        raise ValueError(f"a schedule is defined for epochs >= 0, got {epoch!r}")


def step_lr(epoch, lr, step_size, gamma=0.1):
    """Step decay: ``lr * gamma ** (epoch // step_size)``, so the rate drops by ``gamma`` every ``step_size``
    epochs. ``epoch`` may be an int or an array of ints. Chapter 7."""
    _check_epoch(epoch)
    return lr * gamma ** (epoch // step_size)


def exponential_lr(epoch, lr, gamma):
    """Exponential decay: ``lr * gamma ** epoch``. Chapter 7."""
    _check_epoch(epoch)
    return lr * gamma ** epoch


def cosine_annealing_lr(epoch, lr, T_max, eta_min=0.0):
    """Cosine annealing: ``eta_min + (lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``.

    Falls from ``lr`` at epoch 0 to ``eta_min`` at epoch ``T_max``; as in PyTorch, it then rises again (the
    cosine is periodic), so train for ``T_max`` epochs. Chapter 7.
    """
    _check_epoch(epoch)
    value = eta_min + (lr - eta_min) * (1.0 + np.cos(np.pi * np.asarray(epoch) / T_max)) / 2.0
    return float(value) if np.ndim(value) == 0 else value


def linear_lr(epoch, lr, start_factor=1.0 / 3.0, end_factor=1.0, total_iters=5):
    """Linear warm-up (or decay): ``lr`` times a factor that goes linearly from ``start_factor`` at epoch 0 to
    ``end_factor`` at epoch ``total_iters`` and stays there, as PyTorch's ``LinearLR``. Chapter 7."""
    _check_epoch(epoch)
    value = lr * (start_factor + (end_factor - start_factor) * np.minimum(epoch, total_iters) / total_iters)
    return float(value) if np.ndim(value) == 0 else value


class LRScheduler:
    """Base class: sets ``optimizer.lr = lr_at(epoch)``, with ``epoch`` counting the calls to ``step()``.

    Call ``step()`` once at the end of every epoch, as in PyTorch. Built at epoch 0, it remembers the
    optimizer's learning rate as ``base_lr`` and sets ``optimizer.lr = lr_at(0)``. Chapter 7.
    """

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} expected an Optimizer such as SGD(...), "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch):
        """The learning rate this schedule gives at ``epoch`` (an int or an array of ints)."""
        raise NotImplementedError

    def step(self):
        """Move to the next epoch and set the optimizer's learning rate; returns the new rate."""
        self.epoch += 1
        self.optimizer.lr = float(self.lr_at(self.epoch))
        return self.optimizer.lr


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs (see ``step_lr``). Chapter 7."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_positive_int(step_size, "StepLR: step_size")
        self.gamma = _check_real(gamma, "gamma", owner="StepLR")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return step_lr(epoch, self.base_lr, self.step_size, self.gamma)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch (see ``exponential_lr``). Chapter 7."""

    def __init__(self, optimizer, gamma):
        self.gamma = _check_real(gamma, "gamma", owner="ExponentialLR")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return exponential_lr(epoch, self.base_lr, self.gamma)


class CosineAnnealingLR(LRScheduler):
    """Lower the learning rate along half a cosine, to ``eta_min`` at epoch ``T_max`` (see
    ``cosine_annealing_lr``). Chapter 7."""

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = check_positive_int(T_max, "CosineAnnealingLR: T_max")
        self.eta_min = _check_real(eta_min, "eta_min", owner="CosineAnnealingLR")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return cosine_annealing_lr(epoch, self.base_lr, self.T_max, self.eta_min)


class LinearLR(LRScheduler):
    """Linear warm-up: scale the learning rate from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs (see ``linear_lr``). Small first steps keep early, badly scaled gradients from throwing the
    parameters far away, which matters most for Adam, whose second-moment estimate is poor at first.
    Chapter 7."""

    def __init__(self, optimizer, start_factor=1.0 / 3.0, end_factor=1.0, total_iters=5):
        self.start_factor = _check_real(start_factor, "start_factor", owner="LinearLR")
        self.end_factor = _check_real(end_factor, "end_factor", owner="LinearLR")
        if not (0.0 < self.start_factor <= 1.0 and self.end_factor <= 1.0):
            raise ValueError("LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], "
                             f"got start_factor={start_factor!r}, end_factor={end_factor!r}")
        self.total_iters = check_positive_int(total_iters, "LinearLR: total_iters")
        super().__init__(optimizer)

    def lr_at(self, epoch):
        return linear_lr(epoch, self.base_lr, self.start_factor, self.end_factor, self.total_iters)
