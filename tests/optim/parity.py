"""Running a glassgrad optimizer and a torch optimizer side by side on the same weights and gradients.

``run_parity(lambda ps: gg.optim.Adam(ps, amsgrad=True), lambda ps: torch.optim.Adam(ps, amsgrad=True))``
starts both from the same weights, feeds both the same gradients each step (``grad = 0.5 * p + noise``,
computed from each library's own current weights so that decay and momentum feed back), and compares every
parameter after every step, then the optimizer state. The parameter shapes cover both update paths: small
tensors (flat buckets), a scalar, an empty tensor, a non-contiguous view, and one tensor big enough to be
updated on its own. Parameter 1 loses its gradient for three steps and parameter 2 only gets one from step
4 on, as unused layers do, so plans are rebuilt and state ages differ.
"""
from __future__ import annotations

import numpy as np
import torch

import glassgrad as gg
from tests.reference import TORCH_DTYPES, assert_close, tolerance

SHAPES = [(3, 4), (5,), (), (2, 1, 3), (0,), (140, 130), (4, 1), "noncontiguous"]
STEPS = 25


def make_weights(dtype: str, seed: int = 0, shapes=SHAPES) -> list:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if shape == "noncontiguous":
            arrays.append(rng.uniform(-2, 2, (5, 6)).astype(dtype).T)
        else:
            arrays.append(np.asarray(rng.uniform(-2, 2, shape)).astype(dtype))
    return arrays


def gg_params(arrays) -> list:
    return [gg.from_numpy(a.copy(order="K") if a.flags.c_contiguous else a.T.copy().T).requires_grad_()
            for a in arrays]


def torch_params(arrays) -> list:
    out = []
    for a in arrays:
        t = torch.from_numpy(a.T.copy()).T if not a.flags.c_contiguous else torch.from_numpy(a.copy())
        out.append(t.requires_grad_())
    return out


def has_grad(step: int, i: int) -> bool:
    return not ((i == 1 and 3 <= step < 6) or (i == 2 and step < 4))


def gradient(step: int, i: int, weights: np.ndarray, sign: float = 1.0) -> np.ndarray:
    """The same gradient for both libraries, from that library's own current weights: that of a convex
    quadratic plus noise, or (``sign=-1``, for ``maximize``) of a concave one, so that no run diverges."""
    noise = np.random.default_rng(1000 * step + i).standard_normal(weights.shape)
    return np.asarray(sign * 0.5 * weights + noise, dtype=weights.dtype)


def signs(g_opt) -> dict:
    return {id(p): (-1.0 if group.get("maximize") else 1.0) for group in g_opt.param_groups
            for p in group["params"]}


def feed(step: int, g_params: list, t_params: list, sign: dict | None = None) -> None:
    for i, (gp, tp) in enumerate(zip(g_params, t_params)):
        if not has_grad(step, i):
            gp.grad, tp.grad = None, None
            continue
        s = sign.get(id(gp), 1.0) if sign else 1.0
        gp.grad = gg.from_numpy(gradient(step, i, gp.data, s))
        # Laid out like the parameter, as autograd does (torch's fused kernels assume it).
        tp.grad = torch.empty_like(tp).copy_(torch.from_numpy(gradient(step, i, tp.detach().numpy(), s)))


def compare_params(g_params, t_params, what: str, scale: float = 1.0) -> None:
    for i, (gp, tp) in enumerate(zip(g_params, t_params)):
        assert_close(gp, tp, scale=scale, what=f"{what}, parameter {i}")


def compare_state(g_opt, t_opt, g_params, t_params, scale: float = 1.0) -> None:
    for i, (gp, tp) in enumerate(zip(g_params, t_params)):
        g_state, t_state = g_opt.state.get(gp, {}), t_opt.state.get(tp, {})
        assert set(g_state) == set(t_state), f"parameter {i}: state keys {set(g_state)} != {set(t_state)}"
        for key, value in t_state.items():
            ours, expected = g_state[key], value.detach().numpy()
            what = f"state[{key!r}] of parameter {i}"
            assert ours.shape == tuple(value.shape) and TORCH_DTYPES[ours.dtype] == value.dtype, what
            # State arrays are running sums: an entry near zero carries the round-off of the largest terms
            # summed into it, so the absolute floor scales with the array's largest entry.
            tol = tolerance(expected.dtype, scale)
            floor = max(1.0, float(np.abs(expected).max(initial=0.0)))
            np.testing.assert_allclose(ours.data, expected, rtol=tol["rtol"], atol=tol["atol"] * floor,
                                       err_msg=what)


def run_parity(make_gg, make_torch, dtype: str = "float32", steps: int = STEPS, groups=None,
               scale: float = 1.0, shapes=SHAPES):
    """Step both optimizers ``steps`` times, comparing all along. ``groups(params)`` may split the
    parameters into param-group dicts (called on each library's list); ``scale`` widens the tolerance
    (callers say why)."""
    arrays = make_weights(dtype, shapes=shapes)
    g_params, t_params = gg_params(arrays), torch_params(arrays)
    g_opt = make_gg(groups(g_params) if groups else g_params)
    t_opt = make_torch(groups(t_params) if groups else t_params)
    sign = signs(g_opt)
    for step in range(steps):
        feed(step, g_params, t_params, sign)
        g_opt.step()
        t_opt.step()
        compare_params(g_params, t_params, f"step {step}", scale)
    compare_state(g_opt, t_opt, g_params, t_params, scale)
    return g_opt, t_opt, g_params, t_params


def run_resumed(make_gg, make_torch, dtype: str = "float32", steps: int = STEPS, cut: int = 10) -> None:
    """Train, save the glassgrad optimizer's state dict at ``cut``, load it into a fresh optimizer over fresh
    copies of the weights, and go on: the resumed run must match the uninterrupted torch run."""
    arrays = make_weights(dtype)
    g_params, t_params = gg_params(arrays), torch_params(arrays)
    g_opt, t_opt = make_gg(g_params), make_torch(t_params)
    for step in range(steps):
        if step == cut:
            saved = g_opt.state_dict()
            g_params = gg_params([p.data for p in g_params])
            g_opt = make_gg(g_params)
            g_opt.load_state_dict(saved)
        feed(step, g_params, t_params)
        g_opt.step()
        t_opt.step()
        compare_params(g_params, t_params, f"step {step} (resumed at {cut})")
    compare_state(g_opt, t_opt, g_params, t_params)


def both(name: str, **options):
    """Factories for the glassgrad and the torch optimizer called ``name`` with the same options."""
    return (lambda ps: getattr(gg.optim, name)(ps, **options),
            lambda ps: getattr(torch.optim, name)(ps, **options))


def two_groups(options: dict):
    """Split the parameters into two groups, the second overriding ``options``."""
    return lambda params: [{"params": params[:4]}, {"params": params[4:], **options}]


def run_from_torch_state(make_gg, make_torch, dtype: str = "float32", steps: int = STEPS, cut: int = 10):
    """Train torch alone to ``cut``, load its state dict (torch tensors) into a glassgrad optimizer over the
    same weights, and go on with both."""
    arrays = make_weights(dtype)
    t_params = torch_params(arrays)
    t_opt = make_torch(t_params)
    g_params = gg_params(arrays)
    for step in range(steps):
        if step == cut:
            g_params = gg_params([p.detach().numpy() for p in t_params])
            g_opt = make_gg(g_params)
            g_opt.load_state_dict(t_opt.state_dict())
        feed(step, g_params, t_params)
        if step >= cut:
            g_opt.step()
        t_opt.step()
        if step >= cut:
            compare_params(g_params, t_params, f"step {step} (torch state loaded at {cut})")
    compare_state(g_opt, t_opt, g_params, t_params)
