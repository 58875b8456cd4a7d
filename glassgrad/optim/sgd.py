"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and L2 weight decay.

Numerics follow PyTorch's ``_single_tensor_sgd``: the first momentum step copies the gradient (no
dampening), later ones are ``buf = momentum * buf + (1 - dampening) * g``.
"""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check_flags


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False)``.

    >>> import glassgrad as gg
    >>> w = gg.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = gg.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    tensor([0.46, 0.92], requires_grad=True)
    """

    _has_step = False  # PyTorch's SGD keeps no step count

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        super().__init__(params, defaults)

    def _check_options(self, options: dict) -> None:
        if options["lr"] < 0.0:
            raise ValueError(f"Invalid learning rate: {options['lr']}")
        if options["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {options['momentum']}")
        if options["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {options['weight_decay']}")
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags("SGD", options)

    def _update(self, group, param, grad, state, step):
        lr, momentum, weight_decay = float(group["lr"]), group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = np.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step starts the buffer at the gradient, undamped
                buf = state["momentum_buffer"] = np.array(grad, copy=True)
            else:
                buf *= momentum
                dampening = group["dampening"]
                buf += grad if dampening == 0 else (1 - dampening) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        param -= lr * grad
