"""Shape ops: the same numbers seen in another shape (reshape, squeeze, transpose, expand, flip …).

Each forward returns a NumPy view wherever NumPy can make one (PyTorch returns views there too) and each
backward applies the inverse rearrangement to the upstream gradient. The common call runs straight into
NumPy; errors are caught where NumPy raises them and reworded as PyTorch words them.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from .indexing import index_put  # noqa: F401  (Tensor.__setitem__ imports it from here)

_AxisError = np.exceptions.AxisError


def wrap_dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` (negatives count from the end) as an axis of an ``ndim``-dim tensor; a 0-d tensor has one."""
    span = ndim if ndim else 1
    if -span <= dim < span:
        return dim + span if dim < 0 else dim
    raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-span}, {span - 1}], "
                     f"but got {dim})")


def wrap_dims(dims, ndim: int, op: str) -> tuple:
    """Several dims, wrapped; a dim named twice is refused, as in PyTorch."""
    out = tuple([wrap_dim(d, ndim, op) for d in dims])
    if len(set(out)) != len(out):
        repeat = next(d for i, d in enumerate(dims) if out[i] in out[:i])
        raise RuntimeError(f"{op}: dim {repeat} appears multiple times in the list of dims")
    return out


def shape_arg(shape) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all name the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


# ---- reshaping ----------------------------------------------------------------------------------

class Reshape(Function):
    def forward(self, a, shape):
        self.in_shape = a.shape
        try:
            if shape and min(shape) < -1:  # NumPy reads any negative size as "infer"; PyTorch only -1
                raise ValueError
            return a.reshape(shape)
        except (ValueError, TypeError):
            raise _reshape_error(self.name, shape, a.shape) from None

    def backward(self, grad):
        return grad.reshape(self.in_shape)


# Reshapes under their own names, so that the graph (and every picture of it) says which op it was.
View, Flatten, Unflatten, Squeeze, Unsqueeze = (
    type(name, (Reshape,), {}) for name in ("View", "Flatten", "Unflatten", "Squeeze", "Unsqueeze"))


def _reshape_error(op, shape, in_shape) -> Exception:
    shape, size = list(shape), math.prod(in_shape)
    if not all(isinstance(n, (int, np.integer)) for n in shape):
        return TypeError(f"{op}(): shape must be a sequence of ints, got {shape}")
    if shape.count(-1) > 1:
        return RuntimeError(f"{op}: only one dimension can be inferred")
    for i, n in enumerate(shape):
        if n < -1:
            return RuntimeError(f"{op}: invalid shape dimension {n} at index {i} of shape {shape}")
    if size == 0 and -1 in shape:
        return RuntimeError(f"{op}: cannot reshape tensor of 0 elements into shape {shape} because the "
                            "unspecified dimension size -1 can be any value and is ambiguous")
    return RuntimeError(f"{op}: shape '{shape}' is invalid for input of size {size} (input shape "
                        f"{list(in_shape)})")


def reshape(input, *shape):
    """The same elements in ``shape`` (one size may be -1: inferred); a view when NumPy can make one.

    >>> import glassgrad as gg
    >>> gg.arange(6).reshape(2, -1).shape
    (2, 3)
    """
    return Reshape.apply(input, shape=shape_arg(shape))


def view(input, *shape):
    """``reshape``. Unlike PyTorch it never refuses a non-contiguous input (``contiguous`` is a no-op
    here, so ``x.transpose(0, 1).contiguous().view(-1)`` must work): it copies where a view is impossible.

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3).view(-1).shape
    (6,)
    """
    return View.apply(input, shape=shape_arg(shape))


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dims ``start_dim`` … ``end_dim`` into one (a 0-d tensor becomes 1-d).

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3, 4).flatten(1).shape
    (2, 12)
    """
    shape = input.data.shape
    start, end = wrap_dim(start_dim, len(shape), "flatten"), wrap_dim(end_dim, len(shape), "flatten")
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if not shape:
        return Flatten.apply(input, shape=(1,))
    if start == end:
        return input
    return Flatten.apply(input, shape=shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim: int, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1).

    >>> import glassgrad as gg
    >>> gg.zeros(2, 12).unflatten(1, (3, -1)).shape
    (2, 3, 4)
    """
    shape = input.data.shape
    d = wrap_dim(dim, len(shape), "unflatten")
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = math.prod([n for n in sizes if n != -1])
    if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({shape[d]}) in the input tensor")
    return Unflatten.apply(input, shape=shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None):
    """Drop size-1 dims: all of them, or those named by ``dim`` (an int or a tuple); others stay.

    >>> import glassgrad as gg
    >>> gg.zeros(1, 3, 1).squeeze().shape, gg.zeros(1, 3, 1).squeeze(0).shape
    ((3,), (3, 1))
    """
    shape = input.data.shape
    if dim is None:
        new = tuple([n for n in shape if n != 1])
    else:
        dims = wrap_dims((dim,) if isinstance(dim, (int, np.integer)) else dim, len(shape), "squeeze")
        new = tuple([n for i, n in enumerate(shape) if n != 1 or i not in dims])
    return input if new == shape else Squeeze.apply(input, shape=new)


def unsqueeze(input, dim: int):
    """Insert a size-1 dim at ``dim`` (in ``[-ndim - 1, ndim]``).

    >>> import glassgrad as gg
    >>> gg.zeros(3).unsqueeze(-1).shape
    (3, 1)
    """
    shape = input.data.shape
    d = wrap_dim(dim, len(shape) + 1, "unsqueeze")
    return Unsqueeze.apply(input, shape=shape[:d] + (1,) + shape[d:])


# ---- reordering dims ----------------------------------------------------------------------------

class Transpose(Function):
    def forward(self, a, dim0, dim1):
        self.dims = (dim0, dim1)
        try:
            return a.swapaxes(dim0, dim1)
        except _AxisError:
            if a.ndim == 0:  # a 0-d tensor has the one dim 0 (or -1), as in PyTorch
                wrap_dim(dim0, 0, "transpose"), wrap_dim(dim1, 0, "transpose")
                return a
            wrap_dim(dim0, a.ndim, "transpose")
            wrap_dim(dim1, a.ndim, "transpose")
            raise

    def backward(self, grad):
        return grad.swapaxes(*self.dims) if grad.ndim else grad


class Permute(Function):
    def forward(self, a, dims):
        self.dims = dims
        try:
            return a.transpose(dims)
        except (ValueError, TypeError):  # AxisError is a ValueError
            raise _permute_error(dims, a.ndim) from None

    def backward(self, grad):
        n = grad.ndim
        inverse = [0] * n
        for i, d in enumerate(self.dims):
            inverse[d % n] = i
        return grad.transpose(inverse)


def _permute_error(dims, ndim) -> Exception:
    if len(dims) != ndim:
        return RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                            f"the length of the desired ordering of dimensions i.e. input.dim() = {ndim} "
                            f"is not equal to len(dims) = {len(dims)}")
    wrapped = [wrap_dim(d, ndim, "permute") for d in dims]
    if len(set(wrapped)) != len(wrapped):
        return RuntimeError("permute(): duplicate dims are not allowed.")
    return TypeError(f"permute(): dims must be ints, got {dims}")


def transpose(input, dim0: int, dim1: int):
    """Swap dims ``dim0`` and ``dim1`` (a view).

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3, 4).transpose(0, -1).shape
    (4, 3, 2)
    """
    return Transpose.apply(input, dim0=dim0, dim1=dim1)


def permute(input, *dims):
    """Reorder the dims: ``x.permute(2, 0, 1)`` or ``torch.permute(x, (2, 0, 1))`` (a view).

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """
    return Permute.apply(input, dims=tuple(shape_arg(dims)))


def t(input):
    """``transpose(input, 0, 1)`` for a matrix; a vector or a 0-d tensor stays as it is.

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3).t().shape
    (3, 2)
    """
    if input.data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.data.ndim}D")
    return _T(input)


def _T(self):
    """All dims reversed (PyTorch's ``.T``; it warns for ndim != 2, glassgrad does not)."""
    n = self.data.ndim
    if n == 2:
        return Transpose.apply(self, dim0=0, dim1=1)
    return self if n < 2 else Permute.apply(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    """The last two dims swapped: a batch of matrices, transposed."""
    if self.data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got "
                           f"{self.data.ndim}-D tensor.")
    return Transpose.apply(self, dim0=-2, dim1=-1)


# ---- repeating ----------------------------------------------------------------------------------

class Expand(Function):
    def forward(self, a, shape):
        try:
            return np.broadcast_to(a, shape)  # NumPy's broadcasting rule is PyTorch's expand rule
        except ValueError:
            raise _expand_error(a.shape, shape) from None

    def backward(self, grad):
        return grad  # the engine sums a broadcast gradient back down to the input's shape


class Repeat(Function):
    def forward(self, a, repeats):
        # (n0, n1) tiled (r0, r1) times is (r0, n0, r1, n1) broadcast from (1, n0, 1, n1): one copy.
        shape = (1,) * (len(repeats) - a.ndim) + a.shape
        self.in_shape, self.pairs = a.shape, tuple(x for r, n in zip(repeats, shape) for x in (r, n))
        spread = a.reshape(tuple(x for n in shape for x in (1, n)))
        return np.broadcast_to(spread, self.pairs).reshape(tuple(r * n for r, n in zip(repeats, shape)))

    def backward(self, grad):
        return grad.reshape(self.pairs).sum(axis=tuple(range(0, len(self.pairs), 2))).reshape(self.in_shape)


def expand(input, *sizes):
    """Broadcast to ``sizes`` without copying: -1 keeps a dim, extra sizes add leading dims.

    >>> import glassgrad as gg
    >>> gg.zeros(3, 1).expand(2, -1, 4).shape
    (2, 3, 4)
    """
    sizes = tuple(shape_arg(sizes))
    shape = input.data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({len(shape)})")
    if -1 in sizes:
        if -1 in sizes[:lead]:
            raise RuntimeError(f"expand: The expanded size of the tensor (-1) isn't allowed in a leading, "
                               f"non-existing dimension {sizes.index(-1)}")
        sizes = sizes[:lead] + tuple([n if s == -1 else s for s, n in zip(sizes[lead:], shape)])
    return input if sizes == shape else Expand.apply(input, shape=sizes)


def _expand_error(shape, sizes) -> Exception:
    lead = len(sizes) - len(shape)
    for i, n in enumerate(sizes):
        if n < 0:
            return RuntimeError(f"expand: invalid size {n} at dimension {i} (target sizes {list(sizes)})")
        if i >= lead and n != shape[i - lead] and shape[i - lead] != 1:
            return RuntimeError(f"The expanded size of the tensor ({n}) must match the existing size "
                                f"({shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                                f"{list(sizes)}.  Tensor sizes: {list(shape)}")
    return RuntimeError(f"expand: cannot expand a tensor of shape {list(shape)} to {list(sizes)}")


def expand_as(input, other):
    """``input.expand(other.shape)``.

    >>> import glassgrad as gg
    >>> gg.zeros(3, 1).expand_as(gg.zeros(2, 3, 4)).shape
    (2, 3, 4)
    """
    return expand(input, other.data.shape)


def repeat(input, *sizes):
    """Tile the tensor ``sizes`` times along each dim (extra sizes add leading dims); a copy.

    >>> import glassgrad as gg
    >>> gg.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    sizes = tuple(shape_arg(sizes))
    if len(sizes) < input.data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"repeat: Trying to create tensor with negative dimension: {list(sizes)}")
    return Repeat.apply(input, repeats=sizes)


# ---- copies and flips ---------------------------------------------------------------------------

class Clone(Function):
    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return grad


class Flip(Function):
    def forward(self, a, dims):
        self.index = tuple([slice(None, None, -1) if i in dims else slice(None) for i in range(a.ndim)])
        return a[self.index]

    def backward(self, grad):
        return grad[self.index]


def contiguous(input, memory_format=None):
    """The tensor itself: glassgrad's arrays need no particular layout (a documented no-op).

    >>> import glassgrad as gg
    >>> x = gg.zeros(2, 3).T
    >>> x.contiguous() is x, x.is_contiguous()
    (True, False)
    """
    return input


def is_contiguous(input, memory_format=None) -> bool:
    return input.data.flags.c_contiguous


def clone(input, memory_format=None):
    """A copy that gradients flow through.

    >>> import glassgrad as gg
    >>> x = gg.ones(2, requires_grad=True)
    >>> (x.clone() * 3).sum().backward()
    >>> x.grad
    tensor([3., 3.])
    """
    return Clone.apply(input)


def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (``x.flip(0, 1)`` or ``torch.flip(x, (0, 1))``).

    >>> import glassgrad as gg
    >>> gg.tensor([[1, 2], [3, 4]]).flip(1)
    tensor([[2, 1],
            [4, 3]])
    """
    dims = wrap_dims(shape_arg(dims), input.data.ndim, "flip")
    return Flip.apply(input, dims=dims) if dims and input.data.ndim else input


swapaxes = swapdims = transpose

__all__ = ["reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
           "swapdims", "permute", "t", "clone", "flip"]

TENSOR_METHODS = {
    **{name: globals()[name] for name in __all__},
    "view": view, "view_as": lambda self, other: view(self, other.data.shape),
    "reshape_as": lambda self, other: reshape(self, other.data.shape),
    "expand": expand, "expand_as": expand_as, "repeat": repeat,
    "contiguous": contiguous, "is_contiguous": is_contiguous,
    "T": property(_T), "mT": property(_mT),
}
