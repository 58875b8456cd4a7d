"""Convolutions by bands of output rows (glassgrad/ops/_im2col.py): forced on small shapes by a tiny band
budget, they must agree with torch exactly as the whole-matrix path does."""
import pytest
import torch

import glassgrad as gg
from glassgrad.ops import _im2col
from tests.reference import check_op

F = torch.nn.functional


@pytest.fixture
def tiny_bands(monkeypatch):
    monkeypatch.setattr(_im2col, "BAND_BYTES", 256)  # a band or two of output rows at a time


def _conv(**kw):
    return lambda x, w, b: (gg.conv2d if isinstance(x, gg.Tensor) else F.conv2d)(x, w, b, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1), dict(dilation=2, padding=2),
                                dict(stride=(2, 1), padding=(0, 2)), dict()], ids=str)
def test_banded_conv2d_matches_torch(tiny_bands, kw, dtype):
    assert len(_im2col.row_bands(7, 3 * 9 * 7 * 7 * 2 * 4)) > 1
    check_op([(2, 3, 7, 6), (4, 3, 3, 3), (4,)], _conv(**kw), dtype=dtype)


def test_banded_conv2d_noncontiguous_and_partial_grads(tiny_bands):
    check_op([(2, 3, 7, 6), (4, 3, 3, 3), (4,)], _conv(padding=1), noncontiguous=True)
    x = gg.randn(2, 3, 7, 6)  # no input gradient: the weight's alone, by bands
    w = gg.randn(4, 3, 3, 3, requires_grad=True)
    gg.conv2d(x, w, padding=1).sum().backward()
    tw = torch.from_numpy(w.data.copy()).requires_grad_()
    F.conv2d(torch.from_numpy(x.data.copy()), tw, padding=1).sum().backward()
    torch.testing.assert_close(torch.from_numpy(w.grad.data), tw.grad, rtol=1e-5, atol=1e-5)


def test_banded_conv1d_matches_torch(tiny_bands):
    check_op([(2, 3, 9), (4, 3, 3), (4,)],
             lambda x, w, b: (gg.conv1d if isinstance(x, gg.Tensor) else F.conv1d)(x, w, b, padding=1))


def test_row_bands_cover_every_row_once():
    for rows, size in [(14, 29 << 20), (1, 1 << 40), (28, 100), (5, 0)]:
        bands = _im2col.row_bands(rows, size)
        assert bands[0][0] == 0 and bands[-1][1] == rows
        assert all(a[1] == b[0] for a, b in zip(bands, bands[1:]))
