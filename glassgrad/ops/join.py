"""Joining, splitting and padding: cat, stack, split, chunk, unbind, pad.

An op has one output in this engine, so split/chunk/unbind return one slicing op per piece; their
backwards each make an input-sized gradient that the engine sums.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import _new_tensor
from .indexing import BASIC, Index, add_rows
from .shape import wrap_dim


def _same_dtype(tensors, op: str) -> list:
    """The tensors in one dtype, by PyTorch's promotion (float wins over int, else the wider)."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a sequence of Tensors, got "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"torch.{op}(): expected a non-empty list of Tensors")
    dtype = tensors[0].data.dtype
    if all(t.data.dtype == dtype for t in tensors):
        return list(tensors)
    for t in tensors[1:]:
        dtype = backend.promote(dtype, t.data.dtype)
    from .compare import cast
    return [t if t.data.dtype == dtype else cast(t, dtype) if t.requires_grad
            else _new_tensor(t.data.astype(dtype), False) for t in tensors]


def _piece(grad: np.ndarray, dim: int, start: int, stop: int) -> np.ndarray:
    return grad[(slice(None),) * dim + (slice(start, stop),)]


class Cat(Function):
    def forward(self, *arrays, dim, legacy):
        self.dim = dim
        # PyTorch skips legacy empty 1-D tensors (shape (0,)) in a cat of higher-dim tensors
        self.sizes = [None if legacy and a.shape == (0,) else a.shape[dim] if a.ndim > dim else 0
                      for a in arrays]
        kept = [a for a in arrays if a.shape != (0,)] if legacy else arrays
        try:
            return np.concatenate(kept, axis=dim)
        except ValueError:
            raise _cat_error(kept, dim) from None

    def backward(self, grad):
        pieces, at, lead = [], 0, (slice(None),) * self.dim
        for size in self.sizes:
            if size is None:
                pieces.append(np.zeros((0,), grad.dtype))
            else:
                pieces.append(grad[lead + (slice(at, at + size),)])
                at += size
        return tuple(pieces)


def _cat_error(arrays, dim) -> Exception:
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            return RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if a.ndim != arrays[0].ndim:
            return RuntimeError(f"Tensors must have same number of dimensions: got {arrays[0].ndim} and "
                                f"{a.ndim}")
        for d, (n, m) in enumerate(zip(arrays[0].shape, a.shape)):
            if d != dim and n != m:
                return RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                    f"{n} but got size {m} for tensor number {i} in the list.")
    return RuntimeError(f"cat: cannot concatenate shapes {[a.shape for a in arrays]} along dim {dim}")


def cat(tensors, dim: int = 0):
    """Join tensors along an existing dim ``dim``; dtypes promote as in PyTorch.

    >>> import glassgrad as gg
    >>> gg.cat([gg.zeros(2, 3), gg.ones(2, 1)], dim=1).shape
    (2, 4)
    """
    tensors = _same_dtype(tensors, "cat")
    ndim, legacy = 1, False
    for t in tensors:
        if t.data.shape != (0,):
            ndim = t.data.ndim
            legacy = ndim > 1 and len(tensors) > 1
            break
    if not ndim:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    if not -ndim <= dim < ndim:
        wrap_dim(dim, ndim, "cat")
    if legacy:
        legacy = any(t.data.shape == (0,) for t in tensors)
    return Cat.apply(*tensors, dim=dim + ndim if dim < 0 else dim, legacy=legacy)


class Stack(Function):
    def forward(self, *arrays, dim):
        self.dim = dim
        shape = arrays[0].shape
        for i, a in enumerate(arrays):
            if a.shape != shape:
                raise _stack_error(shape, a.shape, i)
        new = shape[:dim] + (1,) + shape[dim:]  # np.stack costs twice this
        return np.concatenate([a.reshape(new) for a in arrays], axis=dim)

    def backward(self, grad):
        lead = (slice(None),) * self.dim
        return tuple(grad[lead + (i,)] for i in range(grad.shape[self.dim]))


def _stack_error(shape, other, i):
    return RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                        f"{list(other)} at entry {i}")


def stack(tensors, dim: int = 0):
    """Join same-shaped tensors along a new dim ``dim``.

    >>> import glassgrad as gg
    >>> gg.stack([gg.zeros(2, 3), gg.ones(2, 3)], dim=1).shape
    (2, 2, 3)
    """
    if isinstance(tensors, (list, tuple)) and not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    tensors = _same_dtype(tensors, "stack")
    return Stack.apply(*tensors, dim=wrap_dim(dim, tensors[0].data.ndim + 1, "stack"))


def _narrow(input, d: int, start: int, stop: int):
    return Index.apply(input, index=(slice(None),) * d + (slice(start, stop),), kind=BASIC)


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces along ``dim``: of ``split_size_or_sections`` each (the last may be smaller), or of the
    listed sizes (which must add up to the dim's size). Each piece is a view.

    >>> import glassgrad as gg
    >>> [p.shape for p in gg.arange(5).split(2)], [p.shape for p in gg.arange(5).split([1, 4])]
    ([(2,), (2,), (1,)], [(1,), (4,)])
    """
    shape = tensor.data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape), "split")
    n = shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
        if size == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size "
                               f"of {n}")
        bounds = range(0, n, size) if n else [0]
        return tuple(_narrow(tensor, d, a, min(a + size, n) if n else 0) for a in bounds)
    sizes = [int(s) for s in split_size_or_sections]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                           f"at dimension {d}), but got split_sizes={sizes}")
    starts = np.cumsum([0] + sizes).tolist()
    return tuple(_narrow(tensor, d, a, b) for a, b in zip(starts[:-1], starts[1:]))


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` near-equal pieces along ``dim`` (each ``ceil(size / chunks)`` long).

    >>> import glassgrad as gg
    >>> [p.shape for p in gg.arange(6).chunk(4)]
    [(2,), (2,), (2,)]
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input.data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape), "chunk")
    if shape[d] == 0:
        return tuple(_narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, -(-shape[d] // chunks), d)


def unbind(input, dim: int = 0) -> tuple:
    """The slices along ``dim``, that dim removed.

    >>> import glassgrad as gg
    >>> [t.tolist() for t in gg.tensor([[1, 2], [3, 4]]).unbind(1)]
    [[1, 3], [2, 4]]
    """
    shape = input.data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, len(shape), "unbind")
    lead = (slice(None),) * d
    return tuple(Index.apply(input, index=lead + (i,), kind=BASIC) for i in range(shape[d]))


# ---- pad ----------------------------------------------------------------------------------------

class ConstantPad(Function):
    name = "pad"

    def forward(self, a, pads, value):
        # pads: ((lo, hi), …) for the last len(pads) dims; a negative side crops.
        lead = a.ndim - len(pads)
        self.in_shape, self.crops = a.shape, any(lo < 0 or hi < 0 for lo, hi in pads)
        src = [slice(None)] * lead
        dst = [slice(None)] * lead
        shape = list(a.shape[:lead])
        for (lo, hi), n in zip(pads, a.shape[lead:]):
            size = n + lo + hi
            if size < 0:
                raise RuntimeError(f"pad: padding {(lo, hi)} leaves a negative size {size} for a dim of "
                                   f"size {n} (input shape {list(a.shape)})")
            src.append(slice(max(-lo, 0), n - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0)))
            shape.append(size)
        self.src, self.dst = tuple(src), tuple(dst)
        out = np.zeros(shape, a.dtype) if value == 0 else np.full(shape, value, a.dtype)
        out[self.dst] = a[self.src]
        return out

    def backward(self, grad):
        if not self.crops:
            return grad[self.dst]
        out = np.zeros(self.in_shape, grad.dtype)
        out[self.src] = grad[self.dst]
        return out


class IndexPad(Function):
    name = "pad"

    def forward(self, a, maps):
        # maps: (axis, source positions) per padded dim; output j along axis reads input maps[j].
        self.maps, self.shapes = maps, []
        for axis, positions in maps:
            self.shapes.append(a.shape)
            a = a.take(positions, axis=axis)
        return a

    def backward(self, grad):
        for (axis, positions), shape in zip(reversed(self.maps), reversed(self.shapes)):
            out = np.zeros(shape, grad.dtype)
            add_rows(np.moveaxis(out, axis, 0), positions, np.moveaxis(grad, axis, 0))
            grad = out
        return grad


# The input position each output position reads, along one dim of size n padded by (lo, hi).

def _reflect(lo: int, hi: int, n: int) -> np.ndarray:
    i = np.arange(-lo, n + hi)
    return np.abs(i) - 2 * np.maximum(i - (n - 1), 0)


def _replicate(lo: int, hi: int, n: int) -> np.ndarray:
    return np.clip(np.arange(-lo, n + hi), 0, n - 1)


def _circular(lo: int, hi: int, n: int) -> np.ndarray:
    # PyTorch crops first (negative amounts), then wraps around what is left
    start, kept = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
    return start + np.arange(-max(lo, 0), kept + max(hi, 0)) % kept


_SOURCE = {"reflect": _reflect, "replicate": _replicate, "circular": _circular}


def pad(input, pad, mode: str = "constant", value=None):
    """``torch.nn.functional.pad``: ``pad`` = (left, right) for the last dim, then the one before …;
    negative amounts crop. Modes 'constant' (with ``value``), 'reflect', 'replicate', 'circular'.

    >>> import glassgrad as gg
    >>> pad(gg.tensor([[1, 2]]), (1, 2), value=9)
    tensor([[9, 1, 2, 9, 9]])
    """
    shape = input.data.shape
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * len(shape):
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {len(shape)}")
    pairs = tuple((pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2))  # first padded dim first
    if mode == "constant":
        return ConstantPad.apply(input, pads=pairs, value=0 if value is None else value)
    if mode not in _SOURCE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) not in (2, 4, 6) or not len(pad) // 2 + 1 <= len(shape) <= len(pad) // 2 + 2:
        raise NotImplementedError(f"pad: padding size {len(pad)} is not supported for {len(shape)}D input "
                                  f"tensor in mode {mode!r} (2D/3D input: size 2, 3D/4D: 4, 4D/5D: 6)")
    maps = []
    for axis, (lo, hi) in zip(range(len(shape) - len(pairs), len(shape)), pairs):
        n = shape[axis]
        if (mode == "reflect" and (lo >= n or hi >= n)) or (mode != "reflect" and n == 0) or (
                mode == "circular" and (lo > n or hi > n)):
            raise RuntimeError(f"pad: padding {(lo, hi)} is too large for dimension {axis} of input "
                               f"{list(shape)} in mode {mode!r}")
        if lo or hi:
            maps.append((axis, _SOURCE[mode](lo, hi, n)))
    return IndexPad.apply(input, maps=tuple(maps)) if maps else input


concat = concatenate = cat

__all__ = ["cat", "concat", "concatenate", "stack", "split", "chunk", "unbind"]

TENSOR_METHODS = {"split": split, "chunk": chunk, "unbind": unbind}
