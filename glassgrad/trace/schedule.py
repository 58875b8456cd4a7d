"""When to take snapshots: every N steps, or on a log scale so that early learning is dense."""
from __future__ import annotations

import numpy as np


def snapshot_steps(policy: str | int, total_steps: int | None, max_snapshots: int = 60) -> set[int] | int:
    """The steps to snapshot (a set), or, for ``every N``, the int N.

    ``"log"`` with a known ``total_steps`` spreads ``max_snapshots`` steps geometrically from 1 to the end;
    with an unknown total, it takes steps ~1.25x apart for ever. Step 0 (before training) is always in.

    >>> sorted(snapshot_steps("log", 100, 10))
    [0, 1, 2, 3, 5, 8, 13, 22, 36, 60, 100]
    >>> snapshot_steps(50, None)
    50
    """
    if isinstance(policy, int) and not isinstance(policy, bool):
        if policy < 1:
            raise ValueError(f"Recorder: snapshots every N steps needs N >= 1, got {policy}")
        return policy
    if policy != "log":
        raise ValueError(f"Recorder: snapshots must be 'log' or a number of steps, got {policy!r}")
    if max_snapshots < 2:
        raise ValueError(f"Recorder: max_snapshots must be >= 2, got {max_snapshots}")
    if total_steps:
        steps = np.unique(np.round(np.geomspace(1, total_steps, max_snapshots)).astype(int))
    else:
        steps = np.unique(np.round(1.25 ** np.arange(0, 120)).astype(np.int64))
    return {0} | {int(s) for s in steps}


def is_due(schedule, step: int) -> bool:
    if isinstance(schedule, int):
        return step % schedule == 0
    return step in schedule


def graph_due(index: int, planned: int | None, max_graphs: int) -> bool:
    """Whether snapshot number ``index`` (0 = the first) also captures the step's graph: of ``planned``
    snapshots, ``max_graphs`` evenly spread from the first to the last; with an open-ended schedule
    (``planned`` None: every N steps, or log with no total), snapshots 0, 1, 2, 4, 8, … (the final one
    at close always captures one). A graph costs about as much as the rest of a snapshot and a viewer
    looks at a few of them, so most snapshots go without.

    >>> [k for k in range(11) if graph_due(k, 11, 4)]
    [0, 3, 7, 10]
    >>> [k for k in range(10) if graph_due(k, None, 4)]
    [0, 1, 2, 4, 8]
    """
    if max_graphs < 1:
        return False
    if planned is None:
        return index & (index - 1) == 0
    last = planned - 1
    return index in {int(k) for k in np.round(np.linspace(0, last, min(max_graphs, planned)))}
