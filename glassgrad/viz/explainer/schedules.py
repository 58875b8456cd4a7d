"""Section 5: five learning-rate schedules from the engine's schedulers, each training the same network.

Every run starts from the same weights and sees the same batches in the same order; only the schedule
differs. The rate drawn is the one the optimizer actually used at each step (read from its parameter
group before the step), so the curve is the scheduler's, not a formula re-typed for the picture.
"""
from __future__ import annotations

import numpy as np

from ..views.clean import clean
from ..views.curves import smooth
from .config import make_model, make_optimizer

SCHEDULES = ("constant", "step", "cosine", "warmup_cosine", "one_cycle")
LABELS = {"constant": "constant", "step": "step decay", "cosine": "cosine",
          "warmup_cosine": "warm-up, then cosine", "one_cycle": "one-cycle"}
CODE = {"constant": "no scheduler",
        "step": "StepLR(opt, step_size={third}, gamma=0.3)",
        "cosine": "CosineAnnealingLR(opt, T_max={total})",
        "warmup_cosine": "warmup_cosine(opt, warmup_steps={tenth}, total_steps={total})",
        "one_cycle": "OneCycleLR(opt, max_lr={peak:g}, total_steps={total})"}
PEAK_FACTOR = 3.0   # the schedules start (or peak) at 3x the config's rate: high enough that decay pays
SCHEDULE_EPOCHS = 30
MAX_POINTS = 300


def make_scheduler(name: str, optimizer, total: int, peak: float):
    from glassgrad.optim import lr_scheduler as ls
    if name == "constant":
        return None
    if name == "step":
        return ls.StepLR(optimizer, step_size=max(total // 3, 1), gamma=0.3)
    if name == "cosine":
        return ls.CosineAnnealingLR(optimizer, T_max=total)
    if name == "warmup_cosine":
        return ls.warmup_cosine(optimizer, warmup_steps=max(total // 10, 1), total_steps=total)
    if name == "one_cycle":
        return ls.OneCycleLR(optimizer, max_lr=peak, total_steps=total)
    raise ValueError(f"explain: unknown schedule {name!r}")


def schedule_run(config, train, test, name: str, epochs: int):
    """(lr used at each step, loss of each step, final test loss, final test accuracy)."""
    import glassgrad as gg
    from glassgrad import nn
    model = make_model(config)
    peak = config.rate * PEAK_FACTOR
    optimizer = make_optimizer(config.optimizer, model.parameters(), peak)
    gg.manual_seed(config.seed + 1)  # the same batches, in the same order, for every schedule
    loader = gg.data.DataLoader(train, batch_size=config.batch_size, shuffle=True)
    total = epochs * len(loader)
    scheduler = make_scheduler(name, optimizer, total, peak)
    loss_fn = nn.CrossEntropyLoss()
    lrs, losses = [], []
    for _ in range(epochs):
        for x, y in loader:
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            losses.append(float(loss.item()))
    logs = gg.train.evaluate(model, gg.data.DataLoader(test, batch_size=len(test)), loss_fn)
    code = CODE[name].format(third=max(total // 3, 1), total=total, tenth=max(total // 10, 1), peak=peak)
    return np.array(lrs), np.array(losses), logs, code


def schedules_view(config, train, test, epochs: int = SCHEDULE_EPOCHS, names=SCHEDULES) -> dict:
    """``steps`` (thinned to at most MAX_POINTS) and per schedule: ``lr``, ``loss`` (smoothed, as every
    step's loss of a mini-batch run is noisy), ``raw`` loss, final test loss and accuracy, its code."""
    runs = []
    steps = None
    for name in names:
        lrs, losses, logs, code = schedule_run(config, train, test, name, epochs)
        if steps is None:
            steps = np.unique(np.linspace(0, len(lrs) - 1, min(MAX_POINTS, len(lrs))).round().astype(int))
        runs.append({"name": name, "label": LABELS[name], "code": code, "lr": lrs[steps],
                     "loss": smooth(losses, 0.95)[steps], "raw": losses[steps],
                     "test_loss": logs["loss"], "test_accuracy": logs.get("accuracy")})
    return clean({"steps": steps + 1, "total_steps": int(steps[-1]) + 1, "epochs": epochs,
                  "optimizer": config.optimizer, "peak_lr": config.rate * PEAK_FACTOR, "runs": runs},
                 digits=5)
