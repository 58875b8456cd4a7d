"""The data of every section, gathered from a recorded run (and, for the explainer's own run, the extra
trainings of sections 4 and 5). Sections that cannot be shown for a run get a plain-language reason in
``notes`` instead of data, and the others still render."""
from __future__ import annotations

from .. import views
from .backprop import recorded_graphs
from .losses import loss_shapes_view, regression_view, sample_loss_view
from .main_run import forward_samples

MAX_GRAPH_NODES = 60
NO_PROBE = ("This run was recorded without a probe batch, so it kept no snapshots to show {what} (record "
            "with Recorder(..., probe=(x, y), loss_fn=...) to keep them).")
SECTIONS = ("forward", "loss", "backprop", "descent", "schedules", "training")


def _classes(run) -> int | None:
    probe = run.probe
    if probe is None or probe.get("y") is None or probe["y"].dtype.kind not in "iu":
        return None
    return int(probe["y"].max()) + 1


def choose_samples(run) -> list[int]:
    probe = run.probe
    if probe is None:
        return []
    y = probe.get("y")
    if y is None or y.dtype.kind not in "iu" or y.ndim != 1:
        return list(range(min(6, len(probe["x"]))))
    return forward_samples(y, per_class=max(1, 8 // (int(y.max()) + 1)))


def meta_of(run) -> dict:
    manifest = run.manifest
    model = manifest["model"]
    epochs = run.epochs
    last = epochs[-1] if epochs else {}
    return {"parameter_count": model["parameter_count"], "model": model["repr"],
            "model_class": model["class"], "config": manifest.get("config", {}),
            "dataset": manifest.get("dataset", {}), "optimizer": manifest.get("optimizer"),
            "loss": manifest.get("loss"), "steps": manifest.get("steps"), "epochs": len(epochs),
            "final": {k: v for k, v in last.items() if k != "time"}, "created": manifest.get("created"),
            "classes": _classes(run), "glassgrad": manifest.get("glassgrad")}


def run_sections(run, graphs: dict | None = None, race: dict | None = None,
                 schedules: dict | None = None, samples: list[int] | None = None) -> dict:
    """Every section's view data for ``run``; ``graphs``/``race``/``schedules`` come from the explainer's
    own trainings when it made the run (None for a run recorded elsewhere)."""
    notes: dict = {}
    samples = choose_samples(run) if samples is None else samples
    data: dict = {"meta": meta_of(run), "samples": samples}

    network = views.network_view(run, samples=samples) if run.snapshots else None
    if network is None:
        notes["forward"] = NO_PROBE.format(what="a sample flowing through the network")
    elif network["kind"] != "mlp":
        notes["forward"] = ("The neuron-by-neuron forward pass is drawn for networks made of Linear layers "
                            "and activations; this model has other layers, so its layers are listed with "
                            "the statistics of their outputs instead.")
    data["network"] = network

    data["loss_shapes"] = loss_shapes_view()
    data["regression"] = regression_view()
    data["sample_loss"] = sample_loss_view(run, samples) if samples else None
    if data["sample_loss"] is None:
        notes["loss"] = ("This run is not a classification with class-index targets, so the chosen "
                         "sample's cross-entropy is not shown; the comparison of losses still is.")

    graphs = graphs if graphs is not None else recorded_graphs(run)
    if graphs is None:
        notes["backprop"] = ("This run recorded no computational graph (record with probe=(x, y) and "
                             "loss_fn= to capture one).")
    else:
        size = max(len(g["nodes"]) for g in graphs["graphs"].values())
        if size > MAX_GRAPH_NODES:
            notes["backprop"] = (f"This model's graph has {size} nodes: too many to follow node by node "
                                 f"here (the walk-through draws graphs of up to {MAX_GRAPH_NODES}).")
            graphs = None
    data["backprop"] = graphs

    data["race"] = race
    data["landscape"] = None
    if race is None:
        data["landscape"] = views.landscape_view(run)
        notes["descent"] = ("Racing optimizers needs the model itself, which a recorded run does not "
                            "carry: " + ("this run's own path across its loss landscape is shown instead."
                                         if data["landscape"] else "and this run recorded no landscape."))

    curves = views.curves_view(run, max_points=600)
    data["curves"] = curves
    data["schedules"] = schedules
    if schedules is None:
        notes["schedules"] = ("Comparing schedules means training the model several times, which needs the "
                              "model itself: this run's own learning rate and loss are shown instead.")

    boundary = views.boundary_view(run)
    if boundary is not None and boundary["kind"] != "boundary":
        boundary = None
    data["boundary"] = boundary
    if boundary is None and run.probe is None:
        notes["training"] = NO_PROBE.format(what="the decision boundary and the histograms") + \
            " Its loss curves are shown."
    elif boundary is None:
        notes["training"] = ("The decision boundary is drawn for 2-D inputs; this run's inputs are not, so "
                             "only its curves and histograms are shown.")
    data["histograms"] = {kind: _layer_histograms(run, kind) for kind in ("weight", "grad")}
    data["notes"] = notes
    return data


def _layer_histograms(run, kind: str) -> dict:
    """histogram_view restricted to weight matrices (one per layer), at most 8 layers."""
    view = views.histogram_view(run, kind)
    tensors = view["tensors"]
    names = [n for n in tensors if n.endswith("weight")] or list(tensors)
    return {"kind": kind, "tensors": {n: tensors[n] for n in names[:8]}}


def snapshot_steps_for_graphs(run) -> list[int]:
    steps = run.snapshot_steps
    return sorted({steps[0], steps[-1]}) if steps else []


def summary_numbers(data: dict) -> dict:
    """A few headline numbers for the command line."""
    final = data["meta"].get("final", {})
    return {k: final[k] for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in final} | {
        "parameters": data["meta"]["parameter_count"]}

