"""Callbacks: code that runs at fixed points of :func:`glassgrad.train.fit` without editing the loop.

Every hook receives the running :class:`~glassgrad.train.loop.TrainState`; set ``state.stop = True`` to end
training after the current epoch.
"""
from __future__ import annotations

import math


class Callback:
    """Override any of these; they run in the order the callbacks were given."""

    def on_fit_start(self, state) -> None: ...

    def on_epoch_start(self, state) -> None: ...

    def on_batch_end(self, state, loss: float) -> None: ...

    def on_epoch_end(self, state, logs: dict) -> None: ...

    def on_fit_end(self, state) -> None: ...


class EarlyStopping(Callback):
    """Stop when ``monitor`` (an epoch log such as ``val_loss``) has not improved for ``patience`` epochs.

    >>> stop = EarlyStopping(monitor="val_loss", patience=2)
    >>> class S: stop = False
    >>> for loss in [1.0, 0.8, 0.81, 0.82]:
    ...     stop.on_epoch_end(S, {"val_loss": loss})
    >>> S.stop, stop.best
    (True, 0.8)
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 mode: str = "min"):
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.best = math.inf if mode == "min" else -math.inf
        self.waited = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, state, logs: dict) -> None:
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r} but the epoch logs only have "
                           f"{sorted(logs)}")
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.waited = value, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            state.stop = True


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda state, logs: print(logs))``."""

    def __init__(self, **hooks):
        unknown = set(hooks) - {n for n in vars(Callback) if n.startswith("on_")}
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hooks {sorted(unknown)}")
        for name, fn in hooks.items():
            setattr(self, name, fn)
