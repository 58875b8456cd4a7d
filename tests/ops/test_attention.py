"""scaled_dot_product_attention against torch: shapes, broadcasting, masks, causal, GQA, dropout, errors."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops.nn import scaled_dot_product_attention as sdpa
from tests.ops.nn_helpers import DTYPES, TF, check, const, float64_inputs
from tests.reference import assert_close

# (query, key, value) shapes: 2-D, batched, heads, L != S, E != Ev, broadcast batch dims, empty dims.
SHAPES = [((4, 3), (4, 3), (4, 3)), ((2, 5, 4), (2, 6, 4), (2, 6, 3)),
          ((2, 3, 4, 8), (2, 3, 7, 8), (2, 3, 7, 8)), ((2, 3, 4), (1, 5, 4), (1, 5, 2)),
          ((3, 4), (2, 5, 4), (2, 5, 4)), ((0, 3, 4), (0, 5, 4), (0, 5, 4)),
          ((2, 6, 4), (2, 3, 4), (2, 3, 4)), ((2, 0, 4), (2, 5, 4), (2, 5, 4)),
          ((2, 3, 4), (2, 0, 4), (2, 0, 4))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_sdpa(shapes, causal, dtype):
    check(list(shapes), lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
          dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sdpa_scale_and_views(dtype):
    check([(2, 5, 4)] * 3, lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, scale=0.3), dtype=dtype)
    check([(2, 5, 4)] * 3, lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v), dtype=dtype,
          noncontiguous=True)


def _bool_mask(shape, seed=0):
    mask = np.random.default_rng(seed).random(shape) < 0.6
    mask[..., 0] = True  # every row attends somewhere (fully masked rows are tested on their own)
    return mask


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (1, 3, 4, 6), (1, 6)], ids=str)
def test_sdpa_bool_mask(mask_shape, dtype):
    mask = _bool_mask(mask_shape)
    check([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)],
          lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=const(F, mask)), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (3, 1, 6)], ids=str)
def test_sdpa_float_mask_gets_a_gradient(mask_shape, dtype):
    check([(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), mask_shape],
          lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), dtype=dtype)


def test_sdpa_float32_mask_with_float64_inputs():
    check([(2, 4, 3), (2, 5, 3), (2, 5, 3), np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)],
          lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), dtype="float64")


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_rows_give_zeros_like_torch(kind):
    mask = _bool_mask((4, 6))
    mask[1] = False
    additive = np.where(mask, 0.0, -np.inf).astype(np.float32)

    def fn(F, q, k, v):
        m = const(F, mask if kind == "bool" else additive)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    g_out, _ = check([(2, 4, 3), (2, 6, 3), (2, 6, 3)], fn)
    assert (g_out[0].data[:, 1] == 0).all()
    with np.errstate(all="raise"):  # no warnings on the way
        fn(gg.ops.nn, *(gg.randn(*s) for s in [(2, 4, 3), (2, 6, 3), (2, 6, 3)]))


def test_sdpa_large_scores_are_stable():
    check([(3, 4), (5, 4), (5, 4)], lambda F, q, k, v: F.scaled_dot_product_attention(q * 300, k, v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape", [None, (3, 5), (2, 6, 3, 5), (2, 1, 3, 5), (6, 1, 5)], ids=str)
def test_sdpa_grouped_query_attention(mask_shape, dtype):
    # 6 query heads share 2 key/value heads in groups of 3 (a square 2x2 split would hide a swapped one).
    mask = None if mask_shape is None else _bool_mask(mask_shape)

    def fn(F, q, k, v):
        m = None if mask is None else const(F, mask)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m, enable_gqa=True)
    check([(2, 6, 3, 8), (2, 2, 5, 8), (2, 2, 5, 6)], fn, dtype=dtype)
    check([(2, 6, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8)],
          lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
          dtype=dtype)
    check([(2, 6, 3, 8), (2, 2, 5, 8), (2, 2, 5, 6), (2, 6, 3, 5)],
          lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, enable_gqa=True),
          dtype=dtype)


def test_sdpa_gradcheck_float64():
    q, k, v, m = float64_inputs((2, 3, 2), (2, 4, 2), (2, 4, 3), (3, 4))
    assert gg.autograd.gradcheck(lambda *a: sdpa(a[0], a[1], a[2], attn_mask=a[3]), (q, k, v, m))
    assert gg.autograd.gradcheck(lambda *a: sdpa(*a, is_causal=True, scale=0.7), (q, k, v))
    q, k, v = float64_inputs((1, 4, 2, 2), (1, 2, 3, 2), (1, 2, 3, 2))
    assert gg.autograd.gradcheck(lambda *a: sdpa(*a, enable_gqa=True), (q, k, v))


# ---- the causal fast path (query blocks, from 128 positions) ------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((2, 128, 8),) * 3, ((1, 2, 131, 4), (1, 2, 131, 4), (1, 2, 131, 3)),
                                    ((2, 3, 256, 4), (1, 256, 4), (3, 256, 5))], ids=str)
def test_sdpa_causal_blocks(shapes, dtype):
    # 2 and 4 query blocks, unequal blocks (131), E != Ev, key/value batch dims broadcast against q's.
    check(list(shapes), lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
          dtype=dtype)
    check([(2, 128, 8)] * 3, lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
          dtype=dtype, noncontiguous=True)


def test_sdpa_causal_blocks_partial_grads():
    # Gradients for only some inputs: the others are constants.
    for which in range(3):
        def fn(F, x, which=which):
            args = [const(F, np.linspace(-1, 1, 128 * 4, dtype=np.float32).reshape(128, 4))] * 3
            args[which] = x
            return F.scaled_dot_product_attention(*args, is_causal=True)
        check([(128, 4)], fn)


def test_sdpa_causal_blocks_gradcheck_float64():
    from glassgrad.ops.attention import causal_bounds
    assert causal_bounds(128, 128, 1, 0.0) == ((0, 64), (64, 128))
    q, k, v = float64_inputs((128, 2), (128, 2), (128, 2))
    assert gg.autograd.gradcheck(lambda *a: sdpa(*a, is_causal=True), (q, k, v))


# ---- dropout on the probabilities ---------------------------------------------------------------

def _dropout_case(p, seed):
    gg.manual_seed(seed)
    rng = np.random.default_rng(0)
    q, k = (gg.tensor(rng.normal(size=(8, 64, 16)).astype(np.float32), requires_grad=True) for _ in "qk")
    v = gg.eye(64).reshape(1, 64, 64)  # out = dropped probabilities @ I: the dropped probabilities
    v.requires_grad_()
    return q, k, v, sdpa(q, k, v, dropout_p=p)


@pytest.mark.parametrize("p", [0.2, 0.6])
def test_sdpa_dropout_statistics_and_gradient(p):
    q, k, v, out = _dropout_case(p, seed=0)
    probs = sdpa(q, k, v).data
    kept = out.data != 0
    assert abs((~kept).mean() - p) < 5 * np.sqrt(p * (1 - p) / kept.size)  # 5 standard errors
    np.testing.assert_allclose(out.data[kept], probs[kept] / (1 - p), rtol=1e-5)
    # Gradients equal those of the same mask applied by hand in torch: (softmax(q k^T s) * mask / (1-p)) @ v.
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(gg.tensor(upstream))
    tq, tk, tv = (torch.tensor(t.data, requires_grad=True) for t in (q, k, v))
    weights = torch.softmax(tq @ tk.transpose(-1, -2) / 4.0, -1) * torch.tensor(kept) / (1 - p)
    (weights @ tv).backward(torch.tensor(upstream))
    for ours, theirs in ((q, tq), (k, tk), (v, tv)):
        assert_close(ours.grad, theirs.grad, scale=10)  # sums over 64 keys and 8 batches


def test_sdpa_dropout_is_reproducible():
    first = _dropout_case(0.5, seed=3)[3].data
    np.testing.assert_array_equal(_dropout_case(0.5, seed=3)[3].data, first)
    assert not np.array_equal(_dropout_case(0.5, seed=4)[3].data, first)
    assert (_dropout_case(1.0, seed=0)[3].data == 0).all()


# ---- errors -------------------------------------------------------------------------------------

def test_sdpa_errors():
    q, k, v = gg.randn(3, 4), gg.randn(5, 4), gg.randn(5, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        sdpa(q, k, v, attn_mask=gg.ones(3, 5, dtype=gg.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool or float or to match query dtype"):
        sdpa(q, k, v, attn_mask=gg.ones(3, 5, dtype=gg.int64))
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool or float or to match query dtype"):
        sdpa(q, k, v, attn_mask=gg.zeros(3, 5, dtype=gg.float64))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(3, 4\) does not broadcast .* \(3, 5\)"):
        sdpa(q, k, v, attn_mask=gg.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(2, 3, 5\) does not broadcast"):
        sdpa(q, k, v, attn_mask=gg.zeros(2, 3, 5))
    with pytest.raises(RuntimeError, match=r"same embedding size E .*query \(3, 4\), key \(5, 3\)"):
        sdpa(q, gg.randn(5, 3), v)
    with pytest.raises(RuntimeError, match=r"same sequence length S .*value \(6, 4\)"):
        sdpa(q, k, gg.randn(6, 4))
    with pytest.raises(RuntimeError, match="same floating point dtype"):
        sdpa(q, k, gg.randn(5, 4, dtype=gg.float64))
    with pytest.raises(RuntimeError, match="at least 2 dimensional"):
        sdpa(gg.randn(4), gg.randn(4), gg.randn(4))
    with pytest.raises(RuntimeError, match="batch dims do not broadcast"):
        sdpa(gg.randn(4, 3, 2), gg.randn(2, 3, 2), gg.randn(2, 3, 2))
    with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
        sdpa(gg.randn(1, 3, 2, 4), gg.randn(1, 2, 2, 4), gg.randn(1, 2, 2, 4), enable_gqa=True)
    with pytest.raises(RuntimeError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        sdpa(q, k, v, dropout_p=1.5)
    # What torch accepts, glassgrad does too: no mask errors for the shapes torch broadcasts.
    TF.scaled_dot_product_attention(*(torch.randn(*s) for s in [(3, 4), (5, 4), (5, 4)]),
                                    attn_mask=torch.zeros(5))
    sdpa(q, k, v, attn_mask=gg.zeros(5))
