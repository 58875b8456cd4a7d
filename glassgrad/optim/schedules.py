"""Learning-rate schedules as pure functions of the step: nothing to construct, nothing to step.

Each returns the learning rate at ``step`` for a starting rate ``base`` (``base=1.0`` gives the factor), so a
plot needs no optimizer: ``[cosine(t, 100, base=0.1) for t in range(100)]``. The scheduler classes in
``lr_scheduler`` are thin adapters over these, and their numbers agree with PyTorch's.

>>> round(warmup_cosine(0, warmup=4, total=20, base=1.0), 3)   # warm-up from base / (warmup + 1)
0.2
>>> warmup_cosine(4, warmup=4, total=20, base=1.0)             # the peak
1.0
>>> round(cosine(50, 100, base=1.0, min_lr=0.1), 3)            # halfway down
0.55
"""
from __future__ import annotations

import math
from bisect import bisect_right

__all__ = ["constant", "linear", "step_decay", "multi_step", "exponential", "cosine", "warm_restart_position",
           "cosine_warm_restarts", "one_cycle_ends", "phase_position", "anneal", "one_cycle",
           "one_cycle_momentum", "warmup_cosine"]


def constant(step: int, factor: float = 1.0 / 3, total_iters: int = 5, base: float = 1.0) -> float:
    """``base * factor`` before ``total_iters``, then ``base`` (``ConstantLR``)."""
    return base * (factor if step < total_iters else 1.0)


def linear(step: int, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5,
           base: float = 1.0) -> float:
    """From ``base * start_factor`` at step 0 straight to ``base * end_factor`` at ``total_iters``
    (``LinearLR``).

    >>> [linear(t, 0.5, 1.0, 2) for t in range(4)]
    [0.5, 0.75, 1.0, 1.0]
    """
    if total_iters <= 0:
        return base * end_factor
    return base * (start_factor + (end_factor - start_factor) * min(total_iters, step) / total_iters)


def step_decay(step: int, step_size: int, gamma: float = 0.1, base: float = 1.0) -> float:
    """``base * gamma ** (step // step_size)``: decay by ``gamma`` every ``step_size`` steps (``StepLR``)."""
    return base * gamma ** (step // step_size)


def multi_step(step: int, milestones, gamma: float = 0.1, base: float = 1.0) -> float:
    """Decay by ``gamma`` at each milestone passed (a repeated milestone decays again) (``MultiStepLR``).

    >>> [multi_step(t, [1, 3], 0.5) for t in range(5)]
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    return base * gamma ** bisect_right(sorted(milestones), step)


def exponential(step: int, gamma: float, base: float = 1.0) -> float:
    """``base * gamma ** step`` (``ExponentialLR``)."""
    return base * gamma ** step


def cosine(step: float, total: float, base: float = 1.0, min_lr: float = 0.0) -> float:
    """Half a cosine from ``base`` at step 0 to ``min_lr`` at ``total`` (``CosineAnnealingLR``).

    Past ``total`` the cosine goes on, back up towards ``base`` by ``2 * total``, as PyTorch's does.
    """
    return min_lr + (base - min_lr) * (1 + math.cos(math.pi * step / total)) / 2


def warm_restart_position(step: float, T_0: int, T_mult: int = 1) -> tuple:
    """``(T_cur, T_i)``: the steps since the last restart, and the length of the current cycle, when the
    first cycle lasts ``T_0`` steps and each next one ``T_mult`` times longer (SGDR)."""
    T_cur, T_i = step, T_0
    if T_mult == 1:
        return (step % T_0 if step >= T_0 else step), T_0
    while T_cur >= T_i:  # one pass per restart: a few dozen at most before T_i overflows any schedule
        T_cur -= T_i
        T_i *= T_mult
    return T_cur, T_i


def cosine_warm_restarts(step: float, T_0: int, T_mult: int = 1, base: float = 1.0,
                         min_lr: float = 0.0) -> float:
    """Cosine from ``base`` to ``min_lr`` over each cycle, restarting at ``base``
    (``CosineAnnealingWarmRestarts``).

    >>> [round(cosine_warm_restarts(t, 2, base=1.0), 2) for t in range(5)]
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """
    T_cur, T_i = warm_restart_position(step, T_0, T_mult)
    return cosine(T_cur, T_i, base, min_lr)


# The phases of the one-cycle policy (PyTorch's OneCycleLR): (start lr, end lr, start momentum, end momentum),
# named as the values OneCycleLR keeps in each parameter group.
TWO_PHASES = (("initial_lr", "max_lr", "max_momentum", "base_momentum"),
              ("max_lr", "min_lr", "base_momentum", "max_momentum"))
THREE_PHASES = (("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
                ("initial_lr", "min_lr", "max_momentum", "max_momentum"))


def one_cycle_ends(total_steps: int, pct_start: float = 0.3, three_phase: bool = False) -> list:
    """The step at which each one-cycle phase ends."""
    if three_phase:
        return [float(pct_start * total_steps) - 1, float(2 * pct_start * total_steps) - 2, total_steps - 1]
    return [float(pct_start * total_steps) - 1, total_steps - 1]


def phase_position(step: float, ends: list) -> tuple:
    """``(phase, pct)``: which phase ``step`` falls in and how far through it (0 to 1)."""
    start = 0.0
    for i, end in enumerate(ends):
        if step <= end or i == len(ends) - 1:
            return i, (step - start) / (end - start)
        start = end
    raise ValueError("phase_position: no phases")


def anneal(start: float, end: float, pct: float, strategy: str = "cos") -> float:
    """From ``start`` (pct 0) to ``end`` (pct 1) along half a cosine (``'cos'``) or a line (``'linear'``)."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    if strategy == "linear":
        return (end - start) * pct + start
    raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {strategy}")


def one_cycle(step: int, total_steps: int, max_lr: float, pct_start: float = 0.3,
              anneal_strategy: str = "cos", div_factor: float = 25.0, final_div_factor: float = 1e4,
              three_phase: bool = False) -> float:
    """The one-cycle policy: up from ``max_lr / div_factor`` to ``max_lr``, then far below it
    (``OneCycleLR``).

    >>> [round(one_cycle(t, 100, max_lr=1.0), 6) for t in (0, 29, 99)]
    [0.04, 1.0, 4e-06]
    """
    initial = max_lr / div_factor
    values = {"initial_lr": initial, "max_lr": max_lr, "min_lr": initial / final_div_factor}
    phase, pct = phase_position(step, one_cycle_ends(total_steps, pct_start, three_phase))
    start, end, _, _ = (THREE_PHASES if three_phase else TWO_PHASES)[phase]
    return anneal(values[start], values[end], pct, anneal_strategy)


def one_cycle_momentum(step: int, total_steps: int, base_momentum: float = 0.85, max_momentum: float = 0.95,
                       pct_start: float = 0.3, anneal_strategy: str = "cos",
                       three_phase: bool = False) -> float:
    """The momentum (or Adam's beta1) that goes with ``one_cycle``: low while the rate is high."""
    values = {"base_momentum": base_momentum, "max_momentum": max_momentum}
    phase, pct = phase_position(step, one_cycle_ends(total_steps, pct_start, three_phase))
    _, _, start, end = (THREE_PHASES if three_phase else TWO_PHASES)[phase]
    return anneal(values[start], values[end], pct, anneal_strategy)


def warmup_cosine(step: int, warmup: int, total: int, base: float = 1.0, min_lr: float = 0.0,
                  start_factor: float | None = None) -> float:
    """Linear warm-up over ``warmup`` steps to ``base``, then a cosine down to ``min_lr`` at ``total``.

    Warm-up starts at ``base * start_factor``, by default ``base / (warmup + 1)``, so that the rate climbs in
    equal steps ``(step + 1) / (warmup + 1)`` and no step is wasted at zero. The same numbers as
    ``lr_scheduler.warmup_cosine`` (and PyTorch's ``SequentialLR([LinearLR, CosineAnnealingLR])``).
    """
    if not 0 <= warmup < total:
        raise ValueError(f"warmup_cosine: need 0 <= warmup < total, got warmup={warmup}, total={total}")
    if step < warmup:
        return linear(step, default_start_factor(warmup, start_factor), 1.0, warmup, base)
    return cosine(step - warmup, total - warmup, base, min_lr)


def default_start_factor(warmup: int, start_factor: float | None) -> float:
    return 1.0 / (warmup + 1) if start_factor is None else start_factor
