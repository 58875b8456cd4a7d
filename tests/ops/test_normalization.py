"""layer_norm and batch_norm against torch: affine or not, every input rank, running statistics, errors."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops.nn import batch_norm, layer_norm
from tests.ops.nn_helpers import DTYPES, GF, TF, check, const, float64_inputs
from tests.reference import assert_close

LAYER_CASES = [((4, 6), (6,)), ((2, 3, 8), (8,)), ((2, 3, 4), (3, 4)), ((5,), (5,)), ((0, 4), (4,)),
               ((3, 3), (3,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", ["none", "weight", "bias", "both"])
@pytest.mark.parametrize("shape,normalized", LAYER_CASES, ids=str)
def test_layer_norm(shape, normalized, affine, dtype):
    shapes = [shape] + [normalized] * {"none": 0, "weight": 1, "bias": 1, "both": 2}[affine]

    def fn(F, x, *params):
        weight = params[0] if affine in ("weight", "both") else None
        bias = params[-1] if affine in ("bias", "both") else None
        return F.layer_norm(x, normalized, weight, bias, eps=1e-5)
    check(shapes, fn, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_wide_rows_and_views(dtype):
    # 512-wide rows: longer reductions than round-off of a few elements, hence scale=10.
    check([(8, 512), (512,), (512,)], lambda F, x, w, b: F.layer_norm(x, (512,), w, b), dtype=dtype,
          scale=10)
    check([(5, 6), (6,), (6,)], lambda F, x, w, b: F.layer_norm(x, [6], w, b, 1e-3), dtype=dtype,
          noncontiguous=True)
    check([(3, 4)], lambda F, x: F.layer_norm(x * 0 + 7, (4,)), dtype=dtype)  # constant rows: var 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm_backward_by_blocks_of_rows(monkeypatch, affine, dtype):
    # The path for arrays past the caches, forced on a small one: blocks of 3 rows of 8, the last short.
    from glassgrad.ops import normalization
    monkeypatch.setattr(normalization, "_BLOCKED", 16)
    monkeypatch.setattr(normalization, "_BLOCK", 24)
    shapes = [(2, 5, 8)] + [(8,)] * {"none": 0, "weight": 1, "both": 2}[affine]
    check(shapes, lambda F, x, *p: F.layer_norm(x, (8,), *p), dtype=dtype)


def test_layer_norm_gradcheck_float64():
    x, w, b = float64_inputs((3, 2, 4), (2, 4), (2, 4))
    assert gg.autograd.gradcheck(lambda *a: layer_norm(a[0], (2, 4), a[1], a[2]), (x, w, b))


def test_layer_norm_errors():
    x = gg.randn(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\], expected input with shape \[\*, 4\], "
                                           r"but got input of size \[2, 3\]"):
        layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match=r"weight of shape \[4\] and normalized_shape = \[3\]"):
        layer_norm(x, (3,), weight=gg.ones(4))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        layer_norm(x, ())
    with pytest.raises(RuntimeError, match="bias of dtype float32"):
        layer_norm(x, (3,), bias=gg.ones(3, dtype=gg.float64))
    assert x.grad is None


# ---- batch_norm -------------------------------------------------------------------------------

BATCH_SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 2, 2), (0, 3), (2, 3, 0)]


def _stats(F, dtype, channels=3):
    rng = np.random.default_rng(7)
    return (const(F, rng.normal(0, 1, channels).astype(dtype)),
            const(F, rng.uniform(0.5, 2.0, channels).astype(dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape", BATCH_SHAPES, ids=str)
def test_batch_norm(shape, affine, training, dtype):
    stats = {}

    def fn(F, x, *params):
        mean, var = stats[F] = _stats(F, dtype)
        weight, bias = params if affine else (None, None)
        return F.batch_norm(x, mean, var, weight, bias, training=training, momentum=0.3, eps=1e-4)
    check([shape] + [(3,), (3,)] * affine, fn, dtype=dtype)
    for ours, theirs in zip(stats[GF], stats[TF]):  # the running statistics, updated in place like torch's
        assert_close(ours, theirs, what="running statistic")


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_without_running_stats_and_views(dtype):
    check([(5, 3, 4), (3,), (3,)], lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
          dtype=dtype)
    check([(6, 4)], lambda F, x: F.batch_norm(x, *_stats(F, dtype, 4), training=True), dtype=dtype,
          noncontiguous=True)
    # 64 x 100 values per channel: longer sums than the default tolerance allows for, hence scale=10.
    check([(64, 2, 10, 10), (2,), (2,)], lambda F, x, w, b: F.batch_norm(
        x, *_stats(F, dtype, 2), w, b, training=True), dtype=dtype, scale=10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("up_layout", ["nchw", "batch_last"])
def test_batch_norm_of_a_batch_last_input(up_layout, training, dtype):
    """A conv's output is (N, C, H, W) over (C, H, W, N) memory: the channel sums then run over rows,
    and the input gradient takes the upstream gradient's layout (values as torch's either way)."""
    rng = np.random.default_rng(3)
    memory = rng.normal(1, 2, (3, 5, 4, 6)).astype(dtype)                 # (C, H, W, N)
    up = rng.normal(0, 1, (6, 3, 5, 4)).astype(dtype)
    if up_layout == "batch_last":
        up = np.ascontiguousarray(up.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    affine = rng.uniform(0.5, 2, (2, 3)).astype(dtype)
    results = []
    for F, lib in ((GF, gg), (TF, torch)):
        x = lib.from_numpy(memory.copy()).permute(3, 0, 1, 2).requires_grad_()   # (N, C, H, W) view
        w, b = (lib.from_numpy(a.copy()).requires_grad_() for a in affine)
        mean, var = lib.zeros(3, dtype=x.dtype), lib.ones(3, dtype=x.dtype)
        y = F.batch_norm(x, mean, var, w, b, training=training)
        y.backward(lib.from_numpy(up))
        results.append((y, x.grad, w.grad, b.grad, mean, var))
    for ours, theirs in zip(*results):
        assert_close(ours, theirs, scale=4)


def test_batch_norm_repeated_training_steps_track_torch():
    g_mean, g_var = gg.zeros(3), gg.ones(3)
    t_mean, t_var = torch.zeros(3), torch.ones(3)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(2, 3, (8, 3, 4)).astype(np.float32)
        batch_norm(gg.tensor(x), g_mean, g_var, training=True)
        TF.batch_norm(torch.tensor(x), t_mean, t_var, training=True)
    assert_close(g_mean, t_mean)
    assert_close(g_var, t_var)


def test_batch_norm_gradcheck_float64():
    x, w, b = float64_inputs((4, 2, 3), (2,), (2,))
    mean, var = gg.zeros(2, dtype=gg.float64), gg.ones(2, dtype=gg.float64)
    for training in (True, False):
        assert gg.autograd.gradcheck(lambda *a: batch_norm(a[0], mean, var, a[1], a[2], training=training),
                                     (x, w, b))


def test_batch_norm_errors_change_nothing():
    mean, var = gg.zeros(3), gg.ones(3)
    x = gg.randn(4, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input "
                                         r"size \(1, 3\)"):
        batch_norm(gg.randn(1, 3), mean, var, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        batch_norm(x, None, None)
    with pytest.raises(TypeError, match="'momentum' must be float, not NoneType"):
        batch_norm(x, mean, var, training=True, momentum=None)
    with pytest.raises(RuntimeError, match=r"running_mean should contain 4 elements not 3 .*\(4, 4\)"):
        batch_norm(gg.randn(4, 4), mean, var, training=True)
    with pytest.raises(RuntimeError, match=r"weight should contain 3 elements not 4"):
        batch_norm(x, mean, var, weight=gg.ones(4), training=True)
    with pytest.raises(RuntimeError, match="running_var of dtype float32"):
        batch_norm(x, mean, gg.ones(3, dtype=gg.float64), training=True)
    with pytest.raises(ValueError, match=r"at least 2 dims, got \(3,\)"):
        batch_norm(gg.randn(3), mean, var, training=True)
    np.testing.assert_array_equal(mean.data, 0)
    np.testing.assert_array_equal(var.data, 1)
    assert x.grad is None
