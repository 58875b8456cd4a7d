"""The optimizer race: the session's data and network, trained side by side by several optimizers.

Every runner starts from the same initial weights (the network built from the session's seed) and sees
the same mini-batches in the same order; each keeps its own constant learning rate and weight decay (by default the
session's; the schedule is the session's business, not the race's). The race advances in short chunks so the session stays responsive,
then lays one loss-landscape slice under all the paths (:mod:`glassgrad.viz.views.race`).

>>> from glassgrad.web.schema import DEFAULT_CONFIG
>>> race = Race(DEFAULT_CONFIG, [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "adam", "lr": 0.01}], 20)
>>> while not race.finished:
...     race.advance()
>>> view = race.view()
>>> [r["name"] for r in view["runners"]], len(view["landscape"]["surface"]), view["done"]
(['sgd', 'adam'], 17, True)
"""
from __future__ import annotations

import math

import numpy as np

import glassgrad as gg
from glassgrad.trace.landscape import evaluate_loss, loss_surface, pca_directions, plane_extent, project
from glassgrad.viz.views.race import race_view

from . import build

PATH_POINTS = 40       # weights kept along each path
RESOLUTION = 17        # the landscape grid is RESOLUTION x RESOLUTION losses on the training set
CHUNK_SECONDS = 0.03   # the work one call of advance() does before handing back


class Race:
    def __init__(self, config: dict, runners: list[dict], steps: int = 200):
        self.config, self.total_steps = dict(config), steps
        self.data = build.make_data(self.config)
        self.x, self.y = self.data.x_train, self.data.y_train
        self.runners = []
        for spec in runners:
            model = build.make_model(self.config, self.data)  # same seed: the same initial weights
            self.runners.append({
                "name": spec["optimizer"], "label": build.OPTIMIZER_LABELS[spec["optimizer"]],
                "lr": spec["lr"], "model": model, "loss_fn": build.make_loss(self.config, self.data),
                "weight_decay": spec.get("weight_decay", self.config["weight_decay"]),
                "optimizer": build.make_optimizer(spec["optimizer"], model.parameters(), spec["lr"],
                                                  spec.get("weight_decay", self.config["weight_decay"])),
                "steps": [], "loss": [], "points": [], "path_steps": [], "path_loss": [], "diverged": None})
        self.start = [p.data.copy() for p in self.runners[0]["model"].parameters()]
        self.every = max(1, steps // PATH_POINTS)
        self.step = 0
        self._rng = np.random.Generator(np.random.PCG64(self.config["seed"]))
        self._order, self._cursor = self._rng.permutation(len(self.x)), 0
        for r in self.runners:
            self._mark(r)
        self.plane: dict | None = None
        self._rows_done = 0

    @property
    def finished(self) -> bool:
        return self.plane is not None and self._rows_done == RESOLUTION

    def _batch(self):
        size = min(self.config["batch_size"], len(self.x))
        if self._cursor + size > len(self.x):
            self._order, self._cursor = self._rng.permutation(len(self.x)), 0
        index = self._order[self._cursor:self._cursor + size]
        self._cursor += size
        return gg.from_numpy(self.x.data[index]), gg.from_numpy(self.y.data[index])

    def _mark(self, r) -> None:
        """Keep the runner's weights and its loss on the whole training set as a point of its path."""
        weights = [p.data.copy() for p in r["model"].parameters()]
        if all(np.isfinite(w).all() for w in weights):
            r["points"].append(weights)
            r["path_steps"].append(self.step)
            with np.errstate(all="ignore"):
                r["path_loss"].append(evaluate_loss(r["model"], r["loss_fn"], self.x, self.y))

    def advance(self) -> None:
        """Some more steps for every runner (or, once they are done, some rows of the landscape)."""
        import time
        deadline = time.perf_counter() + CHUNK_SECONDS
        while self.step < self.total_steps and time.perf_counter() < deadline:
            x, y = self._batch()
            self.step += 1
            for r in self.runners:
                if r["diverged"]:
                    continue
                r["optimizer"].zero_grad()
                with np.errstate(all="ignore"):
                    loss = r["loss_fn"](r["model"](x), y)
                    loss.backward()
                    r["optimizer"].step()
                value = float(loss.item())
                r["steps"].append(self.step)
                r["loss"].append(value)
                if not math.isfinite(value):
                    r["diverged"] = f"diverged at step {self.step}"
                elif self.step % self.every == 0 or self.step == self.total_steps:
                    self._mark(r)
        if self.step < self.total_steps:
            return
        if self.plane is None:
            self._lay_plane()
        while self._rows_done < RESOLUTION and time.perf_counter() < deadline + CHUNK_SECONDS:
            self._landscape_row()

    def _lay_plane(self) -> None:
        points = [w for r in self.runners for w in r["points"]]
        d1, d2 = pca_directions(points, self.start)
        for r in self.runners:
            r["path"] = project(r["points"], self.start, d1, d2)
        coords = np.concatenate([r["path"] for r in self.runners])
        (a0, a1), (b0, b1) = plane_extent(coords, minimum=1e-3)
        self.plane = {"alphas": np.linspace(a0, a1, RESOLUTION), "betas": np.linspace(b0, b1, RESOLUTION),
                      "surface": np.full((RESOLUTION, RESOLUTION), np.nan), "directions": "pca",
                      "d": (d1, d2)}

    def _landscape_row(self) -> None:
        r = self.runners[0]
        d1, d2 = self.plane["d"]
        i = self._rows_done
        with np.errstate(all="ignore"):
            row = loss_surface(r["model"], r["loss_fn"], self.x, self.y, self.start, d1, d2,
                               self.plane["alphas"], self.plane["betas"][i:i + 1])
        self.plane["surface"][i] = row[0]
        self._rows_done += 1

    def view(self) -> dict:
        plane = None
        if self.finished:
            plane = {k: v for k, v in self.plane.items() if k != "d"}
        runners = [{k: v for k, v in r.items() if k not in ("model", "loss_fn", "optimizer", "points")}
                   for r in self.runners]
        if plane is None:
            for r in runners:
                r.pop("path", None)
        return race_view(runners, self.total_steps, self.finished, plane)
