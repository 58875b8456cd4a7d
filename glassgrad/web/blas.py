"""One BLAS thread for the playground's compute thread.

The playground multiplies tiny matrices ((2304, 16) by (16, 16) for a boundary) many times a second.
OpenBLAS splits such products across threads, and on a busy machine waiting for those threads costs far
more than the product: measured on a loaded 2-core machine, 12 ms threaded against 20 µs on one thread.
OpenBLAS ≥ 0.3.27 can set the count for the calling thread alone; where that symbol is missing (another
BLAS), nothing changes.
"""
from __future__ import annotations

import ctypes
import glob
import os

import numpy as np


def single_threaded_blas() -> bool:
    """Ask NumPy's bundled OpenBLAS for one thread in the calling thread; True if it could."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in glob.glob(os.path.join(libs, "*openblas*")):
        try:
            setter = getattr(ctypes.CDLL(path), "openblas_set_num_threads_local")
        except (OSError, AttributeError):
            continue
        setter(1)
        return True
    return False
