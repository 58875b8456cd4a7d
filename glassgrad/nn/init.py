"""Weight initialisation (``torch.nn.init``): PyTorch's formulas, drawn from glassgrad's one seeded
generator, written in place under ``no_grad``; every function returns the tensor it filled.

>>> import glassgrad as gg
>>> w = gg.empty(256, 128)
>>> _ = gg.nn.init.kaiming_uniform_(w, nonlinearity="relu")
>>> bound = (2 ** 0.5) * (3 / 128) ** 0.5      # gain * sqrt(3 / fan_in)
>>> bool(w.abs().numpy().max() <= bound)
True
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend
from ..autograd.grad_mode import no_grad
from ..tensor import _new_tensor

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended scale of weights feeding ``nonlinearity`` (PyTorch's table).

    >>> import glassgrad as gg
    >>> round(gg.nn.init.calculate_gain("relu"), 4), gg.nn.init.calculate_gain("tanh")
    (1.4142, 1.6666666666666667)
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """Fan-in and fan-out of a weight shaped (out, in, *kernel), as PyTorch computes them."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    """Write ``values`` (any float array broadcastable to the tensor) into it, cast to its dtype."""
    with no_grad():
        tensor.copy_(_new_tensor(np.asarray(values), False))
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Fill with draws from U(a, b)."""
    return _fill(tensor, backend.rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Fill with draws from N(mean, std²)."""
    return _fill(tensor, backend.rng(generator).normal(mean, std, tensor.shape))


def constant_(tensor, val: float):
    return _fill(tensor, np.full(tensor.shape, val))


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    return constant_(tensor, 0.0)


def eye_(tensor):
    """The identity matrix (ones on the diagonal of a 2-D tensor, also a rectangular one)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """He: U(-bound, bound) with bound = gain * sqrt(3 / fan). ``a`` is the leaky-ReLU slope; layers
    use ``a=sqrt(5)``, PyTorch's default, which gives bound = 1 / sqrt(fan_in)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """He: N(0, std²) with std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None):
    """N(mean, std²) restricted to [a, b] (absolute bounds, as in PyTorch), sampled exactly by
    rejection: from the normal itself when [a, b] holds enough of its mass, else from a uniform
    (narrow interval around the mean) or a truncated exponential (Robert 1995, intervals in a tail)."""
    if std <= 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    rng = backend.rng(generator)
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _truncated_standard_normal(rng, tensor.numel(), alpha, beta)
    return _fill(tensor, np.clip(z * std + mean, a, b).reshape(tensor.shape))


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _truncated_standard_normal(rng, n: int, alpha: float, beta: float) -> np.ndarray:
    mass = _phi(beta) - _phi(alpha)
    sign = 1.0
    if mass >= 0.25:
        def propose(k):
            x = rng.standard_normal(k)
            return x, (x >= alpha) & (x <= beta)
    elif alpha <= 0.0 <= beta:
        # A narrow interval around 0 (width < 0.7): uniform proposal, accepted with exp(-x²/2) ≥ 0.78.
        def propose(k):
            x = rng.uniform(alpha, beta, k)
            return x, rng.random(k) < np.exp(-0.5 * x * x)
    else:
        if beta <= 0.0:  # mirror a lower tail onto the upper one
            alpha, beta, sign = -beta, -alpha, -1.0
        lam = 0.5 * (alpha + math.sqrt(alpha * alpha + 4.0))
        peak = min(max(lam, alpha), beta)
        span = -math.expm1(-lam * (beta - alpha))  # the exponential's mass inside [alpha, beta]

        def propose(k):
            x = alpha - np.log1p(-rng.random(k) * span) / lam
            return x, rng.random(k) < np.exp(0.5 * ((peak - lam) ** 2 - (x - lam) ** 2))
    out = np.empty(n)
    filled = 0
    while filled < n:  # rounds, not elements: each round keeps a fixed fraction of the rest
        x, keep = propose(n - filled)
        x = x[keep]
        out[filled:filled + x.size] = x
        filled += x.size
    return sign * out


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one (dims after the first are
    flattened), scaled by ``gain``."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = backend.rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))  # makes the decomposition unique (uniform over orthogonal matrices)
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_",
           "orthogonal_"]
