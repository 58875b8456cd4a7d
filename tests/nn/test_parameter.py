"""Parameter: a Tensor subclass that requires grad, shares memory, prints and copies like torch's."""
import copy
import pickle

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.reference import assert_close


def test_is_a_tensor_that_requires_grad_and_shares_memory():
    data = gg.zeros(2, 3)
    p = nn.Parameter(data)
    assert isinstance(p, gg.Tensor) and p.requires_grad and p.is_leaf
    assert np.shares_memory(p.numpy(), data.numpy())
    assert not nn.Parameter(gg.zeros(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(gg.tensor([1, 2]))


def test_repr_matches_torch():
    assert repr(nn.Parameter(gg.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))
    assert repr(nn.Parameter(gg.ones(2), requires_grad=False)).startswith("Parameter containing:\n")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_flow_through_every_kind_of_op(dtype):
    # Parameters meet tensors, numbers and each other in binary ops (regression: they were once
    # treated as constants), matmul and reductions.
    def fn(lib):
        def run(w, x):
            p = lib.nn.Parameter(w)
            out = (x * p + p / 2 - 1.5 * p) @ p.T
            return out.sum(), p
        return run
    g_loss, g_p = fn(gg)(gg.tensor(np.ones((2, 3), dtype)), gg.tensor(np.full((2, 3), 2.0, dtype)))
    t_loss, t_p = fn(torch)(torch.tensor(np.ones((2, 3), dtype)), torch.tensor(np.full((2, 3), 2.0, dtype)))
    g_loss.backward()
    t_loss.backward()
    assert_close(g_loss, t_loss)
    assert_close(g_p.grad, t_p.grad)


def test_results_of_ops_are_plain_tensors():
    p = nn.Parameter(gg.ones(2))
    assert type(p * 2) is gg.Tensor and type(p.detach()) is gg.Tensor


def test_deepcopy_and_pickle():
    p = nn.Parameter(gg.ones(2))
    (p * 3).sum().backward()
    c = copy.deepcopy(p)
    assert isinstance(c, nn.Parameter) and c.requires_grad and c.grad is None  # torch drops the grad
    assert not np.shares_memory(c.numpy(), p.numpy())
    q = pickle.loads(pickle.dumps(nn.Parameter(gg.ones(2), requires_grad=False)))
    assert isinstance(q, nn.Parameter) and not q.requires_grad and q.tolist() == [1.0, 1.0]
