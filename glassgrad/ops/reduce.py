"""Reductions: sum, mean, prod, logsumexp, cumsum, all/any, and the dim handling every reduction shares.

The spread and size of a tensor (var, std, var_mean, std_mean, norm) live in ``moments.py``; selections by
order (max/min, amax/amin, argmax/argmin, sort, topk) in ``sort.py``. Every reduction takes ``dim`` as
PyTorch does (None, an int or a tuple; negatives count from the end) and ``keepdim``. A backward rule gets
the upstream gradient in the output's shape, re-inserts the reduced axes as size 1 (``expand_reduced``)
and spreads it over the input's shape.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import _new_tensor
from .compare import cast

_reduce_add = np.add.reduce
_reduce_mul = np.multiply.reduce
_SPREAD_VIEW = 1 << 12  # above this many elements a broadcast view is cheaper than filling an array
_LONG_SUM = 1 << 14     # float32 sums of more terms than this, not summed pairwise, accumulate in float64


# ---- dims -------------------------------------------------------------------------------------

def normalize_dims(dim, ndim: int, op: str) -> tuple | None:
    """``dim`` (None, int or sequence, negatives allowed) as a sorted tuple of axes; None means all.

    A 0-d tensor accepts dim 0 and -1, as in PyTorch, and reduces nothing (``()``).
    """
    if dim is None:
        return None
    if type(dim) is int:  # the common case, checked first: one plain in-range int
        if 0 <= dim < ndim:
            return (dim,)
        if -ndim <= dim < 0:
            return (dim + ndim,)
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims:
        return None
    span = max(ndim, 1)
    out = []
    for d in dims:
        d = as_dim(d, op)
        if not -span <= d < span:
            raise IndexError(f"{op}(): Dimension out of range (expected to be in range of "
                             f"[{-span}, {span - 1}], but got {d})")
        if d % span in out:
            raise RuntimeError(f"{op}(): dim {d % span} appears multiple times in the list of dims")
        out.append(d % span)
    return tuple(sorted(out)) if ndim else ()


def as_dim(d, op: str) -> int:
    """One dim as a Python int (NumPy ints and 0-d integer tensors too; bools and floats refused)."""
    if isinstance(d, (bool, float)):
        raise TypeError(f"{op}(): dim must be an int or a tuple of ints, got {type(d).__name__}")
    try:
        return operator.index(d)
    except TypeError:
        raise TypeError(f"{op}(): dim must be an int or a tuple of ints, got {type(d).__name__}") from None


def one_dim(dim, ndim: int, op: str) -> int:
    """A single ``dim`` (int only, as for prod, cumsum, sort) as a non-negative axis."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    axes = normalize_dims(as_dim(dim, op), ndim, op)
    return axes[0] if axes else 0


def keep_shape(shape: tuple, axes: tuple | None) -> tuple:
    """``shape`` with the reduced ``axes`` (None: all) set to 1: the output's shape under keepdim."""
    if axes is None:
        return (1,) * len(shape)
    return tuple([1 if i in axes else n for i, n in enumerate(shape)])


def reduced_shape(shape: tuple, axes: tuple | None) -> tuple:
    """``shape`` with the reduced ``axes`` dropped: the output's shape without keepdim."""
    if axes is None:
        return ()
    return tuple([n for i, n in enumerate(shape) if i not in axes])


def expand_reduced(grad: np.ndarray, shape: tuple, axes: tuple | None, keepdim: bool) -> np.ndarray:
    """Re-insert the reduced axes of ``grad`` (as size 1) so it broadcasts against the input."""
    if not keepdim and grad.ndim != len(shape):
        grad = grad.reshape(keep_shape(shape, axes))
    return grad


def spread(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """``grad`` (broadcastable) spread over ``shape``: a new array when small (cheaper to make than
    ``np.broadcast_to``'s view), a read-only broadcast view when large (no memory)."""
    if grad.shape == shape:
        return grad
    if math.prod(shape) > _SPREAD_VIEW:
        return np.broadcast_to(grad, shape)
    out = np.empty(shape, grad.dtype)
    out[...] = grad
    return out


def count(shape: tuple, axes: tuple | None) -> int:
    """How many input elements each output element reduces."""
    if axes is None:
        return math.prod(shape)
    return math.prod([shape[i] for i in axes])


def add_reduce(a: np.ndarray, axes: tuple | None, keepdim: bool) -> np.ndarray:
    """``np.add.reduce``, as accurate as PyTorch's cascade sums in float32.

    NumPy sums pairwise only along the innermost loop; across other axes it adds one term at a time,
    which drifts over many terms (1e-5 relative over 1e5 rows of a (N, F) array summed over dim 0).
    Such long float32 sums accumulate in float64 instead; short ones and C-contiguous sums over trailing
    dims (one pairwise inner loop) stay in float32. Small tensors pay one size test.
    """
    if a.size > _LONG_SUM and a.dtype == np.float32 and not _pairwise(a, axes):
        return _reduce_add(a, axes, np.float64, None, keepdim).astype(np.float32)
    return _reduce_add(a, axes, None, None, keepdim)


def _pairwise(a: np.ndarray, axes: tuple | None) -> bool:
    if a.flags.c_contiguous and (axes is None or axes == tuple(range(a.ndim - len(axes), a.ndim))):
        return True
    return count(a.shape, axes) <= _LONG_SUM


def divide(x, d):
    """``x / d`` where ``d`` may be 0: inf or nan as in PyTorch, without NumPy's warning."""
    if d:
        return x / d
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / np.asarray(d, dtype=x.dtype)


def to_dtype(x, dtype):
    """``x`` in ``dtype`` (any spelling), differentiably; ``x`` itself when it already is."""
    dtype = backend.as_dtype(dtype)
    return cast(x, dtype) if x.data.dtype != dtype else x


def _int64(x):
    """Integer and bool tensors accumulate in int64, as PyTorch's sum, prod and cumsum do."""
    if x.data.dtype.kind in "biu" and x.data.dtype != backend.int64:
        return _new_tensor(x.data.astype(backend.int64), False)
    return x


def require_float(x, op: str, message: str | None = None) -> None:
    if x.data.dtype.kind != "f":
        raise RuntimeError(message or f"{op}(): expected a floating point tensor, got {x.data.dtype} "
                           f"(shape {x.shape})")


# ---- sum and mean -----------------------------------------------------------------------------

class Sum(Function):
    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        return add_reduce(a, axes, keepdim)

    def backward(self, grad):
        return spread(expand_reduced(grad, self.in_shape, self.axes, self.keepdim), self.in_shape)


class Mean(Function):
    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        total = add_reduce(a, axes, keepdim)
        # Elements per output element; cheaper than count() (0 for an empty output: nothing to divide).
        self.count = n = a.size // total.size if total.size else 0
        if n:
            total /= n  # in place for arrays (a 0-d result is a NumPy scalar and is simply rebound)
            return total
        return divide(total, n)  # the mean of nothing is nan, as in PyTorch

    def backward(self, grad):
        if not self.count:
            return np.zeros(self.in_shape, grad.dtype)
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        return spread(grad / self.count, self.in_shape)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum over ``dim`` (all dims when None). Integer and bool tensors sum to int64, as in PyTorch.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(1)
    tensor([3., 7.])
    """
    if dtype is None:
        if input.data.dtype.kind != "f":
            input = _int64(input)
    else:
        input = to_dtype(input, dtype)
    # sum() and x.sum(d) are among the most frequent calls of all: skip normalize_dims when dim is None.
    axes = None if dim is None else normalize_dims(dim, input.data.ndim, "sum")
    return Sum.apply(input, axes=axes, keepdim=keepdim)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean over ``dim`` (all dims when None); the mean of an empty tensor is nan.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(0)
    tensor([2., 3.])
    """
    if dtype is not None:
        input = to_dtype(input, dtype)
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.data.dtype}")
    return Mean.apply(input, axes=normalize_dims(dim, input.data.ndim, "mean"), keepdim=keepdim)


# ---- product, log-sum-exp, cumulative sum -----------------------------------------------------

class Prod(Function):
    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        out = _reduce_mul(a, axes, None, None, keepdim)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        out = expand_reduced(np.asarray(out), self.in_shape, self.axes, self.keepdim)
        zeros = a == 0
        if not zeros.any():
            return grad * (out / a)  # PyTorch's formula when nothing is zero
        # With zeros, out / a is 0/0 there. A zero's gradient is the product of the others when it is
        # its slice's only zero, else 0; the other entries of a slice holding a zero get out / a = 0.
        safe = np.where(zeros, 1, a)
        n_zeros = _reduce_add(zeros, self.axes, None, None, True)
        others = _reduce_mul(safe, self.axes, None, None, True)
        return grad * np.where(zeros, np.where(n_zeros == 1, others, 0), out / safe)


class LogSumExp(Function):
    name = "logsumexp"

    def forward(self, a, axes, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        # Shift by the max so exp cannot overflow; an infinite max shifts by 0 instead (PyTorch's rule),
        # which keeps all -inf slices at -inf and +inf at +inf. Empty slices have no max: log(0) = -inf.
        if a.size:
            shift = np.asarray(np.maximum.reduce(a, axes, None, None, True))  # 0-d: a scalar
            shift[np.isinf(shift)] = 0
        else:
            shift = np.zeros(keep_shape(a.shape, axes), a.dtype)
        exps = np.exp(a - shift)
        total = add_reduce(exps, axes, True)
        self.save_for_backward(exps, total)
        with np.errstate(divide="ignore"):
            out = np.log(total) + shift
        return out if keepdim else out.reshape(reduced_shape(a.shape, axes))

    def backward(self, grad):
        exps, total = self.saved
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / total) * exps  # softmax: exp(x - logsumexp) = exps / total


class CumSum(Function):
    name = "cumsum"

    def forward(self, a, dim):
        self.dim = dim
        if a.ndim == 0:
            return a.copy()
        return _cumsum(a, dim)

    def backward(self, grad):
        if grad.ndim == 0:
            return grad
        return np.flip(_cumsum(np.flip(grad, self.dim), self.dim), self.dim)


def _cumsum(a, axis):
    # PyTorch accumulates float32 cumulative sums in double on the CPU; so do we, or long sums drift.
    if a.dtype == np.float32:
        return np.cumsum(a, axis, dtype=np.float64).astype(np.float32)
    return np.cumsum(a, axis)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Product over one ``dim`` (all elements when None). Integer and bool tensors give int64.

    >>> import glassgrad as gg
    >>> gg.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
    tensor([ 2., 12.])
    """
    input = _int64(input) if dtype is None else to_dtype(input, dtype)
    axes = None
    if dim is not None:  # one dim only; a 0-d tensor takes dim 0 or -1 and reduces nothing
        d = one_dim(dim, input.data.ndim, "prod")
        axes = (d,) if input.data.ndim else ()
    return Prod.apply(input, axes=axes, keepdim=keepdim)


def logsumexp(input, dim, keepdim: bool = False):
    """``log(sum(exp(input), dim))`` computed without overflow; integers compute in the default float.

    >>> import glassgrad as gg
    >>> gg.tensor([1000.0, 1000.0]).logsumexp(0)
    tensor(1000.6932)
    """
    if input.data.dtype.kind != "f":
        input = _new_tensor(input.data.astype(backend.default_float), False)
    return LogSumExp.apply(input, axes=normalize_dims(dim, input.data.ndim, "logsumexp"), keepdim=keepdim)


def cumsum(input, dim, *, dtype=None):
    """Running sums along ``dim``. Integer and bool tensors give int64.

    >>> import glassgrad as gg
    >>> gg.tensor([1.0, 2.0, 3.0]).cumsum(0)
    tensor([1., 3., 6.])
    """
    input = _int64(input) if dtype is None else to_dtype(input, dtype)
    return CumSum.apply(input, dim=one_dim(dim, input.data.ndim, "cumsum"))


# ---- logical reductions (no gradient) ---------------------------------------------------------

class All(Function):
    def forward(self, a, axes, keepdim):
        out = np.logical_and.reduce(a, axes, None, None, keepdim) if axes != () else a != 0
        return out.astype(np.uint8) if a.dtype == np.uint8 else out


class Any(Function):
    def forward(self, a, axes, keepdim):
        out = np.logical_or.reduce(a, axes, None, None, keepdim) if axes != () else a != 0
        return out.astype(np.uint8) if a.dtype == np.uint8 else out


def _logical_axes(dim, ndim, op):
    if isinstance(dim, (tuple, list)) and not dim:
        return ()  # PyTorch: all(x, dim=()) reduces nothing (unlike sum, where () means every dim)
    return normalize_dims(dim, ndim, op)


def all(input, dim=None, keepdim: bool = False):
    """Whether every element over ``dim`` is non-zero: bool (uint8 for uint8 input), as in PyTorch.

    >>> import glassgrad as gg
    >>> gg.tensor([[1, 0], [2, 3]]).all(1)
    tensor([False,  True])
    """
    return All.apply(input, axes=_logical_axes(dim, input.data.ndim, "all"), keepdim=keepdim)


def any(input, dim=None, keepdim: bool = False):
    """Whether some element over ``dim`` is non-zero: bool (uint8 for uint8 input), as in PyTorch.

    >>> import glassgrad as gg
    >>> gg.tensor([[1, 0], [0, 0]]).any(1)
    tensor([ True, False])
    """
    return Any.apply(input, axes=_logical_axes(dim, input.data.ndim, "any"), keepdim=keepdim)


__all__ = ["sum", "mean", "prod", "logsumexp", "cumsum", "all", "any"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
