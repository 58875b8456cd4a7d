"""Optimizer step time, glassgrad vs torch.optim, on model-shaped parameter lists.

Run: ``python benchmarks/optim.py``. Scenarios: 8 weight matrices of 512x256 (1M floats, memory-bound),
100 tiny tensors of 32 floats (biases and norms: Python-bound), and both together. Every parameter has a
gradient; each step updates in place. torch runs with ``foreach=False`` (its per-tensor loop), with its
default (on the CPU also the per-tensor loop) and with ``foreach=True`` (its multi-tensor kernels), limited
to ``BENCH_THREADS`` threads (default 1: NumPy's elementwise kernels use one). The ratio is glassgrad time /
torch time (below 1: glassgrad is faster).
"""
from __future__ import annotations

import os
import timeit

import numpy as np
import torch

import glassgrad as gg

THREADS = int(os.environ.get("BENCH_THREADS", "1"))
torch.set_num_threads(THREADS)

SCENARIOS = {
    "8 x 512x256": [(512, 256)] * 8,
    "100 x 32": [(32,)] * 100,
    "both": [(512, 256)] * 8 + [(32,)] * 100,
}
OPTIMIZERS = {
    "SGD momentum": ("SGD", dict(lr=1e-3, momentum=0.9)),
    "Adam": ("Adam", dict(lr=1e-3)),
    "AdamW": ("AdamW", dict(lr=1e-3)),
    "RMSprop": ("RMSprop", dict(lr=1e-3)),
    "Adagrad": ("Adagrad", dict(lr=1e-3)),
}


def build(lib, shapes, name, options):
    rng = np.random.default_rng(0)
    params = []
    for shape in shapes:
        p = lib.from_numpy(rng.standard_normal(shape).astype(np.float32)).requires_grad_()
        p.grad = lib.from_numpy(rng.standard_normal(shape).astype(np.float32))
        params.append(p)
    return getattr(lib.optim, name)(params, **options)


def measure(opt, number: int) -> float:
    opt.step()  # warm-up: state made, plans built
    return min(timeit.repeat(opt.step, number=number, repeat=5)) / number


def main() -> None:
    print(f"optimizer step time (us), float32, torch threads={THREADS}; ratio = glassgrad / torch")
    header = f"{'case':<28}{'glassgrad':>10}{'t loop':>10}{'t default':>10}{'t foreach':>10}" \
             f"{'/loop':>8}{'/default':>9}{'/foreach':>9}"
    print(header)
    for scenario, shapes in SCENARIOS.items():
        number = 20 if "512" in scenario or scenario == "both" else 200
        for label, (name, options) in OPTIMIZERS.items():
            ours = measure(build(gg, shapes, name, options), number)
            theirs = [measure(build(torch, shapes, name, {**options, **extra}), number)
                      for extra in ({"foreach": False}, {}, {"foreach": True})]
            ratios = "".join(f"{ours / t:>{w}.2f}" for t, w in zip(theirs, (8, 9, 9)))
            print(f"{scenario + ', ' + label:<28}{ours * 1e6:>10.0f}"
                  + "".join(f"{t * 1e6:>10.0f}" for t in theirs) + ratios)


if __name__ == "__main__":
    main()
