"""The landscape's PCA plane against NumPy's SVD of the same offsets: the same directions, up to sign."""
import numpy as np

from glassgrad.trace.landscape import pca_directions


def _flat(arrays):
    return np.concatenate([a.reshape(-1) for a in arrays]).astype(np.float64)


def test_pca_directions_are_the_offsets_top_singular_vectors():
    rng = np.random.default_rng(0)
    center = [rng.normal(0, 1, (30, 20)).astype(np.float32), rng.normal(0, 1, 20).astype(np.float32)]
    # A path that moves mostly along two directions, with a little noise: 12 points.
    u, v = rng.normal(0, 1, 620), rng.normal(0, 1, 620)
    path = []
    for t in np.linspace(0, 1, 12):
        flat = _flat(center) + 3 * t * u + np.sin(3 * t) * v + 0.01 * rng.normal(0, 1, 620)
        path.append([flat[:600].reshape(30, 20).astype(np.float32), flat[600:].astype(np.float32)])
    d1, d2 = pca_directions(path, center)
    assert [d.shape for d in d1] == [(30, 20), (20,)] and d1[0].dtype == np.float32
    offsets = np.stack([_flat(p) - _flat(center) for p in path])
    vt = np.linalg.svd(offsets, full_matrices=False)[2]
    for ours, theirs in ((_flat(d1), vt[0]), (_flat(d2), vt[1])):
        assert abs(abs(ours @ theirs) - 1) < 1e-4  # unit vectors, parallel
    assert abs(_flat(d1) @ _flat(d2)) < 1e-4


def test_a_path_along_one_line_still_gets_two_orthonormal_directions():
    center = [np.zeros(5, np.float32)]
    path = [[np.full(5, t, np.float32)] for t in (0.5, 1.0, 2.0)]
    d1, d2 = pca_directions(path, center)
    a, b = _flat(d1), _flat(d2)
    assert abs(np.linalg.norm(a) - 1) < 1e-6 and abs(np.linalg.norm(b) - 1) < 1e-6 and abs(a @ b) < 1e-6
    assert abs(abs(a @ np.full(5, 5 ** -0.5)) - 1) < 1e-6  # the line itself comes first
