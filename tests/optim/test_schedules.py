"""The pure schedule functions against the learning rates torch's schedulers produce step by step."""
import math
import warnings

import numpy as np
import pytest
import torch

from glassgrad.optim import schedules
from tests.reference import assert_close

BASE = 0.1


def torch_lrs(make, steps=300, epochs=None):
    """The learning rates a torch scheduler gives at steps 0, 1, ... (or at the given ``epochs``)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE, momentum=0.9)
    sched = make(opt)
    lrs, momenta = [sched.get_last_lr()[0]], [opt.param_groups[0]["momentum"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stepping without optimizer steps, and the deprecated epoch argument
        for step in range(1, steps) if epochs is None else epochs:
            sched.step() if epochs is None else sched.step(step)
            lrs.append(sched.get_last_lr()[0])
            momenta.append(opt.param_groups[0]["momentum"])
    return np.array(lrs), np.array(momenta)


S = torch.optim.lr_scheduler
CASES = [
    (lambda t: schedules.constant(t, 0.25, 13, BASE), lambda o: S.ConstantLR(o, 0.25, 13)),
    (lambda t: schedules.linear(t, 0.1, 0.9, 50, BASE), lambda o: S.LinearLR(o, 0.1, 0.9, 50)),
    (lambda t: schedules.step_decay(t, 7, 0.5, BASE), lambda o: S.StepLR(o, 7, 0.5)),
    (lambda t: schedules.multi_step(t, [10, 30, 30, 100], 0.3, BASE),
     lambda o: S.MultiStepLR(o, [30, 10, 30, 100], 0.3)),
    (lambda t: schedules.exponential(t, 0.99, BASE), lambda o: S.ExponentialLR(o, 0.99)),
    (lambda t: schedules.cosine(t, 50, BASE, 1e-3), lambda o: S.CosineAnnealingLR(o, 50, 1e-3)),
    (lambda t: schedules.cosine_warm_restarts(t, 10, 2, BASE, 1e-4),
     lambda o: S.CosineAnnealingWarmRestarts(o, 10, 2, 1e-4)),
    (lambda t: schedules.cosine_warm_restarts(t, 3, 3, BASE),
     lambda o: S.CosineAnnealingWarmRestarts(o, 3, 3)),
    (lambda t: schedules.cosine_warm_restarts(t, 7, 1, BASE), lambda o: S.CosineAnnealingWarmRestarts(o, 7)),
    (lambda t: schedules.one_cycle(t, 300, BASE), lambda o: S.OneCycleLR(o, BASE, 300)),
    (lambda t: schedules.one_cycle(t, 300, BASE, 0.4, "linear", 10.0, 100.0, three_phase=True),
     lambda o: S.OneCycleLR(o, BASE, 300, pct_start=0.4, anneal_strategy="linear", div_factor=10.0,
                            final_div_factor=100.0, three_phase=True)),
    (lambda t: schedules.warmup_cosine(t, 20, 300, BASE, 1e-4),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 1 / 21, total_iters=20), S.CosineAnnealingLR(o, 280, 1e-4)],
                              milestones=[20])),
    (lambda t: schedules.warmup_cosine(t, 20, 300, BASE, start_factor=0.01),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.01, total_iters=20), S.CosineAnnealingLR(o, 280)],
                              milestones=[20])),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_pure_schedule_equals_torchs_scheduler(index):
    pure, make = CASES[index]
    expected, _ = torch_lrs(make)
    assert_close(np.array([pure(t) for t in range(300)]), expected, dtype="float64")


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_momentum(three_phase):
    _, expected = torch_lrs(lambda o: S.OneCycleLR(o, BASE, 300, three_phase=three_phase, base_momentum=0.8))
    ours = [schedules.one_cycle_momentum(t, 300, 0.8, 0.95, three_phase=three_phase) for t in range(300)]
    assert_close(np.array(ours), expected, dtype="float64")


def test_fractional_epochs_of_warm_restarts():
    epochs = [0.5, 2.25, 9.99, 10.0, 13.7, 29.9, 30.0, 31.5, 75.25]
    expected, _ = torch_lrs(lambda o: S.CosineAnnealingWarmRestarts(o, 10, 2), epochs=epochs)
    ours = [schedules.cosine_warm_restarts(e, 10, 2, BASE) for e in epochs]
    assert_close(np.array(ours), expected[1:], dtype="float64")


def test_warm_restart_boundaries_are_exact():
    # torch's closed form (step(epoch)) finds the cycle with a floating-point log, which rounds down at some
    # restarts (T_0=1, T_mult=3 at step 121: log_3(243) = 4.999...), landing at the end of the previous
    # cycle. Its step-by-step form, and ours, restart there.
    assert schedules.warm_restart_position(121, 1, 3) == (0, 243)
    step_by_step, _ = torch_lrs(lambda o: S.CosineAnnealingWarmRestarts(o, 1, 3), steps=122)
    assert step_by_step[121] == BASE == schedules.cosine_warm_restarts(121, 1, 3, BASE)
    for T_0, T_mult in ((2, 2), (5, 3), (1, 4)):
        start, length = 0, T_0
        for _ in range(6):
            assert schedules.warm_restart_position(start, T_0, T_mult) == (0, length)
            assert schedules.warm_restart_position(start + length - 1, T_0, T_mult) == (length - 1, length)
            start, length = start + length, length * T_mult


def test_shapes_of_the_schedules():
    assert schedules.cosine(0, 10, 2.0, 0.5) == 2.0
    assert schedules.cosine(10, 10, 2.0, 0.5) == pytest.approx(0.5)
    assert schedules.cosine(20, 10, 2.0, 0.5) == pytest.approx(2.0)  # it goes on, as torch's does
    assert schedules.linear(3, 0.5, 0.1, 0) == 0.1  # no steps to go: the end factor at once
    assert schedules.warmup_cosine(0, 4, 20) == pytest.approx(1 / 5)
    assert [schedules.warmup_cosine(t, 4, 20) for t in range(5)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert schedules.warmup_cosine(20, 4, 20, min_lr=0.01) == pytest.approx(0.01)
    assert schedules.warmup_cosine(3, 0, 20) == pytest.approx(schedules.cosine(3, 20))
    assert schedules.one_cycle(0, 100, 1.0) == pytest.approx(0.04)
    assert schedules.one_cycle(99, 100, 1.0) == pytest.approx(0.04 / 1e4)
    assert math.isclose(schedules.anneal(1.0, 0.0, 0.5, "linear"), 0.5)


def test_bad_schedule_arguments():
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        schedules.anneal(1.0, 0.0, 0.5, "exp")
    with pytest.raises(ValueError, match="0 <= warmup < total"):
        schedules.warmup_cosine(0, 10, 10)
