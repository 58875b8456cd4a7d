"""A sample flowing through the network layer by layer: weighted sums, biases, activations, prediction."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .style import CLASS_COLORS, INK, WEIGHTS, figure


def neuron_positions(sizes: list[int]) -> list[np.ndarray]:
    """(n, 2) positions per layer: columns 0..L, rows centred on 0."""
    span = max(sizes)
    return [np.stack([np.full(n, k, float), (np.arange(n) - (n - 1) / 2) * (span / max(n, 1)) ** 0.3],
                     axis=1) for k, n in enumerate(sizes)]


class ForwardRenderer:
    """Frames: for the first and last snapshot, the layers light up one by one (held ``hold`` frames)."""

    def __init__(self, view: dict, fig=None, sample: int = 0, hold: int = 3):
        if view["kind"] != "mlp":
            raise ValueError("the forward view needs a model made of Linear layers and activations "
                             f"(this run's model is not: {', '.join(m['class'] for m in view['modules'])})")
        self.view = view
        self.fig = fig or figure(9.0, 5.4)
        self.sample = sample
        shown = [len(s) for s in view["shown"]]
        self.positions = neuron_positions(shown)
        self.layers = len(shown)
        snaps = [0, len(view["frames"]) - 1] if len(view["frames"]) > 1 else [0]
        self.sequence = [(s, stage) for s in snaps for stage in range(self.layers) for _ in range(hold)]

    def __len__(self) -> int:
        return len(self.sequence)

    def _values(self, frame: dict, stage: int) -> list:
        sample = frame["samples"][self.sample]
        return [sample["x"]] + sample["a"][:stage]

    def draw(self, i: int) -> None:
        snap_index, stage = self.sequence[i]
        frame = self.view["frames"][snap_index]
        sample = frame["samples"][self.sample]
        self.fig.clear()
        grid = self.fig.add_gridspec(2, 2, width_ratios=[3, 1], height_ratios=[3, 1.1])
        ax = self.fig.add_subplot(grid[0, 0])
        self._draw_network(ax, frame, stage)
        self._draw_output(self.fig.add_subplot(grid[0, 1]), sample, stage)
        self._draw_formula(self.fig.add_subplot(grid[1, :]), frame, sample, stage)
        ax.set_title(f"step {frame['step']}: forward pass of sample {sample['index']}, "
                     f"{'input' if stage == 0 else f'layer {stage}'} lit", fontsize=11, color=INK)

    def _draw_network(self, ax, frame: dict, stage: int) -> None:
        weights = frame["weights"]
        scale = max(max((np.abs(np.asarray(w)).max() for w in weights if np.size(w)), default=1), 1e-9)
        for k, w in enumerate(weights):
            w = np.asarray(w, np.float64)
            src, dst = self.positions[k], self.positions[k + 1]
            segments = [[src[i], dst[j]] for j in range(len(dst)) for i in range(len(src))]
            flat = w.reshape(-1)
            lit = k < stage
            lines = LineCollection(segments, colors=WEIGHTS((flat / scale + 1) / 2),
                                   linewidths=0.3 + 2.5 * np.abs(flat) / scale, alpha=0.9 if lit else 0.25,
                                   zorder=1)
            ax.add_collection(lines)
        values = self._values(frame, stage)
        for k, pos in enumerate(self.positions):
            lit = k <= stage
            v = np.asarray(values[k], np.float64) if k < len(values) else np.zeros(len(pos))
            vmax = max(np.abs(v).max(initial=0), 1e-9)
            colors = WEIGHTS((v / vmax + 1) / 2) if lit else "#dddddd"
            ax.scatter(pos[:, 0], pos[:, 1], s=260, c=colors, edgecolors=INK if lit else "#bbbbbb",
                       linewidths=1.2, zorder=3)
            if lit and len(pos) <= 10:
                for (px, py), value in zip(pos, v):
                    ax.text(px + 0.12, py, f"{value:.2f}", fontsize=7, va="center", color=INK, zorder=4)
        names = ["input"] + [f"layer {k + 1}\n{l['activation'] or 'output'}"
                             for k, l in enumerate(self.view["layers"])]
        for k, name in enumerate(names):
            ax.text(k, self.positions[k][:, 1].min() - 0.6, name, ha="center", va="top", fontsize=8,
                    color=INK)
        ax.set_xlim(-0.5, self.layers - 0.4)
        ax.set_axis_off()
        ax.autoscale_view()

    def _draw_output(self, ax, sample: dict, stage: int) -> None:
        probs = np.asarray(sample.get("probs", []), np.float64)
        if stage == self.layers - 1 and probs.size:
            colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(len(probs))]
            ax.bar(range(len(probs)), probs, color=colors)
            target = sample.get("target")
            if isinstance(target, int):
                ax.bar([target], [probs[target]], fill=False, edgecolor=INK, linewidth=2)
                verdict = "right" if sample.get("prediction") == target else "wrong"
                ax.set_title(f"true class {target}: {verdict}", fontsize=10, color=INK)
            ax.set_ylim(0, 1)
            ax.set_xticks(range(len(probs)))
            ax.set_ylabel("probability")
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "prediction\nappears when the\noutput layer is lit", ha="center",
                    va="center", fontsize=9, color="#888888", transform=ax.transAxes)

    def _draw_formula(self, ax, frame: dict, sample: dict, stage: int) -> None:
        ax.set_axis_off()
        if stage == 0:
            x = ", ".join(f"{v:.2f}" for v in sample["x"][:6])
            ax.text(0, 0.5, f"the input: x = [{x}{', …' if len(sample['x']) > 6 else ''}]", fontsize=10,
                    color=INK, transform=ax.transAxes, va="center")
            return
        layer = stage - 1
        z = np.asarray(sample["z"][layer], np.float64)
        a = np.asarray(sample["a"][layer], np.float64)
        j = int(np.argmax(np.abs(z)))
        w = np.asarray(frame["weights"][layer], np.float64)[j]
        b = float(frame["biases"][layer][j])
        inputs = np.asarray(self._values(frame, stage)[layer], np.float64)
        terms = " + ".join(f"({wi:.2f})({xi:.2f})" for wi, xi in zip(w[:3], inputs[:3]))
        more = f" + … ({len(w)} terms)" if len(w) > 3 else ""
        act = self.view["layers"][layer]["activation"]
        out = f"activation a = {act}(z) = {a[j]:.3f}" if act else \
            "an output neuron: its z is a logit, and softmax over the logits gives the probabilities"
        text = (f"neuron {j} of layer {stage} (the most active):\n  weighted sum z = {terms}{more}\n"
                f"                 + bias ({b:.2f}) = {z[j]:.3f}\n  {out}")
        ax.text(0, 0.5, text, fontsize=9.5, color=INK, transform=ax.transAxes, va="center")
