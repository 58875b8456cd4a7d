"""What torch's CPU allocator holds for tensors made during one call: its profiler's memory events.

Shared by the benchmarks that report peak memory beside glassgrad's (tracemalloc) figure.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile


def profiler_peak(run) -> float:
    """MiB: the peak of the running "Total Allocated" of torch's CPU allocator while ``run()`` runs,
    from zero at its start (every tensor storage allocated and freed)."""
    from torch.profiler import ProfilerActivity, profile
    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        run()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace.json")
        prof.export_chrome_trace(path)
        with open(path) as f:
            trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    totals = [e["args"]["Total Allocated"] for e in events if e.get("name") == "[memory]"]
    return max(totals, default=0) / 2 ** 20


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the profiler's start/stop lines, which its C++ side writes straight to file descriptor 2."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
