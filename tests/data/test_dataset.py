"""Datasets and random_split: torch.utils.data's semantics, errors and the fast-path tensor view."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import glassgrad as gg
from glassgrad.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                            random_split)
from glassgrad.data.dataset import tensor_view


def test_tensor_dataset_rows_and_length():
    x, y = np.arange(12.0, dtype=np.float32).reshape(4, 3), np.array([3, 1, 4, 1])
    ds = TensorDataset(gg.tensor(x), gg.tensor(y))
    tds = tud.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ds) == len(tds) == 4
    for i in (0, 3, -1):
        for mine, theirs in zip(ds[i], tds[i]):
            np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
            assert mine.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ds[1:3][0].numpy(), x[1:3])  # slices index like the tensors


def test_tensor_dataset_accepts_numpy_without_copy():
    x = np.zeros((3, 2), dtype=np.float32)
    ds = TensorDataset(x)
    assert ds.tensors[0].data is x


def test_tensor_dataset_size_mismatch_names_the_shapes():
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\(3,\).*\(4, 2\)"):
        TensorDataset(gg.zeros(3), gg.zeros(4, 2))
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset()


def test_base_classes_raise_like_torch():
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="should implement __iter__"):
        iter(IterableDataset())


def test_subset_and_nested_subset():
    base = TensorDataset(gg.arange(10))
    inner = Subset(base, [9, 7, 5, 3, 1])
    outer = Subset(inner, [4, 0, 2])
    assert len(outer) == 3
    assert [int(outer[i][0]) for i in range(3)] == [1, 9, 5]
    assert [int(s[0]) for s in outer.__getitems__([0, 1])] == [1, 9]
    assert Subset(base, [2, 4, 6])[[2, 0]][0].tolist() == [6, 2]  # a list index reads several rows


def test_tensor_view_composes_subsets_and_refuses_per_sample_datasets():
    base = TensorDataset(gg.arange(10), gg.arange(10) * 2)
    arrays, rows = tensor_view(Subset(Subset(base, [9, 7, 5, 3, 1]), [4, 0, 2]))
    np.testing.assert_array_equal(arrays[1][rows], [2, 18, 10])
    assert tensor_view(base)[1] is None

    class Augmented(TensorDataset):  # overrides __getitem__: the loader must call it
        def __getitem__(self, i):
            return (self.tensors[0].data[i] + 1,)
    assert tensor_view(Augmented(gg.arange(3))) is None
    assert tensor_view(ConcatDataset([base, base])) is None
    assert tensor_view(range(3)) is None


def test_concat_dataset_matches_torch():
    parts = [list(range(3)), list(range(10, 12)), list(range(20, 24))]
    mine, theirs = ConcatDataset(parts), tud.ConcatDataset(parts)
    assert mine.cumulative_sizes == theirs.cumulative_sizes and len(mine) == len(theirs) == 9
    assert [mine[i] for i in range(-9, 9)] == [theirs[i] for i in range(-9, 9)]
    assert (TensorDataset(gg.arange(2)) + TensorDataset(gg.arange(3))).cumulative_sizes == [2, 5]
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        mine[-10]
    with pytest.raises(IndexError, match="index 9 is out of range"):
        mine[9]
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(3))
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream()])
    assert list(Stream() + Stream()) == [0, 1, 2, 0, 1, 2]
    assert len(ChainDataset([range(2), range(3)])) == 5


@pytest.mark.parametrize("lengths", [[3, 7], [0, 10], [10], [2, 3, 5]])
def test_random_split_integer_lengths_partition_the_data(lengths):
    splits = random_split(range(10), lengths, generator=gg.Generator(0))
    assert [len(s) for s in splits] == lengths
    assert sorted(i for s in splits for i in s) == list(range(10))


@pytest.mark.parametrize("n, fractions", [(10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]), (7, [0.1, 0.2, 0.7]),
                                          (100, [0.8, 0.1, 0.1]), (5, [1.0]), (3, [0.25, 0.25, 0.25, 0.25])])
def test_random_split_fractions_give_torchs_lengths(n, fractions):
    with warnings.catch_warnings(record=True) as mine_warnings:
        warnings.simplefilter("always")
        mine = [len(s) for s in random_split(range(n), fractions)]
    with warnings.catch_warnings(record=True) as torch_warnings:
        warnings.simplefilter("always")
        theirs = [len(s) for s in tud.random_split(range(n), fractions)]
    assert mine == theirs
    assert len(mine_warnings) == len(torch_warnings)  # both warn about each empty split


def test_random_split_is_reproducible_and_uses_the_default_generator():
    a = [list(s) for s in random_split(range(20), [5, 15], generator=gg.Generator(3))]
    b = [list(s) for s in random_split(range(20), [5, 15], generator=gg.Generator(3))]
    assert a == b
    gg.manual_seed(7)
    c = [list(s) for s in random_split(range(20), [5, 15])]
    gg.manual_seed(7)
    d = [list(s) for s in random_split(range(20), [5, 15])]
    e = [list(s) for s in random_split(range(20), [5, 15])]
    assert c == d and c != e
    assert a[0] != list(range(5))


def test_random_split_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match=r"Sum of input lengths \(6.*does not equal the length of the "
                                         r"input dataset \(10\)"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match=r"neither integers .* nor fractions summing to 1 \(they sum to 1.1"):
        random_split(range(10), [0.5, 0.6])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(10), [0.5, -0.5, 1.0])
    with pytest.raises(ValueError, match="length at index 0 must be a non-negative integer, got -1"):
        random_split(range(10), [-1, 11])


def test_samples_of_tensors_requiring_grad_are_detached_rows():
    w = gg.randn(3, 2, requires_grad=True)
    (row,) = TensorDataset(w)[1]
    assert not row.requires_grad and row.grad_fn is None
    np.testing.assert_array_equal(row.numpy(), w.numpy()[1])
