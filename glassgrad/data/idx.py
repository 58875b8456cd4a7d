"""The IDX file format of MNIST and Fashion-MNIST: read (gzipped or not) with every header field checked,
and written (for tests and for saving small image sets in the same format).

An IDX file is a 4-byte magic number -- two zero bytes, a type code, the number of dimensions -- then
one big-endian uint32 per dimension, then the values, big-endian, in C order. MNIST's images are
``0x00000803`` (uint8, 3-D: N x 28 x 28) and its labels ``0x00000801`` (uint8, 1-D: N).
"""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

# type code -> big-endian dtype (the format's six types)
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _raw_bytes(path) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:  # cut-off stream, bad CRC, corrupt deflate data
        raise ValueError(f"{os.fspath(path)}: damaged or truncated gzip data ({e})") from None


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """The array in the IDX bytes ``raw`` (native byte order, a fresh writable array).

    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]))
    array([7, 8, 9], dtype=uint8)
    """
    if len(raw) < 4:
        raise ValueError(f"{name}: not an IDX file: {len(raw)} bytes, shorter than the 4-byte magic number")
    zero, code, ndim = raw[:2], raw[2], raw[3]
    if zero != b"\0\0" or code not in IDX_DTYPES:
        raise ValueError(f"{name}: not an IDX file: magic number 0x{raw[:4].hex()} (expected two zero bytes "
                         f"then a type code in {{{', '.join(f'0x{c:02x}' for c in IDX_DTYPES)}}})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                         f"the file has {len(raw)}")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise ValueError(f"{name}: IDX data {what}: shape {shape} of {dtype.newbyteorder('=')} needs "
                         f"{expected} bytes after the header, found {found}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """Read an IDX file, gzipped or not (recognised by its content, not its name).

    A file that is truncated, not IDX, or whose sizes disagree with its length raises ValueError naming
    the file and what is wrong.
    """
    return parse_idx(_raw_bytes(path), os.fspath(path))


def idx_bytes(array) -> bytes:
    """The IDX encoding of ``array`` (one of uint8, int8, int16, int32, float32, float64).

    >>> idx_bytes([[1, 2]])[:4].hex()  # int64 input is stored as int32
    '00000c02'
    """
    array = np.asarray(array)
    if array.dtype == np.int64:  # IDX has no int64: store as int32 when the values fit
        if array.size and (array.min() < -2**31 or array.max() >= 2**31):
            raise ValueError("idx_bytes: int64 values outside the int32 range cannot be stored in IDX")
        array = array.astype(np.int32)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None or array.ndim > 255:
        raise ValueError(f"idx_bytes: IDX cannot store dtype {array.dtype} with {array.ndim} dimensions")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()


def write_idx(path, array, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file, gzipped when ``compress`` (default: when the name ends in .gz)."""
    data = idx_bytes(array)
    if compress if compress is not None else os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)


__all__ = ["read_idx", "parse_idx", "write_idx", "idx_bytes"]
