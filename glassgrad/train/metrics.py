"""Metrics computed from a batch's output and target, as plain numbers (no graph is built)."""
from __future__ import annotations

import numpy as np


def correct(output, target) -> int:
    """How many predictions in the batch are right.

    Class indices: ``output`` (N, C) or (N, C, d1, ...) scores and ``target`` integer indices (N, ...).
    Binary: ``output`` of the target's shape, read as logits (a prediction is class 1 when the logit > 0)
    against 0/1 targets.

    >>> import glassgrad as gg
    >>> correct(gg.tensor([[2.0, 0.1], [0.3, 0.9]]), gg.tensor([0, 0]))
    1
    """
    out = output.data if hasattr(output, "data") else np.asarray(output)
    tgt = target.data if hasattr(target, "data") else np.asarray(target)
    if tgt.dtype.kind in "iu" and out.ndim == tgt.ndim + 1:
        return int((out.argmax(axis=1) == tgt).sum())
    if out.shape == tgt.shape:
        return int(((out > 0) == (tgt > 0.5)).sum())
    raise ValueError(f"accuracy: cannot compare an output of shape {out.shape} with a target of shape "
                     f"{tgt.shape} (expected (N, C) scores and (N,) class indices, or logits of the "
                     "target's shape)")


def accuracy(output, target) -> float:
    """The fraction of right predictions (see :func:`correct` for the layouts understood)."""
    tgt = target.data if hasattr(target, "data") else np.asarray(target)
    return correct(output, target) / max(tgt.size, 1)


def is_classification(target) -> bool:
    """Whether accuracy makes sense by default: integer class indices."""
    tgt = target.data if hasattr(target, "data") else np.asarray(target)
    return tgt.dtype.kind in "iu"
