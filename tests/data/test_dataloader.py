"""DataLoader: torch's order, lengths and errors; reshuffling from the seeded generator; the fast path
(one gather per batch) giving exactly the generic path's batches."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import glassgrad as gg
from glassgrad.data import (BatchSampler, DataLoader, Dataset, IterableDataset, SequentialSampler, Subset,
                            TensorDataset, default_collate, random_split)
from glassgrad.data.dataset import _rows_of_tensors

X = np.arange(46 * 3, dtype=np.float32).reshape(46, 3)
Y = np.arange(46) % 5


def dataset():
    return TensorDataset(gg.tensor(X), gg.tensor(Y))


def batches(loader):
    return [[t.numpy().copy() for t in batch] for batch in loader]


def assert_same_batches(a, b):
    assert len(a) == len(b)
    for batch_a, batch_b in zip(a, b):
        assert len(batch_a) == len(batch_b)
        for x, y in zip(batch_a, batch_b):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (8, False), (8, True), (46, True), (50, False),
                                                   (50, True), (23, False)])
def test_sequential_batches_and_len_match_torch(batch_size, drop_last):
    mine = DataLoader(dataset(), batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(tud.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=batch_size,
                            drop_last=drop_last)
    assert len(mine) == len(theirs)
    assert_same_batches(batches(mine), [[t.numpy() for t in b] for b in theirs])


def test_shuffle_is_reproducible_under_manual_seed_and_new_each_epoch():
    loader = DataLoader(dataset(), batch_size=10, shuffle=True)
    gg.manual_seed(0)
    first = [np.concatenate([y.numpy() for _, y in loader]) for _ in range(3)]
    gg.manual_seed(0)
    again = [np.concatenate([y.numpy() for _, y in loader]) for _ in range(3)]
    orders = [np.concatenate([x.numpy()[:, 0] for x, _ in loader]) / 3 for _ in range(2)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(orders[0], orders[1])
    for order in orders:  # an epoch visits every sample once
        assert sorted(order.astype(int).tolist()) == list(range(46))


def test_own_generator_fixes_the_order_regardless_of_the_global_seed():
    def epoch(seed):
        gg.manual_seed(seed)
        return np.concatenate([x.numpy()[:, 0] for x, _ in DataLoader(dataset(), 7, True,
                                                                       generator=gg.Generator(9))])
    np.testing.assert_array_equal(epoch(1), epoch(2))


def test_drop_last_drops_only_the_short_batch():
    sizes = [len(y) for _, y in DataLoader(dataset(), batch_size=10, shuffle=True, drop_last=True)]
    assert sizes == [10, 10, 10, 10]
    assert [len(y) for _, y in DataLoader(dataset(), batch_size=10)] == [10, 10, 10, 10, 6]


class Rows(TensorDataset):
    """A TensorDataset that counts per-sample reads (still marked as rows of its tensors)."""
    calls = 0

    @_rows_of_tensors
    def __getitem__(self, index):
        Rows.calls += 1
        return super().__getitem__(index)


@pytest.mark.parametrize("make", [
    lambda: Rows(gg.tensor(X), gg.tensor(Y)),
    lambda: random_split(Rows(gg.tensor(X), gg.tensor(Y)), [30, 16], generator=gg.Generator(0))[1],
    lambda: Subset(Subset(Rows(gg.tensor(X)), list(range(40, 0, -1))), [0, 5, 3, 3, -1, 20, 7]),
], ids=["tensor dataset", "random split", "nested subset with repeats"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_fast_path_equals_generic_path_without_per_sample_reads(make, shuffle):
    ds = make()
    Rows.calls = 0
    fast = batches(DataLoader(ds, batch_size=4, shuffle=shuffle, generator=gg.Generator(3)))
    assert Rows.calls == 0  # the fast path never calls __getitem__
    generic = batches(DataLoader(ds, batch_size=4, shuffle=shuffle, generator=gg.Generator(3),
                                 collate_fn=default_collate))
    assert Rows.calls == len(ds)
    assert_same_batches(fast, generic)


def test_fast_path_batches_are_copies():
    ds = dataset()
    x, _ = next(iter(DataLoader(ds, batch_size=4)))
    x.data[:] = -1
    assert ds.tensors[0].data.min() >= 0


def test_overridden_getitem_is_honoured():
    class Plus(TensorDataset):
        def __getitem__(self, i):
            return (self.tensors[0].data[i] + 100,)
    (first,) = next(iter(DataLoader(Plus(gg.tensor(X)), batch_size=2)))
    np.testing.assert_array_equal(first.numpy(), X[:2] + 100)


class Records(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "meta": (i, f"r{i}"), "w": 0.5 * i}


def test_nested_samples_collate_into_nested_batches():
    batch = next(iter(DataLoader(Records(), batch_size=3)))
    assert list(batch) == ["x", "meta", "w"]
    np.testing.assert_array_equal(batch["x"].numpy(), [[0, 0], [1, 1], [2, 2]])
    assert batch["meta"][0].tolist() == [0, 1, 2] and batch["meta"][0].dtype == np.int64
    assert batch["meta"][1] == ("r0", "r1", "r2")
    assert batch["w"].dtype == np.float32 and batch["w"].tolist() == [0.0, 0.5, 1.0]


def test_batch_size_none_yields_converted_samples():
    samples = list(DataLoader(Records(), batch_size=None))
    assert len(samples) == 5 and isinstance(samples[2]["x"], gg.Tensor) and samples[2]["meta"] == [2, "r2"]
    assert len(DataLoader(Records(), batch_size=None)) == 5


def test_custom_sampler_batch_sampler_and_collate_fn():
    ds = dataset()
    picked = [y.tolist() for _, y in DataLoader(ds, batch_size=2, sampler=[5, 1, 0, 9, 3])]
    assert picked == [[0, 1], [0, 4], [3]]
    loader = DataLoader(ds, batch_sampler=[[0, 1, 2], [44, 45]])
    assert [y.tolist() for _, y in loader] == [[0, 1, 2], [4, 0]] and len(loader) == 2
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 20, True))
    assert len(loader) == 2
    seen = []
    list(DataLoader(ds, batch_size=20, collate_fn=lambda samples: seen.append(len(samples))))
    assert seen == [20, 20, 6]


def test_getitems_protocol_is_used_for_generic_batches():
    class Batched(Dataset):
        def __len__(self):
            return 6

        def __getitems__(self, indices):
            return [i * 10 for i in indices]
    assert [b.tolist() for b in DataLoader(Batched(), batch_size=4)] == [[0, 10, 20, 30], [40, 50]]


class Stream(IterableDataset):
    def __init__(self, n, sized=True):
        self.n, self.sized = n, sized

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if not self.sized:
            raise TypeError("object of type 'Stream' has no len()")
        return self.n


@pytest.mark.parametrize("n, size, drop_last", [(7, 3, False), (7, 3, True), (6, 3, True)])
def test_iterable_dataset_matches_torch(n, size, drop_last):
    class TorchStream(tud.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    mine = DataLoader(Stream(n), batch_size=size, drop_last=drop_last)
    theirs = tud.DataLoader(TorchStream(), batch_size=size, drop_last=drop_last)
    assert [b.tolist() for b in mine] == [b.tolist() for b in theirs] and len(mine) == len(theirs)
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Stream(n, sized=False)))


def test_workers_and_pinning_change_nothing():
    plain = batches(DataLoader(dataset(), batch_size=8, shuffle=True, generator=gg.Generator(1)))
    workers = batches(DataLoader(dataset(), batch_size=8, shuffle=True, generator=gg.Generator(1),
                                 num_workers=2, pin_memory=True, persistent_workers=True, prefetch_factor=2))
    assert_same_batches(plain, workers)


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(batch_size=-3), "batch_size should be a positive integer value, but got batch_size=-3"),
    (dict(batch_size=2.5), "batch_size should be a positive integer value, but got batch_size=2.5"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(shuffle=True, sampler=[0, 1]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with batch_size"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
])
def test_bad_options_raise_torchs_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(dataset(), **kwargs)
    with pytest.raises(ValueError, match=message):
        tud.DataLoader(tud.TensorDataset(torch.tensor(X)), **kwargs)


def test_iterable_dataset_refuses_shuffle():
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle "
                                         "option, but got shuffle=True"):
        DataLoader(Stream(3), shuffle=True)
