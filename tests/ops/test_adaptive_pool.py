"""adaptive_avg_pool2d and adaptive_max_pool2d against torch: output sizes that divide the input evenly
(the ordinary-pool path) and that do not (overlapping windows), None entries, sizes above the input,
indices and ties, layouts, gradcheck, errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import glassgrad as gg
from glassgrad.ops.adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d
from tests.reference import check_op

DTYPES = ["float32", "float64"]

CASES = [
    # (input, output_size)
    ((2, 3, 8, 8), 1),                      # global pooling
    ((2, 3, 8, 8), 4),
    ((2, 3, 8, 6), (2, 3)),
    ((2, 3, 8, 8), 3),                      # uneven: windows overlap
    ((2, 3, 7, 9), (4, 5)),
    ((2, 3, 7, 9), (4, None)),
    ((2, 3, 7, 9), (None, 2)),
    ((2, 3, 5, 5), 5),                      # identity
    ((2, 3, 4, 5), (7, 9)),                 # larger than the input: elements repeat
    ((3, 7, 9), (2, 4)),                    # unbatched
    ((0, 3, 7, 9), (2, 4)),                 # empty batch
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, size", CASES, ids=str)
def test_adaptive_avg_pool2d(shape, size, dtype):
    check_op([shape], lambda x: adaptive_avg_pool2d(x, size),
             lambda x: F.adaptive_avg_pool2d(x, size), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, size", CASES, ids=str)
def test_adaptive_max_pool2d(shape, size, dtype):
    check_op([shape], lambda x: adaptive_max_pool2d(x, size),
             lambda x: F.adaptive_max_pool2d(x, size), dtype=dtype)
    check_op([shape], lambda x: adaptive_max_pool2d(x, size, return_indices=True)[1],
             lambda x: F.adaptive_max_pool2d(x, size, return_indices=True)[1], grad=False)


@pytest.mark.parametrize("size", [2, 3, (3, 5)], ids=str)
def test_adaptive_max_ties_and_nan(size):
    rng = np.random.default_rng(0)
    x = np.maximum(np.round(rng.standard_normal((2, 2, 6, 7))), 0).astype(np.float32)
    check_op([x], lambda t: adaptive_max_pool2d(t, size), lambda t: F.adaptive_max_pool2d(t, size))
    x[0, 0, 1, 2] = x[0, 0, 1, 4] = np.nan
    check_op([x], lambda t: adaptive_max_pool2d(t, size, return_indices=True)[1],
             lambda t: F.adaptive_max_pool2d(t, size, return_indices=True)[1], grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_noncontiguous_and_batch_last(dtype):
    for size in (1, 2, (3, 4)):
        for fn, tfn in ((adaptive_avg_pool2d, F.adaptive_avg_pool2d),
                        (adaptive_max_pool2d, F.adaptive_max_pool2d)):
            check_op([(2, 3, 8, 6)], lambda x: fn(x, size), lambda x: tfn(x, size), dtype=dtype,
                     noncontiguous=True)
            batch_last = np.random.default_rng(1).standard_normal((3, 6, 8, 2)).astype(dtype)
            check_op([batch_last.transpose(3, 0, 1, 2)], lambda x: fn(x, size),
                     lambda x: tfn(x, size), dtype=dtype)


def test_gradcheck_float64():
    rng = np.random.default_rng(0)
    x = gg.tensor(rng.permutation(70).reshape(1, 2, 5, 7) / 10.0, dtype=gg.float64,
                  requires_grad=True)
    for size in (1, (2, 3), (3, 4), (6, 8)):
        assert gg.autograd.gradcheck(lambda t: adaptive_avg_pool2d(t, size), (x,))
        assert gg.autograd.gradcheck(lambda t: adaptive_max_pool2d(t, size), (x,))


def test_zero_output_size_like_torch_forward():
    x = gg.randn(2, 3, 7, 9, requires_grad=True)
    for fn, tfn in ((adaptive_avg_pool2d, F.adaptive_avg_pool2d),
                    (adaptive_max_pool2d, F.adaptive_max_pool2d)):
        assert fn(x, (0, 2)).shape == tuple(tfn(torch.zeros(2, 3, 7, 9), (0, 2)).shape)
    assert adaptive_avg_pool2d(gg.zeros(2, 0, 4, 4), 2).shape == (2, 0, 2, 2)


ERRORS = [
    (lambda: adaptive_avg_pool2d(gg.zeros(8, 8), 2), "Expected 3D or 4D"),
    (lambda: adaptive_max_pool2d(gg.zeros(2, 3, 0, 8), 2),
     r"non-zero size for non-batch dimensions, but input has sizes \[2, 3, 0, 8\] with dimension 2"),
    (lambda: adaptive_avg_pool2d(gg.zeros(2, 3, 8, 8), (3, 4, 5)), "output_size must be 2"),
    (lambda: adaptive_max_pool2d(gg.zeros(2, 3, 8, 8), -1), "greater than or equal to 0"),
]


@pytest.mark.parametrize("fn, match", ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_errors(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()
    with pytest.raises(TypeError):
        adaptive_avg_pool2d(gg.zeros(2, 3, 8, 8), 2.5)
