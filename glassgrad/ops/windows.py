"""What convolution and pooling share: sliding windows as strided views, the memory layouts those views
run fast on, and the splitting of their big NumPy passes over threads.

Threads: NumPy releases the GIL inside its copy and ufunc loops, so the memory-bound passes of im2col,
col2im and pooling (which BLAS does not cover) run on several cores when split into slabs along an
outer axis. ``THREADS`` follows ``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` when set (the variables
that also size NumPy's BLAS), else the cores this process may use; ``set_threads`` changes it.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _default_threads() -> int:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


THREADS = _default_threads()
MIN_SPLIT = 1 << 18  # elements: below this a pass is not worth a thread hand-off (~tens of µs)
_executor: ThreadPoolExecutor | None = None


def set_threads(n: int) -> None:
    """Use ``n`` threads for the NumPy passes of conv and pooling (1: none)."""
    global THREADS, _executor
    if n < 1:
        raise ValueError(f"set_threads: expected a positive thread count, got {n}")
    THREADS = int(n)
    if _executor is not None:
        _executor.shutdown(wait=True)
        _executor = None


def in_slabs(fn, length: int, work: int) -> None:
    """Call ``fn(start, stop)`` over slabs covering ``range(length)``, on up to THREADS threads when the
    pass touches ``work`` elements or more; the slabs must write disjoint memory."""
    global _executor
    parts = min(THREADS, length) if work >= MIN_SPLIT else 1
    if parts <= 1:
        fn(0, length)
        return
    if _executor is None:
        _executor = ThreadPoolExecutor(THREADS - 1, thread_name_prefix="glassgrad")
    bounds = [length * i // parts for i in range(parts + 1)]
    futures = [_executor.submit(fn, a, b) for a, b in zip(bounds[1:-1], bounds[2:])]
    try:
        fn(bounds[0], bounds[1])
    finally:
        for f in futures:
            f.result()


def over_planes(fn, x: np.ndarray, work: int) -> None:
    """``in_slabs`` over the N or C axis of (N, C, ...) ``x``, whichever is outer in its memory:
    ``fn(index)`` gets the index tuple of one slab, to apply to every (N, C, ...) array."""
    axis = 1 if abs(x.strides[1]) >= abs(x.strides[0]) else 0
    if x.shape[axis] < min(THREADS, x.shape[1 - axis]):   # too few planes on the outer axis
        axis = 1 - axis
    lead = (slice(None),) * axis
    in_slabs(lambda a, b: fn(lead + (slice(a, b),)), x.shape[axis], work)


# ---- windows -------------------------------------------------------------------------------------

def offset_slice(i: int, j: int, stride, dilation, out_hw) -> tuple:
    """Index of the (OH, OW) positions that kernel offset (i, j) touches in a padded (.., Hp, Wp) array."""
    h0, w0 = i * dilation[0], j * dilation[1]
    return (Ellipsis, slice(h0, h0 + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
            slice(w0, w0 + stride[1] * (out_hw[1] - 1) + 1, stride[1]))


def window_view(x: np.ndarray, kernel, stride, dilation, out_hw, writeable=False) -> np.ndarray:
    """(N, C, kh, kw, OH, OW) view of the windows of (N, C, H, W) ``x`` (any strides; no copy).
    Write through it (``writeable``) only where the windows do not overlap."""
    sn, sc, sh, sw = x.strides
    n, c = x.shape[:2]
    return as_strided(x, (n, c, kernel[0], kernel[1], out_hw[0], out_hw[1]),
                      (sn, sc, dilation[0] * sh, dilation[1] * sw, stride[0] * sh, stride[1] * sw),
                      writeable=writeable)


# ---- memory layouts ------------------------------------------------------------------------------

def memory_order(x: np.ndarray) -> tuple:
    """The axes of ``x`` from the outermost in memory to the innermost (size-1 axes count as outer)."""
    return tuple(sorted(range(x.ndim), key=lambda a: -abs(x.strides[a]) if x.shape[a] > 1 else -np.inf))


def alloc(shape: tuple, order: tuple, dtype, fill=None) -> np.ndarray:
    """A new array of ``shape`` whose memory runs in axis ``order``, filled with ``fill`` unless None."""
    mem_shape = [shape[a] for a in order]
    buf = np.empty(mem_shape, dtype=dtype) if fill is None else np.full(mem_shape, fill, dtype)
    return buf.transpose(np.argsort(order))


def alloc_like(x: np.ndarray, shape: tuple, fill=None) -> np.ndarray:
    return alloc(shape, memory_order(x), x.dtype, fill)


def in_order(a: np.ndarray, order: tuple) -> np.ndarray:
    """``a``, copied into memory ``order`` unless already there: an upstream gradient in another
    layout than the saved arrays would make every ufunc after it iterate against the memory."""
    if memory_order(a) == order:
        return a
    out = alloc(a.shape, order, a.dtype)
    copy_into(out.transpose(order), a.transpose(order))
    return out


def copy_into(dst: np.ndarray, src: np.ndarray) -> None:
    """``dst[...] = src`` (one shape; ``dst`` contiguous along its last axis), fast also when ``src``
    is a transposed view: in slabs over threads, and in cache-line blocks of the last axis when
    ``src`` is strided along it (a plain transposing copy reads a new cache line per element)."""
    step = max(1, 64 // dst.itemsize)
    gather = dst.ndim > 1 and src.strides[-1] != src.itemsize and dst.shape[-1] > step
    axis = 1 if dst.ndim > 2 and dst.shape[0] < THREADS else 0
    lead = (slice(None),) * axis

    def run(a, b):
        d, s = dst[lead + (slice(a, b),)], src[lead + (slice(a, b),)]
        if not gather:
            np.copyto(d, s)
            return
        for k in range(0, d.shape[-1], step):
            np.copyto(d[..., k:k + step], s[..., k:k + step])

    in_slabs(run, dst.shape[axis] if dst.ndim else 1, dst.size)


def spatial_inner(x: np.ndarray) -> bool:
    """Whether (N, C, H, W) ``x`` is contiguous along H or W (NCHW-like memory), not along N or C
    (a conv's batch-last output): then one ufunc call over all windows would loop over runs of kw
    numbers, so the pools loop over kernel offsets instead."""
    axes = [d for d in range(4) if x.shape[d] > 1] or [3]
    return min(axes, key=lambda d: abs(x.strides[d])) >= 2
