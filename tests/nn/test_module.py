"""Module: registration, traversal order and deduplication, modes, conversion and printing, against
torch's behaviour for the same code."""
import copy

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn


def _build(lib):
    """One architecture written once for both libraries: parameters, buffers and submodules interleaved,
    a shared (tied) weight, a non-persistent buffer, a None parameter and a None child."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("scale", lib.ones(3))
            self.fc = lib.nn.Linear(3, 3)
            self.gain = lib.nn.Parameter(lib.ones(3))
            self.register_buffer("cache", lib.zeros(2), persistent=False)
            self.register_parameter("unused", None)
            self.missing = None

        def forward(self, x):
            return self.fc(x) * self.gain * self.scale

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = lib.nn.Linear(3, 3, bias=False)
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.head = lib.nn.Linear(3, 3)
            self.head.weight = self.embed.weight       # tied
            self.alias = self.blocks[0]                 # the same module under two names
            self.register_buffer("step", lib.zeros((), dtype=lib.int64))

        def forward(self, x):
            for block in self.blocks:
                x = block(self.embed(x))
            return self.head(x)
    return Net()


def test_traversal_matches_torch():
    g, t = _build(gg), _build(torch)
    for method, kwargs in [("named_parameters", {}), ("named_parameters", {"remove_duplicate": False}),
                           ("named_parameters", {"recurse": False}),
                           ("named_parameters", {"prefix": "model"}),
                           ("named_buffers", {}), ("named_buffers", {"remove_duplicate": False}),
                           ("named_modules", {}), ("named_modules", {"remove_duplicate": False}),
                           ("named_children", {})]:
        assert [n for n, _ in getattr(g, method)(**kwargs)] == \
               [n for n, _ in getattr(t, method)(**kwargs)], method
    assert len(list(g.parameters())) == len(list(t.parameters()))
    assert len(list(g.buffers())) == len(list(t.buffers()))
    assert len(list(g.modules())) == len(list(t.modules()))
    assert len(list(g.children())) == len(list(t.children()))
    assert list(g.state_dict()) == list(t.state_dict())
    assert g.state_dict()._metadata.keys() == t.state_dict()._metadata.keys()


def test_shared_parameter_is_one_object_and_gets_both_gradients():
    g = _build(gg)
    assert g.head.weight is g.embed.weight
    g(gg.ones(2, 3)).sum().backward()
    t = _build(torch)
    t.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in g.state_dict().items()})
    t(torch.ones(2, 3)).sum().backward()
    np.testing.assert_allclose(g.embed.weight.grad.numpy(), t.embed.weight.grad.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_attribute_registration_and_errors():
    m = nn.Module()
    m.w = nn.Parameter(gg.ones(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", gg.zeros(2))
    m.plain = gg.zeros(1)  # a plain tensor attribute is not a buffer (as in torch)
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf"]
    assert "plain" not in m.state_dict() and "w" not in m.__dict__
    assert "w" in dir(m) and "sub" in dir(m)
    with pytest.raises(TypeError, match="cannot assign 'glassgrad.Tensor' as parameter 'w'"):
        m.w = gg.ones(2)
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = 3
    with pytest.raises(TypeError, match="as buffer 'buf'"):
        m.buf = 3
    m.buf = gg.ones(2)                     # a tensor replaces a buffer
    assert m.buf.tolist() == [1.0, 1.0]
    m.w = None                             # None keeps the slot (like bias=False)
    assert "w" in m._parameters and [id(p) for p in m.parameters()] == [id(p) for p in m.sub.parameters()]
    m.sub = nn.Parameter(gg.ones(1))       # changing kind moves the name between stores
    assert "sub" not in m._modules and "sub" in m._parameters
    del m.sub, m.buf
    assert not hasattr(m, "sub") and not hasattr(m, "buf")
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
        m.nothing
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", gg.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="empty"):
        m.add_module("", nn.ReLU())
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="to buffer 'x'"):
        m.register_buffer("x", [1.0])
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("y", _non_leaf_parameter())

    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(gg.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgot()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def _non_leaf_parameter():
    p = nn.Parameter(gg.ones(1))
    p.grad_fn = (p * 2).grad_fn
    return p


def test_get_submodule_parameter_buffer():
    g = _build(gg)
    assert g.get_submodule("blocks.1.fc") is g.blocks[1].fc
    assert g.get_submodule("") is g
    assert g.get_parameter("blocks.0.gain") is g.blocks[0].gain
    assert g.get_buffer("blocks.0.scale") is g.blocks[0].scale
    with pytest.raises(AttributeError):
        g.get_submodule("blocks.7")


def test_train_eval_propagate():
    g = _build(gg)
    assert all(m.training for m in g.modules())
    assert g.eval() is g and not any(m.training for m in g.modules())
    g.blocks.train()
    assert g.blocks[1].fc.training and not g.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        g.train(1)


def test_zero_grad_requires_grad_and_apply():
    g = _build(gg)
    g(gg.ones(1, 3)).sum().backward()
    g.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in g.parameters())
    g.zero_grad()
    assert all(p.grad is None for p in g.parameters())
    assert g.requires_grad_(False) is g and not any(p.requires_grad for p in g.parameters())
    g.requires_grad_()
    g_order, t_order = [], []
    _build(gg).apply(lambda m: g_order.append(type(m).__name__))
    _build(torch).apply(lambda m: t_order.append(type(m).__name__))
    assert g_order == t_order


def test_to_double_keeps_parameter_objects_and_integer_buffers():
    g = _build(gg)
    params = list(g.parameters())
    g(gg.ones(1, 3)).sum().backward()
    assert g.double() is g
    assert [id(p) for p in g.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert all(p.is_leaf and p.requires_grad for p in params)
    assert g.blocks[0].scale.dtype == np.float64 and g.step.dtype == np.int64
    assert g(gg.ones(1, 3, dtype=gg.float64)).dtype == np.float64
    g.to(gg.float32)
    assert all(p.dtype == np.float32 for p in g.parameters())
    g.to("float64").to("cpu").float().to(dtype=gg.float64)
    assert g.embed.weight.dtype == np.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        g.to(gg.int64)
    with pytest.raises(RuntimeError, match="CPU only"):
        g.to("cuda")


def test_repr_is_torchs_plus_a_parameter_count():
    def arch(lib):
        return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Sequential(
            lib.nn.Linear(3, 3, bias=False), lib.nn.GELU(approximate="tanh")), lib.nn.Flatten(),
            lib.nn.ModuleList([lib.nn.Tanh(), lib.nn.Tanh(), lib.nn.Sigmoid()]))
    text = repr(arch(gg))
    body, _, note = text.rpartition("  # ")
    assert body == repr(arch(torch))
    assert note == "18 parameters"
    frozen = arch(gg)
    frozen[0].requires_grad_(False)
    assert repr(frozen).endswith("# 18 parameters (9 trainable)")
    assert repr(nn.ReLU()) == "ReLU()"


def test_summary():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1, bias=False))
    s = model.summary()
    assert s.total == 4 * 3 + 3 + 3 and s.trainable == s.total and s.bytes == 4 * s.total
    assert [r.name for r in s.rows] == ["", "0", "1", "2"]
    assert s.rows[1].shapes == ((3, 4), (3,))
    assert "total: 18 parameters (18 trainable)" in str(s)


def test_deepcopy_and_parameter_identity():
    g = _build(gg)
    c = copy.deepcopy(g)
    assert c.head.weight is c.embed.weight and c.head.weight is not g.head.weight
    assert isinstance(c.embed.weight, nn.Parameter)
    np.testing.assert_array_equal(c.embed.weight.numpy(), g.embed.weight.numpy())
    c.embed.weight.data[...] = 0
    assert g.embed.weight.numpy().any()
