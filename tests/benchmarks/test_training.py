"""benchmarks/training.py (`make bench`) runs whole, on a few steps: every row printed, the two libraries
training alike. Timings are printed, never asserted."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.slow
def test_make_bench_prints_every_workload_and_both_libraries_train_alike():
    env = dict(os.environ, BENCH_STEPS="0.02")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "training.py")], env=env,
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"NumPy \S+ BLAS: \w+ .*kernel \w+", out) and "GFLOP/s" in out
    for name in ("tiny", "mlp", "cnn", "gpt"):
        row = re.search(rf"^{name}\s+(.*)$", out, re.M)
        assert row, f"no {name} row in\n{out}"
        numbers = [float(v) for v in row.group(1).split()]
        steps_gg, steps_torch, ratio = numbers[:3]
        assert steps_gg > 0 and steps_torch > 0 and ratio == pytest.approx(steps_torch / steps_gg, rel=0.02)
        peak_gg, peak_torch, _, loss_gg, loss_torch, gap = numbers[3:]
        assert peak_gg > 0 and peak_torch > 0
        assert loss_gg == pytest.approx(loss_torch, rel=1e-3)  # a few steps: float32 has not drifted yet
        assert gap < 1e-9                                       # float64: the same training to rounding
    assert re.search(r"mlp step: \d+ MFLOP .* GFLOP/s, \d+% of the matmul rate", out)
    assert re.search(r"mlp recorded .* steps/s off, .* on, overhead [+-]\d+\.\d%, run directory \d+ MB", out)
