"""The smallest honest demo: a 2-16-16-3 network learns a three-armed spiral with plain tensors."""
from __future__ import annotations

import math

import numpy as np

import glassgrad as gg


def spiral_points(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, noise, n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def train_spiral(epochs: int = 300, lr: float = 0.5, seed: int = 0, log=print) -> list[float]:
    gg.manual_seed(seed)
    x_np, y_np = spiral_points(seed=seed)
    x = gg.from_numpy(x_np)
    onehot = gg.from_numpy(np.eye(3, dtype=np.float32)[y_np])
    sizes = [2, 16, 16, 3]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        params.append(gg.rand(fan_in, fan_out).mul_(2 * bound).sub_(bound).requires_grad_())
        params.append(gg.rand(fan_out).mul_(2 * bound).sub_(bound).requires_grad_())
    losses = []
    log(f"training a {'-'.join(map(str, sizes))} network on {len(x_np)} spiral points")
    for epoch in range(epochs):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.tanh()
        # cross-entropy written out: log-sum-exp of the logits minus the true class's logit
        shifted = h - h.data.max(axis=1, keepdims=True)
        loss = ((shifted.exp().sum(1)).log() - (shifted * onehot).sum(1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with gg.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
        if epoch % max(epochs // 10, 1) == 0 or epoch == epochs - 1:
            accuracy = float((h.data.argmax(1) == y_np).mean())
            log(f"epoch {epoch:4d}  loss {loss.item():.4f}  accuracy {accuracy:.1%}")
    return losses
