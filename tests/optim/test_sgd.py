"""SGD against torch.optim.SGD: every option combination, float32 and float64, 25 steps compared each step."""
import itertools

import pytest

from tests.optim.parity import both, run_from_torch_state, run_parity, run_resumed, two_groups

DTYPES = ["float32", "float64"]
OPTIONS = [dict(lr=0.05, momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
           for m, d, n, wd, mx in itertools.product((0, 0.9), (0, 0.3), (False, True), (0, 0.1),
                                                    (False, True))
           if not n or (m > 0 and d == 0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_sgd_matches_torch(options, dtype):
    run_parity(*both("SGD", **options), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_default_lr_and_one_parameter_at_a_time(dtype):
    run_parity(*both("SGD"), dtype=dtype)
    run_parity(*both("SGD", lr=0.05, momentum=0.9, nesterov=True, foreach=False), dtype=dtype)


def test_sgd_param_groups_with_different_options():
    run_parity(*both("SGD", lr=0.05, momentum=0.9),
               groups=two_groups(dict(lr=0.01, momentum=0.5, dampening=0.5, weight_decay=0.2)))
    run_parity(*both("SGD", lr=0.05), groups=two_groups(dict(momentum=0.9, nesterov=True)), dtype="float64")


@pytest.mark.parametrize("options", [dict(lr=0.05, momentum=0.9, dampening=0.1), dict(lr=0.05)])
def test_sgd_state_dict_round_trip_and_torch_state(options):
    run_resumed(*both("SGD", **options))
    run_from_torch_state(*both("SGD", **options))
