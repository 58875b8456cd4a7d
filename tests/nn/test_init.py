"""nn.init against torch's formulas: exact for the deterministic ones, and by sample statistics for the
random ones (drawn from glassgrad's seeded generator, so these tests are deterministic).

Statistical tolerances: with n ≥ 10⁵ draws the sample mean and std are within ~4 standard errors
(≈1%) of the distribution's; the bounds of a uniform are hit to within a fraction of a percent.
"""
import math

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from glassgrad.nn import init


def _stats(t):
    a = t.numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_calculate_gain_matches_torch():
    for name in ["linear", "conv2d", "sigmoid", "tanh", "relu", "selu", "leaky_relu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    for slope in [0, 0.2, 1, math.sqrt(5)]:
        assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
            torch.nn.init.calculate_gain("leaky_relu", slope))
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3, 3), (5, 7, 2)], ids=str)
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(gg.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(gg.zeros(3))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("leaky_relu", 0), ("relu", 0), ("leaky_relu", math.sqrt(5)),
                                            ("tanh", 0)])
def test_kaiming(mode, nonlinearity, a):
    shape = (400, 50, 3, 3) if mode == "fan_in" else (50, 400, 3, 3)
    fan = 50 * 9
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    gg.manual_seed(0)
    mean, s, lo, hi = _stats(init.kaiming_uniform_(gg.empty(*shape), a, mode, nonlinearity))
    bound = math.sqrt(3) * std
    assert abs(mean) < 0.01 * std * 4 and s == pytest.approx(std, rel=0.01)
    assert -bound <= lo < -0.999 * bound and 0.999 * bound < hi <= bound
    mean, s, _, _ = _stats(init.kaiming_normal_(gg.empty(*shape), a, mode, nonlinearity))
    assert abs(mean) < 0.01 * std * 4 and s == pytest.approx(std, rel=0.01)


def test_xavier():
    w = gg.empty(300, 500)
    gain = 5 / 3
    std = gain * math.sqrt(2 / 800)
    mean, s, lo, hi = _stats(init.xavier_uniform_(w, gain=gain))
    assert s == pytest.approx(std, rel=0.01) and hi <= math.sqrt(3) * std and abs(mean) < 0.01 * std * 4
    mean, s, _, _ = _stats(init.xavier_normal_(w, gain=gain))
    assert s == pytest.approx(std, rel=0.01)


def test_uniform_normal_constant_eye():
    w = gg.empty(400, 500)
    mean, s, lo, hi = _stats(init.uniform_(w, -1.0, 3.0))
    assert mean == pytest.approx(1.0, abs=0.01) and s == pytest.approx(4 / math.sqrt(12), rel=0.01)
    assert -1 <= lo and hi <= 3
    mean, s, _, _ = _stats(init.normal_(w, 2.0, 0.5))
    assert mean == pytest.approx(2.0, abs=0.005) and s == pytest.approx(0.5, rel=0.01)
    for g_fn, t_fn, args in [(init.constant_, torch.nn.init.constant_, (0.3,)),
                             (init.ones_, torch.nn.init.ones_, ()), (init.zeros_, torch.nn.init.zeros_, ()),
                             (init.eye_, torch.nn.init.eye_, ())]:
        np.testing.assert_array_equal(g_fn(gg.empty(3, 5), *args).numpy(),
                                      t_fn(torch.empty(3, 5), *args).numpy())
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(gg.empty(2, 2, 2))


def _truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std²) truncated to [a, b] (with erfc, accurate in the tails)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    if alpha > 0:
        z = 0.5 * (math.erfc(alpha / math.sqrt(2)) - math.erfc(beta / math.sqrt(2)))
    elif beta < 0:
        z = 0.5 * (math.erfc(-beta / math.sqrt(2)) - math.erfc(-alpha / math.sqrt(2)))
    else:
        z = 0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2)))
    m = (pdf(alpha) - pdf(beta)) / z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - m * m
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize("mean,std,a,b", [
    (0.0, 1.0, -2.0, 2.0),      # the default: the normal itself as proposal
    (0.0, 0.02, -2.0, 2.0),     # ViT-style: bounds far outside, nothing truncated
    (1.0, 1.0, 0.9, 1.2),       # a narrow interval around the mean
    (0.0, 1.0, 3.0, 5.0),       # an upper tail
    (0.0, 1.0, -7.0, -5.0),     # a far lower tail (rejection from the normal would never finish)
    (0.0, 1.0, 4.0, 4.05),      # a narrow interval in a tail
])
def test_trunc_normal(mean, std, a, b):
    gg.manual_seed(1)
    w = init.trunc_normal_(gg.empty(200, 1000), mean, std, a, b)
    m, s, lo, hi = _stats(w)
    expected_mean, expected_std = _truncated_moments(mean, std, a, b)
    assert a <= lo and hi <= b
    assert m == pytest.approx(expected_mean, abs=4 * expected_std / math.sqrt(w.numel()) + 1e-7)
    assert s == pytest.approx(expected_std, rel=0.01)


def test_orthogonal():
    for shape in [(6, 4), (4, 6), (5, 2, 3)]:
        w = init.orthogonal_(gg.empty(*shape, dtype=gg.float64), gain=2.0)
        flat = w.numpy().reshape(shape[0], -1)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(gg.empty(3))


def test_in_place_without_grad_seeded_and_dtype_kept():
    p = nn.Parameter(gg.empty(3, 4))
    for fn in [init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.trunc_normal_, init.orthogonal_, init.zeros_]:
        assert fn(p) is p
        assert p.is_leaf and p.requires_grad and p.dtype == np.float32
    gg.manual_seed(42)
    first = init.normal_(gg.empty(5)).tolist()
    gg.manual_seed(42)
    assert init.normal_(gg.empty(5)).tolist() == first
    g1, g2 = gg.Generator(7), gg.Generator(7)
    assert init.uniform_(gg.empty(4), generator=g1).tolist() == \
        init.uniform_(gg.empty(4), generator=g2).tolist()


def test_errors_and_empty_tensors():
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        init.kaiming_uniform_(gg.empty(0, 3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(gg.empty(2, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.kaiming_normal_(gg.empty(2, 3), nonlinearity="swish")


def test_linear_default_init_matches_torchs_distribution():
    # U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias, as torch's kaiming_uniform_(a=sqrt(5)).
    gg.manual_seed(0)
    torch.manual_seed(0)
    g = nn.Linear(256, 512)
    t = torch.nn.Linear(256, 512)
    bound = 1 / math.sqrt(256)
    for name in ["weight", "bias"]:
        gm, gs, glo, ghi = _stats(getattr(g, name))
        ta = getattr(t, name).detach().numpy()
        assert -bound <= glo and ghi <= bound
        rel = 0.1 if name == "bias" else 0.01     # 512 bias values: ~2% standard error on the std
        assert gs == pytest.approx(ta.std(), rel=rel)
        assert gs == pytest.approx(bound / math.sqrt(3), rel=rel)
