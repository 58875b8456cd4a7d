"""Adagrad against torch.optim.Adagrad: lr decay, weight decay, initial accumulator, eps, maximize."""
import itertools

import pytest

from tests.optim.parity import both, run_from_torch_state, run_parity, run_resumed, two_groups

DTYPES = ["float32", "float64"]
OPTIONS = [dict(lr=0.1, lr_decay=d, weight_decay=wd, initial_accumulator_value=acc, maximize=mx)
           for d, wd, acc, mx in itertools.product((0, 0.1), (0, 0.1), (0, 0.5), (False, True))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_adagrad_matches_torch(options, dtype):
    run_parity(*both("Adagrad", **options), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adagrad_defaults_eps_and_one_parameter_at_a_time(dtype):
    run_parity(*both("Adagrad"), dtype=dtype)
    run_parity(*both("Adagrad", lr=0.1, eps=1e-2, foreach=False), dtype=dtype)


def test_adagrad_param_groups_with_different_options():
    # As in torch, a group's own initial_accumulator_value is ignored: the constructor's is used.
    run_parity(*both("Adagrad", lr=0.1, initial_accumulator_value=0.2),
               groups=two_groups(dict(lr=0.03, lr_decay=0.2, initial_accumulator_value=3.0)))


def test_adagrad_state_exists_before_the_first_step_as_in_torch():
    import torch

    import glassgrad as gg
    g_opt = gg.optim.Adagrad([gg.zeros(2, requires_grad=True)], initial_accumulator_value=0.3)
    t_opt = torch.optim.Adagrad([torch.zeros(2, requires_grad=True)], initial_accumulator_value=0.3)
    g_state, t_state = g_opt.state_dict()["state"], t_opt.state_dict()["state"]
    assert set(g_state) == set(t_state) == {0}
    assert set(g_state[0]) == set(t_state[0])
    assert g_state[0]["sum"].tolist() == t_state[0]["sum"].tolist()


def test_adagrad_state_dict_round_trip_and_torch_state():
    run_resumed(*both("Adagrad", lr=0.1, lr_decay=0.05, weight_decay=0.1))
    run_from_torch_state(*both("Adagrad", lr=0.1, lr_decay=0.05))
