"""Section 4: optimizers racing from one start across one loss-landscape slice, at three learning rates.

Each optimizer trains the config's network from the very same initial weights on the whole training set
(full-batch, so that the surface drawn is the loss every step descends). All paths go into ONE plane: its
origin is the common start and its directions are the two principal directions of the "right"-rate paths
together (:func:`glassgrad.trace.landscape.pca_directions`); the surface is computed once over it
(:func:`glassgrad.trace.landscape.loss_surface`).
"""
from __future__ import annotations

import math

import numpy as np

from ...trace.landscape import loss_surface, pca_directions, plane_extent, project
from ..views.clean import clean
from .config import OPTIMIZER_LABELS, load_weights, make_model, make_optimizer, weights_of

RACERS = ("sgd", "momentum", "adam", "adamw")
# (too small, right, too large) for full-batch training of the small MLPs: measured, not guessed —
# "large" makes the loss jump above where it started, "small" barely moves it in RACE_STEPS steps, and
# "right" learns steadily (SGD at 1.0 learned faster but unstably: its loss rose again near the end).
RATES = {"sgd": (0.1, 0.5, 8.0), "momentum": (0.01, 0.2, 1.0), "adam": (0.002, 0.03, 0.5),
         "adamw": (0.002, 0.03, 0.5)}
RATE_NAMES = ("small", "right", "large")
RACE_STEPS = 200
MAX_FRAMES = 101


def race_path(model, loss_fn, x, y, start, name: str, lr: float, steps: int = RACE_STEPS):
    """Train from ``start``: (weights after each step, starting with ``start``; the loss at each of
    those weights; the step at which the loss stopped being finite, or None)."""
    load_weights(model, start)
    optimizer = make_optimizer(name, model.parameters(), lr)
    path, losses, diverged = [weights_of(model)], [], None
    for step in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        value = float(loss.item())
        losses.append(value)
        if not math.isfinite(value):
            diverged = step
            break
        loss.backward()
        optimizer.step()
        path.append(weights_of(model))
    if diverged is None:
        losses.append(_loss(model, loss_fn, x, y))
    else:
        path = path[:len(losses)]
    return path, losses, diverged


def _loss(model, loss_fn, x, y) -> float:
    from ...trace.landscape import evaluate_loss
    return evaluate_loss(model, loss_fn, x, y)


def _thin(n: int, max_frames: int) -> np.ndarray:
    if n <= max_frames:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_frames).round().astype(int))


def race_view(config, train, resolution: int = 41, steps: int = RACE_STEPS, racers=RACERS) -> dict:
    """The view data of section 4: ``alphas``, ``betas``, ``surface`` (rows over betas), and ``runs``,
    one per (optimizer, rate): its ``path`` in the plane, ``loss`` (the real loss at every point, not
    the surface's), ``steps`` and ``diverged_at``."""
    from glassgrad import nn
    x, y = train.tensors
    model = make_model(config)
    loss_fn = nn.CrossEntropyLoss()
    start = weights_of(model)
    runs = []
    for name in racers:
        for rate_name, lr in zip(RATE_NAMES, RATES[name]):
            path, losses, diverged = race_path(model, loss_fn, x, y, start, name, lr, steps)
            runs.append({"optimizer": name, "label": OPTIMIZER_LABELS[name], "rate": rate_name, "lr": lr,
                         "weights": path, "loss": losses, "diverged_at": diverged})
    # The plane from every 4th point of the right-rate paths: the same plane to the eye, 4x less SVD.
    right = [w for run in runs if run["rate"] == "right" for w in run["weights"][4::4]]
    d1, d2 = pca_directions(right, start)
    for run in runs:
        run["path"] = project(run["weights"], start, d1, d2)
    inside = np.concatenate([run["path"] for run in runs if run["rate"] != "large"])
    (a0, a1), (b0, b1) = plane_extent(inside, margin=0.15, minimum=1e-3)
    alphas, betas = np.linspace(a0, a1, resolution), np.linspace(b0, b1, resolution)
    surface = loss_surface(model, loss_fn, x, y, start, d1, d2, alphas, betas)
    out_runs = []
    for run in runs:
        keep = _thin(len(run["path"]), MAX_FRAMES)
        out_runs.append({key: run[key] for key in ("optimizer", "label", "rate", "lr", "diverged_at")} |
                        {"steps": keep, "path": run["path"][keep], "loss": np.asarray(run["loss"])[keep],
                         "final_loss": run["loss"][-1]})
    finite = surface[np.isfinite(surface)]
    return clean({"alphas": alphas, "betas": betas, "surface": surface, "min": float(finite.min()),
                  "max": float(finite.max()), "steps": steps, "rates": list(RATE_NAMES),
                  "optimizers": [{"name": n, "label": OPTIMIZER_LABELS[n],
                                  "rates": dict(zip(RATE_NAMES, RATES[n]))} for n in racers],
                  "directions": "pca", "runs": out_runs}, digits=5)
