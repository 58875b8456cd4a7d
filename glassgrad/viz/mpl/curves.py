"""Loss and learning-rate curves, drawn up to the current step."""
from __future__ import annotations

import numpy as np

from .style import CLASS_COLORS, INK, LOSS, figure


class CurvesRenderer:
    def __init__(self, view: dict, fig=None, frames: int = 60):
        self.view = view
        self.fig = fig or figure(7.0, 4.6)
        has_lr = len(view["lr"]) > 0
        grid = self.fig.add_gridspec(2 if has_lr else 1, 1, height_ratios=[3, 1] if has_lr else [1])
        self.ax = self.fig.add_subplot(grid[0])
        self.steps = np.asarray(view["steps"], np.float64)
        self.loss = np.array([np.nan if v is None else v for v in view["loss"]], np.float64)
        self.smoothed = np.array([np.nan if v is None else v for v in view["smoothed"]], np.float64)
        finite = self.loss[np.isfinite(self.loss)]
        self.ax.set_xlim(0, max(self.steps.max(initial=1), 1))
        if finite.size:
            low, high = finite.min(), np.percentile(finite, 99)
            self.ax.set_ylim(low - 0.05 * (high - low), high + 0.1 * (high - low) + 1e-9)
        (self.raw_line,) = self.ax.plot([], [], color=LOSS, alpha=0.25, lw=1)
        (self.smooth_line,) = self.ax.plot([], [], color=LOSS, lw=2, label="training loss")
        epochs = view["epochs"]
        self.val = None
        if epochs.get("val_loss"):
            (self.val,) = self.ax.plot([], [], "o-", color=CLASS_COLORS[1], lw=2, label="validation loss")
            self.val_steps = np.array(epochs["step"], np.float64)
            self.val_loss = np.array(epochs["val_loss"], np.float64)
        self.ax.set_ylabel("loss", color=INK)
        self.ax.legend(loc="upper right", frameon=False)
        self.ax.grid(alpha=0.2)
        self.lr_ax = None
        if has_lr:
            self.lr_ax = self.fig.add_subplot(grid[1], sharex=self.ax)
            self.lr = np.asarray(view["lr"][0], np.float64)
            self.lr_ax.set_ylim(0, np.nanmax(self.lr) * 1.1 + 1e-12)
            (self.lr_line,) = self.lr_ax.plot([], [], color=CLASS_COLORS[2], lw=2)
            self.lr_ax.set_ylabel("learning rate", color=INK)
            self.lr_ax.set_xlabel("step")
        else:
            self.ax.set_xlabel("step")
        self.ax.set_title("step 0", fontsize=11, color=INK)  # reserves the title's room in the layout
        self.fig.tight_layout()
        n = len(self.steps)
        self.cuts = np.unique(np.linspace(1, n, min(frames, n)).astype(int)) if n else np.array([0])

    def __len__(self) -> int:
        return len(self.cuts)

    def draw(self, i: int) -> None:
        k = self.cuts[i]
        self.raw_line.set_data(self.steps[:k], self.loss[:k])
        self.smooth_line.set_data(self.steps[:k], self.smoothed[:k])
        if self.val is not None:
            upto = self.val_steps <= (self.steps[k - 1] if k else 0)
            self.val.set_data(self.val_steps[upto], self.val_loss[upto])
        if self.lr_ax is not None:
            self.lr_line.set_data(self.steps[:k], self.lr[:k])
        step = int(self.steps[k - 1]) if k else 0
        self.ax.set_title(f"step {step}", fontsize=11, color=INK)
