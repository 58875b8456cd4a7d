"""matmul, mm, bmm and the fused linear (glassgrad/ops/linalg.py) against torch: 1-D, 2-D, batched and
broadcast operands, empty dims, non-contiguous inputs, float32 and float64, errors naming the shapes."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.ops.linalg import linear
from tests.reference import check_op, make_inputs

DTYPES = ["float32", "float64"]

# (a, b) shapes for a @ b: every case of torch.matmul's rules.
MATMUL_SHAPES = [
    ((3,), (3,)),                      # dot product: a 0-d result
    ((3,), (3, 4)),                    # vector @ matrix
    ((2, 3), (3,)),                    # matrix @ vector
    ((2, 3), (3, 4)),                  # matrix @ matrix
    ((5, 2, 3), (5, 3, 4)),            # batched
    ((5, 2, 3), (3, 4)),               # batch @ one matrix (the fused weight-gradient path)
    ((3, 4), (5, 4, 2)),               # one matrix @ batch
    ((2, 1, 2, 3), (4, 3, 2)),         # batch dims broadcast (2, 1) against (4,)
    ((1, 2, 3), (5, 3, 4)),            # a size-1 batch broadcast
    ((4,), (2, 4, 3)),                 # vector @ batch
    ((2, 4, 3), (3,)),                 # batch @ vector
    ((1, 3), (3, 1)),                  # size-1 dims everywhere
    ((0, 3), (3, 2)),                  # empty rows
    ((2, 0), (0, 2)),                  # empty inner dim: a zero result, zero gradients
    ((2, 0, 3), (3, 4)),               # empty batch
]


def _matmul(a, b):
    return a @ b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes, dtype):
    check_op(list(shapes), _matmul, dtype=dtype)
    check_op(list(shapes), lambda a, b: gg.matmul(a, b) if isinstance(a, gg.Tensor) else torch.matmul(a, b),
             dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((4, 3), (3, 5)), ((2, 4, 3), (2, 3, 5)), ((2, 4, 3), (3, 5)),
                                    ((3, 4), (2, 4, 3))], ids=str)
def test_matmul_noncontiguous(shapes, dtype):
    # Each operand is a transposed view (its last two dims swapped in memory).
    check_op(list(shapes), _matmul, dtype=dtype, noncontiguous=True)


def test_matmul_gradient_for_one_operand_only():
    a = gg.tensor(make_inputs([(2, 3)])[0], requires_grad=True)
    b = gg.tensor(make_inputs([(3, 4)], seed=1)[0])
    (a @ b).sum().backward()
    ta = torch.from_numpy(a.data.copy()).requires_grad_()
    (ta @ torch.from_numpy(b.data)).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-6)
    assert b.grad is None


@pytest.mark.parametrize("dtype", DTYPES)
def test_mm_and_bmm(dtype):
    check_op([(2, 3), (3, 4)], lambda a, b: a.mm(b), dtype=dtype)
    check_op([(5, 2, 3), (5, 3, 4)], lambda a, b: a.bmm(b), dtype=dtype)
    check_op([(2, 3), (3, 4)], lambda a, b: (gg if isinstance(a, gg.Tensor) else torch).mm(a, b), dtype=dtype)
    check_op([(5, 2, 3), (5, 3, 4)], lambda a, b: (gg if isinstance(a, gg.Tensor) else torch).bmm(a, b),
             dtype=dtype)


def test_matmul_gradcheck_float64():
    rng = np.random.default_rng(0)
    for sa, sb in [((3,), (3, 2)), ((2, 3), (3,)), ((2, 1, 2, 3), (2, 3, 2)), ((2, 2, 3), (3, 2))]:
        a = gg.tensor(rng.standard_normal(sa), dtype=gg.float64, requires_grad=True)
        b = gg.tensor(rng.standard_normal(sb), dtype=gg.float64, requires_grad=True)
        assert gg.autograd.gradcheck(_matmul, (a, b))


def test_matmul_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: cannot multiply \(2, 3\) by \(4, 5\)"):
        gg.ones(2, 3) @ gg.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"matmul: cannot multiply \(3,\) by \(4,\)"):
        gg.ones(3) @ gg.ones(4)
    with pytest.raises(RuntimeError, match=r"cannot multiply \(2, 2, 3\) by \(5, 3, 4\)"):
        gg.ones(2, 2, 3) @ gg.ones(5, 3, 4)  # batch dims 2 and 5 do not broadcast
    with pytest.raises(RuntimeError, match=r"at least 1 dimension, got \(\) and \(3,\)"):
        gg.matmul(gg.tensor(2.0), gg.ones(3))
    with pytest.raises(RuntimeError, match="same dtype.*float32 and float64"):
        gg.ones(2, 3) @ gg.ones(3, 2, dtype=gg.float64)
    with pytest.raises(RuntimeError, match=r"mm: expected 2-D matrices, got \(2, 3, 1\) and \(3, 2\)"):
        gg.mm(gg.ones(2, 3, 1), gg.ones(3, 2))
    with pytest.raises(RuntimeError, match=r"bmm: expected 3-D tensors, got \(2, 3\) and \(3, 2\)"):
        gg.bmm(gg.ones(2, 3), gg.ones(3, 2))


def test_matmul_with_a_non_tensor_is_torchs_type_error():
    with pytest.raises(TypeError, match=r"matmul\(\): argument 'other' \(position 2\) must be Tensor, not "
                                        r"numpy.ndarray"):
        gg.matmul(gg.ones(2, 3), np.ones((3, 2), np.float32))
    with pytest.raises(TypeError, match=r"mm\(\): argument 'mat2' \(position 2\) must be Tensor, not int"):
        gg.mm(gg.ones(2, 3), 3)
    with pytest.raises(TypeError, match="unsupported operand"):
        gg.ones(2, 3) @ [[1.0], [2.0], [3.0]]
    with pytest.raises(TypeError, match="unsupported operand"):
        np.ones((2, 3), np.float32) @ gg.ones(3, 2)


# ---- the fused linear: x @ weight.T + bias as one node ------------------------------------------

def _linear(x, w, b=None):
    return linear(x, w, b) if isinstance(x, gg.Tensor) else torch.nn.functional.linear(x, w, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 4, 3), (3,), (0, 3), (2, 1, 5, 3)], ids=str)
def test_linear_matches_torch(x_shape, dtype):
    check_op([x_shape, (5, 3), (5,)], _linear, dtype=dtype)
    check_op([x_shape, (5, 3)], _linear, dtype=dtype)
    check_op([x_shape, (5, 3), (1,)], _linear, dtype=dtype)  # a one-element bias broadcasts, as in torch


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_noncontiguous(dtype):
    check_op([(4, 3), (5, 3), (5,)], _linear, dtype=dtype, noncontiguous=True)
    check_op([(2, 4, 3), (5, 3)], _linear, dtype=dtype, noncontiguous=True)


def test_linear_gradient_for_some_inputs_only():
    x, w, b = make_inputs([(4, 3), (5, 3), (5,)])
    for needs in [(True, False, False), (False, True, False), (False, False, True), (False, True, True)]:
        ours = [gg.from_numpy(a.copy()).requires_grad_(n) for a, n in zip((x, w, b), needs)]
        theirs = [torch.from_numpy(a.copy()).requires_grad_(n) for a, n in zip((x, w, b), needs)]
        linear(*ours).sum().backward()
        torch.nn.functional.linear(*theirs).sum().backward()
        for o, t in zip(ours, theirs):
            assert (o.grad is None) == (t.grad is None)
            if t.grad is not None:
                np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_linear_gradcheck_float64():
    rng = np.random.default_rng(0)
    x, w, b = (gg.tensor(rng.standard_normal(s), dtype=gg.float64, requires_grad=True)
               for s in [(2, 3, 4), (5, 4), (5,)])
    assert gg.autograd.gradcheck(linear, (x, w, b))
    assert gg.autograd.gradcheck(lambda x, w: linear(x, w), (x, w))


def test_linear_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(8x5 and 3x2\); "
                                           r"input \(2, 4, 5\), weight \(2, 3\)"):
        linear(gg.ones(2, 4, 5), gg.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"bias of shape \(3,\) does not match weight \(2, 5\)"):
        linear(gg.ones(4, 5), gg.ones(2, 5), gg.ones(3))
    with pytest.raises(RuntimeError, match=r"2-D weight, got \(4, 5\) and \(5,\)"):
        linear(gg.ones(4, 5), gg.ones(5))
    with pytest.raises(RuntimeError, match="same dtype"):
        linear(gg.ones(4, 5), gg.ones(2, 5, dtype=gg.float64))


@pytest.mark.parametrize("shapes", [((2, 3, 0), (0, 4)), ((2, 3, 4), (4, 0)), ((0, 2, 3), (3, 4))], ids=str)
def test_matmul_zero_sized_batches_and_inner_dims(shapes):
    check_op(list(shapes), _matmul)


def test_linear_with_zero_features():
    check_op([(2, 3, 0), (4, 0), (4,)], _linear)
    check_op([(2, 3, 4), (0, 4), (0,)], _linear)
