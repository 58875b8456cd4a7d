"""``MultiheadAttention`` (PyTorch's, parameters and numerics), built on scaled_dot_product_attention.

Inside, every tensor is batch first: (N, L, E) projected to heads (N, H, L, head_dim). Masks follow
PyTorch: ``attn_mask`` (L, S) or (N·H, L, S) and ``key_padding_mask`` (N, S); a bool True means "may
not attend", a float is added to the scores.
"""
from __future__ import annotations

import math

import numpy as np

from ..ops.join import cat
from ..tensor import _new_tensor
from . import functional as F
from . import init
from .linear import NonDynamicallyQuantizableLinear
from .module import Module
from .parameter import Parameter, factory_kwargs


def _as_float_mask(mask, name: str, dtype):
    """A bool mask as 0 / -inf in ``dtype``; a float mask as it is (it may carry a gradient)."""
    if mask is None:
        return None
    kind = mask.data.dtype.kind
    if kind == "b":
        return _new_tensor(np.where(mask.data, -np.inf, 0.0).astype(dtype), False)
    if kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask.to(dtype)


class MultiheadAttention(Module):
    """Attention of a query sequence over key/value sequences, in ``num_heads`` heads.

    >>> import glassgrad as gg
    >>> mha = gg.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = gg.randn(3, 5, 8)                                  # (N, L, E)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape                               # weights averaged over heads
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads} instead")
        super().__init__()
        dtype = factory_kwargs(device, dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        def empty(*shape):
            return Parameter(np.empty(shape, dtype=dtype))
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = empty(embed_dim, embed_dim)
            self.k_proj_weight = empty(embed_dim, self.kdim)
            self.v_proj_weight = empty(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = empty(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = empty(1, 1, embed_dim)
            self.bias_v = empty(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    # ---- the pieces ------------------------------------------------------------------------------
    def _project(self, query, key, value):
        """q, k, v projections: (N, L, E), (N, S, E), (N, S, E). One matmul for self-attention."""
        E = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if not self._qkv_same_embed_dim:
            return (F.linear(query, self.q_proj_weight, bq), F.linear(key, self.k_proj_weight, bk),
                    F.linear(value, self.v_proj_weight, bv))
        w = self.in_proj_weight
        if query is key and key is value:
            qkv = F.linear(query, w, b)                        # (N, L, 3E)
            return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
        if key is value:
            kv = F.linear(key, w[E:], None if b is None else b[E:])
            return F.linear(query, w[:E], bq), kv[..., :E], kv[..., E:]
        return F.linear(query, w[:E], bq), F.linear(key, w[E:2 * E], bk), F.linear(value, w[2 * E:], bv)

    def _merged_mask(self, attn_mask, key_padding_mask, n, length, source):
        """Both (float) masks as one additive mask broadcastable to (N, H, L, S), or None."""
        if attn_mask is not None:
            if attn_mask.shape == (length, source):
                attn_mask = attn_mask.reshape(1, 1, length, source)
            elif attn_mask.shape == (n * self.num_heads, length, source):
                attn_mask = attn_mask.reshape(n, self.num_heads, length, source)
            else:
                raise RuntimeError(f"The shape of the attn_mask is {attn_mask.shape}, but should be "
                                   f"{(length, source)} or {(n * self.num_heads, length, source)}.")
        if key_padding_mask is not None:
            if key_padding_mask.shape != (n, source):
                raise AssertionError(f"expecting key_padding_mask shape of {(n, source)}, but got "
                                     f"{key_padding_mask.shape}")
            key_padding_mask = key_padding_mask.reshape(n, 1, 1, source)
            attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
        return attn_mask

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        """Returns (output, weights): output like ``query``; weights (N, L, S) averaged over heads, or
        (N, H, L, S) with ``average_attn_weights=False``, or None with ``need_weights=False``."""
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                                 f"query {query.shape}, key {key.shape}, value {value.shape}")
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                               "Transformer module method `generate_square_subsequent_mask` to create "
                               "this mask.")
        batched = query.ndim == 3
        if not batched:  # (L, E): a batch of one, whatever batch_first says
            query, key, value = (t.reshape((1,) + t.shape) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.reshape((1,) + key_padding_mask.shape)
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            same_kv, same_qk = key is value, query is key
            query = query.transpose(0, 1)
            key = query if same_qk else key.transpose(0, 1)
            value = key if same_kv else value.transpose(0, 1)
        n, length, embed = query.shape
        if embed != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {embed}")
        attn_mask = _as_float_mask(attn_mask, "attn_mask", query.dtype)
        key_padding_mask = _as_float_mask(key_padding_mask, "key_padding_mask", query.dtype)
        q, k, v = self._project(query, key, value)
        if self.bias_k is not None:  # one more key/value position holding a learned vector
            k = cat([k, self.bias_k.expand(n, 1, self.embed_dim)], dim=1)
            v = cat([v, self.bias_v.expand(n, 1, self.embed_dim)], dim=1)
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
        heads, hd = self.num_heads, self.head_dim
        source = k.shape[1]
        q = q.reshape(n, length, heads, hd).transpose(1, 2)      # (N, H, L, hd)
        k = k.reshape(n, source, heads, hd).transpose(1, 2)      # (N, H, S, hd)
        v = v.reshape(n, source, heads, hd).transpose(1, 2)
        if self.add_zero_attn:  # one more key/value position of zeros
            zeros = _new_tensor(np.zeros((n, heads, 1, hd), dtype=q.dtype), False)
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
            source += 1
        causal_hint = is_causal and key_padding_mask is None and not need_weights
        mask = None if causal_hint else self._merged_mask(attn_mask, key_padding_mask, n, length,
                                                          source)
        dropout_p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)   # (N, H, L, S)
            if mask is not None:
                scores = scores + mask
            weights = F.softmax(scores, dim=-1)
            if dropout_p > 0.0:
                weights = F.dropout(weights, p=dropout_p)
            out = weights @ v                                         # (N, H, L, hd)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p,
                                                 is_causal=causal_hint)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        if weights is not None and average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out = out.reshape(out.shape[1:])
            weights = None if weights is None else weights.reshape(weights.shape[1:])
        elif not self.batch_first:
            out = out.transpose(0, 1)
        return out, weights
