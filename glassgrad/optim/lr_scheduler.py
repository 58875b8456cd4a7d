"""PyTorch's learning-rate schedulers, as thin adapters over the pure functions in ``schedules.py``.

Each scheduler writes ``group['lr']`` for every parameter group of its optimizer when stepped (once after
each ``optimizer.step()``). Like PyTorch's, the time-based ones are chainable: a step multiplies the current
rate by ``f(t) / f(t - 1)`` (the cosine: moves it by that ratio towards ``eta_min``), so that several
schedulers on one optimizer compose (``ChainedScheduler``) and hand over (``SequentialLR``); ``f`` is the
pure schedule. Attribute names, ``state_dict()`` contents and the numbers are PyTorch's.

Warm-up then cosine decay, in one line:

>>> import glassgrad as gg
>>> opt = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=0.1)
>>> sched = gg.optim.lr_scheduler.warmup_cosine(opt, warmup_steps=3, total_steps=10)
>>> lrs = []
>>> for _ in range(10):
...     opt.step()
...     lrs.append(round(sched.get_last_lr()[0], 4))
...     sched.step()
>>> lrs
[0.025, 0.05, 0.075, 0.1, 0.095, 0.0812, 0.0611, 0.0389, 0.0188, 0.005]
"""
from __future__ import annotations

import math
import types
import warnings
from collections import Counter

from . import schedules
from .optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "SequentialLR",
           "ChainedScheduler", "ReduceLROnPlateau", "warmup_cosine"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available.")


class LRScheduler:
    """Base class: keeps ``base_lrs`` (each group's ``initial_lr``), ``last_epoch`` and ``get_last_lr()``."""

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "scheduler with last_epoch >= 0: load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict:
        """Every attribute but the optimizer (PyTorch's format)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list:
        """The learning rate of each parameter group, as last set by this scheduler."""
        return self._last_lr

    def get_lr(self) -> list:
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (call after ``optimizer.step()``) and write the new rates into the groups."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. You should call "
                          "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`. "
                          "Failure to do this will result in skipping the first value of the learning rate "
                          "schedule.", UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)


def _lrs(optimizer) -> list:
    return [group["lr"] for group in optimizer.param_groups]


def _warn_get_lr_called_within_step(scheduler) -> None:
    if not scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                      UserWarning, stacklevel=3)


class _Chained(LRScheduler):
    """A schedule ``base * f(t)`` applied in PyTorch's chainable form: ``lr *= f(t) / f(t - 1)``."""

    _resume_keeps_lr = False  # PyTorch's LinearLR and ExponentialLR leave the rate alone when resuming

    def _factor(self, t: int) -> float:
        raise NotImplementedError

    def get_lr(self) -> list:
        _warn_get_lr_called_within_step(self)
        t = self.last_epoch
        if self._is_initial and t > 0 and self._resume_keeps_lr:
            return _lrs(self.optimizer)
        now = self._factor(t)
        before = 1.0 if t == 0 else self._factor(t - 1)
        if now == before:  # the common case: the rate stays exactly as it is
            return _lrs(self.optimizer)
        return [group["lr"] * (now / before) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        return [base * self._factor(self.last_epoch) for base in self.base_lrs]


class StepLR(_Chained):
    """Multiply the rate by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return schedules.step_decay(t, self.step_size, self.gamma)


class MultiStepLR(_Chained):
    """Multiply the rate by ``gamma`` at each of the ``milestones`` (steps)."""

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return schedules.multi_step(t, self.milestones.elements(), self.gamma)


class ConstantLR(_Chained):
    """Multiply the rate by ``factor`` until step ``total_iters``."""

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return schedules.constant(t, self.factor, self.total_iters)


class LinearLR(_Chained):
    """Scale the rate by a factor going linearly from ``start_factor`` to ``end_factor`` over ``total_iters``.

    >>> import glassgrad as gg
    >>> opt = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> opt.step(); sched.step(); opt.step(); sched.step()
    >>> sched.get_last_lr()
    [1.0]
    """

    _resume_keeps_lr = True

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal "
                             "to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return schedules.linear(t, self.start_factor, self.end_factor, self.total_iters)


class ExponentialLR(_Chained):
    """Multiply the rate by ``gamma`` every step."""

    _resume_keeps_lr = True

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _factor(self, t):
        return schedules.exponential(t, self.gamma)


class CosineAnnealingLR(LRScheduler):
    """Anneal the rate along a cosine from the initial rate to ``eta_min`` over ``T_max`` steps."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        _warn_get_lr_called_within_step(self)
        t, T, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _lrs(self.optimizer)
        if self._step_count == 1 and t > 0:
            return self._get_closed_form_lr()
        now, before = schedules.cosine(t, T), schedules.cosine(t - 1, T)
        if (t - 1 - T) % (2 * T) == 0:  # leaving the trough, where the ratio form would divide by zero
            return [group["lr"] + (base - low) * (now - before)
                    for base, group in zip(self.base_lrs, self.optimizer.param_groups, strict=True)]
        return [low + (group["lr"] - low) * (now / before) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list:
        return [schedules.cosine(self.last_epoch, self.T_max, base, self.eta_min) for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every ``T_i`` steps, the first cycle ``T_0`` long, each next ``T_mult``
    times longer (SGDR). ``step(epoch)`` accepts fractional epochs."""

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min, self.T_cur = T_0, T_0, T_mult, eta_min, last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list:
        _warn_get_lr_called_within_step(self)
        return [schedules.cosine(self.T_cur, self.T_i, base, self.eta_min) for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self.T_cur, self.T_i = schedules.warm_restart_position(epoch, self.T_0, self.T_mult)
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)


class _Lambdas(LRScheduler):
    """Schedules given as user functions of the step (one, or one per group)."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        """As PyTorch: a lambda's state is saved only for callable objects (their ``__dict__``)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        for fn, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class LambdaLR(_Lambdas):
    """The initial rate times ``lr_lambda(step)``.

    >>> import glassgrad as gg
    >>> opt = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = LambdaLR(opt, lambda step: 0.5 ** step)
    >>> opt.step(); sched.step(); sched.get_last_lr()
    [0.5]
    """

    def get_lr(self) -> list:
        _warn_get_lr_called_within_step(self)
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(_Lambdas):
    """Multiply the rate by ``lr_lambda(step)`` every step."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        for fn in _lambdas(optimizer, lr_lambda):
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self) -> list:
        _warn_get_lr_called_within_step(self)
        if self._is_initial:
            return _lrs(self.optimizer)
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)]


def _lambdas(optimizer, lr_lambda) -> list:
    if not isinstance(lr_lambda, (list, tuple)):
        return [lr_lambda] * len(optimizer.param_groups)
    if len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
    return list(lr_lambda)


# The one-cycle policy, schedulers made of schedulers and the metric-driven one have their own files.
from ._plateau import ReduceLROnPlateau  # noqa: E402
from ._one_cycle import OneCycleLR  # noqa: E402
from ._sequencing import ChainedScheduler, SequentialLR  # noqa: E402


def warmup_cosine(optimizer: Optimizer, warmup_steps: int, total_steps: int, min_lr: float = 0.0,
                  start_factor: float | None = None) -> LRScheduler:
    """Linear warm-up for ``warmup_steps`` to each group's rate, then a cosine down to ``min_lr`` at
    ``total_steps``: PyTorch's ``SequentialLR([LinearLR, CosineAnnealingLR], milestones=[warmup_steps])``,
    with the numbers of ``schedules.warmup_cosine``. Warm-up starts at ``lr / (warmup_steps + 1)`` unless
    ``start_factor`` says otherwise."""
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(f"warmup_cosine: need 0 <= warmup_steps < total_steps, got {warmup_steps} and "
                         f"{total_steps}")
    if warmup_steps == 0:
        return CosineAnnealingLR(optimizer, T_max=total_steps, eta_min=min_lr)
    start = schedules.default_start_factor(warmup_steps, start_factor)
    warmup = LinearLR(optimizer, start, 1.0, warmup_steps)
    decay = CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps, eta_min=min_lr)
    return SequentialLR(optimizer, [warmup, decay], milestones=[warmup_steps])
