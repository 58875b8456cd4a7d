"""Activation modules and their nn.functional twins against torch: values and gradients (including at
the kinks and for large inputs), float32 and float64, inplace semantics, reprs."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.reference import assert_close, check_op

DTYPES = ["float32", "float64"]
ACTIVATIONS = [
    ("ReLU", {}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("Sigmoid", {}),
    ("Tanh", {}), ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Softplus", {}),
    ("Softplus", {"beta": 2.0, "threshold": 1.0}), ("ELU", {}), ("ELU", {"alpha": 0.5}),
]
EDGES = np.array([0.0, -0.0, 1e-8, -1e-8, 30.0, -30.0, 100.0, -100.0, 0.5, -0.5])


def _modules(name, kwargs):
    return getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (2, 1, 5), (0, 3), ()], ids=str)
@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=str)
def test_modules_match_torch(name, kwargs, shape, dtype):
    g, t = _modules(name, kwargs)
    check_op([shape], g, t, dtype=dtype, low=-4, high=4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=str)
def test_edge_values(name, kwargs, dtype):
    g, t = _modules(name, kwargs)
    check_op([EDGES.astype(dtype)], g, t, dtype=dtype)


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=str)
def test_repr_matches_torch(name, kwargs):
    g, t = _modules(name, kwargs)
    assert repr(g) == repr(t)


def test_functional_names_and_signatures():
    F, TF = gg.nn.functional, torch.nn.functional
    calls = [("relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("gelu", {"approximate": "tanh"}),
             ("silu", {}), ("softplus", {"beta": 3, "threshold": 5}), ("elu", {"alpha": 2.0}),
             ("sigmoid", {}), ("tanh", {})]
    for name, kwargs in calls:
        check_op([(4, 3)], lambda x: getattr(F, name)(x, **kwargs),
                 lambda x: getattr(TF, name)(x, **kwargs))


def test_inplace_like_torch():
    for name in ["ReLU", "LeakyReLU", "SiLU", "ELU"]:
        g_mod, t_mod = getattr(nn, name)(inplace=True), getattr(torch.nn, name)(inplace=True)
        assert repr(g_mod) == repr(t_mod)
        x = gg.tensor([-1.0, 0.5])
        out = g_mod(x)
        assert out is x
        assert_close(x, t_mod(torch.tensor([-1.0, 0.5])))
        # inside a graph: the input becomes the result and gradients flow as in torch
        w, tw = gg.tensor([-1.0, 2.0], requires_grad=True), torch.tensor([-1.0, 2.0], requires_grad=True)
        (g_mod(w * 3) * 2).sum().backward()
        (t_mod(tw * 3) * 2).sum().backward()
        assert_close(w.grad, tw.grad)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            g_mod(gg.tensor([1.0], requires_grad=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
def test_softmax_modules(name, dim, dtype):
    g, t = getattr(nn, name)(dim=dim), getattr(torch.nn, name)(dim=dim)
    check_op([(3, 4, 2)], g, t, dtype=dtype, low=-5, high=5)
    assert repr(g) == repr(t)


def test_softmax_implicit_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        out = nn.Softmax()(gg.ones(2, 3))
    assert out.shape == (2, 3) and repr(nn.Softmax()) == repr(torch.nn.Softmax())
