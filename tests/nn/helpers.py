"""Checking a glassgrad layer against the same PyTorch layer with the same weights.

``check_layer(gg_layer, torch_layer, [(4, 3)])`` copies torch's state_dict into the glassgrad layer (via
NumPy, through ``load_state_dict``), runs both on the same inputs, and compares the outputs, the gradients
of every input and every parameter (by name) for a random upstream gradient, and the buffers afterwards.
"""
from __future__ import annotations

import numpy as np
import torch

import glassgrad as gg
from tests.reference import TORCH_DTYPES, assert_close, make_inputs


def torch_state_as_numpy(torch_module) -> dict:
    return {k: v.detach().numpy().copy() for k, v in torch_module.state_dict().items()}


def copy_torch_weights(gg_module, torch_module) -> None:
    result = gg_module.load_state_dict(torch_state_as_numpy(torch_module))
    assert not result.missing_keys and not result.unexpected_keys


def _outputs(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def check_layer(gg_layer, torch_layer, shapes, dtype="float32", seed=0, low=-2.0, high=2.0,
                forward=None, scale: float = 1.0, grad_scale: float | None = None, backward=True,
                noncontiguous=False):
    """Compare forward values, input/parameter gradients and buffers; returns the two outputs.

    ``shapes`` may hold ready arrays (e.g. integer indices); ``forward(module, *inputs)`` defaults to
    calling the module."""
    torch_layer = torch_layer.to(TORCH_DTYPES[np.dtype(dtype)])
    gg_layer = gg_layer.to(dtype)
    copy_torch_weights(gg_layer, torch_layer)
    arrays = make_inputs(shapes, dtype, low, high, seed, noncontiguous)
    needs = [backward and a.dtype.kind == "f" for a in arrays]
    g_in = [gg.from_numpy(a.copy() if a.flags.c_contiguous else a).requires_grad_(n)
            for a, n in zip(arrays, needs)]
    t_in = [torch.from_numpy(np.array(a)).requires_grad_(n) for a, n in zip(arrays, needs)]
    call = forward or (lambda m, *xs: m(*xs))
    g_out, t_out = _outputs(call(gg_layer, *g_in)), _outputs(call(torch_layer, *t_in))
    assert len(g_out) == len(t_out)
    for i, (g, t) in enumerate(zip(g_out, t_out)):
        if t is None:
            assert g is None, f"output {i}: torch returns None"
            continue
        assert_close(g, t, scale=scale, what=f"output {i}")
    if backward:
        rng = np.random.default_rng(seed + 1)
        for g, t in zip(g_out, t_out):
            if t is None or not t.requires_grad:
                continue
            upstream = rng.standard_normal(t.shape).astype(np.dtype(dtype))
            g.backward(gg.from_numpy(upstream), retain_graph=True)
            t.backward(torch.from_numpy(upstream), retain_graph=True)
        for i, (g, t, n) in enumerate(zip(g_in, t_in, needs)):
            if n:
                assert g.grad is not None, f"input {i}: no gradient"
                assert_close(g.grad, t.grad, scale=grad_scale or scale, what=f"gradient of input {i}")
        t_params = dict(torch_layer.named_parameters())
        g_params = dict(gg_layer.named_parameters())
        assert list(g_params) == list(t_params)
        for name, tp in t_params.items():
            gp = g_params[name]
            if tp.grad is None:
                assert gp.grad is None or not np.any(gp.grad.data), f"{name}: torch has no gradient"
                continue
            assert gp.grad is not None, f"{name}: no gradient, torch has one"
            assert_close(gp.grad, tp.grad, scale=grad_scale or scale, what=f"gradient of {name}")
    t_state = torch_layer.state_dict()
    for name, value in gg_layer.state_dict().items():
        assert_close(value, t_state[name], scale=scale, what=f"state {name}")
    return g_out, t_out


def repr_without_count(module) -> str:
    """A module's repr without glassgrad's trailing parameter count (what torch prints)."""
    text = repr(module)
    body, sep, note = text.rpartition("  # ")
    return body if sep and note.split()[0].replace(",", "").isdigit() else text
