"""The forward pass through an MLP: neurons, links by weight, and a sample's numbers layer by layer.

For each snapshot and each chosen probe sample: every shown neuron's weighted sum z = Σ w·x + b, its
bias, and its activation a = f(z); the output's class probabilities against the true class. Models that
are not a chain of Linear layers and activations get a layer-level view instead (``kind: "layers"``).
"""
from __future__ import annotations

import numpy as np

from .clean import clean

ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "GELU": "gelu",
               "LeakyReLU": "leaky_relu", "SiLU": "silu", "Softplus": "softplus", "Identity": "identity"}
PASSIVE = {"Flatten", "Dropout", "Identity"}


def activation_curve(name: str, low: float = -4.0, high: float = 4.0, points: int = 81) -> list:
    """(x, f(x)) pairs of an activation function, computed by glassgrad's own op."""
    import glassgrad as gg
    x = gg.linspace(low, high, points)
    y = x if name == "identity" else getattr(gg, name)(x)
    return np.stack([x.data, y.data], axis=1)


def mlp_structure(manifest: dict) -> list[dict] | None:
    """The Linear layers in order, each with the activation that follows it; None if not an MLP."""
    layers = []
    for module in manifest["model"]["modules"]:
        cls = module["class"]
        if module["parameters"] == 0 and cls not in ACTIVATIONS and cls not in PASSIVE:
            continue  # containers (Sequential, the model class itself)
        if cls == "Linear":
            layers.append({"name": module["name"], "activation": None, "activation_module": None})
        elif cls in ACTIVATIONS and layers and layers[-1]["activation"] is None:
            layers[-1]["activation"] = ACTIVATIONS[cls]
            layers[-1]["activation_module"] = module["name"]
        elif cls not in PASSIVE and cls not in ACTIVATIONS:
            return None
    return layers or None


def _shown(size: int, cap: int) -> np.ndarray:
    return np.arange(size) if size <= cap else np.unique(np.linspace(0, size - 1, cap).astype(int))


def network_view(run, samples: list[int] | None = None, max_neurons: int = 16) -> dict:
    """Layout and per-snapshot values of the forward pass (see the module docstring)."""
    layers = mlp_structure(run.manifest)
    snaps = run.snapshots
    if layers is None or not snaps:
        return layer_view(run)
    probe = run.probe
    x = probe["x"].reshape(len(probe["x"]), -1)
    y = probe.get("y")
    samples = list(range(min(8, len(x)))) if samples is None else samples
    first = snaps[0].weights
    sizes = [first[layers[0]["name"] + ".weight"].shape[1]] + \
        [first[layer["name"] + ".weight"].shape[0] for layer in layers]
    shown = [_shown(n, max_neurons) for n in sizes]
    frames = []
    for snap in snaps:
        w, acts = snap.weights, snap.activations
        frame = {"step": snap.step, "loss": snap.meta.get("probe_loss"), "weights": [], "biases": [],
                 "samples": []}
        for k, layer in enumerate(layers):
            weight = w[layer["name"] + ".weight"]
            bias = w.get(layer["name"] + ".bias", np.zeros(weight.shape[0], weight.dtype))
            frame["weights"].append(weight[np.ix_(shown[k + 1], shown[k])])
            frame["biases"].append(bias[shown[k + 1]])
        probs = _probabilities(snap.output)
        for i in samples:
            sample = {"index": i, "x": x[i, shown[0]], "z": [], "a": []}
            for k, layer in enumerate(layers):
                z = acts[layer["name"]][i].reshape(-1)
                a = acts[layer["activation_module"]][i].reshape(-1) if layer["activation_module"] else z
                sample["z"].append(z[shown[k + 1]])
                sample["a"].append(a[shown[k + 1]])
            if probs is not None:
                sample["probs"] = probs[i]
                sample["prediction"] = int(np.argmax(probs[i]))
            if y is not None:
                sample["target"] = y[i].tolist()
            frame["samples"].append(sample)
        frames.append(frame)
    curves = {layer["activation"]: activation_curve(layer["activation"])
              for layer in layers if layer["activation"]}
    return clean({"kind": "mlp", "sizes": sizes, "shown": shown,
                  "layers": [{"name": l["name"], "activation": l["activation"]} for l in layers],
                  "activation_curves": curves, "frames": frames,
                  "parameter_count": run.manifest["model"]["parameter_count"]})


def _probabilities(output: np.ndarray | None) -> np.ndarray | None:
    if output is None or output.ndim != 2:
        return None
    from ...trace.probe import output_probabilities
    return output_probabilities(output)


def layer_view(run) -> dict:
    """Any model: its leaf modules in order with parameter counts and, per snapshot, output statistics."""
    modules = [m for m in run.manifest["model"]["modules"] if m["name"]]
    frames = []
    for snap in run.snapshots:
        tensors = snap.tensor_stats
        frames.append({"step": snap.step, "outputs": {
            m["name"]: {k: tensors[f"act/{m['name']}"][k] for k in ("mean", "std", "shape")}
            for m in modules if f"act/{m['name']}" in tensors}})
    return clean({"kind": "layers", "modules": modules, "frames": frames,
                  "parameter_count": run.manifest["model"]["parameter_count"]})
