"""The helpers conv and pooling share: memory layouts and the blocked transposing copy; and inputs and
gradients that arrive in other layouts than a conv produces."""
import numpy as np
import pytest
import torch.nn.functional as F

from glassgrad.ops import windows
from glassgrad.ops.adaptive_pool import adaptive_avg_pool2d
from glassgrad.ops.conv import conv2d
from glassgrad.ops.pool import avg_pool2d, max_pool2d
from tests.reference import check_op


def test_memory_order_and_alloc():
    x = np.zeros((2, 3, 4, 5)).transpose(3, 0, 1, 2)          # memory (5, 2, 3, 4) -> axes 1, 2, 3, 0
    assert windows.memory_order(x) == (1, 2, 3, 0)
    y = windows.alloc_like(x, (6, 3, 4, 5), fill=1.5)
    assert y.shape == (6, 3, 4, 5) and windows.memory_order(y) == (1, 2, 3, 0) and np.all(y == 1.5)
    z = windows.in_order(np.ones((6, 3, 4, 5)), (1, 2, 3, 0))
    assert windows.memory_order(z) == (1, 2, 3, 0) and np.all(z == 1)
    assert windows.spatial_inner(np.zeros((2, 3, 4, 5))) and not windows.spatial_inner(x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("length", [3, 16, 37])
def test_copy_into_transposes_in_blocks(length, dtype):
    """The blocked copy of a transposed view equals the plain one, whatever the last axis' length."""
    src = np.arange(2 * 5 * length, dtype=dtype).reshape(length, 2, 5).transpose(1, 2, 0)
    dst = np.empty(src.shape, dtype=dtype)
    windows.copy_into(dst, src)
    assert np.array_equal(dst, src)
    padded = np.zeros((2, 7, length), dtype=dtype)
    windows.copy_into(padded[:, 1:6], src)
    assert np.array_equal(padded[:, 1:6], src) and not padded[:, [0, 6]].any()


def test_conv_of_an_nchw_input_without_padding_and_pool_of_an_nchw_gradient():
    """Inputs not in the batch-last layout take the one-copy route into it."""
    check_op([(2, 3, 6, 7), (4, 3, 2, 2)], lambda x, w: conv2d(x, w).transpose(2, 3) * 1.0,
             lambda x, w: F.conv2d(x, w).transpose(2, 3) * 1.0, scale=10)
    check_op([(3, 2, 6, 6)], lambda x: (max_pool2d(x.transpose(0, 1), 2) * 1.0).reshape(-1),
             lambda x: (F.max_pool2d(x.transpose(0, 1), 2) * 1.0).reshape(-1))
    check_op([(3, 2, 6, 6)], lambda x: adaptive_avg_pool2d(avg_pool2d(x, 2), 1).reshape(-1),
             lambda x: F.adaptive_avg_pool2d(F.avg_pool2d(x, 2), 1).reshape(-1))
