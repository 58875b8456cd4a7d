"""View data must be plain JSON a browser parses: no NaN or Infinity, no NumPy types."""
from __future__ import annotations

import math

import numpy as np


def clean(value, digits: int = 6, float_array=None):
    """``value`` with arrays as lists, floats rounded to ``digits`` significant digits, NaN as None and
    ±Inf as ±1e308. ``float_array(array, digits)``, when given, makes a float array's list in one go
    (the same numbers: the live frames' fast path, glassgrad/web/encode.py); without it every element
    takes the rule below.

    >>> clean({"a": np.array([1.0, np.nan]), "b": (np.float32(0.1234567),)})
    {'a': [1.0, None], 'b': [0.123457]}
    """
    if isinstance(value, dict):
        return {str(k): clean(v, digits, float_array) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v, digits, float_array) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub":
            return value.astype(np.int64).tolist()
        if float_array is not None:
            return float_array(value, digits)
        return clean(value.tolist(), digits)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return math.copysign(1e308, value)
        return float(f"{value:.{digits}g}")
    return value
