"""max_pool2d and avg_pool2d against torch: values, indices, gradients; float32 and float64; stride,
padding, dilation, ceil_mode, count_include_pad, divisor_override; ties (the first max gets the
gradient), NaN and -inf windows; batch-last and channels-last memory (a conv's output); errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import glassgrad as gg
from glassgrad.ops.pool import avg_pool2d, max_pool2d
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]

MAX_CASES = [
    # (input, options)
    ((2, 3, 8, 8), {"kernel_size": 2}),                                   # the fast path
    ((2, 3, 9, 7), {"kernel_size": 2}),                                   # floor drops a row, a col
    ((2, 3, 9, 9), {"kernel_size": 3}),
    ((2, 3, 8, 6), {"kernel_size": (2, 3)}),
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),        # overlapping, padded
    ((2, 3, 9, 7), {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1)}),
    ((2, 3, 9, 9), {"kernel_size": 2, "stride": 3}),                      # gaps between windows
    ((2, 3, 9, 9), {"kernel_size": 2, "dilation": 2, "padding": 1}),
    ((2, 3, 9, 8), {"kernel_size": 3, "dilation": (2, 1), "stride": 2}),
    ((2, 3, 9, 7), {"kernel_size": 2, "ceil_mode": True}),
    ((2, 3, 6, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 5, 5), {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 5, 6), {"kernel_size": (5, 6)}),                              # one window per plane
    ((3, 8, 7), {"kernel_size": 2}),                                      # unbatched
    ((3, 8, 7), {"kernel_size": 3, "stride": 1, "padding": 1}),
    ((0, 3, 8, 8), {"kernel_size": 2}),                                   # empty batch
]


def pair(gg_fn, torch_fn, index=None, **options):
    if index is None:
        return lambda x: gg_fn(x, **options), lambda x: torch_fn(x, **options)
    return lambda x: gg_fn(x, **options)[index], lambda x: torch_fn(x, **options)[index]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", MAX_CASES, ids=str)
def test_max_pool2d(shape, options, dtype):
    check_op([shape], *pair(max_pool2d, F.max_pool2d, **options), dtype=dtype)
    check_op([shape], *pair(max_pool2d, F.max_pool2d, return_indices=True, **options), dtype=dtype)


AVG_CASES = MAX_CASES[:7] + [
    ((2, 3, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ((2, 3, 9, 7), {"kernel_size": 2, "ceil_mode": True}),
    ((2, 3, 9, 7), {"kernel_size": 2, "ceil_mode": True, "count_include_pad": False}),
    ((2, 3, 5, 5), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 5, 5), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                    "count_include_pad": False}),
    ((2, 3, 9, 7), {"kernel_size": (3, 2), "stride": 2, "padding": (1, 0), "divisor_override": 5}),
    ((2, 3, 8, 8), {"kernel_size": 2, "divisor_override": 3}),
    ((3, 8, 7), {"kernel_size": 2}),
    ((0, 3, 8, 8), {"kernel_size": 2}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, options", AVG_CASES, ids=str)
def test_avg_pool2d(shape, options, dtype):
    check_op([shape], *pair(avg_pool2d, F.avg_pool2d, **options), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_noncontiguous(dtype):
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}):
        check_op([(2, 3, 8, 7)], *pair(max_pool2d, F.max_pool2d, **options), dtype=dtype,
                 noncontiguous=True)
        check_op([(2, 3, 8, 7)], *pair(avg_pool2d, F.avg_pool2d, **options), dtype=dtype,
                 noncontiguous=True)


LAYOUTS = {"batch-last": (1, 2, 3, 0), "channels-last": (0, 2, 3, 1)}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": (2, 3)},
                                     {"kernel_size": 3, "stride": 2, "padding": 1}], ids=str)
def test_memory_layouts(layout, options):
    """Inputs whose memory is (C, H, W, N) (a conv's output) or (N, H, W, C), with many ties."""
    rng = np.random.default_rng(0)
    order = LAYOUTS[layout]
    mem = np.maximum(np.round(rng.standard_normal([(5, 3, 8, 7)[a] for a in order])), 0)
    x = mem.astype(np.float32).transpose(np.argsort(order))               # (5, 3, 8, 7) view
    assert not x.flags.c_contiguous
    for fn, tfn in ((max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)):
        g = gg.from_numpy(x).requires_grad_()
        t = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_()
        up = rng.standard_normal(tfn(t, **options).shape).astype(np.float32)
        out, t_out = fn(g, **options), tfn(t, **options)
        assert_close(out, t_out)
        out.backward(gg.from_numpy(up))
        t_out.backward(torch.from_numpy(up))
        assert_close(g.grad, t.grad)


@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1},
                                     {"kernel_size": 3, "stride": 2, "padding": 1},
                                     {"kernel_size": 2, "stride": 1, "dilation": 2}], ids=str)
def test_ties_go_to_the_first_max(options):
    """Integer values (ties everywhere) and constant planes: the same index and gradient as torch."""
    rng = np.random.default_rng(0)
    x = np.round(rng.uniform(-1, 1, (2, 2, 6, 7))).astype(np.float32)
    x[1, 1] = 0.0
    check_op([x], *pair(max_pool2d, F.max_pool2d, **options))
    check_op([x], *pair(max_pool2d, F.max_pool2d, index=1, return_indices=True, **options),
             grad=False)


@pytest.mark.parametrize("options", [{"kernel_size": 2}, {"kernel_size": (1, 4)},
                                     {"kernel_size": 3, "stride": 2, "padding": 1}], ids=str)
def test_nan_windows(options):
    """A NaN wins its window (torch keeps the last NaN's index) on both paths."""
    x = np.arange(2 * 6 * 8, dtype=np.float64).reshape(1, 2, 6, 8) % 5
    x[0, 0, 0, 1] = x[0, 0, 0, 3] = x[0, 1, 4, 4] = np.nan
    for return_indices in (False, True):
        g = gg.from_numpy(x).requires_grad_()
        t = torch.from_numpy(x.copy()).requires_grad_()
        out = max_pool2d(g, return_indices=return_indices, **options)
        t_out = F.max_pool2d(t, return_indices=return_indices, **options)
        if return_indices:
            assert_close(out[1], t_out[1])
            out, t_out = out[0], t_out[0]
        assert_close(out, t_out)
        out.sum().backward()
        t_out.sum().backward()
        assert_close(g.grad, t.grad)


def test_windows_of_minus_infinity_name_an_element_inside():
    x = np.full((1, 1, 3, 4), -np.inf, dtype=np.float32)
    x[0, 0, 2, 3] = 1.0
    for options in ({"kernel_size": 2, "stride": 1, "padding": 1},
                    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                    {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}):
        check_op([x], *pair(max_pool2d, F.max_pool2d, index=1, return_indices=True, **options),
                 grad=False)
        check_op([x], *pair(max_pool2d, F.max_pool2d, **options))


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.permutation(60).reshape(1, 3, 4, 5) / 10.0, dtype=gg.float64,
                  requires_grad=True)                                     # distinct: no ties
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                    {"kernel_size": 2, "stride": 1, "dilation": 2, "ceil_mode": True}):
        assert gg.autograd.gradcheck(lambda t: max_pool2d(t, **options), (x,))
    for options in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1,
                                         "ceil_mode": True, "count_include_pad": False}):
        assert gg.autograd.gradcheck(lambda t: avg_pool2d(t, **options), (x,))


def test_graph_names_and_indices_dtype():
    x = gg.randn(1, 2, 4, 4, requires_grad=True)
    out, idx = max_pool2d(x, 2, return_indices=True)
    assert out.grad_fn.name == "max_pool2d" and idx.dtype == gg.int64 and not idx.requires_grad
    assert avg_pool2d(x, 2).grad_fn.name == "avg_pool2d"
    assert gg.max_pool2d is max_pool2d
    with gg.no_grad():
        assert max_pool2d(x, 2).grad_fn is None


def x4():
    return gg.zeros(2, 3, 8, 8)


ERRORS = [
    (lambda: max_pool2d(gg.zeros(8, 8), 2), "Expected 3D or 4D"),
    (lambda: max_pool2d(gg.zeros(2, 0, 8, 8), 2), r"but got: \[2, 0, 8, 8\]"),
    (lambda: avg_pool2d(gg.zeros(2, 3, 0, 8), 2), "Expected 3D or 4D"),
    (lambda: max_pool2d(x4(), 3, padding=2), "pad should be at most half of effective kernel size, "
                                             "but got pad=2, kernel_size=3 and dilation=1"),
    (lambda: max_pool2d(x4(), 2, padding=2, dilation=3),
     "pad should be smaller than or equal to half of kernel size"),
    (lambda: avg_pool2d(x4(), (3, 5), padding=(1, 3)), "pad=3, kernel_size=5"),
    (lambda: max_pool2d(x4(), 9), r"Given input size: \(3x8x8\). Calculated output size: \(3x0x0\). "
                                  r"Output size is too small"),
    (lambda: avg_pool2d(x4(), 9), "Output size is too small"),
    (lambda: max_pool2d(x4(), 0), "kernel size should be greater than zero"),
    (lambda: max_pool2d(x4(), 2, stride=0), "stride should not be zero"),
    (lambda: avg_pool2d(x4(), 2, stride=-1), "stride should be greater than zero"),
    (lambda: max_pool2d(x4(), 2, dilation=0), "dilation should be greater than zero"),
    (lambda: max_pool2d(x4(), 2, padding=-1), "pad must be non-negative"),
    (lambda: max_pool2d(x4(), (2, 3, 4)), "kernel_size must either be a single int, or a tuple of two"),
    (lambda: max_pool2d(x4(), 2, stride=(1, 2, 3)), "stride must either be omitted"),
    (lambda: avg_pool2d(x4(), 2, divisor_override=0), "divisor must be not zero"),
    (lambda: max_pool2d(gg.zeros(2, 3, 8, 8, dtype=gg.int64), 2), "floating point"),
]


@pytest.mark.parametrize("fn, match", ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_errors(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()


def test_type_errors():
    with pytest.raises(TypeError, match="kernel_size"):
        max_pool2d(x4(), 2.0)
    with pytest.raises(TypeError, match="must be Tensor"):
        avg_pool2d(np.zeros((2, 3, 4, 4)), 2)


def test_stride_default_and_empty():
    """stride=None and stride=[] both mean the kernel size, as in torch."""
    x = gg.randn(1, 2, 6, 6)
    for stride in (None, [], ()):
        assert max_pool2d(x, 3, stride=stride).shape == (1, 2, 2, 2)
        assert avg_pool2d(x, 3, stride=stride).shape == (1, 2, 2, 2)
