"""Losses (functional and modules) against torch: every reduction and option, gradients of input and
target, float32 and float64, edge values, and bad input."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassgrad as gg
import glassgrad.nn.functional as F
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
REDUCTIONS = ["none", "mean", "sum"]
SHAPES = [(5,), (3, 4), (2, 3, 2), (1, 1)]


def _fn(name, **kwargs):
    """The same call on both libraries (the functional APIs match)."""
    return (lambda *a: getattr(F, name)(*a, **kwargs)), (lambda *a: getattr(TF, name)(*a, **kwargs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,kwargs", [
    ("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {}), ("huber_loss", {"delta": 0.3}),
    ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.4}), ("smooth_l1_loss", {"beta": 0.0}),
], ids=str)
def test_regression_losses(name, kwargs, shape, reduction, dtype):
    g, t = _fn(name, reduction=reduction, **kwargs)
    check_op([shape, shape], g, t, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_losses_with_weight(name, reduction, dtype):
    # torch 2.13's weighted 'mean' is sum(w·l)/sum(w) for MSE and L1 but mean(w·l) for Huber.
    rng = np.random.default_rng(3)
    w = rng.uniform(0.1, 2.0, (3, 4)).astype(dtype)
    check_op([(3, 4), (3, 4)],
             lambda x, y: getattr(F, name)(x, y, reduction=reduction, weight=gg.from_numpy(w)),
             lambda x, y: getattr(TF, name)(x, y, reduction=reduction, weight=torch.from_numpy(w)),
             dtype=dtype)


def test_regression_losses_at_the_kinks():
    # |d| exactly 0 and exactly delta / beta: the gradient conventions must be torch's.
    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0, 0.3, -0.3], dtype=np.float64)
    y = np.zeros_like(x)
    for name, kw in [("l1_loss", {}), ("huber_loss", {"delta": 1.0}), ("smooth_l1_loss", {"beta": 0.5}),
                     ("huber_loss", {"delta": 0.3}), ("mse_loss", {})]:
        g, t = _fn(name, reduction="sum", **kw)
        check_op([x, y], g, t, dtype="float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_binary_cross_entropy(shape, reduction, dtype):
    g, t = _fn("binary_cross_entropy", reduction=reduction)
    check_op([shape, shape], g, t, dtype=dtype, low=0.02, high=0.98)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_weight_broadcasts(reduction, dtype):
    w = np.random.default_rng(1).uniform(0, 2, (4,)).astype(dtype)
    check_op([(3, 4), (3, 4)],
             lambda x, y: F.binary_cross_entropy(x, y, weight=gg.from_numpy(w), reduction=reduction),
             lambda x, y: TF.binary_cross_entropy(x, y, weight=torch.from_numpy(w), reduction=reduction),
             dtype=dtype, low=0.02, high=0.98)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    # Probabilities of exactly 0 and 1: loss 100 for a confident mistake, finite gradients (torch's
    # (x - y) / max(x (1 - x), 1e-12)), and tiny probabilities through log1p.
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-8, 1 - 1e-7, 0.5], dtype=np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.25], dtype=np.float32)
    for reduction in REDUCTIONS:
        gx, tx = gg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        g = F.binary_cross_entropy(gx, gg.tensor(y), reduction=reduction)
        t = TF.binary_cross_entropy(tx, torch.tensor(y), reduction=reduction)
        assert_close(g, t)
        g.sum().backward()
        t.sum().backward()
        assert_close(gx.grad, tx.grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_bce_with_logits(shape, reduction, dtype):
    g, t = _fn("binary_cross_entropy_with_logits", reduction=reduction)
    check_op([shape, shape], g, t, dtype=dtype, low=-4, high=4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
def test_bce_with_logits_pos_weight_and_weight(with_weight, reduction, dtype):
    rng = np.random.default_rng(5)
    pw = rng.uniform(0.2, 3.0, (4,)).astype(dtype)
    w = rng.uniform(0.1, 2.0, (3, 4)).astype(dtype) if with_weight else None

    def call(lib, fn):
        def run(x, y):
            weight = None if w is None else lib(w)
            return fn(x, y, weight=weight, reduction=reduction, pos_weight=lib(pw))
        return run
    check_op([(3, 4), (3, 4)], call(gg.from_numpy, F.binary_cross_entropy_with_logits),
             call(torch.from_numpy, TF.binary_cross_entropy_with_logits), dtype=dtype, low=-4, high=4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_stable_and_exact_at_zero(dtype):
    # Huge logits do not overflow; a logit of exactly 0 (zero-initialised head) has gradient σ(0) - y.
    x = np.array([0.0, 0.0, 100.0, -100.0, 800.0, -800.0, 1e-3], dtype=dtype)
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.5], dtype=dtype)
    g, t = _fn("binary_cross_entropy_with_logits", reduction="none")
    check_op([x, y], g, t, dtype=dtype)
    pw = np.full(7, 2.5, dtype)
    check_op([x, y], lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=gg.from_numpy(pw)),
             lambda a, b: TF.binary_cross_entropy_with_logits(a, b, pos_weight=torch.from_numpy(pw)),
             dtype=dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_empty_batch(name):
    for reduction in REDUCTIONS:
        g = getattr(F, name)(gg.zeros(0, 3, requires_grad=True), gg.zeros(0, 3), reduction=reduction)
        t = getattr(TF, name)(torch.zeros(0, 3, requires_grad=True), torch.zeros(0, 3),
                              reduction=reduction)
        assert_close(g, t)


def test_modules_match_functional_and_torch():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.05, 0.95, (2, 4, 3)).astype(np.float32)
    pairs = [
        (gg.nn.MSELoss(), torch.nn.MSELoss()),
        (gg.nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum")),
        (gg.nn.HuberLoss(delta=0.1), torch.nn.HuberLoss(delta=0.1)),
        (gg.nn.SmoothL1Loss(beta=0.2, reduction="none"), torch.nn.SmoothL1Loss(beta=0.2, reduction="none")),
        (gg.nn.BCELoss(weight=gg.tensor([1.0, 2.0, 0.5])),
         torch.nn.BCELoss(weight=torch.tensor([1.0, 2.0, 0.5]))),
        (gg.nn.BCEWithLogitsLoss(pos_weight=gg.tensor([3.0, 1.0, 0.5])),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0, 1.0, 0.5]))),
    ]
    for g_loss, t_loss in pairs:
        gx, tx = gg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        g, t = g_loss(gx, gg.tensor(y)), t_loss(tx, torch.tensor(y))
        assert_close(g, t, what=type(g_loss).__name__)
        g.sum().backward()
        t.sum().backward()
        assert_close(gx.grad, tx.grad, what=type(g_loss).__name__)
        assert repr(g_loss) == repr(t_loss)
        assert list(g_loss.state_dict()) == list(t_loss.state_dict())


def test_legacy_size_average_and_reduce():
    x, y = gg.tensor([1.0, 2.0]), gg.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert F.mse_loss(x, y, size_average=False).item() == 5.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert gg.nn.L1Loss(reduce=False).reduction == "none"


def test_broadcasting_target_warns_and_names_both_shapes():
    # torch warns (and broadcasts) for the regression losses; so does glassgrad, naming the shapes.
    x, y = gg.zeros(3, 1, requires_grad=True), gg.ones(3)
    for name in ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"]:
        with pytest.warns(UserWarning, match=r"target size \(3,\) that is different to the input size "
                                             r"\(3, 1\)"):
            loss = getattr(F, name)(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = getattr(TF, name)(torch.zeros(3, 1), torch.ones(3))
        assert_close(loss, expected)
    with pytest.raises(RuntimeError, match=r"mse_loss.*\(3, 4\).*\(3, 5\)"):
        F.mse_loss(gg.zeros(3, 4), gg.zeros(3, 5))


def test_bad_input():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(gg.zeros(2), gg.zeros(2), reduction="avg")
    with pytest.raises(RuntimeError, match="mse_loss: expected a floating point input"):
        F.mse_loss(gg.tensor([1, 2]), gg.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(gg.zeros(2), gg.zeros(2), delta=0.0)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(gg.zeros(2), gg.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.mse_loss(gg.zeros(2, 3), gg.zeros(2, 3), weight=gg.ones(3))
    with pytest.raises(ValueError, match=r"target size \(\(3, 1\)\) that is different to the input size "
                                         r"\(\(3,\)\)"):
        F.binary_cross_entropy(gg.full((3,), 0.5), gg.zeros(3, 1))
    with pytest.raises(ValueError, match=r"Target size \(\(3, 1\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(gg.zeros(3), gg.zeros(3, 1))
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(gg.tensor([0.5, 1.5]), gg.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(gg.tensor([0.5, float("nan")]), gg.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(gg.tensor([0.5, 0.5]), gg.tensor([0.0, 2.0]))
    with pytest.raises(RuntimeError, match="Found dtype int64 but expected float32"):
        F.binary_cross_entropy(gg.tensor([0.5, 0.5]), gg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="expected a floating point target"):
        F.binary_cross_entropy_with_logits(gg.tensor([0.5, 0.5]), gg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.binary_cross_entropy(gg.tensor([0.5]), gg.tensor([1.0]), weight=gg.ones(1, requires_grad=True))
    with pytest.raises(RuntimeError, match="pos_weight of shape \\(2,\\) cannot be broadcast"):
        F.binary_cross_entropy_with_logits(gg.zeros(2, 3), gg.zeros(2, 3), pos_weight=gg.ones(2))


def test_float32_stays_float32():
    for name in ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits"]:
        x = gg.full((2, 3), 0.25, requires_grad=True)
        loss = getattr(F, name)(x, gg.full((2, 3), 0.5))
        loss.backward()
        assert loss.dtype == np.float32 and x.grad.dtype == np.float32, name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,options", [
    (name, options) for name in ["CrossEntropyLoss", "NLLLoss"]
    for options in [{}, {"weight": True}, {"ignore_index": 1}, {"label_smoothing": 0.1},
                    {"weight": True, "ignore_index": 2, "label_smoothing": 0.2}]
    if name == "CrossEntropyLoss" or "label_smoothing" not in options], ids=str)
def test_cross_entropy_and_nll_modules(name, options, reduction, dtype):
    rng = np.random.default_rng(2)
    target = rng.integers(0, 4, (6, 3))
    weight = rng.uniform(0.5, 2.0, 4).astype(dtype) if options.get("weight") else None
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    g = getattr(gg.nn, name)(weight=None if weight is None else gg.tensor(weight), reduction=reduction,
                             **kwargs)
    t = getattr(torch.nn, name)(weight=None if weight is None else torch.tensor(weight),
                                reduction=reduction, **kwargs)
    # (N, C, d) logits against (N, d) classes; NLL is fed log-probabilities as it expects
    prep_g = (lambda x: x) if name == "CrossEntropyLoss" else (lambda x: F.log_softmax(x, 1))
    prep_t = (lambda x: x) if name == "CrossEntropyLoss" else (lambda x: TF.log_softmax(x, 1))
    check_op([(6, 4, 3)], lambda x: g(prep_g(x), gg.tensor(target)),
             lambda x: t(prep_t(x), torch.tensor(target)), dtype=dtype)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())


def test_cross_entropy_with_probability_targets():
    probs = np.random.default_rng(1).dirichlet(np.ones(5), 4).astype(np.float32)
    check_op([(4, 5)], lambda x: gg.nn.CrossEntropyLoss()(x, gg.tensor(probs)),
             lambda x: torch.nn.CrossEntropyLoss()(x, torch.tensor(probs)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_gradcheck(reduction):
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.uniform(0.1, 0.9, (2, 3)), requires_grad=True)
    y = gg.tensor(rng.uniform(0.1, 0.9, (2, 3)), requires_grad=True)
    logits = gg.tensor(rng.uniform(-3, 3, (2, 3)), requires_grad=True)
    w, pw = gg.tensor(rng.uniform(0.5, 2, (3,))), gg.tensor(rng.uniform(0.5, 2, (3,)))
    assert gg.autograd.gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction), (x, y))
    assert gg.autograd.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, weight=w, pos_weight=pw, reduction=reduction), (logits, y))
    assert gg.autograd.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, reduction=reduction), (logits, y))
