"""An optimizer race: several optimizers from the same initial weights on the same batches, their
losses over the steps and their paths across one slice of the loss landscape, drawn together.

The slice is the plane through the shared starting weights spanned by the two principal directions of
all the paths together (see :mod:`glassgrad.trace.landscape`), so each path is drawn as close to its
real course as a common plane allows. ``landscape`` has the keys of
:func:`glassgrad.viz.views.landscape_view` except the single path, which here is one per runner.
"""
from __future__ import annotations

import numpy as np

from .clean import clean


def thin(steps: np.ndarray, values: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    if len(steps) <= max_points:
        return steps, values
    keep = np.unique(np.r_[np.linspace(0, len(steps) - 1, max_points).astype(int), len(steps) - 1])
    return steps[keep], values[keep]


def race_view(runners: list[dict], total_steps: int, done: bool, plane: dict | None = None,
              max_points: int = 400) -> dict:
    """``runners``: each ``{"name", "label", "lr", "steps", "loss", "path_steps", "path_loss",
    "diverged"}`` and, once the plane is known, ``"path"`` ((P, 2) coordinates in it); ``plane``:
    ``{"alphas", "betas", "surface", "directions"}`` (rows of ``surface`` over betas)."""
    out = []
    for r in runners:
        steps, loss = thin(np.asarray(r["steps"]), np.asarray(r["loss"], np.float64), max_points)
        out.append({"name": r["name"], "label": r["label"], "lr": r["lr"],
                    "weight_decay": r.get("weight_decay"), "steps": steps, "loss": loss,
                    "path": r.get("path"), "path_steps": r["path_steps"], "path_loss": r["path_loss"],
                    "final_loss": r["path_loss"][-1] if len(r["path_loss"]) else None,
                    "diverged": r.get("diverged")})
    landscape = None
    if plane is not None:
        surface = np.asarray(plane["surface"], np.float64)
        finite = surface[np.isfinite(surface)]
        landscape = {"alphas": plane["alphas"], "betas": plane["betas"], "surface": surface,
                     "min": float(finite.min()) if finite.size else None,
                     "max": float(finite.max()) if finite.size else None,
                     "directions": plane.get("directions", "pca")}
    return clean({"kind": "race", "total_steps": total_steps, "done": done, "runners": out,
                  "landscape": landscape})
