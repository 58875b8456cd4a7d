"""Elementwise arithmetic, unary math and two-sided choices (maximum, minimum, clamp, where). Each backward
sits right under its forward; activations are in activations.py, casts and comparisons in compare.py.

Binary ops broadcast like PyTorch; the engine reduces broadcast gradients back to each input's shape, so
the backward rules here are written for same-shaped operands.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor

# ---- operands ---------------------------------------------------------------------------------

def as_tensor_operand(value, like: Tensor) -> Tensor:
    """A Python number (or array-like) as a constant Tensor, by PyTorch's rule for a number meeting a
    tensor: it adopts the tensor's dtype unless it is of a higher kind (a float meeting an integer tensor
    gives the default float; an int meeting a bool tensor gives int64)."""
    kind = type(value)
    if kind is float or kind is int or isinstance(value, (np.generic, bool)):
        if isinstance(value, np.generic):
            value = value.item()
            kind = type(value)
        dtype = like.data.dtype
        if kind is float and dtype.kind != "f":
            dtype = backend.default_float
        elif kind is int and dtype.kind == "b":
            dtype = backend.int64
        return _new_tensor(np.array(value, dtype=dtype), False)
    if isinstance(value, complex):
        raise TypeError("complex numbers are not supported")
    return Tensor(value)


def operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one dtype, by PyTorch's type promotion."""
    # ``type(x) is Tensor`` is the fast test; subclasses (nn.Parameter) are Tensors too.
    if type(a) is not Tensor and not isinstance(a, Tensor):
        if type(b) is not Tensor and not isinstance(b, Tensor):
            raise TypeError("at least one operand must be a Tensor")
        a = as_tensor_operand(a, b)
    elif type(b) is not Tensor and not isinstance(b, Tensor):
        b = as_tensor_operand(b, a)
    da, db = a.data.dtype, b.data.dtype
    if da != db:
        dtype = backend.promote(da, db)
        if da.kind != "f" and da != dtype:
            a = _new_tensor(a.data.astype(dtype), False)
        if db.kind != "f" and db != dtype:
            b = _new_tensor(b.data.astype(dtype), False)
    return a, b


# ---- arithmetic -------------------------------------------------------------------------------

class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    def forward(self, a, b):
        out = a / b
        self.save_for_backward(b, out)
        return out

    def backward(self, grad):
        b, out = self.saved
        grad_a = grad / b
        return grad_a, (-grad_a * out if self.needs_input_grad[1] else None)


class Pow(Function):
    def forward(self, a, b):
        out = a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        if need_a:  # an exponent of 0 has gradient 0, even at a == 0 (PyTorch's convention)
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_a = np.where(b == 0, 0, grad * b * a ** (b - 1))
        if need_b:
            # PyTorch's convention: d(a**b)/db is 0 where a == 0 and b >= 0 (not NaN from log 0).
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = grad * out * np.log(a)
            grad_b = np.where((a == 0) & (b >= 0), 0, grad_b)
        return grad_a, grad_b


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


def add(input, other, alpha=1):
    """``input + alpha * other``."""
    a, b = operands(input, other * alpha if alpha != 1 else other)
    return Add.apply(a, b)


def sub(input, other, alpha=1):
    """``input - alpha * other``."""
    a, b = operands(input, other * alpha if alpha != 1 else other)
    return Sub.apply(a, b)


def mul(input, other):
    return Mul.apply(*operands(input, other))


def div(input, other, rounding_mode=None):
    a, b = operands(input, other)
    if rounding_mode is not None:
        return _floor_or_trunc_div(a, b, rounding_mode)
    if a.data.dtype.kind != "f":  # true division of integers gives the default float, as in PyTorch
        a = _new_tensor(a.data.astype(backend.default_float), False)
        b = _new_tensor(b.data.astype(backend.default_float), False)
    return Div.apply(a, b)


def _floor_or_trunc_div(a, b, rounding_mode):
    if rounding_mode == "floor":
        return _new_tensor(np.asarray(np.floor_divide(a.data, b.data)), False)
    if rounding_mode == "trunc":
        return _new_tensor(np.asarray(np.trunc(a.data / b.data)).astype(a.data.dtype), False)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                     f"{rounding_mode!r}")


def pow(input, exponent):
    a, b = operands(input, exponent)
    if a.data.dtype.kind != "f" and isinstance(exponent, (int, Tensor)) and (b.data < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return Pow.apply(a, b)


def neg(input):
    return Neg.apply(input)


def true_divide(input, other):
    return div(input, other)


def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


def remainder(input, other):
    a, b = operands(input, other)
    return _new_tensor(np.asarray(np.mod(a.data, b.data)), False)


# ---- unary math -------------------------------------------------------------------------------

class Abs(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * np.sign(a)


class Exp(Function):
    def forward(self, a):
        out = np.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out


class Log(Function):
    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    def backward(self, grad):
        (a,) = self.saved
        with np.errstate(divide="ignore"):
            return grad / a


class Log1p(Function):
    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(a)

    def backward(self, grad):
        (a,) = self.saved
        with np.errstate(divide="ignore"):
            return grad / (1 + a)


class Expm1(Function):
    def forward(self, a):
        out = np.expm1(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out + 1)


class Sqrt(Function):
    def forward(self, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        with np.errstate(divide="ignore"):
            return grad / (2 * out)


class Rsqrt(Function):
    def forward(self, a):
        with np.errstate(invalid="ignore", divide="ignore"):
            out = 1 / np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * -0.5 * out * out * out


class Sin(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * np.cos(a)


class Cos(Function):
    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * -np.sin(a)


def _float_input(x: Tensor) -> Tensor:
    """Float math on an integer tensor computes in the default float dtype, as in PyTorch."""
    if x.data.dtype.kind == "f":
        return x
    return _new_tensor(x.data.astype(backend.default_float), False)


def abs(input):
    return Abs.apply(input)


def exp(input):
    return Exp.apply(_float_input(input))


def log(input):
    return Log.apply(_float_input(input))


def log1p(input):
    return Log1p.apply(_float_input(input))


def expm1(input):
    return Expm1.apply(_float_input(input))


def sqrt(input):
    return Sqrt.apply(_float_input(input))


def rsqrt(input):
    return Rsqrt.apply(_float_input(input))


def sin(input):
    return Sin.apply(_float_input(input))


def cos(input):
    return Cos.apply(_float_input(input))


def square(input):
    return mul(input, input)


def reciprocal(input):
    return div(1.0, _float_input(input))


# ---- two-sided choices ------------------------------------------------------------------------

class Maximum(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        # Ties share the gradient equally, as in PyTorch.
        share = np.where(a == b, grad * 0.5, grad)
        return np.where(a < b, 0, share), np.where(b < a, 0, share)


class Minimum(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        share = np.where(a == b, grad * 0.5, grad)
        return np.where(a > b, 0, share), np.where(b > a, 0, share)


class Clamp(Function):
    def forward(self, a, min, max):
        self.save_for_backward(a)
        self.min, self.max = min, max
        return np.clip(a, min, max)

    def backward(self, grad):
        (a,) = self.saved
        inside = np.ones(a.shape, dtype=bool)
        if self.min is not None:
            inside &= a >= self.min
        if self.max is not None:
            inside &= a <= self.max
        return np.where(inside, grad, 0)


class Where(Function):
    def forward(self, condition, a, b):
        self.save_for_backward(condition)
        return np.where(condition, a, b)

    def backward(self, grad):
        (condition,) = self.saved
        _, need_a, need_b = self.needs_input_grad
        return (None, np.where(condition, grad, 0) if need_a else None,
                np.where(condition, 0, grad) if need_b else None)


def maximum(input, other):
    return Maximum.apply(*operands(input, other))


def minimum(input, other):
    return Minimum.apply(*operands(input, other))


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]``; either bound may be None, a number or a Tensor."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    return Clamp.apply(input, min=min, max=max)


def where(condition, input, other):
    """Pick ``input`` where ``condition`` holds, else ``other`` (both may be numbers)."""
    cond = condition if isinstance(condition, Tensor) else Tensor(condition)
    if cond.data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {cond.data.dtype}")
    a, b = operands(input, other)
    try:
        np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be "
                           "broadcast together") from None
    return Where.apply(cond, a, b)


def _reflected(func):
    def reflected(self, other):
        return func(other, self)
    return reflected


__all__ = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "pow", "neg",
           "abs", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "square",
           "reciprocal", "maximum", "minimum", "clamp", "where"]

TENSOR_METHODS = {
    "__add__": add, "__radd__": add, "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": mul, "__truediv__": div, "__rtruediv__": _reflected(div),
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__mod__": remainder, "__pow__": pow, "__rpow__": _reflected(pow), "__neg__": neg,
    "__pos__": lambda self: self, "__abs__": abs,
    **{name: globals()[name] for name in __all__ if name != "where"},
    "clip": clamp,
    "where": lambda self, condition, other: where(condition, self, other),
}
