"""Activations against torch: forward and backward, float32 and float64, empty and non-contiguous inputs,
and a float64 gradcheck. (The float32 GELU kernel has its own tests in test_gelu.py.)"""
import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.reference import check_op

DTYPES = ["float32", "float64"]
F = torch.nn.functional
ACTIVATIONS = {
    "tanh": (lambda a: a.tanh(), torch.tanh),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid),
    "relu": (lambda a: a.relu(), torch.relu),
    "leaky_relu": (lambda a: gg.leaky_relu(a, 0.1), lambda a: F.leaky_relu(a, 0.1)),
    "gelu": (lambda a: gg.gelu(a), lambda a: F.gelu(a)),
    "gelu_tanh": (lambda a: gg.gelu(a, approximate="tanh"), lambda a: F.gelu(a, approximate="tanh")),
    "silu": (lambda a: gg.silu(a), lambda a: F.silu(a)),
    "softplus": (lambda a: gg.softplus(a), lambda a: F.softplus(a)),
    "softplus_beta": (lambda a: gg.softplus(a, beta=2.0, threshold=3.0),
                      lambda a: F.softplus(a, beta=2.0, threshold=3.0)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations(name, dtype):
    ours, theirs = ACTIVATIONS[name]
    check_op([(4, 7)], ours, theirs, dtype=dtype, low=-6, high=6)
    check_op([(0, 3)], ours, theirs, dtype=dtype)


def test_sigmoid_extremes_are_finite():
    x = gg.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad.data).all()




@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (5,), (3, 1, 4)], ids=str)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_any_rank(name, shape, dtype):
    ours, theirs = ACTIVATIONS[name]
    check_op([shape], ours, theirs, dtype=dtype, low=-4, high=4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_activations_noncontiguous(dtype):
    for ours, theirs in ACTIVATIONS.values():
        check_op([(3, 5)], ours, theirs, dtype=dtype, low=-4, high=4, noncontiguous=True)


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.uniform(0.5, 2, (3, 2)), dtype=gg.float64, requires_grad=True)
    y = gg.tensor(rng.uniform(0.5, 2, (2,)), dtype=gg.float64, requires_grad=True)
    fns = [lambda a, b: gg.gelu(a - b), lambda a, b: gg.gelu(a - b, approximate="tanh"),
           lambda a, b: gg.softplus(a * b).tanh().sigmoid(), lambda a, b: gg.silu(a - b),
           lambda a, b: gg.leaky_relu(a - b * 1.3, 0.2)]
    for fn in fns:
        assert gg.autograd.gradcheck(fn, (x, y))


def test_integer_input_computes_in_the_default_float():
    for name in ("tanh", "sigmoid"):  # torch has no integer GELU, SiLU or softplus kernels to compare to
        ours, theirs = ACTIVATIONS[name]
        out, expected = ours(gg.tensor([-1, 0, 2])), theirs(torch.tensor([-1, 0, 2]))
        assert out.dtype == np.float32 and expected.dtype == torch.float32
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["contiguous", "batch_last", "strided"])
def test_relu_passes_the_gradient_of_nan_like_torch_in_every_layout(dtype, layout):
    # torch's relu backward zeroes the gradient where out <= 0, so at a NaN it passes; a conv's
    # batch-last output and strided views must give the same values and gradients too.
    rng = np.random.default_rng(0)
    base = rng.standard_normal((9, 30, 30, 70)).astype(dtype)   # 567,000 values: several runs
    base.reshape(-1)[::997] = np.nan
    base.reshape(-1)[1::991] = -np.inf
    base.reshape(-1)[2::983] = np.inf
    a = {"contiguous": base, "batch_last": base.transpose(3, 0, 1, 2), "strided": base[:, ::2]}[layout]
    x = gg.tensor(a, requires_grad=True)
    t = torch.tensor(np.ascontiguousarray(a), requires_grad=True)
    y, ty = x.relu(), torch.relu(t)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    assert y.data.strides == np.empty_like(a).strides  # the input's memory layout kept
    g = rng.standard_normal(a.shape).astype(dtype)
    y.backward(gg.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())
