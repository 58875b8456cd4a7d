"""ParameterStats against the definitions, computed directly: every tensor size (empty, small, big),
missing gradients, float64 tensors, and a tensor replaced by one of another size."""
import numpy as np

import glassgrad as gg
from glassgrad.trace.param_stats import SMALL, UPDATE_SAMPLE, ParameterStats, sample


def _tensors(rng):
    shapes = [(3,), (0,), (40, 50), (SMALL + 1,), (300, 257), (7, 9)]
    tensors = [gg.tensor(rng.normal(0, 1, s).astype(np.float32)) for s in shapes]
    tensors.append(gg.tensor(rng.normal(0, 1, (11,)), dtype=gg.float64))
    for t in tensors[:-2]:
        t.grad = gg.tensor(rng.normal(0, 1, t.shape).astype(np.float32))
    return tensors  # the last two have no gradient


def test_norms_and_update_ratios_match_their_definitions():
    rng = np.random.default_rng(0)
    tensors = _tensors(rng)
    stats = ParameterStats(tensors)
    before = [t.data.copy() for t in tensors]
    for t in tensors:
        t.data += (0.01 * rng.normal(0, 1, t.shape)).astype(t.data.dtype)
    grad_norms, weight_norms, ratios = stats()
    for t, b, g, w, r in zip(tensors, before, grad_norms, weight_norms, ratios):
        assert np.isclose(g, np.linalg.norm(t.grad.data) if t.grad is not None else 0.0, rtol=1e-5)
        assert np.isclose(w, np.linalg.norm(t.data), rtol=1e-5)
        if t.data.size <= UPDATE_SAMPLE:  # exact
            expected = np.linalg.norm(t.data - b) / np.linalg.norm(t.data) if t.data.size else 0.0
            assert np.isclose(r, expected, rtol=1e-5)
        else:  # on the sample of the same elements
            now, then = sample(t.data.reshape(-1)), sample(b.reshape(-1))
            assert now.size == UPDATE_SAMPLE
            assert np.isclose(r, np.linalg.norm(now - then) / np.linalg.norm(now), rtol=1e-5)
    # No change since: every ratio is zero.
    assert stats()[2] == [0.0] * len(tensors)


def test_a_tensor_replaced_by_another_size_starts_again_from_it():
    rng = np.random.default_rng(1)
    small, big = gg.tensor(rng.normal(0, 1, 5).astype(np.float32)), gg.randn(200, 100)
    stats = ParameterStats([small, big])
    small.data, big.data = rng.normal(0, 1, 8).astype(np.float32), np.ones((10, 3000), np.float32)
    grad_norms, weight_norms, ratios = stats()
    assert np.isclose(weight_norms[0], np.linalg.norm(small.data))
    assert np.isclose(weight_norms[1], 30_000 ** 0.5)
    assert grad_norms == [0.0, 0.0]
    big.data *= 2  # every sampled element doubles: the update is as big as the weights were
    assert np.isclose(stats()[2][1], 0.5)


def test_the_sample_is_evenly_spread_blocks():
    flat = np.arange(100_000, dtype=np.float32)
    s = sample(flat)
    assert s.size == UPDATE_SAMPLE and np.shares_memory(s, flat)
    starts = s[:, 0]
    assert starts[0] == 0 and starts[-1] > 0.9 * flat.size and len(set(np.diff(starts))) == 1
    assert sample(flat[:UPDATE_SAMPLE]).shape == (UPDATE_SAMPLE,)  # whole up to the sample size
