"""Numerical gradient check: the analytic Jacobian against float64 central differences."""
from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check ``fn``'s gradients w.r.t. every input that requires grad, like ``torch.autograd.gradcheck``.

    >>> import glassgrad as gg
    >>> x = gg.randn(3, dtype=gg.float64, requires_grad=True)
    >>> gg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    from ..tensor import Tensor
    from .engine import run_backward
    from .grad_mode import no_grad

    inputs = _as_tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in wrt:
        if t.dtype != np.float64:
            raise GradcheckError(f"gradcheck needs float64 inputs for accuracy; got {t.dtype}")
    outputs = _as_tuple(fn(*inputs))
    outputs = [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]

    for out_index, out in enumerate(outputs):
        n_out = out.data.size
        analytic = [np.zeros((n_out, t.data.size)) for t in wrt]
        for j in range(n_out):
            seed = np.zeros(n_out)
            seed[j] = 1.0
            outs = _as_tuple(fn(*inputs))
            grads = run_backward([outs[out_index]], [seed.reshape(out.shape).astype(out.dtype)],
                                 capture=wrt)
            for k, g in enumerate(grads):
                if g is not None:
                    analytic[k][j] = np.asarray(g).reshape(-1)
        for k, t in enumerate(wrt):
            numeric = np.zeros((n_out, t.data.size))
            for i, index in enumerate(np.ndindex(t.data.shape)):
                orig = t.data[index]
                with no_grad():
                    t.data[index] = orig + eps
                    plus = _as_tuple(fn(*inputs))[out_index].data.astype(np.float64).reshape(-1)
                    t.data[index] = orig - eps
                    minus = _as_tuple(fn(*inputs))[out_index].data.astype(np.float64).reshape(-1)
                t.data[index] = orig
                numeric[:, i] = (plus - minus) / (2 * eps)
            if not np.allclose(analytic[k], numeric, atol=atol, rtol=rtol):
                if raise_exception:
                    diff = np.abs(analytic[k] - numeric).max()
                    raise GradcheckError(
                        f"Jacobian mismatch for output {out_index} with respect to input {k} "
                        f"(max abs difference {diff:.3g})\nnumerical:\n{numeric}\nanalytical:\n"
                        f"{analytic[k]}")
                return False
    return True
