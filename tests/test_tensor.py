"""Tensor basics: properties, conversions, repr, in-place updates."""
import numpy as np
import pytest
import torch

import glassgrad as gg


def test_properties():
    t = gg.ones(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dim() == 2 and t.numel() == 6
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3 and len(t) == 2
    assert t.dtype == gg.float32 and t.device == "cpu" and t.is_leaf and not t.requires_grad
    assert t.is_floating_point() and not gg.tensor([1]).is_floating_point()


def test_item_tolist_float_int_bool():
    assert gg.tensor([2.5]).item() == 2.5 and float(gg.tensor(1.5)) == 1.5 and int(gg.tensor(3)) == 3
    assert gg.tensor([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        gg.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(gg.ones(2))
    assert bool(gg.tensor([1.0])) and not bool(gg.tensor(0))


def test_repr_like_torch():
    assert repr(gg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(gg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(gg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(gg.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<mul>)"
    assert "dtype=glassgrad.float64" in repr(gg.tensor([1.0], dtype=gg.float64))


def test_conversions():
    t = gg.tensor([1.5, -2.5])
    assert t.double().dtype == np.float64 and t.long().tolist() == [1, -2]
    assert t.to(gg.float64).dtype == np.float64 and t.to("cpu") is t
    assert t.type_as(gg.tensor([1])).dtype == np.int64 and t.bool().tolist() == [True, True]
    assert np.asarray(t).dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        t.to("cuda")


def test_cast_is_differentiable_between_floats():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 3.0]
    assert not x.long().requires_grad


def test_inplace_ops_outside_the_graph():
    t = gg.zeros(3)
    t.fill_(2.0).add_(1.0).mul_(2.0).sub_(gg.tensor([1.0, 2.0, 3.0]))
    assert t.tolist() == [5.0, 4.0, 3.0]
    t.clamp_(max=4.0).div_(2.0)
    assert t.tolist() == [2.0, 2.0, 1.5]
    t.zero_()
    assert t.tolist() == [0.0, 0.0, 0.0] and t.dtype == np.float32
    t.copy_(gg.tensor([1, 2, 3]))
    assert t.tolist() == [1.0, 2.0, 3.0] and t.dtype == np.float32


def test_uniform_and_normal_init_in_place():
    gg.manual_seed(0)
    w = gg.empty(1000)
    w.uniform_(-2, 2)
    assert w.data.min() >= -2 and w.data.max() < 2 and w.dtype == np.float32
    w.normal_(1.0, 0.1)
    assert abs(w.data.mean() - 1.0) < 0.02


def test_numpy_operand_defers_to_tensor():
    assert isinstance(np.ones(2) * gg.tensor([1.0, 2.0]), gg.Tensor)


def test_torch_interop_through_numpy():
    t = gg.tensor([1.0, 2.0])
    assert torch.from_numpy(t.numpy()).tolist() == [1.0, 2.0]
