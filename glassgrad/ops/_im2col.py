"""im2col and its adjoint for the convolutions: patches of a batch-last (C, H, W, N) input as the columns
of one matrix, and patch gradients summed back into an input gradient, whole or by bands of output rows.

The patch matrix is C*kh*kw times the input: 29 MiB for the second conv of a batch-128 Fashion-MNIST CNN,
the biggest array of its training step. A conv whose patches would exceed ``BAND_BYTES`` therefore runs
over bands of output rows, each band's patches (and, in backward, their gradients) made, used and freed
in turn: the step's peak memory falls by most of that matrix (62 -> 41 MiB in that CNN at 8 MiB bands;
`make bench`'s cnn 13.4 -> 11.5 MiB going from 8 to 4 MiB bands, torch 10.1) and the time does not
change measurably (the products stay large; a band fits the caches better; 2 MiB bands were 0-8% slower).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .windows import copy_into

BAND_BYTES = 4 << 20  # patch bytes per band of output rows (at least one row per band)


def row_bands(out_rows: int, patch_bytes: int) -> list:
    """(first, stop) output rows of each band so that a band's patches stay under ``BAND_BYTES``."""
    per_band = max(1, out_rows * BAND_BYTES // max(patch_bytes, 1))
    return [(r, min(r + per_band, out_rows)) for r in range(0, out_rows, per_band)]


def pad_batch_last(xt: np.ndarray, padding) -> np.ndarray:
    """(C, H, W, N) ``xt`` padded with zeros to (C, Hp, Wp, N), C-contiguous (``xt`` itself if it is)."""
    c, h, w, n = xt.shape
    pt, pb, pl, pr = padding
    if pt or pb or pl or pr:
        xp = np.zeros((c, h + pt + pb, w + pl + pr, n), dtype=xt.dtype)
        copy_into(xp[:, pt:pt + h, pl:pl + w], xt)
        return xp
    if not xt.flags.c_contiguous:  # not a conv's output: one copy into the layout, then patches
        xp = np.empty(xt.shape, dtype=xt.dtype)
        copy_into(xp, xt)
        return xp
    return xt


def patches(xp, kernel, stride, dilation, out_hw, rows=None) -> np.ndarray:
    """(C*kh*kw, R*OW*N) patches of padded (C, Hp, Wp, N) ``xp`` for output rows ``rows`` = (first,
    stop) (all OH when None; R of them); rows ordered (c, i, j), columns (oh, ow, n)."""
    c, _, _, n = xp.shape
    (kh, kw), (oh, ow) = kernel, out_hw
    first, stop = rows or (0, oh)
    if kernel == (1, 1) and stride == (1, 1) and (first, stop) == (0, oh):
        return xp.reshape(c, -1)                                  # a 1x1 conv's patches are its input
    sc, sh, sw, sn = xp.strides
    start = xp[:, first * stride[0]:]                            # the band's first input row onwards
    windows = as_strided(start, (c, kh, kw, stop - first, ow, n), (sc, dilation[0] * sh, dilation[1] * sw,
                                                                    stride[0] * sh, stride[1] * sw, sn))
    cols = np.empty(windows.shape, dtype=xp.dtype)
    np.copyto(cols, windows)
    return cols.reshape(c * kh * kw, -1)


def col2im(dcols, x_shape, kernel, stride, padding, dilation, out_hw) -> np.ndarray:
    """Sum (C*kh*kw, OH*OW*N) patch gradients back into a (C, H, W, N) input gradient (a view)."""
    n, c, h, w = x_shape
    kh, kw = kernel
    pt, pb, pl, pr = padding
    dcols = dcols.reshape(c, kh, kw, out_hw[0], out_hw[1], n)
    if kernel == (1, 1) and stride == (1, 1) and not any(padding):
        return dcols[:, 0, 0]
    oh, ow = out_hw
    # With stride 1 the first offset covers one block, [:OH, :OW]: it is assigned, not added to zeros.
    first_assigned = stride == (1, 1)
    shape = (c, h + pt + pb, w + pl + pr, n)
    dxp = np.empty(shape, dtype=dcols.dtype) if first_assigned else np.zeros(shape, dtype=dcols.dtype)
    if first_assigned:
        dxp[:, oh:] = 0
        dxp[:, :oh, ow:] = 0
        dxp[:, :oh, :ow] = dcols[:, 0, 0]
    for i in range(kh):
        for j in range(kw):
            if i or j or not first_assigned:
                dxp[_band_slice(i, j, stride, dilation, (0, oh), ow)] += dcols[:, i, j]
    return dxp[:, pt:pt + h, pl:pl + w]


def add_patches(dxp, dcols, kernel, stride, dilation, ow, rows) -> None:
    """Add the (C*kh*kw, R*OW*N) patch gradients of output rows ``rows`` into padded (C, Hp, Wp, N)
    ``dxp``: one strided add per kernel offset (kh*kw of them, never a loop over pixels)."""
    c, n = dxp.shape[0], dxp.shape[3]
    kh, kw = kernel
    dcols = dcols.reshape(c, kh, kw, rows[1] - rows[0], ow, n)
    for i in range(kh):
        for j in range(kw):
            dxp[_band_slice(i, j, stride, dilation, rows, ow)] += dcols[:, i, j]


def _band_slice(i, j, stride, dilation, rows, ow) -> tuple:
    """Index of the padded-input positions that kernel offset (i, j) reads for output rows ``rows``."""
    h0 = i * dilation[0] + rows[0] * stride[0]
    w0 = j * dilation[1]
    return (slice(None), slice(h0, h0 + stride[0] * (rows[1] - rows[0] - 1) + 1, stride[0]),
            slice(w0, w0 + stride[1] * (ow - 1) + 1, stride[1]), slice(None))
