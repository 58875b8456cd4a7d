"""Convolution over (N, C, H, W) and (N, C, L) arrays: conv2d and conv1d, as ``torch.nn.functional``.

How it runs (im2col): the input is copied once, padded, into a batch-last (C, Hp, Wp, N) buffer; the
patches are a strided view of it, copied into ``cols`` (C*kh*kw, OH*OW*N) in runs of OW*N contiguous
numbers; then ONE matmul ``weight (O, C*kh*kw) @ cols`` gives the output as (O, OH, OW, N). That layout
needs no copy of the weight (its (O, C, kh, kw) memory already is (O, C*kh*kw)) and no copy of the
output: it is returned as the (N, O, OH, OW) view of that memory. Elementwise ops and pooling after it
keep the layout (pooling then works on contiguous runs of N), and the next conv reads its input without
a transpose. Backward is two matmuls (``grad @ cols.T`` for the weight, ``weight.T @ grad`` for the
patches) and a col2im that adds the patches back with one strided add per kernel offset (kh*kw
iterations, never a loop over pixels).

Groups split the same matrices along their first axis into a batch of ``groups`` matmuls. Backward
redoes im2col from the saved input rather than keeping the patches (C*kh*kw times the input) alive
between forward and backward: as fast, measured, and far less memory.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state
from ..tensor import Tensor
from ._im2col import add_patches, col2im, pad_batch_last, patches, row_bands
from .windows import copy_into


# ---- arguments --------------------------------------------------------------------------------

def int_tuple(value, n: int, name: str, op: str) -> tuple:
    """``value`` (an int or a sequence of 1 or ``n`` ints) as an ``n``-tuple of ints."""
    if isinstance(value, Tensor):
        value = value.tolist()
    items = [value] if isinstance(value, (int, np.integer)) else value
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type(value).__name__}")
    for i, v in enumerate(items):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found element of "
                            f"type {type(v).__name__} at pos {i}")
    if len(items) == 1:
        items = list(items) * n
    if len(items) != n:
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(items)}")
    return tuple(int(v) for v in items)


# ---- the op -----------------------------------------------------------------------------------

class Conv2d(Function):
    """Cross-correlation of (N, C, H, W) ``x`` with (O, C/groups, kh, kw) ``w``, plus ``b`` (O,).

    ``padding`` is (top, bottom, left, right); ``view`` tells how the caller's arrays map to 4-D
    (``"nchw"``, ``"chw"`` unbatched, ``"ncl"``/``"cl"`` for conv1d).
    """

    def forward(self, x, w, b=None, *, stride, padding, dilation, groups, view, save_x):
        x, w = _to_4d(x, view), (w if w.ndim == 4 else w[:, :, None, :])
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        pt, pb, pl, pr = padding
        oh = (h + pt + pb - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (wd + pl + pr - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        xp = pad_batch_last(x.transpose(1, 2, 3, 0), padding)   # (C, Hp, Wp, N)
        m = n * oh * ow
        bands = self._bands(c * kh * kw * m * x.itemsize, oh, (kh, kw), stride, groups)
        if len(bands) > 1:  # patches too big to hold at once: by bands of output rows (see _im2col.py)
            out = np.empty((o, m), dtype=x.dtype)
            w2, span = w.reshape(o, -1), ow * n
            for first, stop in bands:
                cols = patches(xp, (kh, kw), stride, dilation, (oh, ow), (first, stop))
                np.matmul(w2, cols, out=out[:, first * span:stop * span])
                del cols
        elif groups == 1:
            out = w.reshape(o, -1) @ patches(xp, (kh, kw), stride, dilation, (oh, ow))  # (O, OH*OW*N)
        else:
            cols = patches(xp, (kh, kw), stride, dilation, (oh, ow))
            kg = cols.shape[0] // groups
            out = np.matmul(w.reshape(groups, o // groups, kg), cols.reshape(groups, kg, m))
            out = out.reshape(o, m)
        if b is not None:
            out += b[:, None]
        self.geometry = (x.shape, (kh, kw), stride, padding, dilation, groups, view)
        # The input, not its patches, is kept for the weight gradient: redoing im2col in backward
        # measured as fast (less memory to stream) and saves C*kh*kw times the input's memory.
        self.save_for_backward(x if save_x else None, w)
        return _from_4d(out.reshape(o, oh, ow, n).transpose(3, 0, 1, 2), view)

    def backward(self, grad):
        x, w = self.saved
        x_shape, kernel, stride, padding, dilation, groups, view = self.geometry
        need_x, need_w = self.needs_input_grad[:2]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        grad = _to_4d(grad, view)
        n, o, oh, ow = grad.shape
        m = n * oh * ow
        gt = grad.transpose(1, 2, 3, 0)                           # (O, OH, OW, N): a view when it came
        if not gt.flags.c_contiguous:                             # from a conv or pool
            gt = np.empty(gt.shape, dtype=grad.dtype)
            copy_into(gt, grad.transpose(1, 2, 3, 0))
        gm = gt.reshape(o, m)
        grad_x = grad_w = grad_b = None
        if need_b:
            grad_b = gm.sum(axis=1)
        c = x_shape[1]
        bands = self._bands(c * kernel[0] * kernel[1] * m * grad.itemsize, oh, kernel, stride, groups)
        if len(bands) > 1:
            grad_w, dx = self._backward_by_bands(x, w, gm, bands, need_w, need_x, (oh, ow))
            grad_x = None if dx is None else _from_4d(dx.transpose(3, 0, 1, 2), view)
        else:
            if need_w:
                xp = pad_batch_last(x.transpose(1, 2, 3, 0), padding)
                cols = patches(xp, kernel, stride, dilation, (oh, ow))
                del xp
                if groups == 1:  # OpenBLAS runs this product faster with the longer side as rows
                    gw = (cols @ gm.T).T if cols.shape[0] > o else gm @ cols.T
                    grad_w = gw.reshape(w.shape)
                else:
                    kg = cols.shape[0] // groups
                    grad_w = np.matmul(gm.reshape(groups, o // groups, m),
                                       cols.reshape(groups, kg, m).transpose(0, 2, 1)).reshape(w.shape)
                del cols                                          # before dcols, as big, is made
            if need_x:
                if groups == 1:
                    dcols = w.reshape(o, -1).T @ gm               # (C*kh*kw, OH*OW*N)
                else:  # one output channel per group (depthwise): an outer product, not a matmul
                    og = o // groups
                    wt = w.reshape(groups, og, -1).transpose(0, 2, 1)   # (G, Kg, Og)
                    g3 = gm.reshape(groups, og, m)
                    dcols = wt * g3 if og == 1 else np.matmul(wt, g3)
                dx = col2im(dcols, x_shape, kernel, stride, padding, dilation, (oh, ow))
                grad_x = _from_4d(dx.transpose(3, 0, 1, 2), view)
        if view in ("ncl", "cl") and grad_w is not None:
            grad_w = grad_w[:, :, 0, :]
        return (grad_x, grad_w, grad_b) if len(self.needs_input_grad) > 2 else (grad_x, grad_w)


    @staticmethod
    def _bands(patch_bytes, out_rows, kernel, stride, groups) -> list:
        """Bands of output rows for the patch matrix (one band: whole; grouped convs: always whole)."""
        if groups != 1 or (kernel == (1, 1) and stride == (1, 1)):  # 1x1: the patches are a view
            return [(0, out_rows)]
        return row_bands(out_rows, patch_bytes)

    def _backward_by_bands(self, x, w, gm, bands, need_w, need_x, out_hw):
        """Weight and input gradients band by band: each band's patches and patch gradients are made,
        used and freed in turn; the weight gradient sums the bands', the input's gets each band added."""
        x_shape, kernel, stride, padding, dilation, _, _ = self.geometry
        o, (oh, ow), n = w.shape[0], out_hw, x_shape[0]
        w2, span = w.reshape(o, -1), ow * n
        xp = pad_batch_last(x.transpose(1, 2, 3, 0), padding) if need_w else None
        _, c, h, wd = x_shape
        pt, pb, pl, pr = padding
        dxp = np.zeros((c, h + pt + pb, wd + pl + pr, n), dtype=gm.dtype) if need_x else None
        gw = None
        for first, stop in bands:
            g = gm[:, first * span:stop * span]                   # (O, R*OW*N), rows strided
            if need_w:
                cols = patches(xp, kernel, stride, dilation, out_hw, (first, stop))
                part = (cols @ g.T).T if cols.shape[0] > o else g @ cols.T
                del cols
                if gw is None:
                    gw = np.ascontiguousarray(part)
                else:
                    gw += part
            if need_x:
                add_patches(dxp, w2.T @ g, kernel, stride, dilation, ow, (first, stop))
        grad_w = None if gw is None else gw.reshape(w.shape)
        dx = None if dxp is None else dxp[:, pt:pt + h, pl:pl + wd]
        return grad_w, dx


class Conv1d(Conv2d):
    name = "conv1d"


def _to_4d(a: np.ndarray, view: str) -> np.ndarray:
    if view == "nchw":
        return a
    if view == "chw":
        return a[None]
    return a[:, :, None, :] if view == "ncl" else a[None, :, None, :]


def _from_4d(a: np.ndarray, view: str) -> np.ndarray:
    if view == "nchw":
        return a
    if view == "chw":
        return a[0]
    return a[:, :, 0, :] if view == "ncl" else a[0, :, 0, :]


# ---- public functions -------------------------------------------------------------------------

def _conv(op, fn, input, weight, bias, stride, padding, dilation, groups, spatial):
    """Validate (before anything runs) and apply ``fn`` for a ``spatial``-D convolution."""
    for arg, what in ((input, "input"), (weight, "weight")):
        if not isinstance(arg, Tensor):
            raise TypeError(f"{op}(): argument '{what}' must be Tensor, not {type(arg).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}(): argument 'bias' must be Tensor, not {type(bias).__name__}")
    x_shape, w_shape = tuple(input.shape), tuple(weight.shape)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input to "
                           f"{op}, but got input of size: {list(x_shape)}")
    if weight.ndim != spatial + 2:
        raise RuntimeError(f"{op}: expected a {spatial + 2}-D weight (out_channels, in_channels/groups, "
                           f"{'kH, kW' if spatial == 2 else 'kW'}), but got weight of size "
                           f"{list(w_shape)}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, but got {input.dtype}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: Input type ({input.dtype}) and weight type ({weight.dtype}) should "
                           f"be the same")
    stride = int_tuple(stride, spatial, "stride", op)
    dilation = int_tuple(dilation, spatial, "dilation", op)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    kernel = w_shape[2:]
    pads = _padding(padding, spatial, stride, dilation, kernel, op)
    batched = x_shape if input.ndim == spatial + 2 else (1,) + x_shape
    if w_shape[0] == 0 or w_shape[0] % groups:
        what = "at least 1" if w_shape[0] == 0 else f"divisible by {groups}"
        raise RuntimeError(f"Given groups={groups}, expected weight to be {what} at dimension 0, but got "
                           f"weight of size [{list(w_shape)}] instead")
    if batched[1] != w_shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w_shape)}, expected "
                           f"input{list(batched)} to have {w_shape[1] * groups} channels, but got "
                           f"{batched[1]} channels instead")
    if bias is not None:
        if bias.ndim != 1 or bias.shape[0] != w_shape[0]:
            raise RuntimeError(f"Given weight of size {list(w_shape)}, expected bias to be 1-dimensional "
                               f"with {w_shape[0]} elements, but got bias of size {list(bias.shape)} "
                               f"instead")
        if bias.dtype != input.dtype:
            raise RuntimeError(f"Input type ({input.dtype}) and bias type ({bias.dtype}) should be the "
                               f"same")
    padded = [batched[2 + d] + pads[2 * d] + pads[2 * d + 1] for d in range(spatial)]
    effective = [dilation[d] * (kernel[d] - 1) + 1 for d in range(spatial)]
    if any(p < k for p, k in zip(padded, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be "
                           f"greater than actual input size")
    if spatial == 1:  # conv1d runs as a conv2d over a height of 1
        stride, dilation, pads = (1,) + stride, (1,) + dilation, (0, 0) + pads
        view = "ncl" if input.ndim == 3 else "cl"
    else:
        view = "nchw" if input.ndim == 4 else "chw"
    save_x = weight.requires_grad and _grad_state[0]
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return fn.apply(*tensors, stride=stride, padding=pads, dilation=dilation, groups=int(groups),
                    view=view, save_x=save_x)


def _padding(padding, spatial, stride, dilation, kernel, op) -> tuple:
    """Padding as (before, after) per spatial dim, flattened: 'same' puts an odd extra one after."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0) * spatial
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for d in range(spatial):
            total = dilation[d] * (kernel[d] - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    pad = int_tuple(padding, spatial, "padding", op)
    if min(pad) < 0:
        raise RuntimeError("negative padding is not supported")
    return tuple(p for p in pad for _ in range(2))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    ``input`` is (N, C, H, W) or unbatched (C, H, W); ``weight`` is (O, C/groups, kH, kW); ``padding``
    is an int, a pair, ``'valid'`` or ``'same'``.

    >>> import glassgrad as gg
    >>> x = gg.ones(1, 1, 3, 3)
    >>> gg.conv2d(x, gg.ones(1, 1, 2, 2), padding='same')
    tensor([[[[4., 4., 2.],
              [4., 4., 2.],
              [2., 2., 1.]]]])
    """
    return _conv("conv2d", Conv2d, input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``: (N, C, L) or (C, L) input,
    (O, C/groups, k) weight.

    >>> import glassgrad as gg
    >>> gg.conv1d(gg.tensor([[[1.0, 2.0, 3.0, 4.0]]]), gg.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1., -1.]]])
    """
    return _conv("conv1d", Conv1d, input, weight, bias, stride, padding, dilation, groups, 1)


__all__ = ["conv1d", "conv2d"]
TENSOR_METHODS: dict = {}
