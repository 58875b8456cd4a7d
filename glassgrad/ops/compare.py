"""Casts and comparisons: no gradient flows through a comparison, a predicate or a rounding (their
results are bool or piecewise constant), so only the cast is a Function.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor
from .elementwise import operands

class Cast(Function):
    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad  # the engine casts it back to the input's dtype


def cast(input, dtype):
    return Cast.apply(input, dtype=backend.as_dtype(dtype))


def _compare(ufunc, name):
    def compare(input, other):
        a, b = operands(input, other)
        return _new_tensor(np.asarray(ufunc(a.data, b.data)), False)
    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}``: a bool tensor; no gradient flows."
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")


def _unary_predicate(ufunc, name):
    def predicate(input):
        return _new_tensor(np.asarray(ufunc(input.data)), False)
    predicate.__name__ = name
    return predicate


isnan = _unary_predicate(np.isnan, "isnan")
isinf = _unary_predicate(np.isinf, "isinf")
isfinite = _unary_predicate(np.isfinite, "isfinite")
floor = _unary_predicate(np.floor, "floor")
ceil = _unary_predicate(np.ceil, "ceil")
logical_not = _unary_predicate(np.logical_not, "logical_not")


def sign(input):
    """-1, 0 or 1 by the sign; NaN gives 0, as in PyTorch (NumPy's sign keeps the NaN)."""
    out = np.asarray(np.sign(input.data))
    if out.dtype.kind == "f":
        out = np.where(np.isnan(out), out.dtype.type(0), out)
    return _new_tensor(out, False)


def round(input, decimals: int = 0):
    return _new_tensor(np.asarray(np.round(input.data, decimals)), False)


def logical_and(input, other):
    return _new_tensor(np.logical_and(input.data, Tensor(other).data), False)


def logical_or(input, other):
    return _new_tensor(np.logical_or(input.data, Tensor(other).data), False)


def equal(input, other) -> bool:
    """True when both have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input.data, other.data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(np.allclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _bitwise(ufunc):
    def op(self, other):
        a, b = operands(self, other)
        return _new_tensor(np.asarray(ufunc(a.data, b.data)), False)
    return op


__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "sign", "floor", "ceil",
           "round", "logical_not", "logical_and", "logical_or", "equal", "allclose"]

TENSOR_METHODS = {
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": _bitwise(np.bitwise_and), "__or__": _bitwise(np.bitwise_or),
    "__xor__": _bitwise(np.bitwise_xor), "__invert__": lambda self: _new_tensor(~self.data, False),
    **{name: globals()[name] for name in __all__},
}
