"""MultiheadAttention against torch with the same weights: layouts, self/cross attention, masks,
weights returned or not, kdim/vdim, extra key/value slots, dtypes, initialisation."""
import math

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer, repr_without_count

DTYPES = ["float32", "float64"]
E, H, N, L, S = 8, 2, 3, 4, 5


def _pair(**kwargs):
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(E, H, **kwargs)
    with torch.no_grad():   # non-zero biases, so that every bias gradient is compared
        for name, p in t.named_parameters():
            if "bias" in name:
                p.uniform_(-0.3, 0.3)
    return nn.MultiheadAttention(E, H, **kwargs), t


def _self(**call):
    return lambda m, x: m(x, x, x, **call)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("call", [{}, {"need_weights": False}, {"average_attn_weights": False}], ids=str)
def test_self_attention(call, batch_first, dtype):
    g, t = _pair(batch_first=batch_first)
    shape = (N, L, E) if batch_first else (L, N, E)
    check_layer(g, t, [shape], dtype=dtype, forward=_self(**call), scale=10)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_attention_and_separate_key_value(dtype):
    g, t = _pair(batch_first=True)
    check_layer(g, t, [(N, L, E), (N, S, E)], dtype=dtype, forward=lambda m, q, kv: m(q, kv, kv),
                scale=10)
    check_layer(g, t, [(N, L, E), (N, S, E), (N, S, E)], dtype=dtype,
                forward=lambda m, q, k, v: m(q, k, v), scale=10)


def test_unbatched_input():
    g, t = _pair(batch_first=True)
    check_layer(g, t, [(L, E)], forward=_self(), scale=10)
    check_layer(g, t, [(L, E)], forward=_self(average_attn_weights=False), scale=10)


def _masks(lib, dtype):
    rng = np.random.default_rng(4)
    causal = np.triu(np.ones((L, L), bool), 1)
    padding = np.zeros((N, L), bool)
    padding[0, -2:] = True
    float_mask = rng.standard_normal((L, L)).astype(dtype)
    per_head = rng.standard_normal((N * H, L, L)).astype(dtype)
    t = lib.tensor if lib is gg else torch.tensor
    return {"causal": t(causal), "padding": t(padding), "float": t(float_mask), "per_head": t(per_head),
            "float_padding": t(np.where(padding, -1e9, 0.0).astype(dtype))}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("masks", [("causal", None), (None, "padding"), ("causal", "padding"),
                                   ("float", None), ("per_head", None), ("float", "float_padding")],
                         ids=str)
def test_masks(masks, need_weights, dtype):
    attn_name, pad_name = masks
    g, t = _pair(batch_first=True)

    def forward(m, x):
        lib = gg if isinstance(m, nn.Module) else torch
        ms = _masks(lib, dtype)
        return m(x, x, x, attn_mask=None if attn_name is None else ms[attn_name],
                 key_padding_mask=None if pad_name is None else ms[pad_name], need_weights=need_weights)
    check_layer(g, t, [(N, L, E)], dtype=dtype, forward=forward, scale=10)


@pytest.mark.parametrize("need_weights", [True, False])
def test_is_causal_hint(need_weights):
    g, t = _pair(batch_first=True)

    def forward(m, x):
        lib = gg if isinstance(m, nn.Module) else torch
        mask = _masks(lib, "float32")["causal"]
        return m(x, x, x, attn_mask=mask, is_causal=True, need_weights=need_weights)
    check_layer(g, t, [(N, L, E)], forward=forward, scale=10)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        g(gg.zeros(N, L, E), gg.zeros(N, L, E), gg.zeros(N, L, E), is_causal=True)


@pytest.mark.parametrize("kwargs", [{"bias": False}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True},
                                    {"add_zero_attn": True}, {"add_bias_kv": True, "add_zero_attn": True}],
                         ids=str)
def test_options(kwargs):
    g, t = _pair(batch_first=True, **kwargs)
    kdim, vdim = kwargs.get("kdim", E), kwargs.get("vdim", E)
    check_layer(g, t, [(N, L, E), (N, S, kdim), (N, S, vdim)], forward=lambda m, q, k, v: m(q, k, v),
                scale=10)
    assert list(g.state_dict()) == list(t.state_dict())

    def masked(m, q, k, v):
        lib = gg if isinstance(m, nn.Module) else torch
        padding = np.zeros((N, S), bool)
        padding[1, :2] = True
        return m(q, k, v, key_padding_mask=(gg.tensor if lib is gg else torch.tensor)(padding))
    check_layer(g, t, [(N, L, E), (N, S, kdim), (N, S, vdim)], forward=masked, scale=10)


def test_dropout_only_in_training():
    g, t = _pair(batch_first=True, dropout=0.5)
    g.eval()
    t.eval()
    check_layer(g, t, [(N, L, E)], forward=_self(), scale=10)
    g.train()
    x = gg.randn(N, L, E)
    gg.manual_seed(0)
    _, w1 = g(x, x, x, average_attn_weights=False)
    assert (w1.numpy() == 0).mean() == pytest.approx(0.5, abs=0.15)   # dropped attention weights


def test_state_dict_repr_and_init_match_torch():
    g, t = nn.MultiheadAttention(16, 4), torch.nn.MultiheadAttention(16, 4)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr_without_count(g) == repr(t)
    bound = math.sqrt(6 / (16 + 48))                      # xavier_uniform_ on (3E, E)
    assert np.abs(g.in_proj_weight.numpy()).max() <= bound
    assert not g.in_proj_bias.numpy().any() and not g.out_proj.bias.numpy().any()
    assert np.abs(g.out_proj.weight.numpy()).max() <= 1 / 4
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="must be greater than 0"):
        nn.MultiheadAttention(0, 1)
