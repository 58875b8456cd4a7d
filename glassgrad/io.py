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
import safetensors.numpy as st_numpy  # reading: the reference parser validates every file
from safetensors import SafetensorError

KEY_ORDER = "glassgrad.key_order"  # metadata entry keeping the dict's order (safetensors sorts keys)


class CheckpointError(ValueError):
    """A file that is missing, truncated, or not a safetensors file; the message says which."""


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", durable: bool = True):
    """Write ``path`` so that it is either entirely the old file or entirely the new one.

    The data goes to a temporary file in the same directory, is flushed and (if ``durable``) fsynced,
    then renamed over ``path``: a crash at any moment leaves no half-written file under that name. The
    rename alone protects against a killed process; fsync also against a power cut, at a few ms a file.

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
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if durable:
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


def _as_array(value) -> np.ndarray:
    from .tensor import Tensor
    array = value.data if isinstance(value, Tensor) else value
    # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
    return array if array.flags.c_contiguous else array.copy(order="C")


STRUCTURE = "glassgrad.structure"  # metadata entry describing a nested object (a checkpoint)


def _is_flat(obj) -> bool:
    from .tensor import Tensor
    return isinstance(obj, Mapping) and all(
        isinstance(k, str) and isinstance(v, (Tensor, np.ndarray)) for k, v in obj.items())


def _encode(obj, path: str, arrays: dict):
    """``obj`` as JSON-able data, its tensors moved into ``arrays`` under dotted path keys."""
    from .tensor import Tensor
    if isinstance(obj, (Tensor, np.ndarray)):
        key = path or "tensor"
        while key in arrays:
            key += "_"
        arrays[key] = _as_array(obj)
        return {"__tensor__": key}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, f"{path}.{i}".lstrip("."), arrays) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, f"{path}.{i}".lstrip("."), arrays) for i, v in enumerate(obj)]
    if isinstance(obj, Mapping):
        items = [(k, _encode(v, f"{path}.{k}".lstrip("."), arrays)) for k, v in obj.items()]
        if all(isinstance(k, str) and not k.startswith("__") for k, _ in items):
            return dict(items)
        return {"__items__": [[_encode(k, path, {}), v] for k, v in items]}
    raise TypeError(f"save: {path or 'the object'} is a {type(obj).__name__}; glassgrad saves tensors, "
                    "numbers, strings, lists, tuples and dicts of them (it never pickles)")


def _decode(data, arrays: dict):
    from .tensor import Tensor
    if isinstance(data, list):
        return [_decode(v, arrays) for v in data]
    if not isinstance(data, dict):
        return data
    if "__tensor__" in data:
        return Tensor(arrays[data["__tensor__"]])
    if "__tuple__" in data:
        return tuple(_decode(v, arrays) for v in data["__tuple__"])
    if "__items__" in data:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in data["__items__"]}
    return {k: _decode(v, arrays) for k, v in data.items()}


# safetensors' dtype codes (https://github.com/huggingface/safetensors, "Format").
DTYPE_CODES = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.float16): "F16",
               np.dtype(np.int64): "I64", np.dtype(np.int32): "I32", np.dtype(np.int16): "I16",
               np.dtype(np.int8): "I8", np.dtype(np.uint64): "U64", np.dtype(np.uint32): "U32",
               np.dtype(np.uint16): "U16", np.dtype(np.uint8): "U8", np.dtype(np.bool_): "BOOL"}


def _prepare(obj, metadata: Mapping[str, str] | None) -> tuple[dict, dict]:
    """The arrays and the header metadata that represent ``obj``.

    A flat mapping of names to tensors (a state dict) is stored as plain safetensors that any library
    reads; a nested object (a checkpoint: dicts, lists, numbers and tensors) keeps its tensors as
    safetensors entries and its structure as JSON in the header's metadata.
    """
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    if _is_flat(obj):
        arrays = {name: _as_array(value) for name, value in obj.items()}
        meta[KEY_ORDER] = json.dumps(list(arrays))
    else:
        arrays = {}
        meta[STRUCTURE] = json.dumps(_encode(obj, "", arrays))
    return arrays, meta


def write_safetensors(f, arrays: Mapping[str, np.ndarray], metadata: Mapping[str, str]) -> None:
    """Stream ``arrays`` to the binary file ``f`` in the safetensors format, without copying them.

    The format: 8 bytes of header length, a JSON header (dtype, shape and byte range of each array, plus
    string metadata) padded to 8 bytes, then the raw little-endian data. Arrays go in order of
    decreasing item size so that each starts aligned to its own size.
    """
    order = sorted(arrays, key=lambda name: -arrays[name].dtype.itemsize)
    header: dict = {"__metadata__": dict(metadata)} if metadata else {}
    offset = 0
    data = []
    for name in order:
        array = arrays[name]
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        code = DTYPE_CODES.get(array.dtype.newbyteorder("="))
        if code is None:
            raise TypeError(f"save: {name!r} has dtype {array.dtype}, which safetensors cannot store")
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
        data.append(array)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    f.write(len(encoded).to_bytes(8, "little"))
    f.write(encoded)
    for array in data:
        if array.size:
            f.write(memoryview(np.ascontiguousarray(array).reshape(-1)).cast("B"))


def to_bytes(obj, metadata: Mapping[str, str] | None = None) -> bytes:
    """The bytes of the safetensors file :func:`save` would write for ``obj``."""
    import io as _io
    buffer = _io.BytesIO()
    write_safetensors(buffer, *_prepare(obj, metadata))
    return buffer.getvalue()


def save(obj, f: str | os.PathLike, metadata: Mapping[str, str] | None = None) -> None:
    """Save a state dict, or a checkpoint built of dicts, lists, numbers and tensors, atomically.

    A state dict becomes a plain safetensors file (``safetensors.torch.load_file`` reads it); a nested
    object round-trips through :func:`load` exactly (tuples, integer keys and all). Nothing is pickled.

    >>> import os, tempfile, glassgrad as gg
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> gg.save({"weight": gg.ones(2, 3), "step": gg.tensor(7)}, path)
    >>> sorted(gg.load(path))
    ['step', 'weight']
    >>> gg.save({"epoch": 3, "model": {"w": gg.zeros(2)}, "betas": (0.9, 0.999)}, path)
    >>> gg.load(path)["betas"]
    (0.9, 0.999)
    """
    if not isinstance(obj, (Mapping, list, tuple)):
        raise TypeError(f"save expects a state_dict or a checkpoint (dict, list or tuple), got "
                        f"{type(obj).__name__}")
    arrays, meta = _prepare(obj, metadata)  # may raise: before any file is touched
    with atomic_write(f) as out:
        write_safetensors(out, arrays, meta)


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
    if order is not None and STRUCTURE not in metadata:
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
    """Load what :func:`save` wrote (or any safetensors file, as a dict of Tensors).

    ``map_location`` and ``weights_only`` exist for torch compatibility: everything is on the CPU, and
    loading never executes code whatever ``weights_only`` says.
    """
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise RuntimeError(f"glassgrad runs on the CPU only; cannot load to {map_location!r}")
    from .tensor import Tensor
    arrays, metadata = read_file(f)
    if STRUCTURE in metadata:
        return _decode(json.loads(metadata[STRUCTURE]), arrays)
    return {name: Tensor(array) for name, array in arrays.items()}


__all__ = ["save", "load", "atomic_write", "CheckpointError"]
