"""``DataLoader``: batches from a dataset, in order or reshuffled each epoch from the seeded generator.

Two paths give the same batches. The generic one is PyTorch's: ``collate_fn([dataset[i] for i in batch])``.
The fast one serves datasets whose samples are rows of tensors (TensorDataset, MNIST, CharDataset, and
Subsets of them): with the default collate, a batch is one fancy index per tensor -- no Python loop over
samples -- which is what makes an epoch of MNIST cost a few memory copies instead of 60000 ``__getitem__``
calls.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..tensor import _new_tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, tensor_view
from .samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler, check_batch_size


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``.

    ``shuffle=True`` draws a new order at every ``iter(loader)`` (every epoch) from ``generator``, or from
    glassgrad's default generator, so ``glassgrad.manual_seed(s)`` reproduces the sequence of epochs.
    ``sampler``/``batch_sampler`` replace the order as in PyTorch; ``batch_size=None`` yields single
    samples. Loading always runs in the calling process: ``num_workers``, ``pin_memory`` and the other
    worker options are accepted for compatibility and change nothing (the fast path needs no workers).

    >>> import glassgrad as gg
    >>> from glassgrad.data import TensorDataset
    >>> ds = TensorDataset(gg.arange(10.0).reshape(5, 2), gg.tensor([0, 1, 0, 1, 1]))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader)
    3
    >>> x, y = next(iter(loader))
    >>> x.shape, y
    ((2, 2), tensor([0, 1]))
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None, batch_sampler: Iterable | None = None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to "
                             "None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.prefetch_factor, self.persistent_workers = prefetch_factor, persistent_workers
        self.pin_memory_device, self.in_order = pin_memory_device, in_order
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                                 "with drop_last")
        else:
            check_batch_size(batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and batch_size is not None)
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # TypeError for a stream without __len__, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        view = tensor_view(self.dataset) if self._default_collate else None
        if view is not None:
            return self._iter_rows(*view)
        return self._iter_samples()

    def _batches(self):
        if isinstance(self.batch_sampler, BatchSampler):
            return self.batch_sampler._batches()  # int64 arrays sliced from one epoch order
        return iter(self.batch_sampler)

    def _iter_rows(self, arrays: list[np.ndarray], rows: np.ndarray | None):
        """The fast path: each batch is ``[a[rows[batch]] for a in arrays]``, one gather per tensor."""
        for batch in self._batches():
            index = np.asarray(batch, dtype=np.int64)
            if rows is not None:
                index = rows[index]
            yield [_new_tensor(np.take(a, index, axis=0), False) for a in arrays]

    def _iter_samples(self):
        dataset = self.dataset
        getitems = getattr(dataset, "__getitems__", None)
        for batch in self._batches():
            batch = batch.tolist() if isinstance(batch, np.ndarray) else list(batch)
            samples = getitems(batch) if callable(getitems) else [dataset[i] for i in batch]
            yield self.collate_fn(samples)

    def _iter_stream(self):
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


__all__ = ["DataLoader"]
