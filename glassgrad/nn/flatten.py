"""``Flatten`` and ``Unflatten``: reshape a range of dims into one, and one dim into several."""
from __future__ import annotations

import numpy as np

from .module import Module


def _dim(dim: int, ndim: int, op: str) -> int:
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-span}, "
                         f"{span - 1}], but got {dim})")
    return dim % span


def flatten_shape(shape: tuple, start_dim: int, end_dim: int) -> tuple:
    """The shape after merging dims ``start_dim..end_dim`` (inclusive) into one."""
    start, end = _dim(start_dim, len(shape), "flatten"), _dim(end_dim, len(shape), "flatten")
    if start > end:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after "
                           f"end_dim ({end_dim}) for an input of shape {shape}")
    if not shape:
        return (1,)
    merged = int(np.prod(shape[start:end + 1], dtype=np.int64))
    return shape[:start] + (merged,) + shape[end + 1:]


def unflatten_shape(shape: tuple, dim: int, sizes: tuple) -> tuple:
    """The shape after splitting dim ``dim`` into ``sizes`` (one of them may be -1)."""
    dim = _dim(dim, len(shape), "unflatten")
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[dim]
    known = int(np.prod([s for s in sizes if s != -1], dtype=np.int64))
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    if -1 in sizes:
        if known == 0 or n % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                               f"of dim {dim} ({n}) in the input tensor")
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({n}) in the input tensor")
    return shape[:dim] + sizes + shape[dim + 1:]


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one: (N, C, H, W) → (N, C·H·W) by default.

    >>> import glassgrad as gg
    >>> gg.nn.Flatten()(gg.zeros(2, 3, 4, 5)).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.reshape(flatten_shape(input.shape, self.start_dim, self.end_dim))

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: (N, 60) → (N, 3, 4, 5).

    >>> import glassgrad as gg
    >>> gg.nn.Unflatten(1, (3, -1))(gg.zeros(2, 12)).shape
    (2, 3, 4)
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be tuple or list, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.reshape(unflatten_shape(input.shape, self.dim, self.unflattened_size))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
