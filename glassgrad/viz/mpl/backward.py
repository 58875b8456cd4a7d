"""Gradients flowing back through the recorded graph, node by node: local derivative × upstream."""
from __future__ import annotations

import numpy as np

from .style import INK, LOSS, POSITIVE, figure

KIND_COLORS = {"op": "#e8eef6", "param": "#fde7cf", "input": "#e3f1df", "const": "#f1f1f1",
               "tensor": "#f1f1f1"}


class BackwardRenderer:
    """Frame 0 shows the forward values; frame k shows the first k backward steps done."""

    def __init__(self, view: dict, fig=None):
        self.view = view
        n = len(view["nodes"])
        self.fig = fig or figure(min(16, 3 + 1.3 * view["columns"]), min(10, 2.5 + 0.55 * view["rows"]))
        self.ax = self.fig.add_axes([0.01, 0.16, 0.98, 0.76])
        self.text_ax = self.fig.add_axes([0.01, 0.01, 0.98, 0.14])
        rows_per_column: dict = {}
        for node in view["nodes"]:
            rows_per_column[node["depth"]] = max(rows_per_column.get(node["depth"], 0), node["row"] + 1)
        self.pos = np.zeros((n, 2))
        for node in view["nodes"]:
            count = rows_per_column[node["depth"]]
            self.pos[node["id"]] = (node["depth"], (count - 1) / 2 - node["row"])
        self.order = view["backward"]

    def __len__(self) -> int:
        return len(self.order) + 1

    def draw(self, i: int) -> None:
        done = set(self.order[:i])
        current = self.order[i - 1] if i else None
        ax = self.ax
        ax.clear()
        ax.set_axis_off()
        for edge in self.view["edges"]:
            (x0, y0), (x1, y1) = self.pos[edge["source"]], self.pos[edge["target"]]
            active = edge["target"] in done
            ax.annotate("", xy=(x1 - 0.18, y1), xytext=(x0 + 0.18, y0),
                        arrowprops=dict(arrowstyle="<-" if active else "->", lw=2 if active else 0.8,
                                        color=POSITIVE if active else "#aaaaaa"))
        for node in self.view["nodes"]:
            x, y = self.pos[node["id"]]
            has_grad = node["id"] in done or (node["kind"] != "op" and self._reached(node["id"], done))
            text = f"{node['label']}\n{node['value_text']}"
            if has_grad and node.get("grad_text"):
                text += f"\n∇ {node['grad_text']}"
            edge = LOSS if node["id"] == current else ("#c45c00" if node.get("top_gradient") and has_grad
                                                      else "#888888")
            ax.text(x, y, text, ha="center", va="center", fontsize=6.5, color=INK,
                    bbox=dict(boxstyle="round,pad=0.3", fc=KIND_COLORS.get(node["kind"], "#eeeeee"),
                              ec=edge, lw=2 if node["id"] == current else 0.8))
        ax.set_xlim(-0.6, self.view["columns"] - 0.4)
        ys = self.pos[:, 1]
        ax.set_ylim(ys.min() - 0.8, ys.max() + 0.8)
        loss = self.view.get("loss")
        ax.set_title(f"backpropagation, step {i} of {len(self.order)}"
                     + (f"   (loss {loss:.4f})" if loss is not None else ""), fontsize=11, color=INK)
        self._explain(current)

    def _reached(self, node_id: int, done: set) -> bool:
        return any(e["source"] == node_id and e["target"] in done for e in self.view["edges"])

    def _explain(self, current) -> None:
        ax = self.text_ax
        ax.clear()
        ax.set_axis_off()
        if current is None:
            ax.text(0, 0.5, "forward values computed; backward starts at the loss with gradient 1",
                    fontsize=10, color=INK, va="center", transform=ax.transAxes)
            return
        node = self.view["nodes"][current]
        lines = [f"{node['label']}: upstream gradient {node['grad_text']}"]
        for edge in self.view["edges"]:
            if edge["target"] != current or "grad" not in edge:
                continue
            source = self.view["nodes"][edge["source"]]
            rule = edge.get("rule") or "its local derivative"
            lines.append(f"  → to {source['label']}: ({rule}) × upstream = {_short(edge['grad'])}")
        ax.text(0, 1, "\n".join(lines[:4]), fontsize=8.5, color=INK, va="top", transform=ax.transAxes,
                family="monospace")


def _short(summary: dict) -> str:
    from ..views.graph import short_value
    return short_value(summary)
