"""What recording costs: the MNIST-sized MLP trained with and without a Recorder, in one process.

Run: ``python benchmarks/recorder.py [--steps 400]``. Trains a 784-256-128-10 ReLU MLP with Adam on
Fashion-MNIST batches of 128 (random data of that shape if the data set is absent), alternating rounds
with the recorder off and on (default settings: scalars every step, log-spaced snapshots with weights,
gradients, probe activations and the step graph). Prints the time per step both ways, the overhead, the
one-off cost of closing (the loss landscape), and the size of the run directory.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import numpy as np

import glassgrad as gg
from glassgrad import nn


def batches(n_steps: int, batch: int = 128):
    try:
        data = gg.data.FashionMNIST(train=True, flatten=True)
        x, y = data.tensors
        x, y = x.data, y.data
    except Exception:  # noqa: BLE001 - any failure to find the data set: measure on random data instead
        rng = np.random.default_rng(0)
        x = rng.random((60000, 784), dtype=np.float32)
        y = rng.integers(0, 10, 60000)
    order = np.random.default_rng(1).permutation(len(x))
    for k in range(n_steps):
        idx = order[(k * batch) % (len(x) - batch):][:batch]
        yield gg.from_numpy(x[idx]), gg.from_numpy(y[idx])


def make():
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    return model, gg.optim.Adam(model.parameters(), lr=1e-3)


def train(model, optimizer, data) -> float:
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for x, y in data:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = list(batches(args.steps))
    probe = data[0]
    off, on, closing, size = [], [], [], 0
    for round_ in range(args.rounds):
        model, opt = make()
        train(model, opt, data[:20])  # warm-up
        off.append(train(model, opt, data) / args.steps)
        model, opt = make()
        train(model, opt, data[:20])
        folder = tempfile.mkdtemp()
        rec = gg.trace.Recorder(model, os.path.join(folder, "run"), optimizer=opt, probe=probe,
                                loss_fn=nn.CrossEntropyLoss(), total_steps=args.steps).open()
        on.append(train(model, opt, data) / args.steps)
        start = time.perf_counter()
        rec.close()
        closing.append(time.perf_counter() - start)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
        shutil.rmtree(folder)
    t_off, t_on = min(off), min(on)
    print(f"MLP 784-256-128-10, batch 128, Adam, {args.steps} steps, best of {args.rounds} rounds")
    print(f"  recorder off: {t_off * 1e3:.2f} ms/step")
    print(f"  recorder on:  {t_on * 1e3:.2f} ms/step  (overhead {100 * (t_on / t_off - 1):+.1f}%)")
    print(f"  closing (final snapshot + loss landscape): {min(closing):.2f} s once")
    print(f"  run directory: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
