"""Losses on class scores: cross_entropy, fused from logits, and nll_loss on log-probabilities.

PyTorch composes cross_entropy from log_softmax and nll_loss; here it is one Function: the forward shifts
the logits by their row maximum once (no overflow, ``-inf`` logits allowed) and never materializes the
log-probabilities for class-index targets; the backward is "softmax − target" (weighted, smoothed) in one
pass. Every input is brought to a 2-D (rows, C) layout first: (N, C) as it is, an unbatched (C,) as one
row, (N, C, d1, …) with the class axis moved last. Arguments are checked before anything is computed.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._rows import last_max, last_sum

_REDUCTIONS = ("mean", "sum", "none")


# ---- layout -----------------------------------------------------------------------------------

def _to_rows(x: np.ndarray) -> np.ndarray:
    """(C,) -> (1, C); (N, C) as is; (N, C, d1, …) -> (N·d1·…, C)."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(g: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of ``_to_rows``: (rows, C) back to the input's ``shape``."""
    if len(shape) <= 2:
        return g if g.shape == shape else g.reshape(shape)
    return np.moveaxis(g.reshape(shape[:1] + shape[2:] + shape[1:2]), -1, 1)


def _shifted_exp(z: np.ndarray):
    """For (rows, C) logits: ``z - max`` per row, its exp, and the log of each row's sum of exps."""
    with np.errstate(invalid="ignore", divide="ignore"):  # a row of only -inf gives NaN, as in PyTorch
        shifted = z - last_max(z)[:, None]
        e = np.exp(shifted)
        total = last_sum(e)
        return shifted, e, total, np.log(total)


def _reduce(loss: np.ndarray, reduction: str, denom, shape: tuple) -> np.ndarray:
    if reduction == "none":
        return loss.reshape(shape)
    total = loss.sum()
    if reduction == "sum":
        return total
    if denom:
        return np.asarray(total / denom)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty or fully ignored batch: NaN
        return np.asarray(total / denom)


def _row_grads(grad: np.ndarray, reduction: str, denom):
    """The upstream gradient of each row's loss: a (rows,) array or a 0-d one shared by all rows."""
    if reduction == "none":
        return grad.reshape(-1)
    return grad if reduction == "sum" else grad / denom


def _column(g):
    """A per-row gradient (rows,) as a column (rows, 1); a shared (0-d) one as it is."""
    return g if g.ndim == 0 else g[:, None]


def _quiet_if_empty(backward):
    """Run ``backward`` without floating-point warnings when the mean's denominator is 0 (an empty or
    fully ignored batch: inf * 0 = NaN, as in PyTorch); at no cost otherwise."""
    def wrapper(self, grad):
        if self.reduction == "mean" and not self.denom:
            with np.errstate(invalid="ignore", divide="ignore"):
                return backward(self, grad)
        return backward(self, grad)
    return wrapper


# ---- class-index targets ----------------------------------------------------------------------

class _ClassTargets:
    """Targets (rows,) prepared once: indices safe to gather with, which rows count, their weights."""

    def __init__(self, target: np.ndarray, weight, ignore_index: int | None, dtype):
        t = target.reshape(-1)
        ignored = None if ignore_index is None else t == ignore_index  # None: no target can be ignored
        self.ignored = ignored if ignored is not None and ignored.any() else None
        self.index = t if self.ignored is None else np.where(ignored, 0, t)
        self.rows = np.arange(t.size)
        if weight is None:
            self.weight = None if self.ignored is None else (~ignored).astype(dtype)
            self.denom = t.size if self.ignored is None else int(t.size - ignored.sum())
        else:
            w = weight[self.index]
            if self.ignored is not None:
                w[ignored] = 0
            self.weight = w
            self.denom = w.sum()

    def scale(self, values: np.ndarray) -> np.ndarray:
        """``values`` (rows,) times each row's target weight, exactly 0 on ignored rows (even for inf)."""
        if self.weight is None:
            return values
        with np.errstate(invalid="ignore"):
            out = values * self.weight
        if self.ignored is not None:
            out[self.ignored] = 0
        return out


class CrossEntropy(Function):
    def forward(self, logits, target, weight, ignore_index, reduction, label_smoothing):
        z = _to_rows(logits)
        n_classes = z.shape[1]
        shifted, e, total, lse = _shifted_exp(z)
        tg = _ClassTargets(target, weight, ignore_index, z.dtype)
        nll = lse - shifted[tg.rows, tg.index]                # -log p[target], (rows,)
        loss = tg.scale(nll)
        smooth = 0.0
        if label_smoothing > 0:
            # -sum_c w_c log p_c = lse * sum(w) - sum_c w_c shifted_c: no (rows, C) log-probabilities.
            w = np.ones(n_classes, dtype=z.dtype) if weight is None else weight
            smooth = label_smoothing / n_classes
            smooth_loss = lse * w.sum() - shifted @ w
            if tg.ignored is not None:
                smooth_loss[tg.ignored] = 0
            loss = (1 - label_smoothing) * loss + smooth * smooth_loss
        self.save_for_backward(e, total)
        self.tg, self.class_weight, self.smooth, self.eps = tg, weight, smooth, label_smoothing
        self.denom = tg.denom
        self.reduction, self.in_shape = reduction, logits.shape
        return _reduce(loss, reduction, tg.denom, target.shape if logits.ndim > 1 else ())

    @_quiet_if_empty
    def backward(self, grad):
        e, total = self.saved
        tg, w = self.tg, self.class_weight
        g = _row_grads(grad, self.reduction, tg.denom)
        # Row i's loss is -sum_c q_ic log p_ic with q = (1-eps) w_t onehot(t) + (eps/C) w, so its gradient
        # is p * sum(q) - q: the softmax scaled, minus the (weighted, smoothed) target.
        picked = (1 - self.eps) * (g if tg.weight is None else g * tg.weight)
        coef = picked
        if self.smooth:
            coef = picked + self.smooth * g * (w.sum() if w is not None else e.shape[1])
        grad_z = e * (coef / total)[:, None]
        grad_z[tg.rows, tg.index] -= picked
        if self.smooth:
            spread = self.smooth * _column(g)
            grad_z -= spread if w is None else spread * w
        if tg.ignored is not None:
            grad_z[tg.ignored] = 0
        return _from_rows(grad_z, self.in_shape)


class NllLoss(Function):
    def forward(self, logp, target, weight, ignore_index, reduction):
        x = _to_rows(logp)
        tg = _ClassTargets(target, weight, ignore_index, x.dtype)
        loss = tg.scale(-x[tg.rows, tg.index])
        self.tg, self.reduction, self.in_shape, self.rows_shape = tg, reduction, logp.shape, x.shape
        self.denom = tg.denom
        return _reduce(loss, reduction, tg.denom, target.shape if logp.ndim > 1 else ())

    @_quiet_if_empty
    def backward(self, grad):
        tg = self.tg
        g = _row_grads(grad, self.reduction, tg.denom)
        grad_x = np.zeros(self.rows_shape, dtype=grad.dtype)
        grad_x[tg.rows, tg.index] = -g if tg.weight is None else -(g * tg.weight)
        if tg.ignored is not None:
            grad_x[tg.ignored] = 0
        return _from_rows(grad_x, self.in_shape)


# ---- class-probability targets ----------------------------------------------------------------

class CrossEntropyProbs(Function):
    name = "cross_entropy"

    def forward(self, logits, target, *weight, reduction, label_smoothing):
        z, y = _to_rows(logits), _to_rows(target)
        n_rows, n_classes = z.shape
        shifted, e, total, lse = _shifted_exp(z)
        logp = shifted
        logp -= lse[:, None]
        # Log-softmax in the logits' dtype, the rest in the promoted one (a float64 target or weight with
        # float32 logits gives a float64 loss), as PyTorch computes it.
        dtype = np.result_type(z, y, *weight)
        logp, y = logp.astype(dtype, copy=False), y.astype(dtype, copy=False)
        smoothed = y if label_smoothing <= 0 else y * (1 - label_smoothing) + label_smoothing / n_classes
        w = weight[0].astype(dtype, copy=False) if weight else None
        q = smoothed if w is None else smoothed * w
        with np.errstate(invalid="ignore"):
            loss = -np.einsum("ij,ij->i", q, logp)
        self.save_for_backward(e, total, q, logp, smoothed, w)
        self.denom = n_rows
        self.reduction, self.eps, self.shapes = reduction, max(label_smoothing, 0.0), (logits.shape,
                                                                                       target.shape)
        out_shape = logits.shape[:1] + logits.shape[2:] if logits.ndim > 1 else ()
        return _reduce(loss, reduction, n_rows, out_shape)

    @_quiet_if_empty
    def backward(self, grad):
        e, total, q, logp, smoothed, w = self.saved
        g = _column(_row_grads(grad, self.reduction, self.denom))
        need_z, need_y = self.needs_input_grad[:2]
        grad_z = grad_y = grad_w = None
        if need_z:  # p * sum(q) - q per row
            grad_z = e * (g * last_sum(q)[:, None] / total[:, None])
            grad_z -= g * q
            grad_z = _from_rows(grad_z, self.shapes[0])
        if need_y:
            grad_y = -(1 - self.eps) * g * logp
            if w is not None:
                grad_y *= w
            grad_y = _from_rows(grad_y, self.shapes[1])
        if w is not None and self.needs_input_grad[2]:
            grad_w = -np.einsum("ij,ij->j", g * smoothed, logp)
        return (grad_z, grad_y) if w is None else (grad_z, grad_y, grad_w)


# ---- argument checks --------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                  "instead.", stacklevel=3)
    return reduction


def _check_input(op: str, input: Tensor, reduction: str) -> int:
    x = input.data
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"{op}: expected an input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d "
                         "tensor")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return x.shape[0] if x.ndim == 1 else x.shape[1]


def _check_weight(op: str, weight, n_classes: int, dtype=None) -> None:
    if weight is None:
        return
    if weight.data.shape != (n_classes,):
        raise RuntimeError(f"{op}: weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.data.shape)}")
    if dtype is not None:  # class-index targets: the weight is a constant of the input's dtype
        if weight.requires_grad:
            raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument "
                               "'weight'. This input cannot have requires_grad True.")
        if weight.data.dtype != dtype:
            raise RuntimeError(f"{op}: expected weight of dtype {dtype} (the input's), but got "
                               f"{weight.data.dtype}")


def _class_target(op: str, input: np.ndarray, target: np.ndarray, n_classes: int, ignore_index: int):
    """Class indices checked against the input's shape and the number of classes: returns them as int64,
    and ``ignore_index``, or None when no target can equal it."""
    if target.dtype not in (backend.int64, backend.uint8):
        hint = ""
        if target.dtype.kind == "f" and op == "cross_entropy":
            hint = (f" (class probabilities need the input's shape {input.shape}, but the target has shape "
                    f"{target.shape})")
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got {target.dtype}{hint}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expected and not (input.ndim == 1 and target.shape == (1,)):
        if input.ndim > 1 and target.ndim > 0 and target.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}). ({op}: input {input.shape}, target {target.shape})")
        raise RuntimeError(f"{op}: expected a target of shape {expected} for an input of shape "
                           f"{input.shape}, but got a target of shape {target.shape}")
    target = target.astype(backend.int64, copy=False)
    # One reduction checks both bounds: as unsigned, negative targets are huge.
    in_range = not target.size or target.view(np.uint64).max() < n_classes
    if not in_range:
        bad = (target < 0) | (target >= n_classes)
        bad &= target != ignore_index
        if bad.any():
            raise IndexError(f"Target {target[bad].flat[0]} is out of bounds. ({op}: the input has "
                             f"{n_classes} classes, so targets must be in [0, {n_classes - 1}])")
    if in_range and not 0 <= ignore_index < n_classes:
        ignore_index = None  # no target equals it: nothing to look for in the kernel
    return target.reshape(expected), ignore_index


def _weight_data(weight):
    return None if weight is None else weight.data


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` (C,), (N, C) or (N, C, d1, …) and ``target``: class indices
    (int64, the input's shape without C) or class probabilities (float, the input's shape).

    With ``weight`` and ``reduction='mean'``, class-index losses are divided by the summed weights of the
    non-ignored targets, as in PyTorch; probability targets by the number of rows.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.nn import cross_entropy
    >>> logits = gg.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = cross_entropy(logits, gg.tensor([0, 2]))
    >>> loss
    tensor(0.6691, grad_fn=<cross_entropy>)
    >>> loss.backward()
    >>> logits.grad
    tensor([[-0.1065,  0.0533,  0.0533],
            [ 0.1667,  0.1667, -0.3333]])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    n_classes = _check_input("cross_entropy", input, reduction)
    if not label_smoothing <= 1.0 or label_smoothing < 0.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x, t = input.data, target.data
    if t.dtype.kind == "f" and t.shape == x.shape:
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _check_weight("cross_entropy", weight, n_classes)
        extra = () if weight is None else (weight,)
        return CrossEntropyProbs.apply(input, target, *extra, reduction=reduction,
                                       label_smoothing=float(label_smoothing))
    t, ignore = _class_target("cross_entropy", x, t, n_classes, ignore_index)
    _check_weight("cross_entropy", weight, n_classes, x.dtype)
    return CrossEntropy.apply(input, target=t, weight=_weight_data(weight), ignore_index=ignore,
                              reduction=reduction, label_smoothing=float(label_smoothing))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class-index ``target`` under log-probabilities ``input`` (C,), (N, C) or
    (N, C, d1, …): ``-weight[t] * input[t]``, averaged over the summed weights of non-ignored targets.

    >>> import glassgrad as gg
    >>> from glassgrad.ops.nn import nll_loss
    >>> nll_loss(gg.tensor([[-0.5, -1.0], [-2.0, -0.1]]), gg.tensor([0, 1]), reduction="sum")
    tensor(0.6)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    n_classes = _check_input("nll_loss", input, reduction)
    t, ignore = _class_target("nll_loss", input.data, target.data, n_classes, ignore_index)
    _check_weight("nll_loss", weight, n_classes, input.data.dtype)
    return NllLoss.apply(input, target=t, weight=_weight_data(weight), ignore_index=ignore,
                         reduction=reduction)


__all__: list = []  # reached as glassgrad.ops.nn.cross_entropy / nll_loss (torch has no top-level names)
TENSOR_METHODS: dict = {}
