"""Scaled dot-product attention as one Function: scores, mask, softmax, dropout and the value mix.

Forward: ``softmax(q @ k^T * scale + mask) @ v`` with the probabilities saved; backward: four batched
matmuls and one row reduction, with no (L, S) temporary beyond the gradient of the scores.
A row whose every key is masked out gets probabilities 0 (output 0, gradient 0), as PyTorch does.
Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev), batch dims broadcasting; out (..., L, Ev).
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._rows import last_max, last_sum


class ScaledDotProductAttention(Function):
    name = "scaled_dot_product_attention"

    def forward(self, q, k, v, *mask, blocked, scale, dropout_p, groups, causal_blocks=None):
        self.causal_blocks = causal_blocks
        if causal_blocks:
            return self._causal_forward(q, k, v, blocked, scale, causal_blocks)
        # groups > 1 (grouped-query attention): q (..., Hkv·G, L, E) viewed as (..., Hkv, G, L, E) and k, v
        # as (..., Hkv, 1, S, E), so each key/value head serves G query heads without being copied.
        self.groups = groups
        if groups > 1:
            q = q.reshape(q.shape[:-3] + (k.shape[-3], groups) + q.shape[-2:])
            k, v = k[..., None, :, :], v[..., None, :, :]
        scores = np.matmul(q * scale, np.swapaxes(k, -1, -2))           # (..., L, S), a fresh array
        if mask:
            scores += _grouped(mask[0], groups)  # it broadcasts to the scores' shape (checked)
        if blocked is not None:
            np.copyto(scores, -np.inf, where=_grouped(blocked, groups))
        probs = _safe_softmax(scores)
        mixed, dropped = probs, None
        if dropout_p > 0:
            # Inverted dropout on the probabilities: kept ones scaled by 1 / (1 - p).
            draws = backend.rng().random(probs.shape, dtype=np.float64 if probs.itemsize > 4 else np.float32)
            factor = 1.0 / (1.0 - dropout_p) if dropout_p < 1 else 0.0
            dropped = np.multiply(draws >= dropout_p, probs.dtype.type(factor), dtype=probs.dtype)
            mixed = probs * dropped
        out = np.matmul(mixed, v)                                        # (..., L, Ev)
        self.save_for_backward(q, k, v, probs, mixed, dropped)
        self.grouped_out_shape = out.shape
        self.scale = scale
        return out.reshape(out.shape[:-4] + (-1,) + out.shape[-2:]) if groups > 1 else out

    def backward(self, grad):
        if self.causal_blocks:
            return self._causal_backward(grad)
        q, k, v, probs, mixed, dropped = self.saved
        groups = self.groups
        if groups > 1:
            grad = grad.reshape(self.grouped_out_shape)
        need_q, need_k, need_v = self.needs_input_grad[:3]
        need_mask = len(self.needs_input_grad) > 3 and self.needs_input_grad[3]
        grad_v = np.matmul(np.swapaxes(mixed, -1, -2), grad) if need_v else None
        grad_q = grad_k = grad_mask = None
        if need_q or need_k or need_mask:
            d_probs = np.matmul(grad, np.swapaxes(v, -1, -2))           # (..., L, S)
            if dropped is not None:
                d_probs *= dropped
            # Softmax backward: dS = P * (dP - sum(dP * P)). (sum(dP * P) equals sum(grad * out), a shorter
            # sum, but only in exact arithmetic: in a saturated row, where P is one-hot, the direct form
            # cancels to exactly 0 and the short one leaves round-off that the scale then magnifies.)
            d_probs -= np.einsum("...i,...i->...", d_probs, probs)[..., None]
            d_probs *= probs
            d_scores = d_probs
            if need_mask:
                grad_mask = d_scores if groups == 1 else d_scores.reshape(
                    d_scores.shape[:-4] + (-1,) + d_scores.shape[-2:])
            if need_q:
                grad_q = np.matmul(d_scores, k) * self.scale
                if groups > 1:
                    grad_q = grad_q.reshape(grad_q.shape[:-4] + (-1,) + grad_q.shape[-2:])
            if need_k:
                grad_k = np.matmul(np.swapaxes(d_scores, -1, -2), q) * self.scale
        if groups > 1:  # each key/value head gets the sum over the G query heads it served
            grad_k = None if grad_k is None else grad_k.sum(axis=-3)
            grad_v = None if grad_v is None else grad_v.sum(axis=-3)
        grads = (grad_q, grad_k, grad_v)
        return grads + (grad_mask,) if len(self.needs_input_grad) > 3 else grads


    # ---- causal attention by query blocks --------------------------------------------------------
    # Query block [a, b) attends keys [0, b) only: the keys after b are masked for all of its rows, so
    # their scores, probabilities and gradients are never computed. With 2 blocks that is 3/4 of the
    # (L, L) work and memory of every product and softmax pass, with 4 blocks 5/8.

    def _causal_forward(self, q, k, v, blocked, scale, bounds):
        # Strided views (heads cut out of a qkv projection) made contiguous once: each of the 8 batched
        # products per block runs 20-40% faster on contiguous operands, and the copies replace the views
        # in what is saved, so the projection they came from can be freed (no memory added).
        q, k, v = (np.ascontiguousarray(t) for t in (q, k, v))
        out = np.empty(np.broadcast_shapes(q.shape[:-2], v.shape[:-2]) + (q.shape[-2], v.shape[-1]),
                       dtype=q.dtype)
        kt = np.swapaxes(k, -1, -2)
        probs = []
        for a, b in bounds:
            # q is saved as it came (often a view of the qkv projection): scaled copies are per block.
            scores = np.matmul(q[..., a:b, :] * scale, kt[..., :b])    # (..., b - a, b)
            # Only the block's last b - a keys hold masked (future) positions: mask that square alone.
            np.copyto(scores[..., a:], -np.inf, where=blocked[a:b, a:b])
            probs.append(_safe_softmax(scores))
            np.matmul(probs[-1], v[..., :b, :], out=out[..., a:b, :])
        self.save_for_backward(q, k, v, probs)
        self.scale = scale
        return out

    def _causal_backward(self, grad):
        q, k, v, probs = self.saved
        need_q, need_k, need_v = self.needs_input_grad[:3]
        grad = np.ascontiguousarray(grad)  # often a transposed view (heads merged back): see forward
        grad_q = np.empty(grad.shape[:-1] + (q.shape[-1],), grad.dtype) if need_q else None
        grad_k = np.empty(grad.shape[:-2] + k.shape[-2:], grad.dtype) if need_k else None
        grad_v = np.empty(grad.shape[:-2] + v.shape[-2:], grad.dtype) if need_v else None
        # The last block attends every key: going backwards, it writes grad_k and grad_v whole (no
        # zero-fill), and the earlier blocks add into their leading keys.
        blocks = list(zip(self.causal_blocks, probs))[::-1]
        for i, ((a, b), p) in enumerate(blocks):
            g = grad[..., a:b, :]                                       # (..., b - a, Ev)
            if need_v:
                _write_or_add(grad_v[..., :b, :], np.swapaxes(p, -1, -2), g, i == 0)
            if not (need_q or need_k):
                continue
            d = np.matmul(g, np.swapaxes(v[..., :b, :], -1, -2))       # dP, then dS: (..., b - a, b)
            d -= np.einsum("...i,...i->...", d, p)[..., None]           # softmax backward, as above
            d *= p
            if need_q:
                np.matmul(d, k[..., :b, :], out=grad_q[..., a:b, :])
            if need_k:
                _write_or_add(grad_k[..., :b, :], np.swapaxes(d, -1, -2), q[..., a:b, :], i == 0)
        for g in (grad_q, grad_k):
            if g is not None:
                g *= self.scale
        return grad_q, grad_k, grad_v


def _write_or_add(target: np.ndarray, a: np.ndarray, b: np.ndarray, write: bool) -> None:
    """``target = a @ b`` when ``write``, else ``target += a @ b``."""
    if write:
        np.matmul(a, b, out=target)
    else:
        target += np.matmul(a, b)


def causal_bounds(length: int, source: int, groups: int, dropout_p: float):
    """Query blocks for the causal fast path, or None where it does not apply (or does not pay: below
    128 positions the extra calls cost more than the skipped work)."""
    if length != source or length < _CAUSAL_MIN or groups != 1 or dropout_p > 0:
        return None
    count = min(4, length // 64)
    edges = [length * i // count for i in range(count + 1)]
    return tuple(zip(edges, edges[1:]))


_CAUSAL_MIN = 128


def _grouped(mask: np.ndarray, groups: int) -> np.ndarray:
    """A mask broadcastable to (..., Hq, L, S), reshaped to broadcast against (..., Hkv, G, L, S)."""
    if groups == 1 or mask.ndim < 3:
        return mask
    heads = mask.shape[-3]
    split = (1, 1) if heads == 1 else (heads // groups, groups)
    return mask.reshape(mask.shape[:-3] + split + mask.shape[-2:])


def _safe_softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place; a row of only -inf gives 0s (PyTorch's attention rule)."""
    peak = last_max(scores)
    peak[peak == -np.inf] = 0
    scores -= peak[..., None]
    np.exp(scores, out=scores)
    total = last_sum(scores)
    total[total == 0] = 1
    scores /= total[..., None]
    return scores


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` for (..., L, E), (..., S, E), (..., S, Ev) inputs.

    ``attn_mask`` is bool (True = attend) or float (added to the scores), broadcastable to (..., L, S);
    ``is_causal`` masks keys after each query position; ``scale`` defaults to ``1 / sqrt(E)``;
    ``dropout_p`` drops probabilities with glassgrad's seeded generator.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.nn import scaled_dot_product_attention
    >>> q = k = gg.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> v = gg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> scaled_dot_product_attention(q, k, v, is_causal=True)
    tensor([[1.0000, 2.0000],
            [2.3395, 3.3395]])
    """
    q, k, v = query.data, key.data, value.data
    groups = _check(q, k, v, attn_mask, dropout_p, is_causal, enable_gqa)
    length, source = q.shape[-2], k.shape[-2]
    blocked = None
    extra = ()
    if is_causal:  # query i attends keys 0..i (top-left aligned, as in PyTorch)
        blocked = np.triu(np.ones((length, source), dtype=bool), 1)
    elif attn_mask is not None and attn_mask.data.dtype == np.bool_:
        blocked = ~attn_mask.data
    elif attn_mask is not None:
        extra = (attn_mask,)
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else math.inf
    bounds = causal_bounds(length, source, groups, dropout_p) if is_causal else None
    return ScaledDotProductAttention.apply(query, key, value, *extra, blocked=blocked, scale=float(scale),
                                           dropout_p=float(dropout_p), groups=groups,
                                           causal_blocks=bounds)


def _check(q, k, v, attn_mask, dropout_p, is_causal, enable_gqa) -> int:
    """Validate the arguments (PyTorch's errors, naming the shapes); return the GQA group size."""
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError("Expected query, key, and value to all be at least 2 dimensional, but got "
                           f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if not q.dtype == k.dtype == v.dtype or q.dtype.kind != "f":
        raise RuntimeError("Expected query, key, and value to have the same floating point dtype, but got "
                           f"query.dtype: {q.dtype} key.dtype: {k.dtype} and value.dtype: {v.dtype} instead.")
    shapes = f"query {q.shape}, key {k.shape}, value {v.shape}"
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError("scaled_dot_product_attention: query and key need the same embedding size E "
                           f"(last dim); got {shapes}")
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError("scaled_dot_product_attention: key and value need the same sequence length S "
                           f"(dim -2); got {shapes}")
    k_batch, v_batch, groups = k.shape[:-2], v.shape[:-2], 1
    if enable_gqa and q.ndim >= 3 and k.ndim >= 3 and v.ndim >= 3 and q.shape[-3] != k.shape[-3]:
        heads = k.shape[-3]
        if heads == 0 or q.shape[-3] % heads or v.shape[-3] != heads:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in query "
                               f"(enable_gqa=True); got {shapes}")
        groups = q.shape[-3] // heads
        k_batch, v_batch = k_batch[:-1] + q.shape[-3:-2], v_batch[:-1] + q.shape[-3:-2]
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k_batch, v_batch)
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention: batch dims do not broadcast: {shapes}") from None
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if attn_mask is None:
        return groups
    if is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    m = attn_mask.data
    if m.dtype not in (np.bool_, np.float32, q.dtype):  # PyTorch's rule: bool, float or the query's dtype
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {m.dtype} and query.dtype: {q.dtype} instead.")
    scores = batch + (q.shape[-2], k.shape[-2])
    try:
        fits = np.broadcast_shapes(m.shape, scores) == scores
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {m.shape} does not broadcast "
                           f"to the attention scores' shape {scores} ({shapes})")
    return groups


__all__: list = []  # reached as glassgrad.ops.nn.scaled_dot_product_attention (not a torch top-level name)
TENSOR_METHODS: dict = {}
