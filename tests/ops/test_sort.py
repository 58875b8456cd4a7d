"""max/min, amax/amin, argmax/argmin, sort, argsort, topk (ops/sort.py) against torch, ties included."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from tests.ops.test_reduce import DIM_CASES, DTYPES
from tests.reference import assert_close, check_op

NONEMPTY_DIM_CASES = [(shape, dim) for shape, dim in DIM_CASES if 0 not in shape]
TIES = np.array([[3.0, 1.0, 3.0, 3.0], [2.0, 2.0, 0.0, 2.0], [5.0, 4.0, 4.0, 5.0]])


def ties(dtype, noncontiguous=False):
    return np.asarray(TIES.T.copy().T if noncontiguous else TIES, dtype=dtype)


def check_exact(fn, array, torch_fn=None):
    """Values, indices and gradients equal torch's bit for bit (ties split the same way)."""
    g_out, t_out = check_op([array], fn, torch_fn)
    x, tx = gg.from_numpy(array).requires_grad_(), torch.from_numpy(array).requires_grad_()
    upstream = np.arange(1, 1 + math.prod(t_out[0].shape), dtype=array.dtype).reshape(t_out[0].shape)
    g, t = fn(x), (torch_fn or fn)(tx)
    g, t = (g[0], t[0]) if isinstance(t, tuple) else (g, t)
    g.backward(gg.from_numpy(upstream))
    t.backward(torch.from_numpy(upstream))
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


# ---- max / min --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["max", "min"])
def test_full_max_min_splits_ties_evenly(op, dtype):
    for noncontiguous in (False, True):
        check_exact(lambda x: getattr(x, op)(), ties(dtype, noncontiguous))
    check_op([(3, 4, 2)], lambda x: getattr(x, op)(), dtype=dtype)
    check_op([()], lambda x: getattr(x, op)(), dtype=dtype)
    nans = np.array([1.0, np.nan, 3.0, np.nan], dtype)
    check_exact(lambda x: getattr(x, op)(), nans)  # a NaN result: its gradient goes to the NaNs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", [c for c in DIM_CASES if isinstance(c[1], int)], ids=str)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_with_dim(op, shape, dim, keepdim, dtype):
    if 0 in shape and shape[dim] == 0:
        return  # an error; see test_empty_reductions_raise_as_torch
    check_op([shape], lambda x: getattr(x, op)(dim, keepdim), dtype=dtype)
    check_op([shape], lambda x: getattr(gg, op)(x, dim=dim, keepdim=keepdim),
             lambda x: getattr(torch, op)(x, dim=dim, keepdim=keepdim), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_with_dim_ties_pick_the_first(op, dtype):
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            for noncontiguous in (False, True):
                check_exact(lambda x: getattr(x, op)(dim, keepdim), ties(dtype, noncontiguous))
    check_exact(lambda x: getattr(x, op)(0), np.array([1.0, np.nan, 3.0, np.nan], dtype))


def test_full_max_min_refuse_keepdim_without_dim():
    for op in ("max", "min"):
        with pytest.raises(TypeError, match=f"{op}\\(\\): keepdim=True needs a dim"):
            getattr(gg.ones(2, 3), op)(keepdim=True)
        with pytest.raises(TypeError):
            getattr(torch.ones(2, 3), op)(keepdim=True)


def test_max_min_return_types():
    out = gg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    assert isinstance(out, tuple) and out._fields == ("values", "indices")
    assert type(out) is gg.return_types.max and type(out).__name__ == "max"
    values, indices = out
    assert values is out.values and indices.dtype == np.int64
    assert repr(out).startswith("glassgrad.return_types.max(\nvalues=tensor([5., 7.]),\nindices=")
    assert type(gg.min(gg.ones(2), 0)) is gg.return_types.min


def test_max_min_of_two_tensors_is_maximum_minimum():
    check_op([(3, 4), (4,)], lambda a, b: gg.max(a, b), lambda a, b: torch.max(a, b))
    check_op([(3, 4), (3, 1)], lambda a, b: a.min(b), lambda a, b: a.min(b))
    check_exact(lambda x: gg.max(x, x * 0 + 3), ties("float32"), lambda x: torch.max(x, x * 0 + 3))


def test_max_min_integers_and_bools():
    for array in (np.array([[1, 5, 3], [7, 7, 0]]), np.array([True, False, True])):
        g, t = gg.from_numpy(array), torch.from_numpy(array)
        for fn in (lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(0), lambda x: x.amin(),
                   lambda x: x.max(0), lambda x: x.min(-1, True)):
            for a, b in zip(*(fn(g), fn(t)) if isinstance(fn(t), tuple) else ([fn(g)], [fn(t)])):
                assert_close(a, b)


# ---- amax / amin ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", NONEMPTY_DIM_CASES + [((0, 3), 1), ((2, 0, 3), (0, 2))], ids=str)
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin(op, shape, dim, keepdim, dtype):
    if dim is None:
        check_op([shape], lambda x: getattr(x, op)(keepdim=keepdim), dtype=dtype)
        dim = ()
    if 0 in shape and dim == (0, 2):
        return
    check_op([shape], lambda x: getattr(x, op)(dim, keepdim), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin_split_ties_evenly(op, dtype):
    for dim in ((), 0, 1, (0, 1), -1):
        for noncontiguous in (False, True):
            check_exact(lambda x: getattr(x, op)(dim, True), ties(dtype, noncontiguous))
    check_exact(lambda x: getattr(x, op)(0), np.array([[1.0, np.nan], [3.0, 2.0]], dtype))  # NaN: nan grads


# ---- argmax / argmin --------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op):
    for array in (ties("float32"), ties("float64", True), np.array([1.0, np.nan, 3.0, np.nan]),
                  np.array([[1, 5, 5], [7, 0, 7]]), np.array(2.0), np.array([[4.0]])):
        g, t = gg.from_numpy(array), torch.from_numpy(array)
        assert_close(getattr(g, op)(), getattr(t, op)())
        assert_close(getattr(g, op)(keepdim=True), getattr(t, op)(keepdim=True))
        for dim in range(-max(array.ndim, 1), max(array.ndim, 1)):
            for keepdim in (False, True):
                assert_close(getattr(g, op)(dim, keepdim), getattr(t, op)(dim, keepdim))
                assert_close(getattr(gg, op)(g, dim=dim), getattr(torch, op)(t, dim=dim))
    with pytest.raises(RuntimeError, match=f"{op}\\(\\): does not support bool input"):
        getattr(gg.tensor([True, False]), op)()
    assert not getattr(gg.ones(3, requires_grad=True), op)().requires_grad


# ---- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin"])
def test_empty_reductions_raise_as_torch(op):
    e, te = gg.zeros(0, 3), torch.zeros(0, 3)
    for call in (lambda f, x: f(x), lambda f, x: f(x, 0)):
        with pytest.raises(Exception) as theirs:
            call(getattr(torch, op), te)
        with pytest.raises(theirs.type, match=str(theirs.value).split(".")[0].replace("(", "\\(")
                           .replace(")", "\\)")):
            call(getattr(gg, op), e)
    assert_close(getattr(gg, op)(e, 1)[0] if op in ("max", "min") else getattr(gg, op)(e, 1),
                 getattr(torch, op)(te, 1)[0] if op in ("max", "min") else getattr(torch, op)(te, 1))


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin", "sort", "argsort"])
def test_dim_out_of_range(op):
    with pytest.raises(IndexError, match=rf"{op}\(\): Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        getattr(gg.ones(2, 3), op)(2)
    if op in ("max", "min", "argmax", "argmin", "sort", "argsort"):
        with pytest.raises(TypeError, match=f"{op}\\(\\): dim must be an int"):
            getattr(gg.ones(2, 3), op)((0, 1))


# ---- sort / argsort / topk --------------------------------------------------------------------

SORTABLE = [TIES, np.array([3.0, 1.0, 3.0, np.nan, 2.0, 1.0, np.nan, 3.0]), np.zeros((0, 3)),
            np.array(2.5), np.array([[1, 3, 1], [2, 2, 0]]), np.array([True, False, True, False])]


@pytest.mark.parametrize("array", SORTABLE, ids=range(len(SORTABLE)))
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_are_stable_as_torch(array, descending):
    g, t = gg.from_numpy(array), torch.from_numpy(array)
    for dim in range(-max(array.ndim, 1), max(array.ndim, 1)):
        for a, b in zip(g.sort(dim, descending), t.sort(dim=dim, descending=descending, stable=True)):
            assert_close(a, b)
        assert_close(gg.argsort(g, dim, descending), torch.argsort(t, dim=dim, descending=descending,
                                                                   stable=True))
        assert_close(g.sort(dim=dim, descending=descending, stable=True).indices,
                     t.sort(dim=dim, descending=descending, stable=True).indices)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sort_gradients(dtype):
    for dim in (0, 1, -1):
        for descending in (False, True):
            for noncontiguous in (False, True):
                check_exact(lambda x: x.sort(dim, descending), ties(dtype, noncontiguous))
    check_op([(3, 5, 2)], lambda x: x.sort(1), dtype=dtype)
    check_op([(0, 3)], lambda x: x.sort(0), dtype=dtype)
    check_op([()], lambda x: x.sort(), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("largest", [True, False])
def test_topk(largest, dtype):
    # Distinct values: which of several tied entries torch's topk returns is unspecified.
    for shape, k, dim in (((6,), 3, 0), ((3, 5), 2, 1), ((3, 5), 3, 0), ((3, 5), 5, -1), ((3, 5), 0, 1),
                          ((4, 3), 1, -2), ((0, 3), 2, 1), ((), 1, 0), ((), 0, -1)):
        check_op([shape], lambda x: x.topk(k, dim, largest), dtype=dtype)
        check_op([shape], lambda x: gg.topk(x, k, dim=dim, largest=largest, sorted=True),
                 lambda x: torch.topk(x, k, dim=dim, largest=largest, sorted=True), dtype=dtype)
    check_op([(5, 4)], lambda x: x.topk(2, 0, largest), dtype=dtype, noncontiguous=True)
    nans = np.array([3.0, np.nan, 1.0, 2.0], dtype)
    check_op([nans], lambda x: x.topk(2, largest=largest))


def test_topk_ties_take_the_lowest_indices():
    out = gg.tensor([3.0, 1.0, 3.0, 2.0, 3.0]).topk(2)
    np.testing.assert_array_equal(out.indices.data, [0, 2])
    assert type(out) is gg.return_types.topk


def test_topk_errors():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        gg.ones(3).topk(4)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        gg.ones(3).topk(-1)
    with pytest.raises(TypeError, match="argument 'k' must be int"):
        gg.ones(3).topk(2.0)
    with pytest.raises(IndexError, match=r"topk\(\): Dimension out of range"):
        gg.ones(3).topk(1, 1)


# ---- gradcheck, hypothesis, names -------------------------------------------------------------

def test_gradcheck_float64():
    x = gg.tensor(np.random.default_rng(0).permutation(12).reshape(3, 4) * 0.37, dtype=gg.float64,
                  requires_grad=True)  # distinct values: away from ties, where max is not differentiable
    for fn in (lambda a: a.max(), lambda a: a.max(1).values, lambda a: a.min(0, True)[0],
               lambda a: a.amax((0, 1)), lambda a: a.amin(1), lambda a: a.sort(1).values * a,
               lambda a: a.sort(0, descending=True)[0], lambda a: a.topk(2, 1).values,
               lambda a: a.topk(2, 0, largest=False).values, lambda a: gg.max(a, a * 0.5 + 1)):
        assert gg.autograd.gradcheck(fn, (x,))


@st.composite
def tied_tensors(draw):
    """Small integer-valued tensors: ties everywhere."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    seed = draw(st.integers(0, 2 ** 16))
    dtype = draw(st.sampled_from(DTYPES))
    array = np.random.default_rng(seed).integers(0, 3, shape).astype(dtype)
    return array, draw(st.integers(-len(shape), len(shape) - 1)), draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(tied_tensors())
def test_ties_property(case):
    """Any tensor full of ties: values, indices and gradients equal torch's exactly."""
    array, dim, keepdim = case
    check_exact(lambda x: x.max(dim, keepdim), array)
    check_exact(lambda x: x.min(dim, keepdim), array)
    check_exact(lambda x: x.amax(dim, keepdim), array)
    check_exact(lambda x: x.amin((dim,), keepdim), array)
    check_exact(lambda x: x.max(), array)
    check_exact(lambda x: x.sort(dim, keepdim), array,  # keepdim doubles as descending here
                lambda x: x.sort(dim=dim, descending=keepdim, stable=True))
    assert_close(gg.from_numpy(array).argmax(dim, keepdim), torch.from_numpy(array).argmax(dim, keepdim))
    assert_close(gg.from_numpy(array).argmin(), torch.from_numpy(array).argmin())


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "argmax", "argmin", "sort", "argsort",
                                  "topk"])
def test_registered_like_torch(name):
    assert hasattr(torch, name) and callable(getattr(gg, name))
    assert getattr(gg.Tensor, name) is getattr(gg, name)


def test_other_keyword_and_indices_owned_by_the_user():
    check_op([(3, 4), (4,)], lambda a, b: gg.max(a, other=b), lambda a, b: torch.max(a, other=b))
    check_op([(3, 4), (4,)], lambda a, b: a.min(other=b), lambda a, b: a.min(other=b))
    x = gg.tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    (values, indices), (sorted_values, order) = x.max(1), x.sort(1)
    indices += 1  # changing the returned indices must not change where the gradient goes
    order.zero_()
    (values.sum() + (sorted_values * gg.tensor([1.0, 10.0])).sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 11.0], [11.0, 1.0]])
