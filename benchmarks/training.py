"""Whole training steps, glassgrad vs torch in one process: forward, loss, backward, optimizer step, zero_grad.

Run: ``python benchmarks/training.py`` (``make bench`` runs it at 1 and at 2 threads). Options, from the
environment:

* ``BENCH_THREADS=n`` (default 1): NumPy's BLAS threads (OPENBLAS/OMP/MKL_NUM_THREADS, set before NumPy
  loads) and ``torch.set_num_threads(n)``: the same count for both.
* ``BENCH_ONLY=mlp,cnn`` runs only those workloads; ``BENCH_LIB=glassgrad`` (or ``torch``) times one
  library alone. With several threads the two libraries' thread pools share this process: after its
  last call each pool's workers spin for a while (OpenBLAS's ~0.1 s) and take the cores the other
  library needs, so the blocks are separated by a pause (``BENCH_PAUSE`` seconds, default 0.3); timing
  each library alone checks that nothing of that interference is left in a ratio.
* ``BENCH_CLOCK=cpu`` or ``wall``: CPU time by default at 1 thread (steadier on a busy machine), wall
  time with more.
* ``BENCH_STEPS=n`` scales the number of timed steps (default 1.0 = the per-workload counts below);
  ``BENCH_MEMORY=0`` skips the memory columns.

Workloads (random data of the real shapes; timings do not depend on the values):

* mlp: Fashion-MNIST MLP 784-256-128-10, ReLU, batch 128, cross-entropy, Adam.
* cnn: Fashion-MNIST CNN, batch 128 of 1x28x28: conv 32 3x3 pad 1, ReLU, maxpool 2, conv 64 3x3 pad 1,
  ReLU, maxpool 2, linear 3136->128, ReLU, linear 128->10; cross-entropy, Adam.
* gpt: decoder-only transformer (nanoGPT's layout, pre-norm, GELU MLP 4x, tied nothing): vocab 65,
  block 128, 4 layers, 4 heads, embed 128, batch 32, no dropout; cross-entropy, AdamW.
* tiny-mlp: 2-16-16-3, tanh, batch 32, Adam: overhead-bound (a few microseconds of arithmetic per step).
* tiny-gpt: the transformer with 1 layer, 2 heads, embed 32, block 16, batch 8: overhead-bound too.

Both libraries start from the same weights (glassgrad's initialisation copied into torch) and see the same
batches. Timing: blocks of steps alternate between the libraries (the machine's load hits both alike);
every step is timed, the first step of each block dropped (it pays for the other library's threads still
spinning), and the median over the rest is reported, in ms per step. The ratio is glassgrad / torch:
below 1, glassgrad is faster.

Memory: the peak of what one training step allocates on top of what is held before it (weights and
optimizer state; the gradients are made inside the step, since zero_grad sets them to None). glassgrad:
tracemalloc's peak (NumPy reports every array buffer to it). torch: its profiler's memory events (every
allocation and free of its CPU allocator, i.e. every tensor's storage; the running total's peak). Both
count live array/tensor bytes: neither counts BLAS's internal work buffers, the allocators' caches or page
granularity, so the two are like for like, with one difference that only the tiny models show:
tracemalloc also counts glassgrad's Python objects (graph nodes, tensors: ~10 KiB for tiny-mlp), torch's
profiler none of its C++ autograd nodes; there the ratio overstates glassgrad's array memory.

Importing glassgrad tunes glibc's allocator for the whole process (glassgrad/backend.py), so torch runs
with it too; ``GLASSGRAD_TUNE_MALLOC=0`` runs both with glibc's defaults.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc

THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS  # before NumPy (and torch) load their thread pools

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's glassgrad
import glassgrad as gg  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402  (benchmarks/models.py: the workloads, written once for both libraries)
from torch_memory import profiler_peak  # noqa: E402  (benchmarks/torch_memory.py)

torch.set_num_threads(int(THREADS))

# The process's CPU time at 1 thread: steadier than wall time on a machine other jobs share (it leaves out
# the time spent waiting for a core), and equal to the wall time of an idle machine. With more threads,
# wall time (CPU time would count the workers' spinning). BENCH_CLOCK=cpu or wall chooses.
CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}[
    os.environ.get("BENCH_CLOCK", "cpu" if THREADS == "1" else "wall")]

# With several threads, a pause between blocks: after its last call OpenBLAS's workers spin for about
# 2**28 cycles (~0.1 s) and torch's OpenMP workers for a shorter while, taking the cores the other
# library's next block needs (measured: the MLP at 2 threads ran 60 ms/step instead of 1.5 ms alone).
PAUSE = float(os.environ.get("BENCH_PAUSE", "0.3"))

# name: (steps per block, blocks); blocks alternate between the libraries
PLAN = {"mlp": (10, 8), "cnn": (3, 6), "gpt": (2, 5), "tiny-mlp": (100, 8), "tiny-gpt": (30, 8)}


class Workload:
    """One library's model, optimizer and batches for a workload, and its training step."""

    def __init__(self, lib, name: str, reference: "Workload | None" = None):
        self.lib, self.name = lib, name
        self.model, self.make_opt, self.batches = models.build(lib, name)
        if reference is not None:  # start from the other library's weights
            state = {k: torch.from_numpy(v.numpy().copy()) for k, v in reference.model.state_dict().items()}
            self.model.load_state_dict(state)
        self.opt = self.make_opt(self.model.parameters())
        self.loss_fn = (gg.nn.functional if lib is gg else torch.nn.functional).cross_entropy
        self.i = 0

    def step(self) -> None:
        x, y = self.batches[self.i % len(self.batches)]
        self.i += 1
        logits = self.model(x)
        loss = self.loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()


def time_block(work: Workload, steps: int) -> list[float]:
    times = []
    for _ in range(steps):
        start = CLOCK()
        work.step()
        times.append(CLOCK() - start)
    return times[1:]  # the first step of a block pays for the other library's spinning threads


def race(name: str, libs: list) -> dict:
    """Median ms/step of each library in ``libs``, blocks alternating."""
    per_block, blocks = PLAN[name]
    scale = float(os.environ.get("BENCH_STEPS", "1"))
    per_block, blocks = max(2, round(per_block * scale ** 0.5)), max(1, round(blocks * scale ** 0.5))
    works = {}
    for lib in libs:
        works[lib] = Workload(lib, name, reference=works.get(gg))
    for work in works.values():  # warm-up: optimizer state made, caches filled
        for _ in range(3):
            work.step()
    times = {lib: [] for lib in libs}
    for _ in range(blocks):
        for lib, work in works.items():
            if len(libs) > 1 and int(THREADS) > 1:
                time.sleep(PAUSE)  # let the other library's pool stop spinning (see the module doc)
            times[lib] += time_block(work, per_block + 1)
    return {lib: float(np.median(t)) * 1e3 for lib, t in times.items()}


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
    """Peak of the running total of torch's CPU allocator over one step (profiler memory events)."""
    work = Workload(torch, name)
    for _ in range(2):
        work.step()
    return profiler_peak(work.step)


def main() -> None:
    names = [n for n in os.environ.get("BENCH_ONLY", ",".join(PLAN)).split(",") if n]
    only = os.environ.get("BENCH_LIB")
    libs = [gg, torch] if not only else [gg if only == "glassgrad" else torch]
    memory = os.environ.get("BENCH_MEMORY", "1") != "0" and not only
    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"training steps, glassgrad vs torch {torch.__version__}, {THREADS} thread(s), float32; "
          f"median {clock} ms/step" + (f", {only} alone" if only else ""))
    header = f"{'workload':<10}{'glassgrad':>11}{'torch':>11}{'ratio':>8}"
    print(header + (f"{'peak MiB gg':>13}{'torch':>8}{'ratio':>7}" if memory else ""))
    for name in names:
        ms = race(name, libs)
        ours, theirs = ms.get(gg, float("nan")), ms.get(torch, float("nan"))
        row = f"{name:<10}{ours:>9.2f}ms{theirs:>9.2f}ms{ours / theirs:>8.2f}"
        if memory:
            m_ours, m_theirs = glassgrad_peak(name), torch_peak(name)
            row += f"{m_ours:>13.2f}{m_theirs:>8.2f}{m_ours / m_theirs:>7.2f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
