"""Creation functions: the same dtypes, shapes and values as torch's."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.reference import assert_close


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1.0, 2.0]),
    lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.tensor(3.5),
    lambda lib: lib.tensor([[1, 2]], dtype=lib.float64),
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((2, 3), dtype=lib.int64),
    lambda lib: lib.ones(0, 2),
    lambda lib: lib.full((2, 2), 7),
    lambda lib: lib.full((2,), 7.5),
    lambda lib: lib.full((2,), True),
    lambda lib: lib.arange(5),
    lambda lib: lib.arange(1, 4, 0.5),
    lambda lib: lib.arange(0, -3, -1),
    lambda lib: lib.arange(5, dtype=lib.float32),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(-1, 1, 1),
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 3),
    lambda lib: lib.zeros_like(lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.ones_like(lib.tensor([1, 2])),
    lambda lib: lib.full_like(lib.ones(2), 3.0),
], ids=lambda f: "")
def test_creation_matches_torch(make):
    assert_close(make(gg), make(torch))


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.arange(3, dtype=np.float64)
    t = gg.from_numpy(a)
    a[0] = 10
    assert t.dtype == np.float64 and t.tolist()[0] == 10
    with pytest.raises(TypeError):
        gg.from_numpy([1, 2])


def test_tensor_copies_its_data():
    a = np.ones(2, dtype=np.float32)
    t = gg.tensor(a)
    a[0] = 5
    assert t.tolist() == [1.0, 1.0]


def test_random_is_reproducible_from_manual_seed():
    gg.manual_seed(123)
    a = (gg.rand(3), gg.randn(2, 2), gg.randint(0, 10, (4,)), gg.randperm(5))
    gg.manual_seed(123)
    b = (gg.rand(3), gg.randn(2, 2), gg.randint(0, 10, (4,)), gg.randperm(5))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.data, y.data)
    assert a[0].dtype == np.float32 and a[1].dtype == np.float32 and a[2].dtype == np.int64


def test_random_distributions_have_the_right_statistics():
    gg.manual_seed(0)
    u = gg.rand(100_000)
    n = gg.randn(100_000, dtype=gg.float64)
    i = gg.randint(3, 7, (10_000,))
    assert 0 <= u.data.min() and u.data.max() < 1 and abs(u.data.mean() - 0.5) < 0.01
    assert abs(n.data.mean()) < 0.02 and abs(n.data.std() - 1) < 0.02 and n.dtype == np.float64
    assert set(np.unique(i.data)) == {3, 4, 5, 6}


def test_bad_sizes_and_ranges_raise():
    with pytest.raises(RuntimeError, match="invalid size"):
        gg.zeros(-1, 2)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        gg.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        gg.arange(0, 5, -1)
    with pytest.raises(RuntimeError, match="low < high"):
        gg.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="unknown dtype"):
        gg.zeros(2, dtype="float8")
