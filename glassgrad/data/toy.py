"""Seeded 2-D toy data sets for classification (spiral, moons, circles, xor, blobs) and a noisy sine for
regression -- small enough to train on in seconds and to draw every decision boundary of.

Every function is ``fn(n_samples=..., noise=..., seed=...)`` and returns a :class:`ToyDataset`, a
TensorDataset of ``(features, targets)`` that knows its ``num_classes``:

- features: float32 of shape ``(n_samples, 2)`` (``(n_samples, 1)`` for ``sine``);
- targets: int64 labels of shape ``(n_samples,)`` in ``0 .. num_classes - 1`` (float32 ``(n_samples, 1)``
  for ``sine``);
- balance: class ``c`` gets ``n_samples // k`` points, plus one for the first ``n_samples % k`` classes;
- order: shuffled (so any prefix is a fair sample), deterministically from ``seed``;
- noise: the standard deviation of Gaussian noise added to every coordinate (the target for ``sine``).

The same ``seed`` gives bit-identical data on every machine (NumPy's PCG64); ``seed=None`` draws from
glassgrad's default generator instead, so ``glassgrad.manual_seed`` governs it.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..tensor import _new_tensor
from .dataset import TensorDataset


class ToyDataset(TensorDataset):
    """A TensorDataset ``(features, targets)`` that knows its task.

    ``num_classes`` is the number of classes (None for regression) and ``name`` which generator made it.
    """

    def __init__(self, features: np.ndarray, targets: np.ndarray, num_classes: int | None, name: str):
        super().__init__(_new_tensor(features, False), _new_tensor(targets, False))
        self.num_classes = num_classes
        self.name = name

    def __repr__(self) -> str:
        task = f"{self.num_classes} classes" if self.num_classes else "regression"
        return f"ToyDataset({self.name}: {len(self)} samples, {task})"


def _start(name: str, n_samples: int, noise: float, seed, classes: int) -> tuple[np.random.Generator, list]:
    """Validate the shared arguments; return the generator and the per-class counts."""
    if not isinstance(n_samples, (int, np.integer)) or n_samples < classes:
        raise ValueError(f"{name}: n_samples must be an integer >= the number of classes ({classes}), "
                         f"got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise must be non-negative, got {noise!r}")
    rng = backend.rng() if seed is None else np.random.Generator(np.random.PCG64(seed))
    return rng, [n_samples // classes + (c < n_samples % classes) for c in range(classes)]


def _finish(name: str, rng, points: np.ndarray, labels: np.ndarray, noise: float, classes: int) -> ToyDataset:
    points = points + noise * rng.standard_normal(points.shape)
    order = rng.permutation(len(labels))
    return ToyDataset(points[order].astype(np.float32), labels[order].astype(np.int64), classes, name)


def _labels(counts: list) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def spiral(n_samples: int = 300, noise: float = 0.05, seed: int | None = 0, classes: int = 3,
           arms: int = 1, turns: float = 1.0) -> ToyDataset:
    """Interleaved spiral arms around the origin: ``classes * arms`` arms, arm ``j`` of class ``j % classes``.

    Each point sits at radius ``r ~ U(0, 1)`` and angle ``2 pi (turns * r + j / (classes * arms))``.

    >>> ds = spiral(n_samples=300, classes=3, seed=0)
    >>> ds.tensors[0].shape, ds.num_classes, [int((ds.tensors[1] == c).sum()) for c in range(3)]
    ((300, 2), 3, [100, 100, 100])
    """
    if not isinstance(classes, int) or classes < 2 or not isinstance(arms, int) or arms < 1:
        raise ValueError(f"spiral: needs classes >= 2 and arms >= 1, got classes={classes}, arms={arms}")
    rng, counts = _start("spiral", n_samples, noise, seed, classes)
    labels = _labels(counts)
    arm = labels + classes * rng.integers(0, arms, len(labels))  # which of the class's arms, (N,)
    r = rng.uniform(0.0, 1.0, len(labels))
    angle = 2 * math.pi * (turns * r + arm / (classes * arms))
    return _finish("spiral", rng, np.stack([r * np.cos(angle), r * np.sin(angle)], 1), labels, noise, classes)


def moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0) -> ToyDataset:
    """Two interleaving half circles: class 0 the upper arc of the unit circle, class 1 the lower arc
    shifted to ``(1, 0.5)``.

    >>> ds = moons(n_samples=101, seed=1)
    >>> len(ds), ds.num_classes, int((ds.tensors[1] == 0).sum())
    (101, 2, 51)
    """
    rng, counts = _start("moons", n_samples, noise, seed, 2)
    labels = _labels(counts)
    t = rng.uniform(0.0, math.pi, len(labels))
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    return _finish("moons", rng, np.where(labels[:, None] == 0, upper, lower), labels, noise, 2)


def circles(n_samples: int = 200, noise: float = 0.05, seed: int | None = 0,
            factor: float = 0.5) -> ToyDataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (0 < factor < 1).

    >>> ds = circles(n_samples=10, noise=0.0, seed=0)
    >>> import numpy as np
    >>> radius = np.hypot(*ds.tensors[0].numpy().T)
    >>> bool(np.allclose(radius, np.where(ds.tensors[1].numpy() == 0, 1.0, 0.5), atol=1e-6))
    True
    """
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be in (0, 1), got {factor!r}")
    rng, counts = _start("circles", n_samples, noise, seed, 2)
    labels = _labels(counts)
    t = rng.uniform(0.0, 2 * math.pi, len(labels))
    radius = np.where(labels == 0, 1.0, factor)
    return _finish("circles", rng, radius[:, None] * np.stack([np.cos(t), np.sin(t)], 1), labels, noise, 2)


def xor(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0) -> ToyDataset:
    """Points in the square ``[-1, 1]^2``: class 0 in the quadrants where ``x * y > 0``, class 1 where
    ``x * y < 0`` (before noise) -- the problem no linear model solves.

    >>> ds = xor(n_samples=40, noise=0.0, seed=3)
    >>> x, y = (t.numpy() for t in ds.tensors)
    >>> bool(((x[:, 0] * x[:, 1] < 0) == (y == 1)).all())
    True
    """
    rng, counts = _start("xor", n_samples, noise, seed, 2)
    labels = _labels(counts)
    magnitude = rng.uniform(0.0, 1.0, (len(labels), 2))
    sign_x = rng.choice([-1.0, 1.0], len(labels))
    sign_y = np.where(labels == 0, sign_x, -sign_x)  # same signs for class 0, opposite for class 1
    return _finish("xor", rng, magnitude * np.stack([sign_x, sign_y], 1), labels, noise, 2)


def blobs(n_samples: int = 200, noise: float = 0.5, seed: int | None = 0, centers: int = 3) -> ToyDataset:
    """Gaussian clusters of standard deviation ``noise`` around ``centers`` points evenly spaced on the
    circle of radius 2 (center ``c`` at angle ``2 pi c / centers``); the label is the cluster.

    >>> blobs(n_samples=90, centers=4, seed=0)
    ToyDataset(blobs: 90 samples, 4 classes)
    """
    if not isinstance(centers, int) or centers < 2:
        raise ValueError(f"blobs: centers must be an integer >= 2, got {centers!r}")
    rng, counts = _start("blobs", n_samples, noise, seed, centers)
    labels = _labels(counts)
    angle = 2 * math.pi * labels / centers
    return _finish("blobs", rng, 2.0 * np.stack([np.cos(angle), np.sin(angle)], 1), labels, noise, centers)


def sine(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0) -> ToyDataset:
    """Regression: ``x ~ U(-pi, pi)`` of shape ``(n_samples, 1)``, target ``sin(x) + noise * N(0, 1)`` of
    shape ``(n_samples, 1)``, both float32 (the shape ``nn.MSELoss`` wants against an ``(N, 1)`` output).

    >>> x, y = sine(n_samples=5, noise=0.0).tensors
    >>> x.shape, y.shape, y.dtype
    ((5, 1), (5, 1), dtype('float32'))
    """
    rng, _ = _start("sine", n_samples, noise, seed, 1)
    x = rng.uniform(-math.pi, math.pi, (n_samples, 1))
    y = np.sin(x) + noise * rng.standard_normal(x.shape)
    return ToyDataset(x.astype(np.float32), y.astype(np.float32), None, "sine")


__all__ = ["ToyDataset", "spiral", "moons", "circles", "xor", "blobs", "sine"]
