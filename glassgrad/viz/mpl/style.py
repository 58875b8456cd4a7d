"""Shared look: class colours, the weight colour map, figure sizes (the browser components use the same)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only, never a window: this also makes rendering work without a display

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_rgb  # noqa: E402

CLASS_COLORS = ["#f28e2b", "#4e79a7", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948",
                "#ff9da7", "#9c755f", "#bab0ac"]
NEGATIVE, POSITIVE = "#4e79a7", "#f28e2b"   # blue for negative weights/gradients, orange for positive
WEIGHTS = LinearSegmentedColormap.from_list("glassgrad_weights", [NEGATIVE, "#f4f4f4", POSITIVE])
LOSS = "#e15759"
INK = "#333333"


def class_rgb(index: int) -> tuple:
    return to_rgb(CLASS_COLORS[index % len(CLASS_COLORS)])


def figure(width: float = 6.4, height: float = 4.8, dpi: int = 100):
    fig = plt.figure(figsize=(width, height), dpi=dpi)
    fig.patch.set_facecolor("white")
    return fig


def close(fig) -> None:
    plt.close(fig)
