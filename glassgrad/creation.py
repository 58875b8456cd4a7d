"""Making tensors: from data, filled, ranges, random (from the one seeded generator)."""
from __future__ import annotations

import numpy as np

from . import backend
from .tensor import Tensor, _new_tensor


def _shape(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise RuntimeError(f"invalid size {tuple(size)}: sizes must be non-negative integers")
    return tuple(int(n) for n in size)


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = _new_tensor(array, False)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (floats become float32, integers int64 by default).

    >>> import glassgrad as gg
    >>> gg.tensor([1, 2, 3]).dtype
    dtype('int64')
    """
    if isinstance(data, Tensor):
        data = data.data
    dtype = backend.as_dtype(dtype)
    if isinstance(data, np.ndarray):
        array = np.array(data, dtype=dtype or data.dtype)
    else:
        array = np.array(data)
        array = array.astype(dtype or backend.infer_dtype(array))
    return _finish(array, requires_grad)


def as_tensor(data, dtype=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(backend.as_dtype(dtype))
    if isinstance(data, np.ndarray):
        return _new_tensor(data if dtype is None else data.astype(backend.as_dtype(dtype), copy=False),
                           False)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return _new_tensor(array, False)


def _filled(fill, size, dtype, requires_grad, default=None) -> Tensor:
    dtype = backend.as_dtype(dtype) or default or backend.default_float
    return _finish(np.full(_shape(size), fill, dtype=dtype), requires_grad)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _finish(np.zeros(_shape(size), dtype=backend.as_dtype(dtype) or backend.default_float),
                   requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _filled(1, size, dtype, requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    if dtype is None:
        dtype = (backend.bool_ if isinstance(fill_value, bool) else
                 backend.default_int if isinstance(fill_value, int) else backend.default_float)
    return _filled(fill_value, (tuple(size),), dtype, requires_grad)


def zeros_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled(0, (input.shape,), dtype or input.dtype, requires_grad)


def ones_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled(1, (input.shape,), dtype or input.dtype, requires_grad)


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled(fill_value, (input.shape,), dtype or input.dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``[start, end)`` by ``step``; int64 when all three are integers, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound ({end}) and lower bound ({start}) inconsistent with "
                           f"step sign ({step})")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dtype = backend.as_dtype(dtype) or (backend.default_int if integral else backend.default_float)
    array = np.arange(start, end, step, dtype=np.float64 if not integral else np.int64)
    return _finish(array.astype(dtype), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    dtype = backend.as_dtype(dtype) or backend.default_float
    return _finish(np.linspace(start, end, steps).astype(dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _finish(np.eye(n, m, dtype=backend.as_dtype(dtype) or backend.default_float), requires_grad)


def rand(*size, generator=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Uniform on [0, 1)."""
    dtype = backend.as_dtype(dtype) or backend.default_float
    array = backend.rng(generator).random(_shape(size), dtype=np.float64 if dtype != np.float32
                                          else np.float32)
    return _finish(array.astype(dtype, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Standard normal."""
    dtype = backend.as_dtype(dtype) or backend.default_float
    array = backend.rng(generator).standard_normal(
        _shape(size), dtype=np.float32 if dtype == np.float32 else np.float64)
    return _finish(array.astype(dtype, copy=False), requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, requires_grad: bool = False,
            device=None) -> Tensor:
    """Integers in ``[low, high)`` (``randint(high, size)`` starts at 0)."""
    if high is None:
        low, high = 0, low
    if isinstance(high, tuple):  # randint(high, size) spelled positionally
        low, high, size = 0, low, high
    if low >= high:
        raise RuntimeError(f"randint: expected low < high, got low={low} and high={high}")
    dtype = backend.as_dtype(dtype) or backend.default_int
    return _finish(backend.rng(generator).integers(low, high, _shape((size,))).astype(dtype),
                   requires_grad)


def randperm(n: int, generator=None, dtype=None) -> Tensor:
    return _finish(backend.rng(generator).permutation(n).astype(backend.as_dtype(dtype) or
                                                                backend.default_int), False)


def rand_like(input: Tensor, dtype=None) -> Tensor:
    return rand(*input.shape, dtype=dtype or input.dtype)


def randn_like(input: Tensor, dtype=None) -> Tensor:
    return randn(*input.shape, dtype=dtype or input.dtype)


__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
           "ones_like", "full_like", "arange", "linspace", "eye", "rand", "randn", "randint",
           "randperm", "rand_like", "randn_like"]
