"""Reductions: sum, mean, var/std, max/min, prod, logsumexp, arg-reductions."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor


def normalize_dims(dim, ndim: int, op: str) -> tuple | None:
    """``dim`` (None, int or sequence, negatives allowed) as a sorted tuple of axes; None means all."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return None
    span = max(ndim, 1)
    out = []
    for d in dims:
        if not -span <= d < span:
            raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                             f"[{-span}, {span - 1}], but got {d})")
        out.append(d % span)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(out)) if ndim else ()


def expand_reduced(grad: np.ndarray, shape: tuple, axes: tuple | None, keepdim: bool) -> np.ndarray:
    """Re-insert the reduced axes of ``grad`` (as size 1) so it broadcasts against the input."""
    if not keepdim and axes is not None and grad.ndim != len(shape):
        grad = np.expand_dims(grad, axes)
    elif not keepdim and axes is None:
        grad = grad.reshape((1,) * len(shape))
    return grad


class Sum(Function):
    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        return np.sum(a, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        return np.broadcast_to(grad, self.in_shape)


class Mean(Function):
    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        self.count = _count(a.shape, axes)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.mean(a, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        return np.broadcast_to(grad / self.count, self.in_shape)


def _count(shape: tuple, axes: tuple | None) -> int:
    if axes is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[i] for i in axes], dtype=np.int64))


def _float_or_default(x: Tensor, dtype) -> Tensor:
    dtype = backend.as_dtype(dtype)
    if dtype is not None and x.data.dtype != dtype:
        from .elementwise import cast
        return cast(x, dtype)
    return x


def sum(input, dim=None, keepdim: bool = False, dtype=None):
    """Sum over ``dim`` (all dims when None). Integer and bool tensors sum to int64, as in PyTorch."""
    input = _float_or_default(input, dtype)
    if input.data.dtype.kind in "biu" and dtype is None:
        input = _new_tensor(input.data.astype(backend.int64), False)
    return Sum.apply(input, axes=normalize_dims(dim, input.data.ndim, "sum"), keepdim=keepdim)


def mean(input, dim=None, keepdim: bool = False, dtype=None):
    input = _float_or_default(input, dtype)
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.data.dtype}")
    return Mean.apply(input, axes=normalize_dims(dim, input.data.ndim, "mean"), keepdim=keepdim)


__all__ = ["sum", "mean"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
