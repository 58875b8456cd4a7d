"""Pooling over (N, C, H, W) arrays: max_pool2d, avg_pool2d and their adaptive forms, as
``torch.nn.functional``.

Every pool is a loop over the kh*kw kernel offsets (never over pixels): offset (i, j) of all windows at
once is one strided (N, C, OH, OW) view of the (padded) input. Outputs and gradients keep the memory
layout of the input (a conv's output is batch-last underneath), so no transposing copies are made.
The usual non-overlapping pool (kernel == stride, no padding) takes a faster path: its max is a chain of
``np.maximum`` and its backward finds the first maximum of each window by comparing with the output.
Ties go to the first maximum in row-major window order and a NaN wins (the last NaN), as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from .windows import alloc, alloc_like, in_order, memory_order, offset_slice, spatial_inner, window_view


# ---- windows ------------------------------------------------------------------------------------

def _padded(x, geo, fill) -> np.ndarray:
    """``x`` padded by ``fill`` to the (Hp, Wp) the windows span; ``x`` itself when they fit."""
    (ph, pw), (hp, wp) = geo.padding, geo.padded_hw
    n, c, h, w = x.shape
    if (hp, wp) == (h, w):
        return x
    xp = alloc_like(x, (n, c, hp, wp), fill)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def _offsets(geo):
    kh, kw = geo.kernel
    return [(i * kw + j, offset_slice(i, j, geo.stride, geo.dilation, geo.out_hw))
            for i in range(kh) for j in range(kw)]


def _window_max(xp, geo):
    """Max of each window of padded ``xp`` and the kernel offset (row-major) that holds it."""
    best = idx = None
    for k, where in _offsets(geo):
        v = xp[where]
        if best is None:
            best = v.copy(order="K")
            idx = np.zeros(best.shape, dtype=np.uint8 if len(geo.kernel_offsets) <= 256 else np.int32)
            continue
        update = v > best
        update |= np.isnan(v)                    # PyTorch: a NaN always takes over
        np.copyto(best, v, where=update)
        np.copyto(idx, k, where=update)
    if geo.padded_hw != geo.in_hw:
        # A window of -inf only: PyTorch names its first element inside the input, not the padding.
        empty = np.isneginf(best)
        if empty.any():
            np.copyto(idx, geo.first_inside(), where=empty, casting="unsafe")
    return best, idx


def _scatter(grad, idx, x, geo) -> np.ndarray:
    """Gradient of a window max: ``grad`` sent to offset ``idx`` of each window, summed where they
    overlap."""
    n, c, h, w = x.shape
    (ph, pw), (hp, wp) = geo.padding, geo.padded_hw
    dxp = alloc_like(x, (n, c, hp, wp), 0)
    grad = in_order(grad, memory_order(idx))
    for k, where in _offsets(geo):
        dxp[where] += grad * (idx == k).view(np.uint8)
    return dxp[:, :, ph:ph + h, pw:pw + w]


# ---- geometry ---------------------------------------------------------------------------------

def _pair(value, name: str, op: str, default=None) -> tuple:
    if isinstance(value, Tensor):
        value = value.tolist()
    if default is not None and (value is None or (isinstance(value, (tuple, list)) and not value)):
        return default
    items = [value] if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(items, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type(value).__name__}")
    if len(items) not in (1, 2):
        what = "either be omitted, a single int" if name == "stride" else "either be a single int"
        raise RuntimeError(f"{op}: {name} must {what}, or a tuple of two ints")
    for i, v in enumerate(items):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found element of "
                            f"type {type(v).__name__} at pos {i}")
    return (int(items[0]), int(items[-1]))


class Geometry:
    """Where the windows of a pool lie on one (H, W) plane."""

    def __init__(self, in_hw, kernel, stride, padding, dilation, ceil_mode):
        self.in_hw, self.kernel, self.stride = in_hw, kernel, stride
        self.padding, self.dilation = padding, dilation
        out, span = [], []
        for d in range(2):
            size, k, s, p, dil = in_hw[d], kernel[d], stride[d], padding[d], dilation[d]
            reach = size + 2 * p - dil * (k - 1) - 1
            o = (-(-reach // s) if ceil_mode else reach // s) + 1
            if ceil_mode and (o - 1) * s >= size + p:   # the last window must start inside
                o -= 1
            out.append(o)
            span.append(max(size + 2 * p, (o - 1) * s + dil * (k - 1) + 1))
        self.out_hw, self.padded_hw = tuple(out), tuple(span)
        self.kernel_offsets = range(kernel[0] * kernel[1])
        self.simple = (kernel == stride and padding == (0, 0) and dilation == (1, 1)
                       and out[0] * kernel[0] <= in_hw[0] and out[1] * kernel[1] <= in_hw[1])
        # Rows or columns no window reaches (floor mode): their gradient is zero.
        self.leftover = out[0] * stride[0] != in_hw[0] or out[1] * stride[1] != in_hw[1]

    def first_inside(self) -> np.ndarray:
        """(OH, OW) kernel offset of each window's first element inside the input."""
        firsts = []
        for d in range(2):
            start = np.arange(self.out_hw[d]) * self.stride[d] - self.padding[d]
            firsts.append(np.maximum(0, -(start // self.dilation[d])))   # ceil(-start / dilation)
        return firsts[0][:, None] * self.kernel[1] + firsts[1][None, :]

    def window_counts(self, include_pad: bool) -> np.ndarray:
        """(OH, OW) number of elements each window averages (PyTorch's avg_pool2d divisor)."""
        sizes = []
        for d in range(2):
            size, k, s, p = self.in_hw[d], self.kernel[d], self.stride[d], self.padding[d]
            start = np.arange(self.out_hw[d]) * s - p
            end = np.minimum(start + k, size + p)
            if not include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, size)
            sizes.append(end - start)
        return sizes[0][:, None] * sizes[1][None, :]


def _pool_input(op, input, nonzero_dims=3) -> str:
    """Check a pool's input; the view string its Function uses (unbatched "chw" or "nchw")."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    shape = tuple(input.shape)
    if input.ndim not in (3, 4) or (nonzero_dims and 0 in shape[-nonzero_dims:]):
        raise RuntimeError(f"{op}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got: {list(shape)}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, but got {input.dtype}")
    return "nchw" if input.ndim == 4 else "chw"


def _geometry(op, input, kernel_size, stride, padding, dilation, ceil_mode) -> Geometry:
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = _pair(stride, "stride", op, default=kernel)
    padding = _pair(padding, "padding", op)
    dilation = _pair(dilation, "dilation", op)
    if min(kernel) <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if 0 in stride:
        raise RuntimeError(f"{op}: stride should not be zero")
    if min(stride) < 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got dH: {stride[0]} "
                           f"dW: {stride[1]}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    if min(padding) < 0:
        raise RuntimeError(f"{op}: pad must be non-negative, but got pad: {min(padding)}")
    for d in range(2):
        if padding[d] > (dilation[d] * (kernel[d] - 1) + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got "
                               f"pad={padding[d]}, kernel_size={kernel[d]} and dilation={dilation[d]}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(f"{op}: pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    geo = Geometry(tuple(input.shape[-2:]), kernel, stride, padding, dilation, bool(ceil_mode))
    if min(geo.out_hw) < 1:
        c, (h, w), (oh, ow) = input.shape[-3], geo.in_hw, geo.out_hw
        raise RuntimeError(f"{op}: Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{oh}x{ow}). Output size is too small")
    return geo


def _to_4d(a, view):
    return a if view == "nchw" else a[None]


def _from_4d(a, view):
    return a if view == "nchw" else a[0]


# ---- max pooling ------------------------------------------------------------------------------

class MaxPool2d(Function):
    def forward(self, x, *, geo, view):
        x = _to_4d(x, view)
        self.geo, self.view = geo, view
        if geo.simple:  # non-overlapping windows: a chain of maxima, the argmax found in backward
            windows = window_view(x, geo.kernel, geo.stride, geo.dilation, geo.out_hw)
            out = alloc_like(x, x.shape[:2] + geo.out_hw)
            _max_of_offsets(windows, geo.kernel, out)
            self.save_for_backward(x, out, None)
        else:
            out, idx = _window_max(_padded(x, geo, -np.inf), geo)
            self.save_for_backward(x, None, idx)
        return _from_4d(out, view)

    def backward(self, grad):
        x, out, idx = self.saved
        grad, geo = _to_4d(grad, self.view), self.geo
        if idx is None and np.isnan(out).any():
            _, idx = _window_max(x, geo)   # the first-max-by-comparison rule below misses NaNs
        if idx is not None:
            return _from_4d(_scatter(grad, idx, x, geo), self.view)
        grad = in_order(grad, memory_order(out))
        dx = alloc_like(x, x.shape, 0 if geo.leftover else None)
        windows = window_view(x, geo.kernel, geo.stride, geo.dilation, geo.out_hw)
        dx_windows = window_view(dx, geo.kernel, geo.stride, geo.dilation, geo.out_hw, writeable=True)
        _first_max_grad(windows, out, grad, dx_windows, spatial_inner(x))
        return _from_4d(dx, self.view)


def _max_of_offsets(windows, kernel, out) -> None:
    """``out`` (N, C, OH, OW) = the max over the kernel offsets of (N, C, kh, kw, OH, OW) windows."""
    kh, kw = kernel
    if kh * kw == 1:
        np.copyto(out, windows[:, :, 0, 0])
        return
    np.maximum(windows[:, :, 0, 0], windows[:, :, 0, 1] if kw > 1 else windows[:, :, 1, 0], out=out)
    for k in range(2, kh * kw):
        np.maximum(out, windows[:, :, k // kw, k % kw], out=out)


def _first_max_grad(windows, out, grad, dx_windows, by_offset: bool) -> None:
    """Send ``grad`` to the first element of each window equal to its max ``out``, zeros elsewhere."""
    kh, kw = windows.shape[2:4]
    last = kh * kw - 1
    if by_offset:  # NCHW-like memory: one strided pass per offset, each over runs of OW numbers
        taken = None
        for k in range(kh * kw):
            first = windows[:, :, k // kw, k % kw] == out
            if taken is None:
                taken = first
            else:
                np.greater(first, taken, out=first)          # equal to the max, and not yet taken
                if k != last:
                    taken |= first
            np.multiply(grad, first.view(np.uint8), out=dx_windows[:, :, k // kw, k % kw])
        return
    first = np.equal(windows, out[:, :, None, None])         # (N, C, kh, kw, OH, OW)
    taken = first[:, :, 0, 0].copy(order="K")
    for k in range(1, kh * kw):
        f = first[:, :, k // kw, k % kw]
        np.greater(f, taken, out=f)
        if k != last:
            taken |= f
    # A uint8 view of the mask multiplies 1.3x faster than the bool itself (no buffered cast).
    np.multiply(grad[:, :, None, None], first.view(np.uint8), out=dx_windows)


class MaxPool2dIndices(Function):
    """Where each window's max lies, as a flat index into its input plane (not differentiable)."""

    def forward(self, x, *, geo, view):
        x = _to_4d(x, view)
        _, idx = _window_max(_padded(x, geo, -np.inf), geo)
        kw = geo.kernel[1]
        rows = (np.arange(geo.out_hw[0]) * geo.stride[0] - geo.padding[0])[:, None]
        cols = (np.arange(geo.out_hw[1]) * geo.stride[1] - geo.padding[1])[None, :]
        ki, kj = np.divmod(idx.astype(np.int64), kw)
        flat = (rows + ki * geo.dilation[0]) * geo.in_hw[1] + cols + kj * geo.dilation[1]
        return _from_4d(flat, view)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``; with ``return_indices`` also the flat
    index of each max within its (H, W) plane.

    >>> import glassgrad as gg
    >>> gg.max_pool2d(gg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    view = _pool_input("max_pool2d", input)
    geo = _geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool2d.apply(input, geo=geo, view=view)
    if return_indices:
        return out, MaxPool2dIndices.apply(input, geo=geo, view=view)
    return out


# ---- average pooling --------------------------------------------------------------------------

class AvgPool2d(Function):
    def forward(self, x, *, geo, view, divisor):
        x = _to_4d(x, view)
        self.geo, self.view, self.divisor, self.x_shape = geo, view, divisor, x.shape
        self.order = memory_order(x)
        if geo.simple:
            windows = window_view(x, geo.kernel, geo.stride, geo.dilation, geo.out_hw)
            out = alloc_like(x, x.shape[:2] + geo.out_hw)
            _mean_of_offsets(windows, divisor, out)
            return _from_4d(out, view)
        xp = _padded(x, geo, 0)
        out = None
        for _, where in _offsets(geo):
            out = xp[where].copy(order="K") if out is None else np.add(out, xp[where], out=out)
        out /= divisor
        return _from_4d(out, view)

    def backward(self, grad):
        grad, geo = in_order(_to_4d(grad, self.view), self.order), self.geo
        (ph, pw), (hp, wp), (h, w) = geo.padding, geo.padded_hw, self.x_shape[2:]
        if geo.simple:                      # windows do not overlap: each is a copy of its share
            dx = alloc(self.x_shape, self.order, grad.dtype, 0 if geo.leftover else None)
            dx_windows = window_view(dx, geo.kernel, geo.stride, geo.dilation, geo.out_hw, True)
            _spread(grad / self.divisor, dx_windows, spatial_inner(dx))
            return _from_4d(dx, self.view)
        share = grad / self.divisor
        dxp = alloc(self.x_shape[:2] + (hp, wp), self.order, share.dtype, 0)
        for _, where in _offsets(geo):
            dxp[where] += share
        return _from_4d(dxp[:, :, ph:ph + h, pw:pw + w], self.view)


def _mean_of_offsets(windows, divisor, out) -> None:
    kh, kw = windows.shape[2:4]
    np.copyto(out, windows[:, :, 0, 0])
    for k in range(1, kh * kw):
        np.add(out, windows[:, :, k // kw, k % kw], out=out)
    out /= divisor


def _spread(share, dx_windows, by_offset: bool) -> None:
    """Copy each (N, C, OH, OW) ``share`` into every element of its window."""
    if by_offset:
        kh, kw = dx_windows.shape[2:4]
        for k in range(kh * kw):
            dx_windows[:, :, k // kw, k % kw] = share
    else:
        np.copyto(dx_windows, share[:, :, None, None])


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.pool import avg_pool2d
    >>> avg_pool2d(gg.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    view = _pool_input("avg_pool2d", input)
    geo = _geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d: divisor must be not zero")
        divisor = np.asarray(divisor_override, dtype=input.dtype)
    elif geo.padded_hw == geo.in_hw or (count_include_pad and geo.padded_hw == tuple(
            s + 2 * p for s, p in zip(geo.in_hw, geo.padding))):
        divisor = np.asarray(geo.kernel[0] * geo.kernel[1], dtype=input.dtype)  # every window full
    else:
        divisor = geo.window_counts(count_include_pad).astype(input.dtype)
    return AvgPool2d.apply(input, geo=geo, view=view, divisor=divisor)


__all__ = ["max_pool2d"]  # torch's top-level name; avg_pool2d lives here and in nn.functional
TENSOR_METHODS: dict = {}
