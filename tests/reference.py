"""Checking glassgrad against PyTorch, one line per op.

``check_op([(3, 4), (4,)], lambda x, y: x * y)`` builds the same random inputs in both libraries, runs the
same function (the APIs match, so one lambda usually serves both), and compares the forward values and the
gradients of a random upstream gradient (a plain ``.sum()`` would hide mistakes that cancel out).

Tolerances live here and only here: float64 agrees to round-off; float32 to a few ulps of the result,
with an absolute floor for values near zero.
"""
from __future__ import annotations

import numpy as np
import torch

import glassgrad as gg

TOLERANCES = {
    np.dtype("float32"): {"rtol": 1e-5, "atol": 1e-6},
    np.dtype("float64"): {"rtol": 1e-10, "atol": 1e-12},
}
TORCH_DTYPES = {np.dtype("float32"): torch.float32, np.dtype("float64"): torch.float64,
                np.dtype("int64"): torch.int64, np.dtype("bool"): torch.bool,
                np.dtype("int32"): torch.int32, np.dtype("uint8"): torch.uint8}


def tolerance(dtype, scale: float = 1.0) -> dict:
    tol = TOLERANCES[np.dtype(dtype)]
    return {"rtol": tol["rtol"] * scale, "atol": tol["atol"] * scale}


def assert_close(actual, expected, dtype=None, scale: float = 1.0, what: str = "") -> None:
    """``actual`` (glassgrad Tensor or array) equals ``expected`` (torch Tensor or array) within round-off."""
    a = actual.data if isinstance(actual, gg.Tensor) else np.asarray(actual)
    e = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != torch's {e.shape}"
    if isinstance(expected, torch.Tensor):
        assert TORCH_DTYPES.get(a.dtype) == expected.dtype, f"{what}: dtype {a.dtype} != {expected.dtype}"
    dtype = np.dtype(dtype or (a.dtype if a.dtype.kind == "f" else "float64"))
    if a.dtype.kind != "f":
        np.testing.assert_array_equal(a, e, err_msg=what)
        return
    np.testing.assert_allclose(a, e, equal_nan=True, err_msg=what, **tolerance(dtype, scale))


def make_inputs(shapes, dtype="float32", low=-2.0, high=2.0, seed=0, noncontiguous=False):
    """Random arrays of ``shapes``; with ``noncontiguous`` each is a transposed view of a fresh array."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if isinstance(shape, np.ndarray):
            arrays.append(shape)
            continue
        shape = tuple(shape)
        if noncontiguous and len(shape) >= 2:
            base = rng.uniform(low, high, shape[:-2] + (shape[-1], shape[-2])).astype(dtype)
            arrays.append(np.swapaxes(base, -1, -2))
        else:
            arrays.append(np.asarray(rng.uniform(low, high, shape)).astype(dtype))
    return arrays


def _to_torch(a: np.ndarray, grad: bool):
    t = torch.from_numpy(np.array(a))
    if noncontig(a):
        t = torch.from_numpy(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
    return t.requires_grad_(grad)


def noncontig(a: np.ndarray) -> bool:
    return a.ndim >= 2 and not a.flags.c_contiguous


def _outputs(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def check_op(shapes, fn, torch_fn=None, dtype="float32", low=-2.0, high=2.0, grad=True, seed=0,
             noncontiguous=False, scale: float = 1.0, grad_scale: float | None = None):
    """Run ``fn`` on glassgrad and ``torch_fn`` (default ``fn``) on torch with the same inputs; compare
    values, dtypes and gradients. Returns (glassgrad outputs, torch outputs)."""
    arrays = make_inputs(shapes, dtype, low, high, seed, noncontiguous)
    needs = [grad and a.dtype.kind == "f" for a in arrays]
    g_in = [gg.from_numpy(a).requires_grad_(n) for a, n in zip(arrays, needs)]
    t_in = [_to_torch(a, n) for a, n in zip(arrays, needs)]
    g_out = _outputs(fn(*g_in))
    t_out = _outputs((torch_fn or fn)(*t_in))
    assert len(g_out) == len(t_out)
    for i, (g, t) in enumerate(zip(g_out, t_out)):
        assert_close(g, t, scale=scale, what=f"output {i}")
    if not grad:
        return g_out, t_out
    rng = np.random.default_rng(seed + 1)
    for g, t in zip(g_out, t_out):
        if not t.requires_grad:
            continue
        upstream = rng.standard_normal(t.shape).astype(np.dtype(dtype))
        g.backward(gg.from_numpy(upstream), retain_graph=True)
        t.backward(torch.from_numpy(upstream), retain_graph=True)
    for i, (g, t, n) in enumerate(zip(g_in, t_in, needs)):
        if not n:
            continue
        if t.grad is None:
            assert g.grad is None or not np.any(g.grad.data), f"input {i}: torch has no gradient"
            continue
        assert g.grad is not None, f"input {i}: no gradient, torch has one"
        assert_close(g.grad, t.grad, scale=grad_scale or scale, what=f"gradient of input {i}")
    return g_out, t_out
