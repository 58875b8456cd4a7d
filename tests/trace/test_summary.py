"""trace.summary: the histogram snapshots keep of big tensors, against NumPy's."""
import numpy as np
import pytest

from glassgrad.trace.summary import histogram


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("size", [1, 7, 5000, 300_000])
def test_histogram_matches_numpys_but_for_values_on_an_inner_edge(dtype, size):
    rng = np.random.default_rng(size)
    a = (rng.standard_normal(size) * 3).astype(dtype)
    counts, edges = histogram(a, bins=40, max_values=1 << 30)
    low, high = float(a.min()), float(a.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    ref, ref_edges = np.histogram(a.astype(np.float64), bins=40, range=(low, high))
    assert counts.dtype == np.int64 and counts.sum() == size
    np.testing.assert_allclose(edges, ref_edges, rtol=1e-6)
    assert np.abs(counts - ref).sum() <= 2 * 1e-5 * size + 2  # a value within rounding of an edge may move


def test_histogram_leaves_out_nan_and_inf_and_subsamples_big_arrays():
    a = np.r_[np.linspace(-1, 1, 100), np.nan, np.inf, -np.inf].astype(np.float32)
    counts, edges = histogram(a, bins=4)
    assert counts.sum() == 100 and edges[0] == -1 and edges[-1] == 1
    counts, _ = histogram(np.arange(1_000_000, dtype=np.float32), bins=10, max_values=1000)
    assert counts.sum() == 1000 and (counts == 100).all()
    assert histogram(np.full(3, np.nan), bins=5)[0].sum() == 0


@pytest.mark.parametrize("values", [[-3e38, 0.0, 3e38], [0.0, 1e-44, 2e-44]])
def test_histogram_of_float32_values_at_the_ends_of_its_range(values):
    # A diverging run's weights near float32's max, or a range of a few subnormals: the bin arithmetic
    # must not overflow float32 (it once put -3e38, 0, 3e38 in bins 0, 0, 1 of 3).
    counts, edges = histogram(np.array(values, np.float32), bins=3)
    ref, _ = np.histogram(np.array(values, np.float32).astype(np.float64), bins=3)
    assert counts.tolist() == ref.tolist() and np.isfinite(edges).all()
