"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's parameter: assigning one to a Module attribute registers it.

    It shares memory with ``data`` (as PyTorch's does) and requires grad unless told otherwise.

    >>> import glassgrad as gg
    >>> w = gg.nn.Parameter(gg.ones(2))
    >>> w
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> w.grad
    tensor([3., 3.])
    """

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        # PyTorch's rule: a deep copy clones the values and the flag, not the gradient.
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.copy(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (type(self), self.data, self.requires_grad))


def _rebuild_parameter(cls, data, requires_grad):
    return cls(data, requires_grad)


def factory_kwargs(device=None, dtype=None) -> np.dtype:
    """The dtype for a layer's new weights (``device``/``dtype`` arguments, as PyTorch's layers take)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"glassgrad runs on the CPU only; cannot create weights on {device!r}")
    dtype = backend.as_dtype(dtype) or backend.default_float
    if dtype.kind != "f":
        raise TypeError(f"layers hold floating point weights; got dtype={dtype}")
    return dtype


def module_to_dtype(args: tuple, kwargs: dict):
    """The dtype asked of ``Module.to(*args, **kwargs)`` (None: no cast); devices other than the CPU
    and non-floating dtypes are refused, as PyTorch refuses the latter."""
    kwargs = dict(kwargs)
    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) and arg.removeprefix("torch.").removeprefix(
                "glassgrad.") not in backend._DTYPE_ALIASES:
            device = arg
        else:
            dtype = arg
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"glassgrad runs on the CPU only; cannot move a module to {device!r}")
    if dtype is None:
        return None
    dtype = backend.as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                        f"dtype={dtype}")
    return dtype
