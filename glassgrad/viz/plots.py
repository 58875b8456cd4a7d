"""Static PNG plots of a recorded run: ``glassgrad plot RUN`` writes them all."""
from __future__ import annotations

import os

import numpy as np

from . import views
from .mpl.style import CLASS_COLORS, INK, LOSS, close, figure


def _save(fig, path: str) -> str:
    from ..io import atomic_write
    fig.tight_layout()
    with atomic_write(path) as f:
        fig.savefig(f, format="png", dpi=110)
    close(fig)
    return path


def _series(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], np.float64)


def plot_loss(run, path: str) -> str:
    data = views.curves_view(run)
    fig = figure(7, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    steps = _series(data["steps"])
    ax.plot(steps, _series(data["loss"]), color=LOSS, alpha=0.25, lw=1)
    ax.plot(steps, _series(data["smoothed"]), color=LOSS, lw=2, label="training loss (smoothed)")
    epochs = data["epochs"]
    for k, key in enumerate(k for k in epochs if k.startswith("val_") and "loss" in k):
        ax.plot(_series(epochs["step"]), _series(epochs[key]), "o-", color=CLASS_COLORS[1 + k], label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.2)
    ax.legend(frameon=False)
    ax.set_title("loss", color=INK)
    return _save(fig, path)


def plot_metrics(run, path: str) -> str | None:
    epochs = run.epochs
    keys = sorted({k for e in epochs for k in e if "accuracy" in k})
    metrics = run.scalars["metrics"]
    if not keys and not metrics:
        return None
    fig = figure(7, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    for k, key in enumerate(keys):
        ax.plot(run.epoch_series("epoch"), run.epoch_series(key), "o-", color=CLASS_COLORS[k], label=key)
    for k, (name, values) in enumerate(metrics.items()):
        ax.plot(run.scalars["step"], values, color=CLASS_COLORS[(len(keys) + k) % 10], label=name)
    ax.set_xlabel("epoch" if keys else "step")
    ax.grid(alpha=0.2)
    ax.legend(frameon=False)
    ax.set_title("metrics", color=INK)
    return _save(fig, path)


def plot_lr(run, path: str) -> str | None:
    lr = run.scalars["lr"]
    if lr.size == 0:
        return None
    fig = figure(7, 3.2)
    ax = fig.add_subplot(1, 1, 1)
    for g in range(lr.shape[1]):
        ax.plot(run.scalars["step"], lr[:, g], color=CLASS_COLORS[2 + g], lw=2, label=f"group {g}")
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.2)
    if lr.shape[1] > 1:
        ax.legend(frameon=False)
    ax.set_title("learning-rate schedule", color=INK)
    return _save(fig, path)


def plot_per_layer(run, key: str, path: str, title: str, band: tuple | None = None) -> str | None:
    values = run.scalars[key]
    if values.size == 0:
        return None
    fig = figure(7, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    names = run.param_names
    steps = run.scalars["step"]
    for i, name in enumerate(names):
        series = np.where(values[:, i] > 0, values[:, i], np.nan)
        color = CLASS_COLORS[i % 10]
        ax.plot(steps, series, lw=0.6, color=color, alpha=0.2)
        # Smoothed in log space: the ratio of a typical step, not of the luckiest one.
        ax.plot(steps, np.exp(views.smooth(np.log(series), 0.95)), lw=1.8, color=color, label=name)
    if band:
        ax.axhspan(*band, color="#59a14f", alpha=0.1, label="healthy band")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.grid(alpha=0.2)
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.set_title(title, color=INK)
    return _save(fig, path)


def plot_histograms(run, kind: str, path: str) -> str | None:
    data = views.histogram_view(run, kind)["tensors"]
    if not data:
        return None
    names = list(data)
    cols = min(3, len(names))
    rows = (len(names) + cols - 1) // cols
    fig = figure(4 * cols, 2.6 * rows)
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, k + 1)
        entry = data[name]
        counts = np.asarray(entry["counts"], np.float64)
        edges = np.asarray(entry["edges"], np.float64)
        shown = np.log1p(counts / counts.sum(axis=1, keepdims=True).clip(1) * 100)
        ax.imshow(shown.T, aspect="auto", origin="lower", cmap="magma_r",
                  extent=(0, len(entry["steps"]), edges[0], edges[-1]))
        ticks = np.linspace(0, len(entry["steps"]) - 1, min(4, len(entry["steps"]))).astype(int)
        ax.set_xticks(ticks + 0.5, [str(entry["steps"][t]) for t in ticks])
        ax.set_title(name, fontsize=9, color=INK)
        ax.set_xlabel("snapshot step", fontsize=8)
    fig.suptitle(f"{kind} histograms over time", color=INK)
    return _save(fig, path)


def write_plots(run, out_dir: str | os.PathLike) -> list[str]:
    """Every plot the run has data for, as PNGs in ``out_dir``; returns their paths."""
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    p = lambda name: os.path.join(out_dir, name)  # noqa: E731
    written = [plot_loss(run, p("loss.png")), plot_metrics(run, p("metrics.png")), plot_lr(run, p("lr.png")),
               plot_per_layer(run, "grad_norms", p("grad_norms.png"), "gradient norm per parameter"),
               plot_per_layer(run, "update_ratios", p("update_ratios.png"), "update / weight ratio per step",
                              band=(1e-4, 1e-2)),  # around the classic 1e-3
               plot_histograms(run, "weight", p("weight_histograms.png")),
               plot_histograms(run, "grad", p("grad_histograms.png"))]
    return [w for w in written if w]
