"""conv2d and conv1d against torch: forward and the gradients of input, weight and bias; float32 and
float64; every option (stride, padding incl. 'same' with even kernels, dilation, groups, no bias,
non-square kernels, unbatched, empty batch); memory layouts; gradcheck; errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

import glassgrad as gg
from glassgrad.ops.conv import conv1d, conv2d
from glassgrad.ops.pool import max_pool2d
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")

# A float32 conv output sums C*kh*kw products and a weight gradient N*OH*OW of them: wider than one
# op's round-off, so float32 checks use scale=10 (float64 stays at round-off with the same scale).
SCALE = 10


def run(shapes, dtype, gg_fn, torch_fn, **kwargs):
    """check_op for a conv: ``shapes`` are (input, weight[, bias])."""
    return check_op(shapes, gg_fn, torch_fn, dtype=dtype, scale=SCALE, **kwargs)


def conv2d_pair(**options):
    return (lambda x, w, b=None: conv2d(x, w, b, **options),
            lambda x, w, b=None: F.conv2d(x, w, b, **options))


CONV2D_CASES = [
    # (input, weight, options)
    ((2, 3, 7, 8), (4, 3, 3, 3), {}),
    ((2, 3, 7, 8), (4, 3, 3, 3), {"stride": 2}),
    ((2, 3, 7, 8), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 7, 8), (4, 3, 2, 3), {"padding": (1, 2), "stride": (2, 1)}),
    ((2, 3, 9, 8), (4, 3, 3, 2), {"dilation": (2, 1), "padding": (2, 0)}),
    ((2, 3, 9, 9), (5, 3, 3, 3), {"stride": (2, 3), "padding": 2, "dilation": 2}),
    ((1, 2, 6, 7), (3, 2, 4, 5), {}),                                  # non-square, odd sizes
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 6, 7), (4, 3, 2, 2), {"padding": "same"}),                 # even: extra pad after
    ((2, 3, 6, 7), (4, 3, 4, 3), {"padding": "same", "dilation": (1, 2)}),
    ((2, 3, 6, 7), (4, 3, 2, 2), {"padding": "same", "dilation": 3}),
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "valid"}),
    ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 7, 6), (8, 1, 3, 3), {"groups": 4, "padding": 1, "stride": 2}),   # depthwise, x2
    ((2, 6, 5, 5), (3, 2, 2, 2), {"groups": 3, "dilation": 2}),
    ((2, 3, 5, 6), (4, 3, 1, 1), {}),                                  # 1x1: patches are the input
    ((2, 3, 5, 6), (4, 3, 1, 1), {"stride": 2, "padding": 1}),
    ((2, 3, 5, 6), (4, 3, 5, 6), {}),                                  # kernel = input: 1x1 output
    ((2, 3, 3, 3), (4, 3, 5, 5), {"padding": 1}),                      # kernel = padded input
    ((3, 1, 6, 6), (2, 1, 3, 3), {"padding": 1}),                      # one input channel
    ((3, 7, 8), (4, 3, 3, 3), {"padding": 1}),                         # unbatched
    ((4, 7, 8), (6, 2, 2, 3), {"groups": 2, "padding": "same"}),       # unbatched, groups
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, options", CONV2D_CASES, ids=str)
def test_conv2d(x_shape, w_shape, options, bias, dtype):
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if bias else [])
    run(shapes, dtype, *conv2d_pair(**options))


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_empty_batch(dtype):
    g, t = run([(0, 3, 6, 6), (4, 3, 3, 3), (4,)], dtype, *conv2d_pair(padding=1))
    assert g[0].shape == (0, 4, 6, 6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_noncontiguous(dtype):
    """Transposed views for the input and the weight (swapped last two axes), with a bias."""
    run([(2, 3, 7, 6), (4, 3, 3, 2), (4,)], dtype, *conv2d_pair(padding=(1, 0), stride=(1, 2)),
        noncontiguous=True)
    run([(2, 4, 6, 6), (4, 2, 3, 3)], dtype, *conv2d_pair(groups=2), noncontiguous=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_stack_keeps_layout_correct(dtype):
    """conv -> relu -> pool -> conv: the second conv and the pool read the first conv's batch-last
    output memory, and gradients flow back through that layout."""
    def stack(conv, pool):
        def fn(x, w1, b1, w2):
            h = pool(conv(x, w1, b1, padding=1).relu(), 2)
            return conv(h, w2, None, stride=2, padding=1) * 2.0
        return fn
    run([(3, 2, 8, 8), (4, 2, 3, 3), (4,), (5, 4, 3, 3)], dtype,
        stack(conv2d, max_pool2d), stack(F.conv2d, F.max_pool2d))


CONV1D_CASES = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 3, 9), (4, 3, 2), {"padding": "same", "dilation": 3}),
    ((2, 3, 9), (4, 3, 4), {"padding": "same"}),
    ((2, 4, 9), (6, 2, 3), {"groups": 2, "dilation": 2, "padding": (2,)}),
    ((2, 4, 9), (4, 1, 5), {"groups": 4, "padding": "same"}),
    ((3, 9), (4, 3, 3), {"padding": 1}),                                 # unbatched
    ((0, 3, 9), (4, 3, 3), {}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, options", CONV1D_CASES, ids=str)
def test_conv1d(x_shape, w_shape, options, bias, dtype):
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if bias else [])
    run(shapes, dtype, lambda x, w, b=None: conv1d(x, w, b, **options),
        lambda x, w, b=None: F.conv1d(x, w, b, **options))


def test_conv1d_noncontiguous():
    run([(2, 5, 3), (4, 3, 3)], "float32", lambda x, w: conv1d(x.transpose(1, 2), w, padding=1),
        lambda x, w: F.conv1d(x.transpose(1, 2), w, padding=1))


@pytest.mark.parametrize("needs", [(False, True, True), (True, False, False), (True, True, False)])
def test_only_the_gradients_asked_for(needs):
    """A first layer (input without grad) and a frozen layer (weight without grad) get exactly the
    gradients torch gives, and None for the rest."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 6, 6), (4, 3, 3, 3), (4,))]
    g_in = [gg.from_numpy(a).requires_grad_(n) for a, n in zip(arrays, needs)]
    t_in = [torch.from_numpy(a).requires_grad_(n) for a, n in zip(arrays, needs)]
    up = rng.standard_normal((2, 4, 6, 6)).astype(np.float32)
    conv2d(*g_in, padding=1).backward(gg.from_numpy(up))
    F.conv2d(*t_in, padding=1).backward(torch.from_numpy(up))
    for g, t in zip(g_in, t_in):
        if t.grad is None:
            assert g.grad is None
        else:
            assert_close(g.grad, t.grad, scale=SCALE)


def test_no_grad_and_dtypes():
    x, w = gg.randn(2, 3, 5, 5, requires_grad=True), gg.randn(4, 3, 3, 3, requires_grad=True)
    with gg.no_grad():
        y = conv2d(x, w)
    assert y.grad_fn is None and not y.requires_grad and y.dtype == gg.float32
    y = conv2d(x.double(), w.double())
    assert y.dtype == gg.float64 and y.grad_fn.name == "conv2d"
    assert conv1d(gg.randn(2, 3, 5), gg.randn(4, 3, 3)).dtype == gg.float32


def test_double_backward_with_retained_graph_accumulates():
    x, w = gg.randn(2, 3, 5, 5, requires_grad=True), gg.randn(4, 3, 3, 3, requires_grad=True)
    tx, tw = torch.from_numpy(x.numpy()).requires_grad_(), torch.from_numpy(w.numpy()).requires_grad_()
    y, ty = conv2d(x, w, padding=1).sum(), F.conv2d(tx, tw, padding=1).sum()
    y.backward(retain_graph=True)
    y.backward()
    ty.backward(retain_graph=True)
    ty.backward()
    assert_close(x.grad, tx.grad, scale=SCALE)
    assert_close(w.grad, tw.grad, scale=SCALE)


def test_gradcheck_float64():
    rng = np.random.default_rng(0)

    def t(*shape):
        return gg.tensor(rng.standard_normal(shape), dtype=gg.float64, requires_grad=True)
    x, w, b = t(1, 4, 5, 4), t(4, 2, 2, 3), t(4)
    assert gg.autograd.gradcheck(
        lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
        (x, w, b))
    assert gg.autograd.gradcheck(lambda x, w: conv2d(x, w, padding="same"), (t(1, 2, 4, 4), t(2, 2, 2, 2)))
    assert gg.autograd.gradcheck(lambda x, w, b: conv1d(x, w, b, stride=2, padding=1),
                                 (t(2, 2, 5), t(3, 2, 3), t(3)))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 2), st.integers(1, 2), st.integers(0, 2), st.integers(1, 2), st.booleans())
def test_conv2d_property(n, groups, cg, og, h, w, kh, kw, sh, dh, pad, dw, bias):
    """Random geometries: glassgrad raises exactly when torch does, else agrees with it."""
    shapes = [(n, cg * groups, h, w), (og * groups, cg, kh, kw)] + ([(og * groups,)] if bias else [])
    options = dict(stride=(sh, 1), padding=(pad, 1), dilation=(dh, dw), groups=groups)
    try:
        F.conv2d(*[torch.zeros(s) for s in shapes], **options)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            conv2d(*[gg.zeros(*s) for s in shapes], **options)
        return
    run(shapes, "float64", *conv2d_pair(**options))


ERRORS = [
    (lambda: conv2d(gg.zeros(3, 8), gg.zeros(4, 3, 3, 3)), RuntimeError,
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[3, 8\]"),
    (lambda: conv2d(gg.zeros(1, 2, 3, 8, 8), gg.zeros(4, 3, 3, 3)), RuntimeError, "4D"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3)), RuntimeError, r"4-D weight.*\[4, 3, 3\]"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 2, 3, 3)), RuntimeError,
     r"Given groups=1, weight of size \[4, 2, 3, 3\], expected input\[2, 3, 8, 8\] to have 2 channels, "
     r"but got 3 channels instead"),
    (lambda: conv2d(gg.zeros(3, 8, 8), gg.zeros(4, 2, 3, 3)), RuntimeError, r"input\[1, 3, 8, 8\]"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(3, 1, 3, 3), groups=2), RuntimeError,
     "expected weight to be divisible by 2 at dimension 0"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 1, 3, 3), groups=2), RuntimeError,
     "to have 2 channels, but got 3"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(0, 3, 3, 3)), RuntimeError, "at least 1"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), groups=0), RuntimeError,
     "non-positive groups"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), stride=0), RuntimeError,
     "non-positive stride"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), dilation=(1, 0)), RuntimeError,
     "non-positive dilation"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), padding=-1), RuntimeError,
     "negative padding"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 9, 9)), RuntimeError,
     r"Calculated padded input size per channel: \(8 x 8\). Kernel size: \(9 x 9\). Kernel size can't "
     r"be greater than actual input size"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), dilation=4), RuntimeError,
     r"Kernel size: \(9 x 9\)"),
    (lambda: conv2d(gg.zeros(2, 3, 0, 8), gg.zeros(4, 3, 3, 3)), RuntimeError, r"\(0 x 8\)"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), gg.zeros(3)), RuntimeError,
     r"expected bias to be 1-dimensional with 4 elements, but got bias of size \[3\]"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), padding="same", stride=2),
     RuntimeError, "padding='same' is not supported for strided convolutions"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), padding="full"), RuntimeError,
     "Invalid padding string: 'full'"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), stride=(1, 2, 3)), RuntimeError,
     r"expected stride to be a single integer value or a list of 2 values"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), stride=1.5), TypeError, "stride"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), groups=1.0), TypeError, "groups"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8, dtype=gg.float64), gg.zeros(4, 3, 3, 3)), RuntimeError,
     r"Input type \(float64\) and weight type \(float32\) should be the same"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3, 3), gg.zeros(4, dtype=gg.float64)),
     RuntimeError, r"Input type \(float32\) and bias type \(float64\) should be the same"),
    (lambda: conv2d(gg.zeros(2, 3, 8, 8, dtype=gg.int64), gg.zeros(4, 3, 3, 3, dtype=gg.int64)),
     RuntimeError, "floating point"),
    (lambda: conv2d(np.zeros((2, 3, 8, 8)), gg.zeros(4, 3, 3, 3)), TypeError, "must be Tensor"),
    (lambda: conv1d(gg.zeros(2, 3, 8, 8), gg.zeros(4, 3, 3)), RuntimeError,
     r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d"),
    (lambda: conv1d(gg.zeros(2, 3, 8), gg.zeros(4, 2, 3)), RuntimeError,
     r"weight of size \[4, 2, 3\], expected input\[2, 3, 8\] to have 2 channels"),
    (lambda: conv1d(gg.zeros(2, 3, 8), gg.zeros(4, 3, 3), stride=(1, 1)), RuntimeError,
     "a list of 1 values"),
    (lambda: conv1d(gg.zeros(2, 3, 8), gg.zeros(4, 3, 3), padding="same", stride=2), RuntimeError,
     "strided convolutions"),
]


@pytest.mark.parametrize("fn, error, match", ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_errors(fn, error, match):
    with pytest.raises(error, match=match):
        fn()


def test_error_leaves_inputs_untouched():
    x = gg.randn(2, 3, 8, 8, requires_grad=True)
    before = x.numpy().copy()
    with pytest.raises(RuntimeError):
        conv2d(x, gg.randn(4, 2, 3, 3, requires_grad=True))
    assert np.array_equal(x.numpy(), before) and x.grad is None and x.grad_fn is None


def test_three_training_steps_match_torch():
    """conv -> relu -> maxpool -> conv -> avgpool -> flatten -> matmul, squared error, plain SGD in
    float64: the weights after three steps agree with torch's."""
    from glassgrad.ops.pool import avg_pool2d
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((4, 2, 8, 8)), "w1": rng.standard_normal((3, 2, 3, 3)) * 0.3,
              "b1": rng.standard_normal(3) * 0.1, "w2": rng.standard_normal((4, 3, 2, 2)) * 0.3,
              "fc": rng.standard_normal((16, 5)) * 0.3, "y": rng.standard_normal((4, 5))}
    params = ("w1", "b1", "w2", "fc")

    def run(lib, conv, max_pool, avg_pool):
        t = {k: (gg.from_numpy if lib is gg else torch.from_numpy)(v.copy()) for k, v in arrays.items()}
        for k in params:
            t[k].requires_grad_(True)
        for _ in range(3):
            h = max_pool(conv(t["x"], t["w1"], t["b1"], padding=1).relu(), 2)
            h = avg_pool(conv(h, t["w2"], None, padding="same"), 2).reshape(4, 16)
            loss = ((h @ t["fc"] - t["y"]) ** 2).mean()
            loss.backward()
            for k in params:
                t[k].data -= 0.1 * t[k].grad.data
                t[k].grad = None
        return t

    ours = run(gg, conv2d, max_pool2d, avg_pool2d)
    theirs = run(torch, F.conv2d, F.max_pool2d, F.avg_pool2d)
    for k in params:
        assert_close(ours[k], theirs[k], scale=SCALE, what=k)
