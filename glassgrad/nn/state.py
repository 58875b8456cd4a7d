"""``state_dict`` / ``load_state_dict``: PyTorch's keys, metadata and error messages, all or nothing.

PyTorch copies tensors as it walks the model, so a load that fails half-way leaves a half-loaded model.
Here the walk only *stages* the copies; they happen after every key, type and shape has been checked.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor, _new_tensor


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the model's keys absent from the dict, and the dict's keys the
    model does not have."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def state_dict(module, destination, prefix: str, keep_vars: bool):
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()
    metadata = getattr(destination, "_metadata", None)
    if metadata is not None:
        metadata[prefix[:-1]] = {"version": module._version}
    for name, param in module._parameters.items():
        if param is not None:
            destination[prefix + name] = param if keep_vars else param.detach()
    for name, buf in module._buffers.items():
        if buf is not None and name not in module._non_persistent_buffers_set:
            destination[prefix + name] = buf if keep_vars else buf.detach()
    for name, child in module._modules.items():
        if child is not None:
            child.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
    return destination


def _as_array(value):
    """A checkpoint value as an array: glassgrad Tensors, NumPy arrays, and tensor-likes that NumPy can
    read (a CPU ``torch.Tensor`` from ``torch_model.state_dict()``); None for anything else."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "shape") and hasattr(value, "__array__"):
        if hasattr(value, "detach"):
            value = value.detach()
        return np.asarray(value)
    return None


def local_entries(module) -> dict:
    """The module's own non-None parameters and persistent buffers, by name."""
    entries = {k: v for k, v in module._parameters.items() if v is not None}
    for k, v in module._buffers.items():
        if v is not None and k not in module._non_persistent_buffers_set:
            entries[k] = v
    return entries


def stage_module(module, state_dict, prefix, staged, missing, unexpected, errors) -> None:
    """Check one module's entries; record (module, name, array) copies, missing and unexpected keys."""
    local = local_entries(module)
    for name, target in local.items():
        key = prefix + name
        if key not in state_dict:
            missing.append(key)
            continue
        value = state_dict[key]
        array = _as_array(value)
        if array is None:
            errors.append(f'While copying the parameter named "{key}", expected glassgrad.Tensor or '
                          f"Tensor-like object from checkpoint but received {type(value)}")
            continue
        if target.ndim == 0 and array.ndim == 1 and array.shape[0] >= 1:
            array = array[0]  # PyTorch's allowance for old checkpoints that stored scalars as (1,)
        if array.shape != target.shape:
            errors.append(f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} "
                          f"from checkpoint, the shape in current model is {tuple(target.shape)}.")
            continue
        staged.append((module, name, array))
    for key in state_dict:
        if not key.startswith(prefix):
            continue
        head, dot, _ = key[len(prefix):].partition(".")
        if (dot and head not in module._modules) or (not dot and head not in local):
            unexpected.append(key)


def load_state_dict(module, state_dict, strict: bool, assign: bool):
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    metadata = getattr(state_dict, "_metadata", None)
    staged, missing, unexpected, errors = [], [], [], []

    def visit(mod, entries, prefix):
        local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
        mod._stage_state_dict(entries, prefix, local_metadata, staged, missing, unexpected, errors)
        for name, child in mod._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                visit(child, {k: v for k, v in entries.items() if k.startswith(child_prefix)},
                      child_prefix)

    visit(module, OrderedDict(state_dict), "")
    if strict:
        if unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in unexpected)))
        if missing:
            errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in missing)))
    if errors:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
            type(module).__name__, "\n\t".join(errors)))
    _commit(staged, assign)
    return IncompatibleKeys(missing, unexpected)


def _commit(staged, assign: bool) -> None:
    from .parameter import Parameter
    with no_grad():
        for mod, name, array in staged:
            if name in mod._parameters:
                param = mod._parameters[name]
                if assign:
                    mod._parameters[name] = Parameter(_new_tensor(np.asarray(array), False),
                                                      requires_grad=param.requires_grad)
                else:
                    param.copy_(_new_tensor(np.asarray(array), False))
            elif assign:
                mod._buffers[name] = _new_tensor(np.asarray(array), False)
            else:
                mod._buffers[name].copy_(_new_tensor(np.asarray(array), False))
