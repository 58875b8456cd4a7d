"""Selections by order: max/min (values and indices), amax/amin, argmax/argmin, sort, argsort, topk.

Two gradient rules, both PyTorch's: a reduction to the extreme value (``max()``, ``amax``) splits the
gradient evenly among the entries that tie for it; a selection that returns indices (``max(dim)``,
``sort``, ``topk``) sends each gradient to the one index it selected. Indices are int64; ties resolve to
the first occurrence, and sorts are stable.
"""
from __future__ import annotations

import operator
from collections import namedtuple
from types import SimpleNamespace

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor
from .elementwise import maximum, minimum
from .reduce import expand_reduced, normalize_dims, one_dim

_reduce_add = np.add.reduce


def _return_type(name: str):
    """A (values, indices) named tuple printed like ``torch.return_types.<name>``."""
    def __repr__(self):
        return f"glassgrad.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    base = namedtuple(name, ["values", "indices"])
    namespace = {"__slots__": (), "__repr__": __repr__, "__module__": "glassgrad.return_types"}
    return type(name, (base,), namespace)


return_types = SimpleNamespace(**{name: _return_type(name) for name in ("max", "min", "sort", "topk")})


# ---- reductions to the extreme value: the gradient is split among ties -----------------------

class Amax(Function):
    ufunc = np.maximum

    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        out = self.ufunc.reduce(a, axes, None, None, keepdim)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        mask = self.ties(a, expand_reduced(np.asarray(out), self.in_shape, self.axes, self.keepdim))
        with np.errstate(divide="ignore", invalid="ignore"):  # a NaN extreme ties with nothing: NaN
            return (grad / _reduce_add(mask, self.axes, None, None, True)) * mask

    def ties(self, a, out):
        return a == out


class Amin(Amax):
    ufunc = np.minimum


class Max(Amax):
    """``max()`` over every element: like amax, except that a NaN result's gradient goes to the NaNs."""

    def ties(self, a, out):
        return np.isnan(a) if np.isnan(out).any() else a == out


class Min(Max):
    ufunc = np.minimum


def _check_nonempty(op: str, a: np.ndarray, axes) -> None:
    if axes is None and a.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in axes or ():
        if a.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def amax(input, dim=(), keepdim: bool = False):
    """The largest value over ``dim`` (an int or tuple; all dims by default). Ties share the gradient.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).amax(1)
    tensor([5., 7.])
    """
    axes = normalize_dims(dim, input.data.ndim, "amax")
    _check_nonempty("amax", input.data, axes)
    return Amax.apply(input, axes=axes, keepdim=keepdim)


def amin(input, dim=(), keepdim: bool = False):
    """The smallest value over ``dim`` (an int or tuple; all dims by default). Ties share the gradient.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).amin(1)
    tensor([1., 2.])
    """
    axes = normalize_dims(dim, input.data.ndim, "amin")
    _check_nonempty("amin", input.data, axes)
    return Amin.apply(input, axes=axes, keepdim=keepdim)


# ---- selections with indices: the gradient goes to the selected index ------------------------

class Select(Function):
    """The input's entries at ``indices`` (keepdim-shaped, int64) along ``dim``."""

    def forward(self, a, indices, dim, keepdim):
        self.in_shape, self.dim, self.keepdim = a.shape, dim, keepdim
        self.save_for_backward(indices)
        if a.ndim == 0:
            return a.copy()
        out = np.take_along_axis(a, indices, dim)
        return out if keepdim else out.squeeze(dim)

    def backward(self, grad):
        (indices,) = self.saved
        if grad.ndim == 0 and not self.in_shape:
            return grad
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        out = np.zeros(self.in_shape, grad.dtype)
        np.put_along_axis(out, indices, grad, self.dim)
        return out


class MaxDim(Select):
    name = "max"


class MinDim(Select):
    name = "min"


class Sort(Select):
    pass


class Topk(Select):
    pass


class Argmax(Function):
    find = staticmethod(np.argmax)

    def forward(self, a, dim, keepdim):
        if dim is None or a.ndim == 0:  # the index into the flattened tensor
            out = np.asarray(self.find(a), dtype=np.int64)
            return out.reshape((1,) * a.ndim) if keepdim else out
        return self.find(a, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)


class Argmin(Argmax):
    find = staticmethod(np.argmin)


def _extreme_along(op, select, arg, result, input, dim, keepdim):
    d = one_dim(dim, input.data.ndim, op)
    _check_nonempty(op, input.data, (d,) if input.data.ndim else ())
    indices = arg.apply(input, dim=d, keepdim=True).data
    values = select.apply(input, indices=indices, dim=d, keepdim=keepdim)
    if not keepdim and input.data.ndim:
        indices = indices.squeeze(d)
    return result(values, _indices(indices, values))


def _indices(indices, values):
    """The indices as a tensor of their own: when the backward holds them, a copy the user may change."""
    return _new_tensor(indices.copy() if values.requires_grad else indices, False)


def max(input, dim=None, keepdim: bool = False, *, other=None):
    """``max(input)``: the largest value (ties share the gradient). ``max(input, dim, keepdim=False)``:
    ``(values, indices)`` along ``dim``, the gradient going to each index. ``max(input, other)``: the
    elementwise maximum.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    glassgrad.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
    """
    if isinstance(dim, Tensor) or other is not None:
        return maximum(input, dim if other is None else other)
    if dim is None:
        if keepdim:
            raise TypeError("max(): keepdim=True needs a dim (the full reduction gives a 0-d tensor)")
        _check_nonempty("max", input.data, None)
        return Max.apply(input, axes=None, keepdim=False)
    return _extreme_along("max", MaxDim, Argmax, return_types.max, input, dim, keepdim)


def min(input, dim=None, keepdim: bool = False, *, other=None):
    """``min(input)``, ``min(input, dim, keepdim=False)`` or ``min(input, other)``, as ``max``.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).min()
    tensor(1.)
    """
    if isinstance(dim, Tensor) or other is not None:
        return minimum(input, dim if other is None else other)
    if dim is None:
        if keepdim:
            raise TypeError("min(): keepdim=True needs a dim (the full reduction gives a 0-d tensor)")
        _check_nonempty("min", input.data, None)
        return Min.apply(input, axes=None, keepdim=False)
    return _extreme_along("min", MinDim, Argmin, return_types.min, input, dim, keepdim)


def _arg_extreme(cls, op, input, dim, keepdim):
    if input.data.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input")
    if dim is None:
        if input.data.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        return cls.apply(input, dim=None, keepdim=keepdim)
    d = one_dim(dim, input.data.ndim, op)
    _check_nonempty(op, input.data, (d,) if input.data.ndim else ())
    return cls.apply(input, dim=d, keepdim=keepdim)


def argmax(input, dim=None, keepdim: bool = False):
    """Index (int64) of the largest value along ``dim``, or into the flattened tensor when None.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax()
    tensor(2)
    """
    return _arg_extreme(Argmax, "argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim: bool = False):
    """Index (int64) of the smallest value along ``dim``, or into the flattened tensor when None.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 5.0], [7.0, 2.0]]).argmin(1)
    tensor([0, 1])
    """
    return _arg_extreme(Argmin, "argmin", input, dim, keepdim)


# ---- sorting ----------------------------------------------------------------------------------

class Argsort(Function):
    def forward(self, a, dim, descending):
        if a.ndim == 0:
            return np.zeros((), np.int64)
        if not descending:
            return np.argsort(a, axis=dim, kind="stable")
        # A stable descending order: sort the reversed array stably, reverse the result, and map the
        # positions back. Equal values keep their original order; NaN (NumPy's largest) comes first.
        order = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
        return (a.shape[dim] - 1) - np.flip(order, dim)


def sort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """``(values, indices)`` sorted along ``dim``; always stable (``stable`` is accepted for PyTorch).

    >>> import glassgrad as gg
    >>> gg.tensor([3.0, 1.0, 2.0]).sort(descending=True).indices
    tensor([0, 2, 1])
    """
    d = one_dim(dim, input.data.ndim, "sort")
    indices = Argsort.apply(input, dim=d, descending=descending).data
    values = Sort.apply(input, indices=indices, dim=d, keepdim=True)
    return return_types.sort(values, _indices(indices, values))


def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """The int64 indices that sort ``input`` along ``dim`` (stably).

    >>> import glassgrad as gg
    >>> gg.tensor([3.0, 1.0, 2.0]).argsort()
    tensor([1, 2, 0])
    """
    return Argsort.apply(input, dim=one_dim(dim, input.data.ndim, "argsort"), descending=descending)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) entries along ``dim`` as ``(values, indices)``, in order; among
    ties the lowest indices win (PyTorch's choice among ties is unspecified).

    >>> import glassgrad as gg
    >>> gg.tensor([1.0, 4.0, 2.0, 3.0]).topk(2)
    glassgrad.return_types.topk(
    values=tensor([4., 3.]),
    indices=tensor([1, 3]))
    """
    if isinstance(k, (bool, float)) or not hasattr(k, "__index__"):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    k = operator.index(k)
    d = one_dim(dim, input.data.ndim, "topk")
    size = input.data.shape[d] if input.data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk(): selected index k out of range (k={k}, dim {d} of shape "
                           f"{input.shape} has size {size})")
    indices = Argsort.apply(input, dim=d, descending=largest).data
    if input.data.ndim and k < size:  # a copy, so the full order is not kept alive
        indices = indices[(slice(None),) * d + (slice(0, k),)].copy()
    values = Topk.apply(input, indices=indices, dim=d, keepdim=True)
    return return_types.topk(values, _indices(indices, values))


__all__ = ["max", "min", "amax", "amin", "argmax", "argmin", "sort", "argsort", "topk", "return_types"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name != "return_types"}
