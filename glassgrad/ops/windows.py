"""What convolution and pooling share: sliding windows as strided views, and the memory layouts those
views run fast on.

(Splitting these memory-bound NumPy passes over threads was tried and measured: a copy alone ran 1.4x
faster on two cores, a training step not at all, because OpenBLAS's workers keep spinning on the other
core for a while after each matmul.)
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


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
    is a transposed view: in cache-line blocks of the last axis when ``src`` is strided along it (a
    plain transposing copy reads a new cache line for every element; blocked it is 1.5-3x faster)."""
    step = max(1, 64 // dst.itemsize)
    if dst.ndim < 2 or src.strides[-1] == src.itemsize or dst.shape[-1] <= step:
        np.copyto(dst, src)
        return
    for k in range(0, dst.shape[-1], step):
        np.copyto(dst[..., k:k + step], src[..., k:k + step])


def spatial_inner(x: np.ndarray) -> bool:
    """Whether (N, C, H, W) ``x`` is contiguous along H or W (NCHW-like memory), not along N or C
    (a conv's batch-last output): then one ufunc call over all windows would loop over runs of kw
    numbers, so the pools loop over kernel offsets instead."""
    axes = [d for d in range(4) if x.shape[d] > 1] or [3]
    return min(axes, key=lambda d: abs(x.strides[d])) >= 2
