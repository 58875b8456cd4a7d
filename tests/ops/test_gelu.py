"""The float32 GELU kernel (glassgrad/ops/_gelu.py) against torch: values and gradients over the whole
float32 range that matters, on arrays that span several cache chunks, in any memory layout."""
import numpy as np
import torch

import glassgrad as gg
from glassgrad.ops import _gelu
from tests.reference import assert_close, check_op


def test_gelu_many_chunks():
    # 2.5 chunks of values from the far negative tail (where x * Phi(x) underflows) to large positives,
    # zeros of both signs included.
    n = int(_gelu._CHUNK * 2.5)
    x = np.concatenate([np.linspace(-12, 12, n - 4), [0.0, -0.0, 40.0, -40.0]]).astype(np.float32)
    x = np.random.default_rng(0).permutation(x).reshape(-1, 5)
    up = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    ours = gg.from_numpy(x).requires_grad_()
    theirs = torch.from_numpy(x).requires_grad_()
    y, yt = gg.gelu(ours), torch.nn.functional.gelu(theirs)
    y.backward(gg.from_numpy(up))
    yt.backward(torch.from_numpy(up))
    # torch's own float32 GELU is off the exact value by up to 1.0e-6 near x = -3.5 (its 1 + erf(x)
    # cancels there), as much as the float32 atol alone: against torch the tolerance is doubled, against
    # the exact values (float64 GELU, below) it is not.
    assert_close(y, yt, scale=2, what="gelu")
    assert_close(ours.grad, theirs.grad, scale=2, what="gelu grad")
    t64 = torch.from_numpy(x.astype(np.float64)).requires_grad_()
    exact = torch.nn.functional.gelu(t64)
    exact.backward(torch.from_numpy(up.astype(np.float64)))
    assert_close(y.data, exact.detach().numpy(), dtype="float32", what="gelu vs float64")
    assert_close(ours.grad.data, t64.grad.numpy(), dtype="float32", what="gelu grad vs float64")


def test_gelu_noncontiguous_and_odd_sizes():
    for shape in [(7, 3), (1,), (0, 4), (3, 1, 5)]:
        check_op([shape], lambda a: gg.gelu(a), lambda a: torch.nn.functional.gelu(a), low=-6, high=6,
                 noncontiguous=True)


def test_gelu_kernel_returns_value_and_derivative():
    x = np.array([[-3.0, -0.5, 0.0], [0.5, 1.0, 3.0]], np.float32).T  # a transposed (3, 2) view
    out, deriv = _gelu.gelu_f32(x)
    t = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_()
    torch.nn.functional.gelu(t).sum().backward()
    assert out.shape == deriv.shape == x.shape and out.dtype == deriv.dtype == np.float32
    assert_close(out, torch.nn.functional.gelu(t.detach()), what="value")
    assert_close(deriv, t.grad, what="derivative")
