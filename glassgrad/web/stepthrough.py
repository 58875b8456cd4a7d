"""Step-through mode: one real training step of the session, watched phase by phase.

The step is the session's next ordinary step (its next mini-batch, its learning rate, its optimizer), so
stepping through changes the training exactly as the "one step" button does. Module hooks on the model's
own layers see it happen: forward hooks catch each layer's output as it is computed, backward pre-hooks
catch the gradient reaching each layer's output in the order the engine's backward walk delivers them
(output first), and the weights are copied on either side of ``optimizer.step()``.

>>> from glassgrad.web.schema import DEFAULT_CONFIG
>>> from glassgrad.web.trainer import Trainer
>>> view = step_through(Trainer(DEFAULT_CONFIG))
>>> view["phases"], view["step"]
(['forward', 'loss', 'backward', 'update'], 1)
>>> [(b["layer"], b["of"]) for b in view["backward"]]   # output layer first, as backward ran
[(2, 'z'), (1, 'a'), (1, 'z'), (0, 'a'), (0, 'z')]
"""
from __future__ import annotations

import math

import numpy as np

from glassgrad.viz.views.step import step_view

from .build import OPTIMIZER_LABELS


def _array(t):
    return None if t is None else np.asarray(getattr(t, "data", t))


def step_through(trainer, sample: int = 0) -> dict:
    """Take the session's next training step and return its phases as view data
    (:func:`glassgrad.viz.views.step.step_view`)."""
    from .trainer import Diverged
    if trainer.diverged:
        raise Diverged(trainer.diverged)
    model = trainer.model
    x, y = trainer.next_batch()
    sample = min(sample, len(x) - 1)
    outputs: dict[int, np.ndarray] = {}
    arrived: list[tuple[int, np.ndarray]] = []   # (module index, dL/d output) in the engine's order

    def keep_output(index):
        return lambda module, args, out: outputs.__setitem__(index, out.data)

    def keep_grad(index):
        return lambda module, grad_output: arrived.append((index, _array(grad_output[0])))

    handles = []
    for index, module in enumerate(model):
        handles.append(module.register_forward_hook(keep_output(index)))
        handles.append(module.register_full_backward_pre_hook(keep_grad(index)))
    lr = trainer.set_lr()
    try:
        trainer.optimizer.zero_grad()
        with np.errstate(all="ignore"):
            out = model(x)
            loss = trainer.loss_fn(out, y)
            loss.backward()
        grads = [(_array(m.weight.grad), _array(m.bias.grad)) for m in trainer._linears]
        before = [(m.weight.data.copy(), m.bias.data.copy()) for m in trainer._linears]
        trainer.optimizer.step()
        after = [(m.weight.data.copy(), m.bias.data.copy()) for m in trainer._linears]
    finally:
        for handle in handles:
            handle.remove()
    value = float(loss.item())
    grad_norm = math.sqrt(sum(float((g ** 2).sum()) for pair in grads for g in pair if g is not None))
    trainer.step += 1
    trainer.history.add_step(trainer.step, value, lr, grad_norm)
    if not math.isfinite(value):
        trainer.diverged = f"the loss became {value} at step {trainer.step}: lower the learning rate and reset"

    # Per Linear layer k: the index of its module, and of the activation after it (if any).
    linear_at = [int(layer["name"]) for layer in trainer.layers]
    layer_of = {}
    for k, i in enumerate(linear_at):
        layer_of[i] = (k, "z")
        if i + 1 < len(model) and i + 1 not in linear_at:
            layer_of[i + 1] = (k, "a")
    forward = []
    for k, i in enumerate(linear_at):
        z = outputs[i][sample]
        a = outputs[i + 1][sample] if layer_of.get(i + 1) == (k, "a") else None
        forward.append({"z": z, "a": a})
    backward = [{"layer": layer_of[i][0], "of": layer_of[i][1], "grad": g[sample]}
                for i, g in arrived if i in layer_of and g is not None]
    target = y.data[sample]
    return step_view(
        step=trainer.step, epoch=trainer.epoch, sample=sample, batch_size=len(x),
        sizes=trainer._neurons["sizes"], shown=trainer._neurons["shown"], layers=trainer.layers,
        x=x.data[sample], target=target, forward=forward, output=out.data[sample],
        classes=trainer.data.classes, loss=value, loss_name=trainer.config["loss"], backward=backward,
        grads=grads, before=before, after=after, lr=lr,
        optimizer=OPTIMIZER_LABELS[trainer.config["optimizer"]])
