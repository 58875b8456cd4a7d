"""Reading a run directory back as arrays: ``run = glassgrad.trace.load_run("runs/mlp")``.

A run killed at any moment loads up to its last flush: a partial last line of scalars is ignored, and
snapshots and graphs are only ever present whole. Nothing is unpickled.
"""
from __future__ import annotations

import json
import os
from functools import cached_property

import numpy as np

from .. import io
from .rundir import FORMAT, VERSION, step_name
from .summary import histogram


class RunError(ValueError):
    """Not a run directory, a damaged one, or one from a newer glassgrad; the message says which."""


def _read_jsonl(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if number >= len(lines) - 1:  # the line being written when the run stopped
                break
            raise RunError(f"{path}: line {number} is damaged (not JSON)") from None
    return records


class Snapshot:
    """Weights, gradients, probe activations and histograms at one step (loaded on first use)."""

    def __init__(self, path: str, step: int):
        self.path, self.step = path, step

    @cached_property
    def _contents(self) -> tuple[dict, dict]:
        arrays, metadata = io.read_file(self.path)
        return arrays, json.loads(metadata.get("snapshot", "{}"))

    @property
    def meta(self) -> dict:
        return self._contents[1]

    def _group(self, prefix: str) -> dict:
        arrays = self._contents[0]
        return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

    @property
    def weights(self) -> dict:
        return self._group("weight/")

    @property
    def grads(self) -> dict:
        return self._group("grad/")

    @property
    def activations(self) -> dict:
        return self._group("act/")

    def histograms(self, kind: str, bins: int = 40) -> dict:
        """``{name: (counts, edges)}`` for kind "weight", "grad" or "act": computed from whole arrays,
        or as recorded for tensors the snapshot only summarised."""
        counts = self._group(f"hist/{kind}/")
        edges = self._group(f"edges/{kind}/")
        out = {name: (counts[name], edges[name]) for name in counts}
        for name, array in self._group(f"{kind}/").items():
            out[name] = histogram(array, bins)
        return out

    @cached_property
    def tensor_stats(self) -> dict:
        """``{"weight/0.weight": {"shape", "mean", "std", "norm", "whole"}, …}`` for every tensor."""
        stats = dict(self.meta.get("tensors", {}))
        for key, array in self._contents[0].items():
            if key.split("/", 1)[0] in ("weight", "grad", "act"):
                finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
                stats[key] = {"shape": list(array.shape), "whole": True,
                              "mean": float(finite.mean()) if finite.size else 0.0,
                              "std": float(finite.std()) if finite.size else 0.0,
                              "norm": float(np.sqrt((array.astype(np.float64) ** 2).sum()))}
        return stats

    @property
    def output(self) -> np.ndarray | None:
        return self._contents[0].get("output")

    @property
    def boundary(self) -> np.ndarray | None:
        return self._contents[0].get("boundary")

    @property
    def fit(self) -> np.ndarray | None:
        return self._contents[0].get("fit")

    def __repr__(self) -> str:
        return f"<Snapshot step {self.step}>"


class Run:
    """A recorded training run (see :mod:`glassgrad.trace.rundir` for the layout)."""

    def __init__(self, path: str, manifest: dict):
        self.path, self.manifest = path, manifest

    @property
    def status(self) -> str:
        return self.manifest.get("status", "running")

    @property
    def param_names(self) -> list[str]:
        return [p["name"] for p in self.manifest["model"]["parameters"]]

    @cached_property
    def scalars(self) -> dict:
        """Per step arrays: step, time, loss (NaN where unknown), lr (steps × groups), grad_norm, and
        grad_norms / weight_norms / update_ratios (steps × parameters); ``metrics`` maps names to arrays."""
        records = _read_jsonl(os.path.join(self.path, "scalars.jsonl"))
        n_params = len(self.param_names)

        def column(key, width=None):
            if width is None:
                return np.array([np.nan if r.get(key) is None else r[key] for r in records], np.float64)
            out = np.full((len(records), width), np.nan)
            for i, r in enumerate(records):
                values = r.get(key) or []
                out[i, :len(values)] = values
            return out

        groups = max((len(r.get("lr", [])) for r in records), default=0)
        names = sorted({k for r in records for k in r.get("metrics", {})})
        return {"step": np.array([r["step"] for r in records], np.int64), "time": column("time"),
                "loss": column("loss"), "lr": column("lr", groups), "grad_norm": column("grad_norm"),
                "grad_norms": column("grad_norms", n_params), "weight_norms": column("weight_norms", n_params),
                "update_ratios": column("update_ratios", n_params),
                "metrics": {name: np.array([r.get("metrics", {}).get(name, np.nan) for r in records])
                            for name in names}}

    @cached_property
    def epochs(self) -> list[dict]:
        return _read_jsonl(os.path.join(self.path, "epochs.jsonl"))

    def epoch_series(self, key: str) -> np.ndarray:
        return np.array([e.get(key, np.nan) for e in self.epochs], np.float64)

    def _steps_in(self, folder: str, suffix: str) -> list[int]:
        directory = os.path.join(self.path, folder)
        if not os.path.isdir(directory):
            return []
        return sorted(int(name[:-len(suffix)]) for name in os.listdir(directory)
                      if name.endswith(suffix) and name[:-len(suffix)].isdigit())

    @property
    def snapshot_steps(self) -> list[int]:
        return self._steps_in("snapshots", ".safetensors")

    @property
    def graph_steps(self) -> list[int]:
        return self._steps_in("graphs", ".json")

    def snapshot(self, step: int) -> Snapshot:
        path = os.path.join(self.path, "snapshots", step_name(step) + ".safetensors")
        if not os.path.exists(path):
            raise KeyError(f"no snapshot at step {step}; snapshots exist at {self.snapshot_steps}")
        return Snapshot(path, step)

    @property
    def snapshots(self) -> list[Snapshot]:
        return [self.snapshot(s) for s in self.snapshot_steps]

    def graph(self, step: int | None = None) -> dict | None:
        """The recorded graph at ``step`` (default: the last one), or None if none was recorded."""
        steps = self.graph_steps
        if not steps:
            return None
        step = steps[-1] if step is None else step
        if step not in steps:
            raise KeyError(f"no graph at step {step}; graphs exist at steps {steps}")
        with open(os.path.join(self.path, "graphs", step_name(step) + ".json"), encoding="utf-8") as f:
            return json.load(f)

    @cached_property
    def probe(self) -> dict | None:
        """The fixed probe batch: ``{"x": array, "y": array}`` (y only when targets were given)."""
        path = os.path.join(self.path, "probe.safetensors")
        if not os.path.exists(path):
            return None
        return io.read_file(path)[0]

    @cached_property
    def landscape(self) -> dict | None:
        path = os.path.join(self.path, "landscape.safetensors")
        if not os.path.exists(path):
            return None
        arrays, metadata = io.read_file(path)
        return {**arrays, "meta": json.loads(metadata.get("meta", "{}"))}

    def __repr__(self) -> str:
        return (f"<Run {self.path}: {self.status}, {len(self.scalars['step'])} steps, "
                f"{len(self.snapshot_steps)} snapshots>")


def load_run(path: str | os.PathLike) -> Run:
    """Open a run directory; a clear :class:`RunError` if it is not one (never a traceback from deep
    inside)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise RunError(f"{path}: no such directory")
    if not os.path.isdir(path):
        raise RunError(f"{path} is a file, not a run directory")
    manifest_path = os.path.join(path, "manifest.json")
    if not os.path.exists(manifest_path):
        raise RunError(f"{path} has no manifest.json: it is not a glassgrad run directory (or its run was "
                       "stopped before it wrote anything)")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunError(f"{manifest_path} is damaged: {err}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RunError(f"{path}: manifest.json is not a glassgrad run manifest")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise RunError(f"{path} was written by a newer glassgrad (run format version {version}; this "
                       f"glassgrad reads up to {VERSION}): upgrade glassgrad to open it")
    for key in ("model",):
        if key not in manifest:
            raise RunError(f"{path}: manifest.json lacks {key!r}")
    return Run(path, manifest)
