"""The observable engine's listener registry and its events.

``Function.apply`` (the one place ops are applied) emits an :class:`OpEvent`; the backward walk (the one
place backward rules run) emits a :class:`BackwardStartEvent` when a backward pass begins and a
:class:`BackwardEvent` for each rule it runs. Recorders, anomaly mode and visuals listen here. A listener is
any object with some of the methods ``on_op``, ``on_backward_start`` and ``on_backward``; it is put on the
list of each event it handles, so with nobody listening to ops the engine pays one truthiness test per op,
and a listener that only wants to know the loss (``on_backward_start``) adds nothing per backward rule.
"""
from __future__ import annotations

import linecache
import os
import sys
from typing import Any, NamedTuple

# Mutated in place, never rebound: the engine holds references to these very lists.
listeners: list = []           # every registered listener
op_listeners: list = []        # those with on_op
start_listeners: list = []     # those with on_backward_start
backward_listeners: list = []  # those with on_backward (an event per backward rule: costly, so separate)

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class SourceLocation(NamedTuple):
    filename: str
    lineno: int
    function: str
    line: str

    def __str__(self) -> str:
        code = f": {self.line}" if self.line else ""
        return f"{self.filename}:{self.lineno} in {self.function}{code}"


def user_location() -> SourceLocation | None:
    """The first stack frame outside the glassgrad package: the user code line that called the op."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    line = linecache.getline(code.co_filename, frame.f_lineno).strip()
    return SourceLocation(code.co_filename, frame.f_lineno, code.co_name, line)


class OpEvent(NamedTuple):
    """An op was applied. ``node`` is the Function instance (also ``output.grad_fn`` when it records)."""
    op: str
    node: Any
    inputs: tuple      # the input Tensors
    output: Any        # the output Tensor
    params: dict       # the op's non-tensor arguments (dim, keepdim, …)
    location: SourceLocation | None


class BackwardStartEvent(NamedTuple):
    """A backward pass begins from ``roots`` (Tensors, e.g. the loss) with these starting gradients."""
    roots: tuple
    grads: tuple


class BackwardEvent(NamedTuple):
    """A backward rule ran: the upstream gradient came in and one gradient (or None) went to each input."""
    op: str
    node: Any
    grad_output: Any   # ndarray
    grad_inputs: tuple  # ndarray or None per input, already reduced to each input's shape
    location: SourceLocation | None


def add_listener(listener) -> None:
    """Register an object with ``on_op``, ``on_backward_start`` and/or ``on_backward`` methods."""
    if listener in listeners:
        return
    listeners.append(listener)
    if hasattr(listener, "on_op"):
        op_listeners.append(listener)
    if hasattr(listener, "on_backward_start"):
        start_listeners.append(listener)
    if hasattr(listener, "on_backward"):
        backward_listeners.append(listener)


def remove_listener(listener) -> None:
    for registry in (listeners, op_listeners, start_listeners, backward_listeners):
        if listener in registry:
            registry.remove(listener)


class listening:
    """Context manager: ``with listening(recorder): ...`` registers the listener for the block."""

    def __init__(self, listener):
        self.listener = listener

    def __enter__(self):
        add_listener(self.listener)
        return self.listener

    def __exit__(self, *exc):
        remove_listener(self.listener)
        return False


def emit_op(node, inputs, output, params) -> None:
    location = user_location()
    node.location = location
    event = OpEvent(node.name, node, inputs, output, params, location)
    for listener in tuple(op_listeners):
        listener.on_op(event)


def emit_backward_start(roots, grads) -> None:
    event = BackwardStartEvent(tuple(roots), tuple(grads))
    for listener in tuple(start_listeners):
        listener.on_backward_start(event)


def emit_backward(node, grad_output, grad_inputs) -> None:
    event = BackwardEvent(node.name, node, grad_output, grad_inputs, node.location)
    for listener in tuple(backward_listeners):
        listener.on_backward(event)
