"""Adam against torch.optim.Adam: option combinations (a small beta1 takes lerp's other branch), float32 and
float64, 25 steps compared each step, then the state."""
import itertools

import pytest

from tests.optim.parity import both, run_from_torch_state, run_parity, run_resumed, two_groups

DTYPES = ["float32", "float64"]
OPTIONS = [dict(lr=0.05, betas=b, weight_decay=wd, amsgrad=ams, maximize=mx)
           for b, wd, ams, mx in itertools.product(((0.9, 0.999), (0.3, 0.6)), (0, 0.1), (False, True),
                                                   (False, True))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_adam_matches_torch(options, dtype):
    run_parity(*both("Adam", **options), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_defaults_eps_decoupled_and_one_parameter_at_a_time(dtype):
    run_parity(*both("Adam"), dtype=dtype)
    run_parity(*both("Adam", lr=0.05, eps=1e-2, amsgrad=True), dtype=dtype)
    run_parity(*both("Adam", lr=0.05, weight_decay=0.1, decoupled_weight_decay=True), dtype=dtype)
    run_parity(*both("Adam", lr=0.05, weight_decay=0.1, amsgrad=True, foreach=False), dtype=dtype)


def test_adam_param_groups_with_different_options():
    run_parity(*both("Adam", lr=0.05), groups=two_groups(dict(lr=0.01, betas=(0.5, 0.9), amsgrad=True)))
    run_parity(*both("Adam", lr=0.05, weight_decay=0.1), groups=two_groups(dict(eps=1e-3, maximize=True)),
               dtype="float64")


@pytest.mark.parametrize("options", [dict(lr=0.05, amsgrad=True, weight_decay=0.1), dict(lr=0.05)])
def test_adam_state_dict_round_trip_and_torch_state(options):
    run_resumed(*both("Adam", **options))
    run_from_torch_state(*both("Adam", **options))
