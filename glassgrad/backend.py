"""The array backend: which array module computes, the dtypes, and the one seeded random generator.

Everything numeric goes through ``xp`` (NumPy today) so that a CuPy backend can slot in later without
touching the ops.

On Linux with glibc, importing glassgrad also tunes the C allocator (``tune_malloc``): a training step
frees tens to hundreds of MiB of activations and gradients at once, and glibc's default hands that back to
the operating system, so the next step page-faults all of it in again (measured: ~30,000 faults, a fifth of
the GPT workload's step; 2,000-7,000 in the CNN's). Set ``GLASSGRAD_TUNE_MALLOC=0`` to leave the allocator
alone; glassgrad leaves it alone too when glibc's malloc variables show that someone chose for the process.
"""
from __future__ import annotations

import ctypes
import os
import sys

import numpy as np

xp = np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)
int32 = np.dtype(np.int32)
uint8 = np.dtype(np.uint8)
float16 = np.dtype(np.float16)

default_float = float32
default_int = int64

_DTYPE_ALIASES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16,
    "int64": int64, "long": int64, "int32": int32, "int": int32, "uint8": uint8,
    "bool": bool_,
}


def as_dtype(dtype) -> np.dtype | None:
    """Turn any dtype spelling (glassgrad, NumPy, 'float32', Python float/int/bool) into a NumPy dtype."""
    if dtype is None:
        return None
    if dtype is float:
        return default_float
    if dtype is int:
        return default_int
    if dtype is bool:
        return bool_
    if isinstance(dtype, str):
        try:
            return _DTYPE_ALIASES[dtype.removeprefix("torch.").removeprefix("glassgrad.")]
        except KeyError:
            raise TypeError(f"unknown dtype {dtype!r}") from None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def infer_dtype(array: np.ndarray) -> np.dtype:
    """PyTorch's defaults for Python data given without a dtype: floats float32, integers int64."""
    kind = array.dtype.kind
    if kind == "f":
        return default_float
    if kind in "iu":
        return default_int
    if kind == "b":
        return bool_
    raise TypeError(f"cannot make a tensor from data of dtype {array.dtype}")


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion for two tensors: a float dtype wins over integers and bools; else the wider."""
    if a == b:
        return a
    a_float, b_float = a.kind == "f", b.kind == "f"
    if a_float != b_float:
        return a if a_float else b
    return np.promote_types(a, b)


class Generator:
    """One seeded source of randomness so that a run is reproducible from ``manual_seed``."""

    def __init__(self, seed: int | None = None):
        self.manual_seed(seed)

    def manual_seed(self, seed: int | None) -> "Generator":
        self.initial_seed = seed
        self.numpy = np.random.Generator(np.random.PCG64(seed))
        return self

    def get_state(self) -> dict:
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.numpy.bit_generator.state = state


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seed glassgrad's random generator (weights init, dropout, shuffling, rand/randn)."""
    return default_generator.manual_seed(int(seed))


def rng(generator: Generator | None = None) -> np.random.Generator:
    return (generator or default_generator).numpy


# ---- the C allocator -------------------------------------------------------------------------

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # blocks from here up are mapped and unmapped one by one (glibc's own ceiling)
TRIM_THRESHOLD = 1 << 30   # free memory kept at the heap's top before any is returned to the system
_MALLOC_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")


def tune_malloc() -> bool:
    """Make glibc keep freed memory for reuse instead of returning it to the system after every step.

    Arrays up to ``MMAP_THRESHOLD`` (32 MiB) come from the heap, whose free top is returned to the system
    only beyond ``TRIM_THRESHOLD`` (1 GiB): a training loop's resident memory stays at its peak (which
    every step reaches again anyway) instead of being unmapped and faulted back in, zeroed, page by page.
    Bigger arrays are mapped and unmapped one by one, as glibc does by default. Returns whether the
    allocator was tuned (False off glibc, with ``GLASSGRAD_TUNE_MALLOC=0``, or when glibc's own
    ``MALLOC_TRIM_THRESHOLD_``-style variables or malloc ``GLIBC_TUNABLES`` are set: the process's owner
    has chosen). ``glassgrad.backend.malloc_tuned`` tells what importing glassgrad did.

    >>> import glassgrad as gg
    >>> gg.backend.malloc_tuned in (True, False)
    True
    """
    if os.environ.get("GLASSGRAD_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    if any(name in os.environ for name in _MALLOC_VARIABLES) or "glibc.malloc" in os.environ.get(
            "GLIBC_TUNABLES", ""):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only: other C libraries' mallopt means something else or nothing
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD,
                                                                             TRIM_THRESHOLD))


malloc_tuned = tune_malloc()
