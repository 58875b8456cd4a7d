"""The decision boundary (or, for 1-D regression, the fitted curve) at every snapshot, over the data."""
from __future__ import annotations

import numpy as np

from .clean import clean


def boundary_view(run) -> dict | None:
    """Frames of the predicted class and its confidence over the input plane, with the probe points.

    Each frame: ``classes`` (R·R ints, row-major, rows going up the second feature) and ``confidence``
    (R·R ints 0-255, the winning probability). For a 1-D regression run: ``fit`` frames of (x, ŷ).
    None when the run's inputs are not 1-D or 2-D.
    """
    bounds = run.manifest.get("bounds")
    probe = run.probe
    if not bounds or probe is None:
        return None
    points = {"x": probe["x"], "y": probe.get("y")}
    frames = []
    for snap in run.snapshots:
        frame = {"step": snap.step, "loss": snap.meta.get("probe_loss")}
        if snap.boundary is not None:
            grid = snap.boundary
            if grid.ndim == 3:  # (R, R, C) probabilities
                frame["classes"] = grid.argmax(axis=-1).reshape(-1)
                frame["confidence"] = np.round(grid.max(axis=-1) * 255).astype(np.int64).reshape(-1)
            else:               # (R, R) regression outputs over a 2-D input
                frame["values"] = grid.reshape(-1)
        elif snap.fit is not None:
            frame["fit"] = snap.fit
        if snap.output is not None and points["y"] is not None and points["y"].dtype.kind in "iu":
            out = snap.output
            pred = out.argmax(axis=-1) if out.ndim == 2 and out.shape[1] > 1 else (out.reshape(-1) > 0)
            frame["accuracy"] = float(np.mean(pred == points["y"]))
        frames.append(frame)
    first = frames[0] if frames else {}
    resolution = int(round(len(first["classes"]) ** 0.5)) if "classes" in first else None
    classes = int(points["y"].max()) + 1 if points["y"] is not None and points["y"].dtype.kind in "iu" \
        and points["y"].size else None
    return clean({"kind": "fit" if "fit" in first else "boundary", "bounds": bounds,
                  "resolution": resolution, "classes": classes, "points": points, "frames": frames})
