"""The fused nn kernels, forward + backward at training-like sizes, glassgrad vs torch in one process.

Run: ``python benchmarks/kernels.py``. Both libraries get the same thread count (BENCH_THREADS, default 1:
torch's intra-op threads and NumPy's BLAS threads), run alternately after warm-up, and each case is timed
as the best of several repeats. Prints a table; the ratio is glassgrad time / torch time.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's glassgrad
THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)  # before NumPy loads its BLAS

import timeit  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import glassgrad as gg  # noqa: E402
import glassgrad.nn.functional as GF  # noqa: E402

torch.set_num_threads(int(THREADS))
TF = torch.nn.functional


def _tensors(lib, shapes, seed=0):
    rng = np.random.default_rng(seed)
    make = gg.tensor if lib is gg else torch.tensor
    return [make(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in shapes]


def _const(lib, array):
    return gg.tensor(array) if lib is gg else torch.tensor(array)


def cases(lib):
    """name -> a function running one forward + backward in ``lib`` (glassgrad or torch)."""
    F = GF if lib is gg else TF
    rng = np.random.default_rng(1)
    out = {}

    def fwd_bwd(inputs, forward, upstream_shape=None):
        upstream = None if upstream_shape is None else _const(lib, rng.standard_normal(upstream_shape)
                                                              .astype(np.float32))

        def run():
            for t in inputs:
                t.grad = None
            y = forward(*inputs)
            y.backward(upstream) if upstream is not None else y.backward()
        return run

    logits, = _tensors(lib, [(256, 10)])
    out["softmax (256, 10)"] = fwd_bwd([logits], lambda x: F.softmax(x, -1), (256, 10))
    scores, = _tensors(lib, [(32, 64, 64)])
    out["softmax (32, 64, 64)"] = fwd_bwd([scores], lambda x: F.softmax(x, -1), (32, 64, 64))
    out["log_softmax (256, 10)"] = fwd_bwd([logits], lambda x: F.log_softmax(x, -1), (256, 10))

    target = _const(lib, rng.integers(0, 10, 256))
    out["cross_entropy (256, 10)"] = fwd_bwd([logits], lambda x: F.cross_entropy(x, target))
    big, = _tensors(lib, [(2048, 1000)])
    big_target = _const(lib, rng.integers(0, 1000, 2048))
    out["cross_entropy (2048, 1000)"] = fwd_bwd([big], lambda x: F.cross_entropy(x, big_target))
    out["cross_entropy smoothed"] = fwd_bwd(
        [big], lambda x: F.cross_entropy(x, big_target, label_smoothing=0.1))

    x, w, b = _tensors(lib, [(64, 128, 256), (256,), (256,)])
    out["layer_norm (64, 128, 256)"] = fwd_bwd([x, w, b], lambda *a: F.layer_norm(a[0], (256,), a[1], a[2]),
                                               (64, 128, 256))
    xb, wb, bb = _tensors(lib, [(64, 32, 16, 16), (32,), (32,)])
    mean, var = _const(lib, np.zeros(32, np.float32)), _const(lib, np.ones(32, np.float32))
    out["batch_norm (64, 32, 16, 16)"] = fwd_bwd(
        [xb, wb, bb], lambda *a: F.batch_norm(a[0], mean, var, a[1], a[2], training=True), (64, 32, 16, 16))

    q, k, v = _tensors(lib, [(8, 4, 64, 32)] * 3)
    out["sdpa (8, 4, 64, 32)"] = fwd_bwd([q, k, v], lambda *a: F.scaled_dot_product_attention(*a),
                                         (8, 4, 64, 32))
    out["sdpa causal"] = fwd_bwd([q, k, v], lambda *a: F.scaled_dot_product_attention(*a, is_causal=True),
                                 (8, 4, 64, 32))

    # The GPT workload's shapes (benchmarks/models.py: batch 16, context 64, d 128, 4 heads, MLP 512 wide)
    xg, wg, bg = _tensors(lib, [(16, 64, 128), (128,), (128,)])
    out["gpt layer_norm (16, 64, 128)"] = fwd_bwd(
        [xg, wg, bg], lambda *a: F.layer_norm(a[0], (128,), a[1], a[2]), (16, 64, 128))
    hidden, = _tensors(lib, [(16, 64, 512)])
    out["gpt gelu (16, 64, 512)"] = fwd_bwd([hidden], F.gelu, (16, 64, 512))
    qg, kg, vg = _tensors(lib, [(16, 4, 64, 32)] * 3)
    out["gpt sdpa causal (16, 4, 64, 32)"] = fwd_bwd(
        [qg, kg, vg], lambda *a: F.scaled_dot_product_attention(*a, is_causal=True), (16, 4, 64, 32))
    wl, bl = _tensors(lib, [(512, 128), (512,)])
    out["gpt linear 128 -> 512"] = fwd_bwd([xg, wl, bl], F.linear, (16, 64, 512))

    table, = _tensors(lib, [(1000, 64)])
    index = _const(lib, rng.integers(0, 1000, (32, 64)))
    out["embedding (1000, 64)[32, 64]"] = fwd_bwd([table], lambda t: F.embedding(index, t), (32, 64, 64))
    return out


def measure(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main() -> None:
    ours, theirs = cases(gg), cases(torch)
    print(f"forward + backward, float32, threads={THREADS}")
    print(f"{'kernel':<30}{'glassgrad':>12}{'torch':>12}{'ratio':>8}")
    ratios = []
    for name in ours:
        once = measure(theirs[name], 1)
        number = max(1, min(200, int(0.05 / max(once, 1e-7))))  # ~50 ms per repeat
        for fn in (ours[name], theirs[name]):
            measure(fn, number)  # warm-up
        t_ours, t_theirs = measure(ours[name], number), measure(theirs[name], number)
        ratios.append(t_ours / t_theirs)
        print(f"{name:<30}{t_ours * 1e6:>10.0f}us{t_theirs * 1e6:>10.0f}us{t_ours / t_theirs:>8.2f}")
    print(f"{'geometric mean':<54}{np.exp(np.mean(np.log(ratios))):>8.2f}")


if __name__ == "__main__":
    main()
