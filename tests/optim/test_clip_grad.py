"""clip_grad_norm_ / clip_grad_value_ / get_total_norm / clip_grads_with_norm_ against torch.nn.utils."""
import warnings

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.optim.clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from tests.reference import assert_close, make_inputs

SHAPES = [(3, 4), (5,), (), (0, 2), (150, 120), (6, 5)]  # (150, 120): big enough to be reduced on its own


def pairs(dtype="float32", scale=1.0, without_grad=(2,), noncontiguous=False):
    """The same parameters with the same gradients in both libraries; some without a gradient."""
    weights = make_inputs(SHAPES, dtype, seed=1)
    grads = make_inputs(SHAPES, dtype, seed=2, noncontiguous=noncontiguous)
    grads = [g * dtype_scale(dtype, scale) for g in grads]
    g_params, t_params = [], []
    for i, (w, g) in enumerate(zip(weights, grads)):
        gp, tp = gg.from_numpy(w.copy()).requires_grad_(), torch.from_numpy(w.copy()).requires_grad_()
        if i not in without_grad:
            gp.grad = gg.from_numpy(np.array(g))
            tp.grad = torch.from_numpy(np.array(g))
        g_params.append(gp)
        t_params.append(tp)
    return g_params, t_params


def dtype_scale(dtype, scale):
    return np.asarray(scale, dtype=dtype)


def compare_grads(g_params, t_params, scale=1.0):
    for i, (g, t) in enumerate(zip(g_params, t_params)):
        if t.grad is None:
            assert g.grad is None
            continue
        assert_close(g.grad, t.grad, scale=scale, what=f"gradient {i}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 0.5, 3, 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    g_params, t_params = pairs(dtype, without_grad=(2, 3))  # 3: the empty one (no identity for inf)
    ours = clip_grad_norm_(g_params, max_norm, norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    # 18000 terms summed (pairwise in NumPy, blocked in torch): a longer reduction than one op's
    assert_close(ours, theirs, scale=10, what="total norm")
    compare_grads(g_params, t_params, scale=10)


def test_minus_inf_norm_noncontiguous_and_single_tensor():
    g_params, t_params = pairs(without_grad=(2, 3), noncontiguous=True)
    assert_close(clip_grad_norm_(g_params, 0.1, float("-inf")),
                 torch.nn.utils.clip_grad_norm_(t_params, 0.1, float("-inf")))
    compare_grads(g_params, t_params)
    assert_close(clip_grad_norm_(g_params[0], 0.01), torch.nn.utils.clip_grad_norm_(t_params[0], 0.01))
    compare_grads(g_params, t_params)


def test_empty_inputs():
    assert_close(clip_grad_norm_([], 1.0), torch.nn.utils.clip_grad_norm_([], 1.0))
    g, t = gg.zeros(0, requires_grad=True), torch.zeros(0, requires_grad=True)
    g.grad, t.grad = gg.zeros(0), torch.zeros(0)
    assert_close(clip_grad_norm_([g], 1.0), torch.nn.utils.clip_grad_norm_([t], 1.0))
    with pytest.raises(RuntimeError, match="empty tensor"):
        torch.nn.utils.clip_grad_norm_([t], 1.0, float("inf"))
    with pytest.raises(RuntimeError, match="empty tensor"):
        clip_grad_norm_([g], 1.0, float("inf"))
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((p for p in []), 1.0)


def test_mixed_dtypes_give_the_wider_norm():
    g = [gg.ones(3, requires_grad=True), gg.ones(2, dtype=gg.float64, requires_grad=True)]
    t = [torch.ones(3, requires_grad=True), torch.ones(2, dtype=torch.float64, requires_grad=True)]
    for a, b in zip(g, t):
        a.grad, b.grad = gg.ones(*a.shape, dtype=a.dtype), torch.ones(b.shape, dtype=b.dtype)
    # torch rounds the float32 tensor's own norm to float32 before combining in float64: float32 accuracy
    assert_close(clip_grad_norm_(g, 1.0), torch.nn.utils.clip_grad_norm_(t, 1.0), dtype="float32")
    for a, b in zip(g, t):
        assert_close(a.grad, b.grad, dtype="float32")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nonfinite_norms(bad):
    g_params, t_params = pairs(without_grad=())
    g_params[1].grad.data[0] = bad
    t_params[1].grad[0] = bad
    for params, clip in ((t_params, torch.nn.utils.clip_grad_norm_), (g_params, clip_grad_norm_)):
        with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
            clip(params, 1.0, error_if_nonfinite=True)
    assert_close(clip_grad_norm_(g_params, 1.0), torch.nn.utils.clip_grad_norm_(t_params, 1.0))
    compare_grads(g_params, t_params)  # scaled by NaN or by 0: torch's numbers, NaNs included


def test_total_norm_and_clip_with_norm_separately():
    g_params, t_params = pairs()
    g_grads = [p.grad for p in g_params if p.grad is not None]
    t_grads = [p.grad for p in t_params if p.grad is not None]
    g_norm, t_norm = get_total_norm(g_grads, 3.0), torch.nn.utils.get_total_norm(t_grads, 3.0)
    assert_close(g_norm, t_norm, scale=10)
    clip_grads_with_norm_(g_params, 2.0, g_norm)
    torch.nn.utils.clip_grads_with_norm_(t_params, 2.0, t_norm)
    compare_grads(g_params, t_params, scale=10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_value_matches_torch(dtype):
    g_params, t_params = pairs(dtype, noncontiguous=True)
    assert clip_grad_value_(g_params, 0.7) is None
    torch.nn.utils.clip_grad_value_(t_params, 0.7)
    compare_grads(g_params, t_params)
    clip_grad_value_(g_params[0], 0.1)
    torch.nn.utils.clip_grad_value_(t_params[0], 0.1)
    compare_grads(g_params, t_params)


def test_gradients_are_clipped_in_place():
    w = gg.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    grad, array = w.grad, w.grad.data
    clip_grad_norm_([w], 1.0)
    clip_grad_value_([w], 0.7)
    assert w.grad is grad and w.grad.data is array
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clip_grad_norm_([w], 100.0).item() == pytest.approx(np.hypot(0.6, 0.7))
