"""The loss-landscape slice and the optimizer's path across it."""
from __future__ import annotations

import numpy as np

from .clean import clean


def landscape_view(run) -> dict | None:
    """``alphas``, ``betas`` (the plane's coordinates), ``surface`` (rows over betas), the ``path`` of
    snapshot weights projected into the plane with their steps and exact losses. None if not recorded."""
    land = run.landscape
    if land is None:
        return None
    surface = land["surface"]
    finite = surface[np.isfinite(surface)]
    return clean({"alphas": land["alphas"], "betas": land["betas"], "surface": surface,
                  "min": float(finite.min()) if finite.size else None,
                  "max": float(finite.max()) if finite.size else None,
                  "path": land["path"], "path_loss": land["path_loss"], "path_steps": land["path_steps"],
                  "directions": land["meta"].get("directions")})
