"""The spread and size of a tensor: var, std, var_mean, std_mean and norm, over ``dim`` as every reduction."""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import Function
from .reduce import add_reduce, count, divide, expand_reduced, mean, normalize_dims, require_float, to_dtype

_reduce_add = np.add.reduce


# ---- variance and standard deviation ----------------------------------------------------------

class Var(Function):
    def forward(self, a, axes, correction, keepdim):
        self.in_shape, self.axes, self.keepdim = a.shape, axes, keepdim
        self.count = n = a.size if axes is None else count(a.shape, axes)
        self.correction = correction
        # PyTorch's rule for the gradient differs when no dim is given (or the input is 0-d).
        self.whole = axes is None or a.ndim == 0
        diff = a - divide(add_reduce(a, axes, True), n)  # two passes: x - mean, then squares
        self.save_for_backward(diff)
        return divide(add_reduce(diff * diff, axes, keepdim), max(0, n - correction))

    def backward(self, grad):
        return self.var_grad(expand_reduced(grad, self.in_shape, self.axes, self.keepdim))

    def var_grad(self, grad):
        """d var / d input for ``grad`` in the keepdim shape: 2 (x - mean) / (n - correction), by
        PyTorch's formula (also where n - correction <= 0, which it treats differently without dim)."""
        diff = self.saved[0]
        dof = self.count - self.correction
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.whole and dof <= 0:
                return grad * np.where(diff == 0, np.nan, np.inf).astype(diff.dtype)
            return (grad * (2 / dof if dof else np.inf)) * diff


class Std(Var):
    def forward(self, a, axes, correction, keepdim):
        out = np.sqrt(super().forward(a, axes, correction, keepdim))
        self.saved += (out,)
        return out

    def backward(self, grad):
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        out = expand_reduced(np.asarray(self.saved[1]), self.in_shape, self.axes, self.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = np.where(out == 0, 0, grad / (2 * out))  # PyTorch: no gradient where std is 0
        return self.var_grad(grad_var)


def _correction(op: str, unbiased, correction):
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}(): pass either unbiased or correction, not both")
        if not isinstance(unbiased, bool):
            raise TypeError(f"{op}(): unbiased must be a bool, got {type(unbiased).__name__}")
        return 1 if unbiased else 0
    if correction is None:
        return 1
    if isinstance(correction, bool) or not isinstance(correction, (int, float, np.number)):
        raise TypeError(f"{op}(): correction must be a number, got {type(correction).__name__}")
    return correction


def _moment(cls, op, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # the legacy overload var(input, unbiased)
        dim, unbiased = None, dim
    require_float(input, op, f"{op}(): std and var only support floating point and complex dtypes, "
                             f"got {input.data.dtype}")
    axes = normalize_dims(dim, input.data.ndim, op)
    correction = _correction(op, unbiased, correction)
    if count(input.shape, axes) - correction <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", stacklevel=3)
    return cls.apply(input, axes=axes, correction=correction, keepdim=keepdim)


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance over ``dim`` with ``correction`` (default 1: Bessel's); ``unbiased`` is the legacy
    spelling (True is correction 1, False is 0). A correction of at least the count gives inf or nan.

    >>> import glassgrad as gg
    >>> gg.tensor([1.0, 2.0, 3.0, 4.0]).var()
    tensor(1.6667)
    """
    return _moment(Var, "var", input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation over ``dim``: the square root of ``var`` (same arguments).

    >>> import glassgrad as gg
    >>> gg.tensor([1.0, 3.0]).std(correction=0)
    tensor(1.)
    """
    return _moment(Std, "std", input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` over ``dim``, as a tuple.

    >>> import glassgrad as gg
    >>> gg.var_mean(gg.tensor([1.0, 3.0]))
    (tensor(2.), tensor(2.))
    """
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` over ``dim``, as a tuple.

    >>> import glassgrad as gg
    >>> gg.std_mean(gg.tensor([1.0, 3.0]), correction=0)
    (tensor(1.), tensor(2.))
    """
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim))


# ---- norms ------------------------------------------------------------------------------------

class Norm(Function):
    def forward(self, a, ord, axes, keepdim):
        self.in_shape, self.axes, self.keepdim, self.ord = a.shape, axes, keepdim, ord
        if ord == 2:
            out = np.sqrt(add_reduce(a * a, axes, keepdim))
        elif ord == 1:
            out = add_reduce(np.abs(a), axes, keepdim)
        elif ord == np.inf:
            out = np.maximum.reduce(np.abs(a), axes, None, None, keepdim)
        elif ord == -np.inf:
            out = np.minimum.reduce(np.abs(a), axes, None, None, keepdim)
        elif ord == 0:
            out = _reduce_add(a != 0, axes, a.dtype, None, keepdim)
        else:
            with np.errstate(divide="ignore"):  # |0| ** negative p is inf, and the norm then 0
                out = add_reduce(np.abs(a) ** ord, axes, keepdim) ** (1 / ord)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        # PyTorch's rules (linalg_vector_norm_backward), where the gradient at a zero norm is 0.
        a, out = self.saved
        grad = expand_reduced(grad, self.in_shape, self.axes, self.keepdim)
        norm = expand_reduced(np.asarray(out), self.in_shape, self.axes, self.keepdim)
        p = self.ord
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                return np.zeros(a.shape, a.dtype)
            if p == 1:
                return np.sign(a) * grad
            if p == 2:
                return a * np.where(norm == 0, 0, grad / norm)
            absolute = np.abs(a)
            if np.isinf(p):  # split evenly among the entries that attain the max (or min), NaNs included
                mask = (absolute == norm) | np.isnan(absolute)
                return np.sign(a) * ((grad / _reduce_add(mask, self.axes, None, None, True)) * mask)
            if p < 1:
                scaled = np.sign(a) * np.where(a == 0, 0, absolute ** (p - 1))
                return scaled * grad * norm ** (1 - p)
            scaled = np.sign(a) * absolute ** (p - 1) if p < 2 else a * absolute ** (p - 2)
            return scaled * np.where(norm == 0, 0, grad / norm ** (p - 1))


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """The ``p``-norm over ``dim`` (all elements when None): ``'fro'`` and 2 the Euclidean norm, 1 the sum
    of absolute values, ``inf`` / ``-inf`` the largest / smallest absolute value, 0 the count of non-zeros,
    any other number ``(sum |x|**p) ** (1/p)``. Differentiable, with gradient 0 where the norm is 0.

    >>> import glassgrad as gg
    >>> gg.tensor([[3.0, 4.0], [0.0, 0.0]]).norm(dim=1)
    tensor([5., 0.])
    """
    if dtype is not None:
        input = to_dtype(input, dtype)
    require_float(input, "norm", f"norm(): expected a floating point tensor as input, got "
                                 f"{input.data.dtype}")
    axes = normalize_dims(dim, input.data.ndim, "norm")
    if p is None or (isinstance(p, str) and p == "fro"):
        if axes is not None and len(axes) > 2:
            raise RuntimeError(f"norm(): p='fro' takes one dim or two (a matrix norm), got dim={dim}")
        ord = 2.0
    elif isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("norm(): the nuclear norm (p='nuc') is not supported; glassgrad has "
                                      "vector norms and the Frobenius norm")
        raise RuntimeError(f"norm(): order {p!r} not supported (use 'fro' or a number)")
    else:
        ord = float(p)
    if np.isinf(ord) and 0 in (input.shape if axes is None else [input.shape[i] for i in axes]):
        raise RuntimeError(f"norm(): cannot compute the {p} norm over an empty dimension of a tensor of "
                           f"shape {input.shape}: the operation has no identity")
    return Norm.apply(input, ord=ord, axes=axes, keepdim=keepdim)


__all__ = ["var", "std", "var_mean", "std_mean", "norm"]

TENSOR_METHODS = {name: globals()[name] for name in __all__ if name not in ("var_mean", "std_mean")}
