"""Linear and Identity against torch with the same weights; F.linear's shapes and errors."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer
from tests.reference import check_op

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (1, 3), (2, 5, 3), (3,), (0, 3), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias, dtype):
    check_layer(nn.Linear(3, 5, bias=bias), torch.nn.Linear(3, 5, bias=bias), [shape], dtype=dtype)


def test_linear_noncontiguous_input():
    check_layer(nn.Linear(4, 2), torch.nn.Linear(4, 2), [(3, 4)], noncontiguous=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_linear(dtype):
    def fn(x, w, b):
        F = gg.nn.functional if isinstance(x, gg.Tensor) else torch.nn.functional
        return F.linear(x, w, b)
    check_op([(2, 4, 3), (5, 3), (5,)], fn, dtype=dtype)
    check_op([(4, 3), (5, 3), (1,)], fn, dtype=dtype)


def test_linear_keeps_dtype_and_has_torchs_repr_and_keys():
    layer = nn.Linear(3, 2, dtype=gg.float64)
    assert layer.weight.dtype == np.float64 and layer(gg.ones(1, 3, dtype=gg.float64)).dtype == np.float64
    assert repr(nn.Linear(3, 2, bias=False)).startswith(repr(torch.nn.Linear(3, 2, bias=False)))
    assert list(nn.Linear(3, 2).state_dict()) == list(torch.nn.Linear(3, 2).state_dict())
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_errors_name_the_shapes():
    layer = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"):
        layer(gg.zeros(4, 5))
    with pytest.raises(RuntimeError, match="must have the same dtype"):
        layer(gg.zeros(4, 3, dtype=gg.float64))
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 2, device="cuda")
    with pytest.raises(TypeError, match="floating point"):
        nn.Linear(2, 2, dtype=gg.int64)


def test_identity():
    x = gg.ones(2, requires_grad=True)
    assert nn.Identity(54, unused="argument")(x) is x
    assert repr(nn.Identity()) == repr(torch.nn.Identity())


def test_linear_gradcheck():
    rng = np.random.default_rng(0)
    x, w, b = (gg.tensor(rng.standard_normal(s), requires_grad=True) for s in [(2, 3, 4), (5, 4), (5,)])
    assert gg.autograd.gradcheck(lambda x, w, b: gg.nn.functional.linear(x, w, b), (x, w, b))
    x1 = gg.tensor(rng.standard_normal(4), requires_grad=True)
    assert gg.autograd.gradcheck(lambda x, w: gg.nn.functional.linear(x, w), (x1, w))
