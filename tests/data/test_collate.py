"""default_collate / default_convert against torch's, structure by structure."""
from collections import namedtuple

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate as torch_collate
from torch.utils.data import default_convert as torch_convert

import glassgrad as gg
from glassgrad.data import default_collate, default_convert
from tests.reference import TORCH_DTYPES

Point = namedtuple("Point", ["x", "label"])


def assert_same_structure(mine, theirs, float64_is_float32=False):
    """Same nesting, container types, values and dtypes (torch's float64 from Python floats is float32
    in glassgrad when ``float64_is_float32``)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(mine, gg.Tensor), f"{type(mine)} is not a Tensor"
        expected = theirs.dtype
        if float64_is_float32 and expected == torch.float64:
            expected = torch.float32
        assert TORCH_DTYPES[mine.dtype] == expected, f"dtype {mine.dtype} != {expected}"
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
        return
    assert type(mine) is type(theirs), f"{type(mine)} != {type(theirs)}"
    if isinstance(theirs, dict):
        assert list(mine) == list(theirs)
        for key in theirs:
            assert_same_structure(mine[key], theirs[key], float64_is_float32)
    elif isinstance(theirs, (list, tuple)):
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            assert_same_structure(a, b, float64_is_float32)
    else:
        assert mine == theirs


def both(make):
    """The same samples built with glassgrad tensors and with torch tensors."""
    return make(gg), make(torch)


CASES = {
    "tensors": lambda lib: [lib.ones(2, 3), lib.zeros(2, 3)],
    "int tensors 0-d": lambda lib: [lib.tensor(3), lib.tensor(4)],
    "tuples of tensor and int": lambda lib: [(lib.ones(2), 1), (lib.zeros(2), 2)],
    "numpy arrays keep dtype": lambda lib: [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)],
    "numpy int32 scalars": lambda lib: [np.int32(1), np.int32(5)],
    "numpy float64 scalars": lambda lib: [np.float64(1.5), np.float64(-2.0)],
    "bools": lambda lib: [True, False, True],
    "ints": lambda lib: [1, 2, 3],
    "strings": lambda lib: ["a", "bc"],
    "nested dicts": lambda lib: [{"img": lib.ones(1, 2), "meta": {"id": 3, "tags": ("a", np.int64(7))}},
                                 {"img": lib.zeros(1, 2), "meta": {"id": 4, "tags": ("b", np.int64(8))}}],
    "lists of lists": lambda lib: [[1, [2, 3]], [4, [5, 6]]],
    "namedtuples": lambda lib: [Point(lib.ones(2), 0), Point(lib.ones(2), 1)],
}


@pytest.mark.parametrize("name", list(CASES))
def test_default_collate_matches_torch(name):
    mine, theirs = both(CASES[name])
    assert_same_structure(default_collate(mine), torch_collate(theirs))


def test_python_floats_collate_to_float32():
    # deliberate: torch makes float64 here; glassgrad keeps float32 throughout (same values)
    batch = [(1.5, {"w": 0.25}), (2.5, {"w": -1.0})]
    mine, theirs = default_collate(batch), torch_collate(batch)
    assert mine[0].dtype == np.float32 and theirs[0].dtype == torch.float64
    assert_same_structure(mine, theirs, float64_is_float32=True)
    assert default_collate([1, 2.5]).dtype == np.float32  # mixed ints and floats: float, as torch.tensor


def test_collate_errors_match_torch():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers, dicts or "
                                        "lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size.*\(2,\).*\(3,\)"):
        default_collate([gg.ones(2), gg.ones(3)])


@pytest.mark.parametrize("sample", [
    lambda lib: np.arange(3, dtype=np.float32),
    lambda lib: (np.float64(2.0), 3, "s"),
    lambda lib: {"a": np.zeros((2, 2), dtype=np.int32), "b": [np.ones(1), 1.5]},
    lambda lib: Point(np.int64(1), "x"),
    lambda lib: np.array(["s"]),
], ids=["array", "tuple", "dict", "namedtuple", "strings stay"])
def test_default_convert_matches_torch(sample):
    mine, theirs = both(sample)
    converted = default_convert(mine)
    expected = torch_convert(theirs)
    if isinstance(expected, np.ndarray):
        assert converted is mine
    else:
        assert_same_structure(converted, expected)
