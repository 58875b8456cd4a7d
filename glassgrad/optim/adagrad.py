"""Adagrad: divide each step by the root of the sum of all squared gradients so far.

Numerics follow PyTorch's ``_single_tensor_adagrad``: the learning rate decays as
``lr / (1 + (t - 1) * lr_decay)`` and ``eps`` is added after the square root. As in PyTorch, the state is
made when the optimizer is, with ``initial_accumulator_value`` taken from the constructor (not the group).
"""
from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, _check_flags


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    foreach=None, *, maximize=False)``.

    >>> import glassgrad as gg
    >>> w = gg.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = gg.optim.Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w  # the first step divides the gradient by its own size
    tensor([ 0.5, -0.5], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._fresh_state(group, p, self.state[p])

    def _check_options(self, options: dict) -> None:
        if not 0.0 <= options["lr"]:
            raise ValueError(f"Invalid learning rate: {options['lr']}")
        if not 0.0 <= options["lr_decay"]:
            raise ValueError(f"Invalid lr_decay value: {options['lr_decay']}")
        if not 0.0 <= options["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {options['weight_decay']}")
        if not 0.0 <= options["initial_accumulator_value"]:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{options['initial_accumulator_value']}")
        if not 0.0 <= options["eps"]:
            raise ValueError(f"Invalid epsilon value: {options['eps']}")
        _check_flags("Adagrad", options)

    def _init_state(self, group, param):
        return {"sum": np.full_like(param, self.defaults["initial_accumulator_value"])}

    def _update(self, group, param, grad, state, step):
        lr, lr_decay, eps = float(group["lr"]), group["lr_decay"], group["eps"]
        if group["maximize"]:
            grad = np.negative(grad)
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * param
        clr = lr / (1 + (step - 1) * lr_decay)
        total = state["sum"]
        std = np.multiply(grad, grad, out=np.empty_like(param))  # sum += g * g
        total += std
        np.sqrt(total, out=std)
        std += eps
        np.divide(grad, std, out=std)                 # param -= clr * g / (sqrt(sum) + eps)
        std *= clr
        param -= std
