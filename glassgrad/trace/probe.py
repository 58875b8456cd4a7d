"""Looking inside a model on a fixed probe batch: module outputs, activation statistics, boundaries.

Every probe runs in eval mode under ``no_grad`` with the random state saved and restored, so it never
changes the training it observes (no dropout draw, no BatchNorm running-stat update).
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .. import backend
from ..autograd import events, no_grad

ACTIVATION_OPS = ("relu", "leaky_relu", "gelu", "silu", "sigmoid", "tanh", "softplus")


@contextmanager
def observing(model):
    """Eval mode, no graph, and the random state untouched, for the duration of the block."""
    was_training = model.training
    rng_state = backend.default_generator.get_state()
    model.eval()
    try:
        with no_grad():
            yield
    finally:
        model.train(was_training)
        backend.default_generator.set_state(rng_state)


class _ActivationWatcher:
    """An op listener keeping statistics of each activation op's output (functional ones included)."""

    def __init__(self):
        self.module_stack: list[str] = []
        self.stats: list[dict] = []

    def on_op(self, event) -> None:
        if event.op not in ACTIVATION_OPS:
            return
        y = event.output.data
        module = self.module_stack[-1] if self.module_stack else None
        self.stats.append(activation_stats(event.op, y, module))


def activation_stats(op: str, y: np.ndarray, module: str | None) -> dict:
    """How many units are dead (ReLU never positive) or saturated (sigmoid/tanh pinned), and spread.

    A unit is a feature (last dim of a (N, F) output) or a channel (dim 1 of an (N, C, ...) output).
    """
    stats = {"op": op, "module": module, "shape": list(y.shape)}
    if y.size == 0:
        return stats
    if y.ndim > 2:
        units = np.moveaxis(y, 1, -1).reshape(-1, y.shape[1])  # (N·H·W, C): one unit per channel
    else:
        units = y.reshape(y.shape[0] if y.ndim == 2 else -1, -1)  # (N, F), or (N, 1) for (N,)
    if op in ("relu", "leaky_relu", "gelu", "silu", "softplus"):
        stats["dead_fraction"] = float(np.mean(~(units > 0).any(axis=0)))
    if op == "sigmoid":
        stats["saturated_fraction"] = float(np.mean(((units < 0.01) | (units > 0.99)).all(axis=0)))
    if op == "tanh":
        stats["saturated_fraction"] = float(np.mean((np.abs(units) > 0.99).all(axis=0)))
    stats["mean"] = float(y.mean())
    stats["std"] = float(y.std())
    return stats


def probe_forward(model, x) -> tuple[np.ndarray, dict, list]:
    """Run ``model`` on ``x``: (output, {module name: output array}, activation-op statistics)."""
    outputs: dict[str, np.ndarray] = {}
    watcher = _ActivationWatcher()
    handles = []
    for name, module in model.named_modules():
        is_leaf = not any(True for _ in module.children())

        def push(mod, args, name=name):
            watcher.module_stack.append(name or type(mod).__name__)

        def pop(mod, args, output, name=name, is_leaf=is_leaf):
            if watcher.module_stack:
                watcher.module_stack.pop()
            if is_leaf and name and hasattr(output, "data") and isinstance(output.data, np.ndarray):
                outputs[name] = output.data

        handles.append(module.register_forward_pre_hook(push))
        handles.append(module.register_forward_hook(pop))
    try:
        with observing(model), events.listening(watcher):
            out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return np.asarray(out.data), outputs, watcher.stats


def input_bounds(x: np.ndarray, margin: float = 0.1) -> list[list[float]]:
    """Per input feature, [low, high] with a margin: the extent a boundary or fit view covers."""
    low, high = x.min(axis=0), x.max(axis=0)
    pad = (high - low) * margin + 1e-6
    return [[float(lo - p), float(hi + p)] for lo, hi, p in zip(low, high, pad)]


def output_probabilities(out: np.ndarray) -> np.ndarray:
    """Class probabilities from scores: softmax over classes, or a sigmoid for a single logit."""
    out = out.astype(np.float64)
    if out.ndim == 1 or out.shape[-1] == 1:
        p = 1 / (1 + np.exp(-out.reshape(-1)))
        return np.stack([1 - p, p], axis=-1).astype(np.float32)
    z = out - out.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def boundary_grid(model, bounds, resolution: int = 64, classify: bool = True) -> np.ndarray:
    """The model over a ``resolution``² grid of the 2-D input plane: (R, R, C) probabilities (rows go
    up the second feature, columns along the first) or (R, R) raw outputs for regression."""
    from ..tensor import Tensor
    (x0, x1), (y0, y1) = bounds
    xs = np.linspace(x0, x1, resolution, dtype=np.float32)
    ys = np.linspace(y0, y1, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    with observing(model):
        out = np.asarray(model(Tensor(points)).data)
    if classify:
        return output_probabilities(out).reshape(resolution, resolution, -1)
    return out.reshape(resolution, resolution, -1)[..., 0].astype(np.float32)


def fit_curve(model, bounds, resolution: int = 200) -> np.ndarray:
    """A 1-D regression model over its input range: (resolution, 2) rows of (x, prediction)."""
    from ..tensor import Tensor
    xs = np.linspace(bounds[0][0], bounds[0][1], resolution, dtype=np.float32)
    with observing(model):
        out = np.asarray(model(Tensor(xs[:, None])).data).reshape(resolution, -1)[:, 0]
    return np.stack([xs, out.astype(np.float32)], axis=1)
