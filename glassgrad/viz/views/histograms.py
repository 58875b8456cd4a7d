"""Weight, gradient and activation histograms over time, on one set of bins per tensor."""
from __future__ import annotations

import numpy as np

from .clean import clean


def _rebin(counts: np.ndarray, edges: np.ndarray, common: np.ndarray) -> np.ndarray:
    """Counts on ``edges`` moved to the ``common`` bins by each bin's centre (exact when edges agree)."""
    centres = (edges[:-1] + edges[1:]) / 2
    index = np.clip(np.searchsorted(common, centres, side="right") - 1, 0, len(common) - 2)
    out = np.zeros(len(common) - 1, np.int64)
    np.add.at(out, index, counts)
    return out


def histogram_view(run, kind: str = "weight", bins: int = 40) -> dict:
    """For each tensor of ``kind`` ("weight", "grad" or "act"): the snapshot steps, common bin edges
    and a (steps × bins) matrix of counts — exact from whole arrays when the run kept them."""
    snaps = run.snapshots
    series: dict = {}
    for snap in snaps:
        whole = {"weight": snap.weights, "grad": snap.grads, "act": snap.activations}[kind]
        for name, (counts, edges) in snap.histograms(kind).items():
            entry = series.setdefault(name, {"steps": [], "parts": []})
            entry["steps"].append(snap.step)
            entry["parts"].append((whole.get(name), counts, edges))
    view = {}
    for name, entry in series.items():
        lows = [e[0] for _, _, e in entry["parts"]]
        highs = [e[-1] for _, _, e in entry["parts"]]
        common = np.linspace(min(lows), max(highs), bins + 1)
        rows = []
        for array, counts, edges in entry["parts"]:
            if array is not None:
                finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
                rows.append(np.histogram(finite, bins=common)[0])
            else:
                rows.append(_rebin(counts, edges, common))
        view[name] = {"steps": entry["steps"], "edges": common, "counts": np.array(rows)}
    return clean({"kind": kind, "tensors": view})
