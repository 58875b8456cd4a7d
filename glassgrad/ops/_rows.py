"""Reductions along the last axis, faster than NumPy's own on the short rows the nn kernels reduce.

NumPy's ``sum``/``max`` along the last axis pay a per-row cost that dominates on rows of tens to hundreds of
values (logits, attention scores, features): a (2048, 64) row sum is ~6x slower than the same sum as a BLAS
matrix-vector product, and a max over rows of 10 ~2.5x slower than maxima of its columns.
"""
from __future__ import annotations

import numpy as np

_COLUMN_MAX_WIDTH = 16  # up to this row length, the max of the columns beats a reduction along rows


def last_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(-1)`` as ``a @ ones``: one BLAS call, shape ``a.shape[:-1]``."""
    return a @ np.ones(a.shape[-1], dtype=a.dtype)


def last_max(a: np.ndarray) -> np.ndarray:
    """``a.max(-1)`` (``-inf`` for empty rows), shape ``a.shape[:-1]``."""
    width = a.shape[-1]
    if 1 < width <= _COLUMN_MAX_WIDTH:
        out = np.maximum(a[..., 0], a[..., 1], out=np.empty(a.shape[:-1], dtype=a.dtype))
        for j in range(2, width):
            np.maximum(out, a[..., j], out=out)
        return out
    return a.max(axis=-1, initial=-np.inf)
