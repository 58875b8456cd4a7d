"""A playground session recorded as a run directory, the format every glassgrad visual reads.

From the moment a network is built, a :class:`glassgrad.trace.Recorder` watches its training (its optimizer
step hook, a probe batch from the training set, log-spaced snapshots) into a scratch directory. "Save"
closes that recording -- a last snapshot, the loss landscape, status "finished" -- moves it to the runs
folder, writes its explainer page beside it, and starts a new recording that continues from the weights
as they are.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
import warnings
import zipfile

from glassgrad.trace import Recorder

PROBE_SIZE = 128


class Recording:
    """The live recording of one trainer; ``scratch`` is the folder the scratch directories go in."""

    def __init__(self, trainer, scratch: str):
        self.trainer, self.scratch = trainer, scratch
        self.path = tempfile.mkdtemp(prefix="session-", dir=scratch)
        self.first_step = trainer.step
        d = trainer.data
        config = dict(trainer.config, playground=True, continues_from_step=trainer.step)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.recorder = Recorder(
                trainer.model, self.path, optimizer=trainer.optimizer,
                probe=(d.x_train[:PROBE_SIZE], d.y_train[:PROBE_SIZE]), loss_fn=trainer.loss_fn,
                snapshots="log", config=config, overwrite=True,
                dataset={"name": d.name, "train": len(d.x_train), "test": len(d.x_test),
                         "classes": d.classes, "noise": trainer.config["noise"]}).open()

    @property
    def steps(self) -> int:
        return self.recorder.step

    def log_eval(self, record: dict) -> None:
        """An evaluation of the whole train and test sets, as one line of the run's epoch logs."""
        if self.recorder.writer is not None:
            t = self.trainer
            self.recorder.log_epoch(t.epoch, **{k: v for k, v in record.items() if v is not None})

    def discard(self) -> None:
        """Stop recording and delete the scratch directory (a closed tab, a rebuild)."""
        self.recorder.landscape = False  # nobody will look at it: skip the slice
        try:
            self.recorder.close()
        except Exception:  # noqa: BLE001 - a recording that failed is deleted all the same
            pass
        finally:
            shutil.rmtree(self.path, ignore_errors=True)

    def save(self, runs_dir: str) -> str:
        """Finish the recording into ``runs_dir``; returns the new run directory."""
        error = self.trainer.diverged
        self.recorder.landscape = error is None
        self.recorder.close(error=error)
        os.makedirs(runs_dir, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.trainer.data.name}-step{self.trainer.step}"
        target, n = os.path.join(runs_dir, name), 1
        while os.path.exists(target):
            n += 1
            target = os.path.join(runs_dir, f"{name}-{n}")
        shutil.move(self.path, target)
        return target


def zip_run(run_dir: str) -> bytes:
    """The run directory as a zip archive (in memory: a playground run is small)."""
    buffer = io.BytesIO()
    base = os.path.basename(os.path.normpath(run_dir))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, _, files in os.walk(run_dir):
            for name in sorted(files):
                path = os.path.join(folder, name)
                archive.write(path, os.path.join(base, os.path.relpath(path, run_dir)))
    return buffer.getvalue()


def write_explainer(run_dir: str) -> str:
    """The run's self-contained explainer page (:mod:`glassgrad.viz.explainer`), written beside the run
    directory as ``<run_dir>.html``; returns its path. It opens by double-click, with no server."""
    from glassgrad.viz.explainer import run_data, write_html
    return write_html(run_data(run_dir), os.path.normpath(run_dir) + ".html")
