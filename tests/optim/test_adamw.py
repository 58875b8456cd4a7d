"""AdamW (decoupled weight decay) against torch.optim.AdamW."""
import itertools

import pytest

from tests.optim.parity import both, run_from_torch_state, run_parity, run_resumed, two_groups

DTYPES = ["float32", "float64"]
OPTIONS = [dict(lr=0.05, weight_decay=wd, amsgrad=ams, maximize=mx)
           for wd, ams, mx in itertools.product((0, 1e-2, 0.5), (False, True), (False, True))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_adamw_matches_torch(options, dtype):
    run_parity(*both("AdamW", **options), dtype=dtype)


def test_adamw_defaults_groups_and_one_parameter_at_a_time():
    run_parity(*both("AdamW"))
    run_parity(*both("AdamW", lr=0.05, foreach=False), dtype="float64")
    run_parity(*both("AdamW", lr=0.05), groups=two_groups(dict(weight_decay=0.0, betas=(0.8, 0.99))))


def test_adamw_state_dict_round_trip_and_torch_state():
    run_resumed(*both("AdamW", lr=0.05, weight_decay=0.3, amsgrad=True))
    run_from_torch_state(*both("AdamW", lr=0.05, weight_decay=0.3))


def test_adamw_stays_decoupled_after_loading_adam_groups():
    import glassgrad as gg
    w = gg.zeros(3, requires_grad=True)
    adam, adamw = gg.optim.Adam([w]), gg.optim.AdamW([w])
    adamw.load_state_dict(adam.state_dict())
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
