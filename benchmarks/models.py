"""The benchmark workloads, written once for both libraries: ``build(lib, name)`` with lib glassgrad or torch.

The same code builds both models (a PyTorch user's port is the import line), so the two do the same work:
the same layers, the same ops, the same batches. All float32, fixed seeds, synthetic data of the real
shapes (timings do not depend on the values):

* tiny: 2-16-16-3 ReLU MLP on a 3-class spiral, batch 32, SGD (lr 0.1): overhead-bound.
* mlp: 784-512-512-10 ReLU MLP, batch 128, AdamW, cross-entropy (images labelled by a fixed linear rule).
* cnn: Conv(1->16, 3, pad 1)-ReLU-MaxPool(2)-Conv(16->32, 3, pad 1)-ReLU-MaxPool(2)-Linear(1568->10),
  28x28 inputs, batch 64, SGD with momentum 0.9.
* gpt: character-level decoder-only transformer: vocab 65, context 64, d_model 128, 4 heads, 4 pre-LayerNorm
  blocks, GELU MLP 4x, causal scaled-dot-product attention; batch 16, AdamW (text of a Markov chain).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES = ("tiny", "mlp", "cnn", "gpt")


@dataclass
class GPTConfig:
    vocab: int = 65
    block: int = 64
    layers: int = 4
    heads: int = 4
    embed: int = 128
    batch: int = 16


GPT = GPTConfig()


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

    class CharGPT(nn.Module):
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

    return CharGPT()


def _spiral(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of 3 interleaved spiral arms (one per class), with a little noise."""
    labels = rng.integers(0, 3, n)
    r = rng.uniform(0.0, 1.0, n)
    angle = 2 * np.pi * (r + labels / 3) + rng.normal(0.0, 0.2, n)
    return np.stack([r * np.cos(angle), r * np.sin(angle)], 1), labels


def _markov_text(rng, successors, rows: int, length: int) -> np.ndarray:
    """(rows, length) token ids of a Markov chain: the next token one of its 3 successors (90%) or any."""
    tokens = np.empty((rows, length), np.int64)
    tokens[:, 0] = rng.integers(0, len(successors), rows)
    for t in range(1, length):
        choice = successors[tokens[:, t - 1], rng.integers(0, 3, rows)]
        tokens[:, t] = np.where(rng.random(rows) < 0.9, choice, rng.integers(0, len(successors), rows))
    return tokens


def _batches(lib, name: str, count: int = 64) -> list:
    """``count`` (input, target) batches, the same arrays for both libraries."""
    rng = np.random.default_rng(0)
    teacher = rng.standard_normal((784, 10))             # images' labels: a fixed linear rule
    successors = rng.integers(0, GPT.vocab, (GPT.vocab, 3))  # text: each character has 3 likely successors
    out = []
    for _ in range(count):
        if name == "gpt":
            tokens = _markov_text(rng, successors, GPT.batch, GPT.block + 1)
            x, y = tokens[:, :-1], tokens[:, 1:]
        elif name == "tiny":
            x, y = _spiral(rng, 32)
        else:  # Fashion-MNIST-shaped: normalized 28x28 images, 10 classes
            batch = 128 if name == "mlp" else 64
            x = (rng.random((batch, 1, 28, 28)) - 0.286) / 0.353
            y = np.argmax(x.reshape(batch, 784) @ teacher, axis=1)  # a learnable rule, like real labels
            x = x.reshape(batch, 784) if name == "mlp" else x
        x = x.astype(np.float32) if x.dtype.kind == "f" else np.ascontiguousarray(x)
        out.append((lib.from_numpy(x), lib.from_numpy(np.ascontiguousarray(y))))
    return out


def build(lib, name: str):
    """(model, optimizer factory, batches) of workload ``name`` in ``lib``."""
    nn = lib.nn
    lib.manual_seed(0)
    if name == "tiny":
        model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    elif name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                              nn.Linear(512, 10))
    elif name == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    elif name == "gpt":
        model = gpt(lib, GPT)
    else:
        raise KeyError(f"unknown workload {name!r}")
    optimizers = {
        "tiny": lambda params: lib.optim.SGD(params, lr=0.1),
        "mlp": lambda params: lib.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        "cnn": lambda params: lib.optim.SGD(params, lr=0.01, momentum=0.9),
        "gpt": lambda params: lib.optim.AdamW(params, lr=3e-4, weight_decay=0.1),
    }
    return model, optimizers[name], _batches(lib, name)


def matmul_flops(name: str) -> float | None:
    """Floating-point operations of the matrix products in one training step of ``name`` (mlp only):
    forward x @ W.T, backward dX = dY @ W and dW = dY.T @ x, 2 flops per multiply-add; no dX for the
    first layer (the input needs no gradient)."""
    if name != "mlp":
        return None
    batch, layers = 128, [(784, 512), (512, 512), (512, 10)]
    forward = sum(2 * batch * i * o for i, o in layers)
    return 3 * forward - 2 * batch * 784 * 512
