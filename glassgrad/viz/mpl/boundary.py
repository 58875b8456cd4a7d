"""The decision boundary (or regression fit) over the data, one frame per snapshot."""
from __future__ import annotations

import numpy as np

from .style import CLASS_COLORS, INK, class_rgb, figure


def boundary_image(frame: dict, resolution: int, classes: int) -> np.ndarray:
    """(R, R, 3) colours: the winning class's colour, stronger where the model is more confident."""
    palette = np.array([class_rgb(c) for c in range(max(classes, 2))])
    cls = np.asarray(frame["classes"]).reshape(resolution, resolution)
    conf = np.asarray(frame["confidence"], np.float64).reshape(resolution, resolution) / 255
    chance = 1 / max(classes, 2)
    strength = np.clip((conf - chance) / (1 - chance), 0, 1)[..., None] * 0.65 + 0.1
    return 1 - strength * (1 - palette[cls])


class BoundaryRenderer:
    def __init__(self, view: dict, fig=None):
        self.view = view
        self.fig = fig or figure(5.2, 5.2)
        self.ax = self.fig.add_subplot(1, 1, 1)
        self.frames = view["frames"]
        (x0, x1), *rest = view["bounds"]
        points = view["points"]
        x = np.asarray(points["x"], np.float64)
        y = None if points["y"] is None else np.asarray(points["y"])
        self.ax.set_xlim(x0, x1)
        if view["kind"] == "fit":
            targets = y.reshape(-1).astype(float)
            self.ax.scatter(x[:, 0], targets, s=10, color=CLASS_COLORS[1], alpha=0.7, zorder=3)
            pad = (targets.max() - targets.min()) * 0.2 + 1e-6
            self.ax.set_ylim(targets.min() - pad, targets.max() + pad)
            (self.line,) = self.ax.plot([], [], color=CLASS_COLORS[0], lw=2.5, zorder=4)
        else:
            (y0, y1) = rest[0]
            self.ax.set_ylim(y0, y1)
            self.image = self.ax.imshow(np.ones((2, 2, 3)), extent=(x0, x1, y0, y1), origin="lower",
                                        interpolation="bilinear", zorder=1, aspect="auto")
            colors = [CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in y] if y is not None else INK
            self.ax.scatter(x[:, 0], x[:, 1], s=12, c=colors, edgecolors="white", linewidths=0.5, zorder=3)
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        self.title = self.ax.set_title("", fontsize=11, color=INK)

    def __len__(self) -> int:
        return len(self.frames)

    def draw(self, i: int) -> None:
        frame = self.frames[i]
        if self.view["kind"] == "fit":
            fit = np.asarray(frame["fit"], np.float64)
            self.line.set_data(fit[:, 0], fit[:, 1])
        elif "classes" in frame:
            self.image.set_data(boundary_image(frame, self.view["resolution"], self.view["classes"] or 2))
        parts = [f"step {frame['step']}"]
        if frame.get("loss") is not None:
            parts.append(f"loss {frame['loss']:.3f}")
        if frame.get("accuracy") is not None:
            parts.append(f"accuracy {frame['accuracy']:.0%}")
        self.title.set_text("   ".join(parts))
