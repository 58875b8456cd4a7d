"""Reductions along the last axis, faster than NumPy's own on the short rows the nn kernels reduce.

NumPy's ``sum``/``max`` along the last axis pay a per-row cost that dominates on rows of tens to hundreds of
values (logits, attention scores, features): a (2048, 64) row sum is ~6x slower than the same sum as a BLAS
matrix-vector product, and a max over 256 rows of 10 ~2.5x slower than the maximum of its 10 columns.
"""
from __future__ import annotations

import numpy as np

_COLUMN_MAX_WIDTH = 16  # up to this row length (and from _COLUMN_MAX_ROWS rows) the columns' max wins
_COLUMN_MAX_ROWS = 32
_ones: dict = {}  # (length, dtype) -> a read-only vector of ones, shared by every row sum of that shape


def ones(length: int, dtype) -> np.ndarray:
    key = (length, dtype)
    vector = _ones.get(key)
    if vector is None:
        vector = np.ones(length, dtype=dtype)
        vector.flags.writeable = False
        if length <= 1 << 16:
            _ones[key] = vector
    return vector


def last_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(-1)`` as ``a @ ones``: one BLAS call, shape ``a.shape[:-1]``."""
    return a @ ones(a.shape[-1], a.dtype)


def last_max(a: np.ndarray) -> np.ndarray:
    """``a.max(-1)`` (``-inf`` for empty rows), shape ``a.shape[:-1]``."""
    width = a.shape[-1]
    if 1 < width <= _COLUMN_MAX_WIDTH and a.size >= _COLUMN_MAX_ROWS * width:
        out = np.maximum(a[..., 0], a[..., 1], out=np.empty(a.shape[:-1], dtype=a.dtype))
        for j in range(2, width):
            np.maximum(out, a[..., j], out=out)
        return out
    return a.max(axis=-1, initial=-np.inf)
