"""Section 3: the computational graph of one training step for one sample, as the engine recorded it.

For the explainer's own run the graph is captured again (``capture_step``, the same listener the
Recorder uses) for each sample the forward pass offers, at the first and the last snapshot, keeping whole
arrays up to ``MAX_VALUES`` elements so that every weight's gradient can be shown. For a run recorded
elsewhere, the graphs the Recorder kept are used as they are.
"""
from __future__ import annotations

import numpy as np

from ...trace import capture_step
from ..views.clean import clean
from ..views.graph import _flatten, graph_view

MAX_VALUES = 1024
TOP_WEIGHTS = 5
# Ops whose gradient to an input is elementwise "local derivative × upstream": only for these does the
# per-element ratio the capture records mean a local derivative (a linear layer's input gradient merely
# has the upstream's shape when fan-in equals fan-out).
ELEMENTWISE = {"add", "sub", "mul", "div", "neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
               "sigmoid", "relu", "leaky_relu", "gelu", "silu", "softplus", "maximum", "minimum",
               "clamp", "pow", "dropout", "cast"}


def backprop_view(graph: dict, sample: int | None = None, top: int = TOP_WEIGHTS) -> dict | None:
    """:func:`glassgrad.viz.views.graph_view`, plus for every parameter whose gradient was kept whole,
    the flat indices of its ``top`` largest gradients (``top_elements``), and edges' ``local`` kept only
    where it is a local derivative."""
    view = graph_view(graph)
    if view is None:
        return None
    ops = {n["id"]: n["op"] for n in view["nodes"]}
    for edge in view["edges"]:
        if "local" in edge and ops[edge["target"]] not in ELEMENTWISE:
            del edge["local"]
    for node in view["nodes"]:
        grad = node.get("grad") or {}
        if node["kind"] == "param" and "values" in grad:
            flat = np.array([0.0 if v is None else v for v in _flatten(grad["values"])])
            order = np.argsort(-np.abs(flat), kind="stable")[:top]
            node["top_elements"] = order.astype(np.int64).tolist()
    view["sample"] = sample
    return clean(view)


def capture_graphs(model, loss_fn, run, samples: list[int], steps: list[int]) -> dict:
    """``{"steps", "samples", "graphs": {"<step>:<sample>": backprop view}}`` captured at the snapshot
    weights of each step (the model's own weights are put back afterwards)."""
    import glassgrad as gg
    probe = run.probe
    x, y = gg.from_numpy(probe["x"]), gg.from_numpy(probe["y"])
    params = dict(model.named_parameters())
    saved = {name: p.data.copy() for name, p in params.items()}
    graphs = {}
    try:
        for step in steps:
            for name, w in run.snapshot(step).weights.items():
                params[name].data[...] = w
            for i in samples:
                graph = capture_step(model, loss_fn, x[i:i + 1], y[i:i + 1], max_values=MAX_VALUES)
                graph["step"] = step
                graphs[f"{step}:{i}"] = backprop_view(graph, i)
    finally:
        for name, p in params.items():
            p.data[...] = saved[name]
    return {"steps": list(steps), "samples": list(samples), "graphs": graphs, "source": "captured"}


def recorded_graphs(run, max_graphs: int = 3) -> dict | None:
    """The graphs a Recorder kept (of probe sample 0), at most ``max_graphs`` spread over training."""
    steps = run.graph_steps
    if not steps:
        return None
    chosen = sorted({steps[int(round(k))] for k in np.linspace(0, len(steps) - 1, min(max_graphs,
                                                                                         len(steps)))})
    graphs = {f"{s}:0": backprop_view(run.graph(s), 0) for s in chosen}
    return {"steps": chosen, "samples": [0], "graphs": graphs, "source": "recorded"}
