"""The computational graph behind a tensor, as plain JSON-able data (for visuals and debugging)."""
from __future__ import annotations

from .engine import topological_order
from .function import Function


def graph(tensor) -> dict:
    """Nodes and edges of the graph that produced ``tensor``.

    Each node: ``{"id", "kind": "op"|"leaf", "op", "shape", "dtype"}``; each edge ``{"source", "target",
    "input"}`` runs from a producer to the op consuming it as input number ``input``.

    >>> import glassgrad as gg
    >>> w = gg.ones(3, requires_grad=True)
    >>> g = gg.graph((w * 2).sum())
    >>> [n["op"] for n in g["nodes"]]
    ['sum', 'mul', 'leaf']
    """
    nodes, edges, ids = [], [], {}

    def node_id(obj) -> int:
        key = id(obj)
        if key not in ids:
            ids[key] = len(ids)
            if isinstance(obj, Function):
                nodes.append({"id": ids[key], "kind": "op", "op": obj.name, "shape": list(obj.shape),
                              "dtype": str(obj.dtype)})
            else:
                nodes.append({"id": ids[key], "kind": "leaf", "op": "leaf", "shape": list(obj.shape),
                              "dtype": str(obj.dtype)})
        return ids[key]

    if tensor.grad_fn is None:
        if tensor.requires_grad:
            node_id(tensor)
        return {"nodes": nodes, "edges": edges}
    for fn in topological_order([tensor.grad_fn]):
        target = node_id(fn)
        for index, parent in enumerate(fn.parents):
            if parent is not None:
                edges.append({"source": node_id(parent), "target": target, "input": index})
    return {"nodes": nodes, "edges": edges}
