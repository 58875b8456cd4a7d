"""The run directory: the one hand-off between a training run and every visual.

    run/
      manifest.json          config, model summary (parameter count), data set, optimizer, graph layout
      scalars.jsonl          one JSON object per optimizer step, appended (loss, lr, norms, metrics, time)
      epochs.jsonl           one JSON object per epoch (train/validation loss and accuracy …)
      snapshots/000123.safetensors   weights, gradients, probe activations, histograms at chosen steps
      graphs/000123.json     the computational graph of one training step for one probe sample
      probe.safetensors      the fixed probe batch every snapshot looks at (inputs, targets)
      landscape.safetensors  a 2-D slice of the loss surface and the optimizer's path across it

Everything is either appended line by line (a run killed mid-write loses at most its last, partial line)
or written whole and atomically (temporary file, then rename). Nothing is pickled. Snapshots and graphs
are serialised and written by one background thread, in order, so training does not wait for the disk.
"""
from __future__ import annotations

import json
import math
import os
import queue
import threading
import time

from ..io import KEY_ORDER, atomic_write, write_safetensors

FORMAT = "glassgrad.run"
VERSION = 1


def step_name(step: int) -> str:
    return f"{step:08d}"


def finite(value):
    """``value`` with NaN and ±Inf floats as None: JSON has no such numbers, and a diverging run's
    snapshot statistics and graph values are full of them (the run must still be written)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(data) -> str:
    """Strict JSON (json.dumps, which uses the C encoder; json.dump streams through the slow Python
    one); only data that holds NaN/Inf pays for the walk that replaces them."""
    try:
        return json.dumps(data, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(finite(data), allow_nan=False, separators=(",", ":"))


def write_json(path: str, data) -> None:
    text = dumps(data)
    with atomic_write(path, "w", durable=False) as f:
        f.write(text)


class BackgroundWriter:
    """One thread running submitted jobs in order; an error surfaces at the next submit or at close."""

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue(maxsize=8)  # bounded: a slow disk slows training, not RAM
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="glassgrad-run-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                if self._error is None:
                    job()
            except BaseException as err:  # noqa: BLE001 - handed to the training thread
                self._error = err
            finally:
                self._jobs.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise RuntimeError(f"writing the run directory failed: {err}") from err

    def submit(self, job) -> None:
        self._raise()
        self._jobs.put(job)

    def wait(self) -> None:
        self._jobs.join()
        self._raise()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()
        self._raise()


class RunWriter:
    """Writes a run directory. Scalars are buffered and flushed at least every ``flush_seconds``."""

    def __init__(self, path: str | os.PathLike, overwrite: bool = False, flush_seconds: float = 1.0):
        self.path = os.fspath(path)
        manifest = os.path.join(self.path, "manifest.json")
        if os.path.exists(manifest) and not overwrite:
            raise FileExistsError(f"{self.path} already holds a run; pass overwrite=True to replace it or "
                                  "choose another directory")
        os.makedirs(os.path.join(self.path, "snapshots"), exist_ok=True)
        os.makedirs(os.path.join(self.path, "graphs"), exist_ok=True)
        if overwrite:
            self._clear()
        self.flush_seconds = flush_seconds
        self._buffers: dict[str, list[str]] = {"scalars.jsonl": [], "epochs.jsonl": []}
        self._files = {name: open(os.path.join(self.path, name), "a", encoding="utf-8")
                       for name in self._buffers}
        self._last_flush = time.monotonic()
        self.manifest: dict = {}
        self.background = BackgroundWriter()

    def _clear(self) -> None:
        for sub in ("snapshots", "graphs"):
            folder = os.path.join(self.path, sub)
            for name in os.listdir(folder):
                os.unlink(os.path.join(folder, name))
        for name in ("manifest.json", "scalars.jsonl", "epochs.jsonl", "probe.safetensors",
                     "landscape.safetensors"):
            target = os.path.join(self.path, name)
            if os.path.exists(target):
                os.unlink(target)

    def write_manifest(self, manifest: dict) -> None:
        self.manifest = manifest
        write_json(os.path.join(self.path, "manifest.json"), manifest)

    def append(self, name: str, record: dict) -> None:
        """Queue one JSON line; lines are encoded and written together, at the next flush."""
        self._buffers[name].append(record)
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Hand the queued lines to the writer thread. Encoding a second's records in one go there costs
        less than a record at every step here (measured: 43 us a step in the training loop, cold)."""
        pending = {name: lines for name, lines in self._buffers.items() if lines}
        self._buffers = {name: [] for name in self._buffers}
        self._last_flush = time.monotonic()
        if pending:
            self.background.submit(lambda: self._write_lines(pending))

    def _write_lines(self, pending: dict) -> None:
        # NaN/Infinity are allowed here (a diverging loss must be recorded); views sanitise for browsers.
        encode = json.JSONEncoder(separators=(",", ":")).encode
        for name, records in pending.items():
            f = self._files[name]
            f.write("".join(encode(record) + "\n" for record in records))
            f.flush()

    def write_snapshot(self, step: int, arrays: dict, meta: dict) -> None:
        self.write_arrays(os.path.join("snapshots", step_name(step) + ".safetensors"), arrays, meta,
                          key="snapshot")

    def write_graph(self, step: int, graph: dict) -> None:
        write_json(os.path.join(self.path, "graphs", step_name(step) + ".json"), graph)

    def write_arrays(self, name: str, arrays: dict, meta: dict, key: str = "meta") -> None:
        header = {key: dumps(meta), KEY_ORDER: json.dumps(list(arrays))}
        with atomic_write(os.path.join(self.path, name), durable=False) as f:
            write_safetensors(f, arrays, header)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            try:
                self.background.close()
            finally:
                for f in self._files.values():
                    f.close()
