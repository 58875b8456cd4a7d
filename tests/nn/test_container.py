"""Containers behave like torch's: indexing, slicing, mutation and renumbering, iteration, state_dict
keys and reprs."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer, repr_without_count


def _layers(lib):
    return [lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1)]


def _names(seq):
    return [(k, type(m).__name__) for k, m in seq._modules.items()]


def test_sequential_forward_matches_torch():
    for dtype in ["float32", "float64"]:
        check_layer(nn.Sequential(*_layers(gg)), torch.nn.Sequential(*_layers(torch)), [(4, 2)],
                    dtype=dtype)


def test_sequential_indexing_and_mutation_like_torch():
    g, t = nn.Sequential(*_layers(gg)), torch.nn.Sequential(*_layers(torch))
    assert len(g) == len(t) == 5
    assert type(g[-1]).__name__ == type(t[-1]).__name__
    for sl in [slice(1, 3), slice(None, None, 2), slice(-2, None)]:
        assert _names(g[sl]) == _names(t[sl]) and isinstance(g[sl], nn.Sequential)
    with pytest.raises(IndexError, match="index 5 is out of range"):
        g[5]
    for seq, lib in [(g, gg), (t, torch)]:
        seq.append(lib.nn.Sigmoid())
        seq.insert(1, lib.nn.Identity())
        del seq[3]
        seq[0] = lib.nn.Linear(2, 3, bias=False)
        seq.extend([lib.nn.ReLU()])
        seq.pop(2)
    assert _names(g) == _names(t)
    assert [type(m).__name__ for m in g] == [type(m).__name__ for m in t]
    assert list(g.state_dict()) == list(t.state_dict())
    assert _names(g + nn.Sequential(nn.ReLU())) == _names(t + torch.nn.Sequential(torch.nn.ReLU()))


def test_sequential_from_ordered_dict():
    g = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    t = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(2, 2)), ("act", torch.nn.ReLU())]))
    assert list(g.state_dict()) == list(t.state_dict()) == ["fc.weight", "fc.bias"]
    assert g.fc is g[0]
    assert repr_without_count(g) == repr(t)


def test_module_list_like_torch():
    g, t = nn.ModuleList(_layers(gg)), torch.nn.ModuleList(_layers(torch))
    for lst, lib in [(g, gg), (t, torch)]:
        lst.append(lib.nn.ReLU())
        lst += [lib.nn.Tanh()]
        lst.insert(0, lib.nn.Identity())
        del lst[2]
        lst.pop(-1)
        lst[1] = lib.nn.Linear(2, 2)
    assert _names(g) == _names(t)
    assert list(g.state_dict()) == list(t.state_dict())
    assert _names(g[1:3]) == _names(t[1:3]) and isinstance(g[1:3], nn.ModuleList)
    assert repr_without_count(g) == repr(t)
    same = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU()])
    t_same = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()] * 2)
    assert repr_without_count(same) == repr(t_same)
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())
    with pytest.raises(TypeError, match="should be called with an iterable"):
        nn.ModuleList().extend(nn.ReLU())


def test_module_dict_like_torch():
    def build(lib):
        d = lib.nn.ModuleDict({"enc": lib.nn.Linear(2, 2), "act": lib.nn.ReLU()})
        d["dec"] = lib.nn.Linear(2, 1)
        d.update([("extra", lib.nn.Tanh())])
        del d["act"]
        return d
    g, t = build(gg), build(torch)
    assert list(g.keys()) == list(t.keys()) and list(g) == list(t) and len(g) == len(t)
    assert "enc" in g and "act" not in g
    assert list(g.state_dict()) == list(t.state_dict())
    assert repr_without_count(g) == repr(t)
    assert type(g.pop("extra")).__name__ == "Tanh" and len(g) == 2
    g.clear()
    assert len(g) == 0


def test_parameter_list_and_dict_like_torch():
    def build(lib):
        plist = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(2)])
        plist.append(lib.ones(4))
        pdict = lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.ones(2))})
        pdict["b"] = lib.zeros(3)
        holder = lib.nn.Module()
        holder.plist, holder.pdict = plist, pdict
        return holder
    g, t = build(gg), build(torch)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in g.plist)
    assert len(g.plist) == 3 and g.plist[-1].shape == (4,) and len(g.plist[:2]) == 2
    assert list(g.pdict.keys()) == ["a", "b"] and "b" in g.pdict and len(g.pdict) == 2
    assert repr_without_count(g.plist) == repr(t.plist).replace("torch.", "glassgrad.")
    del g.pdict["a"]
    assert list(g.pdict) == ["b"]
    with pytest.raises(RuntimeError, match="should not be called"):
        g.plist(gg.ones(1))


def test_sequential_of_nothing_is_identity():
    x = gg.ones(2)
    assert nn.Sequential()(x) is x and len(nn.Sequential()) == 0
    np.testing.assert_array_equal(nn.Sequential(nn.Identity())(x).numpy(), x.numpy())
