"""The benchmark workloads, written once for both libraries: ``build(lib, name)`` with lib glassgrad or torch.

The same code builds both models (a PyTorch user's port is the import line), so the two do the same work:
the same layers, the same ops, the same batches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GPTConfig:
    vocab: int = 65
    block: int = 128
    layers: int = 4
    heads: int = 4
    embed: int = 128
    batch: int = 32


CONFIGS = {"gpt": GPTConfig(), "tiny-gpt": GPTConfig(block=16, layers=1, heads=2, embed=32, batch=8)}


def gpt(lib, cfg: GPTConfig):
    """nanoGPT's decoder-only transformer (pre-norm blocks, causal attention, GELU MLP), no dropout."""
    nn, F = lib.nn, lib.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(cfg.embed, 3 * cfg.embed)
            self.proj = nn.Linear(cfg.embed, cfg.embed)

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.qkv(x).split(cfg.embed, dim=2)                      # 3 x (B, T, C)
            heads = [z.view(b, t, cfg.heads, c // cfg.heads).transpose(1, 2) for z in (q, k, v)]
            y = F.scaled_dot_product_attention(*heads, is_causal=True)         # (B, nh, T, hs)
            return self.proj(y.transpose(1, 2).contiguous().view(b, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn = nn.LayerNorm(cfg.embed), Attention()
            self.ln2 = nn.LayerNorm(cfg.embed)
            self.mlp = nn.Sequential(nn.Linear(cfg.embed, 4 * cfg.embed), nn.GELU(),
                                     nn.Linear(4 * cfg.embed, cfg.embed))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(cfg.vocab, cfg.embed)
            self.pos = nn.Embedding(cfg.block, cfg.embed)
            self.blocks = nn.ModuleList([Block() for _ in range(cfg.layers)])
            self.ln = nn.LayerNorm(cfg.embed)
            self.head = nn.Linear(cfg.embed, cfg.vocab)

        def forward(self, idx):                                                # (B, T) token ids
            x = self.tok(idx) + self.pos(lib.arange(idx.shape[1]))            # (B, T, C)
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln(x))                                       # (B, T, vocab)

    return GPT()


def _batches(lib, name: str, count: int = 4) -> list:
    """``count`` (input, target) batches, the same arrays for both libraries."""
    rng = np.random.default_rng(0)
    make = lib.from_numpy
    out = []
    for _ in range(count):
        if name in CONFIGS:
            cfg = CONFIGS[name]
            tokens = rng.integers(0, cfg.vocab, (cfg.batch, cfg.block + 1))
            x, y = tokens[:, :-1], tokens[:, 1:]
        elif name == "tiny-mlp":
            x, y = rng.standard_normal((32, 2)), rng.integers(0, 3, 32)
        else:  # Fashion-MNIST-shaped: normalized 28x28 images, 10 classes
            x = (rng.random((128, 1, 28, 28)) - 0.286) / 0.353
            x, y = (x.reshape(128, 784) if name == "mlp" else x), rng.integers(0, 10, 128)
        x = x.astype(np.float32) if x.dtype.kind == "f" else np.ascontiguousarray(x)
        out.append((make(x), make(np.ascontiguousarray(y))))
    return out


def build(lib, name: str):
    """(model, optimizer factory, batches) of workload ``name`` in ``lib``."""
    nn = lib.nn
    lib.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                              nn.Linear(128, 10))
    elif name == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    elif name == "tiny-mlp":
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
    elif name in CONFIGS:
        model = gpt(lib, CONFIGS[name])
    else:
        raise KeyError(f"unknown workload {name!r}")
    if name in CONFIGS:
        def make_opt(params):
            return lib.optim.AdamW(params, lr=3e-4, weight_decay=0.1)
    else:
        def make_opt(params):
            return lib.optim.Adam(params, lr=1e-3)
    return model, make_opt, _batches(lib, name)

