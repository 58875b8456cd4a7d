"""Adaptive pooling: windows chosen to give an output of a requested size, as
``torch.nn.functional.adaptive_avg_pool2d`` / ``adaptive_max_pool2d``.

Output row ``o`` of ``OH`` pools input rows ``floor(o*H/OH)`` up to ``ceil((o+1)*H/OH)`` (PyTorch's
formula; neighbouring windows may overlap by one). When the sizes divide evenly the windows are an
ordinary non-overlapping pool and take that fast path. Otherwise the average is two small matmuls with
0/1 window matrices, and the max a loop over the (at most ceil(H/OH)+1)^2 offsets within a window,
gathering one element of every window per step.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .pool import Geometry, MaxPool2d, MaxPool2dIndices, _from_4d, _pool_input, _to_4d
from .windows import alloc, in_order, memory_order, window_view


def _output_size(op, output_size, in_hw) -> tuple:
    items = [output_size] * 2 if isinstance(output_size, (int, np.integer)) else output_size
    if not isinstance(items, (tuple, list)):
        raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, not "
                        f"{type(output_size).__name__}")
    if len(items) != 2:
        raise RuntimeError(f"{op}: output_size must be 2")
    out = []
    for size, v in zip(in_hw, items):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise TypeError(f"{op}(): argument 'output_size' must be tuple of ints, but found element "
                            f"of type {type(v).__name__}")
        out.append(size if v is None else int(v))
    if min(out) < 0:
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{out[0]}, {out[1]}}}")
    return tuple(out)


def _check_input(op, input) -> str:
    view = _pool_input(op, input, nonzero_dims=0)
    for d in range(input.ndim - 2, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(input.shape)} with dimension {d} being empty")
    return view


def _even_geometry(in_hw, out_hw) -> Geometry | None:
    """The ordinary pool equal to this adaptive one, when the sizes divide evenly."""
    if 0 in out_hw or in_hw[0] % out_hw[0] or in_hw[1] % out_hw[1]:
        return None
    kernel = (in_hw[0] // out_hw[0], in_hw[1] // out_hw[1])
    return Geometry(in_hw, kernel, kernel, (0, 0), (1, 1), False)


def _bounds(size: int, out: int):
    o = np.arange(out)
    return (o * size) // out, ((o + 1) * size + out - 1) // out


def _window_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size) 0/1 matrix: row o marks the input positions window o covers."""
    start, end = _bounds(size, out)
    pos = np.arange(size)
    return ((pos >= start[:, None]) & (pos < end[:, None])).astype(dtype)


class AdaptiveAvgPool2d(Function):
    def forward(self, x, *, out_hw, view):
        x = _to_4d(x, view)
        n, c, h, w = x.shape
        self.view, self.x, self.order = view, x.shape, memory_order(x)
        self.geo = geo = _even_geometry((h, w), out_hw)
        if geo is not None:
            windows = window_view(x, geo.kernel, geo.stride, geo.dilation, out_hw)
            return _from_4d(windows.sum(axis=(2, 3)) / (geo.kernel[0] * geo.kernel[1]), view)
        self.rows = _window_matrix(h, out_hw[0], x.dtype)             # (OH, H)
        self.cols = _window_matrix(w, out_hw[1], x.dtype)             # (OW, W)
        self.counts = self.rows.sum(1)[:, None] * self.cols.sum(1)[None, :]
        out = np.tensordot(x, self.cols, axes=([3], [1]))             # (N, C, H, OW)
        out = np.tensordot(out, self.rows, axes=([2], [1]))           # (N, C, OW, OH)
        return _from_4d(out.transpose(0, 1, 3, 2) / self.counts, view)

    def backward(self, grad):
        grad, geo = _to_4d(grad, self.view), self.geo
        if geo is not None:
            share = in_order(grad, self.order) / (geo.kernel[0] * geo.kernel[1])
            dx = alloc(self.x, self.order, grad.dtype)
            dx_windows = window_view(dx, geo.kernel, geo.stride, geo.dilation, geo.out_hw,
                                     writeable=True)
            np.copyto(dx_windows, share[:, :, None, None])
            return _from_4d(dx, self.view)
        share = grad / self.counts
        dx = np.tensordot(share, self.cols, axes=([3], [0]))          # (N, C, OH, W)
        dx = np.tensordot(dx, self.rows, axes=([2], [0]))             # (N, C, W, H)
        return _from_4d(dx.transpose(0, 1, 3, 2), self.view)


def _uneven_max(x, out_hw):
    """Max of each (uneven) adaptive window and its flat index into the (H, W) plane."""
    n, c, h, w = x.shape
    (r0, r1), (c0, c1) = _bounds(h, out_hw[0]), _bounds(w, out_hw[1])
    best = idx = None
    for i in range(int((r1 - r0).max())):
        rows = np.minimum(r0 + i, r1 - 1)[:, None]   # a shorter window repeats its last row: a repeat
        for j in range(int((c1 - c0).max())):         # never wins a tie, so the index is unchanged
            cols = np.minimum(c0 + j, c1 - 1)[None, :]
            v = x[:, :, rows, cols]
            flat = rows * w + cols
            if best is None:
                best, idx = v, np.broadcast_to(flat, v.shape).astype(np.int64)
                continue
            update = v > best
            update |= np.isnan(v)
            np.copyto(best, v, where=update)
            np.copyto(idx, flat, where=update)
    return best, idx


class AdaptiveMaxPool2d(MaxPool2d):
    def forward(self, x, *, out_hw, view):
        x4 = _to_4d(x, view)
        geo = _even_geometry(x4.shape[2:], out_hw)
        if geo is not None:
            return super().forward(x, geo=geo, view=view)
        self.view, self.geo = view, None
        if 0 in out_hw:
            self.save_for_backward(x4, None, None)
            return _from_4d(np.empty(x4.shape[:2] + out_hw, dtype=x.dtype), view)
        out, idx = _uneven_max(x4, out_hw)
        self.save_for_backward(x4, None, idx)
        return _from_4d(out, view)

    def backward(self, grad):
        if self.geo is not None:
            return super().backward(grad)
        x, _, idx = self.saved
        n, c, h, w = x.shape
        dx = np.zeros((n * c, h * w), dtype=x.dtype)
        if idx is not None:  # windows may overlap: accumulate
            m = idx.shape[2] * idx.shape[3]
            np.add.at(dx, (np.arange(n * c)[:, None], idx.reshape(n * c, m)),
                      _to_4d(grad, self.view).reshape(n * c, m))
        return _from_4d(dx.reshape(x.shape), self.view)


class AdaptiveMaxPool2dIndices(Function):
    def forward(self, x, *, out_hw, view):
        x4 = _to_4d(x, view)
        geo = _even_geometry(x4.shape[2:], out_hw)
        if geo is not None:
            return MaxPool2dIndices.forward(self, x, geo=geo, view=view)
        if 0 in out_hw:
            return _from_4d(np.empty(x4.shape[:2] + out_hw, dtype=np.int64), view)
        return _from_4d(_uneven_max(x4, out_hw)[1], view)


def adaptive_avg_pool2d(input, output_size):
    """2-D average pooling to a given output size (int, or pair with None for "keep"), as
    ``torch.nn.functional.adaptive_avg_pool2d``.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.adaptive_pool import adaptive_avg_pool2d
    >>> adaptive_avg_pool2d(gg.arange(9.0).reshape(1, 1, 3, 3), (2, 1))  # rows 0-1 and 1-2
    tensor([[[[2.5],
              [5.5]]]])
    """
    op = "adaptive_avg_pool2d"
    view = _check_input(op, input)
    out_hw = _output_size(op, output_size, tuple(input.shape[-2:]))
    return AdaptiveAvgPool2d.apply(input, out_hw=out_hw, view=view)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D max pooling to a given output size, as ``torch.nn.functional.adaptive_max_pool2d``.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.adaptive_pool import adaptive_max_pool2d
    >>> adaptive_max_pool2d(gg.arange(9.0).reshape(1, 1, 3, 3), 2)
    tensor([[[[4., 5.],
              [7., 8.]]]])
    """
    op = "adaptive_max_pool2d"
    view = _check_input(op, input)
    out_hw = _output_size(op, output_size, tuple(input.shape[-2:]))
    out = AdaptiveMaxPool2d.apply(input, out_hw=out_hw, view=view)
    if return_indices:
        return out, AdaptiveMaxPool2dIndices.apply(input, out_hw=out_hw, view=view)
    return out


__all__: list = []   # torch has no top-level adaptive pools: use glassgrad.ops.adaptive_pool / nn.functional
TENSOR_METHODS: dict = {}
