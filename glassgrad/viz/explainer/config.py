"""What the deep dive trains: the data set, the network, the optimizer, and how long.

Every choice has a default sized so that ``make demo`` (all the trainings behind every section) finishes
in seconds on a 2-core laptop: a 2-16-16-3 ReLU MLP learning a three-class spiral with AdamW.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

DATASETS = ("spiral", "moons", "circles", "xor", "blobs")
ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU",
               "leaky_relu": "LeakyReLU", "silu": "SiLU"}
# A learning rate that trains these small networks well, per optimizer (the "right" rate of section 4).
OPTIMIZERS = {"sgd": 0.5, "momentum": 0.05, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.005}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam", "adamw": "AdamW",
                    "rmsprop": "RMSprop"}


@dataclass
class ExplainConfig:
    """The deep dive's run. ``lr=None`` takes the optimizer's usual rate (``OPTIMIZERS``).

    >>> ExplainConfig(hidden=(8,)).describe()
    '2-8-3 relu MLP on spiral (400 training points), AdamW lr 0.01, 120 epochs'
    """
    dataset: str = "spiral"
    hidden: tuple = (16, 16)
    activation: str = "relu"
    optimizer: str = "adamw"
    epochs: int = 120
    lr: float | None = None
    batch_size: int = 32
    samples: int = 600          # train two thirds, test one third
    seed: int = 0
    extras: dict = field(default_factory=dict)

    def __post_init__(self):
        self.hidden = tuple(int(h) for h in self.hidden)
        if self.dataset not in DATASETS:
            raise ValueError(f"explain: dataset must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"explain: activation must be one of {', '.join(ACTIVATIONS)}, "
                             f"got {self.activation!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"explain: optimizer must be one of {', '.join(OPTIMIZERS)}, "
                             f"got {self.optimizer!r}")
        if not self.hidden or any(h < 1 or h > 256 for h in self.hidden) or len(self.hidden) > 6:
            raise ValueError(f"explain: hidden needs 1 to 6 layers of 1 to 256 neurons, got {self.hidden}")
        if self.epochs < 1 or self.batch_size < 1 or self.samples < 30:
            raise ValueError(f"explain: needs epochs >= 1, batch_size >= 1 and samples >= 30 (got "
                             f"{self.epochs}, {self.batch_size}, {self.samples})")
        if self.lr is not None and not self.lr > 0:
            raise ValueError(f"explain: lr must be positive, got {self.lr}")

    @property
    def rate(self) -> float:
        return self.lr if self.lr is not None else OPTIMIZERS[self.optimizer]

    @property
    def train_samples(self) -> int:
        return self.samples * 2 // 3

    def describe(self) -> str:
        sizes = "-".join(map(str, (2, *self.hidden, self.classes)))
        return (f"{sizes} {self.activation} MLP on {self.dataset} ({self.train_samples} training points), "
                f"{OPTIMIZER_LABELS[self.optimizer]} lr {self.rate:g}, {self.epochs} epochs")

    @property
    def classes(self) -> int:
        return 3 if self.dataset in ("spiral", "blobs") else 2

    def to_dict(self) -> dict:
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        out["lr"] = self.rate
        return out


def parse_hidden(text: str) -> tuple:
    """``"16,16"`` -> ``(16, 16)``.

    >>> parse_hidden("32, 8")
    (32, 8)
    """
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"explain: --hidden wants sizes separated by commas, like 16,16; got {text!r}") \
            from None


def make_data(config: ExplainConfig):
    """(train, test) TensorDatasets of the chosen toy set, split two thirds / one third."""
    import glassgrad as gg
    maker = getattr(gg.data, config.dataset)
    full = maker(n_samples=config.samples, seed=config.seed)
    x, y = full.tensors
    n = config.train_samples
    return gg.data.TensorDataset(x[:n], y[:n]), gg.data.TensorDataset(x[n:], y[n:])


def make_model(config: ExplainConfig, seed: int | None = None):
    """The MLP, initialised from ``seed`` (default: the config's), so that every run of a section can
    start from the very same weights."""
    import glassgrad as gg
    from glassgrad import nn
    gg.manual_seed(config.seed if seed is None else seed)
    sizes = (2, *config.hidden, config.classes)
    layers = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if k < len(sizes) - 2:
            layers.append(getattr(nn, ACTIVATIONS[config.activation])())
    return nn.Sequential(*layers)


def make_optimizer(name: str, params, lr: float):
    """An optimizer by the explainer's short name."""
    import glassgrad as gg
    if name == "sgd":
        return gg.optim.SGD(params, lr=lr)
    if name == "momentum":
        return gg.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return gg.optim.Adam(params, lr=lr)
    if name == "adamw":
        return gg.optim.AdamW(params, lr=lr, weight_decay=0.05)
    if name == "rmsprop":
        return gg.optim.RMSprop(params, lr=lr)
    raise ValueError(f"explain: unknown optimizer {name!r}")


def weights_of(model) -> list[np.ndarray]:
    return [p.data.copy() for p in model.parameters()]


def load_weights(model, weights) -> None:
    for p, w in zip(model.parameters(), weights):
        p.data[...] = w
