"""Section 2: what a loss is. The chosen sample's loss over training, how MSE, cross-entropy and MAE grow
with the error (each computed by glassgrad's own loss functions), and a line fitted by the engine with MSE
and with MAE on data with outliers.
"""
from __future__ import annotations

import numpy as np

from ..views.clean import clean

REGRESSION_STEPS = 400
REGRESSION_LR = 0.05


def loss_shapes_view(points: int = 99) -> dict:
    """For a 3-class prediction that gives the true class probability ``p = 1 - error`` (the rest split
    evenly): the cross-entropy of the logits ``log p``, and the MSE and MAE of ``p`` against 1."""
    import glassgrad as gg
    from glassgrad.nn import functional as F
    error = np.linspace(0.0, 0.99, points)
    p = 1.0 - error
    probs = np.stack([p, error / 2, error / 2], axis=1).clip(1e-12)   # (points, 3)
    logits = gg.tensor(np.log(probs), dtype=gg.float64)
    target = gg.zeros(points, dtype=gg.int64)
    ce = F.cross_entropy(logits, target, reduction="none").numpy()
    truth = gg.ones(points, dtype=gg.float64)
    mine = gg.tensor(p, dtype=gg.float64)
    mse = F.mse_loss(mine, truth, reduction="none").numpy()
    mae = F.l1_loss(mine, truth, reduction="none").numpy()
    return clean({"error": error, "losses": {"cross_entropy": ce, "mse": mse, "mae": mae}}, digits=5)


def outlier_data(seed: int = 3, n: int = 40, outliers: int = 6):
    """Points near the line y = 0.6x + 0.2 over [-1, 1], and a few far above it at the right end."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    y = 0.6 * x + 0.2 + 0.08 * rng.standard_normal(n)
    is_outlier = np.zeros(n, bool)
    is_outlier[rng.choice(np.flatnonzero(x > 0.3), outliers, replace=False)] = True
    y[is_outlier] += rng.uniform(2.0, 3.0, outliers)
    return x.astype(np.float32), y.astype(np.float32), is_outlier


def fit_line(x, y, loss_name: str, steps: int = REGRESSION_STEPS, lr: float = REGRESSION_LR,
             frames: int = 80) -> dict:
    """Train ``nn.Linear(1, 1)`` from w = b = 0 with full-batch SGD on MSE or MAE; (w, b, loss) at
    ``frames`` steps evenly through training."""
    import glassgrad as gg
    from glassgrad import nn
    model = nn.Linear(1, 1)
    with gg.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    loss_fn = nn.MSELoss() if loss_name == "mse" else nn.L1Loss()
    optimizer = gg.optim.SGD(model.parameters(), lr=lr)
    xs, ys = gg.from_numpy(x[:, None]), gg.from_numpy(y[:, None])
    keep = set(np.linspace(0, steps, frames).round().astype(int).tolist())
    record = {"steps": [], "w": [], "b": [], "loss": []}
    for step in range(steps + 1):
        loss = loss_fn(model(xs), ys)
        if step in keep:
            record["steps"].append(step)
            record["w"].append(float(model.weight.data[0, 0]))
            record["b"].append(float(model.bias.data[0]))
            record["loss"].append(float(loss.item()))
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return record


def regression_view() -> dict:
    """The data with its outliers marked, and the MSE and MAE fits step by step."""
    x, y, is_outlier = outlier_data()
    return clean({"x": x, "y": y, "outlier": is_outlier.astype(np.int64),
                  "fits": {"mse": fit_line(x, y, "mse"), "mae": fit_line(x, y, "mae")},
                  "steps": REGRESSION_STEPS, "lr": REGRESSION_LR}, digits=5)


def sample_loss_view(run, samples: list[int]) -> dict | None:
    """Each chosen probe sample's own cross-entropy at every snapshot (from the recorded outputs), and its
    error, 1 - the softmax probability p of its true class, with the MSE and MAE of that p against 1 (the
    quantities section 2 compares), for classification runs; None otherwise."""
    import glassgrad as gg
    from glassgrad.nn import functional as F
    probe = run.probe
    if probe is None or probe.get("y") is None or probe["y"].dtype.kind not in "iu":
        return None
    steps, losses, errors, mse, mae = [], [], [], [], []
    index = np.asarray(samples, np.int64)
    for snap in run.snapshots:
        out = snap.output
        if out is None or out.ndim != 2 or out.shape[1] < 2:
            return None
        logits = gg.from_numpy(np.ascontiguousarray(out[index]))
        target = gg.from_numpy(probe["y"][index].astype(np.int64))
        losses.append(F.cross_entropy(logits, target, reduction="none").numpy())
        probs = F.softmax(logits, dim=1).numpy()
        p_true = gg.from_numpy(np.ascontiguousarray(probs[np.arange(len(index)), probe["y"][index]]))
        errors.append(1.0 - p_true.numpy())
        one = gg.ones(len(index), dtype=p_true.dtype)
        mse.append(F.mse_loss(p_true, one, reduction="none").numpy())
        mae.append(F.l1_loss(p_true, one, reduction="none").numpy())
        steps.append(snap.step)
    return clean({"samples": samples, "steps": steps, "loss": np.array(losses).T,
                  "error": np.array(errors).T, "mse": np.array(mse).T, "mae": np.array(mae).T}, digits=5)
