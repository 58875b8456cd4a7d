"""Elementwise arithmetic, unary math and two-sided choices against torch: forward and backward, float32
and float64, broadcasting, views."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
BROADCAST_SHAPES = [
    [(3, 4), (3, 4)],
    [(3, 4), (4,)],
    [(2, 1, 4), (3, 1)],
    [(1,), (5, 2)],
    [(), (2, 3)],
    [(0, 3), (3,)],
]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary(name, shapes, dtype):
    check_op(shapes, BINARY[name], dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_noncontiguous(dtype):
    for fn in BINARY.values():
        check_op([(4, 3), (4, 3)], fn, dtype=dtype, noncontiguous=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_both_ways(dtype):
    check_op([(3, 4), (4,)], lambda a, b: a ** b, dtype=dtype, low=0.5, high=2.0)
    check_op([(3, 4)], lambda a: a ** 2, dtype=dtype)
    check_op([(3, 4)], lambda a: a ** 0.5, dtype=dtype, low=0.1, high=2.0)
    check_op([(3, 4)], lambda a: 2.0 ** a, dtype=dtype)
    check_op([(3,)], lambda a: a ** 0, dtype=dtype)


def test_pow_at_zero_matches_torch_conventions():
    for base in ([0.0, 1.0, 2.0],):
        for exponent in (0.0, 2.0, 0.5):
            g = gg.tensor(base, requires_grad=True)
            t = torch.tensor(base, requires_grad=True)
            (g ** exponent).sum().backward()
            (t ** exponent).sum().backward()
            assert_close(g.grad, t.grad)
    a, b = gg.tensor([0.0, 2.0], requires_grad=True), gg.tensor([2.0, 3.0], requires_grad=True)
    ta, tb = torch.tensor([0.0, 2.0], requires_grad=True), torch.tensor([2.0, 3.0], requires_grad=True)
    (a ** b).sum().backward()
    (ta ** tb).sum().backward()
    assert_close(b.grad, tb.grad)


def test_scalar_operands_and_reflections():
    for dtype in DTYPES:
        check_op([(3, 2)], lambda a: 2 - a * 3 + 1.5 / (a + 5) - a / 2 + (-a), dtype=dtype)
        check_op([(3, 2)], lambda a: 1 + a, dtype=dtype)


UNARY = {
    "neg": (lambda a: -a, -2, 2),
    "abs": (lambda a: a.abs(), -2, 2),
    "exp": (lambda a: a.exp(), -2, 2),
    "log": (lambda a: a.log(), 0.1, 3),
    "log1p": (lambda a: a.log1p(), -0.5, 3),
    "expm1": (lambda a: a.expm1(), -2, 2),
    "sqrt": (lambda a: a.sqrt(), 0.1, 3),
    "rsqrt": (lambda a: a.rsqrt(), 0.1, 3),
    "sin": (lambda a: a.sin(), -3, 3),
    "cos": (lambda a: a.cos(), -3, 3),
    "square": (lambda a: a.square(), -2, 2),
    "reciprocal": (lambda a: a.reciprocal(), 0.5, 2),
    "clamp": (lambda a: a.clamp(-0.5, 0.7), -2, 2),
    "clamp_min": (lambda a: a.clamp(min=0.1), -2, 2),
    "clamp_max": (lambda a: a.clamp(max=0.1), -2, 2),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 1, 4)], ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary(name, shape, dtype):
    fn, low, high = UNARY[name]
    check_op([shape], fn, dtype=dtype, low=low, high=high)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_noncontiguous(dtype):
    for fn, low, high in UNARY.values():
        check_op([(3, 5)], fn, dtype=dtype, low=low, high=high, noncontiguous=True)


def test_maximum_ties_split_gradient():
    check_op([np.array([1.0, 2.0, 3.0], "float32"), np.array([1.0, 5.0, 3.0], "float32")],
             lambda a, b: a.maximum(b))
    check_op([np.array([1.0, 2.0, 3.0], "float32"), np.array([1.0, 5.0, 3.0], "float32")],
             lambda a, b: a.minimum(b))


@pytest.mark.parametrize("dtype", DTYPES)
def test_where(dtype):
    cond = np.array([[True, False, True]])
    check_op([(2, 3), (3,)], lambda a, b: gg.where(gg.from_numpy(cond), a, b),
             lambda a, b: torch.where(torch.from_numpy(cond), a, b), dtype=dtype)
    check_op([(2, 3)], lambda a: gg.where(gg.from_numpy(cond), a, 0.0),
             lambda a: torch.where(torch.from_numpy(cond), a, 0.0), dtype=dtype)


def test_type_promotion_matches_torch():
    cases = [
        (gg.tensor([1, 2]), torch.tensor([1, 2]), 2.5),
        (gg.tensor([1, 2]), torch.tensor([1, 2]), 2),
        (gg.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]), 2),
    ]
    for g, t, scalar in cases:
        for op in (lambda x, s: x * s, lambda x, s: x + s, lambda x, s: s - x, lambda x, s: x / s):
            assert_close(op(g, scalar), op(t, scalar))
    mask, tmask = gg.tensor([True, False]), torch.tensor([True, False])
    assert_close(mask * 2, tmask * 2)
    assert_close(mask + 2.5, tmask + 2.5)
    g32, g64 = gg.ones(2), gg.ones(2, dtype=gg.float64)
    assert (g32 + g64).dtype == np.float64
    assert (gg.tensor([1, 2]) + gg.ones(2)).dtype == np.float32
    assert (g32 * np.float64(2.0)).dtype == np.float32  # NumPy scalars act like Python numbers


def test_mixed_precision_gradients_keep_input_dtype():
    a = gg.ones(3, requires_grad=True)
    b = gg.ones(3, dtype=gg.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_integer_power_of_negative_exponent_raises():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        gg.tensor([2, 3]) ** -1


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.uniform(0.5, 2, (3, 2)), dtype=gg.float64, requires_grad=True)
    y = gg.tensor(rng.uniform(0.5, 2, (2,)), dtype=gg.float64, requires_grad=True)
    fns = [lambda a, b: a * b / (a + b), lambda a, b: (a ** b).log(), lambda a, b: a.maximum(b * 1.3)]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (x, y))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.sampled_from(["float32", "float64"]))
def test_broadcasting_property(shape_a, shape_b, dtype):
    """Any two shapes: glassgrad broadcasts exactly when torch does, and agrees on values and grads."""
    try:
        np.broadcast_shapes(tuple(shape_a), tuple(shape_b))
    except ValueError:
        a, b = gg.ones(*shape_a), gg.ones(*shape_b)
        with pytest.raises(Exception):
            a * b
        return
    check_op([shape_a, shape_b], lambda a, b: a * b + a - b / (b.abs() + 1), dtype=dtype)
