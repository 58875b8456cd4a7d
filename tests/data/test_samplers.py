"""Samplers: the index streams and lengths of torch's, drawn from glassgrad's seeded generator."""
import numpy as np
import pytest
import torch.utils.data as tud

import glassgrad as gg
from glassgrad.data import (BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler,
                            WeightedRandomSampler)


def test_sequential_sampler():
    assert list(SequentialSampler(range(5))) == list(tud.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(SequentialSampler(range(0))) == 0 and list(SequentialSampler(range(0))) == []


def test_random_sampler_is_a_permutation_reproducible_per_generator():
    a = list(RandomSampler(range(50), generator=gg.Generator(1)))
    assert sorted(a) == list(range(50)) and a != list(range(50))
    assert a == list(RandomSampler(range(50), generator=gg.Generator(1)))
    sampler = RandomSampler(range(50), generator=gg.Generator(1))
    assert list(sampler) != list(sampler)  # each epoch draws a new order
    assert all(type(i) is int for i in sampler)


def test_random_sampler_draws_from_manual_seed_without_a_generator():
    gg.manual_seed(5)
    a = list(RandomSampler(range(20)))
    gg.manual_seed(5)
    assert list(RandomSampler(range(20))) == a


@pytest.mark.parametrize("n, num_samples, replacement", [(5, 12, False), (5, 3, False), (5, 12, True)])
def test_random_sampler_num_samples(n, num_samples, replacement):
    drawn = list(RandomSampler(range(n), replacement=replacement, num_samples=num_samples,
                               generator=gg.Generator(0)))
    assert len(drawn) == num_samples == len(tud.RandomSampler(range(n), replacement, num_samples))
    assert set(drawn) <= set(range(n))
    if not replacement:  # whole permutations, then part of one, as torch
        for start in range(0, num_samples - num_samples % n, n):
            assert sorted(drawn[start:start + n]) == list(range(n))
        assert len(set(drawn[num_samples - num_samples % n:])) == num_samples % n


def test_sampler_errors_match_torch():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got "
                                         "num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got "
                                         "batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(3), 2, 1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="cannot draw 2 samples without replacement from 1 non-zero"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


def test_subset_and_weighted_samplers():
    drawn = list(SubsetRandomSampler([7, 3, 5, 11], generator=gg.Generator(0)))
    assert sorted(drawn) == [3, 5, 7, 11]
    weighted = list(WeightedRandomSampler([0.0, 3.0, 1.0], 4000, generator=gg.Generator(0)))
    counts = np.bincount(weighted, minlength=3)
    assert counts[0] == 0 and 2.5 < counts[1] / counts[2] < 3.5
    without = WeightedRandomSampler([1, 1, 1], 3, replacement=False, generator=gg.Generator(0))
    assert sorted(without) == [0, 1, 2]


@pytest.mark.parametrize("n, size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                                (2, 5, True), (0, 4, False)])
def test_batch_sampler_matches_torch(n, size, drop_last):
    mine = BatchSampler(SequentialSampler(range(n)), size, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), size, drop_last)
    assert list(mine) == list(theirs) and len(mine) == len(theirs)
    # any iterable of indices works too (the per-index path), with the same batches
    assert list(BatchSampler(range(n), size, drop_last)) == list(theirs)
