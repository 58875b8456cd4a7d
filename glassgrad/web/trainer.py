"""The training driver of one playground session: the data, the network, its optimizer, the steps taken,
and the live views (decision boundary or fit, neuron heatmaps, curves) computed from the engine.

It is plain synchronous code; the session runs it off the event loop, one call at a time.

>>> from glassgrad.web.schema import DEFAULT_CONFIG
>>> t = Trainer(DEFAULT_CONFIG)
>>> t.train(20)
20
>>> t.step, t.epoch, sorted(t.frame()["views"]), sorted(t.setup()["views"])
(20, 2, ['boundary', 'curves', 'neurons'], ['boundary', 'neurons'])
"""
from __future__ import annotations

import math

import numpy as np

import glassgrad as gg
from glassgrad.trace.probe import boundary_grid, fit_curve, input_bounds, observing
from glassgrad.viz.views.network import ACTIVATIONS
from glassgrad.viz.views.neurons import grid_points, layout, neurons_frame

from . import build
from .encode import compact
from .history import History

BOUNDARY_RESOLUTION = 48
NEURON_RESOLUTION = 16
MAX_NEURONS = 16        # heatmaps per layer sent to the page (evenly chosen among wider layers)


class Diverged(RuntimeError):
    """The loss stopped being a finite number; training waits for a reset."""


class Trainer:
    def __init__(self, config: dict):
        self.config = dict(config)
        self.data = build.make_data(self.config)
        self.model = build.make_model(self.config, self.data)
        self.loss_fn = build.make_loss(self.config, self.data)
        self.optimizer = build.make_optimizer(self.config["optimizer"], self.model.parameters(),
                                              self.config["lr"], self.config["weight_decay"])
        self.step = 0       # optimizer steps taken
        self.epoch = 0      # passes over the training set completed
        self.diverged: str | None = None
        self.history = History()
        self.on_eval = None  # called with each evaluation (the recording logs it)
        self._x = self.data.x_train.data
        self._y = self.data.y_train.data
        self._rng = np.random.Generator(np.random.PCG64(self.config["seed"]))
        self._order = self._rng.permutation(len(self._x))
        self._cursor = 0
        x_all = np.concatenate([self._x, self.data.x_test.data])
        self.bounds = input_bounds(x_all)
        self.layers = [{"name": name, "activation": ACTIVATIONS.get(type(self.model[int(name) + 1]).__name__)
                        if int(name) + 1 < len(self.model) else None}
                       for name, m in self.model.named_children() if isinstance(m, gg.nn.Linear)]
        self._linears = [m for m in self.model if isinstance(m, gg.nn.Linear)]
        sizes = [self.data.inputs] + [m.out_features for m in self._linears]
        self._neurons = layout(sizes, self.layers, self.bounds, NEURON_RESOLUTION, MAX_NEURONS)
        self._neuron_points = gg.from_numpy(grid_points(self.bounds, NEURON_RESOLUTION))
        self.evaluate()

    # ---- configuration --------------------------------------------------------------------------
    def apply(self, update: dict) -> None:
        """Fields that need no rebuild (learning rate, weight decay, schedule, speed) take effect now."""
        self.config.update(update)
        for group in self.optimizer.param_groups:
            group["weight_decay"] = self.config["weight_decay"]

    # ---- training -------------------------------------------------------------------------------
    def next_batch(self) -> tuple[gg.Tensor, gg.Tensor]:
        """The next mini-batch of a shuffled pass; a new pass (epoch) begins when one runs out."""
        size = min(self.config["batch_size"], len(self._x))
        if self._cursor + size > len(self._x):
            self._finish_epoch()
        index = self._order[self._cursor:self._cursor + size]
        self._cursor += size
        return gg.from_numpy(self._x[index]), gg.from_numpy(self._y[index])

    def _finish_epoch(self) -> None:
        self.epoch += 1
        self._order = self._rng.permutation(len(self._x))
        self._cursor = 0

    def set_lr(self) -> float:
        lr = build.lr_at(self.config, self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    def train_step(self, batch=None) -> float:
        """One ordinary step: forward, loss, backward, update. Returns the batch loss."""
        if self.diverged:
            raise Diverged(self.diverged)
        x, y = self.next_batch() if batch is None else batch
        lr = self.set_lr()
        self.optimizer.zero_grad()
        with np.errstate(all="ignore"):
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            grad_norm = math.sqrt(sum(float(np.dot(g, g)) for g in self._grads()))
            self.optimizer.step()
        value = float(loss.item())
        self.step += 1
        self.history.add_step(self.step, value, lr, grad_norm)
        if not math.isfinite(value) or not math.isfinite(grad_norm):
            self.diverged = (f"the loss became {value} at step {self.step} (learning rate {lr:.3g}): "
                             "the weights diverged; lower the learning rate and press reset")
        return value

    def _grads(self):
        for p in self.model.parameters():
            if p.grad is not None:
                yield p.grad.data.reshape(-1)

    def train(self, steps: int) -> int:
        """Up to ``steps`` steps, fewer if training diverges; returns how many were taken."""
        for done in range(steps):
            if self.diverged:
                return done
            self.train_step()
        return steps

    # ---- evaluation and views -------------------------------------------------------------------
    def evaluate(self) -> dict:
        """Loss (and accuracy) on the whole training and test sets, in eval mode, kept in the history
        with the (fractional) epoch and the step: the page's train and test curves.

        The keys are those ``glassgrad.train.fit`` logs per epoch: ``loss``, ``accuracy`` on the
        training set, ``val_loss``, ``val_accuracy`` on the test set, and ``lr`` (the last one set)."""
        record = {}
        with observing(self.model), np.errstate(all="ignore"):
            for prefix, x, y in (("", self.data.x_train, self.data.y_train),
                                 ("val_", self.data.x_test, self.data.y_test)):
                out = self.model(x)
                record[f"{prefix}loss"] = float(self.loss_fn(out, y).item())
                if not self.data.regression:
                    record[f"{prefix}accuracy"] = float(np.mean(out.data.argmax(axis=1) == y.data))
        record["lr"] = float(self.optimizer.param_groups[0]["lr"])
        self.history.add_eval(self.epoch + self._cursor / len(self._x), self.step, record)
        if self.on_eval is not None:
            self.on_eval(record)
        return record

    def boundary_frame(self) -> dict:
        """This step's frame of the decision boundary (or fit): see :func:`boundary_layout`."""
        d = self.data
        frame = {"step": self.step, "loss": self.history.last_eval.get("loss"),
                 "accuracy": self.history.last_eval.get("accuracy")}
        with np.errstate(all="ignore"):
            if d.inputs == 2:
                grid = boundary_grid(self.model, self.bounds, BOUNDARY_RESOLUTION, not d.regression)
                grid = np.nan_to_num(grid, nan=0.0, posinf=1.0, neginf=0.0)
                if grid.ndim == 3:
                    frame["classes"] = grid.argmax(axis=-1).reshape(-1)
                    frame["confidence"] = np.round(np.clip(grid.max(axis=-1), 0, 1) * 255).astype(np.int64) \
                        .reshape(-1)
                else:
                    frame["values"] = grid.reshape(-1)
            else:
                frame["fit"] = fit_curve(self.model, self.bounds)
        return frame

    def boundary_layout(self) -> dict:
        """The live boundary view without its frames, in the shape of
        :func:`glassgrad.viz.views.boundary_view` (plus the test points, drawn hollow)."""
        d = self.data
        return {"kind": "fit" if d.inputs == 1 else "boundary", "bounds": self.bounds,
                "resolution": BOUNDARY_RESOLUTION if d.inputs == 2 else None, "classes": d.classes,
                "points": {"x": d.x_train.data, "y": d.y_train.data},
                "test_points": {"x": d.x_test.data, "y": d.y_test.data}}

    def layer_outputs(self, x: gg.Tensor) -> list[np.ndarray]:
        """Each layer's output on ``x`` (the input first; after its activation for a hidden layer), seen
        through forward hooks on the model's own modules."""
        seen: dict = {}
        handles = [m.register_forward_hook(lambda mod, args, out, i=i: seen.__setitem__(i, out.data))
                   for i, m in enumerate(self.model)]
        try:
            with observing(self.model), np.errstate(all="ignore"):
                self.model(x)
        finally:
            for h in handles:
                h.remove()
        outputs, i = [x.data], 0
        for k in range(len(self._linears)):
            i = self._module_index(k)
            last = i + 1 if i + 1 < len(self.model) and not isinstance(self.model[i + 1], gg.nn.Linear) else i
            outputs.append(seen[last])
        return outputs

    def _module_index(self, k: int) -> int:
        return int(self.layers[k]["name"])

    def neurons_frame(self) -> dict:
        """This step's frame of the neuron heatmaps view (:mod:`glassgrad.viz.views.neurons`)."""
        outputs = self.layer_outputs(self._neuron_points)
        weights = [m.weight.data for m in self._linears]
        biases = [m.bias.data for m in self._linears]
        grads = [None if m.weight.grad is None else m.weight.grad.data for m in self._linears]
        return neurons_frame(self.step, outputs, self._neurons["shown"], weights, biases,
                             grads if any(g is not None for g in grads) else None)

    def counters(self) -> dict:
        steps_per_epoch = max(1, len(self._x) // max(1, self.config["batch_size"]))
        return {"step": self.step, "epoch": self.epoch, "steps_per_epoch": steps_per_epoch,
                "lr": build.lr_at(self.config, self.step), "diverged": self.diverged,
                "parameters": int(sum(p.data.size for p in self.model.parameters())),
                "train_size": len(self._x), "test_size": len(self.data.x_test)}

    def setup(self) -> dict:
        """What stays fixed until the next rebuild: each view without its frames, and the config.
        A view is the setup's part with a frame's part laid over it."""
        return compact({"config": self.config, "counters": self.counters(), "views": {
            "boundary": self.boundary_layout(), "neurons": self._neurons}})

    def frame(self) -> dict:
        """What changed after a burst of steps, as JSON-strict data: the counters, each view's frames
        (the curves whole, thinned)."""
        self.evaluate()
        return compact({"counters": self.counters(), "views": {
            "boundary": {"frames": [self.boundary_frame()]}, "neurons": {"frames": [self.neurons_frame()]},
            "curves": self.history.curves(build.lr_plan(self.config))}})
