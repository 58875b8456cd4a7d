"""What recording costs: the MNIST-sized MLP trained with and without a Recorder, in one process.

Run: ``python benchmarks/recorder.py [--epochs 5]``. Trains a 784-256-128-10 ReLU MLP with Adam on
Fashion-MNIST batches of 128 (random data of that shape if the data set is absent), alternating rounds
with the recorder off and on (default settings: scalars every step, log-spaced snapshots with weights,
gradients, probe activations and the step graph). Prints the time per step both ways, the overhead, the
one-off cost of closing (the loss landscape), and the size of the run directory.

Time is the process's CPU time (every thread, the recorder's writer thread included), with one BLAS
thread, so that other jobs on a shared machine do not change the answer; wall time is printed beside it.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: CPU time then means work done

import argparse
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


def train(model, optimizer, data, recorder=None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for the steps, including the recorder's writer finishing its queue."""
    loss_fn = nn.CrossEntropyLoss()
    cpu, wall = time.process_time(), time.perf_counter()
    for x, y in data:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    if recorder is not None:
        recorder.writer.background.wait()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=float, default=5, help="of 469 steps (Fashion-MNIST, batch 128)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.steps = int(args.epochs * 469)
    data = list(batches(args.steps))
    probe = (data[0][0][:64], data[0][1][:64])  # 64 samples, as fit(record=...) uses
    off, on, closing, size = [], [], [], 0
    for round_ in range(args.rounds):
        model, opt = make()
        train(model, opt, data[:20])  # warm-up
        off.append(np.array(train(model, opt, data)) / args.steps)
        model, opt = make()
        train(model, opt, data[:20])
        folder = tempfile.mkdtemp()
        rec = gg.trace.Recorder(model, os.path.join(folder, "run"), optimizer=opt, probe=probe,
                                loss_fn=nn.CrossEntropyLoss(), total_steps=args.steps).open()
        on.append(np.array(train(model, opt, data, rec)) / args.steps)
        start = time.perf_counter()
        rec.close()
        closing.append(time.perf_counter() - start)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
        shutil.rmtree(folder)
    (c_off, w_off), (c_on, w_on) = np.min(off, axis=0), np.min(on, axis=0)
    print(f"MLP 784-256-128-10, batch 128, Adam, {args.epochs:g} epochs = {args.steps} steps, best of "
          f"{args.rounds} rounds, 1 BLAS thread")
    print(f"  recorder off: {c_off * 1e3:.2f} ms/step CPU ({w_off * 1e3:.2f} wall)")
    print(f"  recorder on:  {c_on * 1e3:.2f} ms/step CPU ({w_on * 1e3:.2f} wall)  "
          f"overhead {100 * (c_on / c_off - 1):+.1f}% CPU ({100 * (w_on / w_off - 1):+.1f}% wall)")
    print(f"  closing (final snapshot + loss landscape): {min(closing):.2f} s once")
    print(f"  run directory: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
