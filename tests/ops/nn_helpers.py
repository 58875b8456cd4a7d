"""Shared by the nn-kernel tests: one function written against ``F`` runs on glassgrad and on torch."""
import numpy as np
import torch

import glassgrad as gg
import glassgrad.ops.nn as GF
from tests.reference import check_op

TF = torch.nn.functional
DTYPES = ["float32", "float64"]


def const(F, array):
    """A constant (non-differentiable) tensor of ``array`` in the library that ``F`` belongs to."""
    array = np.array(array)
    return torch.from_numpy(array) if F is TF else gg.from_numpy(array)


def check(shapes, fn, dtype="float32", **kwargs):
    """``check_op`` with ``fn(F, *inputs)`` run once with F = glassgrad.ops.nn and once with torch's."""
    return check_op(shapes, lambda *x: fn(GF, *x), lambda *x: fn(TF, *x), dtype=dtype, **kwargs)


def float64_inputs(*shapes, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return [gg.tensor(rng.uniform(low, high, s), dtype=gg.float64, requires_grad=True) for s in shapes]
