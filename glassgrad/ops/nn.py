"""Neural-network kernels, fused for speed and stability: softmax, cross-entropy, dropout, embedding.

In PyTorch's math these are compositions of primitives; here each is ONE Function with its backward right
under its forward, because fusing is both faster (fewer passes over the data, fewer temporaries) and
more stable (logits are shifted by their maximum once, so large logits never overflow and ``-inf`` entries
never make NaNs out of a row that still has a finite one). The losses live in ``losses.py``, layer_norm and
batch_norm in ``normalization.py``, attention in ``attention.py``: all are importable from here.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from ._rows import last_max, last_sum
from .attention import scaled_dot_product_attention  # noqa: F401  (for nn.functional)
from .losses import cross_entropy, nll_loss  # noqa: F401  (for nn.functional)
from .normalization import batch_norm, layer_norm

_NEG_INF = -np.inf


def softmax_axis(dim, ndim: int, op: str) -> int | None:
    """``dim`` as a NumPy axis (None for a 0-d tensor), with PyTorch's range error."""
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-span}, {span - 1}], "
                         f"but got {dim})")
    return dim % span if ndim else None


def _is_last(a: np.ndarray, axis) -> bool:
    return axis is not None and axis == a.ndim - 1


def _sum(a: np.ndarray, axis) -> np.ndarray:
    """Sum along ``axis`` keeping it (size 1)."""
    return last_sum(a)[..., None] if _is_last(a, axis) else a.sum(axis=axis, keepdims=True)


def _dot(a: np.ndarray, b: np.ndarray, axis) -> np.ndarray:
    """``sum(a * b)`` along ``axis`` keeping it, without the product as a temporary on the last axis."""
    if _is_last(a, axis):
        return np.einsum("...i,...i->...", a, b)[..., None]
    return (a * b).sum(axis=axis, keepdims=True)


def _shifted_exp(a: np.ndarray, axis):
    """``a - max(a)`` along ``axis`` and its exp: the stable core of every softmax here."""
    peak = last_max(a)[..., None] if _is_last(a, axis) else a.max(axis=axis, keepdims=True,
                                                                      initial=_NEG_INF)
    with np.errstate(invalid="ignore"):  # a row of only -inf gives NaN, as in PyTorch
        shifted = a - peak
    return shifted, np.exp(shifted)


# A softmax is a ratio of exponentials: shifted by any per-row constant its value is the same, and as
# accurate as long as no term overflows or falls out of float32's normal range. When every value lies
# within _SPREAD of the array's maximum, that one shift serves every row, found by two fast reductions
# instead of a max per row (which on rows of tens of values costs more than the exp itself: softmax on
# (32, 64, 64) forward 0.23 -> 0.16 ms). log_softmax keeps the row max: its output subtracts two logs
# of the shift's size, so a bigger shift would cost accuracy there.
_SPREAD = 40.0
_GLOBAL_SHIFT_MIN = 4096  # elements; below, the per-row max is cheap anyway


def _softmax_exp(a: np.ndarray, axis) -> np.ndarray:
    """``exp(a - shift)`` for a softmax along ``axis``, as a new array."""
    if a.size >= _GLOBAL_SHIFT_MIN and a.dtype.kind == "f":
        top, bottom = a.max(), a.min()
        if top - bottom < _SPREAD:  # False for NaN and for infinite values: then the row max
            out = np.subtract(a, top)
            return np.exp(out, out=out)
    return _shifted_exp(a, axis)[1]


class Softmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        out = _softmax_exp(a, axis)
        out /= _sum(out, axis)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        # d softmax: p * (g - sum(g * p)): two passes and one new array.
        grad_in = grad - _dot(grad, out, self.axis)
        grad_in *= out
        return grad_in


class LogSoftmax(Function):
    def forward(self, a, axis):
        self.axis = axis
        shifted, e = _shifted_exp(a, axis)
        total = _sum(e, axis)
        with np.errstate(divide="ignore"):  # log 0 where the softmax axis is empty
            shifted -= np.log(total)
        e /= total
        self.save_for_backward(e)  # the probabilities, so backward needs no exp
        return shifted

    def backward(self, grad):
        (p,) = self.saved
        return grad - p * _sum(grad, self.axis)


def _softmax_args(op, input, dim, stacklevel, dtype):
    # torch.softmax(x, dim, dtype) passes dtype third, F.softmax(x, dim, _stacklevel, dtype) fourth.
    if dtype is None and stacklevel is not None and not isinstance(stacklevel, int):
        dtype = stacklevel
    if dtype is not None:
        dtype = backend.as_dtype(dtype)
        if input.data.dtype != dtype:
            from .compare import cast
            input = cast(input, dtype)
    if input.data.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for {input.data.dtype} input; pass "
                                  "dtype=glassgrad.float32 to compute in floating point")
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to "
                      "include dim=X as an argument.", stacklevel=3)
        dim = 0 if input.data.ndim in (0, 1, 3) else 1
    return input, softmax_axis(dim, input.data.ndim, op)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed from max-shifted values (no overflow).

    >>> import glassgrad as gg
    >>> gg.softmax(gg.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, float("-inf")]]), dim=1)
    tensor([[0.0900, 0.2447, 0.6652],
            [0.5000, 0.5000, 0.0000]])
    """
    input, axis = _softmax_args("softmax", input, dim, _stacklevel, dtype)
    return Softmax.apply(input, axis=axis)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim`` without ever taking the log of a rounded-to-zero probability.

    >>> import glassgrad as gg
    >>> gg.log_softmax(gg.tensor([0.0, 1000.0]), dim=0)
    tensor([-1000.,     0.])
    """
    input, axis = _softmax_args("log_softmax", input, dim, _stacklevel, dtype)
    return LogSoftmax.apply(input, axis=axis)


# ---- dropout ----------------------------------------------------------------------------------

class Dropout(Function):
    def forward(self, a, p):
        if p == 0.0:
            return a.copy()  # nothing saved: the gradient passes through
        if p == 1.0:
            mask = np.zeros(a.shape, dtype=a.dtype)
        else:
            # Keep each element with probability 1 - p and scale it by 1 / (1 - p) (inverted dropout), so
            # the expected value is unchanged and evaluation needs no rescaling. The uniform draws' buffer
            # becomes the scaled mask when the dtypes agree.
            draws = backend.rng().random(a.shape, dtype=np.float64 if a.dtype == np.float64 else np.float32)
            mask = np.multiply(draws >= p, a.dtype.type(1.0 / (1.0 - p)), dtype=a.dtype,
                               out=draws if draws.dtype == a.dtype else None)
        self.save_for_backward(mask)
        return a * mask

    def backward(self, grad):
        if not self.saved:
            return grad
        return np.multiply(grad, self.saved[0], out=grad if self.spare(grad) else None)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` while ``training``.

    The mask comes from glassgrad's one seeded generator, so ``glassgrad.manual_seed`` reproduces it.

    >>> import glassgrad as gg
    >>> _ = gg.manual_seed(0)
    >>> y = gg.dropout(gg.ones(8), p=0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training:
        return input
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"dropout: expected a floating point input, got {input.data.dtype}")
    if inplace and input.requires_grad and input.grad_fn is None and is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    out = Dropout.apply(input, p=float(p))
    return input._write(out) if inplace else out


# ---- embedding --------------------------------------------------------------------------------

# Up to this many rows, the gradient's scatter-add is a one-hot matrix product (BLAS beats scattering).
_ONE_HOT_ROWS = 64


def scatter_add_rows(index: np.ndarray, rows: np.ndarray, num_rows: int) -> np.ndarray:
    """``out[index[i]] += rows[i]`` for a (num_rows, D) ``out``; index (n,) ints in range, rows (n, D).

    Small tables: one-hot (num_rows, n) @ rows. Larger ones: ``np.add.at`` on the flattened table, whose
    1-D fast path measured 2-3x faster than sorting plus ``np.add.reduceat`` (and 3-5x faster than the
    2-D ``np.add.at``) at embedding-training sizes, and indifferent to how often an index repeats.
    """
    n, width = rows.shape
    if n and num_rows <= _ONE_HOT_ROWS and np.isfinite(rows).all():  # 0 * inf in the product: NaN
        one_hot = np.zeros((num_rows, n), dtype=rows.dtype)
        one_hot[index, np.arange(n)] = 1
        return one_hot @ rows
    out = np.zeros((num_rows, width), dtype=rows.dtype)  # returned whole (not a view): .grad without a copy
    np.add.at(out.reshape(-1), (index[:, None] * width + np.arange(width)).reshape(-1), rows.reshape(-1))
    return out


class Embedding(Function):
    def forward(self, weight, index, padding_idx, scale_grad_by_freq):
        self.index, self.padding_idx, self.scale_by_freq = index, padding_idx, scale_grad_by_freq
        self.num_rows = weight.shape[0]
        return np.take(weight, index, axis=0)

    def backward(self, grad):
        index = self.index.reshape(-1)
        rows = grad.reshape(index.size, grad.shape[-1])
        if self.scale_by_freq:  # each row's gradient divided by how often its index occurs in the batch
            counts = np.bincount(index, minlength=self.num_rows)
            rows = rows / counts[index, None].astype(rows.dtype)
        out = scatter_add_rows(index, rows, self.num_rows)
        if self.padding_idx is not None:
            out[self.padding_idx] = 0
        return out


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input`` (any shape).

    The gradient scatter-adds into ``weight``; the ``padding_idx`` row gets none. ``max_norm`` renormalizes
    the looked-up rows in place first, as PyTorch does. ``sparse=True`` gives a dense gradient.

    >>> import glassgrad as gg
    >>> w = gg.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> gg.embedding(gg.tensor([[2, 1, 2]]), w)
    tensor([[[3., 4.],
             [1., 2.],
             [3., 4.]]], grad_fn=<embedding>)
    """
    index = input.data if isinstance(input, Tensor) else np.asarray(input)
    if index.dtype not in (backend.int64, backend.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {index.dtype} instead (while checking arguments for "
                           "embedding)")
    if weight.data.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {weight.data.shape}")
    num_rows = weight.data.shape[0]
    if padding_idx is not None:
        if not -num_rows <= padding_idx < num_rows:
            raise AssertionError(f"Padding_idx must be within num_embeddings (padding_idx={padding_idx}, "
                                 f"num_embeddings={num_rows})")
        padding_idx %= num_rows
    if index.size and (index.min() < 0 or index.max() >= num_rows):
        bad = index[(index < 0) | (index >= num_rows)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for a table of {num_rows} rows "
                         "(index out of range in self)")
    if max_norm is not None:
        _renorm_rows(weight.data, index, max_norm, norm_type)
    return Embedding.apply(weight, index=index, padding_idx=padding_idx,
                           scale_grad_by_freq=bool(scale_grad_by_freq))


def _renorm_rows(weight: np.ndarray, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the rows of ``weight`` that ``index`` picks down to norm ``max_norm`` (in place, no gradient)."""
    rows = np.unique(index)
    norms = np.linalg.norm(weight[rows], ord=norm_type, axis=1)
    too_big = norms > max_norm
    if too_big.any():
        rows = rows[too_big]
        # PyTorch's factor, eps included, so renormalized rows agree to the last bit.
        weight[rows] *= (max_norm / (norms[too_big] + 1e-7)).astype(weight.dtype)[:, None]


# Top level only where torch has the same name there (torch.softmax, torch.dropout …); losses and
# attention stay in glassgrad.ops.nn for nn.functional to re-export.
__all__ = ["softmax", "log_softmax", "dropout", "layer_norm", "batch_norm", "embedding"]

TENSOR_METHODS = {"softmax": softmax, "log_softmax": log_softmax}
