"""A live session's loss, learning-rate and evaluation history in bounded memory.

A series keeps at most ``capacity`` entries however long training runs: when full, every other entry is
dropped and from then on only every second (fourth, …) step is kept, so the kept steps stay evenly spread.
The smoothed loss is updated on every step, kept or not.

>>> h = History(capacity=4)
>>> for step in range(1, 10):
...     h.add_step(step, loss=1.0 / step, lr=0.1, grad_norm=1.0)
>>> h.steps.values["step"]
[2, 4, 6, 8]
"""
from __future__ import annotations

import numpy as np


class Series:
    """Columns of numbers sampled every ``stride``-th call, at most ``capacity`` rows."""

    def __init__(self, names: tuple, capacity: int):
        self.names, self.capacity = names, capacity
        self.values: dict[str, list] = {name: [] for name in names}
        self.stride, self._calls = 1, 0

    def __len__(self) -> int:
        return len(self.values[self.names[0]])

    def add(self, row: dict) -> None:
        self._calls += 1
        if self._calls % self.stride:
            return
        if len(self) >= self.capacity:
            for name in self.names:
                self.values[name] = self.values[name][1::2]
            self.stride *= 2
            if self._calls % self.stride:
                return
        for name in self.names:
            self.values[name].append(row.get(name))

    def thinned(self, max_points: int) -> dict:
        """At most ``max_points`` rows, evenly chosen, the last one always kept."""
        n = len(self)
        keep = slice(None)
        if n > max_points:
            keep = np.unique(np.r_[np.linspace(0, n - 1, max_points).astype(int), n - 1])
        out = {}
        for name, column in self.values.items():
            array = np.array([np.nan if v is None else v for v in column], dtype=np.float64)
            out[name] = array[keep]
        return out


class History:
    STEP_COLUMNS = ("step", "loss", "smoothed", "lr", "grad_norm")
    # The keys ``glassgrad.train.fit`` writes into a run's epoch logs (its ``val_`` set is the held-out
    # data), so the live curves and a saved session read exactly as any recorded run's.
    EVAL_COLUMNS = ("epoch", "step", "loss", "val_loss", "accuracy", "val_accuracy", "lr")

    def __init__(self, capacity: int = 4096, smoothing: float = 0.9):
        self.steps = Series(self.STEP_COLUMNS, capacity)
        self.evals = Series(self.EVAL_COLUMNS, capacity // 4 or 1)
        self.smoothing = smoothing
        self._avg, self._norm = 0.0, 0.0
        self.last_eval: dict = {}

    def add_step(self, step: int, loss: float, lr: float, grad_norm: float) -> None:
        # TensorBoard's smoothing (glassgrad.viz.views.smooth), one step at a time; NaN leaves it alone.
        if np.isfinite(loss):
            w = self.smoothing
            self._avg = w * self._avg + (1 - w) * loss
            self._norm = w * self._norm + (1 - w)
        smoothed = self._avg / self._norm if self._norm else None
        self.steps.add({"step": step, "loss": loss, "smoothed": smoothed, "lr": lr, "grad_norm": grad_norm})

    def add_eval(self, epoch: float, step: int, record: dict) -> None:
        self.last_eval = dict(record)
        self.evals.add({"epoch": epoch, "step": step, **record})

    def curves(self, lr_plan: dict | None = None, max_points: int = 400) -> dict:
        """The curves in the shape of :func:`glassgrad.viz.views.curves_view` (one parameter group),
        the evaluations of the whole train and test sets as its per-epoch section (``loss``,
        ``accuracy``; ``val_loss``, ``val_accuracy`` for the test set), and the planned learning rate
        over the whole schedule as ``lr_plan`` (``{"steps", "lr"}``, drawn by the shared curves
        component when present)."""
        s = self.steps.thinned(max_points)
        e = self.evals.thinned(max_points)
        view = {"steps": s["step"].astype(np.int64), "loss": s["loss"], "smoothed": s["smoothed"],
                "lr": [s["lr"]], "grad_norm": s["grad_norm"], "metrics": {},
                "epochs": {"epoch": e["epoch"], "step": e["step"].astype(np.int64),
                           **{k: e[k] for k in self.EVAL_COLUMNS[2:] if np.isfinite(e[k]).any()}}}
        if lr_plan is not None:
            view["lr_plan"] = lr_plan
        return view
