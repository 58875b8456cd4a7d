"""Where a glassgrad training step spends its time: cProfile over the steps of one benchmark workload.

Run: ``python benchmarks/profile_step.py cnn [steps]`` (workloads of benchmarks/models.py; threads as
benchmarks/training.py, BENCH_THREADS, default 2). Prints the functions with the most time of their own
(``tottime``) and the share of the step each takes.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("BENCH_THREADS", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cProfile  # noqa: E402
import pstats  # noqa: E402

import glassgrad as gg  # noqa: E402
from training import Workload  # noqa: E402  (sets the thread counts before NumPy loads)


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    work = Workload(gg, name)
    for _ in range(5):
        work.step()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(steps):
        work.step()
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"{name}: {steps} steps, {1e3 * total / steps:.2f} ms/step under the profiler")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:int(os.environ.get("TOP", "15"))]
    for (path, line, func), (_, calls, tottime, cumtime, _) in rows:
        where = f"{os.path.relpath(path) if path.startswith('/') else path}:{line}({func})"
        print(f"{100 * tottime / total:5.1f}%  {1e3 * tottime / steps:6.3f} ms  {calls // steps:4d}x  {where}")


if __name__ == "__main__":
    main()
