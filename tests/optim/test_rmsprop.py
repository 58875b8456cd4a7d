"""RMSprop against torch.optim.RMSprop: centered, momentum, weight decay, alpha, maximize."""
import itertools

import pytest

from tests.optim.parity import both, run_from_torch_state, run_parity, run_resumed, two_groups

DTYPES = ["float32", "float64"]
# The centered variant computes sqrt(mean(g**2) - mean(g)**2); with a small alpha the two means cover a few
# steps and nearly cancel for some elements, so float32 round-off (PyTorch's kernels fuse some multiply-adds,
# NumPy does not) is amplified far past any fair tolerance. Small alphas are tested centered in float64 only.
OPTIONS = [dict(lr=0.01, alpha=a, centered=c, momentum=m, weight_decay=wd)
           for a, c, m, wd in itertools.product((0.99, 0.5), (False, True), (0, 0.5), (0, 0.1))
           if not (c and a == 0.5)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_rmsprop_matches_torch(options, dtype):
    run_parity(*both("RMSprop", **options), dtype=dtype)


@pytest.mark.parametrize("options", [dict(momentum=0.9), dict(weight_decay=0.1)], ids=str)
def test_rmsprop_centered_with_a_small_alpha_in_float64(options):
    run_parity(*both("RMSprop", lr=0.01, alpha=0.5, centered=True, **options), dtype="float64")


@pytest.mark.parametrize("dtype", DTYPES)
def test_rmsprop_defaults_maximize_eps_and_one_parameter_at_a_time(dtype):
    run_parity(*both("RMSprop"), dtype=dtype)
    run_parity(*both("RMSprop", lr=0.01, maximize=True, centered=True, momentum=0.9), dtype=dtype)
    run_parity(*both("RMSprop", lr=0.01, eps=1e-2, momentum=0.5, foreach=False), dtype=dtype)


def test_rmsprop_param_groups_with_different_options():
    run_parity(*both("RMSprop", lr=0.01), groups=two_groups(dict(lr=0.003, alpha=0.9, momentum=0.5)))
    run_parity(*both("RMSprop", lr=0.01, centered=True), groups=two_groups(dict(weight_decay=0.2)),
               dtype="float64")


def test_rmsprop_state_dict_round_trip_and_torch_state():
    run_resumed(*both("RMSprop", lr=0.01, centered=True, momentum=0.5))
    run_from_torch_state(*both("RMSprop", lr=0.01, centered=True, momentum=0.5))
