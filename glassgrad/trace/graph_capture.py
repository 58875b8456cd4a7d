"""Capture one training step's computational graph as it actually ran, through the engine's listeners.

Every op applied becomes a node (op name, shape, forward value, the module and the user code line that
ran it); every backward rule fills in the node's gradient and, for each edge, the gradient it sent and
the local derivative applied (the chain rule step: gradient = local derivative × upstream gradient).
Large arrays are summarised, so the graph of a transformer stays small. Listening only keeps references
(and copies of the weights); the summaries are computed afterwards, by :meth:`GraphCapture.result`, which
the recorder runs on its writer thread.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import enable_grad, events
from ..autograd import grad as autograd_grad
from .rules import ELEMENTWISE, rule
from .summary import MAX_VALUES, summarize


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)[:80]


class GraphCapture:
    """A listener turning op and backward events into ``{"nodes": [...], "edges": [...]}``.

    ``names`` maps ``id(parameter)`` to its name; ``inputs`` maps ``id(tensor)`` to a role such as
    "input" or "target".
    """

    def __init__(self, names: dict, inputs: dict | None = None, max_values: int = MAX_VALUES):
        self.names, self.inputs, self.max_values = names, inputs or {}, max_values
        self.nodes, self.edges = [], []
        self.module_stack: list[str] = []
        self._tensor_ids: dict = {}   # id(tensor) -> node id
        self._fn_ids: dict = {}       # id(Function) -> node id
        self._edge_at: dict = {}      # (target node, input index) -> edge
        self._leaf_grads: dict = {}   # node id -> summed gradient array
        self._keep: list = []         # tensors kept alive so their ids stay unique
        self._backward_count = 0

    def _summary(self, array):
        return _Raw(array)  # summarised in result()

    def _leaf(self, t) -> int:
        key = id(t)
        if key in self._tensor_ids:
            return self._tensor_ids[key]
        if key in self.names:
            kind, name = "param", self.names[key]
        elif key in self.inputs:
            kind, name = "input", self.inputs[key]
        elif t.data.size == 1 and not t.requires_grad:
            kind, name = "const", f"{t.data.item():.4g}"
        else:
            kind, name = "tensor", "tensor"
        node_id = len(self.nodes)
        value = t.data.copy() if kind == "param" else t.data  # the optimizer will change weights in place
        self.nodes.append({"id": node_id, "kind": kind, "name": name, "op": kind,
                           "shape": list(t.shape), "value": self._summary(value)})
        self._tensor_ids[key] = node_id
        self._keep.append(t)
        return node_id

    def on_op(self, event) -> None:
        sources = [self._leaf(t) if id(t) not in self._tensor_ids else self._tensor_ids[id(t)]
                   for t in event.inputs]
        node_id = len(self.nodes)
        node = {"id": node_id, "kind": "op", "name": event.op, "op": event.op,
                "shape": list(event.output.shape), "value": self._summary(event.output.data),
                "module": self.module_stack[-1] if self.module_stack else None,
                "location": str(event.location) if event.location else None,
                "params": {k: _jsonable(v) for k, v in event.params.items()}}
        self.nodes.append(node)
        self._tensor_ids[id(event.output)] = node_id
        self._fn_ids[id(event.node)] = node_id
        self._keep += [event.output, event.node]
        for index, source in enumerate(sources):
            edge = {"source": source, "target": node_id, "input": index, "rule": rule(event.op, index)}
            self.edges.append(edge)
            self._edge_at[(node_id, index)] = edge

    def on_backward(self, event) -> None:
        node_id = self._fn_ids.get(id(event.node))
        if node_id is None:
            return
        upstream = np.asarray(event.grad_output)
        node = self.nodes[node_id]
        node["grad"] = self._summary(upstream)
        node["backward_order"] = self._backward_count  # the order the engine ran the rules in
        self._backward_count += 1
        for index, g in enumerate(event.grad_inputs):
            edge = self._edge_at.get((node_id, index))
            if edge is None or g is None:
                continue
            g = np.asarray(g)
            edge["grad"] = self._summary(g)
            if event.op in ELEMENTWISE and g.shape == upstream.shape:  # one local derivative per element
                edge["local"] = _Local(g, upstream)
            source = edge["source"]
            if self.nodes[source]["kind"] != "op":
                old = self._leaf_grads.get(source)
                self._leaf_grads[source] = g if old is None else old + g

    def result(self) -> dict:
        """The graph as plain data (summaries computed now)."""
        for node_id, g in self._leaf_grads.items():
            self.nodes[node_id]["grad"] = self._summary(g)
        for item in self.nodes + self.edges:
            for key, value in item.items():
                if isinstance(value, (_Raw, _Local)):
                    item[key] = value.summary(self.max_values)
        self._keep.clear()
        return {"nodes": self.nodes, "edges": self.edges}


class _Raw:
    """An array waiting to be summarised."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def summary(self, max_values: int) -> dict:
        return summarize(self.array, max_values)


class _Local(_Raw):
    """The local derivative of an elementwise step: gradient sent / upstream gradient, per element."""
    __slots__ = ("upstream",)

    def __init__(self, grad, upstream):
        super().__init__(grad)
        self.upstream = upstream

    def summary(self, max_values: int) -> dict:
        with np.errstate(divide="ignore", invalid="ignore"):
            nonzero = self.upstream != 0
            local = np.where(nonzero, self.array / np.where(nonzero, self.upstream, 1), np.nan)
        return summarize(local, max_values)


def _module_stack_hooks(model, capture: GraphCapture) -> list:
    """Forward pre/post hooks keeping ``capture.module_stack`` on the module now running."""
    handles = []
    for name, module in model.named_modules():
        label = name or type(module).__name__

        def push(mod, args, label=label):
            capture.module_stack.append(label)

        def pop(mod, args, output):
            if capture.module_stack:
                capture.module_stack.pop()

        handles.append(module.register_forward_pre_hook(push))
        handles.append(module.register_forward_hook(pop))
    return handles


def capture_step(model, loss_fn, x, y, max_values: int = MAX_VALUES) -> dict:
    """The graph of one training step on ``(x, y)``: forward, loss and backward, as plain data.

    Runs in eval mode with the random state saved and restored, and computes gradients with
    ``autograd.grad`` (nothing accumulates into ``.grad``), so recording never changes the training.
    """
    return run_step_capture(model, loss_fn, x, y, max_values)()


def run_step_capture(model, loss_fn, x, y, max_values: int = MAX_VALUES):
    """Run the step of :func:`capture_step` now; return a function that builds its plain data later."""
    names = {id(p): n for n, p in model.named_parameters()}
    capture = GraphCapture(names, {id(x): "input", id(y): "target"}, max_values)
    was_training = model.training
    rng_state = backend.default_generator.get_state()
    handles = _module_stack_hooks(model, capture)
    model.eval()
    try:
        with enable_grad(), events.listening(capture):
            out = model(x)
            loss = loss_fn(out, y)
            params = [p for p in model.parameters() if p.requires_grad]
            if params and loss.requires_grad:
                autograd_grad(loss, params, allow_unused=True)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
        backend.default_generator.set_state(rng_state)
    loss_value = float(loss.data) if loss.data.size == 1 else None
    output_id = capture._tensor_ids.get(id(loss))
    prediction = out.data

    def finish() -> dict:
        graph = capture.result()
        graph.update(loss=loss_value, output=output_id, prediction=summarize(prediction, max_values))
        return graph
    return finish
