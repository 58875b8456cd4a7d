"""The helpers conv and pooling share: slabs over threads, memory layouts; and conv/pool results when
every pass is split over threads (the tests elsewhere use arrays too small to be split)."""
import numpy as np
import pytest
import torch.nn.functional as F

from glassgrad.ops import windows
from glassgrad.ops.adaptive_pool import adaptive_avg_pool2d
from glassgrad.ops.conv import conv2d
from glassgrad.ops.pool import avg_pool2d, max_pool2d
from tests.reference import check_op


@pytest.fixture
def split_everything(monkeypatch):
    """Three threads, and every pass, however small, split into slabs."""
    old = windows.THREADS
    windows.set_threads(3)
    monkeypatch.setattr(windows, "MIN_SPLIT", 0)
    yield
    windows.set_threads(old)


def test_in_slabs_covers_the_range_once(split_everything):
    seen = np.zeros(10, dtype=int)

    def mark(a, b):
        seen[a:b] += 1
    windows.in_slabs(mark, 10, work=10)
    assert seen.tolist() == [1] * 10
    windows.in_slabs(mark, 2, work=10)          # fewer items than threads
    assert seen.tolist() == [2, 2] + [1] * 8


def test_in_slabs_raises_what_a_slab_raises(split_everything):
    def fail(a, b):
        if a > 0:
            raise ValueError("slab failed")
    with pytest.raises(ValueError, match="slab failed"):
        windows.in_slabs(fail, 9, work=9)


def test_set_threads_rejects_nonpositive():
    with pytest.raises(ValueError, match="positive"):
        windows.set_threads(0)


def test_memory_order_and_alloc():
    x = np.zeros((2, 3, 4, 5)).transpose(3, 0, 1, 2)          # memory (5, 2, 3, 4) -> axes 1, 2, 3, 0
    assert windows.memory_order(x) == (1, 2, 3, 0)
    y = windows.alloc_like(x, (6, 3, 4, 5), fill=1.5)
    assert y.shape == (6, 3, 4, 5) and windows.memory_order(y) == (1, 2, 3, 0) and np.all(y == 1.5)
    z = windows.in_order(np.ones((6, 3, 4, 5)), (1, 2, 3, 0))
    assert windows.memory_order(z) == (1, 2, 3, 0) and np.all(z == 1)
    assert windows.spatial_inner(np.zeros((2, 3, 4, 5))) and not windows.spatial_inner(x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_and_pools_split_over_threads(split_everything, dtype):
    check_op([(3, 4, 9, 8), (6, 2, 3, 3), (6,)],
             lambda x, w, b: max_pool2d(conv2d(x, w, b, padding=1, groups=2).relu(), 2),
             lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1, groups=2).relu(), 2),
             dtype=dtype, scale=10)
    check_op([(3, 4, 9, 8), (5, 4, 2, 3)],
             lambda x, w: avg_pool2d(conv2d(x, w, stride=(2, 1), dilation=(1, 2)), (2, 1)),
             lambda x, w: F.avg_pool2d(F.conv2d(x, w, stride=(2, 1), dilation=(1, 2)), (2, 1)),
             dtype=dtype, scale=10)
    for fn, tfn in ((max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)):
        check_op([(4, 3, 8, 6)], lambda x: fn(x, 2), lambda x: tfn(x, 2), dtype=dtype)
    check_op([(4, 3, 8, 6)], lambda x: adaptive_avg_pool2d(x, (2, 3)),
             lambda x: F.adaptive_avg_pool2d(x, (2, 3)), dtype=dtype)
