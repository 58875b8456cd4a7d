"""var, std, var_mean, std_mean and norm (ops/moments.py) against torch, forward and backward."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from tests.ops.test_reduce import DIM_CASES, DTYPES, shape_and_dims
from tests.reference import assert_close, check_op

# Both libraries warn when the correction leaves no degrees of freedom; those cases are tested on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")

CORRECTIONS = [0, 1, 2.5]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", DIM_CASES, ids=str)
@pytest.mark.parametrize("op", ["var", "std"])
def test_var_std_over_dims(op, shape, dim, keepdim, dtype):
    for correction in CORRECTIONS:
        check_op([shape], lambda x: getattr(x, op)(dim, keepdim=keepdim, correction=correction),
                 dtype=dtype)
    check_op([shape], lambda x: getattr(x, op)(dim, keepdim=keepdim), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std_noncontiguous(dtype):
    for op in ("var", "std"):
        for dim in (0, 1, (0, 1), None):
            check_op([(4, 5)], lambda x: getattr(x, op)(dim), dtype=dtype, noncontiguous=True)


def test_legacy_unbiased_spellings():
    for op in ("var", "std", "var_mean", "std_mean"):
        for call in (lambda f, x: f(x, 1, True, True), lambda f, x: f(x, False),
                     lambda f, x: f(x, 0, unbiased=False), lambda f, x: f(x, dim=(0, 1), unbiased=True),
                     lambda f, x: f(x, correction=0), lambda f, x: f(x, 1, keepdim=True, correction=2)):
            check_op([(3, 4)], lambda x: call(getattr(gg, op), x), lambda x: call(getattr(torch, op), x))
    with pytest.raises(TypeError, match="either unbiased or correction"):
        gg.ones(3).var(0, unbiased=True, correction=1)
    with pytest.raises(TypeError, match="unbiased must be a bool"):
        gg.ones(3).var(0, 0)


def test_var_mean_returns_a_tuple_with_both_gradients():
    out = gg.var_mean(gg.ones(2, 3), 1)
    assert type(out) is tuple and len(out) == 2
    check_op([(3, 4)], lambda x: gg.var_mean(x, 1), lambda x: torch.var_mean(x, 1))
    check_op([(3, 4)], lambda x: gg.std_mean(x, (0, 1), keepdim=True),
             lambda x: torch.std_mean(x, (0, 1), keepdim=True))


@pytest.mark.parametrize("op", ["var", "std"])
def test_correction_at_or_above_count_gives_inf_nan_as_torch(op):
    """Forward inf (nan where every value is equal); backward by torch's two formulas (with and
    without dim), including its sign quirk for correction above the count."""
    for array in (np.array([[1.0, 2.0, 4.0, 7.0], [3.0, 3.0, 3.0, 3.0]]), np.array([2.0]),
                  np.array(5.0), np.array([[2.0, 3.0]])):
        for correction in (array.size, array.size + 1, 1):
            for dim in (None, 0, -1, tuple(range(array.ndim)) or None):
                check_op([array.astype("float32")],
                         lambda x: getattr(x, op)(dim, correction=correction))


def test_std_gradient_is_zero_where_std_is_zero():
    check_op([np.ones((3, 4), "float32")], lambda x: x.std(1))
    check_op([np.ones((3, 4), "float64")], lambda x: x.std(correction=0))
    x = gg.ones(3, 4, requires_grad=True)
    x.std(1).sum().backward()
    assert not np.any(x.grad.data)


def test_var_of_empty_and_single_elements():
    for shape, dim in (((0,), None), ((0, 3), 0), ((0, 3), 1), ((1,), None), ((1, 3), 0)):
        check_op([shape], lambda x: x.var(dim))
        check_op([shape], lambda x: x.std(dim))


def test_no_degrees_of_freedom_warns_as_torch():
    with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
        gg.ones(1).var()
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
        gg.ones(3, 2).std(1, correction=2)


def test_var_rejects_integers():
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        gg.tensor([1, 2, 3]).var()
    with pytest.raises(IndexError, match=r"std\(\): Dimension out of range"):
        gg.ones(2, 3).std(2)


# ---- norm -------------------------------------------------------------------------------------

ORDERS = ["fro", 2, 1, math.inf, -math.inf, 0, 0.5, 3, -1, 1.5]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2), (1,)], ids=str)
@pytest.mark.parametrize("p", ORDERS, ids=str)
def test_norm(p, dim, keepdim, dtype):
    check_op([(3, 4, 2)], lambda x: x.norm(p, dim, keepdim), dtype=dtype, low=-2, high=2)


def test_norm_keepdim_without_dim_and_defaults():
    check_op([(3, 4)], lambda x: x.norm())
    check_op([(3, 4)], lambda x: gg.norm(x, p=2, dim=1), lambda x: torch.norm(x, p=2, dim=1))
    check_op([(3, 4)], lambda x: x.norm(2, None, True), lambda x: torch.norm(x, 2, None, True))
    check_op([(3, 4)], lambda x: x.norm(dtype=gg.float64), lambda x: x.norm(dtype=torch.float64))
    check_op([(4, 3)], lambda x: x.norm(1, 0), noncontiguous=True)


@pytest.mark.parametrize("p", ORDERS, ids=str)
def test_norm_gradient_at_zero_is_zero(p):
    rows = np.array([[3.0, 0.0, -1.0], [0.0, 0.0, 0.0]], "float32")  # a zero row: norm 0, gradient 0
    check_op([rows], lambda x: x.norm(p, 1))
    check_op([np.zeros((2, 3), "float32")], lambda x: x.norm(p))
    x = gg.zeros(2, 3, requires_grad=True)
    x.norm(p).backward()
    assert np.all(x.grad.data == 0)


def test_norm_inf_splits_ties_exactly_as_torch():
    ties = np.array([[3.0, -3.0, 2.0], [1.0, -1.0, 1.0]], "float32")
    for p in (math.inf, -math.inf):
        for dim in (None, 1):
            g, t = check_op([ties], lambda x: x.norm(p, dim))
    x = gg.tensor(ties, requires_grad=True)
    tx = torch.tensor(ties, requires_grad=True)
    x.norm(math.inf, 1).sum().backward()
    tx.norm(math.inf, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


def test_norm_empty():
    for p in (2, 1, 0, 3):
        check_op([(0, 3)], lambda x: x.norm(p))
        check_op([(0, 3)], lambda x: x.norm(p, 0))
    check_op([(0, 3)], lambda x: x.norm(math.inf, 1))
    with pytest.raises(RuntimeError, match="empty dimension"):
        gg.zeros(0, 3).norm(math.inf)
    with pytest.raises(RuntimeError, match="empty dimension"):
        gg.zeros(0, 3).norm(-math.inf, 0)


def test_norm_errors():
    with pytest.raises(RuntimeError, match="norm\\(\\): expected a floating point tensor"):
        gg.tensor([1, 2]).norm()
    with pytest.raises(RuntimeError, match="order 'abc' not supported"):
        gg.ones(2, 2).norm("abc")
    with pytest.raises(NotImplementedError, match="nuclear norm"):
        gg.ones(2, 2).norm("nuc")
    with pytest.raises(RuntimeError, match="p='fro' takes one dim or two"):
        gg.ones(2, 2, 2).norm("fro", (0, 1, 2))
    with pytest.raises(IndexError, match=r"norm\(\): Dimension out of range"):
        gg.ones(2, 2).norm(2, 2)


def test_long_float32_reductions_across_rows_are_accurate():
    for fn in (lambda x: x.var(0), lambda x: x.std(0, correction=0)):
        check_op([(200000, 4)], fn, low=0.0, high=1.0)
    # torch's vector norm adds rows one at a time here (1e-5 relative off at 2e5 rows): compare with
    # the float64 truth instead.
    array = np.random.default_rng(0).uniform(0, 1, (200000, 4)).astype(np.float32)
    for p in (1, 2, 3):
        truth = torch.from_numpy(array).double().norm(p, 0).float()
        assert_close(gg.from_numpy(array).norm(p, 0), truth)


# ---- gradcheck, hypothesis, names -------------------------------------------------------------

def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.uniform(-2, 2, (3, 4)), dtype=gg.float64, requires_grad=True)
    fns = [lambda a: a.var(1), lambda a: a.std(0, correction=0), lambda a: a.var(correction=2.5),
           lambda a: a.std((0, 1), keepdim=True), lambda a: gg.var_mean(a, 1)[0] * gg.var_mean(a, 1)[1],
           lambda a: gg.std_mean(a, 0)[0] + gg.std_mean(a, 0)[1]]
    fns += [lambda a, p=p: a.norm(p, 1) for p in ("fro", 2, 1, 3, 0.5, 1.5, -1, math.inf, -math.inf)]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (x,))


@settings(max_examples=60, deadline=None)
@given(shape_and_dims(), st.sampled_from([0, 1, 2]), st.sampled_from([2, 1, 3, math.inf]))
def test_moments_property(case, correction, p):
    """Any shape and dim choice: var, std and norm agree with torch in values and gradients."""
    shape, dim, keepdim, dtype = case
    check_op([shape], lambda x: x.var(dim, keepdim=keepdim, correction=correction), dtype=dtype)
    check_op([shape], lambda x: x.std(dim, keepdim=keepdim, correction=correction), dtype=dtype)
    reduced = [shape[d] for d in ((dim,) if isinstance(dim, int) else dim or range(len(shape)))] \
        if shape else []
    if not (p == math.inf and 0 in (reduced if dim is not None else shape)):
        check_op([shape], lambda x: x.norm(p, dim, keepdim), dtype=dtype)


@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean", "norm"])
def test_registered_like_torch(name):
    assert hasattr(torch, name) and callable(getattr(gg, name))
    if name in ("var", "std", "norm"):
        assert getattr(gg.Tensor, name) is getattr(gg, name)
