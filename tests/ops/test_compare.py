"""Casts, comparisons, predicates and rounding against torch: values and dtypes match, and no gradient flows
through any of them (the cast's gradient flows back in the input's dtype)."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.reference import assert_close


def test_comparisons_are_bool_and_carry_no_grad():
    a = gg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        out = getattr(a, op)(2.0)
        expected = getattr(torch.tensor([1.0, 2.0, 3.0]), op)(2.0)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.data, expected.numpy())



VALUES = [-2.5, -1.0, -0.5, 0.0, 0.5, 1.5, 2.5, float("inf"), float("-inf"), float("nan")]
PREDICATES = ["isnan", "isinf", "isfinite", "sign", "floor", "ceil", "round", "logical_not"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", PREDICATES)
def test_predicates_and_rounding(name, dtype):
    ours = getattr(gg, name)(gg.tensor(VALUES, dtype=getattr(gg, dtype), requires_grad=True))
    theirs = getattr(torch, name)(torch.tensor(VALUES, dtype=getattr(torch, dtype)))
    assert not ours.requires_grad
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_round_to_decimals_and_half_to_even():
    x = [0.125, 2.5, -0.5, 1.2345]
    assert_close(gg.round(gg.tensor(x, dtype=gg.float64), decimals=2),
                 torch.round(torch.tensor(x, dtype=torch.float64), decimals=2))
    assert_close(gg.tensor(x).round(), torch.tensor(x).round())


def test_logical_and_bitwise_ops_broadcast():
    a, b = [[True, False, True]], [[True], [False]]
    ta, tb = torch.tensor(a), torch.tensor(b)
    ga, gb = gg.tensor(a), gg.tensor(b)
    for ours, theirs in [(gg.logical_and(ga, gb), torch.logical_and(ta, tb)),
                         (gg.logical_or(ga, gb), torch.logical_or(ta, tb)),
                         (ga & gb, ta & tb), (ga | gb, ta | tb), (ga ^ gb, ta ^ tb), (~ga, ~ta)]:
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.bool_
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ((gg.tensor([6, 3]) & 5).tolist() == (torch.tensor([6, 3]) & 5).tolist())


def test_equal_and_allclose():
    a = gg.tensor([1.0, 2.0, float("nan")])
    assert gg.equal(gg.tensor([1, 2]), gg.tensor([1, 2])) and not gg.equal(gg.ones(2), gg.ones(3))
    assert not gg.allclose(a, a) and gg.allclose(a, a, equal_nan=True)
    assert gg.allclose(gg.tensor([1.0]), gg.tensor([1.0 + 1e-6])) == torch.allclose(
        torch.tensor([1.0]), torch.tensor([1.0 + 1e-6]))


def test_cast_gradient_returns_in_the_input_dtype():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]
    assert x.to(gg.int64).dtype == np.int64 and not x.to(gg.int64).requires_grad
