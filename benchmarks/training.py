"""Whole training steps, glassgrad vs PyTorch in one process, and what recording costs: ``make bench``.

Run: ``python benchmarks/training.py`` (``make bench`` runs it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
unset, as on a user's machine). Prints which BLAS kernel NumPy and torch use (threadpoolctl), the float32
matrix-multiply rate NumPy reaches here, then one row per workload (benchmarks/models.py: tiny, mlp, cnn,
gpt): steps/s of each library, the ratio glassgrad time / PyTorch time per step (below 1: glassgrad is
faster), each one's peak memory in a step, each one's mean loss over its last block of steps (after the
same steps from the same weights on the same batches: they must train alike for the comparison to be
honest), and the largest loss gap between the two over 30 steps of the same training in float64
(``float64_gap``). Then the mlp step's matrix-multiply FLOPs against that rate, and the mlp trained with a
Recorder against without.

Options, from the environment:

* ``BENCH_THREADS=n`` (default 2): NumPy's BLAS threads (OPENBLAS/OMP/MKL_NUM_THREADS, set before NumPy
  loads) and ``torch.set_num_threads(n)``: the same count for both.
* ``BENCH_ONLY=mlp,cnn`` runs only those workloads (``record`` is the recording row);
  ``BENCH_LIB=glassgrad`` (or ``torch``) times one library alone.
* ``BENCH_STEPS=x`` scales the number of timed and recorded steps and of the float64 check's (default 1;
  tests/benchmarks runs the whole table at 0.02); ``BENCH_MEMORY=0`` skips memory.

Timing: after warm-up, blocks of steps alternate between the libraries (the machine's load hits both
alike); every step is timed in wall time, the first step of each block dropped (it pays for the other
library's threads still spinning), and the median over the rest is reported. With several threads the two
libraries' pools share this process, and after its last call each pool's workers spin for a while
(OpenBLAS's ~0.1 s) on the cores the other library needs, so blocks are separated by a 0.3 s pause
(``BENCH_LIB`` times a library alone, to check that nothing of that interference is left in a ratio).

Memory: the peak of what one training step allocates on top of what is held before it (weights, optimizer
state). glassgrad: tracemalloc's peak (NumPy reports every array buffer to it). PyTorch: its profiler's
memory events (every allocation and free of its CPU allocator). Neither counts BLAS's work buffers or the
allocators' caches; tracemalloc also counts glassgrad's Python objects (graph nodes, tensors: ~10 KiB), the
profiler none of torch's C++ autograd nodes, so on ``tiny`` the ratio overstates glassgrad's memory.

Importing glassgrad tunes glibc's allocator for the whole process (glassgrad/backend.py), so torch runs
with it too; ``GLASSGRAD_TUNE_MALLOC=0`` runs both with glibc's defaults.
"""
from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
import tracemalloc

THREADS = os.environ.get("BENCH_THREADS", "2")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS  # before NumPy (and torch) load their thread pools

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's glassgrad
import glassgrad as gg  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402  (benchmarks/models.py: the workloads, written once for both libraries)
from torch_memory import profiler_peak  # noqa: E402  (benchmarks/torch_memory.py)

torch.set_num_threads(int(THREADS))
PAUSE = 0.3  # seconds between blocks with several threads (see the module doc)

# name: (steps per block, blocks); blocks alternate between the libraries
PLAN = {"tiny": (200, 12), "mlp": (25, 16), "cnn": (12, 12), "gpt": (8, 12)}
SCALE = float(os.environ.get("BENCH_STEPS", "1"))
# five Fashion-MNIST epochs at batch 128, in blocks of 50 steps
RECORD_STEPS, RECORD_BLOCK = max(100, round(2345 * SCALE)), 50
CHECK_STEPS = max(3, round(30 * SCALE))  # float64 steps of the loss-gap check


class Workload:
    """One library's model, optimizer and batches for a workload, and its training step."""

    def __init__(self, lib, name: str, reference: "Workload | None" = None, float64: bool = False):
        self.lib, self.name = lib, name
        self.model, self.make_opt, self.batches = models.build(lib, name)
        if float64:
            self.model.double()
            self.batches = [(x.double() if x.dtype == lib.float32 else x, y) for x, y in self.batches]
        if reference is not None:  # start from the other library's weights
            state = {k: torch.from_numpy(v.numpy().copy()) for k, v in reference.model.state_dict().items()}
            self.model.load_state_dict(state)
        self.opt = self.make_opt(self.model.parameters())
        self.loss_fn = (gg.nn.functional if lib is gg else torch.nn.functional).cross_entropy
        self.i, self.loss = 0, None

    def step(self) -> None:
        x, y = self.batches[self.i % len(self.batches)]
        self.i += 1
        logits = self.model(x)
        self.loss = self.loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        self.loss.backward()
        self.opt.step()
        self.opt.zero_grad()


def time_block(work: Workload, steps: int) -> tuple[list[float], list[float]]:
    """(seconds, loss) of each step but the first (it pays for the other library's spinning threads)."""
    times, losses = [], []
    for _ in range(steps):
        start = time.perf_counter()
        work.step()
        times.append(time.perf_counter() - start)
        losses.append(work.loss.item())  # outside the timing
    return times[1:], losses[1:]


def race(name: str, libs: list) -> tuple[dict, dict]:
    """(median ms/step, mean loss over the last block's steps) of each library in ``libs``, blocks
    alternating."""
    per_block, blocks = PLAN[name]
    per_block, blocks = max(2, round(per_block * SCALE ** 0.5)), max(1, round(blocks * SCALE ** 0.5))
    works = {}
    for lib in libs:
        works[lib] = Workload(lib, name, reference=works.get(gg))
    for work in works.values():  # warm-up: optimizer state made, caches filled
        for _ in range(3):
            work.step()
    times, losses = {lib: [] for lib in libs}, {}
    for _ in range(blocks):
        for lib, work in works.items():
            if len(libs) > 1 and int(THREADS) > 1:
                time.sleep(PAUSE)
            block_times, losses[lib] = time_block(work, per_block + 1)
            times[lib] += block_times
    return ({lib: float(np.median(t)) * 1e3 for lib, t in times.items()},
            {lib: float(np.mean(loss)) for lib, loss in losses.items()})


def float64_gap(name: str, steps: int = CHECK_STEPS) -> float:
    """The largest |loss glassgrad - loss torch| over ``steps`` steps in float64 from the same weights.
    In float32 the two runs drift apart over hundreds of steps (Adam turns a rounding-sized gradient into
    a full-sized step), so the float32 losses agree to a few digits only; in float64 they stay equal to
    rounding, which says the two compute the same training."""
    ours = Workload(gg, name, float64=True)
    theirs = Workload(torch, name, reference=ours, float64=True)
    gap = 0.0
    for _ in range(steps):
        ours.step()
        theirs.step()
        gap = max(gap, abs(ours.loss.item() - theirs.loss.item()))
    return gap


def glassgrad_peak(name: str) -> float:
    work = Workload(gg, name)
    for _ in range(2):
        work.step()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    work.step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2 ** 20


def torch_peak(name: str) -> float:
    work = Workload(torch, name)
    for _ in range(2):
        work.step()
    return profiler_peak(work.step)


def matmul_rate(n: int = 1024) -> float:
    """GFLOP/s of NumPy's float32 (n, n) @ (n, n), best of several."""
    a, b = (np.random.default_rng(k).standard_normal((n, n), dtype=np.float32) for k in (0, 1))
    best = float("inf")
    for _ in range(10):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best / 1e9


def recording_overhead() -> tuple[float, float, float]:
    """(ms/step off, ms/step on, run directory MB): the mlp workload trained twice side by side from the
    same weights, one with a Recorder at its default settings, in alternating blocks of steps (so the
    machine's load hits both alike). A recorded block's time includes the writer thread finishing its
    queue, and the recorded total includes opening the recorder (its step-0 snapshot)."""
    plain, recorded = Workload(gg, "mlp"), Workload(gg, "mlp")
    for work in (plain, recorded):
        for _ in range(3):
            work.step()
    folder = tempfile.mkdtemp()
    try:
        start = time.perf_counter()
        x, y = recorded.batches[0]
        rec = gg.trace.Recorder(recorded.model, os.path.join(folder, "run"), optimizer=recorded.opt,
                                probe=(x[:64], y[:64]), loss_fn=gg.nn.CrossEntropyLoss(),
                                total_steps=RECORD_STEPS).open()
        rec.writer.background.wait()
        on, off = time.perf_counter() - start, 0.0
        for first in range(0, RECORD_STEPS, RECORD_BLOCK):
            steps = min(RECORD_BLOCK, RECORD_STEPS - first)
            start = time.perf_counter()
            for _ in range(steps):
                plain.step()
            off += time.perf_counter() - start
            start = time.perf_counter()
            for _ in range(steps):
                recorded.step()
            rec.writer.background.wait()
            on += time.perf_counter() - start
        rec.close()
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    finally:
        shutil.rmtree(folder)
    return off / RECORD_STEPS * 1e3, on / RECORD_STEPS * 1e3, size / 1e6


def describe_machine() -> None:
    pools = threadpoolctl.threadpool_info()
    blas = [p for p in pools if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{name}: {os.environ.get(name, 'unset')}")
    for p in blas:
        print(f"NumPy {np.__version__} BLAS: {p['internal_api']} {p.get('version')}, kernel "
              f"{p.get('architecture')}, {p.get('threading_layer')}, {p['num_threads']} thread(s)")
    torch_blas = torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0]
    print(f"torch {torch.__version__}: BLAS {torch_blas}, {torch.get_num_threads()} thread(s); "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")


def main() -> None:
    names = [n for n in os.environ.get("BENCH_ONLY", ",".join([*PLAN, "record"])).split(",") if n]
    only = os.environ.get("BENCH_LIB")
    libs = [gg, torch] if not only else [gg if only == "glassgrad" else torch]
    memory = os.environ.get("BENCH_MEMORY", "1") != "0" and not only
    describe_machine()
    rate = matmul_rate()
    print(f"NumPy float32 matmul 1024x1024 @ 1024x1024: {rate:.1f} GFLOP/s\n")
    print(f"training steps, glassgrad vs torch, {THREADS} thread(s) each, float32, median wall time"
          + (f", {only} alone" if only else ""))
    print(f"{'workload':<10}{'steps/s gg':>11}{'torch':>9}{'ratio':>7}"
          + (f"{'peak MiB gg':>12}{'torch':>8}{'ratio':>7}" if memory else "")
          + f"{'loss gg':>10}{'torch':>9}" + ("" if only else f"{'f64 gap':>9}"))
    mlp_ms = None
    for name in [n for n in names if n in PLAN]:
        ms, loss = race(name, libs)
        ours, theirs = ms.get(gg, float("nan")), ms.get(torch, float("nan"))
        mlp_ms = ours if name == "mlp" else mlp_ms
        row = f"{name:<10}{1e3 / ours:>11.1f}{1e3 / theirs:>9.1f}{ours / theirs:>7.2f}"
        if memory:
            m_ours, m_theirs = glassgrad_peak(name), torch_peak(name)
            row += f"{m_ours:>12.2f}{m_theirs:>8.2f}{m_ours / m_theirs:>7.2f}"
        row += f"{loss.get(gg, float('nan')):>10.4f}{loss.get(torch, float('nan')):>9.4f}"
        if not only:
            row += f"{float64_gap(name):>9.0e}"
        print(row, flush=True)
    if mlp_ms is not None and not np.isnan(mlp_ms):
        achieved = models.matmul_flops("mlp") / (mlp_ms / 1e3) / 1e9
        print(f"\nmlp step: {models.matmul_flops('mlp') / 1e6:.0f} MFLOP of matrix products in {mlp_ms:.2f} ms "
              f"= {achieved:.1f} GFLOP/s, {100 * achieved / rate:.0f}% of the matmul rate above")
    if "record" in names:
        off, on, size = recording_overhead()
        print(f"\nmlp recorded (default Recorder, {RECORD_STEPS} steps, blocks of {RECORD_BLOCK} alternating): "
              f"{1e3 / off:.1f} steps/s off, {1e3 / on:.1f} on, overhead {100 * (on / off - 1):+.1f}%, "
              f"run directory {size:.0f} MB")


if __name__ == "__main__":
    main()
