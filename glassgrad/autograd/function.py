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
import sys

import numpy as np

from . import events, grad_mode

_ndarray = np.ndarray
_asarray = np.asarray
_grad_state = grad_mode.state
_listeners = events.op_listeners
_backward_listeners = events.backward_listeners
_getrefcount = sys.getrefcount


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

    @staticmethod
    def spare(grad) -> bool:
        """Whether ``backward`` may overwrite its upstream ``grad`` (and return it): True when nothing but
        the engine holds it. Call it as ``self.spare(grad)`` from ``backward`` itself.

        Nothing else may reference the array (a hook, a retained or captured gradient, the caller's own
        ``gradient`` argument), or share its memory (a view of it references it; an array that is a view
        must be the one view of a base nothing else holds), and no backward listener may be watching (they
        see the upstream gradient after the rule ran). Saves an array per elementwise backward: the CNN
        step's peak memory falls by a fifth."""
        if _backward_listeners or type(grad) is not _ndarray or not grad.flags.writeable:
            return False
        # References: the engine's local, backward's parameter, this parameter (as the probe below
        # counted them on this interpreter).
        if _getrefcount(grad) > _SPARE_REFS:
            return False
        base = grad.base
        return base is None or (type(base) is _ndarray and base.base is None
                                and _getrefcount(base) <= _SOLE_BASE_REFS)

    def release(self) -> None:
        """Free what the forward saved (after a backward without ``retain_graph``)."""
        if self.saved:
            self.saved = None

    def __repr__(self) -> str:
        return f"<{self.name}>"


class _Probe(Function):
    def backward(self, grad):
        return _getrefcount(grad)


def _probe_counts() -> tuple:
    """The reference counts ``spare`` sees for an array only the engine holds, and for the base of an
    array that is its one view, counted here through the same calls (interpreters differ in how many
    references a call's arguments take)."""
    g = np.empty(1)
    held = _Probe().backward(g)  # as run_backward calls a rule, with g its local
    view = np.empty(2)[:1]
    base = view.base  # as spare holds it: in a local
    return held + 1, _getrefcount(base)  # + 1: spare's own parameter


_SPARE_REFS, _SOLE_BASE_REFS = _probe_counts()


def _new_tensor(data, requires_grad):
    raise RuntimeError("glassgrad.tensor has not been imported")  # replaced when tensor.py loads


def _graph_tensor(fn, data):
    raise RuntimeError("glassgrad.tensor has not been imported")


def set_tensor_factory(factory, graph_factory) -> None:
    """``factory(data, requires_grad)`` makes a plain Tensor, ``graph_factory(fn, data)`` the output of
    node ``fn`` (it also records the output's shape and dtype on ``fn``)."""
    global _new_tensor, _graph_tensor
    _new_tensor, _graph_tensor = factory, graph_factory
