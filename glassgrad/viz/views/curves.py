"""Loss, metric and learning-rate curves over steps and epochs."""
from __future__ import annotations

import numpy as np

from .clean import clean


def smooth(values: np.ndarray, weight: float = 0.9) -> np.ndarray:
    """An exponential moving average with bias correction (as TensorBoard's smoothing), NaN-tolerant."""
    out = np.full(values.shape, np.nan)
    avg, norm = 0.0, 0.0
    for i, v in enumerate(values):
        if np.isfinite(v):
            avg = weight * avg + (1 - weight) * v
            norm = weight * norm + (1 - weight)
            out[i] = avg / norm
    return out


def curves_view(run, max_points: int = 2000) -> dict:
    """Per-step loss (raw and smoothed), learning rate per group, per-step metrics, per-epoch logs.

    Long runs are thinned evenly to at most ``max_points`` steps (the last step always kept).
    """
    s = run.scalars
    steps = s["step"]
    keep = np.arange(len(steps))
    if len(steps) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(steps) - 1, max_points).astype(int), len(steps) - 1])
    epochs = run.epochs
    epoch_keys = sorted({k for e in epochs for k in e} - {"epoch", "step", "time"})
    return clean({
        "steps": steps[keep], "loss": s["loss"][keep], "smoothed": smooth(s["loss"])[keep],
        "lr": s["lr"][keep].T if s["lr"].size else [],
        "grad_norm": s["grad_norm"][keep],
        "metrics": {name: values[keep] for name, values in s["metrics"].items()},
        "epochs": {"epoch": [e["epoch"] for e in epochs], "step": [e.get("step") for e in epochs],
                   **{k: [e.get(k) for e in epochs] for k in epoch_keys}},
    })
