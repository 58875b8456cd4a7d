"""Datasets as in ``torch.utils.data``: map-style and iterable, tensors, subsets, concatenation, splits.

A map-style dataset answers ``len(ds)`` and ``ds[i]``. One that also exposes ``tensors`` -- a tuple of
Tensors of equal length whose rows ARE its samples -- lets the DataLoader build a batch with one fancy index
per tensor instead of a Python loop over samples (see :func:`tensor_view`).
"""
from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from .. import backend
from ..tensor import Tensor, _new_tensor


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__`` (and usually ``__len__``).

    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> (Squares() + Squares())[5]
    1
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define ``__iter__``; ``ds1 + ds2`` chains two streams.

    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: "IterableDataset") -> "ChainDataset":
        return ChainDataset([self, other])


def _rows_of_tensors(getitem):
    """Mark a ``__getitem__`` whose samples are exactly the rows of ``self.tensors`` (fast-path safe).

    A subclass that overrides ``__getitem__`` without this mark falls back to the per-sample path, so an
    augmentation written in ``__getitem__`` is never skipped by the loader's fast path.
    """
    getitem.rows_of_tensors = True
    return getitem


class TensorDataset(Dataset):
    """Samples are the rows of tensors of equal first dimension: ``ds[i] == (t[i] for t in tensors)``.

    NumPy arrays are accepted and wrapped without a copy. Samples are read from the tensors' data, so they
    are cut off from any autograd graph (as every batch the DataLoader makes is).

    >>> import glassgrad as gg
    >>> ds = TensorDataset(gg.arange(6).reshape(3, 2), gg.tensor([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (tensor([2, 3]), tensor(1)))
    """

    def __init__(self, *tensors):
        tensors = tuple(t if isinstance(t, Tensor) else _new_tensor(np.asarray(t), False) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in tensors]
        if not tensors or None in sizes or len(set(sizes)) != 1:
            # PyTorch asserts here, so the exception type is AssertionError
            shapes = [tuple(t.shape) for t in tensors]
            raise AssertionError("Size mismatch between tensors: TensorDataset needs one or more tensors "
                                 f"of the same first dimension, got shapes {shapes}")
        self.tensors = tensors

    @_rows_of_tensors
    def __getitem__(self, index):
        return tuple(_new_tensor(t.data[index], False) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def tensor_view(dataset) -> tuple[list[np.ndarray], np.ndarray | None] | None:
    """The arrays whose rows are ``dataset``'s samples, and an index map into them, or None.

    Subsets compose into one index map (``Subset(Subset(ds, a), b)`` reads rows ``a[b]``), so a random
    split of a TensorDataset keeps the fast path. Returns None when a sample is not a plain row (a
    transform, an overridden ``__getitem__``, a ConcatDataset ...).

    >>> import glassgrad as gg
    >>> arrays, rows = tensor_view(Subset(TensorDataset(gg.arange(5)), [4, 0]))
    >>> arrays[0][rows]
    array([4, 0])
    """
    rows = None
    while isinstance(dataset, Subset):
        indices = np.asarray(dataset.indices, dtype=np.int64)
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    tensors = getattr(dataset, "tensors", None)
    if not getattr(type(dataset).__getitem__, "rows_of_tensors", False) or not tensors:
        return None
    return [t.data for t in tensors], rows


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> Subset(range(10, 20), [3, 1])[0]
    13
    """

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list) -> list:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after the other.

    >>> ds = ConcatDataset([range(3), range(10, 12)])
    >>> len(ds), ds[3], ds[-1], ds.cumulative_sizes
    (5, 10, 11, [3, 5])
    """

    def __init__(self, datasets: Iterable):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        if index >= len(self):
            raise IndexError(f"index {index} is out of range for a ConcatDataset of length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several iterable datasets chained into one stream.

    >>> list(ChainDataset([range(2), range(5, 7)]))
    [0, 1, 5, 6]
    """

    def __init__(self, datasets: Iterable):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _split_lengths(n: int, lengths: Sequence) -> list[int]:
    """Integer lengths from ``lengths`` (integers summing to ``n``, or fractions summing to 1)."""
    lengths = list(lengths)
    total = math.fsum(lengths)
    if math.isclose(total, 1) and total <= 1:  # PyTorch's rule for "these are fractions"
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):  # the remainder goes round-robin, as in PyTorch
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=3)
        return counts
    if any(not float(x).is_integer() for x in lengths):
        raise ValueError(f"random_split: lengths {lengths} are neither integers summing to the length of "
                         f"the dataset ({n}) nor fractions summing to 1 (they sum to {total})")
    for i, x in enumerate(lengths):
        if not float(x).is_integer() or x < 0:
            raise ValueError(f"random_split: length at index {i} must be a non-negative integer, got {x}")
    counts = [int(x) for x in lengths]
    if sum(counts) != n:
        raise ValueError(f"Sum of input lengths ({sum(counts)}, from {counts}) does not equal the length "
                         f"of the input dataset ({n})!")
    return counts


def random_split(dataset, lengths: Sequence, generator: backend.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths or fractions.

    Fractions summing to 1 are turned into counts with ``floor(n * f)`` and the remainder handed out one by
    one from the first split, as in PyTorch. The permutation comes from ``generator`` (glassgrad's default
    generator when None), so ``glassgrad.manual_seed`` makes a split reproducible.

    >>> import glassgrad as gg
    >>> train, val = random_split(range(10), [0.8, 0.2], generator=gg.Generator(42))
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (8, 2, True)
    """
    counts = _split_lengths(len(dataset), lengths)
    order = backend.rng(generator).permutation(sum(counts)).tolist()
    bounds = np.cumsum([0] + counts).tolist()
    return [Subset(dataset, order[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "tensor_view"]
