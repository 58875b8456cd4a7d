"""cross_entropy and nll_loss against torch: every option, K-dim and unbatched inputs, extremes, errors."""
import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from glassgrad.ops.nn import cross_entropy, nll_loss
from tests.ops.nn_helpers import DTYPES, GF, TF, check, const, float64_inputs
from tests.reference import assert_close

# (input shape, target shape): batched, unbatched, K-dim (1 and 2 extra dims), an empty batch.
CLASS_SHAPES = [((6, 5), (6,)), ((5,), ()), ((3, 4, 5), (3, 5)), ((2, 3, 2, 4), (2, 2, 4)), ((0, 5), (0,))]
OPTIONS = list(itertools.product(["mean", "sum", "none"], [False, True], [None, -100, 2]))


def class_target(shape, n_classes, ignore_index, seed=0):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, n_classes, shape)
    if ignore_index is not None and target.size:
        target.reshape(-1)[::3] = ignore_index  # every third target ignored
    return target


def loss_kwargs(F, n_classes, dtype, reduction, weighted, ignore_index):
    kwargs = {"reduction": reduction}
    if weighted:
        kwargs["weight"] = const(F, np.linspace(0.2, 2.0, n_classes).astype(dtype))
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
    return kwargs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction,weighted,ignore_index", OPTIONS)
@pytest.mark.parametrize("shape,target_shape", CLASS_SHAPES, ids=str)
def test_cross_entropy_class_indices(shape, target_shape, reduction, weighted, ignore_index, smoothing,
                                     dtype):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    target = class_target(target_shape, n_classes, ignore_index)
    check([shape], lambda F, x: F.cross_entropy(
        x, const(F, target), label_smoothing=smoothing,
        **loss_kwargs(F, n_classes, dtype, reduction, weighted, ignore_index)), dtype=dtype, low=-4, high=4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction,weighted,ignore_index", OPTIONS)
@pytest.mark.parametrize("shape,target_shape", CLASS_SHAPES, ids=str)
def test_nll_loss(shape, target_shape, reduction, weighted, ignore_index, dtype):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    target = class_target(target_shape, n_classes, ignore_index)
    check([shape], lambda F, x: F.nll_loss(
        x, const(F, target), **loss_kwargs(F, n_classes, dtype, reduction, weighted, ignore_index)),
        dtype=dtype, low=-4, high=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shape", [(6, 5), (5,), (3, 4, 5), (2, 3, 2, 4), (0, 5)], ids=str)
def test_cross_entropy_probabilities(shape, smoothing, reduction, dtype):
    """Gradients flow to the logits, the target and (in torch too) a weight that requires grad."""
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    check([shape, shape], lambda F, x, p: F.cross_entropy(x, p, reduction=reduction,
                                                           label_smoothing=smoothing),
          dtype=dtype, low=0.0, high=1.0)
    check([shape, shape, (n_classes,)], lambda F, x, p, w: F.cross_entropy(
        x, p, weight=w, reduction=reduction, label_smoothing=smoothing), dtype=dtype, low=0.0, high=1.0)


@pytest.mark.parametrize("weighted", [False, True])
def test_probability_targets_promote_like_torch(weighted):
    # A float64 target or weight with float32 logits gives a float64 loss, from a float32 log-softmax (so
    # it agrees with torch to float32 precision); the logits' gradient stays float32.
    rng = np.random.default_rng(0)
    logits, probs = rng.normal(size=(4, 3)).astype(np.float32), rng.uniform(0, 1, (4, 3))
    weight = np.array([0.5, 1.0, 2.0])
    results = []
    for F in (GF, TF):
        x = const(F, logits).requires_grad_()
        p = const(F, probs if not weighted else probs.astype(np.float32))
        loss = F.cross_entropy(x, p, weight=const(F, weight) if weighted else None)
        loss.backward()
        results.append((loss, x.grad))
    assert results[0][0].dtype == np.float64 and results[0][1].dtype == np.float32
    assert_close(results[0][0], results[1][0], dtype="float32")
    assert_close(results[0][1], results[1][1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_vocabulary(dtype):
    target = np.random.default_rng(1).integers(0, 1000, 32)
    check([(32, 1000)], lambda F, x: F.cross_entropy(x, const(F, target), label_smoothing=0.1),
          dtype=dtype, low=-10, high=10)


def test_noncontiguous_logits():
    target = np.array([0, 2, 1, 1])
    check([(4, 3)], lambda F, x: F.cross_entropy(x, const(F, target)), noncontiguous=True)
    check([(2, 3, 4)], lambda F, x: F.cross_entropy(x, const(F, target[:2, None].repeat(4, 1) % 3)),
          noncontiguous=True)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_extreme_logits_are_stable(smoothing):
    logits = np.array([[1000.0, -1000.0, 0.0], [-np.inf, 0.0, 1.0], [88.0, 89.0, -1e30],
                       [-1e4, -1e4, -1e4]], dtype=np.float32)
    target = np.array([1, 1, 0, 2])
    for reduction in ("mean", "none"):
        g_out, _ = check([logits], lambda F, x: F.cross_entropy(x, const(F, target), reduction=reduction,
                                                                label_smoothing=smoothing))
    g = gg.tensor(logits, requires_grad=True)
    cross_entropy(g, gg.tensor(target), label_smoothing=smoothing).backward()
    assert np.isfinite(g.grad.data).all()


def test_infinite_loss_where_the_target_logit_is_minus_infinity():
    logits = np.array([[-np.inf, 0.0, 1.0], [0.5, 0.0, 1.0]], dtype=np.float32)
    check([logits], lambda F, x: F.cross_entropy(x, const(F, [0, 1])))
    check([logits], lambda F, x: F.cross_entropy(x, const(F, [0, 1]), ignore_index=0, label_smoothing=0.1))
    check([logits], lambda F, x: F.cross_entropy(x, const(F, [0, 1]), weight=const(F, np.float32([0, 1, 1]))))


def test_all_targets_ignored_or_zero_weight_follow_torch():
    # Every target ignored: NaN loss, zero gradient. Every target weighted 0: NaN loss and NaN gradient.
    check([(4, 5)], lambda F, x: F.cross_entropy(x, const(F, np.full(4, -100))))
    check([(4, 5)], lambda F, x: F.cross_entropy(x, const(F, np.full(4, -100)), label_smoothing=0.2))
    check([(4, 5)], lambda F, x: F.nll_loss(x, const(F, np.full(4, 3)), ignore_index=3))
    check([(4, 5)], lambda F, x: F.cross_entropy(x, const(F, [0, 1, 2, 3]),
                                                 weight=const(F, np.float32([0, 0, 0, 0, 1]))))


def test_byte_targets_and_legacy_reduction_arguments():
    target = np.array([0, 2, 1], dtype=np.uint8)
    check([(3, 4)], lambda F, x: F.cross_entropy(x, const(F, target)))
    for size_average, reduce in [(False, None), (None, False), (True, True)]:
        with pytest.warns(UserWarning, match="size_average and reduce"):
            check([(3, 4)], lambda F, x: F.nll_loss(x, const(F, target.astype(np.int64)),
                                                    size_average=size_average, reduce=reduce))


def test_unbatched_input_accepts_a_one_element_target():
    # torch's forward accepts a (1,) target for a (C,) input; its backward fails ("size mismatch"), ours not.
    for reduction in ("mean", "none"):
        check([(5,)], lambda F, x: F.cross_entropy(x, const(F, [3]), reduction=reduction), grad=False)
    x = gg.randn(5, requires_grad=True)
    cross_entropy(x, gg.tensor([3])).backward()
    expected = gg.randn(5, requires_grad=True)
    expected.data[...] = x.data
    cross_entropy(expected, gg.tensor(3)).backward()
    assert_close(x.grad, expected.grad.data)


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    (x,) = float64_inputs((3, 4, 2))
    t = gg.tensor(np.array([[0, 3], [1, 2], [2, -100]]))
    w = gg.tensor(rng.uniform(0.5, 2.0, 4))
    assert gg.autograd.gradcheck(lambda a: cross_entropy(a, t, weight=w, label_smoothing=0.2), (x,))
    assert gg.autograd.gradcheck(lambda a: cross_entropy(a, t, reduction="none"), (x,))
    assert gg.autograd.gradcheck(lambda a: nll_loss(a, t, weight=w, reduction="sum"), (x,))
    x, p, w = float64_inputs((3, 4), (3, 4), (4,), low=0.1, high=1.0)
    assert gg.autograd.gradcheck(lambda a, b, c: cross_entropy(a, b, weight=c, label_smoothing=0.1),
                                 (x, p, w))


# ---- errors -----------------------------------------------------------------------------------

def _logits():
    return gg.randn(4, 5, requires_grad=True)


@pytest.mark.parametrize("loss", [cross_entropy, nll_loss])
def test_class_index_errors(loss):
    x = _logits()
    with pytest.raises(IndexError, match=r"^Target 7 is out of bounds\. .*5 classes"):
        loss(x, gg.tensor([0, 7, 2, 1]))
    with pytest.raises(IndexError, match=r"^Target -1 is out of bounds\."):
        loss(x, gg.tensor([0, -1, 2, 1]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got int32"):
        loss(x, gg.tensor([0, 1, 2, 1], dtype=gg.int32))
    with pytest.raises(ValueError, match=r"batch_size \(4\) to match target batch_size \(3\)\. "
                                         r"\(.*input \(4, 5\), target \(3,\)"):
        loss(x, gg.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"target of shape \(4, 2\) for an input of shape \(4, 5, 2\), "
                                           r"but got a target of shape \(4, 3\)"):
        loss(gg.randn(4, 5, 2), gg.zeros(4, 3, dtype=gg.int64))
    with pytest.raises(RuntimeError, match=r"all 5 classes .* shape: \[4\]"):
        loss(x, gg.tensor([0, 1, 2, 1]), weight=gg.ones(4))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        loss(x, gg.tensor([0, 1, 2, 1]), weight=gg.ones(5, requires_grad=True))
    with pytest.raises(RuntimeError, match="weight of dtype float32"):
        loss(x, gg.tensor([0, 1, 2, 1]), weight=gg.ones(5, dtype=gg.float64))
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        loss(x, gg.tensor([0, 1, 2, 1]), reduction="bad")
    with pytest.raises(ValueError, match="0-d"):
        loss(gg.tensor(1.0), gg.tensor(0))
    with pytest.raises(RuntimeError, match="floating point input"):
        loss(gg.tensor([[1, 2]]), gg.tensor([0]))
    assert x.grad is None and x.grad_fn is None  # nothing was recorded or computed


def test_cross_entropy_target_errors_name_both_shapes():
    x = _logits()
    with pytest.raises(RuntimeError, match=r"Long or Byte, but got float32 .*\(4, 5\).*\(4,\)"):
        cross_entropy(x, gg.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(RuntimeError, match=r"Long or Byte, but got float32 .*\(4, 5\).*\(4, 4\)"):
        cross_entropy(x, gg.rand(4, 4))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        cross_entropy(x, gg.rand(4, 5), ignore_index=1)
    with pytest.raises(RuntimeError, match=r"all 5 classes .* shape: \[5, 1\]"):
        cross_entropy(x, gg.rand(4, 5), weight=gg.ones(5, 1))
    for smoothing in (1.5, -0.1, float("nan")):
        with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
            cross_entropy(x, gg.tensor([0, 1, 2, 1]), label_smoothing=smoothing)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got float32"):
        nll_loss(x, gg.rand(4, 5))


# ---- properties -------------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.integers(0, 4), st.integers(1, 6), st.lists(st.integers(1, 3), max_size=2),
       st.sampled_from(["mean", "sum", "none"]), st.booleans(), st.sampled_from([0.0, 0.15]),
       st.integers(0, 2**16))
def test_cross_entropy_matches_torch_on_random_problems(n, c, spatial, reduction, weighted, smoothing, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c, *spatial)
    logits = rng.normal(0, 5, shape).astype(np.float32)
    target = rng.integers(-1, c, (n, *spatial))
    target[target < 0] = -100
    weight = rng.uniform(0.1, 3.0, c).astype(np.float32) if weighted else None
    outs = []
    for F, lib in ((GF, gg), (TF, torch)):
        x = const(F, logits).requires_grad_()
        w = None if weight is None else const(F, weight)
        loss = F.cross_entropy(x, const(F, target), weight=w, reduction=reduction, label_smoothing=smoothing)
        loss.sum().backward() if reduction == "none" else loss.backward()
        outs.append((loss, x.grad))
    assert_close(outs[0][0], outs[1][0], scale=10, what="loss")  # sums over up to 4·3·3 terms
    assert_close(outs[0][1], outs[1][1], scale=10, what="grad")
