"""``Function``: one differentiable op, its forward and, right under it, its backward.

``Function.apply`` is the ONE place where ops are applied: it runs the forward on arrays, wraps the result,
links the graph node when gradients are needed, and tells listeners. The backward rules run in ONE place
too, the walk in ``engine.py``.

An op subclass looks like this::

    class Mul(Function):
        def forward(self, a, b):          # arrays in, array out
            self.save_for_backward(a, b)
            return a * b

        def backward(self, grad):         # upstream gradient in, one gradient (or None) per input out
            a, b = self.saved
            return grad * b, grad * a

Gradients may come back in the broadcast shape: the engine reduces them to each input's shape.
"""
from __future__ import annotations

import re

import numpy as np

from . import events, grad_mode

_ndarray = np.ndarray
_asarray = np.asarray
_grad_state = grad_mode.state
_listeners = events.op_listeners


class Function:
    """Base of every op. Instances are the nodes of the computational graph."""

    name = "function"            # op name shown in errors, events and visuals
    saved: tuple | None = ()     # arrays kept for backward; None once freed
    needs_input_grad: tuple = ()
    parents: tuple = ()          # per input: its producing Function, the leaf Tensor, or None
    hooks: list | None = None    # hooks registered on the (non-leaf) output tensor
    retained = None              # weakref to the output tensor when it called retain_grad()
    location = None              # user code line, filled in when listeners or anomaly mode watch
    shape: tuple = ()
    dtype = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", cls.__name__).lower()

    def save_for_backward(self, *arrays) -> None:
        self.saved = arrays

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError(f"{self.name} is not differentiable")

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on Tensors ``inputs`` (non-tensor options go in ``params``) and return a Tensor."""
        fn = cls()
        # One- and two-input ops are nearly all ops: unpacking them directly, and building their graph
        # links as literal tuples, halves the Python cost of a call on small tensors.
        if len(inputs) == 1:
            x = inputs[0]
            data = fn.forward(x.data, **params)
            if type(data) is not _ndarray:
                data = _asarray(data)
            if x.requires_grad and _grad_state[0] and data.dtype.kind == "f":
                fn.needs_input_grad = (True,)
                fn.parents = (x.grad_fn or x,)
                out = _graph_tensor(fn, data)
            else:
                out = _new_tensor(data, False)
        elif len(inputs) == 2:
            x, y = inputs
            data = fn.forward(x.data, y.data, **params)
            if type(data) is not _ndarray:
                data = _asarray(data)
            rx, ry = x.requires_grad, y.requires_grad
            if (rx or ry) and _grad_state[0] and data.dtype.kind == "f":
                fn.needs_input_grad = (rx, ry)
                fn.parents = (x.grad_fn or (x if rx else None), y.grad_fn or (y if ry else None))
                out = _graph_tensor(fn, data)
            else:
                out = _new_tensor(data, False)
        else:
            data = fn.forward(*[t.data for t in inputs], **params)
            if type(data) is not _ndarray:
                data = _asarray(data)
            # Integer and bool results (argmax, comparisons) carry no gradient.
            if _grad_state[0] and any([t.requires_grad for t in inputs]) and data.dtype.kind == "f":
                fn.needs_input_grad = tuple([t.requires_grad for t in inputs])
                fn.parents = tuple([t.grad_fn or (t if t.requires_grad else None) for t in inputs])
                out = _graph_tensor(fn, data)
            else:
                out = _new_tensor(data, False)
        if _listeners:
            events.emit_op(fn, inputs, out, params)
        return out

    def release(self) -> None:
        """Free what the forward saved (after a backward without ``retain_graph``)."""
        if self.saved:
            self.saved = None

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _new_tensor(data, requires_grad):
    raise RuntimeError("glassgrad.tensor has not been imported")  # replaced when tensor.py loads


def _graph_tensor(fn, data):
    raise RuntimeError("glassgrad.tensor has not been imported")


def set_tensor_factory(factory, graph_factory) -> None:
    """``factory(data, requires_grad)`` makes a plain Tensor, ``graph_factory(fn, data)`` the output of
    node ``fn`` (it also records the output's shape and dtype on ``fn``)."""
    global _new_tensor, _graph_tensor
    _new_tensor, _graph_tensor = factory, graph_factory
