"""The recorded computational graph, laid out in layers, with its backward steps in the order they ran."""
from __future__ import annotations

from .clean import clean


def _depths(graph: dict) -> list[int]:
    """A column per node: ops by their longest distance from the inputs (nodes are stored in forward
    order, so one pass works); leaves (weights, constants) one column left of their first consumer."""
    nodes = graph["nodes"]
    depth = [0] * len(nodes)
    leaf = [n["kind"] != "op" for n in nodes]
    for edge in sorted(graph["edges"], key=lambda e: e["target"]):
        source = edge["source"]
        step = 1 if not leaf[source] or nodes[source]["kind"] == "input" else 0
        depth[edge["target"]] = max(depth[edge["target"]], depth[source] + step)
    for edge in graph["edges"]:
        source = edge["source"]
        if leaf[source] and nodes[source]["kind"] != "input":
            consumer = depth[edge["target"]]
            depth[source] = consumer - 1 if depth[source] == 0 else min(depth[source], consumer - 1)
    low = min(depth, default=0)
    return [d - low for d in depth]


def short_value(summary: dict | None) -> str:
    """A summary as a few characters: the number itself, a short vector, or the mean ± std."""
    if not summary:
        return ""
    if "values" in summary:
        flat = summary["values"]
        while isinstance(flat, list) and len(flat) == 1 and isinstance(flat[0], list):
            flat = flat[0]
        if not isinstance(flat, list):
            return f"{flat:.4g}" if flat is not None else "nan"
        if flat and not isinstance(flat[0], list) and len(flat) <= 4:
            return "[" + ", ".join("nan" if v is None else f"{v:.3g}" for v in flat) + "]"
        numbers = [v for v in _flatten(flat) if v is not None]
        biggest = max((abs(v) for v in numbers), default=0.0)
        return "×".join(map(str, summary["shape"])) + f", max |·| {biggest:.3g}"
    return "×".join(map(str, summary["shape"])) + f", {summary['mean']:.3g} ± {summary['std']:.3g}"


def graph_view(graph: dict | None, top_k: int = 3) -> dict | None:
    """Positions (column = depth, row = order within it), labels, and the backward order of a recorded
    graph; the ``top_k`` parameters with the largest gradients are marked."""
    if graph is None:
        return None
    depth = _depths(graph)
    rows: dict[int, int] = {}
    nodes = []
    for node, d in zip(graph["nodes"], depth):
        row = rows.get(d, 0)
        rows[d] = row + 1
        label = node["name"] if node["kind"] != "op" else node["op"]
        nodes.append({**node, "depth": d, "row": row, "label": label,
                      "value_text": short_value(node.get("value")),
                      "grad_text": short_value(node.get("grad"))})
    params = [n for n in nodes if n["kind"] == "param" and n.get("grad")]

    def size(n):
        g = n["grad"]
        if "values" in g:
            flat = _flatten(g["values"])
            return max((abs(v) for v in flat if v is not None), default=0.0)
        return g.get("absmax") or 0.0
    top = {n["id"] for n in sorted(params, key=size, reverse=True)[:top_k]}
    for n in nodes:
        n["top_gradient"] = n["id"] in top
    order = sorted((n for n in nodes if "backward_order" in n), key=lambda n: n["backward_order"])
    return clean({"nodes": nodes, "edges": graph["edges"], "columns": max(depth, default=0) + 1,
                  "rows": max(rows.values(), default=0), "backward": [n["id"] for n in order],
                  "loss": graph.get("loss"), "output": graph.get("output"), "step": graph.get("step")})


def _flatten(values):
    if isinstance(values, list):
        out = []
        for v in values:
            out.extend(_flatten(v))
        return out
    return [values]
