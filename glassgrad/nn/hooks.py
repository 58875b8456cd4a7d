"""Module hooks with PyTorch's semantics: forward pre-hooks, forward hooks and full backward hooks.

Backward hooks are built on the engine's tensor hooks alone. Around a hooked module's call, its tensor
inputs that require grad pass through one identity node, and so do its outputs. A tensor hook on the
output node fires once every ``grad_output`` is known; one on the input node fires once every
``grad_input`` is known, calls ``hook(module, grad_input, grad_output)`` and may replace the gradients.
With several tensors the node packs them into one flat array (so their gradients arrive together) and
``_Unpack`` nodes hand each tensor its slice.
"""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

_ids = itertools.count()

# Hooks that apply to every module (torch.nn.modules.module.register_module_forward_hook …): the
# recorder attaches here to see every layer of any model.
_global_forward_pre_hooks: OrderedDict = OrderedDict()
_global_forward_hooks: OrderedDict = OrderedDict()
_global_forward_hooks_always_called: dict = {}
_global_forward_hooks_with_kwargs: dict = {}


class RemovableHandle:
    """Returned by every ``register_*_hook``: ``.remove()`` takes the hook off; also a context manager.

    >>> import glassgrad as gg
    >>> layer = gg.nn.Identity()
    >>> with layer.register_forward_hook(lambda m, args, out: out * 2):
    ...     layer(gg.ones(1))
    tensor([2.])
    >>> layer(gg.ones(1))
    tensor([1.])
    """

    def __init__(self, hooks: dict, *extra: dict):
        self.hooks_dicts = (hooks,) + extra
        self.id = next(_ids)

    def remove(self) -> None:
        for hooks in self.hooks_dicts:
            hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: OrderedDict, hook, prepend: bool = False, flags: tuple = ()) -> RemovableHandle:
    """Put ``hook`` in ``hooks`` (first when ``prepend``); ``flags`` are dicts that mark this hook."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, *flags)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    for flag in flags:
        flag[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """Call ``hook(module, args)`` before every module's forward (PyTorch's global hook)."""
    return add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """Call ``hook(module, args, output)`` (or ``hook(module, args, kwargs, output)``) after every
    module's forward (PyTorch's global hook)."""
    flags = ((_global_forward_hooks_with_kwargs,) if with_kwargs else ()) + (
        (_global_forward_hooks_always_called,) if always_call else ())
    return add_hook(_global_forward_hooks, hook, flags=flags)


# ---- the call with hooks ----------------------------------------------------------------------

def call_with_hooks(module, args: tuple, kwargs: dict):
    """``module(*args, **kwargs)`` when some hook is registered (the slow path of ``__call__``)."""
    from ..autograd import grad_mode
    for hook_id, hook in [*_global_forward_pre_hooks.items(), *module._forward_pre_hooks.items()]:
        if hook_id in module._forward_pre_hooks_with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)

    backward = None
    if (module._backward_hooks or module._backward_pre_hooks) and grad_mode.state[0]:
        backward = BackwardHook(module)
        args = backward.setup_inputs(args)

    result = None
    called = set()
    try:
        result = module.forward(*args, **kwargs)
        for hook_id, hook in [*_global_forward_hooks.items(), *module._forward_hooks.items()]:
            called.add(hook_id)
            out = _run_forward_hook(module, hook_id, hook, args, kwargs, result)
            if out is not None:
                result = out
    except Exception:
        _run_always_called(module, called, args, kwargs, result)
        raise
    if backward is not None:
        result = backward.setup_outputs(result)
    return result


def _run_forward_hook(module, hook_id, hook, args, kwargs, result):
    if hook_id in module._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
        return hook(module, args, kwargs, result)
    return hook(module, args, result)


def _run_always_called(module, called, args, kwargs, result):
    """After forward raised: the ``always_call=True`` hooks that have not run yet, errors silenced."""
    for hook_id, hook in [*_global_forward_hooks.items(), *module._forward_hooks.items()]:
        always = (hook_id in _global_forward_hooks_always_called
                  or hook_id in module._forward_hooks_always_called)
        if not always or hook_id in called:
            continue
        try:
            out = _run_forward_hook(module, hook_id, hook, args, kwargs, result)
            if out is not None:
                result = out
        except Exception as e:  # the forward's own error is the one to raise
            warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                          f"silenced as another error was raised in forward: {e}")


# ---- full backward hooks ------------------------------------------------------------------------

class _Pack(Function):
    """Identity on one tensor; several tensors become one flat array, so their gradients meet."""
    name = "module_hook"

    def forward(self, *arrays):
        if len(arrays) == 1:
            self.sizes = None
            return arrays[0]
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        return np.concatenate([a.reshape(-1) for a in arrays]).astype(np.result_type(*arrays))

    def backward(self, grad):
        if self.sizes is None:
            return grad
        bounds = np.cumsum([0] + self.sizes)
        return tuple(grad[lo:hi].reshape(shape) for lo, hi, shape in zip(bounds, bounds[1:], self.shapes))


class _Unpack(Function):
    """One tensor's slice of a ``_Pack``ed array; its backward notes that this tensor got a gradient."""
    name = "module_hook"

    def forward(self, packed, start, shape, dtype, received, index):
        self.start, self.total, self.received, self.index = start, packed.size, received, index
        size = int(np.prod(shape, dtype=np.int64))
        return packed[start:start + size].reshape(shape).astype(dtype, copy=False)

    def backward(self, grad):
        self.received[self.index] = True
        full = np.zeros(self.total, dtype=grad.dtype)
        full[self.start:self.start + grad.size] = grad.reshape(-1)
        return full


class _Route:
    """The tensors among some values that require grad, routed through one identity node."""

    def __init__(self, values: tuple, on_grad, zeros_for_constants: bool):
        floats = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.data.dtype.kind == "f"]
        self.positions = [i for i in floats if values[i].requires_grad]
        # PyTorch reports zeros for a floating input that does not require grad, None for such an output.
        self.constants = [i for i in floats if not values[i].requires_grad] if zeros_for_constants else []
        self.active = bool(self.positions)
        self.values = values
        if not self.active:
            return
        tensors = [values[i] for i in self.positions]
        self.shapes = [t.shape for t in tensors]
        self.dtypes = [t.dtype for t in tensors]
        self.received = [False] * len(tensors)
        packed = _Pack.apply(*tensors)
        if len(tensors) == 1:
            self.received = [True]  # the node's hook fires only when its one gradient arrived
            routed = [packed]
        else:
            starts = np.cumsum([0] + [t.data.size for t in tensors])
            routed = [_Unpack.apply(packed, start=int(s), shape=t.shape, dtype=t.dtype,
                                    received=self.received, index=i)
                      for i, (s, t) in enumerate(zip(starts, tensors))]
        packed.register_hook(on_grad)
        new = list(values)
        for i, t in zip(self.positions, routed):
            new[i] = t
        self.values = tuple(new)

    def split(self, grad: np.ndarray, n: int) -> tuple:
        """The packed gradient as one entry per value (None where a value got no gradient)."""
        out = [None] * n
        for pos in self.constants:
            out[pos] = Tensor(np.zeros(self.values[pos].shape, self.values[pos].dtype))
        start = 0
        for pos, shape, dtype, got in zip(self.positions, self.shapes, self.dtypes, self.received):
            size = int(np.prod(shape, dtype=np.int64))
            if got:
                out[pos] = Tensor(grad[start:start + size].reshape(shape).astype(dtype, copy=False))
            start += size
        return tuple(out)

    def join(self, grads: tuple, like: np.ndarray) -> np.ndarray:
        """Entries (Tensors, arrays or None = zero) packed back into one array shaped like ``like``."""
        parts = []
        for pos, shape in zip(self.positions, self.shapes):
            g = grads[pos]
            g = np.zeros(shape, like.dtype) if g is None else np.asarray(
                g.data if isinstance(g, Tensor) else g, dtype=like.dtype)
            if g.shape != shape:
                raise RuntimeError(f"backward hook returned a gradient of shape {g.shape} for a tensor "
                                   f"of shape {shape}")
            parts.append(g.reshape(-1))
        return parts[0].reshape(like.shape) if len(parts) == 1 else np.concatenate(parts)


def _check_length(result, expected: int, what: str) -> tuple:
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != expected:
        raise RuntimeError(f"Backward hook returned an invalid number of {what}, got {len(result)}, "
                           f"but expected {expected}")
    return result


class BackwardHook:
    """One call of a module with full backward (pre-)hooks: routes its inputs and outputs."""

    def __init__(self, module):
        self.module = module
        self.inputs = None
        self.n_inputs = 0
        self.grad_outputs = None

    def setup_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        self.inputs = _Route(args, self._on_grad_inputs, zeros_for_constants=True)
        return self.inputs.values

    def setup_outputs(self, result):
        is_tuple = isinstance(result, tuple)
        values = result if is_tuple else (result,)
        self.n_outputs = len(values)
        self.outputs = _Route(values, self._on_grad_outputs, zeros_for_constants=False)
        return self.outputs.values if is_tuple else self.outputs.values[0]

    def _on_grad_outputs(self, grad):
        g = grad.data
        grad_output = self.outputs.split(g, self.n_outputs)
        changed = False
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = tuple(t if t is None or isinstance(t, Tensor) else Tensor(t)
                                    for t in _check_length(result, self.n_outputs, "grad_output"))
                changed = True
        self.grad_outputs = grad_output
        if not self.inputs.active and self.module._backward_hooks:
            # No input carries a gradient: PyTorch fires the hooks now, with every grad_input None.
            warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                          "module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=2)
            grad_input = (None,) * self.n_inputs
            for hook in list(self.module._backward_hooks.values()):
                result = hook(self.module, grad_input, grad_output)
                if result is not None and not all(r is None for r in _check_length(
                        result, self.n_inputs, "grad_input")):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                       "should always return None or None for all gradients.")
        return self.outputs.join(grad_output, g) if changed else None

    def _on_grad_inputs(self, grad):
        g = grad.data
        grad_input = self.inputs.split(g, self.n_inputs)
        changed = False
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None:
                grad_input = _check_length(result, self.n_inputs, "grad_input")
                changed = True
        return self.inputs.join(grad_input, g) if changed else None
