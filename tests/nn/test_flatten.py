"""Flatten and Unflatten against torch: shapes, gradients, negative dims, errors."""
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.reference import check_op


@pytest.mark.parametrize("start,end", [(1, -1), (0, -1), (1, 2), (-2, -1), (2, 2), (0, 0)])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (0, 3, 2, 2), (1, 1, 1, 1)], ids=str)
def test_flatten(shape, start, end):
    check_op([shape], nn.Flatten(start, end), torch.nn.Flatten(start, end))


@pytest.mark.parametrize("dim,sizes", [(1, (3, 4)), (1, (-1, 2)), (-1, (2, 2, 3)), (0, (2, 1))])
def test_unflatten(dim, sizes):
    check_op([(2, 12)], nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes))


def test_reprs_and_errors():
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (2, 3))) == repr(torch.nn.Unflatten(1, (2, 3)))
    assert nn.Flatten(0)(gg.tensor(3.0)).shape == torch.nn.Flatten(0)(torch.tensor(3.0)).shape
    with pytest.raises(IndexError, match="Dimension out of range"):
        nn.Flatten()(gg.zeros(3))
    with pytest.raises(RuntimeError, match="start_dim.*cannot come after end_dim"):
        nn.Flatten(2, 1)(gg.zeros(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"sizes \[5, 2\] don't multiply up to the size of dim 1 \(12\)"):
        nn.Unflatten(1, (5, 2))(gg.zeros(2, 12))
    with pytest.raises(RuntimeError, match="don't multiply up"):
        nn.Unflatten(1, (5, -1))(gg.zeros(2, 12))
    with pytest.raises(TypeError, match="unflattened_size must be tuple or list"):
        nn.Unflatten(1, 12)
