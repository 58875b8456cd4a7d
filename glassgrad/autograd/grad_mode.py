"""Grad mode: whether applying an op records it in the graph (``no_grad`` / ``enable_grad``)."""
from __future__ import annotations

import functools

# One mutable cell read on every op application; a list so the hot path does a single index.
state = [True]


def is_grad_enabled() -> bool:
    return state[0]


class set_grad_enabled:
    """Set grad mode on or off, as a function call, a context manager or a decorator (like PyTorch's)."""

    def __init__(self, mode: bool):
        self.prev = state[0]
        self.mode = bool(mode)
        state[0] = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state[0] = self.prev
        return False


class _GradModeContext:
    mode: bool

    def __enter__(self):
        self.prev = state[0]
        state[0] = self.mode
        return self

    def __exit__(self, *exc):
        state[0] = self.prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    """Ops inside record no graph (evaluation, weight updates).

    >>> import glassgrad as gg
    >>> w = gg.ones(2, requires_grad=True)
    >>> with gg.no_grad():
    ...     (w * 2).requires_grad
    False
    """
    mode = False


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a ``no_grad`` block."""
    mode = True
