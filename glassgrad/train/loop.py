"""The training loop, to read top to bottom: batches, epochs, evaluation, checkpoints, progress.

    history = fit(model, nn.CrossEntropyLoss(), optimizer, train_loader, epochs=5, val_loader=test_loader)

Each step is the five lines every deep learning framework runs — zero the gradients, forward, loss,
backward, update — and everything else here is bookkeeping around them.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

from ..autograd import no_grad
from . import metrics as _metrics
from .callbacks import Callback
from .checkpoint import load_checkpoint, save_checkpoint
from .progress import Progress


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or Inf; the message says when and what to try."""


@dataclass
class History:
    """What :func:`fit` measured: one dict of logs per epoch, and the loss of every step.

    ``history["val_loss"]`` is the list of that log over the epochs.
    """
    epochs: list = field(default_factory=list)
    step_losses: list = field(default_factory=list)

    def __getitem__(self, key: str) -> list:
        return [logs.get(key) for logs in self.epochs]

    def __len__(self) -> int:
        return len(self.epochs)

    def to_dict(self) -> dict:
        return {"epochs": self.epochs, "step_losses": self.step_losses}

    @classmethod
    def from_dict(cls, data: dict) -> "History":
        return cls(list(data.get("epochs", [])), list(data.get("step_losses", [])))


@dataclass
class TrainState:
    """The loop's state, given to every callback."""
    model: object
    optimizer: object
    scheduler: object
    epochs: int
    epoch: int = 0          # the epoch running now, counted from 1
    step: int = 0           # optimizer steps taken so far, over all epochs
    history: History = field(default_factory=History)
    stop: bool = False


def evaluate(model, loader, loss_fn=None, accuracy: bool | None = None) -> dict:
    """Mean loss (and accuracy, for class-index targets) over ``loader``, without building a graph.

    The model is put in eval mode for the pass and returned to the mode it was in.
    """
    was_training = getattr(model, "training", False)
    model.eval()
    total_loss, total_correct, count = 0.0, 0, 0
    try:
        with no_grad():
            for x, y in loader:
                out = model(x)
                n = len(y)
                if loss_fn is not None:
                    total_loss += float(loss_fn(out, y).item()) * n
                if accuracy is None:
                    accuracy = _metrics.is_classification(y)
                if accuracy:
                    total_correct += _metrics.correct(out, y)
                count += n
    finally:
        model.train(was_training)
    logs = {}
    if loss_fn is not None:
        logs["loss"] = total_loss / max(count, 1)
    if accuracy:
        logs["accuracy"] = total_correct / max(count, 1)
    return logs


def fit(model, loss_fn, optimizer, train_loader, epochs: int = 1, *, val_loader=None, scheduler=None,
        scheduler_interval: str = "epoch", clip_grad_norm: float | None = None,
        callbacks: list[Callback] = (), checkpoint_dir: str | os.PathLike | None = None,
        resume: bool = False, progress: bool = True, record=None) -> History:
    """Train ``model`` for ``epochs`` epochs and return its :class:`History`.

    - ``scheduler`` steps once per epoch (``scheduler_interval="epoch"``, after validation for
      ReduceLROnPlateau, which is given ``val_loss`` or the training loss) or once per batch ("step").
    - ``checkpoint_dir``: after every epoch, ``last.safetensors`` there holds model, optimizer, scheduler,
      random state and history; with ``resume=True`` training continues from it and produces exactly the
      losses an uninterrupted run would have.
    - ``record``: a :class:`glassgrad.trace.Recorder`, or a run directory to record into.
    - A NaN/Inf loss stops training with :class:`TrainingDiverged`, saying at which step and what to try.
    """
    if epochs < 0:
        raise ValueError(f"fit: epochs must be >= 0, got {epochs}")
    if scheduler_interval not in ("epoch", "step"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'step', got {scheduler_interval!r}")
    state = TrainState(model, optimizer, scheduler, epochs)
    loaders = [loader for loader in (train_loader, val_loader) if loader is not None]
    last_path = os.path.join(checkpoint_dir, "last.safetensors") if checkpoint_dir else None
    start_epoch = 0
    if resume and last_path and os.path.exists(last_path):
        saved = load_checkpoint(last_path, model=model, optimizer=optimizer, scheduler=scheduler,
                                loaders=loaders)
        start_epoch = saved["epoch"]
        state.history = History.from_dict(saved["extra"].get("history", {}))
        state.step = saved["extra"].get("step", 0)
    if checkpoint_dir:
        os.makedirs(checkpoint_dir, exist_ok=True)
    recorder = _open_recorder(record, model, optimizer, loss_fn, train_loader, val_loader,
                              (epochs - start_epoch) * _length(train_loader))
    plateau = _is_plateau(scheduler)
    params = [p for group in optimizer.param_groups for p in group["params"]]

    for cb in callbacks:
        cb.on_fit_start(state)
    try:
        for epoch in range(start_epoch + 1, epochs + 1):
            state.epoch = epoch
            for cb in callbacks:
                cb.on_epoch_start(state)
            logs = _train_epoch(state, loss_fn, train_loader, params, clip_grad_norm, callbacks,
                                scheduler if scheduler_interval == "step" else None, progress)
            if val_loader is not None:
                for name, value in evaluate(model, val_loader, loss_fn).items():
                    logs["val_" + name] = value
            logs["lr"] = optimizer.param_groups[0]["lr"]
            if scheduler is not None and scheduler_interval == "epoch":
                if plateau:
                    scheduler.step(logs.get("val_loss", logs["loss"]))
                else:
                    scheduler.step()
            state.history.epochs.append(logs)
            if recorder is not None:
                recorder.log_epoch(epoch, **logs)
            if progress:
                print(_epoch_line(epoch, epochs, logs), flush=True)
            for cb in callbacks:
                cb.on_epoch_end(state, logs)
            if last_path:
                save_checkpoint(last_path, model=model, optimizer=optimizer, scheduler=scheduler,
                                epoch=epoch, loaders=loaders, history=state.history.to_dict(),
                                step=state.step)
            if state.stop:
                break
    finally:
        if recorder is not None and record is not recorder:
            recorder.close()
    for cb in callbacks:
        cb.on_fit_end(state)
    return state.history


def _train_epoch(state, loss_fn, loader, params, clip, callbacks, step_scheduler, progress) -> dict:
    model, optimizer = state.model, state.optimizer
    model.train()
    total_loss, total_correct, count = 0.0, 0, 0
    classify = None
    started = time.perf_counter()
    bar = Progress(loader, f"epoch {state.epoch}/{state.epochs}", enabled=progress)
    for x, y in bar:
        # The five lines: zero the gradients, forward, loss, backward, update.
        optimizer.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        if clip is not None:
            from ..optim.clip_grad import clip_grad_norm_
            clip_grad_norm_(params, clip)
        optimizer.step()
        if step_scheduler is not None:
            step_scheduler.step()

        value = float(loss.item())
        state.step += 1
        if not math.isfinite(value):
            raise TrainingDiverged(_diverged_message(state, value))
        n = len(y)
        total_loss += value * n
        count += n
        if classify is None:
            classify = _metrics.is_classification(y)
        if classify:
            total_correct += _metrics.correct(out, y)
        state.history.step_losses.append(value)
        bar.show_loss(total_loss / count)
        for cb in callbacks:
            cb.on_batch_end(state, value)
    logs = {"loss": total_loss / max(count, 1)}
    if classify:
        logs["accuracy"] = total_correct / max(count, 1)
    logs["time"] = time.perf_counter() - started
    return logs


def _diverged_message(state, value: float) -> str:
    lrs = sorted({group["lr"] for group in state.optimizer.param_groups})
    lr = ", ".join(f"{lr:g}" for lr in lrs)
    recent = state.history.step_losses[-5:]
    trend = " → ".join(f"{v:.3g}" for v in recent + [value])
    return (f"the loss became {value} at step {state.step} (epoch {state.epoch}); recent losses: {trend}.\n"
            f"  The learning rate ({lr}) is the usual cause: try it 3-10x smaller, or clip gradients "
            "(fit(..., clip_grad_norm=1.0)).\n  To find the op that made the first NaN, run one step "
            "inside glassgrad.autograd.detect_anomaly().")


def _epoch_line(epoch: int, epochs: int, logs: dict) -> str:
    parts = [f"epoch {epoch}/{epochs}"]
    for key, value in logs.items():
        if key == "time":
            parts.append(f"{value:.1f}s")
        elif "accuracy" in key:
            parts.append(f"{key} {value:.2%}")
        elif key == "lr":
            parts.append(f"lr {value:.3g}")
        else:
            parts.append(f"{key} {value:.4f}")
    return "  ".join(parts)


def _is_plateau(scheduler) -> bool:
    if scheduler is None:
        return False
    from ..optim.lr_scheduler import ReduceLROnPlateau
    return isinstance(scheduler, ReduceLROnPlateau)


def _length(loader) -> int | None:
    try:
        return len(loader)
    except TypeError:
        return None


def _open_recorder(record, model, optimizer, loss_fn, loader, val_loader, total_steps):
    """A Recorder for ``record`` (None, a Recorder, or a run directory path), probing a fixed batch of
    the first 64 training samples (in dataset order, not shuffled)."""
    if record is None:
        return None
    from ..data.dataloader import DataLoader
    from ..trace import Recorder
    if isinstance(record, Recorder):
        return record
    dataset = getattr(loader, "dataset", None)
    probe_source = DataLoader(dataset, batch_size=64) if dataset is not None else loader
    x, y = next(iter(probe_source))
    info = {"name": getattr(dataset, "name", type(dataset).__name__)}
    if dataset is not None and hasattr(dataset, "__len__"):
        info["train_samples"] = len(dataset)
    if val_loader is not None and hasattr(getattr(val_loader, "dataset", None), "__len__"):
        info["val_samples"] = len(val_loader.dataset)
    return Recorder(model, record, optimizer=optimizer, probe=(x, y), loss_fn=loss_fn,
                    total_steps=total_steps or None, dataset=info).open()

