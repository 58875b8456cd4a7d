"""backend: the allocator tuning's opt-outs (its speed is measured in benchmarks/training.py, not here)."""
import ctypes
import sys

import pytest

from glassgrad import backend


def test_opt_out(monkeypatch):
    monkeypatch.setenv("GLASSGRAD_TUNE_MALLOC", "0")
    assert backend.tune_malloc() is False


@pytest.mark.parametrize("name, value", [("MALLOC_TRIM_THRESHOLD_", "1000000"),
                                         ("MALLOC_MMAP_THRESHOLD_", "65536"),
                                         ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1000")])
def test_a_choice_made_for_the_process_is_kept(monkeypatch, name, value):
    monkeypatch.delenv("GLASSGRAD_TUNE_MALLOC", raising=False)
    monkeypatch.setenv(name, value)
    assert backend.tune_malloc() is False


def test_tuned_on_glibc(monkeypatch):
    for name in backend._MALLOC_VARIABLES + ("GLASSGRAD_TUNE_MALLOC", "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    try:
        glibc = sys.platform.startswith("linux") and bool(ctypes.CDLL(None).gnu_get_libc_version)
    except (OSError, AttributeError):
        glibc = False
    assert backend.tune_malloc() is glibc
