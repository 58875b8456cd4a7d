"""Anomaly mode: stop at the first op whose forward or backward makes NaN/Inf, and say where it came from.

It is an ordinary listener on the observable engine, so it costs nothing when it is off.
"""
from __future__ import annotations

import numpy as np

from . import events


class AnomalyError(RuntimeError):
    """NaN or Inf appeared; the message names the op, the shapes and the user code line."""


def _bad_values(array: np.ndarray) -> str | None:
    if array.dtype.kind not in "fc" or array.size == 0:
        return None
    if np.isfinite(array).all():
        return None
    kinds = []
    if np.isnan(array).any():
        kinds.append("NaN")
    if np.isinf(array).any():
        kinds.append("Inf")
    return "/".join(kinds)


def _where(location) -> str:
    return f"\n  created at {location}" if location is not None else ""


class detect_anomaly:
    """Context manager (and decorator) raising :class:`AnomalyError` at the first NaN/Inf.

    >>> import glassgrad as gg
    >>> x = gg.tensor([-1.0, 1.0], requires_grad=True)
    >>> with gg.autograd.detect_anomaly():
    ...     y = x.log()  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    AnomalyError: log: forward produced NaN ...
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        if self.check_nan:
            events.add_listener(self)
        return self

    def __exit__(self, *exc):
        events.remove_listener(self)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        return wrapper

    def on_op(self, event: events.OpEvent) -> None:
        bad = _bad_values(event.output.data)
        if bad is None:
            return
        shapes = ", ".join(str(tuple(t.shape)) for t in event.inputs)
        raise AnomalyError(f"{event.op}: forward produced {bad} in its output of shape "
                           f"{tuple(event.output.shape)} from inputs of shape {shapes}"
                           f"{_where(event.location)}")

    def on_backward(self, event: events.BackwardEvent) -> None:
        for i, g in enumerate(event.grad_inputs):
            if g is None:
                continue
            bad = _bad_values(g)
            if bad is not None:
                raise AnomalyError(
                    f"{event.op}: backward produced {bad} in the gradient for input {i} (shape "
                    f"{g.shape}) from an upstream gradient of shape {event.grad_output.shape}"
                    f"{_where(event.location)}")
