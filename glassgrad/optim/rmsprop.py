"""RMSprop: divide the gradient by a running root mean square, optionally centered and with momentum.

Numerics follow PyTorch's ``_single_tensor_rmsprop``: ``eps`` is added after the square root, the centered
variant subtracts the squared running mean of the gradient before it.
"""
from __future__ import annotations

import numpy as np

from .adam import lerp_
from .optimizer import Optimizer, _check_flags


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    capturable=False, foreach=None, maximize=False, differentiable=False)``.

    >>> import glassgrad as gg
    >>> w = gg.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = gg.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w  # the first step divides by sqrt(1 - alpha) * |g|: 0.01 / 0.1
    tensor([ 0.9, -0.9], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_options(self, options: dict) -> None:
        if not 0.0 <= options["lr"]:
            raise ValueError(f"Invalid learning rate: {options['lr']}")
        if not 0.0 <= options["eps"]:
            raise ValueError(f"Invalid epsilon value: {options['eps']}")
        if not 0.0 <= options["momentum"]:
            raise ValueError(f"Invalid momentum value: {options['momentum']}")
        if not 0.0 <= options["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {options['weight_decay']}")
        if not 0.0 <= options["alpha"]:
            raise ValueError(f"Invalid alpha value: {options['alpha']}")
        _check_flags("RMSprop", options)

    def _init_state(self, group, param):
        state = {"square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _update(self, group, param, grad, state, step):
        lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = np.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg = state["square_avg"]
        tmp = np.empty_like(param)
        square_avg *= alpha                           # s = alpha * s + (1 - alpha) * g * g
        np.multiply(grad, 1 - alpha, out=tmp)
        tmp *= grad
        square_avg += tmp
        if group["centered"]:
            grad_avg = _buffer(state, "grad_avg", param)
            lerp_(grad_avg, grad, 1 - alpha, tmp)
            avg = np.multiply(grad_avg, grad_avg, out=tmp)  # sqrt(s - mean(g)**2)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg, out=tmp)
        avg += eps
        np.divide(grad, avg, out=avg)                 # g / (sqrt(...) + eps)
        if momentum > 0:
            buf = _buffer(state, "momentum_buffer", param)
            buf *= momentum
            buf += avg
            np.multiply(buf, lr, out=avg)
        else:
            avg *= lr
        param -= avg


def _buffer(state: dict, key: str, param: np.ndarray) -> np.ndarray:
    """A state array, made (zeros) if the option needing it was switched on after the state was."""
    array = state.get(key)
    if array is None:
        array = state[key] = np.zeros_like(param)
    return array
