"""BatchNorm1d/2d and LayerNorm against torch with the same weights: train and eval mode, running
statistics after several steps (momentum, cumulative, untracked), gradients, dtypes, awkward shapes."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer, copy_torch_weights, repr_without_count
from tests.reference import assert_close

DTYPES = ["float32", "float64"]


def _steps(g, t, shapes, dtype, train=True, steps=3):
    """Run both modules on several batches (forward + backward each), comparing everything each step."""
    t = t.to({"float32": torch.float32, "float64": torch.float64}[dtype])
    g = g.to(dtype)
    copy_torch_weights(g, t)
    g.train(train)
    t.train(train)
    rng = np.random.default_rng(0)
    for step in range(steps):
        x = (rng.standard_normal(shapes) * (step + 1) + step).astype(dtype)
        gx, tx = gg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        g_out, t_out = g(gx), t(tx)
        assert_close(g_out, t_out, scale=10, what=f"step {step} output")
        upstream = rng.standard_normal(t_out.shape).astype(dtype)
        g_out.backward(gg.tensor(upstream))
        t_out.backward(torch.tensor(upstream))
        # the backward of a normalisation sums over the batch: float32 round-off grows with it
        assert_close(gx.grad, tx.grad, scale=10, what=f"step {step} input grad")
        for name, tp in t.named_parameters():
            assert_close(g.get_parameter(name).grad, tp.grad, scale=10, what=f"step {step} {name}")
    t_state = t.state_dict()
    assert list(g.state_dict()) == list(t_state)
    for name, value in g.state_dict().items():
        assert_close(value, t_state[name], scale=10, what=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.3}, {"momentum": None}, {"affine": False},
                                    {"bias": False}, {"track_running_stats": False}, {"eps": 1e-2}],
                         ids=str)
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (4, 3, 5, 2)), ("BatchNorm1d", (1, 3, 4))],
                         ids=str)
def test_batchnorm_train_then_eval(cls, shape, kwargs, dtype):
    g, t = getattr(nn, cls)(3, **kwargs), getattr(torch.nn, cls)(3, **kwargs)
    _steps(g, t, shape, dtype, train=True)
    # eval after training: the running statistics just compared are what normalises now
    t = t.to({"float32": torch.float32, "float64": torch.float64}[dtype])
    g.eval()
    t.eval()
    x = np.random.default_rng(9).standard_normal(shape).astype(dtype)
    assert_close(g(gg.tensor(x)), t(torch.tensor(x)), scale=10)
    check_layer(g, t, [shape], dtype=dtype, scale=10)


def test_batchnorm_running_stats_after_steps_and_repr():
    g, t = nn.BatchNorm1d(4, momentum=None), torch.nn.BatchNorm1d(4, momentum=None)
    _steps(g, t, (6, 4), "float64", steps=5)
    assert g.num_batches_tracked.item() == 5 and g.num_batches_tracked.dtype == np.int64
    for kwargs in [{}, {"affine": False, "momentum": None}, {"bias": False, "track_running_stats": False}]:
        g, t = nn.BatchNorm2d(3, **kwargs), torch.nn.BatchNorm2d(3, **kwargs)
        assert repr_without_count(g) == repr(t)
        assert list(g.state_dict()) == list(t.state_dict())


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(gg.zeros(2, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(gg.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(gg.zeros(1, 3))
    bn = nn.BatchNorm1d(3).eval()
    assert bn(gg.ones(1, 3)).shape == (1, 3)      # one sample is fine in eval mode


def test_batchnorm_loads_checkpoints_without_num_batches_tracked():
    g = nn.BatchNorm1d(3)
    state = {k: v.numpy().copy() for k, v in g.state_dict().items() if k != "num_batches_tracked"}
    assert g.load_state_dict(state).missing_keys == []          # no metadata: an old checkpoint
    sd = g.state_dict()
    del sd["num_batches_tracked"]
    with pytest.raises(RuntimeError, match='Missing key.*"num_batches_tracked"'):
        g.load_state_dict(sd)                                   # version 2 metadata: it must be there


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("normalized,shape", [(5, (4, 5)), ((3, 5), (2, 3, 5)), (5, (1, 5)),
                                              (5, (0, 5)), (4, (2, 3, 4))], ids=str)
@pytest.mark.parametrize("kwargs", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 0.1}],
                         ids=str)
def test_layernorm(normalized, shape, kwargs, dtype):
    g, t = nn.LayerNorm(normalized, **kwargs), torch.nn.LayerNorm(normalized, **kwargs)
    if kwargs.get("elementwise_affine", True):
        with torch.no_grad():   # non-trivial affine parameters
            t.weight.uniform_(0.5, 1.5)
            if t.bias is not None:
                t.bias.uniform_(-0.5, 0.5)
    check_layer(g, t, [shape], dtype=dtype, scale=10)
    assert repr_without_count(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())


def test_noncontiguous_inputs_and_layernorm_init():
    check_layer(nn.LayerNorm(3), torch.nn.LayerNorm(3), [(4, 3)], noncontiguous=True, scale=10)
    check_layer(nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3), [(2, 3, 4, 5)], noncontiguous=True, scale=10)
    ln = nn.LayerNorm((2, 3))
    assert ln.weight.tolist() == [[1.0] * 3] * 2 and not ln.bias.numpy().any()


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_empty_batch(train):
    g, t = nn.BatchNorm1d(3).train(train), torch.nn.BatchNorm1d(3).train(train)
    check_layer(g, t, [(0, 3)])     # also compares running stats and num_batches_tracked afterwards
