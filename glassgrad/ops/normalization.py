"""Normalization kernels: layer_norm and batch_norm, each one Function with a fused backward.

Composed from primitives, a normalization records about ten ops and as many (N, …)-sized temporaries; fused,
the forward is two reductions and two passes and the backward computes the input, weight and bias
gradients from two shared reductions. Both follow PyTorch: biased variance for normalizing, and for
batch_norm's running variance the unbiased one.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._rows import last_sum, ones


def _row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row ``sum(a * b)`` of (rows, size) arrays: einsum (no temporary) unless the arrays are small,
    where its call overhead exceeds the temporary's cost."""
    if a.size < 4096:
        return last_sum(a * b)
    return np.einsum("ij,ij->i", a, b)


def _affine_inputs(weight, bias) -> tuple:
    return tuple(t for t in (weight, bias) if t is not None)


# ---- layer_norm -------------------------------------------------------------------------------

class LayerNorm(Function):
    def forward(self, x, *affine, dims, eps, has_weight, has_bias):
        # Normalize each row of the (rows, size) view: size = the product of the last `dims` dims.
        shape = x.shape
        size = math.prod(shape[x.ndim - dims:])
        x2 = x.reshape(math.prod(shape[:x.ndim - dims]), size)
        w = affine[0].reshape(size) if has_weight else None
        b = affine[-1].reshape(size) if has_bias else None
        scale = 1.0 / max(size, 1)  # size 0: an empty result, as in PyTorch
        xhat = x2 - (last_sum(x2) * scale)[:, None]
        var = _row_dot(xhat, xhat) * scale
        rstd = 1.0 / np.sqrt(var + eps)
        xhat *= rstd[:, None]
        self.save_for_backward(xhat, rstd, w)
        self.in_shape, self.has_weight, self.has_bias = shape, has_weight, has_bias
        self.affine_shape = shape[x.ndim - dims:]
        if w is None and b is None:
            return xhat.reshape(shape)
        out = xhat * w if w is not None else xhat + b
        if w is not None and b is not None:
            out += b
        return out.reshape(shape)

    def backward(self, grad):
        xhat, rstd, w = self.saved
        rows, size = xhat.shape
        g = grad.reshape(rows, size)
        needs = self.needs_input_grad
        need_w, need_b = self.has_weight and needs[1], self.has_bias and needs[-1]
        dx = np.empty(self.in_shape, dtype=g.dtype) if needs[0] else None  # .grad without a copy
        # Arrays past the caches run by blocks of rows, each block's passes in cache: every pass here
        # is memory-bound there (measured on (8192, 256): 6.2 -> 4.2 ms).
        step = max(1, rows if rows * size < _BLOCKED else _BLOCK // max(size, 1))
        gw = np.zeros(size, g.dtype) if need_w else None
        buf = np.empty((min(step, rows), size), g.dtype) if needs[0] or need_w else None
        for first in range(0, rows, step):
            stop = min(first + step, rows)
            part = _layer_norm_rows(g[first:stop], xhat[first:stop], rstd[first:stop], w,
                                    None if dx is None else dx.reshape(rows, size)[first:stop],
                                    buf[:stop - first] if buf is not None else None, need_w)
            if need_w:
                gw += part
        grads = [dx]
        if self.has_weight:
            grads.append(gw.reshape(self.affine_shape) if need_w else None)
        if self.has_bias:
            grads.append((ones(rows, g.dtype) @ g).reshape(self.affine_shape) if need_b else None)
        return tuple(grads)


_BLOCKED = 1 << 20  # values from which layer_norm's backward runs by blocks of rows
_BLOCK = 1 << 17    # values per block


def _layer_norm_rows(g, xhat, rstd, w, dx, buf, need_w):
    """layer_norm's backward on a block of (rows, size) rows: fills ``dx`` (when given) and returns the
    block's weight gradient (when ``need_w``). ``buf`` is scratch of ``g``'s shape."""
    rows, size = g.shape
    gx = np.multiply(g, xhat, out=buf) if buf is not None else None
    # One elementwise pass, g * xhat, feeds both the weight's gradient (its column sums) and the input's
    # (its row sums, against w): BLAS products, not more passes (6 passes in all, not 9).
    gw = ones(rows, g.dtype) @ gx if need_w else None
    if dx is not None:
        # dx = rstd * (g w - mean(g w) - xhat * mean(g w xhat)), per row
        scale = 1.0 / max(size, 1)
        mean_g = (g @ w if w is not None else last_sum(g)) * scale
        mean_gx = (gx @ w if w is not None else last_sum(gx)) * scale
        if w is not None:
            np.multiply(g, w, out=dx)
            dx *= rstd[:, None]
        else:
            np.multiply(g, rstd[:, None], out=dx)
        np.multiply(xhat, (mean_gx * rstd)[:, None], out=gx)  # gx is spent: its buffer is reused
        dx -= gx
        dx -= (mean_g * rstd)[:, None]
    return gw


def _shape_tuple(shape) -> tuple:
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims to mean 0 and variance 1 (biased), then
    scale by ``weight`` and shift by ``bias`` (both of shape ``normalized_shape``).

    >>> import glassgrad as gg
    >>> gg.layer_norm(gg.tensor([[1.0, 2.0, 3.0]]), (3,))
    tensor([[-1.2247,  0.0000,  1.2247]])
    """
    shape = _shape_tuple(normalized_shape)
    x = input.data
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                           f"least one element, but got normalized_shape = {list(shape)}")
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size {list(x.shape)}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"layer_norm: expected a floating point input, got {x.dtype}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is None:
            continue
        if t.data.shape != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {list(t.data.shape)} and normalized_shape = {list(shape)}")
        if t.data.dtype != x.dtype:
            raise RuntimeError(f"layer_norm: expected {name} of dtype {x.dtype} (the input's), got "
                               f"{t.data.dtype}")
    return LayerNorm.apply(input, *_affine_inputs(weight, bias), dims=len(shape), eps=float(eps),
                           has_weight=weight is not None, has_bias=bias is not None)


# ---- batch_norm -------------------------------------------------------------------------------

def _channel_rows(x3: np.ndarray) -> np.ndarray | None:
    """An (N, C, L) array as a (C, N*L) view of one row per channel, when its memory allows (a conv's
    batch-last output is such rows already); else None."""
    t = x3.transpose(1, 2, 0)
    if t.flags.c_contiguous:
        return t.reshape(x3.shape[1], -1)
    return None


def _channel_sum(x3: np.ndarray) -> np.ndarray:
    """Per-channel sums of an (N, C, L) array by BLAS: over rows of channels when the memory has them,
    else over L, then over N (either far faster than sum((0, 2))). Which one matters: on a conv's
    batch-last (128, 32, 784) output the sums over strided L take 5.1 ms, over channel rows 0.22 ms."""
    rows = _channel_rows(x3)
    if rows is not None:
        return last_sum(rows)
    if x3.shape[2] == 1:
        return ones(x3.shape[0], x3.dtype) @ x3[:, :, 0]
    return last_sum(x3).sum(axis=0)


class BatchNorm(Function):
    def forward(self, x, *affine, running_mean, running_var, training, momentum, eps, has_weight,
                has_bias):
        # Statistics per channel (axis 1) over the (N, C, L) view, L = the product of the spatial dims.
        shape, channels = x.shape, x.shape[1]
        x3 = x.reshape(shape[0], channels, math.prod(shape[2:]))
        count = x3.shape[0] * x3.shape[2]
        w = affine[0] if has_weight else None
        b = affine[-1] if has_bias else None
        if training:
            mean = _channel_sum(x3) / max(count, 1)
            xc = x3 - mean[:, None]
            var = np.einsum("ncl,ncl->c", xc, xc) / max(count, 1)
        else:
            mean, var = running_mean.copy(), running_var  # copied: training may update it in place
        rstd = 1.0 / np.sqrt(var + eps)
        scale = rstd if w is None else rstd * w
        if training:
            out = xc
            out *= scale[:, None]
        else:  # one fused scale-and-shift per element
            out = x3 * scale[:, None]
            out -= (mean * scale)[:, None]
        if b is not None:
            out += b[:, None]
        if training and count > 0 and running_mean is not None:
            # In place, like torch: (1 - momentum) * running + momentum * batch statistic.
            running_mean *= 1 - momentum
            running_mean += momentum * mean
            running_var *= 1 - momentum
            running_var += (momentum * count / max(count - 1, 1)) * var
        self.save_for_backward(x3, mean, rstd, w)
        self.training, self.in_shape, self.has_weight, self.has_bias = training, shape, has_weight, has_bias
        return out.reshape(shape)

    def backward(self, grad):
        x3, mean, rstd, w = self.saved
        n, channels, length = x3.shape
        count = max(n * length, 1)
        g = grad.reshape(n, channels, length)
        sum_g = _channel_sum(g)
        xhat = (x3 - mean[:, None]) * rstd[:, None]
        sum_gx = np.einsum("ncl,ncl->c", g, xhat)
        scale = rstd if w is None else rstd * w
        grads = []
        if self.needs_input_grad[0]:
            # In the upstream gradient's memory layout (a conv's batch-last one, usually): every pass
            # below then streams through memory in order, and the conv before takes it without a copy.
            dx3 = np.empty_like(g)
            dx = dx3.reshape(self.in_shape)
            if self.training:
                # dx = w * rstd * (g - mean(g) - xhat * mean(g * xhat)), per channel
                np.multiply(xhat, -(sum_gx / count)[:, None], out=dx3)
                dx3 += g
                dx3 -= (sum_g / count)[:, None]
                dx3 *= scale[:, None]
            else:
                np.multiply(g, scale[:, None], out=dx3)
            grads.append(dx)
        else:
            grads.append(None)
        if self.has_weight:
            grads.append(sum_gx)
        if self.has_bias:
            grads.append(sum_g)
        return tuple(grads)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of an (N, C, *) input: by the batch's statistics when ``training``
    (updating ``running_mean``/``running_var`` in place, the variance unbiased), else by the running ones.

    >>> import glassgrad as gg
    >>> mean, var = gg.zeros(2), gg.ones(2)
    >>> gg.batch_norm(gg.tensor([[1.0, 2.0], [3.0, 6.0]]), mean, var, training=True)
    tensor([[-1., -1.],
            [ 1.,  1.]])
    >>> mean, var
    (tensor([0.2, 0.4]), tensor([1.1, 1.7]))
    """
    x = input.data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, *) with at least 2 dims, got "
                         f"{x.shape}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"batch_norm: expected a floating point input, got {x.dtype}")
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"batch_norm(): argument 'momentum' must be float, not {type(momentum).__name__} "
                        "(a cumulative moving average is the caller's to compute)")
    channels = x.shape[1]
    if training and channels and x.size // channels == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is None:
            continue
        if t.data.shape != (channels,):
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not "
                               f"{t.data.size} (input of shape {x.shape})")
        if t.data.dtype != x.dtype:
            raise RuntimeError(f"batch_norm: expected {name} of dtype {x.dtype} (the input's), got "
                               f"{t.data.dtype}")
    if training and running_mean is not None and (running_var is None
                                                  or not running_mean.data.flags.writeable
                                                  or not running_var.data.flags.writeable):
        raise RuntimeError("batch_norm: running_mean and running_var must both be given and writable to "
                           "be updated in training")
    return BatchNorm.apply(input, *_affine_inputs(weight, bias),
                           running_mean=None if running_mean is None else running_mean.data,
                           running_var=None if running_var is None else running_var.data,
                           training=bool(training), momentum=float(momentum), eps=float(eps),
                           has_weight=weight is not None, has_bias=bias is not None)


__all__: list = []  # layer_norm and batch_norm reach the top level through ops/nn.py
TENSOR_METHODS: dict = {}
