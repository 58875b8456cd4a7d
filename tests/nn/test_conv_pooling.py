"""Conv2d and the pooling layers against torch with the same weights: every option, dtypes, awkward
shapes, reprs, default initialisation."""
import math

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer, repr_without_count

DTYPES = ["float32", "float64"]
CONVS = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=2, out_channels=4, kernel_size=(3, 2), stride=2, padding=1),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding=(2, 1), dilation=2),
    dict(in_channels=4, out_channels=6, kernel_size=3, groups=2, bias=False),
    dict(in_channels=3, out_channels=2, kernel_size=3, padding="same"),
    dict(in_channels=3, out_channels=2, kernel_size=(4, 2), padding="same", dilation=(1, 2)),
    dict(in_channels=3, out_channels=2, kernel_size=3, padding="valid", stride=(1, 2)),
    dict(in_channels=1, out_channels=3, kernel_size=1),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")   # torch's own notice
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", CONVS, ids=str)
def test_conv2d_matches_torch(kwargs, dtype):
    shape = (2, kwargs["in_channels"], 7, 6)
    check_layer(nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs), [shape], dtype=dtype, scale=10)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv2d_padding_modes(mode):
    kwargs = dict(in_channels=2, out_channels=3, kernel_size=3, padding=1, padding_mode=mode)
    check_layer(nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs), [(2, 2, 5, 5)], scale=10)


@pytest.mark.parametrize("shape", [(1, 3, 5, 5), (0, 3, 5, 5), (2, 3, 3, 3)], ids=str)
def test_conv2d_awkward_batches(shape):
    check_layer(nn.Conv2d(3, 2, 3), torch.nn.Conv2d(3, 2, 3), [shape], scale=10)


def test_conv2d_and_pooling_noncontiguous_input():
    check_layer(nn.Conv2d(3, 2, 3, padding=1), torch.nn.Conv2d(3, 2, 3, padding=1), [(2, 3, 5, 4)],
                noncontiguous=True, scale=10)
    check_layer(nn.MaxPool2d(2), torch.nn.MaxPool2d(2), [(2, 3, 4, 6)], noncontiguous=True)


def test_conv2d_repr_keys_and_errors():
    for kwargs in CONVS + [dict(in_channels=2, out_channels=2, kernel_size=3, padding_mode="reflect",
                                padding=1)]:
        g, t = nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs)
        assert repr_without_count(g) == repr(t)
        assert list(g.state_dict()) == list(t.state_dict())
        assert g.weight.shape == tuple(t.weight.shape)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="not supported for strided convolutions"):
        nn.Conv2d(2, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(2, 2, 3, padding="full")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(2, 2, 3, padding_mode="mirror")


def test_conv2d_default_init_matches_torchs_distribution():
    gg.manual_seed(0)
    g = nn.Conv2d(16, 64, 5)
    fan_in = 16 * 25
    bound = 1 / math.sqrt(fan_in)
    w = g.weight.numpy()
    assert np.abs(w).max() <= bound and w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert np.abs(g.bias.numpy()).max() <= bound


POOLS = [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("MaxPool2d", dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1))),
    ("MaxPool2d", dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("AvgPool2d", dict(kernel_size=2, divisor_override=3)),
    ("AdaptiveAvgPool2d", dict(output_size=1)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 2))),
    ("AdaptiveAvgPool2d", dict(output_size=(4, None))),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs", POOLS, ids=str)
def test_pooling_matches_torch(name, kwargs, dtype):
    g, t = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    check_layer(g, t, [(2, 3, 7, 6)], dtype=dtype)
    check_layer(g, t, [(1, 1, 7, 6)], dtype=dtype)
    assert repr(g) == repr(t)


def test_max_pool_return_indices():
    g, t = nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)
    check_layer(g, t, [(2, 3, 4, 4)])
