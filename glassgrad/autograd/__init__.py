"""Reverse-mode automatic differentiation: Functions, the backward walk, grad mode, and its tools."""
from __future__ import annotations

from .anomaly import AnomalyError, detect_anomaly
from .engine import run_backward
from .events import (BackwardEvent, BackwardStartEvent, OpEvent, SourceLocation, add_listener, listening,
                     remove_listener)
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .graph import graph


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated in ``.grad``.

    >>> import glassgrad as gg
    >>> x = gg.tensor([1.0, 2.0], requires_grad=True)
    >>> gg.autograd.grad((x * x).sum(), x)
    (tensor([2., 4.]),)
    """
    from ..tensor import Tensor, _root_grads

    if create_graph:
        raise NotImplementedError("glassgrad does not build graphs of gradients (create_graph=True): "
                                  "higher-order derivatives are not supported")
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"output {i} does not require grad and does not have a grad_fn")
    root_grads = _root_grads(outputs, grad_outputs)
    captured = run_backward(outputs, root_grads, retain_graph=bool(retain_graph), capture=inputs)
    result = []
    for i, g in enumerate(captured):
        if g is None and not allow_unused:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have "
                               "been used in the graph. Set allow_unused=True if this is the "
                               "desired behavior.")
        result.append(None if g is None else Tensor(g))
    return tuple(result)


__all__ = ["Function", "grad", "gradcheck", "GradcheckError", "detect_anomaly", "AnomalyError",
           "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "graph", "add_listener",
           "remove_listener", "listening", "OpEvent", "BackwardEvent", "BackwardStartEvent", "SourceLocation"]
