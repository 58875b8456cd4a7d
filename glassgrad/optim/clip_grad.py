"""Gradient clipping: ``clip_grad_norm_`` (scale all gradients so that their joint norm is at most
``max_norm``) and ``clip_grad_value_`` (clamp every gradient element), with PyTorch's signatures and numbers.

``glassgrad.nn.utils`` re-exports these under PyTorch's names (``torch.nn.utils.clip_grad_norm_``).

>>> import glassgrad as gg
>>> w = gg.tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()             # grad [6, 8], norm 10
>>> clip_grad_norm_([w], max_norm=1.0)
tensor(10.)
>>> w.grad
tensor([0.6, 0.8])
"""
from __future__ import annotations

import types
import warnings

import numpy as np

from ..tensor import Tensor
from ._flat import FLAT_LIMIT


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` taken together, as if concatenated into one vector."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.array(0.0, dtype=np.float32))
    arrays = [t.data for t in tensors]
    dtype = np.result_type(*(a.dtype for a in arrays))
    # Small tensors are joined into one array per dtype: one reduction instead of one per tensor.
    parts, small = [], {}
    for a in arrays:
        if a.size < FLAT_LIMIT:
            small.setdefault(a.dtype, []).append(a)
        else:
            parts.append(a)
    parts += [np.concatenate(group, axis=None) for group in small.values()]
    if norm_type in (np.inf, -np.inf) and any(a.size == 0 for a in arrays):
        raise RuntimeError(f"clip_grad_norm_: cannot compute the {norm_type} norm of an empty tensor because "
                           "the operation does not have an identity")
    if norm_type == 0.0:  # as torch: the 0-"norm" of the per-tensor counts, i.e. how many tensors are nonzero
        total = float(sum(1 for a in arrays if np.count_nonzero(a)))
    else:
        total = _combine([_partial(a.reshape(-1), norm_type) for a in parts], norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor(total)


def _partial(x: np.ndarray, p: float) -> float:
    """What one array adds to the total: its sum of |x|**p, or its max / min |x| for p = +-inf."""
    if x.size == 0:
        return 0.0
    if p == 2.0:
        return float(np.dot(x, x))
    if p == np.inf:
        return float(max(x.max(), -x.min()))
    if p == -np.inf:
        return float(np.abs(x).min())
    if p == 1.0:
        return float(np.abs(x).sum())
    return float((np.abs(x) ** p).sum())


def _combine(partials: list, p: float) -> float:
    if p == np.inf:
        return float(np.max(partials))  # NumPy's max, unlike Python's, keeps a NaN wherever it is
    if p == -np.inf:
        return float(np.min(partials))
    total = sum(partials)
    if p == 1.0:
        return total
    return total ** 0.5 if p == 2.0 else total ** (1.0 / p)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(max_norm / (total_norm + 1e-6), 1)``, in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = np.minimum(np.asarray(float(max_norm), dtype=total.dtype) / (total + total.dtype.type(1e-6)), 1.0)
    if coef == 1.0:  # multiplying by one changes nothing (a NaN coefficient still goes through)
        return
    with np.errstate(invalid="ignore"):  # inf * 0 is NaN, silently, as in PyTorch
        for g in grads:
            scale = g.data.dtype.type(coef)
            if g.data.flags.writeable:
                g.data *= scale
            else:
                g.data = g.data * scale


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their joint norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d Tensor). ``norm_type`` may be ``inf`` (largest element).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element of ``parameters`` into ``[-clip_value, clip_value]``, in place.

    >>> import glassgrad as gg
    >>> w = gg.tensor([1.0, -3.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([ 1., -1.])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        g = p.grad
        if g is None:
            continue
        if g.data.flags.writeable:
            np.clip(g.data, -clip_value, clip_value, out=g.data)
        else:
            g.data = np.clip(g.data, -clip_value, clip_value)
