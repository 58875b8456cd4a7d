"""gather, scatter, scatter_add, index_select, masked_fill, tril/triu and one_hot against torch: values and
gradients (repeated indices included), float32/float64, awkward shapes, errors, gradcheck."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops.gather import one_hot
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
F = torch.nn.functional


def both(fn):
    return (lambda *xs: fn(gg, *xs)), (lambda *xs: fn(torch, *xs))


def idx(m, values):
    return m.tensor(values, dtype=m.int64)


CASES = {
    "gather_dim1": ([(2, 3)], lambda m, x: x.gather(1, idx(m, [[0, 0, 2, 1], [2, 2, 2, 2]]))),
    "gather_dim0_smaller": ([(4, 3)], lambda m, x: m.gather(x, 0, idx(m, [[3, 0], [3, 3]]))),
    "gather_neg_dim": ([(2, 3, 4)], lambda m, x: x.gather(-1, idx(m, [[[1, 1]] * 3] * 2))),
    "gather_empty": ([(2, 3)], lambda m, x: x.gather(1, m.zeros(2, 0, dtype=m.int64))),
    "gather_0d": ([()], lambda m, x: x.gather(0, idx(m, 0)) * 2),
    "gather_big": ([(64, 50)], lambda m, x: x.gather(1, idx(m, np.random.default_rng(0).integers(
        0, 50, (64, 80))))),
    # src as large as the index: torch's backward fails for a larger src (glassgrad's does not)
    "scatter": ([(2, 4), (2, 2)], lambda m, x, s: x.scatter(1, idx(m, [[3, 0], [1, 2]]), s)),
    "scatter_value": ([(2, 4)], lambda m, x: x.scatter(1, idx(m, [[3], [1]]), 0.5)),
    "torch.scatter": ([(3, 2), (1, 2)], lambda m, x, s: m.scatter(x, 0, idx(m, [[2, 0]]), s)),
    "scatter_add": ([(2, 4), (2, 3)], lambda m, x, s: x.scatter_add(1, idx(m, [[3, 3, 3], [0, 1, 0]]), s)),
    "scatter_add_big": ([(30, 40), (30, 100)], lambda m, x, s: m.scatter_add(x, 1, idx(
        m, np.random.default_rng(1).integers(0, 40, (30, 100))), s)),
    "index_select": ([(3, 4)], lambda m, x: x.index_select(1, idx(m, [3, 0, 3]))),
    "index_select_dim0": ([(3, 4)], lambda m, x: m.index_select(x, -2, idx(m, [2, 2, 1, 2]))),
    "index_select_0d_index": ([(3, 4)], lambda m, x: x.index_select(0, idx(m, 1))),
    "index_select_int32": ([(3, 4)], lambda m, x: x.index_select(1, m.tensor([1, 1], dtype=m.int32))),
    "index_select_empty": ([(3, 4)], lambda m, x: x.index_select(1, m.zeros(0, dtype=m.int64))),
    "index_select_big": ([(200, 16)], lambda m, x: x.index_select(0, idx(m, np.random.default_rng(2)
                                                                           .integers(0, 200, 500)))),
    "masked_fill": ([(2, 3)], lambda m, x: x.masked_fill(m.tensor([[True, False, True]] * 2), -1.5)),
    "masked_fill_broadcast": ([(2, 3)], lambda m, x: x.masked_fill(m.tensor([False, True, True]), 2)),
    "masked_fill_grows": ([(3,)], lambda m, x: m.masked_fill(x, m.tensor([[True, False, False]] * 2), 0.0)),
    "masked_fill_inf": ([(2, 2)], lambda m, x: x.masked_fill(m.tensor([[False, True], [False, False]]),
                                                             float("-inf")).exp()),
    "masked_fill_tensor_value": ([(2, 3), ()], lambda m, x, v: x.masked_fill(m.tensor([True, False, True]),
                                                                             v)),
    "tril": ([(3, 4)], lambda m, x: x.tril()),
    "tril_diag": ([(2, 3, 4)], lambda m, x: m.tril(x, 1)),
    "tril_neg": ([(4, 4)], lambda m, x: x.tril(-2)),
    "triu": ([(3, 4)], lambda m, x: x.triu()),
    "triu_diag": ([(2, 4, 3)], lambda m, x: m.triu(x, -1)),
    "triu_empty": ([(0, 3)], lambda m, x: x.triu(1)),
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


def test_masked_fill_value_dtype_and_integer_input():
    assert_close(gg.tensor([1, 2, 3]).masked_fill(gg.tensor([True, False, True]), 7.9),
                 torch.tensor([1, 2, 3]).masked_fill(torch.tensor([True, False, True]), 7.9))
    v = gg.tensor(2.0, dtype=gg.float64, requires_grad=True)
    out = gg.zeros(3).masked_fill(gg.tensor([True, True, False]), v)
    assert out.dtype == np.float32
    out.sum().backward()
    assert v.grad.item() == 2.0 and v.grad.dtype == np.float64


def test_in_place_variants():
    def scatter_(m, x, s):
        y = x * 1.0
        y.scatter_(1, idx(m, [[2, 0]]), s)
        return y

    def scatter_add_(m, x, s):
        y = x * 1.0
        y.scatter_add_(0, idx(m, [[1, 1], [0, 1]]), s)
        return y

    def index_put_(m, x, s):
        y = x * 1.0
        y.index_put_((idx(m, [1, 1]),), s, accumulate=True)
        return y

    check_op([(3, 4), (1, 2)], *both(scatter_))
    check_op([(3, 2), (2, 2)], *both(scatter_add_))
    check_op([(3, 2), (2, 2)], *both(index_put_))


def test_scatter_src_larger_than_index():
    x, src = gg.zeros(2, 3, requires_grad=True), gg.ones(2, 3, requires_grad=True)
    out = x.scatter(1, gg.tensor([[2], [0]]), src)
    out.sum().backward()
    assert out.tolist() == [[0, 0, 1], [1, 0, 0]]
    assert src.grad.tolist() == [[1, 0, 0], [1, 0, 0]] and x.grad.tolist() == [[1, 1, 0], [0, 1, 1]]


def test_scatter_integer_tensors_and_no_grad_results():
    out = gg.zeros(2, 3, dtype=gg.int64).scatter_add(1, gg.tensor([[0, 0], [2, 2]]),
                                                     gg.tensor([[1, 2], [3, 4]]))
    assert out.tolist() == [[3, 0, 0], [0, 0, 7]] and not out.requires_grad


def test_one_hot():
    for values, n in [([0, 2, 1], -1), ([[1], [3]], 5), ([], 3), (2, 4)]:
        ours = one_hot(gg.tensor(values, dtype=gg.int64), n)
        theirs = F.one_hot(torch.tensor(values, dtype=torch.int64), n)
        assert_close(ours, theirs)
        assert not ours.requires_grad


@pytest.mark.parametrize("values, n, match", [
    ([0, -2, 1], 5, "Class values must be non-negative."),
    ([0, 7, 1], 5, "Class values must be smaller than num_classes."),
    ([], -1, "Can not infer total number of classes from empty tensor."),
])
def test_one_hot_errors(values, n, match):
    with pytest.raises(RuntimeError, match=match):
        one_hot(gg.tensor(values, dtype=gg.int64), n)
    with pytest.raises(RuntimeError, match=match):
        F.one_hot(torch.tensor(values, dtype=torch.int64), n)
    with pytest.raises(RuntimeError, match="LongTensor"):
        one_hot(gg.tensor([1.0]), 3)


ERRORS = [
    (lambda m, x: x.gather(1, idx(m, [[0, 5]])), RuntimeError, "index 5 is out of bounds for dimension 1"),
    (lambda m, x: x.gather(1, idx(m, [[0, -1]])), RuntimeError, "index -1 is out of bounds"),
    (lambda m, x: x.gather(1, idx(m, [0, 1])), RuntimeError, "same number of dimensions"),
    (lambda m, x: x.gather(1, idx(m, [[0], [1], [0]])), RuntimeError, "no larger than self"),
    (lambda m, x: x.gather(2, idx(m, [[0]])), IndexError, "Dimension out of range"),
    (lambda m, x: x.gather(1, m.tensor([[0.0]])), RuntimeError, "int64"),
    (lambda m, x: x.scatter(1, idx(m, [[0, 1]]), m.ones(1, 1)), RuntimeError, "no larger"),
    (lambda m, x: x.scatter(1, idx(m, [[0]]), m.ones(1, 1, dtype=m.float64)), RuntimeError,
     "Expected self.dtype to be equal to src.dtype"),
    (lambda m, x: x.scatter_add(1, idx(m, [[3]]), m.ones(1, 1)), RuntimeError, "out of bounds"),
    (lambda m, x: x.index_select(1, idx(m, [[0]])), IndexError, "Index is supposed to be a vector"),
    (lambda m, x: x.index_select(1, idx(m, [3])), RuntimeError, "out of bounds for dimension 1 with size 3"),
    (lambda m, x: x.index_select(1, m.tensor([0.0])), RuntimeError, "int32 or int64"),
    (lambda m, x: x.masked_fill(m.ones(3), 1.0), RuntimeError, "only supports boolean masks"),
    (lambda m, x: x.masked_fill(m.ones(4, dtype=m.bool), 1.0), RuntimeError, "4"),
    (lambda m, x: x.masked_fill(m.ones(3, dtype=m.bool), m.ones(1)), RuntimeError,
     "only supports a 0-dimensional value tensor, but got tensor with 1 dimension"),
    (lambda m, x: m.tril(x[0]), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda m, x: m.triu(x[0]), RuntimeError, "at least 2 dimensions"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS)
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn(gg, gg.zeros(2, 3))
    with pytest.raises(error):
        fn(torch, torch.zeros(2, 3))


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.standard_normal((3, 4)), dtype=gg.float64, requires_grad=True)
    s = gg.tensor(rng.standard_normal((3, 2)), dtype=gg.float64, requires_grad=True)
    i = gg.tensor([[0, 0], [3, 1], [2, 2]])
    mask = gg.tensor([[True, False, False, True]])
    unique = gg.tensor([[0, 1], [3, 1], [2, 0]])  # scatter: which of repeated writes wins is unspecified
    fns = [lambda a, b: a.gather(1, i) * b, lambda a, b: a.scatter(1, unique, b),
           lambda a, b: a.scatter_add(1, i, b),
           lambda a, b: a.index_select(1, gg.tensor([3, 3, 0])) * b.sum(),
           lambda a, b: a.masked_fill(mask, b[0, 0]) * a, lambda a, b: a.tril(1) + a.triu(2)]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (x, s))
