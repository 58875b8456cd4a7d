"""From a checked playground configuration (see :mod:`glassgrad.web.schema`) to the real things: the
toy data split into train and test, an MLP, its loss, its optimizer and the learning rate at each step.

>>> from glassgrad.web.schema import DEFAULT_CONFIG
>>> data = make_data(DEFAULT_CONFIG)
>>> data.x_train.shape, data.x_test.shape, data.classes
((300, 2), (100, 2), 3)
>>> make_model(DEFAULT_CONFIG, data)
Sequential(
  (0): Linear(in_features=2, out_features=16, bias=True)
  (1): Tanh()
  (2): Linear(in_features=16, out_features=16, bias=True)
  (3): Tanh()
  (4): Linear(in_features=16, out_features=3, bias=True)
)  # 371 parameters
>>> [round(lr_at(dict(DEFAULT_CONFIG, schedule="cosine"), t), 4) for t in (0, 1500, 3000, 9000)]
[0.02, 0.01, 0.0, 0.0]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import glassgrad as gg
from glassgrad import nn
from glassgrad.data import toy
from glassgrad.nn import functional as F
from glassgrad.optim import schedules

from .schema import task_of

ACTIVATION_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
                      "leaky_relu": nn.LeakyReLU, "linear": nn.Identity}
DATA_KWARGS = {"spiral": {"classes": 3}}


@dataclass
class Data:
    """The toy set split in two: the first ``1 - test_fraction`` of the (shuffled) points train."""
    name: str
    x_train: gg.Tensor
    y_train: gg.Tensor
    x_test: gg.Tensor
    y_test: gg.Tensor
    classes: int | None  # None for regression

    @property
    def regression(self) -> bool:
        return self.classes is None

    @property
    def inputs(self) -> int:
        return self.x_train.shape[1]


def make_data(config: dict) -> Data:
    name = config["dataset"]
    maker = getattr(toy, name)
    ds = maker(n_samples=config["samples"], noise=config["noise"], seed=config["seed"],
               **DATA_KWARGS.get(name, {}))
    x, y = ds.tensors
    n_train = min(max(1, int(round(len(x) * (1 - config["test_fraction"])))), len(x) - 1)
    return Data(name, x[:n_train], y[:n_train], x[n_train:], y[n_train:], ds.num_classes)


def make_model(config: dict, data: Data) -> nn.Sequential:
    """Linear layers of the configured widths, each hidden one followed by the activation.

    Initialised from ``config["seed"]`` through glassgrad's default generator, so the same configuration
    always starts from the same weights (the caller must not run other code drawing from it meanwhile).
    """
    gg.manual_seed(config["seed"])
    widths = [data.inputs, *config["hidden"], 1 if data.regression else data.classes]
    layers = []
    for k, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if k < len(widths) - 2:
            layers.append(ACTIVATION_MODULES[config["activation"]]())
    return nn.Sequential(*layers)


class ProbabilityLoss(nn.Module):
    """MSE or MAE between the softmax probabilities and the one-hot target: the classification losses
    of the early days, here to compare with cross-entropy."""

    def __init__(self, kind: str, classes: int):
        super().__init__()
        self.kind, self.classes = kind, classes

    def forward(self, output, target):
        probs = F.softmax(output, dim=1)
        onehot = F.one_hot(target, self.classes).float()
        return F.mse_loss(probs, onehot) if self.kind == "mse" else F.l1_loss(probs, onehot)

    def extra_repr(self) -> str:
        return f"{self.kind} on softmax probabilities, {self.classes} classes"


def make_loss(config: dict, data: Data) -> nn.Module:
    kind = config["loss"]
    if task_of(config["dataset"]) == "regression":
        return {"mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss}[kind]()
    if kind == "cross_entropy":
        return nn.CrossEntropyLoss()
    return ProbabilityLoss(kind, data.classes)


def make_optimizer(name: str, params, lr: float, weight_decay: float):
    if name == "sgd":
        return gg.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return gg.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return gg.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return gg.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"playground: unknown optimizer {name!r}")


OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum 0.9", "adam": "Adam", "adamw": "AdamW"}


def lr_at(config: dict, step: int) -> float:
    """The learning rate for training step ``step`` (0-based), from the pure schedules in
    :mod:`glassgrad.optim.schedules`; past ``total_steps`` a decaying schedule stays at its end."""
    base, total, kind = config["lr"], config["total_steps"], config["schedule"]
    t = min(step, total)
    if kind == "constant":
        return base
    if kind == "step":  # halve four times over the run
        return schedules.step_decay(t, step_size=max(1, total // 4), gamma=0.5, base=base)
    if kind == "cosine":
        return schedules.cosine(t, total, base=base)
    if kind == "warmup_cosine":
        return schedules.warmup_cosine(t, warmup=max(1, total // 10), total=total, base=base)
    raise ValueError(f"playground: unknown schedule {kind!r}")


def lr_plan(config: dict, points: int = 200) -> dict:
    """The whole planned schedule, for the learning-rate curve: ``{"steps": [...], "lr": [...]}``."""
    total = config["total_steps"]
    steps = np.unique(np.linspace(0, total, points).astype(int))
    return {"steps": steps, "lr": np.array([lr_at(config, int(t)) for t in steps])}
