"""Toy sets: shapes, dtypes, label balance, determinism per seed, the geometry each one promises."""
import numpy as np
import pytest

import glassgrad as gg
from glassgrad.data import DataLoader, blobs, circles, moons, sine, spiral, xor

CLASSIFIERS = {
    "spiral": (spiral, {}, 3),
    "spiral 4 classes 2 arms": (spiral, {"classes": 4, "arms": 2}, 4),
    "moons": (moons, {}, 2),
    "circles": (circles, {}, 2),
    "xor": (xor, {}, 2),
    "blobs": (blobs, {}, 3),
    "blobs 5": (blobs, {"centers": 5}, 5),
}


@pytest.mark.parametrize("name", list(CLASSIFIERS))
@pytest.mark.parametrize("n", [7, 100, 301])
def test_classification_shapes_dtypes_and_balance(name, n):
    fn, kwargs, k = CLASSIFIERS[name]
    ds = fn(n_samples=n, noise=0.1, seed=0, **kwargs)
    x, y = (t.numpy() for t in ds.tensors)
    assert ds.num_classes == k and len(ds) == n
    assert x.shape == (n, 2) and x.dtype == np.float32 and np.isfinite(x).all()
    assert y.shape == (n,) and y.dtype == np.int64
    expected = [n // k + (c < n % k) for c in range(k)]  # the documented balance
    assert np.bincount(y, minlength=k).tolist() == expected


@pytest.mark.parametrize("name", list(CLASSIFIERS) + ["sine"])
def test_same_seed_same_data_other_seed_other_data(name):
    fn, kwargs = (sine, {}) if name == "sine" else CLASSIFIERS[name][:2]
    a, b, c = (fn(n_samples=50, seed=seed, **kwargs) for seed in (1, 1, 2))
    for ta, tb in zip(a.tensors, b.tensors):
        np.testing.assert_array_equal(ta.numpy(), tb.numpy())
    assert not np.array_equal(a.tensors[0].numpy(), c.tensors[0].numpy())


def test_seed_none_follows_manual_seed():
    gg.manual_seed(11)
    a = moons(n_samples=20, seed=None).tensors[0].numpy()
    gg.manual_seed(11)
    np.testing.assert_array_equal(moons(n_samples=20, seed=None).tensors[0].numpy(), a)


def test_samples_are_shuffled_not_sorted_by_class():
    y = spiral(n_samples=90, seed=0).tensors[1].numpy()
    assert not np.array_equal(y, np.sort(y))


def test_geometry_without_noise():
    x, y = (t.numpy().astype(np.float64) for t in circles(n_samples=60, noise=0.0, factor=0.3).tensors)
    np.testing.assert_allclose(np.hypot(x[:, 0], x[:, 1]), np.where(y == 0, 1.0, 0.3), atol=1e-6)
    x, y = (t.numpy().astype(np.float64) for t in moons(n_samples=60, noise=0.0).tensors)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (upper[:, 1] >= -1e-6).all() and (lower[:, 1] <= 0.5 + 1e-6).all()
    x, y = (t.numpy() for t in xor(n_samples=60, noise=0.0).tensors)
    np.testing.assert_array_equal(x[:, 0] * x[:, 1] < 0, y == 1)
    ds = spiral(n_samples=60, noise=0.0, classes=3, turns=0.5)
    x, y = (t.numpy().astype(np.float64) for t in ds.tensors)
    r = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 1], x[:, 0])
    arm = np.round(((angle / (2 * np.pi) - 0.5 * r) * 3) % 3) % 3  # invert angle = 2 pi (turns r + j / 3)
    np.testing.assert_array_equal(arm, y)


def test_blobs_cluster_around_their_documented_centers():
    x, y = (t.numpy() for t in blobs(n_samples=3000, noise=0.3, centers=4, seed=0).tensors)
    for c in range(4):
        center = 2.0 * np.array([np.cos(np.pi * c / 2), np.sin(np.pi * c / 2)])
        np.testing.assert_allclose(x[y == c].mean(0), center, atol=0.05)
        np.testing.assert_allclose(x[y == c].std(0), 0.3, atol=0.03)


def test_sine_regression_targets():
    ds = sine(n_samples=400, noise=0.0, seed=0)
    x, t = (a.numpy() for a in ds.tensors)
    assert ds.num_classes is None and x.shape == t.shape == (400, 1) and t.dtype == np.float32
    assert x.min() >= -np.pi and x.max() <= np.pi
    np.testing.assert_allclose(t, np.sin(x), atol=1e-6)
    noisy = sine(n_samples=4000, noise=0.2, seed=0).tensors
    assert 0.18 < float((noisy[1].numpy() - np.sin(noisy[0].numpy())).std()) < 0.22


def test_toy_sets_take_the_loader_fast_path():
    ds = spiral(n_samples=64)
    (x, y), = [next(iter(DataLoader(ds, batch_size=64)))]
    np.testing.assert_array_equal(x.numpy(), ds.tensors[0].numpy())
    assert repr(ds) == "ToyDataset(spiral: 64 samples, 3 classes)"


@pytest.mark.parametrize("call, message", [
    (lambda: moons(n_samples=1), r"moons: n_samples must be an integer >= the number of classes \(2\)"),
    (lambda: blobs(n_samples=10, noise=-1.0), "blobs: noise must be non-negative"),
    (lambda: spiral(classes=1), "spiral: needs classes >= 2"),
    (lambda: circles(factor=1.5), r"circles: factor must be in \(0, 1\)"),
    (lambda: blobs(centers=1), "blobs: centers must be an integer >= 2"),
])
def test_bad_arguments_name_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call()
