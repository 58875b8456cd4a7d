"""Convolution and pooling speed and memory: glassgrad vs torch on the layers of two small CNNs.

Run: ``python benchmarks/conv.py`` (``BENCH_THREADS=n`` to choose the thread count, default all cores;
``BENCH_CLOCK=cpu`` for CPU time instead of wall time; ``BENCH_REPEAT=n`` repeats; ``BENCH_DETAIL=0`` for
the stacks only, without per-layer rows and memory).

* fashion: batch 128 of 1x28x28, conv 1->32 3x3 pad 1, relu, maxpool 2, conv 32->64 3x3 pad 1, relu,
  maxpool 2 (the stack of a Fashion-MNIST CNN, without its linear head).
* cifar: batch 64 of 3x32x32, conv 3->16, relu, maxpool 2, conv 16->32, relu, maxpool 2.

Times: forward + backward (from a fixed random upstream gradient, weights' ``.grad`` reset each step),
best of several repeats after warm-up, both libraries in this one process, alternating run by run (so a
busy machine slows both alike), with NumPy's BLAS and torch limited to the same thread count. The
stacks include relu (glassgrad's elementwise op). With more than one thread, the two libraries' thread
pools (OpenBLAS's, torch's OpenMP) share this process and get in each other's way; for scaling, time
each library alone too. On a machine shared with other jobs, ``BENCH_THREADS=1 BENCH_CLOCK=cpu`` gives
the steadiest ratios; ``BENCH_ONLY=glassgrad`` (or ``torch``) times one library's stacks alone. Per-layer
rows time each op alone (its forward, then its backward), on the input it gets in the stack (the conv
outputs' memory layout included).

Memory: the peak of the memory allocated during one forward + backward, above what was held before it
(inputs and weights). For glassgrad, tracemalloc's peak over the NumPy arrays it allocates; for torch,
its profiler's memory events (the running total of its CPU allocator). Both count live tensor/array
bytes, not allocator caching or page granularity. glassgrad's extra is mostly the transient patch
gradient of the conv backward (C*kh*kw times the layer's input).
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc

THREADS = int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))
os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)  # before NumPy loads its BLAS
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import glassgrad as gg  # noqa: E402
from glassgrad.ops.pool import max_pool2d  # noqa: E402
from torch_memory import profiler_peak  # noqa: E402  (benchmarks/torch_memory.py)

torch.set_num_threads(THREADS)

DETAIL = os.environ.get("BENCH_DETAIL", "1") != "0"  # 0: the stacks' times only (a quick run)
CASES = {  # name: (batch, in_channels, size, (channels of conv 1, channels of conv 2))
    "fashion": (128, 1, 28, (32, 64)),
    "cifar": (64, 3, 32, (16, 32)),
}


def build(lib, case):
    """Inputs, parameters and the upstream gradient of ``case``, identical in both libraries."""
    n, c, size, (c1, c2) = CASES[case]
    rng = np.random.default_rng(0)
    arrays = {
        "x": rng.standard_normal((n, c, size, size)),
        "w1": rng.standard_normal((c1, c, 3, 3)) * 0.3, "b1": rng.standard_normal(c1) * 0.1,
        "w2": rng.standard_normal((c2, c1, 3, 3)) * 0.1, "b2": rng.standard_normal(c2) * 0.1,
        "up": rng.standard_normal((n, c2, size // 4, size // 4)),
    }
    make = gg.from_numpy if lib is gg else torch.from_numpy
    t = {k: make(v.astype(np.float32)) for k, v in arrays.items()}
    for k in ("w1", "b1", "w2", "b2"):
        t[k].requires_grad_(True)
    return t


def stack(lib, t):
    conv, pool = (gg.conv2d, max_pool2d) if lib is gg else (F.conv2d, F.max_pool2d)
    h = pool(conv(t["x"], t["w1"], t["b1"], padding=1).relu(), 2)
    return pool(conv(h, t["w2"], t["b2"], padding=1).relu(), 2)


def step(lib, t):
    for k in ("w1", "b1", "w2", "b2"):
        t[k].grad = None
    stack(lib, t).backward(t["up"])


def layers(lib, t):
    """(name, forward thunk, tensors to differentiate) per layer, each on the input it sees in the
    stack. The gradients are returned (autograd.grad), not accumulated: in the stack these inputs are
    not leaves, so no ``.grad`` copy of them is ever made."""
    conv, pool = (gg.conv2d, max_pool2d) if lib is gg else (F.conv2d, F.max_pool2d)
    with (gg.no_grad() if lib is gg else torch.no_grad()):
        a1 = conv(t["x"], t["w1"], t["b1"], padding=1).relu()
        p1 = pool(a1, 2)
        a2 = conv(p1, t["w2"], t["b2"], padding=1).relu()
    a1.requires_grad_(True), p1.requires_grad_(True), a2.requires_grad_(True)
    return [
        ("conv1", lambda: conv(t["x"], t["w1"], t["b1"], padding=1), [t["w1"], t["b1"]]),
        ("pool1", lambda: pool(a1, 2), [a1]),
        ("conv2", lambda: conv(p1, t["w2"], t["b2"], padding=1), [p1, t["w2"], t["b2"]]),
        ("pool2", lambda: pool(a2, 2), [a2]),
    ]


# BENCH_CLOCK=cpu times by the process's CPU time: on a machine other jobs share it is steadier than
# wall time, and with one thread (BENCH_THREADS=1) it equals the wall time of an idle machine.
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter


def timed(fn) -> float:
    start = CLOCK()
    fn()
    return CLOCK() - start


def race(ours, theirs, repeat: int) -> tuple[float, float]:
    """Best times of two thunks run alternately (the machine's load hits both alike)."""
    ours(), theirs()
    t_ours, t_theirs = [], []
    for _ in range(repeat):
        t_ours.append(timed(ours))
        t_theirs.append(timed(theirs))
    return min(t_ours), min(t_theirs)


def backward_thunk(lib, forward, wrt):
    """A thunk that times one backward of ``forward()`` (the forward itself is not timed)."""
    out = forward()
    out = out.data if lib is gg else out.detach().numpy()
    up = np.empty_like(out)  # in the output's memory layout, as the layer above would send it
    up[...] = np.random.default_rng(1).standard_normal(out.shape)
    up = gg.from_numpy(up) if lib is gg else torch.from_numpy(up)
    grad = gg.autograd.grad if lib is gg else torch.autograd.grad
    outs = []

    def run():
        out = outs.pop()
        start = CLOCK()
        grad(out, wrt, up)
        return CLOCK() - start

    return outs, forward, run


def race_backward(ours, theirs, repeat: int) -> tuple[float, float]:
    (o_outs, o_fwd, o_run), (t_outs, t_fwd, t_run) = ours, theirs
    t_ours, t_theirs = [], []
    for _ in range(repeat + 1):
        o_outs.append(o_fwd())
        t_ours.append(o_run())
        t_outs.append(t_fwd())
        t_theirs.append(t_run())
    return min(t_ours[1:]), min(t_theirs[1:])


def tracemalloc_peak(case) -> float:
    t = build(gg, case)
    step(gg, t)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    step(gg, t)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2 ** 20


def torch_profiler_peak(case) -> float:
    """Peak of the bytes torch's CPU allocator holds for tensors made during one step (its profiler's
    memory events: the running "Total Allocated" of a step, from zero at its start)."""
    t = build(torch, case)
    step(torch, t)
    for k in ("w1", "b1", "w2", "b2"):
        t[k].grad = None
    return profiler_peak(lambda: step(torch, t))


def alone(name: str, repeat: int) -> None:
    lib = gg if name == "glassgrad" else torch
    for case in CASES:
        t = build(lib, case)
        step(lib, t)
        best = min(timed(lambda: step(lib, t)) for _ in range(repeat))
        print(f"{name} alone, {THREADS} thread(s), {case}: fwd+bwd stack {best * 1e3:.2f}ms")


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "10"))
    if os.environ.get("BENCH_ONLY"):
        alone(os.environ["BENCH_ONLY"], repeat)
        return
    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"glassgrad vs torch {torch.__version__}, {THREADS} thread(s), float32; best of {repeat}, "
          f"{clock} time")
    for case in CASES:
        n, c, size, chans = CASES[case]
        ours, theirs = build(gg, case), build(torch, case)
        t_ours, t_theirs = race(lambda: step(gg, ours), lambda: step(torch, theirs), repeat)
        print(f"\n{case}: batch {n}, {c}x{size}x{size}, conv->relu->pool x2 ({c}->{chans[0]}->{chans[1]})")
        print(f"  {'':<18}{'glassgrad':>11}{'torch':>11}{'ratio':>8}")
        print(f"  {'fwd+bwd stack':<18}{t_ours * 1e3:>9.2f}ms{t_theirs * 1e3:>9.2f}ms"
              f"{t_ours / t_theirs:>8.2f}")
        per_layer = zip(layers(gg, ours), layers(torch, theirs)) if DETAIL else ()
        for (name, f_ours, w_ours), (_, f_theirs, w_theirs) in per_layer:
            fo, ft = race(f_ours, f_theirs, repeat)
            bo, bt = race_backward(backward_thunk(gg, f_ours, w_ours),
                                   backward_thunk(torch, f_theirs, w_theirs), repeat)
            for what, a, b in (("fwd", fo, ft), ("bwd", bo, bt)):
                print(f"  {name + ' ' + what:<18}{a * 1e3:>9.2f}ms{b * 1e3:>9.2f}ms{a / b:>8.2f}")
        if not DETAIL:
            continue
        print(f"  peak memory allocated in a step: glassgrad {tracemalloc_peak(case):.1f} MiB "
              f"(tracemalloc), torch {torch_profiler_peak(case):.1f} MiB (torch profiler)")


if __name__ == "__main__":
    main()
