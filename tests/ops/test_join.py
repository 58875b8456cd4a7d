"""cat, stack, split, chunk, unbind and pad against torch: values and gradients, float32/float64, size-1,
zero-size and non-contiguous inputs, negative dims, dtype promotion, errors, gradcheck."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops.join import pad
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
F = torch.nn.functional


def both(fn):
    return (lambda *xs: fn(gg, *xs)), (lambda *xs: fn(torch, *xs))


CASES = {
    "cat_dim0": ([(2, 3), (4, 3)], lambda m, a, b: m.cat([a, b])),
    "cat_dim1": ([(2, 3), (2, 1), (2, 2)], lambda m, a, b, c: m.cat((a, b, c), dim=1)),
    "cat_neg_dim": ([(2, 3, 1), (2, 3, 2)], lambda m, a, b: m.cat([a, b], -1)),
    "cat_one": ([(2, 3)], lambda m, a: m.cat([a], 1)),
    "cat_zero_size": ([(2, 0), (2, 3)], lambda m, a, b: m.cat([a, b], 1)),
    "cat_legacy_empty": ([(2, 3), (0,), (2, 4)], lambda m, a, b, c: m.cat([a, b, c], 1)),
    "cat_all_empty": ([(0,), (0,)], lambda m, a, b: m.cat([a, b])),
    "concat": ([(2, 3), (2, 3)], lambda m, a, b: m.concat([a, b], dim=1)),
    "concatenate": ([(1, 3), (2, 3)], lambda m, a, b: m.concatenate([a, b])),
    "stack": ([(2, 3), (2, 3)], lambda m, a, b: m.stack([a, b])),
    "stack_last": ([(2, 3), (2, 3), (2, 3)], lambda m, a, b, c: m.stack((a, b, c), dim=-1)),
    "stack_middle": ([(2, 3), (2, 3)], lambda m, a, b: m.stack([a, b], 1)),
    "stack_0d": ([(), ()], lambda m, a, b: m.stack([a, b])),
    "stack_zero_size": ([(0, 3), (0, 3)], lambda m, a, b: m.stack([a, b], 2)),
    "split_int": ([(5, 3)], lambda m, x: x.split(2)),
    "split_sizes": ([(2, 6)], lambda m, x: m.split(x, [1, 0, 5], dim=1)),
    "split_neg_dim": ([(2, 6)], lambda m, x: x.split(4, -1)),
    "split_zero_size": ([(0, 3)], lambda m, x: x.split(2)),
    "chunk": ([(5, 3)], lambda m, x: x.chunk(3)),
    "chunk_fewer": ([(2, 6)], lambda m, x: m.chunk(x, 4, dim=1)),
    "chunk_zero_size": ([(0, 3)], lambda m, x: x.chunk(2)),
    "unbind": ([(3, 2)], lambda m, x: x.unbind()),
    "unbind_neg": ([(3, 2, 4)], lambda m, x: m.unbind(x, -2)),
    "split_pieces_used_twice": ([(4, 3)], lambda m, x: x.split(2)[0] * x.split([2, 2])[1]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name, dtype):
    shapes, fn = CASES[name]
    check_op(shapes, *both(fn), dtype=dtype)


@pytest.mark.parametrize("name", [n for n, (s, _) in CASES.items() if len(s[0]) >= 2])
def test_noncontiguous(name):
    shapes, fn = CASES[name]
    check_op(shapes, *both(fn), noncontiguous=True)


def test_dtype_promotion():
    for dtypes in [("float32", "float64"), ("int64", "float32"), ("int32", "int64"), ("bool", "int64")]:
        ours = [gg.ones(2, dtype=d) for d in dtypes]
        theirs = [torch.ones(2, dtype=getattr(torch, d)) for d in dtypes]
        assert_close(gg.cat(ours), torch.cat(theirs))
        assert_close(gg.stack(ours), torch.stack(theirs))
    a, b = gg.ones(2, requires_grad=True), gg.ones(2, dtype=gg.float64, requires_grad=True)
    gg.cat([a, b]).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_split_pieces_are_views():
    x = gg.arange(6)
    assert all(np.shares_memory(p.data, x.data) for p in x.split(2) + x.chunk(2) + x.unbind())


CAT_ERRORS = [
    (lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 4)], 0), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
    (lambda m: m.cat([m.zeros(2, 3), m.zeros(3)]), RuntimeError,
     "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda m: m.cat([m.zeros(()), m.zeros(())]), RuntimeError,
     "zero-dimensional tensor \\(at position 0\\)"),
    (lambda m: m.cat([], 0), ValueError, "expected a non-empty list of Tensors"),
    (lambda m: m.cat([m.zeros(2, 3)], 2), IndexError, "Dimension out of range"),
    (lambda m: m.stack([m.zeros(2, 3), m.zeros(2, 4)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    (lambda m: m.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda m: m.stack([m.zeros(2)], 2), IndexError, "Dimension out of range"),
    (lambda m: m.zeros(5).split([2, 2]), RuntimeError,
     "split_with_sizes expects split_sizes to sum exactly to 5"),
    (lambda m: m.zeros(5).split(0), RuntimeError, "split_size can only be 0 if dimension size is 0"),
    (lambda m: m.zeros(5).split(-1), RuntimeError, "split expects split_size be non-negative"),
    (lambda m: m.zeros(5).split([6, -1]), RuntimeError, "only non-negative entries"),
    (lambda m: m.zeros(5).chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0"),
    (lambda m: m.zeros(()).chunk(2), RuntimeError, "chunk expects at least a 1-dimensional tensor"),
    (lambda m: m.zeros(()).unbind(), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
    (lambda m: m.zeros(5).unbind(1), IndexError, "Dimension out of range"),
]


@pytest.mark.parametrize("fn, error, match", CAT_ERRORS)
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn(gg)
    with pytest.raises(error, match=match):
        fn(torch)


# ---- pad ------------------------------------------------------------------------------------------

PADS = [
    ((2, 3), (1, 2), "constant", None),
    ((2, 3), (1, 2, 0, 1), "constant", 2.5),
    ((2, 3, 4), (1, 1, 1, 1, 1, 1), "constant", None),
    ((2, 3), (-1, 1), "constant", None),
    ((2, 3), (-1, -2), "constant", None),
    ((2, 3), (0, 0, -1, 2), "constant", -1.0),
    ((2, 0), (1, 1), "constant", None),
    ((2, 3, 5), (2, 1), "reflect", None),
    ((1, 2, 4, 5), (3, 1, 2, 3), "reflect", None),
    ((2, 3, 4), (1, 2, 0, 3), "replicate", None),
    ((1, 2, 3, 4, 2), (1, 1, 2, 0, 3, 1), "replicate", None),
    ((2, 3, 4), (-1, 2), "replicate", None),
    ((2, 3, 4), (4, 2, 1, 3), "circular", None),
    ((2, 3, 4), (-1, 2), "circular", None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, amounts, mode, value", PADS, ids=str)
def test_pad(shape, amounts, mode, value, dtype):
    check_op([shape], lambda x: pad(x, amounts, mode, value),
             lambda x: F.pad(x, amounts, mode, value), dtype=dtype)
    if len(shape) >= 2:
        check_op([shape], lambda x: pad(x, amounts, mode, value),
                 lambda x: F.pad(x, amounts, mode, value), noncontiguous=True)


def test_pad_integer_input():
    assert_close(pad(gg.arange(3), (1, 1), value=3.5), F.pad(torch.arange(3), (1, 1), value=3.5))
    assert_close(pad(gg.arange(6).reshape(2, 3), (2, 1), "reflect"),
                 F.pad(torch.arange(6).reshape(2, 3), (2, 1), "reflect"))


@pytest.mark.parametrize("shape, amounts, mode, value, error", [
    ((2, 3), (1, 2, 3), "constant", None, RuntimeError),
    ((2, 3), (1,) * 6, "constant", None, RuntimeError),
    ((2, 3), (-2, -2), "constant", None, RuntimeError),
    ((2, 3), (3, 1), "reflect", None, RuntimeError),
    ((2, 3), (1, 1, 1, 1), "reflect", None, NotImplementedError),
    ((3,), (1, 1), "replicate", None, NotImplementedError),
    ((1, 2, 3), (4, 0), "circular", None, RuntimeError),
    ((1, 2, 3), (1, 1), "reflect", 2.0, RuntimeError),
    ((1, 2, 3), (1, 1), "bogus", None, NotImplementedError),
])
def test_pad_errors(shape, amounts, mode, value, error):
    with pytest.raises(error):
        pad(gg.zeros(shape), amounts, mode, value)
    with pytest.raises(error):
        F.pad(torch.zeros(shape), amounts, mode, value)


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    a = gg.tensor(rng.standard_normal((2, 3)), dtype=gg.float64, requires_grad=True)
    b = gg.tensor(rng.standard_normal((2, 3)), dtype=gg.float64, requires_grad=True)
    fns = [lambda x, y: gg.cat([x, y * x], 1), lambda x, y: gg.stack([x, y], -1) * 3,
           lambda x, y: x.split([1, 2], 1)[1] * y.chunk(3, 1)[0] + x.unbind(1)[1],
           lambda x, y: pad(x, (1, 2, 1, 0), value=1.0) * pad(y, (-1, 4, 0, 1)),
           lambda x, y: pad(x.unsqueeze(0), (2, 2), "reflect") + pad(y.unsqueeze(0), (3, 1), "replicate"),
           lambda x, y: pad(x.unsqueeze(0), (2, 3), "circular")]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (a, b))
