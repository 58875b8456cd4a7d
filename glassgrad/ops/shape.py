"""Shape ops: views and rearrangements of the same numbers (reshape, transpose, indexing, cat …)."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function


class Reshape(Function):
    def forward(self, a, shape):
        self.in_shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise RuntimeError(f"reshape: shape {list(shape)} is invalid for input of size {a.size} "
                               f"(shape {a.shape})") from None

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Transpose(Function):
    def forward(self, a, dim0, dim1):
        self.dims = (dim0, dim1)
        return np.swapaxes(a, dim0, dim1)

    def backward(self, grad):
        return np.swapaxes(grad, *self.dims)


def _shape_arg(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def reshape(input, *shape):
    return Reshape.apply(input, shape=_shape_arg(shape))


def transpose(input, dim0: int, dim1: int):
    return Transpose.apply(input, dim0=dim0, dim1=dim1)


__all__ = ["reshape", "transpose"]

TENSOR_METHODS = {"reshape": reshape, "view": reshape, "transpose": transpose,
                  "T": property(lambda self: transpose(self, 0, 1) if self.ndim == 2 else self)}
