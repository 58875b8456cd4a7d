"""Every neuron's output over the input plane (small heatmaps, as TensorFlow Playground draws them), with
the links between neurons by weight and by gradient.

One frame per snapshot of a run, or one frame per update of a live playground session; both give the
same shape::

    {"kind": "neurons", "dims": 1 | 2, "bounds", "resolution": R, "sizes": [2, 16, 16, 3],
     "shown": [[neuron indices] per layer], "layers": [{"name", "activation"}],
     "frames": [{"step", "grids": [[[R·R ints] per shown neuron] per layer, input layer first],
                 "scales": [max |output| per layer], "weights": [(out, in) per Linear], "biases",
                 "grads": [(out, in) per Linear] or None}]}

A grid holds round(100 · output / scale) for the layer's scale, so -100..100 (rows go up the second
feature, as the boundary view's); for a 1-D input, R values along it.
"""
from __future__ import annotations

import numpy as np

from .clean import clean
from .network import mlp_structure

RESOLUTION = 20


def grid_points(bounds, resolution: int = RESOLUTION) -> np.ndarray:
    """(R·R, 2) points of the plane in row-major order, rows going up the second feature; (R, 1) for a
    1-D input."""
    axes = [np.linspace(lo, hi, resolution, dtype=np.float32) for lo, hi in bounds]
    if len(axes) == 1:
        return axes[0][:, None]
    gx, gy = np.meshgrid(axes[0], axes[1])
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def shown_neurons(size: int, cap: int) -> np.ndarray:
    return np.arange(size) if size <= cap else np.unique(np.linspace(0, size - 1, cap).astype(int))


def encode(outputs: list[np.ndarray], shown: list[np.ndarray]) -> tuple[list, list]:
    """Per layer, the shown neurons' (P,) outputs as ints -100..100 of the layer's largest |output|."""
    grids, scales = [], []
    for out, keep in zip(outputs, shown):
        values = out.reshape(len(out), -1)[:, keep].astype(np.float64)  # (P, shown)
        finite = np.isfinite(values)
        scale = float(np.abs(values[finite]).max()) if finite.any() else 0.0
        coded = np.zeros(values.shape, np.int64)
        if scale > 0:
            coded = np.round(np.where(finite, values, 0.0) * (100.0 / scale)).astype(np.int64)
        grids.append(coded.T)   # (shown, P)
        scales.append(scale if np.isfinite(scale) else None)
    return grids, scales


def neurons_frame(step: int, outputs: list[np.ndarray], shown: list[np.ndarray], weights: list,
                  biases: list, grads: list | None) -> dict:
    """One frame from each layer's (P, F) outputs over the grid points (the input layer first) and each
    Linear's weight, bias and gradient arrays (whole; cut to the shown neurons here)."""
    grids, scales = encode(outputs, shown)
    cut = [w[np.ix_(shown[k + 1], shown[k])] for k, w in enumerate(weights)]
    cut_grads = None if grads is None else [
        None if g is None else g[np.ix_(shown[k + 1], shown[k])] for k, g in enumerate(grads)]
    return {"step": step, "grids": grids, "scales": scales, "weights": cut,
            "biases": [b[shown[k + 1]] for k, b in enumerate(biases)], "grads": cut_grads}


def layout(sizes: list[int], layers: list[dict], bounds, resolution: int, max_neurons: int) -> dict:
    return {"kind": "neurons", "dims": len(bounds), "bounds": bounds, "resolution": resolution,
            "sizes": sizes, "shown": [shown_neurons(n, max_neurons) for n in sizes], "layers": layers,
            "frames": []}


def _forward(points: np.ndarray, layers: list[dict], weights: dict) -> list[np.ndarray]:
    """Each layer's output over ``points``, by glassgrad's own ops on the snapshot's weights."""
    import glassgrad as gg
    from glassgrad.nn import functional as F
    outputs = [points]
    h = gg.from_numpy(points)
    with gg.no_grad():
        for layer in layers:
            w = gg.from_numpy(weights[layer["name"] + ".weight"])
            b = weights.get(layer["name"] + ".bias")
            h = F.linear(h, w, None if b is None else gg.from_numpy(b))
            name = layer["activation"]
            if name and name != "identity":
                h = getattr(gg, name)(h)
            outputs.append(h.data)
    return outputs


def neurons_view(run, resolution: int = RESOLUTION, max_neurons: int = 16) -> dict | None:
    """The view for a recorded run of an MLP on 1-D or 2-D inputs (None for any other run)."""
    structure = mlp_structure(run.manifest)
    bounds = run.manifest.get("bounds")
    snaps = run.snapshots
    if structure is None or not bounds or not snaps:
        return None
    first = snaps[0].weights
    sizes = [first[structure[0]["name"] + ".weight"].shape[1]] + \
        [first[layer["name"] + ".weight"].shape[0] for layer in structure]
    view = layout(sizes, [{"name": s["name"], "activation": s["activation"]} for s in structure], bounds,
                  resolution, max_neurons)
    points = grid_points(bounds, resolution)
    for snap in snaps:
        w, g = snap.weights, snap.grads
        names = [layer["name"] for layer in structure]
        weights = [w[n + ".weight"] for n in names]
        biases = [w.get(n + ".bias", np.zeros(len(w[n + ".weight"]), np.float32)) for n in names]
        grads = [g.get(n + ".weight") for n in names] if g else None
        view["frames"].append(neurons_frame(snap.step, _forward(points, structure, w), view["shown"],
                                            weights, biases, grads))
    return clean(view)
