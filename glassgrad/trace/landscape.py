"""A 2-D slice of the loss surface around some weights, and the path the optimizer took across it.

Which plane (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets"):
- ``"pca"``: the two principal directions of the path itself (weights at each snapshot minus the final
  weights), so the drawn path is as close to the real one as a plane allows — the default while the path
  has enough snapshots and the model is not huge;
- ``"random"``: two random directions, filter-normalised (each row of a direction scaled to the norm of
  the same row of the weights, biases fixed), the choice for larger models; a path mostly leaves such a
  plane, so it appears short;
- ``"axes"``: for a model with exactly two parameters, the two parameters themselves.
"""
from __future__ import annotations

import os

import numpy as np

from .probe import observing


def filter_normalized_directions(weights: list[np.ndarray], seed: int = 0) -> tuple[list, list]:
    """Two random directions shaped like ``weights``, filter-normalised."""
    rng = np.random.default_rng(seed)
    directions = []
    for _ in range(2):
        direction = []
        for w in weights:
            d = rng.standard_normal(w.shape).astype(w.dtype)
            if w.ndim <= 1:
                d[...] = 0
            else:
                axes = tuple(range(1, w.ndim))
                w_norm = np.sqrt((w.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
                d_norm = np.sqrt((d.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
                d = (d * (w_norm / (d_norm + 1e-10))).astype(w.dtype)
            direction.append(d)
        directions.append(direction)
    return directions[0], directions[1]


def pca_directions(path: list[list[np.ndarray]], center: list[np.ndarray]) -> tuple[list, list]:
    """The top two principal directions of the path's offsets from ``center``, shaped like the weights.

    They are the offsets' top right singular vectors, found through the offsets' Gram matrix (snapshots x
    snapshots): one matrix product and a tiny eigenproblem, where an SVD of the offsets themselves took 1.1 s
    for the 36 snapshots of a 235,000-parameter MLP (the Gram route: ~0.05 s)."""
    offsets = np.stack([_flat(point) - _flat(center) for point in path])
    values, vectors = np.linalg.eigh(offsets @ offsets.T)  # ascending
    rows = []
    for k in range(2):
        i = len(values) - 1 - k
        if i < 0 or values[i] <= values[-1] * 1e-12 or values[i] <= 0:
            break
        rows.append(vectors[:, i] @ offsets / np.sqrt(values[i]))
    if len(rows) < 2:  # a path that spans fewer than two directions: the SVD's orthonormal completion
        vt = np.linalg.svd(offsets, full_matrices=False)[2]
        rows = [vt[k] if k < len(vt) else np.zeros(offsets.shape[1]) for k in range(2)]
    sizes = [c.size for c in center]
    directions = []
    for row in rows:
        parts = np.split(row, np.cumsum(sizes)[:-1])
        directions.append([part.reshape(c.shape).astype(c.dtype) for part, c in zip(parts, center)])
    return directions[0], directions[1]


def choose_directions(path, center, kind: str = "auto") -> tuple[str, list, list]:
    """(name, d1, d2) for ``kind`` "auto", "pca", "random" or "axes" (see the module docstring)."""
    size = sum(c.size for c in center)
    if kind == "auto":
        kind = "axes" if size == 2 else "pca" if len(path) >= 3 and size <= 5_000_000 else "random"
    if kind == "axes":
        if size != 2:
            raise ValueError(f"landscape: 'axes' needs a model with exactly 2 parameters, not {size}")
        return kind, *axis_directions(center)
    if kind == "pca":
        return kind, *pca_directions(path, center)
    if kind == "random":
        return kind, *filter_normalized_directions(center)
    raise ValueError(f"landscape: directions must be 'auto', 'pca', 'random' or 'axes', got {kind!r}")


def axis_directions(weights: list[np.ndarray]) -> tuple[list, list]:
    """For a model with exactly two parameters: the two parameter axes themselves."""
    sizes = [w.size for w in weights]
    directions = []
    for row in np.eye(2):
        parts = np.split(row, np.cumsum(sizes)[:-1])
        directions.append([part.reshape(w.shape).astype(w.dtype) for part, w in zip(parts, weights)])
    return directions[0], directions[1]


def _flat(arrays) -> np.ndarray:
    return np.concatenate([a.reshape(-1).astype(np.float64) for a in arrays])


def project(points: list[list[np.ndarray]], center, d1, d2) -> np.ndarray:
    """Coordinates (alpha, beta) of each point in the plane ``center + alpha·d1 + beta·d2`` (least squares)."""
    a, b, c = _flat(d1), _flat(d2), _flat(center)
    gram = np.array([[a @ a, a @ b], [a @ b, b @ b]])
    coords = []
    for point in points:
        v = _flat(point) - c
        coords.append(np.linalg.lstsq(gram, np.array([a @ v, b @ v]), rcond=None)[0])
    return np.array(coords, dtype=np.float64).reshape(-1, 2)


def evaluate_loss(model, loss_fn, x, y) -> float:
    with observing(model):
        return float(loss_fn(model(x), y).item())


def loss_surface(model, loss_fn, x, y, center, d1, d2, alphas, betas) -> np.ndarray:
    """The loss at ``center + a·d1 + b·d2`` for every (b, a) in the grid: shape (len(betas), len(alphas)).

    The model's weights are moved in place and put back exactly afterwards.
    """
    params = list(model.parameters())
    originals = [p.data.copy() for p in params]
    surface = np.empty((len(betas), len(alphas)), dtype=np.float64)
    try:
        for i, b in enumerate(betas):
            for j, a in enumerate(alphas):
                for p, c, u, v in zip(params, center, d1, d2):
                    np.add(c, a * u + b * v, out=p.data, casting="unsafe")
                surface[i, j] = evaluate_loss(model, loss_fn, x, y)
    finally:
        for p, original in zip(params, originals):
            p.data[...] = original
    return surface


def plane_extent(coords: np.ndarray, margin: float = 0.25, minimum: float = 1.0) -> tuple:
    """A square-ish range of alpha and beta covering ``coords`` with a margin, at least ±``minimum``."""
    lows = np.minimum(coords.min(axis=0), -minimum) if len(coords) else np.array([-minimum] * 2)
    highs = np.maximum(coords.max(axis=0), minimum) if len(coords) else np.array([minimum] * 2)
    span = highs - lows
    # Keep the picture roughly square: a path that barely uses its second direction still gets room.
    lows = np.where(span < span.max() / 3, lows - (span.max() / 3 - span) / 2, lows)
    highs = np.where(span < span.max() / 3, highs + (span.max() / 3 - span) / 2, highs)
    pad = (highs - lows) * margin
    return (float(lows[0] - pad[0]), float(highs[0] + pad[0])), (float(lows[1] - pad[1]),
                                                                 float(highs[1] + pad[1]))


def write_landscape(writer, model, loss_fn, x, y, steps: list[int], resolution: int = 21,
                    directions: str = "auto") -> None:
    """Compute the slice around the current weights and the snapshot path; write landscape.safetensors."""
    from .. import io
    names = [name for name, _ in model.named_parameters()]
    center = [p.data.copy() for p in model.parameters()]
    path, path_steps = [], []
    for step in steps:
        file = os.path.join(writer.path, "snapshots", f"{step:08d}.safetensors")
        arrays, _ = io.read_file(file)
        if not all("weight/" + n in arrays for n in names):
            return  # a summarised (very large) model keeps no whole weights: no path to draw
        path.append([arrays["weight/" + n] for n in names])
        path_steps.append(step)
    if not all(np.isfinite(w).all() for w in center + [w for point in path for w in point]):
        return  # a diverged run's weights (NaN/Inf) span no plane worth drawing
    kind, d1, d2 = choose_directions(path, center, directions)
    coords = project(path, center, d1, d2)
    # A random plane's unit is the weights' own scale; a PCA plane's is the path's length.
    (a0, a1), (b0, b1) = plane_extent(coords, minimum=1.0 if kind == "random" else 1e-3)
    alphas = np.linspace(a0, a1, resolution)
    betas = np.linspace(b0, b1, resolution)
    surface = loss_surface(model, loss_fn, x, y, center, d1, d2, alphas, betas)
    params = list(model.parameters())
    path_loss = []
    try:
        for weights in path:
            for p, w in zip(params, weights):
                p.data[...] = w
            path_loss.append(evaluate_loss(model, loss_fn, x, y))
    finally:
        for p, c in zip(params, center):
            p.data[...] = c
    writer.write_arrays("landscape.safetensors",
                        {"alphas": alphas, "betas": betas, "surface": surface, "path": coords,
                         "path_loss": np.array(path_loss), "path_steps": np.array(path_steps, np.int64)},
                        {"directions": kind, "center_step": steps[-1] if steps else 0})
