"""Checkpoints: model, optimizer, scheduler, random state and progress in ONE safetensors file.

Written atomically (temporary file, fsync, rename), so a run killed while saving keeps its previous
checkpoint; loaded without executing code. Resuming restores the random generators too, so the resumed
run draws the same shuffles and dropout masks, and its losses equal an uninterrupted run's.
"""
from __future__ import annotations

import os

from .. import backend, io

FORMAT = "glassgrad.checkpoint/1"


def _generator_state(generator) -> dict:
    return generator.get_state()


def save_checkpoint(path: str | os.PathLike, *, model=None, optimizer=None, scheduler=None,
                    epoch: int | None = None, loaders=(), **extra) -> None:
    """Save everything needed to continue training exactly where it stopped.

    ``loaders`` are DataLoaders whose own ``generator`` (if they have one) must be restored too; the
    global generator (``glassgrad.manual_seed``) is always saved. ``extra`` holds any JSON-like values
    (a history, a config).
    """
    state = {"format": FORMAT, "epoch": epoch, "extra": extra,
             "rng": {"default": _generator_state(backend.default_generator),
                     "loaders": [_loader_generator_state(loader) for loader in loaders]}}
    if model is not None:
        state["model"] = model.state_dict()
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    if scheduler is not None:
        state["scheduler"] = scheduler.state_dict()
    io.save(state, path, metadata={"format": FORMAT})


def _loader_generator_state(loader):
    generator = getattr(loader, "generator", None)
    return None if generator is None else _generator_state(generator)


def load_checkpoint(path: str | os.PathLike, *, model=None, optimizer=None, scheduler=None,
                    loaders=(), restore_rng: bool = True) -> dict:
    """Restore what :func:`save_checkpoint` wrote into the given objects; return the whole checkpoint.

    Everything is checked before anything changes: a file that is not a checkpoint, or a model or
    optimizer that does not match it, raises and leaves every object as it was.
    """
    state = io.load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise io.CheckpointError(f"{os.fspath(path)} is a safetensors file but not a glassgrad checkpoint "
                                 f"(expected format {FORMAT!r}); for plain weights use glassgrad.load")
    for name, target in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        if target is not None and name not in state:
            raise io.CheckpointError(f"{os.fspath(path)} holds no {name} state")
    if model is not None:
        _check_model(model, state["model"], path)
    if optimizer is not None:
        _check_optimizer(optimizer, state["optimizer"], path)
    if model is not None:
        model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    if restore_rng:
        backend.default_generator.set_state(state["rng"]["default"])
        for loader, saved in zip(loaders, state["rng"]["loaders"]):
            generator = getattr(loader, "generator", None)
            if generator is not None and saved is not None:
                generator.set_state(saved)
    return state


def _check_model(model, saved: dict, path) -> None:
    """Same keys and shapes, or a CheckpointError naming the differences (before anything is loaded)."""
    current = model.state_dict()
    missing = [k for k in current if k not in saved]
    unexpected = [k for k in saved if k not in current]
    mismatched = [f"{k}: checkpoint {tuple(saved[k].shape)}, model {tuple(current[k].shape)}"
                  for k in current if k in saved and tuple(saved[k].shape) != tuple(current[k].shape)]
    if missing or unexpected or mismatched:
        lines = [f"{os.fspath(path)} does not fit this model:"]
        if missing:
            lines.append("  missing keys: " + ", ".join(missing))
        if unexpected:
            lines.append("  unexpected keys: " + ", ".join(unexpected))
        lines += ["  size mismatch " + m for m in mismatched]
        raise io.CheckpointError("\n".join(lines))


def _check_optimizer(optimizer, saved: dict, path) -> None:
    groups = optimizer.state_dict()["param_groups"]
    saved_groups = saved.get("param_groups", [])
    ours = [len(g["params"]) for g in groups]
    theirs = [len(g["params"]) for g in saved_groups]
    if ours != theirs:
        raise io.CheckpointError(f"{os.fspath(path)}: the optimizer's parameter groups have sizes {ours} "
                                 f"but the checkpoint's have {theirs}")
