"""Arrays as small JSON-able summaries: whole when small, statistics and a sample when large.

A recorded graph or snapshot must stay small even for a transformer, so any array above ``max_values``
elements is kept as its statistics plus its first few values.
"""
from __future__ import annotations

import math

import numpy as np

MAX_VALUES = 64
STATS_SAMPLE = 4096  # elements the statistics of a larger array are computed on (evenly strided)


def _num(x) -> float | None:
    """A finite float rounded to 6 significant digits (JSON has no NaN); None for NaN, ±1e308 for Inf."""
    if x != x:
        return None
    if x in (math.inf, -math.inf):
        return math.copysign(1e308, x)
    return float(f"{x:.6g}")


def round_floats(a: np.ndarray, digits: int = 6) -> list:
    """``_num`` of every element of ``a`` (any shape; nested lists like ``tolist``) at ``digits``
    significant digits, vectorised: the rounding in a few NumPy passes, not a Python call per element."""
    x = np.asarray(a, dtype=np.float64)
    finite = np.isfinite(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.abs(np.where(finite & (x != 0), x, 1.0))))
        scale = 10.0 ** (digits - 1 - exponent)
        rounded = np.where(finite, np.round(x * scale) / scale, 0.0)
    if finite.all():
        return rounded.tolist()
    out = rounded.astype(object)
    out[~finite] = [_num(v) for v in x[~finite].tolist()]
    return out.tolist()


def summarize(array, max_values: int = MAX_VALUES) -> dict:
    """``{"shape", "values"}`` for small arrays, ``{"shape", "mean", "std", "min", "max", "sample"}`` else
    (over an even subsample of ``STATS_SAMPLE`` elements for big arrays, flagged ``"sampled"``).

    >>> summarize(np.array([[1.0, 2.0]]))
    {'shape': [1, 2], 'values': [[1.0, 2.0]]}
    >>> sorted(summarize(np.zeros(1000)))
    ['absmax', 'max', 'mean', 'min', 'sample', 'shape', 'std']
    """
    a = np.asarray(array)
    out = {"shape": list(a.shape)}
    if a.dtype.kind == "b":
        a = a.astype(np.float32)
    if a.size <= max_values:
        flat = round_floats(a.reshape(-1))
        if a.ndim == 0:
            out["values"] = flat[0]
        elif a.ndim == 1 or not flat:
            out["values"] = flat if a.ndim == 1 else a.tolist()
        else:
            out["values"] = np.array(flat, dtype=object).reshape(a.shape).tolist()
        return out
    if a.size > STATS_SAMPLE:  # statistics of a big tensor from an even subsample: labels, not math
        out["sampled"] = STATS_SAMPLE
        a = subsample(a, STATS_SAMPLE)
    low, high = a.min(), a.max()
    finite = a
    if a.dtype.kind == "f" and not np.isfinite(low + high):  # only then pay for filtering
        finite = a[np.isfinite(a)]
        if finite.size == 0:
            finite = np.zeros(1)
        low, high = finite.min(), finite.max()
    # float64 accumulation: the std of huge float32 values (a diverging run) must not overflow.
    out.update(mean=_num(finite.mean(dtype=np.float64)), std=_num(finite.std(dtype=np.float64)),
               min=_num(low), max=_num(high), absmax=_num(max(abs(low), abs(high))),
               sample=round_floats(np.asarray(array).reshape(-1)[:16]))
    return out


def subsample(array, max_values: int = 1 << 16) -> np.ndarray:
    """At most ``max_values`` elements of ``array``, evenly strided (a view: no copy, deterministic)."""
    flat = np.asarray(array).reshape(-1)
    stride = -(-flat.size // max_values)
    return flat[::stride] if stride > 1 else flat


_F32_MAX = float(np.finfo(np.float32).max)


def histogram(array, bins: int = 40, max_values: int = 1 << 16) -> tuple[np.ndarray, np.ndarray]:
    """Counts (int64) and bin edges (float32) of the finite values of ``array``: ``bins`` equal bins from
    its min to its max; arrays above ``max_values`` elements are histogrammed on an even subsample of that
    many (the shape is kept).

    One pass of arithmetic and a ``bincount`` (a snapshot takes several of these, and ``np.histogram`` was
    1.6x slower); a value within rounding of an inner edge may land in the bin beside.

    >>> histogram(np.array([0.0, 0.1, 0.5, 0.9, 1.0, np.nan]), bins=2)
    (array([2, 3]), array([0. , 0.5, 1. ], dtype=float32))
    """
    a = subsample(array, max_values)
    a = a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)
    finite = np.isfinite(a)
    if not finite.all():
        a = a[finite]
    if a.size == 0:
        return np.zeros(bins, np.int64), np.linspace(-1, 1, bins + 1).astype(np.float32)
    low, high = float(a.min()), float(a.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    span = high - low
    if a.dtype == np.float32 and not (span < _F32_MAX and bins / span < _F32_MAX):
        a = a.astype(np.float64)  # float32 arithmetic would overflow (a diverging run's huge values)
    index = ((a - a.dtype.type(low)) * a.dtype.type(bins / span)).astype(np.intp)
    np.clip(index, 0, bins - 1, out=index)  # the max itself goes in the last bin, as np.histogram's
    counts = np.bincount(index, minlength=bins).astype(np.int64)
    return counts, np.linspace(low, high, bins + 1).astype(np.float32)


def norm(array) -> float:
    """The L2 norm, fast for float32 (one BLAS dot, no temporary)."""
    flat = array.reshape(-1)
    return math.sqrt(float(np.dot(flat, flat))) if flat.size else 0.0
