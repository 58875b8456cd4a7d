"""Loss functions (``torch.nn.functional``'s): regression losses built from primitives, and the two
binary cross-entropies as fused nodes.

The BCEs are fused because their compositions go wrong exactly where training starts or ends: the
gradient of ``log`` at a probability of 0 or 1 is 0 * inf = NaN behind the -100 clamp, and the kink of
``|x|`` in a stable log-sigmoid gives a wrong gradient at a logit of exactly 0 (a zero-initialised
output layer). The fused backward rules are PyTorch's.

Shape rules, as PyTorch: the regression losses broadcast a target of another shape but warn (it is
almost always a bug, e.g. (N, 1) against (N,)); the BCEs refuse it with a ValueError.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import Function
from ..ops.elementwise import where

_REDUCTIONS = ("none", "mean", "sum")


# ---- argument checks shared by every loss ------------------------------------------------------

def _get_reduction(reduction: str, size_average=None, reduce=None) -> str:
    """The reduction, honouring PyTorch's deprecated ``size_average`` / ``reduce`` flags."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction: str):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_pointwise(op: str, input, target) -> None:
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.data.dtype}")
    if input.shape == target.shape:
        return
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(f"{op}: the size of input {input.shape} and the size of target "
                           f"{target.shape} cannot be broadcast together") from None
    warnings.warn(f"{op}: Using a target size {target.shape} that is different to the input size "
                  f"{input.shape}. This will likely lead to incorrect results due to broadcasting. "
                  "Please ensure they have the same size.", stacklevel=3)


def _check_weight(input, weight) -> None:
    if weight is not None and weight.shape != input.shape:
        raise ValueError(f"Weights and input must have the same size. (weight {weight.shape}, "
                         f"input {input.shape})")


# ---- regression losses (compositions of primitives) -------------------------------------------

def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean squared error ``(input - target)²``; a ``weight`` makes 'mean' a weighted mean.

    >>> import glassgrad as gg
    >>> gg.nn.functional.mse_loss(gg.tensor([1.0, 2.0]), gg.tensor([1.0, 4.0]))
    tensor(2.)
    """
    reduction = _get_reduction(reduction, size_average, reduce)
    _check_pointwise("mse_loss", input, target)
    _check_weight(input, weight)
    diff = input - target
    return _weighted(diff * diff, weight, reduction, normalise=True)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean absolute error ``|input - target|``."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _check_pointwise("l1_loss", input, target)
    _check_weight(input, weight)
    return _weighted((input - target).abs(), weight, reduction, normalise=True)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Squared below ``delta``, ``delta``-scaled absolute above: 0.5 z² if z < delta else
    delta (z - delta / 2), with z = |input - target|."""
    reduction = _get_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_pointwise("huber_loss", input, target)
    _check_weight(input, weight)
    diff = input - target
    z = diff.abs()
    loss = where(z < delta, 0.5 * diff * diff, delta * (z - 0.5 * delta))
    # PyTorch's weighted Huber 'mean' is the plain mean of the weighted losses (unlike MSE / L1).
    return _weighted(loss, weight, reduction, normalise=False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    """0.5 z² / beta if z < beta else z - beta / 2, with z = |input - target| (L1 when beta = 0)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    _check_pointwise("smooth_l1_loss", input, target)
    diff = input - target
    z = diff.abs()
    return _reduce(where(z < beta, (0.5 / beta) * diff * diff, z - 0.5 * beta), reduction)


def _weighted(loss, weight, reduction: str, normalise: bool):
    if weight is None:
        return _reduce(loss, reduction)
    loss = loss * weight
    if reduction == "mean" and normalise:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


# ---- binary cross-entropy (fused) -------------------------------------------------------------

def _reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total)
    with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is NaN, as in PyTorch
        return np.asarray(total / loss.size, dtype=loss.dtype)


def _scale_grad(grad: np.ndarray, n: int, reduction: str) -> np.ndarray:
    """The upstream gradient per element: itself for 'none', a broadcast scalar otherwise."""
    return grad / n if reduction == "mean" else grad


class BinaryCrossEntropy(Function):
    def forward(self, x, y, *weight, reduction):
        self.reduction = reduction
        w = weight[0] if weight else None
        self.save_for_backward(x, y, w)
        # log(0) = -inf is clamped to -100 (PyTorch's rule) so that a confident mistake costs 100.
        with np.errstate(divide="ignore"):
            loss = (y - 1) * np.maximum(np.log1p(-x), -100) - y * np.maximum(np.log(x), -100)
        if w is not None:
            loss = loss * w
        return _reduce_array(loss, reduction)

    def backward(self, grad):
        x, y, w = self.saved
        g = _scale_grad(grad, x.size, self.reduction)
        if w is not None:
            g = g * w
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            grad_x = g * (x - y) / np.maximum((1 - x) * x, 1e-12)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                grad_y = g * (np.log1p(-x) - np.log(x))     # -logit(x)
        return (grad_x, grad_y) + ((None,) if w is not None else ())


class BinaryCrossEntropyWithLogits(Function):
    def forward(self, x, y, *extra, reduction, has_weight, has_pos_weight):
        self.reduction = reduction
        w = extra[0] if has_weight else None
        pw = extra[-1] if has_pos_weight else None
        e = np.exp(-np.abs(x))
        log_sigmoid = np.minimum(x, 0) - np.log1p(e)      # never overflows
        self.save_for_backward(x, y, w, pw, e, log_sigmoid)
        if pw is None:
            loss = (1 - y) * x - log_sigmoid
        else:
            loss = (1 - y) * x - (1 + (pw - 1) * y) * log_sigmoid
        if w is not None:
            loss = loss * w
        self.n_extra = len(extra)
        return _reduce_array(loss, reduction)

    def backward(self, grad):
        x, y, w, pw, e, log_sigmoid = self.saved
        g = _scale_grad(grad, x.size, self.reduction)
        if w is not None:
            g = g * w
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            sigmoid = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            if pw is None:
                grad_x = g * (sigmoid - y)
            else:
                grad_x = g * ((pw * y + 1 - y) * sigmoid - pw * y)
        if self.needs_input_grad[1]:
            grad_y = g * (-x if pw is None else -x - (pw - 1) * log_sigmoid)
        return (grad_x, grad_y) + (None,) * self.n_extra


def _check_bce(op: str, input, target, weight, pos_weight=None) -> None:
    if input.shape != target.shape:
        if op == "binary_cross_entropy":
            raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                             f"({input.shape}) is deprecated. Please ensure they have the same size.")
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if input.data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.data.dtype}")
    for name, extra in (("weight", weight), ("pos_weight", pos_weight)):
        if extra is None:
            continue
        if extra.requires_grad:
            raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument "
                               f"'{name}'. This input cannot have requires_grad True.")
        try:
            ok = np.broadcast_shapes(extra.shape, input.shape) == input.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{op}: {name} of shape {extra.shape} cannot be broadcast to the input's "
                               f"shape {input.shape}")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """-w (y log x + (1 - y) log(1 - x)) for probabilities ``input`` in [0, 1], logs clamped at -100.

    >>> import glassgrad as gg
    >>> gg.nn.functional.binary_cross_entropy(gg.tensor([0.5, 1.0]), gg.tensor([1.0, 0.0]))
    tensor(50.3466)
    """
    reduction = _get_reduction(reduction, size_average, reduce)
    _check_bce("binary_cross_entropy", input, target, weight)
    if target.data.dtype != input.data.dtype:
        raise RuntimeError(f"binary_cross_entropy: Found dtype {target.data.dtype} but expected "
                           f"{input.data.dtype} (the target must have the input's dtype)")
    x, y = input.data, target.data
    if not np.all((x >= 0) & (x <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((y >= 0) & (y <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    extra = () if weight is None else (weight.to(input.dtype),)
    return BinaryCrossEntropy.apply(input, target, *extra, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """BCE on logits, computed stably: (1 - y) x - (1 + (pos_weight - 1) y) log σ(x), times weight.

    ``pos_weight`` (broadcast against the target, e.g. one per class) weighs the positive term.

    >>> import glassgrad as gg
    >>> gg.nn.functional.binary_cross_entropy_with_logits(gg.tensor([0.0, 100.0]), gg.tensor([1.0, 1.0]))
    tensor(0.3466)
    """
    reduction = _get_reduction(reduction, size_average, reduce)
    _check_bce("binary_cross_entropy_with_logits", input, target, weight, pos_weight)
    if target.data.dtype.kind != "f":
        raise RuntimeError("binary_cross_entropy_with_logits: expected a floating point target (the "
                           f"probability of the positive class), got {target.data.dtype}")
    target = target.to(input.dtype)
    extra = tuple(t.to(input.dtype) for t in (weight, pos_weight) if t is not None)
    return BinaryCrossEntropyWithLogits.apply(input, target, *extra, reduction=reduction,
                                              has_weight=weight is not None,
                                              has_pos_weight=pos_weight is not None)


__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits"]
