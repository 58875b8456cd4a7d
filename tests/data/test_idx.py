"""IDX files: the header read field by field, gzip or not, and every way a file can be wrong."""
import gzip

import numpy as np
import pytest

from glassgrad.data.idx import idx_bytes, parse_idx, read_idx, write_idx

DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5,), (3, 4, 2), (2, 0, 3), ()])
@pytest.mark.parametrize("name", ["x.idx", "x.idx.gz"])
def test_round_trip(tmp_path, dtype, shape, name):
    info = np.iinfo(dtype) if dtype.startswith(("u", "i")) else None
    values = np.random.default_rng(0).uniform(-1e3, 1e3, shape)
    array = (values.clip(info.min, info.max) if info else values).astype(dtype)
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative and back.shape == shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # a fresh, writable array


def test_header_is_big_endian_as_the_format_says():
    raw = idx_bytes(np.array([[258, -2]], dtype=np.int16))
    assert raw == bytes([0, 0, 0x0B, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])
    np.testing.assert_array_equal(parse_idx(raw), [[258, -2]])
    mnist_like = idx_bytes(np.zeros((60000, 28, 28), dtype=np.uint8))[:16]
    assert mnist_like.hex() == "00000803" + "0000ea60" + "0000001c" * 2  # MNIST's image header


def test_gzip_is_detected_by_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    write_idx(tmp_path / "plain-named.idx", array, compress=True)
    write_idx(tmp_path / "gz-named.gz", array, compress=False)
    for name in ("plain-named.idx", "gz-named.gz"):
        np.testing.assert_array_equal(read_idx(tmp_path / name), array)


def _file(tmp_path, raw, name="bad-idx1-ubyte"):
    (tmp_path / name).write_bytes(raw)
    return tmp_path / name


@pytest.mark.parametrize("raw, message", [
    (idx_bytes(np.zeros(10, np.uint8))[:-1],
     r"IDX data truncated: shape \(10,\) of uint8 needs 10 bytes.*found 9"),
    (idx_bytes(np.zeros((2, 2), np.float32)) + b"\0", "IDX data has trailing bytes"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, r"not an IDX file: magic number 0x89504e47"),
    (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]),
     r"magic number 0x00000701 \(expected two zero bytes then a type code"),
    (bytes([0, 0, 0x08, 3, 0, 0, 0, 1]), "truncated IDX header: 3 dimensions need 16 bytes, the file has 8"),
    (b"\0\0", "shorter than the 4-byte magic number"),
    (b"", "shorter than the 4-byte magic number"),
    (b"hello, I am a text file\n", "not an IDX file"),
])
def test_bad_files_raise_clear_errors_naming_the_file(tmp_path, raw, message):
    path = _file(tmp_path, raw)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_and_corrupt_gzip(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    with pytest.raises(ValueError, match="damaged or truncated gzip data"):
        read_idx(_file(tmp_path, packed[: len(packed) // 2], "cut.gz"))
    corrupt = bytearray(packed)
    corrupt[-8] ^= 0xFF  # the CRC no longer matches
    with pytest.raises(ValueError, match="damaged or truncated gzip data"):
        read_idx(_file(tmp_path, bytes(corrupt), "crc.gz"))
    # a gzip of a truncated IDX: the gzip is fine, the IDX inside is not
    with pytest.raises(ValueError, match="IDX data truncated"):
        read_idx(_file(tmp_path, gzip.compress(idx_bytes(np.zeros(8, np.uint8))[:-3]), "inner.gz"))


def test_unsupported_dtypes_are_refused():
    with pytest.raises(ValueError, match="IDX cannot store dtype complex64"):
        idx_bytes(np.zeros(2, np.complex64))
    assert parse_idx(idx_bytes(np.arange(3))).dtype == np.int32  # int64 is stored as int32
    with pytest.raises(ValueError, match="outside the int32 range"):
        idx_bytes(np.array([2**40]))
