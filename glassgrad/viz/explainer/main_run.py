"""The deep dive's main run: the network of the config trained with ``fit`` and recorded by a Recorder.

Every section that shows "this network" (the forward pass, the chosen sample's loss, backpropagation,
the training loop) reads this run directory back, exactly as ``glassgrad explain --run`` reads a run the
user recorded themselves.
"""
from __future__ import annotations

import numpy as np

from .config import ExplainConfig, make_data, make_model, make_optimizer

MAX_SNAPSHOTS = 60
BOUNDARY_RESOLUTION = 48


def forward_samples(y: np.ndarray, per_class: int = 3) -> list[int]:
    """Probe indices the forward pass offers: the first ``per_class`` points of every class, interleaved
    (so that sample 0 of each group of classes is a different class).

    >>> forward_samples(np.array([2, 0, 0, 1, 2, 1]), per_class=1)
    [1, 3, 0]
    """
    groups = [np.flatnonzero(y == c)[:per_class] for c in range(int(y.max()) + 1)]
    out = []
    for k in range(per_class):
        out += [int(g[k]) for g in groups if k < len(g)]
    return out


def snapshot_every(steps_per_epoch: int, epochs: int, max_snapshots: int = MAX_SNAPSHOTS) -> int:
    """Snapshot every whole number of epochs, at most ``max_snapshots`` snapshots in all.

    >>> snapshot_every(13, 120), snapshot_every(13, 30)
    (26, 13)
    """
    return steps_per_epoch * max(1, -(-epochs // max_snapshots))


def train_main(config: ExplainConfig, run_dir, progress: bool = False):
    """Train and record the config's network; returns (the loaded Run, the model, the loss function)."""
    import glassgrad as gg
    from glassgrad import nn

    train, test = make_data(config)
    model = make_model(config)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.rate)
    loss_fn = nn.CrossEntropyLoss()
    gg.manual_seed(config.seed)
    loader = gg.data.DataLoader(train, batch_size=config.batch_size, shuffle=True)
    test_loader = gg.data.DataLoader(test, batch_size=len(test))
    x, y = train.tensors
    every = snapshot_every(len(loader), config.epochs)
    with gg.trace.Recorder(model, run_dir, optimizer=optimizer, probe=(x, y), loss_fn=loss_fn,
                           snapshots=every, boundary_resolution=BOUNDARY_RESOLUTION, landscape=True,
                           config=config.to_dict(), overwrite=True,
                           dataset={"name": config.dataset, "train_samples": len(train),
                                    "test_samples": len(test), "classes": config.classes}) as rec:
        gg.train.fit(model, loss_fn, optimizer, loader, epochs=config.epochs, val_loader=test_loader,
                     progress=progress, record=rec)
    return gg.trace.load_run(run_dir), model, loss_fn
