"""Turning a list of samples into one batch (``default_collate``) and single samples into tensors
(``default_convert``), with the structure rules of ``torch.utils.data``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import backend
from ..tensor import Tensor, _new_tensor

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                  "found {}")


def _numeric(array: np.ndarray, found) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise TypeError(_COLLATE_ERROR.format(found))
    return array


def default_collate(batch: list):
    """Stack a list of samples into a batch, keeping the samples' structure.

    - Tensors and NumPy arrays (of any numeric dtype, kept) are stacked along a new first dimension, into a
      new tensor outside any autograd graph.
    - Python ints become an int64 tensor, Python floats a float32 tensor (PyTorch makes float64 here;
      glassgrad keeps float32 throughout), bools a bool tensor; NumPy scalars keep their dtype.
    - dicts collate key by key, tuples and lists element by element (a tuple of fields becomes a list, a
      namedtuple stays a namedtuple), strings and bytes stay a plain sequence of themselves.

    >>> import glassgrad as gg
    >>> default_collate([(gg.tensor([1.0, 2.0]), 0), (gg.tensor([3.0, 4.0]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    >>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
    {'x': tensor([1.5, 2.5]), 'name': ['a', 'b']}
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {t.shape for t in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes "
                               f"{[tuple(t.shape) for t in batch]} in one batch")
        return _new_tensor(np.stack([t.data for t in batch]), False)
    if isinstance(elem, np.ndarray):
        _numeric(elem, elem.dtype)
        shapes = {a.shape for a in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"stack expects each array to be equal size, but got shapes "
                               f"{[a.shape for a in batch]} in one batch")
        return _new_tensor(np.stack(batch), False)
    if isinstance(elem, np.generic):
        return _new_tensor(_numeric(np.array(batch), elem.dtype), False)
    if isinstance(elem, (bool, int, float)):
        array = np.array(batch)
        return _new_tensor(array.astype(backend.infer_dtype(_numeric(array, type(elem))), copy=False), False)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(fields)
        except TypeError:  # a Mapping type that cannot be built from a dict
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if len({len(sample) for sample in batch}) > 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(field) for field in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # PyTorch returns a list for tuples
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """Turn NumPy arrays and scalars inside ``data`` into tensors, leaving everything else as it is
    (what the loader applies to each sample when ``batch_size=None``).

    >>> import numpy as np
    >>> default_convert({"x": np.zeros(2, dtype=np.float32), "y": 3})
    {'x': tensor([0., 0.]), 'y': 3}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind in "biuf":
            return _new_tensor(np.asarray(data), False)
        return data
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, Mapping):
        try:
            return type(data)({key: default_convert(value) for key, value in data.items()})
        except TypeError:
            return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


__all__ = ["default_collate", "default_convert"]
