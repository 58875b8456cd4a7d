"""softmax, log_softmax, dropout and embedding against torch: values, gradients, extremes, randomness."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops._rows import last_max, last_sum
from glassgrad.ops.nn import dropout, embedding, log_softmax, softmax
from tests.ops.nn_helpers import DTYPES, GF, TF, check, const, float64_inputs
from tests.reference import assert_close

SOFTMAX_CASES = [((6, 5), 1), ((6, 5), 0), ((6, 5), -1), ((2, 3, 4), 1), ((7,), 0), ((), 0), ((0, 3), 1),
                 ((0, 3), 0), ((3, 1), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", SOFTMAX_CASES, ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family(name, shape, dim, dtype):
    check([shape], lambda F, x: getattr(F, name)(x, dim), dtype=dtype, low=-5, high=5)
    check([shape], lambda F, x: getattr(x, name)(dim), dtype=dtype, low=-5, high=5)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_noncontiguous_and_dtype_argument(name):
    check([(4, 6)], lambda F, x: getattr(F, name)(x, 1), noncontiguous=True)
    check([(4, 6)], lambda F, x: getattr(F, name)(x, 0, dtype=gg.float64 if F is GF else torch.float64))
    # torch.softmax(x, dim, dtype) takes the dtype third; the Tensor method takes it as a keyword.
    g = gg.randn(3, 4)
    t = torch.from_numpy(g.data.copy())
    assert_close(getattr(gg, name)(g, 1, gg.float64), getattr(torch, name)(t, 1, torch.float64))
    assert_close(getattr(g, name)(1, dtype=gg.float64), getattr(t, name)(1, dtype=torch.float64))
    assert_close(getattr(gg, name)(gg.tensor([1, 2, 3]), 0, dtype=gg.float32),
                 getattr(torch, name)(torch.tensor([1, 2, 3]), 0, dtype=torch.float32))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_extremes(name):
    big = np.array([[1000.0, 0.0, -1000.0], [88.0, 89.0, 90.0], [-1e30, 1e30, 0.0], [-np.inf, 0.0, 1.0],
                    [-5.0, 0.0, 1000.0]], dtype=np.float32)
    check([big], lambda F, x: getattr(F, name)(x, 1))
    check([big.astype(np.float64)], lambda F, x: getattr(F, name)(x, 1), dtype="float64")
    # A row of only -inf (a fully masked row) is NaN, as in torch, without a warning.
    with np.errstate(all="raise"):
        out = getattr(gg, name)(gg.tensor([[-np.inf, -np.inf], [0.0, 1.0]]), 1)
    assert np.isnan(out.data[0]).all() and np.isfinite(out.data[1]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("spread", [1.0, 39.0, 45.0, 1000.0])
@pytest.mark.parametrize("dim", [-1, 1])
def test_softmax_on_big_arrays_any_spread(spread, dim, dtype):
    # From 4096 values one shift serves every row while all values lie within 40 of the maximum, else each
    # row's max: both sides of that line, over the last and a middle dim.
    x = np.random.default_rng(0).uniform(-spread / 2, spread / 2, (8, 32, 64))
    x[0, 0, 0], x[1, 2, 3] = -spread / 2, spread / 2  # the spread exactly
    check([x.astype(dtype)], lambda F, a: F.softmax(a, dim), dtype=dtype)


def test_softmax_on_big_arrays_with_inf_and_nan():
    x = np.random.default_rng(1).standard_normal((64, 128)).astype(np.float32)
    x[3, :5], x[7, :] = -np.inf, -np.inf  # masked entries, and a fully masked row (NaN as in torch)
    check([x], lambda F, a: F.softmax(a, -1))
    x[9, 1] = np.nan
    ours, theirs = softmax(gg.from_numpy(x), -1).data, torch.softmax(torch.from_numpy(x), -1).numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("width", [0, 1, 2, 3, 10, 16, 17, 40])
def test_row_reductions_match_numpy(width):
    rng = np.random.default_rng(width)
    a = rng.normal(0, 100, (3, 5, width)).astype(np.float32)
    if width:
        a[0, 0, -1], a[0, 1, 0], a[1, 0] = 1e38, np.nan, -np.inf  # a huge last entry, a NaN, an -inf row
    np.testing.assert_array_equal(last_max(a), a.max(axis=-1, initial=-np.inf))
    np.testing.assert_allclose(last_sum(a[2]), a[2].sum(axis=-1), rtol=1e-5, atol=1e-3)


def test_softmax_implicit_dim_warns_like_torch():
    x = gg.randn(2, 3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = softmax(x)
    with pytest.warns(UserWarning):
        expected = TF.softmax(torch.from_numpy(x.data.copy()))
    assert_close(out, expected)


def test_softmax_errors():
    with pytest.raises(IndexError, match=r"softmax: Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        softmax(gg.randn(2, 3), 2)
    with pytest.raises(NotImplementedError, match="int64"):
        log_softmax(gg.tensor([1, 2]), 0)


def test_softmax_gradcheck_float64():
    (x,) = float64_inputs((3, 4))
    assert gg.autograd.gradcheck(lambda a: softmax(a, 1), (x,))
    assert gg.autograd.gradcheck(lambda a: log_softmax(a, 0), (x,))


# ---- dropout ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p, dtype):
    gg.manual_seed(0)
    x = gg.ones(200_000, dtype=dtype, requires_grad=True)
    y = dropout(x, p)
    assert y.dtype == x.dtype
    zeroed = (y.data == 0).mean()
    assert abs(zeroed - p) < 5 * np.sqrt(p * (1 - p) / x.numel())  # 5 standard errors
    np.testing.assert_allclose(y.data[y.data != 0], 1 / (1 - p), rtol=1e-6)
    assert abs(y.data.mean() - 1) < 5 * np.sqrt(p / (1 - p) / x.numel())  # the mean is preserved
    upstream = np.random.default_rng(0).standard_normal(x.shape).astype(dtype)
    y.backward(gg.from_numpy(upstream))
    np.testing.assert_array_equal(x.grad.data, upstream * y.data)  # grad = upstream * mask / (1 - p)


def test_dropout_is_reproducible_under_manual_seed():
    x = gg.randn(64, 32)
    gg.manual_seed(123)
    first = dropout(x, 0.3).data
    second = dropout(x, 0.3).data
    gg.manual_seed(123)
    np.testing.assert_array_equal(dropout(x, 0.3).data, first)
    assert not np.array_equal(first, second)


def test_dropout_edges():
    x = gg.randn(5, 4, requires_grad=True)
    assert dropout(x, 0.5, training=False) is x
    check([(5, 4)], lambda F, a: F.dropout(a, 0.0))
    check([(5, 4)], lambda F, a: F.dropout(a, 1.0))
    check([(0, 4)], lambda F, a: F.dropout(a, 0.5))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
            dropout(x, p)
    with pytest.raises(RuntimeError, match="floating point"):
        dropout(gg.tensor([1, 2]), 0.5)


def test_dropout_inplace():
    x = gg.ones(1000)
    gg.manual_seed(0)
    out = dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.data)) == {0.0, 2.0}
    leaf = gg.ones(3, requires_grad=True)
    state = gg.backend.default_generator.get_state()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        dropout(leaf, 0.5, inplace=True)
    assert gg.backend.default_generator.get_state() == state  # refused before drawing a mask
    hidden = leaf * 3
    dropout(hidden, 0.5, inplace=True).sum().backward()
    np.testing.assert_array_equal(leaf.grad.data, np.where(hidden.data != 0, 6.0, 0.0))  # 3 * mask * 2


def test_top_level_names_match_torch():
    for name in ("softmax", "log_softmax", "dropout", "layer_norm", "batch_norm", "embedding"):
        assert hasattr(torch, name) and getattr(gg, name) is getattr(GF, name)
    for name in ("cross_entropy", "nll_loss", "scaled_dot_product_attention"):
        assert not hasattr(gg, name) and callable(getattr(GF, name))


# ---- embedding --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_shape", [(7,), (3, 4), (2, 2, 3), (), (0, 2)], ids=str)
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding(index_shape, padding_idx, dtype):
    index = np.random.default_rng(0).integers(0, 6, index_shape)
    check([(6, 3)], lambda F, w: F.embedding(const(F, index), w, padding_idx=padding_idx), dtype=dtype)


@pytest.mark.parametrize("rows", [10, 300])  # both scatter-add strategies: one-hot product, np.add.at
def test_embedding_repeated_indices_accumulate(rows):
    index = np.random.default_rng(1).integers(0, rows, (16, 40)).astype(np.int32)
    check([(rows, 8)], lambda F, w: F.embedding(const(F, index), w))
    check([(rows, 8)], lambda F, w: F.embedding(const(F, index), w, scale_grad_by_freq=True, padding_idx=0))


def test_embedding_infinite_gradient_stays_in_its_row():
    w = gg.zeros(5, 2, requires_grad=True)
    out = embedding(gg.tensor([1, 3]), w)
    out.backward(gg.tensor([[np.inf, 1.0], [2.0, 3.0]]))
    assert np.isinf(w.grad.data[1, 0]) and np.isfinite(np.delete(w.grad.data, 1, axis=0)).all()


def test_embedding_max_norm_renormalizes_rows_in_place():
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 3, (6, 4)).astype(np.float32)
    index = np.array([[0, 2, 2], [5, 1, 0]])
    for norm_type in (2.0, 1.0):
        g = gg.tensor(weights.copy(), requires_grad=True)
        t = torch.tensor(weights.copy(), requires_grad=True)
        g_out = embedding(gg.tensor(index), g, max_norm=1.5, norm_type=norm_type)
        t_out = TF.embedding(torch.tensor(index), t, max_norm=1.5, norm_type=norm_type)
        assert_close(g_out, t_out)
        assert_close(g, t, what="renormalized table")  # rows 3 and 4 untouched, like torch
        g_out.sum().backward()
        t_out.sum().backward()
        assert_close(g.grad, t.grad)


def test_embedding_errors():
    w = gg.randn(10, 3, requires_grad=True)
    with pytest.raises(IndexError, match=r"index 10 is out of range for a table of 10 rows"):
        embedding(gg.tensor([1, 10]), w)
    with pytest.raises(IndexError, match=r"index -1 is out of range for a table of 10 rows"):
        embedding(gg.tensor([[1, -1]]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        embedding(gg.tensor([1.0, 2.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        embedding(gg.tensor([1]), w, padding_idx=10)
    with pytest.raises(RuntimeError, match=r"'weight' must be 2-D, got shape \(10,\)"):
        embedding(gg.tensor([1]), gg.randn(10))
    assert w.grad is None


def test_embedding_gradcheck_float64():
    (w,) = float64_inputs((5, 3))
    index = gg.tensor([[0, 4, 4], [2, 0, 1]])
    assert gg.autograd.gradcheck(lambda a: embedding(index, a) * 1.5, (w,))  # (padding_idx is torch's
    # deliberate exception to the true gradient, so it is checked against torch above, not here)
