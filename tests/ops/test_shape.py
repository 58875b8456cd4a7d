"""Shape ops against torch: values and gradients, float32/float64, size-1, zero-size and non-contiguous
inputs, negative dims; errors; gradcheck."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.reference import check_op

DTYPES = ["float32", "float64"]


def both(fn):
    """``fn(lib, *tensors)`` as a (glassgrad, torch) pair for check_op."""
    return (lambda *xs: fn(gg, *xs)), (lambda *xs: fn(torch, *xs))


# name: (input shape, fn(lib, x)); every case also runs on a zero-size and a non-contiguous input below
CASES = {
    "reshape": ((2, 3, 4), lambda m, x: x.reshape(4, -1)),
    "reshape_tuple": ((2, 3, 4), lambda m, x: x.reshape((6, 2, 2))),
    "reshape_0d": ((1, 1), lambda m, x: x.reshape(())),
    "torch.reshape": ((2, 3, 4), lambda m, x: m.reshape(x, (-1,))),
    "view": ((2, 3, 4), lambda m, x: x.view(3, 8)),
    "view_list": ((2, 3, 4), lambda m, x: x.view([2, -1])),
    "flatten": ((2, 3, 4), lambda m, x: x.flatten()),
    "flatten_1": ((2, 3, 4), lambda m, x: x.flatten(1)),
    "flatten_mid": ((2, 3, 4, 1), lambda m, x: m.flatten(x, -3, -2)),
    "flatten_same": ((2, 3), lambda m, x: x.flatten(1, 1)),
    "flatten_0d": ((), lambda m, x: x.flatten()),
    "unflatten": ((2, 12), lambda m, x: x.unflatten(1, (3, -1))),
    "unflatten_neg": ((2, 12), lambda m, x: m.unflatten(x, -1, (2, 2, 3))),
    "squeeze_all": ((1, 3, 1, 2), lambda m, x: x.squeeze()),
    "squeeze_dim": ((1, 3, 1, 2), lambda m, x: x.squeeze(-2)),
    "squeeze_not_one": ((1, 3, 1, 2), lambda m, x: x.squeeze(1)),
    "squeeze_tuple": ((1, 3, 1, 2), lambda m, x: m.squeeze(x, (0, 2, 3))),
    "unsqueeze": ((2, 3), lambda m, x: x.unsqueeze(1)),
    "unsqueeze_end": ((2, 3), lambda m, x: x.unsqueeze(-1)),
    "unsqueeze_front": ((2, 3), lambda m, x: m.unsqueeze(x, -3)),
    "transpose": ((2, 3, 4), lambda m, x: x.transpose(0, 2)),
    "transpose_neg": ((2, 3, 4), lambda m, x: m.transpose(x, -1, -2)),
    "swapaxes": ((2, 3, 4), lambda m, x: x.swapaxes(0, 1)),
    "swapdims": ((2, 3, 4), lambda m, x: m.swapdims(x, 1, 2)),
    "permute_varargs": ((2, 3, 4), lambda m, x: x.permute(2, 0, 1)),
    "permute_tuple": ((2, 3, 4), lambda m, x: m.permute(x, (1, -1, 0))),
    "T_2d": ((3, 4), lambda m, x: x.T),
    "mT": ((2, 3, 4), lambda m, x: x.mT),
    "t": ((3, 4), lambda m, x: x.t()),
    "torch.t_vector": ((3,), lambda m, x: m.t(x) * 2),
    "view_as": ((2, 3, 4), lambda m, x: x.view_as(m.zeros(4, 6))),
    "reshape_as": ((2, 3, 4), lambda m, x: x.transpose(0, 1).reshape_as(m.zeros(24))),
    "expand": ((3, 1), lambda m, x: x.expand(3, 4)),
    "expand_keep": ((3, 1), lambda m, x: x.expand(2, -1, 5)),
    "expand_list": ((1, 3), lambda m, x: x.expand([4, 3])),
    "expand_as": ((1, 3), lambda m, x: x.expand_as(m.zeros(2, 2, 3))),
    "repeat": ((2, 3), lambda m, x: x.repeat(2, 3)),
    "repeat_new_dims": ((2, 3), lambda m, x: x.repeat(2, 1, 2)),
    "repeat_tuple": ((2, 1), lambda m, x: x.repeat((1, 4))),
    "contiguous": ((3, 4), lambda m, x: x.transpose(0, 1).contiguous() * 2),
    "clone": ((3, 4), lambda m, x: x.clone()),
    "torch.clone": ((3, 4), lambda m, x: m.clone(x) * x),
    "flip": ((2, 3, 4), lambda m, x: x.flip(0, -1)),
    "torch.flip": ((2, 3, 4), lambda m, x: m.flip(x, (1,))),
    "chain": ((2, 3, 4), lambda m, x: x.permute(2, 0, 1).reshape(4, 6).T.unsqueeze(0).flip(2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_against_torch(name, dtype):
    shape, fn = CASES[name]
    check_op([shape], *both(fn), dtype=dtype)


@pytest.mark.parametrize("name", [n for n, (s, _) in CASES.items() if len(s) >= 2 and "view" not in n])
def test_noncontiguous_input(name):  # torch's view refuses such inputs; see test_view_copies_when_it_must
    shape, fn = CASES[name]
    check_op([shape], *both(fn), noncontiguous=True)


ZERO_SIZE = {
    "reshape": ((0, 3), lambda m, x: x.reshape(3, 0)),
    "reshape_infer": ((0, 3), lambda m, x: x.reshape(-1, 3)),
    "flatten": ((2, 0, 3), lambda m, x: x.flatten(1)),
    "unflatten": ((2, 0), lambda m, x: x.unflatten(1, (0, 5))),
    "squeeze": ((1, 0, 1), lambda m, x: x.squeeze()),
    "unsqueeze": ((0,), lambda m, x: x.unsqueeze(0)),
    "transpose": ((0, 3), lambda m, x: x.transpose(0, 1)),
    "permute": ((2, 0, 3), lambda m, x: x.permute(2, 0, 1)),
    "expand": ((0, 1), lambda m, x: x.expand(0, 4)),
    "expand_to_zero": ((3, 1), lambda m, x: x.expand(3, 0)),
    "repeat": ((0, 2), lambda m, x: x.repeat(3, 2)),
    "repeat_zero": ((2, 2), lambda m, x: x.repeat(0, 2)),
    "flip": ((0, 3), lambda m, x: x.flip(0, 1)),
    "clone": ((0,), lambda m, x: x.clone()),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ZERO_SIZE)
def test_zero_size(name, dtype):
    shape, fn = ZERO_SIZE[name]
    check_op([shape], *both(fn), dtype=dtype)


def test_T_reverses_all_dims_as_torch():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch deprecates .T on ndim != 2
        for shape in [(2, 3, 4), (3,), ()]:
            check_op([shape], lambda x: x.T)


def test_views_share_memory_and_integer_tensors_work():
    x = gg.arange(24).reshape(2, 3, 4)
    assert x.dtype == np.int64 and not x.requires_grad
    for y in (x.view(6, 4), x.transpose(0, 1), x.permute(2, 0, 1), x.unsqueeze(0), x.expand(5, 2, 3, 4),
              x.flip(1), x.mT, x.squeeze()):
        assert np.shares_memory(y.data, x.data)
    assert not np.shares_memory(x.clone().data, x.data)
    assert x.contiguous() is x and x.is_contiguous() and not x.mT.is_contiguous()
    np.testing.assert_array_equal(x.repeat(1, 2, 1).data, np.tile(x.data, (1, 2, 1)))


def test_view_copies_when_it_must():
    # A deliberate deviation: contiguous() is a no-op here, so view() cannot refuse a non-contiguous input.
    x = gg.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(x.T.view(-1).data, torch.arange(6).reshape(2, 3).T.reshape(-1).numpy())


def test_noops_return_the_input():
    x = gg.ones(2, 3, requires_grad=True)
    assert x.squeeze() is x and x.expand(2, 3) is x and x.flip(()) is x and x.flatten(1) is x


def test_op_names_on_the_graph():
    x = gg.ones(2, 3, requires_grad=True)
    names = [x.view(-1), x.flatten(), x.unsqueeze(0), x.unsqueeze(0).squeeze(0), x.T, x.permute(1, 0),
             x.expand(2, 2, 3), x.repeat(1, 2), x.clone(), x.flip(0)]
    assert [t.grad_fn.name for t in names] == [
        "view", "flatten", "unsqueeze", "squeeze", "transpose", "permute", "expand", "repeat", "clone",
        "flip"]


ERRORS = [
    (lambda x: x.reshape(2, 5), RuntimeError, r"^reshape: shape '\[2, 5\]' is invalid for input of size "
                                              r"24 \(input shape \[2, 3, 4\]\)$"),
    (lambda x: x.view(-1, 5), RuntimeError, r"^view: shape '\[-1, 5\]' is invalid for input of size 24"),
    (lambda x: x.reshape(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda x: x.reshape(-2, 12), RuntimeError, "invalid shape dimension -2"),
    (lambda x: x.reshape(2.0, 12), TypeError, "reshape"),
    (lambda x: x.flatten(2, 1), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda x: x.flatten(3), IndexError, r"flatten: Dimension out of range \(expected to be in range of "
                                         r"\[-3, 2\], but got 3\)"),
    (lambda x: x.unflatten(1, (2, -1)), RuntimeError, "don't multiply up to the size of dim 1"),
    (lambda x: x.unflatten(1, (2, 2)), RuntimeError, "don't multiply up"),
    (lambda x: x.unflatten(1, ()), RuntimeError, "sizes must be non-empty"),
    (lambda x: x.squeeze(3), IndexError, "Dimension out of range"),
    (lambda x: x.squeeze((0, 0)), RuntimeError, "dim 0 appears multiple times"),
    (lambda x: x.unsqueeze(4), IndexError, r"\[-4, 3\], but got 4"),
    (lambda x: x.transpose(0, 3), IndexError, r"transpose: Dimension out of range .* got 3"),
    (lambda x: x.permute(0, 1), RuntimeError, "input.dim\\(\\) = 3 is not equal to len\\(dims\\) = 2"),
    (lambda x: x.permute(0, 1, 1), RuntimeError, "duplicate dims are not allowed"),
    (lambda x: x.permute(0, 1, 5), IndexError, "Dimension out of range"),
    (lambda x: x.sum(0).sum(0).mT, RuntimeError, "mT is only supported on matrices"),
    (lambda x: x.t(), RuntimeError, r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda x: x.expand(2, 4, 4), RuntimeError, r"The expanded size of the tensor \(4\) must match the "
                                                r"existing size \(3\) at non-singleton dimension 1"),
    (lambda x: x.expand(3, 4), RuntimeError, "number of sizes provided \\(2\\) must be greater or equal"),
    (lambda x: x.expand(-1, 2, 3, 4), RuntimeError, "isn't allowed in a leading, non-existing dimension 0"),
    (lambda x: x.repeat(2, 2), RuntimeError, "repeat dims can not be smaller"),
    (lambda x: x.repeat(1, -1, 1), RuntimeError, "negative dimension"),
    (lambda x: x.flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda x: x.flip(3), IndexError, "Dimension out of range"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS)
def test_errors_match_torch(fn, error, match):
    with pytest.raises(error, match=match):
        fn(gg.zeros(2, 3, 4))
    with pytest.raises(error):  # torch raises the same type
        fn(torch.zeros(2, 3, 4))


def test_failed_op_changes_nothing():
    x = gg.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError):
        x.reshape(4, 2)
    assert x.shape == (2, 3) and x.grad is None and x.grad_fn is None


def test_zero_dim_transpose_and_permute():
    check_op([()], lambda x: x.transpose(0, -1) * 2)
    check_op([()], lambda x: x.permute(()) * 2)
    check_op([()], lambda x: x.unsqueeze(0).expand(3))


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.standard_normal((2, 3, 1)), dtype=gg.float64, requires_grad=True)
    fns = [lambda a: a.permute(2, 0, 1).reshape(3, 2) * a.squeeze(-1).T,
           lambda a: a.expand(2, 3, 4).flip(1, 2) * a.repeat(1, 1, 4),
           lambda a: a.transpose(0, 1).flatten().unflatten(0, (3, 2)).unsqueeze(0).clone().mT]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (x,))
