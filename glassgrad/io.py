"""Saving and loading tensors: safetensors files, written atomically, loaded without executing code.

``glassgrad.save(model.state_dict(), "model.safetensors")`` writes a file that PyTorch reads with
``safetensors.torch.load_file`` (and the other way round). Nothing here ever unpickles: a file is a JSON
header plus raw little-endian arrays, so loading a stranger's file cannot run their code.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from typing import Mapping

import numpy as np
import safetensors.numpy as st_numpy
from safetensors import SafetensorError

KEY_ORDER = "glassgrad.key_order"  # metadata entry keeping the dict's order (safetensors sorts keys)


class CheckpointError(ValueError):
    """A file that is missing, truncated, or not a safetensors file; the message says which."""


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Write ``path`` so that it is either entirely the old file or entirely the new one.

    The data goes to a temporary file in the same directory, is flushed and fsynced, then renamed over
    ``path``; a crash at any moment leaves no half-written file under that name.

    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with atomic_write(target, "w") as f:
    ...     _ = f.write("all or nothing")
    >>> open(target).read()
    'all or nothing'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _as_array(name: str, value) -> np.ndarray:
    from .tensor import Tensor
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, np.ndarray):
        if isinstance(value, (int, float, bool, np.generic)):
            value = np.asarray(value)
        else:
            raise TypeError(f"save: {name!r} is a {type(value).__name__}; only tensors and arrays can be "
                            "saved (put other values in metadata)")
    # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
    return value if value.flags.c_contiguous else value.copy(order="C")


def to_bytes(tensors: Mapping, metadata: Mapping[str, str] | None = None) -> bytes:
    """A safetensors file's bytes for a flat mapping of names to tensors (or arrays)."""
    arrays = {}
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"save: keys must be strings, got {name!r}")
        arrays[name] = _as_array(name, value)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    meta[KEY_ORDER] = json.dumps(list(arrays))
    return st_numpy.save(arrays, metadata=meta)


def save(obj: Mapping, f: str | os.PathLike, metadata: Mapping[str, str] | None = None) -> None:
    """Save a state dict (a flat mapping of names to tensors) as a safetensors file, atomically.

    >>> import os, tempfile, glassgrad as gg
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> gg.save({"weight": gg.ones(2, 3), "step": gg.tensor(7)}, path)
    >>> sorted(gg.load(path))
    ['step', 'weight']
    """
    if not isinstance(obj, Mapping):
        raise TypeError(f"save expects a mapping of names to tensors (a state_dict), got "
                        f"{type(obj).__name__}; glassgrad does not pickle arbitrary objects")
    data = to_bytes(obj, metadata)
    with atomic_write(f) as out:
        out.write(data)


def read_file(f: str | os.PathLike) -> tuple[dict, dict]:
    """The arrays (in saved order) and the metadata of a safetensors file, or a CheckpointError."""
    path = os.fspath(f)
    if not os.path.exists(path):
        raise CheckpointError(f"no such file: {path}")
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        arrays = st_numpy.load(data)
        metadata = _metadata(data)
    except (SafetensorError, ValueError, json.JSONDecodeError) as err:
        hint = " (it looks like a pickle, e.g. from torch.save; glassgrad never loads pickles)" \
            if data[:1] == b"\x80" or data[:2] == b"PK" else ""
        raise CheckpointError(f"{path} is not a readable safetensors file{hint}: {err}") from None
    order = metadata.pop(KEY_ORDER, None)
    if order is not None:
        keys = json.loads(order)
        if sorted(keys) == sorted(arrays):
            arrays = {k: arrays[k] for k in keys}
    return arrays, metadata


def _metadata(data: bytes) -> dict:
    """The ``__metadata__`` of a safetensors header (the format: 8-byte length, then JSON)."""
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    return dict(header.get("__metadata__") or {})


def load(f: str | os.PathLike, map_location=None, weights_only: bool = True) -> dict:
    """Load a safetensors file as a dict of Tensors (``map_location``/``weights_only`` exist for torch
    compatibility: everything is on the CPU and only weights are ever loaded)."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise RuntimeError(f"glassgrad runs on the CPU only; cannot load to {map_location!r}")
    from .tensor import Tensor
    arrays, _ = read_file(f)
    return {name: Tensor(array) for name, array in arrays.items()}


__all__ = ["save", "load", "atomic_write", "CheckpointError"]
