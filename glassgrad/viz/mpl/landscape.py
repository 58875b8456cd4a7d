"""The loss landscape slice with the optimizer's path drawn across it, snapshot by snapshot."""
from __future__ import annotations

import numpy as np

from .style import INK, LOSS, figure


class LandscapeRenderer:
    def __init__(self, view: dict, fig=None):
        self.view = view
        self.fig = fig or figure(5.6, 5.0)
        self.ax = self.fig.add_subplot(1, 1, 1)
        alphas, betas = np.asarray(view["alphas"]), np.asarray(view["betas"])
        surface = np.array([[np.nan if v is None else v for v in row] for row in view["surface"]])
        shown = np.log10(np.clip(surface, 1e-8, None))  # loss spans decades: contours in log scale
        fill = self.ax.contourf(alphas, betas, shown, levels=30, cmap="viridis")
        self.ax.contour(alphas, betas, shown, levels=12, colors="white", linewidths=0.4, alpha=0.5)
        bar = self.fig.colorbar(fill, ax=self.ax, shrink=0.85)
        bar.set_label("log10 loss")
        self.path = np.asarray(view["path"], np.float64)
        self.steps = view["path_steps"]
        self.losses = view["path_loss"]
        (self.line,) = self.ax.plot([], [], "-", color="white", lw=2)
        (self.dot,) = self.ax.plot([], [], "o", color=LOSS, ms=8, mec="white")
        self.ax.set_xlabel("direction 1")
        self.ax.set_ylabel("direction 2")
        self.title = self.ax.set_title("step 0", fontsize=11, color=INK)  # reserves room in the layout
        self.fig.tight_layout()

    def __len__(self) -> int:
        return len(self.path)

    def draw(self, i: int) -> None:
        self.line.set_data(self.path[: i + 1, 0], self.path[: i + 1, 1])
        self.dot.set_data([self.path[i, 0]], [self.path[i, 1]])
        loss = self.losses[i]
        self.title.set_text(f"step {self.steps[i]}   loss {loss:.3f}" if loss is not None
                            else f"step {self.steps[i]}")
