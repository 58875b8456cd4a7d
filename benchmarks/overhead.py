"""Per-op Python overhead: the time of one op call (and of one backward) on tiny tensors, glassgrad vs torch.

Run: ``python benchmarks/overhead.py``. Both libraries run in this one process, alternating, after warm-up,
with torch limited to the same thread count. Prints a table; the ratio is glassgrad time / torch time.
Times are the calling thread's CPU time (``BENCH_CLOCK=wall`` for wall time): both libraries run these
tiny ops on this one thread, and on a machine other jobs share, CPU time does not count the time the
thread waited for a core.
"""
from __future__ import annotations

import os
import sys
import time
import timeit

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's glassgrad
import glassgrad as gg  # noqa: E402

CLOCK = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.thread_time

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
torch.set_num_threads(THREADS)


def cases(lib):
    a = lib.tensor(np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32), requires_grad=True)
    b = lib.tensor(np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32), requires_grad=True)
    v = lib.tensor(np.ones(4, dtype=np.float32), requires_grad=True)

    def backward_small():
        loss = ((a @ b + v).relu() * 2.0).sum()
        loss.backward()

    return {
        "a + b": lambda: a + b,
        "a * 2.0": lambda: a * 2.0,
        "a @ b": lambda: a @ b,
        "a + v (broadcast)": lambda: a + v,
        "relu(a)": lambda: a.relu(),
        "exp(a)": lambda: a.exp(),
        "sum(a)": lambda: a.sum(),
        "a.sum(1)": lambda: a.sum(1),
        "no_grad a + b": lambda: _no_grad(lib, a, b),
        "fwd+bwd 5 ops": backward_small,
    }


def _no_grad(lib, a, b):
    with lib.no_grad():
        return a + b


def measure(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=7, timer=CLOCK)) / number


def main() -> None:
    ours, theirs = cases(gg), cases(torch)
    print(f"per-call time on tiny (4x4) float32 tensors, torch threads={THREADS}")
    print(f"{'op':<20}{'glassgrad':>12}{'torch':>12}{'ratio':>8}")
    ratios = []
    for name in ours:
        for fn in (ours[name], theirs[name]):
            measure(fn, 200)  # warm-up
        number = 2000 if "bwd" not in name else 500
        t_ours, t_theirs = measure(ours[name], number), measure(theirs[name], number)
        ratios.append(t_ours / t_theirs)
        print(f"{name:<20}{t_ours * 1e6:>10.2f}us{t_theirs * 1e6:>10.2f}us{t_ours / t_theirs:>8.2f}")
    print(f"{'geometric mean':<44}{np.exp(np.mean(np.log(ratios))):>8.2f}")


if __name__ == "__main__":
    main()
