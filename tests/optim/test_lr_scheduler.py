"""Every scheduler against torch.optim.lr_scheduler over a long run: the learning rate of each of two param
groups (and the momentum / beta1 OneCycleLR cycles) compared after every step, get_last_lr() too; state_dict
round trips mid-run; resuming with last_epoch; errors and warnings."""
import math
import warnings

import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.reference import assert_close

STEPS = 300


def optimizers(name="SGD"):
    options = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=0.1)}[name]
    g_opt = getattr(gg.optim, name)([{"params": [gg.zeros(2, requires_grad=True)]},
                                     {"params": [gg.zeros(2, requires_grad=True)], "lr": 0.03}], **options)
    t_opt = getattr(torch.optim, name)([{"params": [torch.zeros(2, requires_grad=True)]},
                                        {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.03}],
                                       **options)
    return g_opt, t_opt


def compare(g_sched, t_sched, g_opt, t_opt, what):
    assert_close(np.array(g_sched.get_last_lr()), np.array(t_sched.get_last_lr()), dtype="float64",
                 what=f"{what}: get_last_lr")
    for key in ("lr", "momentum"):
        if key in t_opt.param_groups[0]:
            assert_close(np.array([g[key] for g in g_opt.param_groups]),
                         np.array([g[key] for g in t_opt.param_groups]), dtype="float64",
                         what=f"{what}: {key}")
    if "betas" in t_opt.param_groups[0]:
        assert_close(np.array([g["betas"] for g in g_opt.param_groups]),
                     np.array([g["betas"] for g in t_opt.param_groups]), dtype="float64",
                     what=f"{what}: betas")


CONFIGS = {
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda t: 0.97 ** t),
    "LambdaLR per group": lambda S, o: S.LambdaLR(o, [lambda t: 0.97 ** t, lambda t: 1 / (1 + t)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda t: 0.99 if t % 3 else 0.95),
    "StepLR": lambda S, o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 100], gamma=0.3),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.25, total_iters=13),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=50),
    "LinearLR down": lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=40),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.99),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=50, eta_min=1e-3),  # six half-periods
    "CosineAnnealingLR eta_min=0": lambda S, o: S.CosineAnnealingLR(o, T_max=37),
    "WarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4),
    "WarmRestarts T_mult=1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=7),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS),
    "OneCycleLR linear three-phase": lambda S, o: S.OneCycleLR(
        o, max_lr=0.4, epochs=30, steps_per_epoch=10, anneal_strategy="linear", three_phase=True,
        pct_start=0.25, base_momentum=[0.8, 0.7], max_momentum=0.9, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR no momentum": lambda S, o: S.OneCycleLR(o, max_lr=0.3, total_steps=STEPS,
                                                         cycle_momentum=False),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=20), S.CosineAnnealingLR(o, T_max=280)],
        milestones=[20]),
    "SequentialLR of three": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=5), S.ExponentialLR(o, gamma=0.98),
            S.StepLR(o, step_size=10, gamma=0.5)], milestones=[5, 50]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2),
                                                          S.ExponentialLR(o, gamma=0.9)]),
    "ChainedScheduler with a cosine": lambda S, o: S.ChainedScheduler(
        [S.LinearLR(o, start_factor=0.2, total_iters=30), S.CosineAnnealingLR(o, T_max=60, eta_min=1e-3),
         S.StepLR(o, step_size=50, gamma=0.5)], optimizer=o),
    "warm-up then cosine (torch route)": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=1 / 11, total_iters=10),
            S.CosineAnnealingLR(o, T_max=290, eta_min=1e-4)], milestones=[10]),
}


def run(make, optimizer="SGD", steps=STEPS, cut=None):
    g_opt, t_opt = optimizers(optimizer)
    g_sched, t_sched = make(gg.optim.lr_scheduler, g_opt), make(torch.optim.lr_scheduler, t_opt)
    compare(g_sched, t_sched, g_opt, t_opt, "after construction")
    for step in range(steps):
        if step == cut:  # save, rebuild both objects from scratch, load, go on
            saved_opt, saved_sched = g_opt.state_dict(), g_sched.state_dict()
            g_opt, _ = optimizers(optimizer)
            g_sched = make(gg.optim.lr_scheduler, g_opt)
            g_opt.load_state_dict(saved_opt)
            g_sched.load_state_dict(saved_sched)
        g_opt.step()
        t_opt.step()
        g_sched.step()
        t_sched.step()
        compare(g_sched, t_sched, g_opt, t_opt, f"step {step}")
    return g_sched, t_sched


@pytest.mark.parametrize("name", CONFIGS)
def test_scheduler_matches_torch_every_step(name):
    run(CONFIGS[name])


@pytest.mark.parametrize("name", CONFIGS)
def test_state_dict_round_trip_mid_run(name):
    g_sched, t_sched = run(CONFIGS[name], cut=123)
    assert set(g_sched.state_dict()) == set(t_sched.state_dict())


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR linear three-phase", "SequentialLR"])
def test_with_adam_betas(name):
    run(CONFIGS[name], optimizer="Adam")


def test_the_warmup_cosine_helper_is_the_torch_route():
    g_opt, t_opt = optimizers()
    helper = gg.optim.lr_scheduler.warmup_cosine(g_opt, warmup_steps=10, total_steps=300, min_lr=1e-4)
    torch_route = CONFIGS["warm-up then cosine (torch route)"](torch.optim.lr_scheduler, t_opt)
    for step in range(STEPS):
        compare(helper, torch_route, g_opt, t_opt, f"step {step}")
        expected = [gg.optim.schedules.warmup_cosine(step, 10, 300, base, min_lr=1e-4)
                    for base in (0.1, 0.03)]
        assert helper.get_last_lr() == pytest.approx(expected, rel=1e-12)
        g_opt.step()
        t_opt.step()
        helper.step()
        torch_route.step()
    plain = gg.optim.lr_scheduler.warmup_cosine(optimizers()[0], 0, 50)
    assert isinstance(plain, gg.optim.lr_scheduler.CosineAnnealingLR)
    with pytest.raises(ValueError, match="warmup_steps < total_steps"):
        gg.optim.lr_scheduler.warmup_cosine(optimizers()[0], 50, 50)


def test_torch_state_dicts_load():
    for name in ("StepLR", "MultiStepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR"):
        g_opt, t_opt = optimizers()
        t_sched = CONFIGS[name](torch.optim.lr_scheduler, t_opt)
        for _ in range(40):
            t_opt.step()
            t_sched.step()
        g_sched = CONFIGS[name](gg.optim.lr_scheduler, g_opt)
        g_opt.load_state_dict({"state": {}, "param_groups": t_opt.state_dict()["param_groups"]})
        g_sched.load_state_dict(t_sched.state_dict())
        for step in range(100):
            g_opt.step()
            t_opt.step()
            g_sched.step()
            t_sched.step()
            compare(g_sched, t_sched, g_opt, t_opt, f"{name} step {step}")


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                                  "CosineAnnealingLR", "WarmRestarts", "MultiplicativeLR"])
def test_resuming_with_last_epoch(name):
    g_opt, t_opt = optimizers()
    for opt in (g_opt, t_opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
    make = CONFIGS[name]
    resumed = {"last_epoch": 12}
    g_sched = _with(make, gg.optim.lr_scheduler, g_opt, resumed)
    t_sched = _with(make, torch.optim.lr_scheduler, t_opt, resumed)
    for step in range(60):
        compare(g_sched, t_sched, g_opt, t_opt, f"step {step}")
        g_opt.step()
        t_opt.step()
        g_sched.step()
        t_sched.step()


def _with(make, module, opt, extra):
    """``make``'s scheduler, constructed with extra keywords (PyTorch's classes take them all)."""
    original = {name: getattr(module, name) for name in dir(module) if name[0].isupper()}

    class Shim:
        def __getattr__(self, name):
            cls = original[name]
            return lambda *args, **kwargs: cls(*args, **{**kwargs, **extra})
    return make(Shim(), opt)


PLATEAUS = {
    "min rel": dict(mode="min", factor=0.5, patience=3, threshold=0.05),
    "min abs cooldown": dict(mode="min", factor=0.3, patience=2, threshold=0.01, threshold_mode="abs",
                             cooldown=4, min_lr=[1e-3, 1e-4]),
    "max rel": dict(mode="max", patience=0, threshold=1e-3, min_lr=0.005),
    "max abs eps": dict(mode="max", factor=0.9, patience=5, threshold=0.02, threshold_mode="abs", eps=1e-3),
}


@pytest.mark.parametrize("name", PLATEAUS)
def test_reduce_lr_on_plateau(name):
    options = PLATEAUS[name]
    sign = -1.0 if options["mode"] == "max" else 1.0
    g_opt, t_opt = optimizers()
    g_sched = gg.optim.lr_scheduler.ReduceLROnPlateau(g_opt, **options)
    t_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **options)
    for step in range(STEPS):
        metric = sign * (1.0 / (1 + step // 9) + 0.02 * math.sin(step))  # plateaus with wobbles
        if step == 150:
            saved = g_sched.state_dict()
            g_sched = gg.optim.lr_scheduler.ReduceLROnPlateau(g_opt, **options)
            g_sched.load_state_dict(saved)
        g_sched.step(gg.tensor(metric) if step % 2 else metric)
        t_sched.step(metric)
        compare(g_sched, t_sched, g_opt, t_opt, f"step {step}")
    assert set(g_sched.state_dict()) == set(t_sched.state_dict())


BAD = [
    (lambda S, o: S.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda S, o: S.LinearLR(o, start_factor=0.0), ValueError, "greater than 0"),
    (lambda S, o: S.LinearLR(o, end_factor=2.0), ValueError, "between 0 and 1"),
    (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0"),
    (lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError, "T_mult >= 1"),
    (lambda S, o: S.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps OR"),
    (lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5), ValueError, "pct_start"),
    (lambda S, o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError, "anneal"),
    (lambda S, o: S.OneCycleLR(o, max_lr=[0.1], total_steps=10), ValueError, "same length"),
    (lambda S, o: S.LambdaLR(o, [lambda t: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda S, o: S.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function"),
    (lambda S, o: S.StepLR(o, 3, last_epoch=4), KeyError, "initial_lr"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 3)], milestones=[3]), ValueError, "one more"),
    (lambda S, o: S.SequentialLR(o, [], milestones=[]), ValueError, "at least one scheduler"),
    (lambda S, o: S.SequentialLR(o, [S.StepLR(o, 3), S.ReduceLROnPlateau(o)], milestones=[3]), ValueError,
     "does not support `ReduceLROnPlateau`"),
    (lambda S, o: S.ChainedScheduler([]), ValueError, "at least one scheduler"),
    (lambda S, o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda S, o: S.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown!"),
    (lambda S, o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold mode pct is unknown!"),
    (lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda S, o: S.StepLR(None, 3), TypeError, "is not an Optimizer"),
]


@pytest.mark.parametrize("make,error,message", BAD, ids=[b[2] for b in BAD])
def test_bad_arguments_raise_as_torch_does(make, error, message):
    with pytest.raises(error, match=message):
        make(torch.optim.lr_scheduler, optimizers()[1])
    with pytest.raises(error, match=message):
        make(gg.optim.lr_scheduler, optimizers()[0])


def test_one_cycle_refuses_to_step_past_its_total_and_sequences_check_their_optimizer():
    for S, opt in ((gg.optim.lr_scheduler, optimizers()[0]), (torch.optim.lr_scheduler, optimizers()[1])):
        sched = S.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps"):
            sched.step()
    g_opt, other = optimizers()[0], optimizers()[0]
    with pytest.raises(ValueError, match="belong to the same optimizer"):
        gg.optim.lr_scheduler.ChainedScheduler([gg.optim.lr_scheduler.StepLR(g_opt, 3),
                                                gg.optim.lr_scheduler.StepLR(other, 3)])


def test_warnings_as_torch():
    for S, opt in ((gg.optim.lr_scheduler, optimizers()[0]), (torch.optim.lr_scheduler, optimizers()[1])):
        sched = S.StepLR(opt, 3)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sched.step()
