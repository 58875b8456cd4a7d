"""state_dict / load_state_dict: torch's keys and messages, loading torch checkpoints, and failed loads
that leave the model exactly as it was."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import torch_state_as_numpy


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))


def _snapshot(model) -> dict:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, before):
    after = _snapshot(model)
    assert after.keys() == before.keys()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)


def test_state_dict_shares_memory_and_detaches():
    m = _mlp(gg)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["0.weight"].requires_grad and not isinstance(sd["0.weight"], nn.Parameter)
    assert np.shares_memory(sd["0.weight"].numpy(), m[0].weight.numpy())
    kept = m.state_dict(keep_vars=True)
    assert kept["0.weight"] is m[0].weight
    assert list(m.state_dict(prefix="model.")) == ["model." + k for k in sd]


def test_load_from_torch_numpy_and_torch_tensors():
    t = _mlp(torch)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    expected = t(torch.from_numpy(x)).detach().numpy()
    for source in (torch_state_as_numpy(t), t.state_dict(),
                   {k: gg.tensor(v) for k, v in torch_state_as_numpy(t).items()}):
        g = _mlp(gg)
        result = g.load_state_dict(source)
        assert result.missing_keys == [] and result.unexpected_keys == []
        assert repr(result) == "<All keys matched successfully>"
        np.testing.assert_allclose(g(gg.from_numpy(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_load_copies_into_the_same_parameter_objects_and_casts():
    g = _mlp(gg)
    weight = g[0].weight
    g.load_state_dict({k: v.astype(np.float64) for k, v in _snapshot(_mlp(gg)).items()})
    assert g[0].weight is weight and weight.dtype == np.float32 and weight.requires_grad


def test_round_trip_between_two_models():
    a, b = _mlp(gg), _mlp(gg)
    b.load_state_dict(a.state_dict())
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
        assert not np.shares_memory(va.numpy(), vb.numpy())


def _torch_error(model, state) -> str:
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    return str(info.value)


def test_missing_and_unexpected_keys_match_torchs_message():
    g, t = _mlp(gg), _mlp(torch)
    state = torch_state_as_numpy(t)
    del state["2.bias"]
    state["2.extra"] = np.zeros(1, np.float32)
    state["9.weight"] = np.zeros(1, np.float32)
    before = _snapshot(g)
    with pytest.raises(RuntimeError) as info:
        g.load_state_dict(state)
    expected = _torch_error(t, {k: torch.from_numpy(v) for k, v in state.items()})
    assert str(info.value) == expected
    assert 'Missing key(s) in state_dict: "2.bias"' in str(info.value)
    _assert_unchanged(g, before)     # nothing was copied, though most keys matched

    result = g.load_state_dict(state, strict=False)
    t_result = t.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    assert result.missing_keys == t_result.missing_keys == ["2.bias"]
    assert result.unexpected_keys == t_result.unexpected_keys == ["9.weight", "2.extra"]
    np.testing.assert_array_equal(g[0].weight.numpy(), state["0.weight"])


def test_size_mismatch_fails_even_when_not_strict_and_changes_nothing():
    g = _mlp(gg)
    state = torch_state_as_numpy(_mlp(torch))
    state["2.weight"] = np.zeros((3, 4), np.float32)
    before = _snapshot(g)
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            g.load_state_dict(state, strict=strict)
        message = str(info.value)
        assert message.startswith("Error(s) in loading state_dict for Sequential:\n\t")
        assert ("size mismatch for 2.weight: copying a param with shape (3, 4) from checkpoint, the "
                "shape in current model is (2, 4).") in message
        _assert_unchanged(g, before)


def test_bad_values_and_types():
    g = _mlp(gg)
    before = _snapshot(g)
    state = _snapshot(_mlp(gg))
    state["0.bias"] = [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match='While copying the parameter named "0.bias"'):
        g.load_state_dict(state)
    _assert_unchanged(g, before)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        g.load_state_dict([("0.weight", np.zeros((4, 3)))])


def test_buffers_non_persistent_and_scalar_compat():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", gg.zeros((), dtype=gg.int64))
            self.register_buffer("cache", gg.zeros(3), persistent=False)
            self.w = nn.Parameter(gg.zeros(2))

    m = M()
    assert list(m.state_dict()) == ["w", "count"]      # parameters first, as torch
    assert [n for n, _ in m.named_buffers()] == ["count", "cache"]
    m.load_state_dict({"count": np.array([7]), "w": np.ones(2)})   # (1,) into a scalar, as torch
    assert m.count.item() == 7 and m.count.dtype == np.int64
    result = m.load_state_dict({"count": np.array(1), "w": np.ones(2), "cache": np.ones(3)},
                               strict=False)
    assert result.unexpected_keys == ["cache"]     # non-persistent buffers are not loadable
    assert not m.cache.numpy().any()


def test_assign_replaces_tensors_and_keeps_requires_grad():
    g = _mlp(gg)
    g[0].bias.requires_grad_(False)
    state = {k: v * 0 + 1 for k, v in _snapshot(g).items()}
    g.load_state_dict({k: gg.tensor(v, dtype=gg.float64) for k, v in state.items()}, assign=True)
    assert isinstance(g[0].weight, nn.Parameter) and g[0].weight.dtype == np.float64
    assert g[0].weight.requires_grad and not g[0].bias.requires_grad


def test_shared_submodule_loads_once_under_each_name():
    shared = nn.Linear(2, 2)
    g = nn.Sequential(shared, shared)
    t_shared = torch.nn.Linear(2, 2)
    t = torch.nn.Sequential(t_shared, t_shared)
    assert list(g.state_dict()) == list(t.state_dict())
    g.load_state_dict(torch_state_as_numpy(t))
    np.testing.assert_array_equal(g[1].weight.numpy(), t_shared.weight.detach().numpy())


def test_checkpoint_file_round_trip_and_into_torch(tmp_path):
    from safetensors.torch import load_file

    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))
    g = build(gg)
    g(gg.randn(5, 3))                              # running statistics move off their defaults
    path = tmp_path / "model.safetensors"
    gg.save(g.state_dict(), path)
    again = build(gg)
    assert repr(again.load_state_dict(gg.load(path))) == "<All keys matched successfully>"
    t = build(torch)
    assert repr(t.load_state_dict(load_file(path))) == "<All keys matched successfully>"
    for (name, gv), tv in zip(again.state_dict().items(), t.state_dict().values()):
        np.testing.assert_array_equal(gv.numpy(), g.state_dict()[name].numpy())
        np.testing.assert_array_equal(tv.numpy(), gv.numpy())
