"""Module hooks fire when torch's do, with torch's arguments, and their return values act as in torch."""
import warnings

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import copy_torch_weights
from tests.reference import assert_close


def _pair(seed=0):
    torch.manual_seed(seed)
    t = torch.nn.Linear(3, 2)
    g = nn.Linear(3, 2)
    copy_torch_weights(g, t)
    return g, t


def _x(lib, requires_grad=True):
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    return (gg.tensor(x) if lib is gg else torch.tensor(x)).requires_grad_(requires_grad)


def _shapes(values):
    return [None if v is None else tuple(v.shape) for v in values]


def test_forward_pre_hook_and_forward_hook_replace_values():
    for lib, (g, t) in [(gg, _pair()), (torch, _pair())]:
        m = g if lib is gg else t
        calls = []
        m.register_forward_pre_hook(lambda mod, args: calls.append(("pre", len(args))) or (args[0] * 2,))
        m.register_forward_hook(lambda mod, args, out: calls.append(("post", tuple(out.shape))) or out + 1)
        out = m(_x(lib, False))
        assert calls == [("pre", 1), ("post", (4, 2))]
        if lib is gg:
            g_out = out
        else:
            assert_close(g_out, out)


def test_hook_order_prepend_kwargs_and_removal():
    m = nn.Identity()
    order = []
    h1 = m.register_forward_hook(lambda mod, args, out: order.append(1))
    m.register_forward_hook(lambda mod, args, out: order.append(0), prepend=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: order.append(("kw", sorted(kwargs))),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(("kwpost", sorted(kwargs))),
                            with_kwargs=True)

    class Echo(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale
    m.forward = Echo().forward
    m(gg.ones(1), scale=2.0)
    assert order == [("kw", ["scale"]), 0, 1, ("kwpost", ["scale"])]
    h1.remove()
    order.clear()
    m(gg.ones(1))
    assert 1 not in order
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        m(gg.ones(1))


def test_always_call_hook_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, args, out: seen.append("normal"))
    m.register_forward_hook(lambda mod, args, out: seen.append(("always", out)), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        m(gg.ones(1))
    assert seen == [("always", None)]


def test_global_forward_hooks_see_every_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seen = []
    with nn.register_module_forward_hook(lambda mod, args, out: seen.append(type(mod).__name__)), \
            nn.register_module_forward_pre_hook(lambda mod, args: seen.append("pre")):
        model(gg.ones(1, 2))
    assert seen == ["pre", "pre", "Linear", "pre", "ReLU", "Sequential"]
    seen.clear()
    model(gg.ones(1, 2))
    assert seen == []
    with nn.register_module_forward_hook(lambda mod, args, kwargs, out: seen.append(sorted(kwargs)),
                                         with_kwargs=True):
        nn.Linear(2, 2)(input=gg.ones(1, 2))
    assert seen == [["input"]]


def _record_backward(m, log):
    m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _shapes(go))))
    m.register_full_backward_hook(lambda mod, gi, go: log.append(("full", _shapes(gi), _shapes(go),
                                                                  [None if v is None else v.numpy().copy()
                                                                   for v in gi + go])))


def _compare_logs(g_log, t_log):
    assert len(g_log) == len(t_log)
    for g_entry, t_entry in zip(g_log, t_log):
        assert g_entry[:3] == t_entry[:3]
        if g_entry[0] == "full":
            for a, b in zip(g_entry[3], t_entry[3]):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_full_backward_hook_arguments_match_torch():
    g, t = _pair()
    g_log, t_log = [], []
    _record_backward(g, g_log)
    _record_backward(t, t_log)
    g(_x(gg)).sum().backward()
    t(_x(torch)).sum().backward()
    assert [e[0] for e in g_log] == ["pre", "full"]
    _compare_logs(g_log, t_log)


def test_full_backward_hook_several_inputs_and_outputs():
    def make(lib):
        class Two(lib.nn.Module):
            def forward(self, a, n, b):
                return a * b * n, a + b, a.sum()
        return Two()
    logs = []
    for lib in (gg, torch):
        m, log = make(lib), []
        _record_backward(m, log)
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([0.5, -1.0, 2.0])
        out1, _, out3 = m(a, 2.0, b)       # the second output is unused: its grad_output is None
        (out1.sum() * 3 + out3).backward()
        logs.append((log, a.grad.numpy().copy()))
    _compare_logs(logs[0][0], logs[1][0])
    np.testing.assert_allclose(logs[0][1], logs[1][1])


def test_outputs_that_need_no_grad_stay_so():
    def make(lib):
        class Three(lib.nn.Module):
            def forward(self, a, b):
                return a * 2, b * 3, a.detach()
        return Three()
    logs = []
    for lib in (gg, torch):
        m, log = make(lib), []
        _record_backward(m, log)
        outs = m(lib.ones(2, requires_grad=True), lib.ones(2))
        assert [o.requires_grad for o in outs] == [True, False, False]
        outs[0].sum().backward()
        logs.append(log)
    _compare_logs(*logs)


def test_hooks_replace_gradients_like_torch():
    grads = []
    for lib, (g, t) in [(gg, _pair()), (torch, _pair())]:
        m = g if lib is gg else t
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1,))
        x = _x(lib)
        m(x).sum().backward()
        grads.append((x.grad, m.weight.grad))
    assert_close(grads[0][0], grads[1][0])
    assert_close(grads[0][1], grads[1][1])      # the weight saw the doubled grad_output


def test_backward_hook_without_input_grad_fires_with_none_and_warns():
    logs = []
    for lib, (g, t) in [(gg, _pair()), (torch, _pair())]:
        m, log = (g if lib is gg else t), []
        _record_backward(m, log)
        with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed "
                                             "with respect to module outputs"):
            m(_x(lib, False)).sum().backward()
        logs.append(log)
    _compare_logs(*logs)
    assert logs[0][-1][1] == [None]


def test_backward_hooks_on_nested_modules_and_no_grad():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    fired = []
    for name, sub in model.named_modules():
        sub.register_full_backward_hook(lambda mod, gi, go, name=name: fired.append(name))
    x = gg.randn(2, 3, requires_grad=True)
    reference = gg.randn(2, 3)
    model(x).sum().backward()
    assert fired == ["2", "1", "0", ""]
    with gg.no_grad():
        out = model(reference)
    assert not out.requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.zero_grad()


def test_bad_backward_hook_result():
    g, _ = _pair()
    g.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        g(_x(gg)).sum().backward()


def test_gradients_through_hooked_modules_are_unchanged():
    # The identity nodes that backward hooks route through must not alter any gradient.
    class Two(nn.Module):
        def forward(self, a, b):
            return a * b, (a + b).tanh()
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    m.register_full_backward_pre_hook(lambda mod, go: None)
    rng = np.random.default_rng(0)
    a, b = (gg.tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(2))
    assert gg.autograd.gradcheck(lambda a, b: m(a, b), (a, b))
