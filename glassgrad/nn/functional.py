"""``glassgrad.nn.functional``: PyTorch's ``torch.nn.functional`` (import it as ``F``).

The kernels live in ``glassgrad.ops`` (one Function per op, so recorders see them); this module gives
them PyTorch's functional names and signatures, adds the ``inplace`` flags, and holds the losses.

>>> import glassgrad as gg
>>> import glassgrad.nn.functional as F
>>> F.relu(gg.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from __future__ import annotations

from ..ops import activations as _act
from ..ops.adaptive_pool import adaptive_avg_pool2d
from ..ops.conv import conv2d
from ..ops.activations import gelu, sigmoid, softplus, tanh
from ..ops.elementwise import where
from ..ops.gather import one_hot
from ..ops.join import pad
from ..ops.linalg import linear
from ..ops.nn import (batch_norm, cross_entropy, dropout, embedding, layer_norm, log_softmax, nll_loss,
                      scaled_dot_product_attention, softmax)
from ..ops.pool import avg_pool2d, max_pool2d
from .functional_loss import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss,
                              l1_loss, mse_loss, smooth_l1_loss)


def _maybe_inplace(input, out, inplace: bool):
    """``inplace=True``: the input tensor becomes the result (PyTorch's in-place semantics, checked
    like every in-place op: a leaf that requires grad refuses)."""
    return input.copy_(out) if inplace else out


def relu(input, inplace: bool = False):
    return _maybe_inplace(input, _act.relu(input), inplace)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    return _maybe_inplace(input, _act.leaky_relu(input, negative_slope), inplace)


def silu(input, inplace: bool = False):
    return _maybe_inplace(input, _act.silu(input), inplace)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """x for x > 0, alpha (e^x - 1) otherwise. Built from primitives: the clamp keeps the unused
    branch from overflowing (and its gradient from becoming 0 * inf) for large x."""
    negative = alpha * input.clamp(max=0).expm1()
    return _maybe_inplace(input, where(input > 0, input, negative), inplace)


__all__ = [
    # layers
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "dropout", "embedding",
    "layer_norm", "batch_norm", "scaled_dot_product_attention", "pad", "one_hot",
    # activations
    "relu", "leaky_relu", "gelu", "silu", "softplus", "elu", "sigmoid", "tanh", "softmax", "log_softmax",
    # losses
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
]
