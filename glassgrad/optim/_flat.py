"""The step driver's plan: which parameters an update sees one by one, and which as one flat array.

A model has a few big weight matrices and many small tensors (biases, norm scales). An update is a handful of
NumPy calls; made per parameter, the small tensors cost that handful each and Python dominates. So a plan per
parameter group sorts the parameters that have gradients into:

* buckets: parameters under ``FLAT_LIMIT`` elements, grouped by dtype and by the age of their state (which
  keys exist, which step count), so that one update with one step number is right for all of them. A bucket
  owns a flat parameter buffer and a flat gradient buffer, filled each step, and flat state arrays; every
  parameter's state tensors are views into those, so ``optimizer.state[p]`` always shows live values and an
  in-place edit of a state tensor reaches the next update. Parameter arrays are never replaced: values are
  copied into the bucket before the update and back after it, so ``p.data`` keeps its identity.
* singles: bigger parameters, updated in place on ``p.data`` (memory-bound: a copy would cost more than the
  Python it saves).

A plan is rebuilt only when what it assumed changes: the group's parameter list, which parameters have
gradients, or the structure of ``optimizer.state`` (its entries and keys; see ``_State`` in optimizer.py).
"""
from __future__ import annotations

from itertools import accumulate

import numpy as np

from ..tensor import Tensor

FLAT_LIMIT = 1 << 14  # elements; above this, copying in and out costs more than the per-call overhead saved
BUCKET_LIMIT = 1 << 16  # elements per bucket, so that its arrays stay in cache across the update's passes

_setitem = dict.__setitem__  # writes the driver makes to state dicts are not user edits: no re-plan


class Bucket:
    """Small parameters of one dtype and one state age, updated as one flat array."""

    __slots__ = ("params", "states", "param", "grad", "arrays", "steps", "views", "slices")

    def __init__(self, params: list, states: list, keys: tuple, has_step: bool):
        dtype = params[0].data.dtype
        shapes = [p.data.shape for p in params]
        bounds = list(accumulate((p.data.size for p in params), initial=0))
        self.params, self.states = params, states
        self.slices = [(a, b, shape) for a, b, shape in zip(bounds, bounds[1:], shapes)]
        self.param = np.empty(bounds[-1], dtype)
        self.grad = np.empty(bounds[-1], dtype)
        self.views = [self.param[a:b].reshape(shape) for a, b, shape in self.slices]
        self.arrays = {}
        for key in keys:  # move each state array into the flat buffer; the tensors become views of it
            flat = np.concatenate([st[key].data for st in states], axis=None).astype(dtype, copy=False)
            for st, (a, b, shape) in zip(states, self.slices):
                st[key].data = flat[a:b].reshape(shape)
            self.arrays[key] = flat
        self.steps = None
        if has_step:
            self.steps = np.array([float(st["step"]) for st in states], dtype=np.float32)
            for i, st in enumerate(states):
                st["step"].data = self.steps[i:i + 1].reshape(())

    def adopt_new_state(self) -> None:
        """State arrays the update created (SGD's first momentum buffer): give each parameter its view."""
        for key, flat in self.arrays.items():
            if key in self.states[0]:
                continue
            for st, (a, b, shape) in zip(self.states, self.slices):
                _setitem(st, key, Tensor(flat[a:b].reshape(shape)))


class Plan:
    """How one parameter group is stepped; see the module docstring."""

    __slots__ = ("group", "state", "version", "ids", "foreach", "skipped", "buckets", "singles")

    def __init__(self, optimizer, group: dict):
        state = optimizer.state
        params = group["params"]
        self.group, self.state = group, state
        self.ids = list(map(id, params))
        self.foreach = group.get("foreach")
        limit = 0 if self.foreach is False else FLAT_LIMIT  # foreach=False: one parameter at a time
        self.skipped = [p for p in params if p.grad is None]
        self.singles = []
        by_age: dict = {}
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            st = state[p]
            if not st:
                optimizer._fresh_state(group, p, st)
            keys = _normalize(optimizer, st, p, i)
            if not p.data.flags.writeable:  # updates are in place; a read-only array gets its own copy
                p.data = p.data.copy()
            if p.data.size >= limit:
                arrays = {k: st[k].data for k in keys}
                steps = st["step"].data if optimizer._has_step else None
                self.singles.append((p, arrays, steps, st))
            else:
                age = (p.data.dtype, keys, float(st["step"]) if optimizer._has_step else None)
                by_age.setdefault(age, []).append((p, st))
        self.buckets = [Bucket([p for p, _ in chunk], [st for _, st in chunk], age[1], optimizer._has_step)
                        for age, members in by_age.items() for chunk in _chunks(members)]
        self.version = state.version

    def valid(self, optimizer, group: dict) -> bool:
        return (self.group is group and self.state is optimizer.state
                and self.version == optimizer.state.version and self.foreach == group.get("foreach")
                and self.ids == list(map(id, group["params"]))
                and all(p.grad is None for p in self.skipped))

    def run(self, update, group: dict) -> bool:
        """One step of ``update`` over the group; False (and nothing changed) if a gradient went missing."""
        try:  # gather every gradient first, so that a vanished one is found before anything is updated
            for b in self.buckets:
                np.concatenate([p.grad.data for p in b.params], axis=None, out=b.grad)
            grads = [p.grad.data for p, _, _, _ in self.singles]
        except AttributeError:  # some p.grad is None now
            return False
        for b in self.buckets:
            datas = [p.data for p in b.params]
            np.concatenate(datas, axis=None, out=b.param)
            step = None
            if b.steps is not None:
                b.steps += 1
                step = float(b.steps[0])
            known = len(b.arrays)
            update(group, b.param, b.grad, b.arrays, step)
            if len(b.arrays) != known:
                b.adopt_new_state()
            for data, view in zip(datas, b.views):
                data[...] = view  # (a slice assignment costs half what np.copyto does on tiny arrays)
        for (p, arrays, steps, st), grad in zip(self.singles, grads):
            step = None
            if steps is not None:
                steps += 1
                step = float(steps)
            known = len(arrays)
            update(group, p.data, grad, arrays, step)
            if len(arrays) != known:
                for key, array in arrays.items():
                    if key not in st:
                        _setitem(st, key, Tensor(array))
        return True


def _chunks(members: list) -> list:
    """Consecutive runs of ``(param, state)`` pairs holding at most BUCKET_LIMIT elements each."""
    chunks, size = [[]], 0
    for p, st in members:
        if chunks[-1] and size + p.data.size > BUCKET_LIMIT:
            chunks.append([])
            size = 0
        chunks[-1].append((p, st))
        size += p.data.size
    return chunks


def _normalize(optimizer, st: dict, p: Tensor, index: int) -> tuple:
    """The keys of the state arrays an update works on, each made a Tensor (users may store arrays) and
    checked. Scalars other than 'step' (a custom optimizer's counters, say) are left alone."""
    keys = []
    for key, value in list(st.items()):
        if key == "step" and not isinstance(value, Tensor):
            value = Tensor(np.asarray(value, dtype=np.float32).reshape(()).copy())
            _setitem(st, key, value)
        if key == "step" or value is None or np.ndim(_data(value)) == 0 and p.data.ndim != 0:
            continue
        if not isinstance(value, Tensor):
            if not isinstance(value, np.ndarray):
                continue
            value = Tensor(value)
            _setitem(st, key, value)
        if value.data.shape != p.data.shape:
            raise RuntimeError(f"{type(optimizer).__name__}: state[{key!r}] of parameter {index} has shape "
                               f"{value.data.shape} but the parameter has shape {p.data.shape}")
        keys.append(key)
    if optimizer._has_step and "step" not in st:
        raise RuntimeError(f"{type(optimizer).__name__}: the state of parameter {index} has no 'step'")
    return tuple(keys)


def _data(value):
    return value.data if isinstance(value, Tensor) else value
