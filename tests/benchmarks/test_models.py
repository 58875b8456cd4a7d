"""benchmarks/models.py's workloads train in the dtype they are given: no op, saved array, gradient or
optimizer state silently widens float32 to float64 (which would double memory traffic and hide in timings),
nor narrows float64."""
import os
import sys

import numpy as np
import pytest

import glassgrad as gg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "benchmarks"))
import models  # noqa: E402  (benchmarks/models.py)


class FloatWatcher:
    """Every float array the engine makes or keeps in a step, by where it was seen."""

    def __init__(self):
        self.seen = []

    def note(self, where, arrays):
        for a in arrays:
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                self.seen.append((where, a.dtype))

    def on_op(self, event):
        self.note(f"{event.op} output", [event.output.data])
        self.note(f"{event.op} saved", event.node.saved or ())

    def on_backward(self, event):
        self.note(f"{event.op} backward", [event.grad_output, *event.grad_inputs])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", models.NAMES)
def test_a_training_step_stays_in_its_dtype(name, dtype):
    model, make_opt, batches = models.build(gg, name)
    if dtype == "float64":
        model.double()
    opt = make_opt(model.parameters())
    watcher = FloatWatcher()
    for x, y in batches[:2]:
        x = x.double() if dtype == "float64" and x.dtype.kind == "f" else x
        with gg.autograd.events.listening(watcher):
            logits = model(x)
            loss = gg.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            loss.backward()
            opt.step()
    for name_, p in model.named_parameters():
        watcher.note(f"parameter {name_}", [p.data, p.grad.data])
    for state in opt.state.values():  # its step count is float32 whatever the weights, as torch's
        watcher.note("optimizer state", [v.data for k, v in state.items() if k != "step"])
    assert watcher.seen
    wrong = sorted({where for where, seen in watcher.seen if seen != np.dtype(dtype)})
    assert not wrong, f"not {dtype}: {wrong}"
