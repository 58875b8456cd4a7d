"""One training iteration of an MLP in its four phases -- forward, loss, backward, update -- with the
real numbers of that step, for one sample of its batch.

``forward``: each layer's weighted sums z and activations a for the sample, layer by layer.
``loss``: the batch's loss, and the sample's output (scores, class probabilities, prediction, target).
``backward``: the gradient of the loss reaching each layer's output, in the order the engine's backward
walk delivered them (output layer first); it includes the batch mean's 1/N.
``update``: each weight before and after the optimizer's step, and the change; the gradients of the
whole batch that drove it.

Every array is cut to the shown neurons (``shown``, as in the network and neuron views).
"""
from __future__ import annotations

import numpy as np

from .clean import clean

PHASES = ["forward", "loss", "backward", "update"]


def _probabilities(scores: np.ndarray) -> np.ndarray:
    z = scores.astype(np.float64) - np.max(scores)
    e = np.exp(z)
    return e / e.sum()


def step_view(*, step, epoch, sample, batch_size, sizes, shown, layers, x, target, forward, output,
              classes, loss, loss_name, backward, grads, before, after, lr, optimizer) -> dict:
    """The view of one captured step (see the module docstring; :mod:`glassgrad.web.stepthrough`
    captures the arrays from a live session)."""
    cut = [np.asarray(s) for s in shown]

    def neurons(values, k):  # values of layer k's neurons (k = 0: the input)
        return None if values is None else np.asarray(values).reshape(-1)[cut[k]]

    def links(matrix, k):    # a Linear k's (out, in) matrix on the shown neurons
        return None if matrix is None else np.asarray(matrix)[np.ix_(cut[k + 1], cut[k])]

    out = np.asarray(output).reshape(-1)
    result = {"scores": out[cut[-1]]}
    if classes:
        probs = _probabilities(out)
        result.update(probs=probs[cut[-1]], prediction=int(np.argmax(probs)), target=int(target),
                      target_probability=float(probs[int(target)]))
    else:
        result.update(prediction=float(out[0]), target=float(np.asarray(target).reshape(-1)[0]))
    update = []
    for k, ((w0, b0), (w1, b1), (gw, gb)) in enumerate(zip(before, after, grads)):
        update.append({"weight_before": links(w0, k), "weight_after": links(w1, k),
                       "weight_delta": links(w1 - w0, k), "bias_before": neurons(b0, k + 1),
                       "bias_after": neurons(b1, k + 1), "bias_delta": neurons(b1 - b0, k + 1),
                       "weight_grad": links(gw, k), "bias_grad": neurons(gb, k + 1),
                       "grad_norm": float(np.sqrt((gw.astype(np.float64) ** 2).sum())) if gw is not None else None,
                       "delta_norm": float(np.sqrt(((w1 - w0).astype(np.float64) ** 2).sum()))})
    return clean({
        "kind": "step", "phases": PHASES, "step": step, "epoch": epoch, "sample": sample,
        "batch_size": batch_size, "sizes": sizes, "shown": cut, "layers": layers,
        "input": neurons(x, 0),
        "forward": [{"z": neurons(f["z"], k + 1), "a": neurons(f["a"], k + 1)} for k, f in enumerate(forward)],
        "output": result, "loss": {"value": loss, "name": loss_name, "batch_size": batch_size},
        "backward": [{"layer": b["layer"], "of": b["of"], "grad": neurons(b["grad"], b["layer"] + 1)}
                     for b in backward],
        "update": {"lr": lr, "optimizer": optimizer, "layers": update},
    })
