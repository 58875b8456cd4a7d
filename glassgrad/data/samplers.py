"""Samplers as in ``torch.utils.data``: which indices an epoch visits, and how they group into batches.

Each built-in sampler draws an epoch's indices as ONE NumPy array (``_index_array``), so the loader cuts
batches out of it with slices instead of walking indices one by one in Python. Iterating a sampler still
yields plain ints, as in PyTorch, and any user iterable of indices works too.
"""
from __future__ import annotations

from collections.abc import Iterable, Sized

import numpy as np

from .. import backend


class Sampler:
    """Base class: an iterable of dataset indices (subclasses define ``__iter__``, usually ``__len__``)."""

    def __init__(self, data_source: Sized | None = None):
        pass

    def __iter__(self):
        raise NotImplementedError("Subclasses of Sampler should implement __iter__.")


class _ArraySampler(Sampler):
    """A sampler whose epoch is one index array; ``__iter__`` walks it as ints."""

    def _index_array(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self):
        return iter(self._index_array().tolist())


class SequentialSampler(_ArraySampler):
    """0, 1, ..., len(data_source) - 1.

    >>> list(SequentialSampler(range(3)))
    [0, 1, 2]
    """

    def __init__(self, data_source: Sized):
        self.data_source = data_source

    def _index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_ArraySampler):
    """A fresh random order each epoch (or draws with replacement), from ``generator``.

    Without a generator it draws from glassgrad's default generator, so ``glassgrad.manual_seed`` fixes
    the whole sequence of epochs. ``num_samples`` larger than the data without replacement concatenates
    whole permutations, as in PyTorch.

    >>> import glassgrad as gg
    >>> sorted(RandomSampler(range(4), generator=gg.Generator(0)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        n = self.num_samples
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={n}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _index_array(self) -> np.ndarray:
        n, rng = len(self.data_source), backend.rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, self.num_samples, dtype=np.int64)
        whole, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(whole)] + ([rng.permutation(n)[:rest]] if rest else [])
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ArraySampler):
    """The given indices in a fresh random order each epoch.

    >>> import glassgrad as gg
    >>> sorted(SubsetRandomSampler([7, 3, 5], generator=gg.Generator(1)))
    [3, 5, 7]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def _index_array(self) -> np.ndarray:
        indices = np.asarray(self.indices, dtype=np.int64)
        return indices[backend.rng(self.generator).permutation(len(indices))]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_ArraySampler):
    """``num_samples`` indices drawn with probability proportional to ``weights``.

    >>> import glassgrad as gg
    >>> set(WeightedRandomSampler([0.0, 1.0, 0.0], 5, generator=gg.Generator(0)))
    {1}
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement "
                             f"from {np.count_nonzero(weights)} non-zero weights")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _index_array(self) -> np.ndarray:
        rng = backend.rng(self.generator)
        return rng.choice(len(self.weights), self.num_samples, replace=self.replacement,
                          p=self.weights / self.weights.sum()).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


def check_batch_size(batch_size) -> None:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of ``batch_size`` (the last one shorter unless
    ``drop_last``).

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable, batch_size: int, drop_last: bool):
        check_batch_size(batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _batches(self):
        """Each batch: an int64 array sliced out of one index array when the sampler draws one (the
        built-in samplers), else a list of whatever the sampler yields."""
        size = self.batch_size
        if isinstance(self.sampler, _ArraySampler):
            order = self.sampler._index_array()
            stop = len(order) - len(order) % size if self.drop_last else len(order)
            for start in range(0, stop, size):
                yield order[start:start + size]
            return
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __iter__(self):
        return (b.tolist() if isinstance(b, np.ndarray) else b for b in self._batches())

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
