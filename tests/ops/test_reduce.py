"""Reductions in ops/reduce.py against torch: sum, mean, prod, logsumexp, cumsum, all, any, dim handling."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]

# (shape, dim): None, int, negative, tuples, lists, size-1 dims, zero-size dims, 0-d tensors.
DIM_CASES = [
    ((3, 4, 5), None), ((3, 4, 5), 0), ((3, 4, 5), -1), ((3, 4, 5), (0, 2)), ((3, 4, 5), (-1, -3)),
    ((3, 4, 5), [1]), ((3, 4, 5), (0, 1, 2)), ((1, 4), 0), ((3, 1, 2), 1), ((3, 1, 2), (1, 2)),
    ((0, 3), None), ((0, 3), 0), ((0, 3), 1), ((2, 0, 3), (0, 2)), ((), None), ((), 0), ((), -1),
]
SINGLE_DIM_CASES = [case for case in DIM_CASES if case[1] is None or isinstance(case[1], int)]

REDUCTIONS = {
    "sum": lambda x, dim, keepdim: x.sum(dim, keepdim),
    "mean": lambda x, dim, keepdim: x.mean(dim, keepdim),
    "logsumexp": lambda x, dim, keepdim: x.logsumexp(dim, keepdim),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", DIM_CASES, ids=str)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_over_dims(name, shape, dim, keepdim, dtype):
    fn = REDUCTIONS[name]
    if name == "logsumexp" and dim is None:
        dim = tuple(range(len(shape)))  # torch's logsumexp needs dims; all of them is the same thing
    check_op([shape], lambda x: fn(x, dim, keepdim), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_noncontiguous(name, dtype):
    fn = REDUCTIONS[name]
    for dim in (0, 1, (0, 1), -1):
        check_op([(3, 5)], lambda x: fn(x, dim, False), dtype=dtype, noncontiguous=True)
        check_op([(2, 3, 4)], lambda x: fn(x, dim, True), dtype=dtype, noncontiguous=True)


def test_sum_and_mean_full_reduction_defaults():
    check_op([(3, 4)], lambda x: x.sum())
    check_op([(3, 4)], lambda x: x.mean())
    check_op([(3, 4)], lambda x: gg.sum(x, dim=1, keepdim=True), lambda x: torch.sum(x, dim=1, keepdim=True))
    check_op([(3, 4)], lambda x: x.sum(dim=()), lambda x: x.sum(dim=()))  # () means every dim here


def test_sum_large_gradient_is_usable_and_accumulates():
    # Above a size threshold sum's backward hands out a broadcast view; the leaf must own a real array.
    x = gg.ones(300, 300, requires_grad=True)
    x.sum().backward()
    (x * 2).sum().backward()
    assert x.grad.data.flags.writeable and x.grad.data.base is None
    np.testing.assert_array_equal(x.grad.data, np.full((300, 300), 3.0, np.float32))


def test_long_float32_sums_across_rows_are_accurate():
    # NumPy adds (N, F) rows one at a time when summing over dim 0: 1e-5 relative drift at N = 2e5,
    # beyond float32 tolerance; PyTorch sums in cascade. glassgrad accumulates such sums in float64.
    for fn in (lambda x: x.sum(0), lambda x: x.mean(0), lambda x: x.logsumexp(0),
               lambda x: x.sum((0, 1))):
        check_op([(200000, 4)], fn, low=0.0, high=1.0)
    check_op([(4, 200000)], lambda x: x.sum(-1), noncontiguous=True, low=0.0, high=1.0)


# ---- dtypes -----------------------------------------------------------------------------------

INT_INPUTS = [np.array([[1, 2, 3], [4, 5, 6]]), np.array([[1, 2, 3]], np.int32),
              np.array([True, False, True]), np.array([[1, 2], [3, 4]], np.uint8)]


@pytest.mark.parametrize("array", INT_INPUTS, ids=lambda a: str(a.dtype))
def test_integer_and_bool_dtypes_follow_torch(array):
    g, t = gg.from_numpy(array), torch.from_numpy(array)
    for fn in (lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.prod(), lambda x: x.prod(0),
               lambda x: x.cumsum(0), lambda x: x.all(), lambda x: x.any(0),
               lambda x: x.logsumexp(0), lambda x: x.sum(0, dtype=gg.float64 if isinstance(x, gg.Tensor)
                                                         else torch.float64),
               lambda x: x.mean(dtype=gg.float32 if isinstance(x, gg.Tensor) else torch.float32)):
        assert_close(fn(g), fn(t))
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        g.mean()
    with pytest.raises(RuntimeError):
        t.mean()


def test_sum_dtype_argument_is_differentiable():
    check_op([(3, 4)], lambda x: x.sum(1, dtype=gg.float64), lambda x: x.sum(1, dtype=torch.float64))
    check_op([(3, 4)], lambda x: x.mean(0, dtype=gg.float64), lambda x: x.mean(0, dtype=torch.float64))
    check_op([(3, 4)], lambda x: x.cumsum(1, dtype=gg.float64), lambda x: x.cumsum(1, dtype=torch.float64))


def test_mean_of_empty_is_nan_and_float32_stays_float32():
    for shape, dim in (((0,), None), ((0, 3), 0), ((0, 3), 1)):
        check_op([shape], lambda x: x.mean(dim) if dim is not None else x.mean())
    assert gg.zeros(0).mean().dtype == np.float32
    assert gg.ones(3, 4).sum(1).dtype == np.float32 and gg.ones(3, 4).mean(1).dtype == np.float32


# ---- dims and errors --------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "mean", "prod", "logsumexp", "cumsum", "all", "any"])
def test_dim_out_of_range_names_op_and_range(op):
    x = gg.ones(2, 3)
    with pytest.raises(IndexError, match=rf"{op}\(\): Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        getattr(x, op)(2)
    with pytest.raises(IndexError, match=r"\[-2, 1\], but got -3"):
        getattr(x, op)(-3)
    with pytest.raises(TypeError, match=rf"{op}\(\): dim must be an int"):
        getattr(x, op)(1.0)


def test_dim_rules_match_torch():
    x, t = gg.ones(2, 3), torch.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"sum\(\): dim 0 appears multiple times"):
        x.sum((0, -2))
    with pytest.raises(RuntimeError):
        t.sum((0, -2))
    with pytest.raises(TypeError, match="prod\\(\\): dim must be an int"):
        x.prod((0, 1))
    with pytest.raises(TypeError):
        t.prod((0, 1))
    with pytest.raises(TypeError):
        x.sum(True)
    assert_close(x.sum(np.int64(1)), t.sum(1))
    assert_close(x.sum(gg.tensor(1)), t.sum(torch.tensor(1)))
    scalar, tscalar = gg.tensor(3.0), torch.tensor(3.0)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        scalar.sum((0, -1))
    with pytest.raises(IndexError, match=r"\[-1, 0\], but got 1"):
        scalar.sum(1)
    assert_close(scalar.sum(0, keepdim=True), tscalar.sum(0, keepdim=True))


# ---- prod -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", SINGLE_DIM_CASES, ids=str)
def test_prod_over_dims(shape, dim, keepdim, dtype):
    if dim is None:
        check_op([shape], lambda x: x.prod(), dtype=dtype, low=0.5, high=1.5)
    else:
        check_op([shape], lambda x: x.prod(dim, keepdim), dtype=dtype, low=-1.5, high=1.5)


ZEROS = [
    np.array([[1.5, 0.0, 2.0], [3.0, -1.0, 0.5]]),           # one zero in one row
    np.array([[0.0, 0.0, 2.0], [3.0, 0.0, 0.5]]),            # two zeros in a row, one in the other
    np.array([[0.0, 2.0], [0.0, 3.0], [4.0, 0.0]]),          # zeros down a column
    np.zeros((2, 3)),                                        # nothing but zeros
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("array", ZEROS, ids=range(len(ZEROS)))
def test_prod_gradient_with_zeros(array, dtype):
    array = array.astype(dtype)
    for fn in (lambda x: x.prod(), lambda x: x.prod(0), lambda x: x.prod(1), lambda x: x.prod(-1, True)):
        check_op([array], fn)
        check_op([array.T.copy().T], fn)


def test_prod_empty_and_noncontiguous():
    check_op([(0, 3)], lambda x: x.prod())
    check_op([(0, 3)], lambda x: x.prod(0))
    check_op([(4, 3)], lambda x: x.prod(0), noncontiguous=True)


# ---- logsumexp --------------------------------------------------------------------------------

def test_logsumexp_stable_for_large_and_infinite_values():
    inf = np.inf
    large = np.array([[1000.0, 1000.0, -1000.0], [-1e4, 3.0, 2.0]])
    # torch's backward, exp(x - out), loses ulp(out) ~ 6e-5 at |x| ~ 1000 in float32; glassgrad's
    # exps / total does not: closer to the float64 truth, so only torch's error widens the tolerance.
    check_op([large.astype("float32")], lambda x: x.logsumexp(1), grad_scale=10)
    x = gg.tensor(large, dtype=gg.float32, requires_grad=True)
    x.logsumexp(1).sum().backward()
    assert_close(x.grad, torch.softmax(torch.tensor(large), 1).float())  # the float64 truth, rounded
    cases = [large * 1e-3,
             np.array([[-inf, -inf], [-inf, 1.0]]),   # an all -inf row stays -inf, grad nan as torch
             np.array([[inf, 1.0], [inf, -inf]]),
             np.array([[np.nan, 1.0], [2.0, 3.0]])]
    for array in cases:
        for dtype in DTYPES:
            check_op([array.astype(dtype)], lambda x: x.logsumexp(1))
            check_op([array.astype(dtype)], lambda x: x.logsumexp((0, 1), keepdim=True))
    check_op([(0, 3)], lambda x: x.logsumexp(0))
    assert gg.zeros(0).logsumexp(0).item() == -np.inf


def test_logsumexp_requires_dim():
    with pytest.raises(TypeError):
        gg.logsumexp(gg.ones(3))


# ---- cumsum -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, dim", [((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 0, 3), 2),
                                        ((2, 0, 3), 1), ((), 0), ((), -1), ((1, 4), 0)], ids=str)
def test_cumsum(shape, dim, dtype):
    check_op([shape], lambda x: x.cumsum(dim), dtype=dtype)
    check_op([shape], lambda x: gg.cumsum(x, dim=dim), lambda x: torch.cumsum(x, dim=dim), dtype=dtype)


def test_cumsum_noncontiguous_and_long_float32():
    check_op([(4, 6)], lambda x: x.cumsum(0), noncontiguous=True)
    check_op([(4, 6)], lambda x: x.cumsum(1), noncontiguous=True)
    # 20000 terms: float32 accumulation would drift; torch (and glassgrad) accumulate in double.
    check_op([(2, 20000)], lambda x: x.cumsum(1), low=0.0, high=1.0)
    with pytest.raises(TypeError):
        gg.cumsum(gg.ones(3))


# ---- all / any --------------------------------------------------------------------------------

LOGICAL_INPUTS = [np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]]), np.array([[0, 0], [1, 0]]),
                  np.array([[True, False], [True, True]]), np.array([[1, 0], [2, 3]], np.uint8),
                  np.zeros((0, 3)), np.array([np.nan, 0.0]), np.array(0.0)]


@pytest.mark.parametrize("array", LOGICAL_INPUTS, ids=range(len(LOGICAL_INPUTS)))
@pytest.mark.parametrize("op", ["all", "any"])
def test_all_any(op, array):
    g, t = gg.from_numpy(array), torch.from_numpy(array)
    assert_close(getattr(g, op)(), getattr(t, op)())
    dims = [0, -1, (), (0,)] + ([1, (0, 1)] if array.ndim == 2 else [])
    for dim in dims:
        for keepdim in (False, True):
            assert_close(getattr(g, op)(dim, keepdim), getattr(t, op)(dim, keepdim), what=f"{op} {dim}")
    assert not getattr(gg.ones(2, requires_grad=True), op)().requires_grad


# ---- gradcheck, hypothesis, names -------------------------------------------------------------

def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.uniform(0.5, 1.5, (3, 4)), dtype=gg.float64, requires_grad=True)
    z = gg.tensor([[0.0, 1.5, 2.0], [0.7, 0.0, 0.0]], dtype=gg.float64, requires_grad=True)
    for fn in (lambda a: a.sum(1), lambda a: a.mean((0, 1), keepdim=True), lambda a: a.prod(0),
               lambda a: a.prod(), lambda a: a.logsumexp(1), lambda a: a.cumsum(0) * a,
               lambda a: (a * 100).logsumexp((0, 1))):
        assert gg.autograd.gradcheck(fn, (x,))
    for fn in (lambda a: a.prod(1), lambda a: a.prod(), lambda a: a.prod(0, keepdim=True)):
        assert gg.autograd.gradcheck(fn, (z,))  # the product is multilinear: smooth through zeros


@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=3)))
    ndim = len(shape)
    span = max(ndim, 1)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-span, span - 1))
    else:
        chosen = draw(st.lists(st.integers(0, span - 1), unique=True, min_size=1, max_size=span))
        dim = tuple(d - span if draw(st.booleans()) else d for d in chosen) if ndim else (0,)
    return shape, dim, draw(st.booleans()), draw(st.sampled_from(DTYPES))


@settings(max_examples=60, deadline=None)
@given(shape_and_dims())
def test_reductions_property(case):
    """Any shape and dim choice: sum, mean and logsumexp agree with torch in values and gradients."""
    shape, dim, keepdim, dtype = case
    check_op([shape], lambda x: x.sum(dim, keepdim), dtype=dtype)
    check_op([shape], lambda x: x.mean(dim, keepdim), dtype=dtype)
    lse_dim = tuple(range(len(shape))) if dim is None else dim
    if lse_dim != ():
        check_op([shape], lambda x: x.logsumexp(lse_dim, keepdim), dtype=dtype)
    if dim is None or isinstance(dim, int):
        check_op([shape], lambda x: x.prod(dim, keepdim) if dim is not None else x.prod(), dtype=dtype)


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "logsumexp", "cumsum", "all", "any"])
def test_registered_like_torch(name):
    assert hasattr(torch, name) and callable(getattr(gg, name))
    assert getattr(gg.Tensor, name) is getattr(gg, name)
