"""The Optimizer base against torch.optim.Optimizer: groups and defaults, bad input, zero_grad, closures,
state_dict / load_state_dict, hooks, and the step driver's promises (parameters' arrays kept, grads of None
skipped, state tensors live)."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.optim.parity import both, feed, gg_params, make_weights, run_parity, torch_params
from tests.reference import assert_close

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]


def params(n=3, dtype="float32"):
    return [gg.from_numpy(np.arange(4, dtype=dtype) + i).requires_grad_() for i in range(n)]


# ---- construction -------------------------------------------------------------------------------------
BAD_OPTIONS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1.0)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-0.1)), ("AdamW", dict(betas=(0.9, 1.0))),
    ("AdamW", dict(lr=-1e-3)), ("RMSprop", dict(lr=-1.0)), ("RMSprop", dict(eps=-1.0)),
    ("RMSprop", dict(momentum=-0.1)), ("RMSprop", dict(weight_decay=-0.1)), ("RMSprop", dict(alpha=-0.9)),
    ("Adagrad", dict(lr=-1.0)), ("Adagrad", dict(lr_decay=-0.1)), ("Adagrad", dict(weight_decay=-0.1)),
    ("Adagrad", dict(initial_accumulator_value=-1.0)), ("Adagrad", dict(eps=-1.0)),
]


@pytest.mark.parametrize("name,options", BAD_OPTIONS, ids=str)
def test_bad_options_raise_torchs_value_error(name, options):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **options)
    with pytest.raises(ValueError) as ours:
        getattr(gg.optim, name)(params(), **options)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", NAMES)
def test_empty_parameter_list(name):
    for empty in ([], iter([])):
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            getattr(gg.optim, name)(empty)


def test_bad_parameters_are_refused():
    w = gg.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got glassgrad.Tensor"):
        gg.optim.SGD(w)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is float"):
        gg.optim.SGD([1.0])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        gg.optim.SGD([w * 2])
    with pytest.raises(TypeError, match="floating-point Tensors, but one of the params has dtype int64"):
        gg.optim.SGD([gg.zeros(3, dtype=gg.int64)])
    with pytest.raises(TypeError, match="ordered collections"):
        gg.optim.SGD([{"params": {w}}])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        gg.optim.SGD([{"params": [w]}, {"params": [w]}])
    with pytest.raises(ValueError, match="duplicate parameters"):  # torch only warns here
        gg.optim.SGD([w, w])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):  # a group's own options are checked
        gg.optim.Adam([{"params": [w], "lr": -1}])
    opt = gg.optim.SGD([w])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": w})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("name", NAMES)
def test_unsupported_torch_switches_raise_and_the_others_work(name):
    cls = getattr(gg.optim, name)
    for flag in ("differentiable", "capturable"):
        if flag == "capturable" and name in ("SGD", "Adagrad"):
            continue  # torch's SGD and Adagrad have no capturable
        with pytest.raises(RuntimeError, match=flag):
            cls(params(), **{flag: True})
    if name != "RMSprop":  # torch's RMSprop has no fused
        with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
            cls(params(), fused=True, foreach=True)
        run_parity(*both(name, fused=True))
    run_parity(*both(name, foreach=True))


@pytest.mark.parametrize("name", NAMES)
def test_defaults_groups_and_repr_are_torchs(name):
    g_opt = getattr(gg.optim, name)([{"params": params(2)}, {"params": params(1), "lr": 0.5}])
    t_opt = getattr(torch.optim, name)([{"params": [torch.zeros(2, requires_grad=True)]},
                                         {"params": [torch.zeros(2, requires_grad=True)], "lr": 0.5}])
    assert g_opt.defaults == t_opt.defaults
    for g_group, t_group in zip(g_opt.param_groups, t_opt.param_groups):
        assert {k: v for k, v in g_group.items() if k != "params"} == \
               {k: v for k, v in t_group.items() if k != "params"}
    assert repr(g_opt) == repr(t_opt)


def test_named_parameters_are_kept():
    a, b = params(2)
    opt = gg.optim.SGD([("a", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]
    with pytest.raises(ValueError, match="with/without names"):
        gg.optim.SGD([("a", a), b])


# ---- stepping -----------------------------------------------------------------------------------------
def test_zero_grad():
    ws = params(2)
    opt = gg.optim.SGD(ws)
    for w in ws:
        (w * w).sum().backward()
    grad = ws[0].grad
    opt.zero_grad(set_to_none=False)
    assert ws[0].grad is grad and not grad.data.any()
    opt.zero_grad()
    assert all(w.grad is None for w in ws)


def test_step_with_closure_evaluates_it_with_grad_enabled():
    w = gg.tensor([2.0], requires_grad=True)
    opt = gg.optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


def test_parameters_without_gradients_are_left_alone_and_get_no_state():
    ws = params(3)
    opt = gg.optim.Adam(ws, lr=0.1)
    before = ws[1].data.copy()
    ws[0].grad = gg.ones(4)
    ws[2].grad = gg.ones(4)
    opt.step()
    np.testing.assert_array_equal(ws[1].data, before)
    assert ws[1] not in opt.state and set(opt.state_dict()["state"]) == {0, 2}


@pytest.mark.parametrize("name", NAMES)
def test_many_medium_parameters_fill_several_buckets(name):
    from glassgrad.optim import _flat
    shapes = [(100, 99)] * 8 + [(7,)] * 3 + [(16000,)]  # 8 x 9900 elements: more than one bucket holds
    assert sum(99 * 100 for _ in range(8)) > _flat.BUCKET_LIMIT and 100 * 99 < _flat.FLAT_LIMIT
    g_opt, *_ = run_parity(*both(name, lr=0.01), shapes=shapes, steps=8)
    (plan,) = g_opt._plans.values()
    assert len(plan.buckets) >= 2 and len(plan.singles) == 0


def test_arrays_and_dtypes_are_kept():
    for name in NAMES:
        ws = params(3) + [gg.zeros(200, 100, requires_grad=True)]
        arrays = [w.data for w in ws]
        opt = getattr(gg.optim, name)(ws, lr=0.1)
        for _ in range(3):
            for w in ws:
                w.grad = gg.ones(*w.shape)
            opt.step()
        assert all(w.data is a for w, a in zip(ws, arrays)), name
        for w in ws:
            assert w.dtype == np.float32
            assert all(v.dtype == np.float32 for v in opt.state[w].values()), name


def test_learning_rate_changes_and_new_groups_are_seen():
    arrays = make_weights("float32")
    g_params, t_params = gg_params(arrays), torch_params(arrays)
    g_opt = gg.optim.Adam(g_params[:3], lr=0.05)
    t_opt = torch.optim.Adam(t_params[:3], lr=0.05)
    for step in range(12):
        if step == 4:
            g_opt.add_param_group({"params": g_params[3:], "lr": 0.01, "amsgrad": True})
            t_opt.add_param_group({"params": t_params[3:], "lr": 0.01, "amsgrad": True})
        if step == 7:
            for opt in (g_opt, t_opt):
                opt.param_groups[0]["lr"] = 0.2
                opt.param_groups[1]["betas"] = (0.5, 0.9)
        feed(step, g_params, t_params)
        g_opt.step()
        t_opt.step()
        for i, (g, t) in enumerate(zip(g_params, t_params)):
            assert_close(g, t, what=f"step {step}, parameter {i}")


def test_edits_to_state_and_weights_reach_the_next_update():
    arrays = make_weights("float32")
    g_params, t_params = gg_params(arrays), torch_params(arrays)
    g_opt, t_opt = gg.optim.Adam(g_params, lr=0.05), torch.optim.Adam(t_params, lr=0.05)
    for step in range(10):
        feed(step, g_params, t_params)
        if step == 3:  # in place, into a state tensor (a view into the optimizer's flat buffer)
            g_opt.state[g_params[0]]["exp_avg"].zero_()
            t_opt.state[t_params[0]]["exp_avg"].zero_()
        if step == 5:  # a new state tensor, and a parameter given a new array
            g_opt.state[g_params[3]]["exp_avg_sq"] = gg.ones(*g_params[3].shape)
            t_opt.state[t_params[3]]["exp_avg_sq"] = torch.ones(t_params[3].shape)
            g_params[0].data = np.full(g_params[0].shape, 0.5, dtype=np.float32)
            t_params[0].data = torch.full(t_params[0].shape, 0.5)
        if step == 7:
            g_opt.state[g_params[6]] = {}  # forget a parameter's state: it starts afresh
            t_opt.state[t_params[6]] = {}
        g_opt.step()
        t_opt.step()
        for i, (g, t) in enumerate(zip(g_params, t_params)):
            assert_close(g, t, what=f"step {step}, parameter {i}")


def test_a_real_backward_pass_feeds_the_update():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 2)).astype("float32")
    w1, w2 = rng.standard_normal((3, 5)).astype("float32"), rng.standard_normal((5, 2)).astype("float32")
    g_w = [gg.from_numpy(w1.copy()).requires_grad_(), gg.from_numpy(w2.copy()).requires_grad_()]
    t_w = [torch.from_numpy(w1.copy()).requires_grad_(), torch.from_numpy(w2.copy()).requires_grad_()]
    g_opt, t_opt = gg.optim.AdamW(g_w, lr=0.01), torch.optim.AdamW(t_w, lr=0.01)
    for lib, ws, opt, xs, ys in ((gg, g_w, g_opt, gg.from_numpy(x), gg.from_numpy(y)),
                                 (torch, t_w, t_opt, torch.from_numpy(x), torch.from_numpy(y))):
        for _ in range(20):
            opt.zero_grad()
            (((xs @ ws[0]).tanh() @ ws[1] - ys) ** 2).mean().backward()
            opt.step()
    for g, t in zip(g_w, t_w):
        assert_close(g, t)


def test_step_hooks():
    w = gg.tensor([1.0], requires_grad=True)
    opt = gg.optim.SGD([w], lr=1.0)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", w.item())))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", w.item())))
    glob = gg.optim.register_optimizer_step_post_hook(lambda o, args, kwargs: calls.append(("global", o)))
    w.grad = gg.tensor([0.5])
    opt.step()
    assert calls == [("pre", 1.0), ("post", 0.5), ("global", opt)]
    for handle in (pre, post, glob):
        handle.remove()
    opt.step()
    assert len(calls) == 3


def test_a_torch_style_custom_optimizer_works():
    class SignSGD(gg.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self.state[p]["steps"] = self.state[p].get("steps", 0) + 1
                        p.data -= group["lr"] * np.sign(p.grad.data)

    w = gg.tensor([1.0, -1.0], requires_grad=True)
    opt = SignSGD([w])
    (w * w).sum().backward()
    opt.step()
    assert w.tolist() == pytest.approx([0.9, -0.9]) and opt.state_dict()["state"] == {0: {"steps": 1}}


# ---- state_dict ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_state_dict_has_torchs_layout(name):
    arrays = make_weights("float64")  # float64: RMSprop's first steps divide by tiny roots (ill-conditioned)
    g_params, t_params = gg_params(arrays), torch_params(arrays)
    options = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    g_opt = getattr(gg.optim, name)([{"params": g_params[:3]}, {"params": g_params[3:], "lr": 0.1}],
                                    **options)
    t_opt = getattr(torch.optim, name)([{"params": t_params[:3]}, {"params": t_params[3:], "lr": 0.1}],
                                       **options)
    for step in range(3):
        feed(step, g_params, t_params)
        g_opt.step()
        t_opt.step()
    ours, theirs = g_opt.state_dict(), t_opt.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in theirs["state"].items():
        assert list(ours["state"][index]) == list(state)
        for key, value in state.items():
            assert_close(ours["state"][index][key], value, what=f"state {index} {key}")


def test_load_state_dict_refuses_a_mismatch_and_changes_nothing():
    ws = params(3)
    opt = gg.optim.Adam([{"params": ws[:2]}, {"params": ws[2:]}], lr=0.1)
    for w in ws:
        w.grad = gg.ones(4)
    opt.step()
    before = opt.state_dict()
    snapshot = {k: {key: v.data.copy() for key, v in s.items()} for k, s in before["state"].items()}
    groups = opt.param_groups

    other = gg.optim.Adam([{"params": params(2)}, {"params": params(1)}], lr=0.1)
    for p in other.param_groups[0]["params"] + other.param_groups[1]["params"]:
        p.grad = gg.ones(4)
    other.step()
    good = other.state_dict()
    sgd = gg.optim.SGD([{"params": params(2)}, {"params": params(1)}], momentum=0.9)
    for p in sgd.param_groups[0]["params"] + sgd.param_groups[1]["params"]:
        p.grad = gg.ones(4)
    sgd.step()
    wrong_shape = {"state": {**good["state"], 1: {**good["state"][1], "exp_avg": gg.zeros(5)}},
                   "param_groups": good["param_groups"]}
    cases = [
        ({"state": {}, "param_groups": good["param_groups"][:1]}, "different number of parameter groups"),
        ({"state": {}, "param_groups": [good["param_groups"][1], good["param_groups"][0]]},
         "doesn't match the size of optimizer's group"),
        (wrong_shape, r"state\['exp_avg'\] of shape \(5,\) for parameter 1, whose shape is \(4,\)"),
        (sgd.state_dict(), r"lacks \['exp_avg', 'exp_avg_sq', 'step'\]"),
        ({"state": {}}, "needs the keys 'state' and 'param_groups'"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            opt.load_state_dict(bad)
        assert opt.param_groups is groups
        after = opt.state_dict()
        assert after["param_groups"] == before["param_groups"]
        for k, s in snapshot.items():
            for key, value in s.items():
                np.testing.assert_array_equal(after["state"][k][key].data, value)


def test_load_state_dict_copies_and_casts():
    w64 = gg.zeros(4, dtype=gg.float64, requires_grad=True)
    opt = gg.optim.Adam([w64], lr=0.1)
    saved = {"state": {0: {"step": 3, "exp_avg": np.ones(4, np.float32), "exp_avg_sq": gg.ones(4)}},
             "param_groups": [{**opt.state_dict()["param_groups"][0], "lr": 0.5}]}
    opt.load_state_dict(saved)
    state = opt.state[w64]
    assert state["step"].dtype == np.float32 and state["step"].item() == 3.0
    assert state["exp_avg"].dtype == np.float64 and state["exp_avg_sq"].dtype == np.float64
    assert state["exp_avg_sq"] is not saved["state"][0]["exp_avg_sq"]
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is w64


def test_deep_copies_and_pickles_carry_on_identically():
    import copy
    import pickle

    ws = params(3) + [gg.ones(130, 130, requires_grad=True)]
    opt = gg.optim.Adam(ws, lr=0.1, amsgrad=True)
    for step in range(3):
        for w in ws:
            w.grad = gg.from_numpy(np.full(w.shape, 0.1 * step + 0.5, dtype=np.float32))
        opt.step()
    copies = [copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))]
    for o in [opt] + copies:
        for p in [p for g in o.param_groups for p in g["params"]]:
            p.grad = gg.from_numpy(np.full(p.shape, -0.3, dtype=np.float32))
        o.step()
    for o in copies:
        for a, b in zip(opt.param_groups[0]["params"], o.param_groups[0]["params"]):
            assert a is not b
            np.testing.assert_array_equal(a.data, b.data)
        assert o.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


def test_a_users_group_dict_becomes_the_group():
    group = {"params": (p for p in params(2)), "lr": 0.5}
    opt = gg.optim.SGD([group], momentum=0.9)
    assert opt.param_groups[0] is group and isinstance(group["params"], list) and group["momentum"] == 0.9


def test_custom_scalar_state_survives_a_round_trip():
    w = gg.zeros(3, requires_grad=True)
    opt = gg.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = gg.ones(3)
    opt.step()
    opt.state[w]["note"] = 7  # a user's own bookkeeping next to the algorithm's state
    opt.state[w]["scale"] = np.float32(2.0)
    fresh = gg.optim.SGD([w], lr=0.1, momentum=0.9)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.state[w]["note"] == 7 and float(fresh.state[w]["scale"]) == 2.0
    fresh.step()
    opt.step()
    assert fresh.state[w]["note"] == 7
    np.testing.assert_array_equal(fresh.state[w]["momentum_buffer"].data,
                                  opt.state[w]["momentum_buffer"].data)
