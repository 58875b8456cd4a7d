"""The Recorder: watch any training run through the engine's hooks and write it to a run directory.

    with glassgrad.trace.Recorder(model, "runs/mlp", optimizer=opt, probe=(x_probe, y_probe),
                                  loss_fn=loss_fn) as rec:
        for x, y in loader:              # your own loop, unchanged
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()                   # <- the recorder records one step here
            rec.log(accuracy=...)        # optional extra metrics for this step

Each step costs a few norms (no copies of the graph, no events per op); snapshots of weights, gradients,
probe activations and the computational graph happen at chosen steps only.
"""
from __future__ import annotations

import math
import time
import warnings
from datetime import datetime, timezone

import numpy as np

from ..autograd import enable_grad, events
from ..autograd import graph as graph_of
from ..tensor import Tensor
from . import probe as _probe
from .graph_capture import run_step_capture
from .landscape import write_landscape
from .param_stats import ParameterStats
from .rundir import FORMAT, VERSION, RunWriter
from .schedule import graph_due, is_due, snapshot_steps
from .summary import histogram, norm, subsample

# Probe activations up to this many elements are kept whole, bigger ones as histogram, statistics and first
# row: an MLP's (64, 256) layer output stays whole, while a transformer's (8, 64, 128) ones, a few dozen
# modules of them, would add 5 MB to every snapshot.
WHOLE_ACTIVATION = 1 << 14
# Likewise gradients (weights are kept whole, for the landscape's path): the MNIST MLP's 784 x 256 weight
# gradient, kept whole, was 0.8 of the 2.1 MB of every snapshot.
WHOLE_GRADIENT = 1 << 14
FIRST_VALUES = 256


def _float(value) -> float:
    return float(value.item()) if hasattr(value, "item") else float(value)


class Recorder:
    """Record a training run of ``model`` into ``run_dir`` (see the module docstring for an example).

    ``probe`` is a fixed batch ``x`` or ``(x, y)`` looked at in every snapshot; with targets and
    ``loss_fn`` the recorder also captures the graph of one training step on the first probe sample (at
    ``max_graphs`` of the snapshots, spread over training, and at the last one) and,
    at the end, a loss-landscape slice around the final weights with the path the weights took (in the
    plane of ``landscape_directions``: see :mod:`glassgrad.trace.landscape`).
    ``snapshots`` is ``"log"`` (dense early, ``max_snapshots`` in all when ``total_steps`` is known) or
    a number N (every N steps). Models above ``max_snapshot_elements`` parameters are snapshotted as
    statistics and histograms instead of whole arrays (said once, as a warning).
    """

    def __init__(self, model, run_dir, optimizer=None, probe=None, loss_fn=None, *,
                 snapshots: str | int = "log", total_steps: int | None = None, max_snapshots: int = 40,
                 histogram_bins: int = 40, graph: bool = True, max_graphs: int = 8, landscape: bool = True,
                 landscape_resolution: int = 21, landscape_directions: str = "auto",
                 boundary_resolution: int = 64, config: dict | None = None,
                 dataset: dict | None = None, max_snapshot_elements: int = 1_000_000,
                 overwrite: bool = False, flush_seconds: float = 1.0):
        self.model, self.run_dir, self.optimizer, self.loss_fn = model, run_dir, optimizer, loss_fn
        self.probe_x, self.probe_y = (probe if isinstance(probe, (tuple, list)) else (probe, None))
        self.schedule = snapshot_steps(snapshots, total_steps, max_snapshots)
        self.histogram_bins, self.graph, self.landscape = histogram_bins, graph, landscape
        self.max_graphs = max_graphs
        self._planned = len(self.schedule) if isinstance(self.schedule, set) and total_steps else None
        self.landscape_resolution, self.boundary_resolution = landscape_resolution, boundary_resolution
        self.landscape_directions = landscape_directions
        self.config, self.dataset = dict(config or {}), dict(dataset or {})
        self.max_snapshot_elements, self.overwrite, self.flush_seconds = \
            max_snapshot_elements, overwrite, flush_seconds
        self.step = 0
        self.writer = None
        self._pending: dict | None = None   # the last step's record, open for rec.log until the next
        self._early_metrics: dict = {}
        self._last_loss = None
        self._handles: list = []
        self._snapshotted: list[int] = []

    # ---- life cycle -----------------------------------------------------------------------------
    def open(self) -> "Recorder":
        self.params = [(name, p) for name, p in self.model.named_parameters()]
        self.param_count = int(sum(p.data.size for _, p in self.params))
        self.summarised = self.param_count > self.max_snapshot_elements
        if self.summarised:
            warnings.warn(f"Recorder: the model has {self.param_count:,} parameters, more than "
                          f"max_snapshot_elements={self.max_snapshot_elements:,}; snapshots keep statistics "
                          "and histograms of weights and gradients instead of whole arrays", stacklevel=2)
        self._parameter_stats = ParameterStats([p for _, p in self.params])
        self.bounds = None
        if self.probe_x is not None and self.probe_x.ndim == 2 and self.probe_x.shape[1] in (1, 2):
            self.bounds = _probe.input_bounds(np.asarray(self.probe_x.data))
        self.writer = RunWriter(self.run_dir, self.overwrite, self.flush_seconds)
        self.writer.write_manifest(self._manifest())
        if self.probe_x is not None:
            probe = {"x": self.probe_x.data}
            if self.probe_y is not None:
                probe["y"] = self.probe_y.data
            self.writer.write_arrays("probe.safetensors", probe, {})
        self._start = time.perf_counter()
        events.add_listener(self)
        if self.optimizer is not None:
            self._handles = [self.optimizer.register_step_post_hook(self._after_step)]
        if self.probe_x is not None:
            self._snapshot()
        return self

    def __enter__(self) -> "Recorder":
        return self.open()

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.close(error=None if exc is None else f"{exc_type.__name__}: {exc}")
        return False

    def close(self, error: str | None = None) -> None:
        """Write what is pending, a final snapshot, the landscape; mark the run finished (or failed)."""
        if self.writer is None:
            return
        events.remove_listener(self)
        for handle in self._handles:
            handle.remove()
        self._handles = []
        try:
            self._write_pending()
            if self.probe_x is not None and self.step and self.step not in self._snapshotted:
                self._snapshot(final=True)
            self.writer.background.wait()  # the landscape reads the snapshots back
            if error is None and self.landscape and self._can_evaluate_loss() and self._snapshotted:
                write_landscape(self.writer, self.model, self.loss_fn, self.probe_x, self.probe_y,
                                self._snapshotted, self.landscape_resolution, self.landscape_directions)
        finally:
            manifest = dict(self.writer.manifest, status="failed" if error else "finished",
                            steps=self.step, snapshots=self._snapshotted,
                            finished=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            if error:
                manifest["error"] = error
            self.writer.write_manifest(manifest)
            self.writer.close()
            self.writer = None

    # ---- what the engine and the optimizer tell us ------------------------------------------------
    def on_backward_start(self, event) -> None:
        root = event.roots[0]
        if root.data.size == 1:
            self._last_loss = root.data

    def _after_step(self, optimizer, args, kwargs) -> None:
        self.record_step()

    # ---- public API ---------------------------------------------------------------------------
    def log(self, **metrics) -> None:
        """Add metrics (numbers or 0-d tensors) to the step just taken (or the first one, if none yet)."""
        target = self._pending["metrics"] if self._pending is not None else self._early_metrics
        for name, value in metrics.items():
            target[name] = _float(value)

    def log_epoch(self, epoch: int, **logs) -> None:
        """One line of epoch logs (train/validation loss, accuracy …), as ``fit`` writes them."""
        self.writer.append("epochs.jsonl", {"epoch": epoch, "step": self.step,
                                            **{k: _float(v) for k, v in logs.items()}})

    def record_step(self) -> None:
        """Record one optimizer step (called by the optimizer's step hook; call it yourself if you update
        the weights by hand)."""
        self._write_pending()
        self.step += 1
        grad_norms, weight_norms, ratios = self._parameter_stats()
        record = {"step": self.step, "time": time.perf_counter() - self._start,
                  "loss": None if self._last_loss is None else float(self._last_loss),
                  "lr": [group["lr"] for group in self.optimizer.param_groups] if self.optimizer else [],
                  "grad_norm": math.sqrt(sum(n * n for n in grad_norms)),
                  "grad_norms": grad_norms, "weight_norms": weight_norms, "update_ratios": ratios,
                  "metrics": self._early_metrics}
        self._early_metrics = {}
        self._pending = record
        if self.probe_x is not None and is_due(self.schedule, self.step):
            self._snapshot()

    def _write_pending(self) -> None:
        if self._pending is not None:
            self.writer.append("scalars.jsonl", self._pending)
            self._pending = None

    # ---- snapshots ------------------------------------------------------------------------------
    def _can_evaluate_loss(self) -> bool:
        return self.loss_fn is not None and self.probe_x is not None and self.probe_y is not None

    def _snapshot(self, final: bool = False) -> None:
        """Gather a snapshot on this thread (copies, probe forward, graph); serialise it on the writer's."""
        step, whole = self.step, not self.summarised
        tensors = [("weight/" + name, p.data.copy() if whole else p.data) for name, p in self.params]
        tensors += [("grad/" + name, p.grad.data.copy() if whole else p.grad.data)
                    for name, p in self.params if p.grad is not None]
        if not whole:  # summarise now, while the arrays are still this step's
            tensors = [(key, _Summarised(value, self.histogram_bins)) for key, value in tensors]
        out, activations, act_stats = _probe.probe_forward(self.model, self.probe_x)
        extra = {"output": out.astype(np.float32) if out.dtype.kind == "f" else out}
        meta = {"step": step, "summarised": self.summarised, "activation_ops": act_stats}
        if self.bounds is not None:
            meta["bounds"] = self.bounds
            classify = self.probe_y is not None and self.probe_y.data.dtype.kind in "iu"
            if len(self.bounds) == 2:
                extra["boundary"] = _probe.boundary_grid(self.model, self.bounds, self.boundary_resolution,
                                                         classify)
            else:
                extra["fit"] = _probe.fit_curve(self.model, self.bounds)
        if self._can_evaluate_loss():  # the loss of the probe's output just computed: no second forward
            with _probe.observing(self.model):
                meta["probe_loss"] = _float(self.loss_fn(Tensor(out), self.probe_y))
        finish_graph = None
        if self.graph and self._can_evaluate_loss() and (
                final or graph_due(len(self._snapshotted), self._planned, self.max_graphs)):
            finish_graph = run_step_capture(self.model, self.loss_fn, self.probe_x[0:1], self.probe_y[0:1])
        bins = self.histogram_bins

        def write():
            arrays, stats = dict(extra), {}
            for key, value in tensors:
                keep = whole and (value.size <= WHOLE_GRADIENT or not key.startswith("grad/"))
                _describe(arrays, stats, key, value, keep, bins)
            for name, act in activations.items():
                _describe(arrays, stats, "act/" + name, act, act.size <= WHOLE_ACTIVATION, bins)
            self.writer.write_snapshot(step, arrays, {**meta, "tensors": stats})
            if finish_graph is not None:
                self.writer.write_graph(step, dict(finish_graph(), step=step))

        self.writer.background.submit(write)
        self._snapshotted.append(step)

    # ---- the manifest ---------------------------------------------------------------------------
    def _manifest(self) -> dict:
        from .. import __version__
        model = self.model
        modules = [{"name": name, "class": type(m).__name__,
                    "parameters": int(sum(p.data.size for p in m.parameters(recurse=False)))}
                   for name, m in model.named_modules()]
        manifest = {"format": FORMAT, "version": VERSION, "glassgrad": __version__, "status": "running",
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "config": self.config, "dataset": self.dataset,
                    "model": {"class": type(model).__name__, "repr": repr(model),
                              "parameter_count": self.param_count, "modules": modules,
                              "parameters": [{"name": n, "shape": list(p.shape), "numel": int(p.data.size)}
                                             for n, p in self.params]},
                    "optimizer": _describe_optimizer(self.optimizer),
                    "loss": None if self.loss_fn is None else type(self.loss_fn).__name__,
                    "probe": None if self.probe_x is None else {
                        "shape": list(self.probe_x.shape), "targets": self.probe_y is not None},
                    "snapshot_policy": self.schedule if isinstance(self.schedule, int) else "log",
                    "summarised": self.summarised, "bounds": self.bounds}
        if self.graph and self._can_evaluate_loss():
            manifest["graph"] = _graph_layout(model, self.loss_fn, self.probe_x[0:1], self.probe_y[0:1])
        return manifest


class _Summarised:
    """What a snapshot keeps of an array too large to store: histogram, statistics, and its first row,
    flattened, at most FIRST_VALUES of it (a transformer activation's first row is a whole sequence)."""

    def __init__(self, value: np.ndarray, bins: int):
        self.shape = value.shape
        self.hist = histogram(value, bins)
        sample = subsample(value)
        self.stats = _stats(sample, value)
        self.first = value[:1].reshape(-1)[:FIRST_VALUES].copy() if value.ndim >= 1 else None


def _stats(sample: np.ndarray, value: np.ndarray) -> dict:
    finite = sample[np.isfinite(sample)] if sample.dtype.kind == "f" else sample
    return {"shape": list(value.shape), "mean": float(finite.mean(dtype=np.float64)) if finite.size else 0.0,
            "std": float(finite.std(dtype=np.float64)) if finite.size else 0.0,
            "norm": norm(value.astype(np.float32, copy=False))}


def _describe(arrays: dict, stats: dict, key: str, value, whole: bool, bins: int) -> None:
    """Put ``value`` (an array or a _Summarised) into a snapshot: a whole array as itself (its histogram
    and statistics are derived when the run is read), else its histogram, statistics and first row."""
    if whole and not isinstance(value, _Summarised):
        arrays[key] = value
        return
    if not isinstance(value, _Summarised):
        value = _Summarised(value, bins)
    counts, edges = value.hist
    stats[key] = dict(value.stats, whole=False)
    if value.first is not None:
        arrays["first/" + key] = value.first
    arrays["hist/" + key] = counts
    arrays["edges/" + key] = edges


def _describe_optimizer(optimizer) -> dict | None:
    if optimizer is None:
        return None
    defaults = {k: v for k, v in getattr(optimizer, "defaults", {}).items()
                if isinstance(v, (int, float, str, bool, tuple, list)) or v is None}
    return {"class": type(optimizer).__name__, "defaults": defaults,
            "groups": len(optimizer.param_groups)}


def _graph_layout(model, loss_fn, x, y) -> dict:
    """The structure (ops and shapes, no values) of the graph from input to loss."""
    with _probe.observing(model), enable_grad():
        return graph_of(loss_fn(model(x), y))
