"""View data: plain JSON a browser can parse, and numbers that match the recorded run."""
import json

import numpy as np

import glassgrad as gg
from glassgrad.viz import views


def as_json(data):
    return json.loads(json.dumps(data, allow_nan=False))


def test_every_view_is_strict_json(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    for data in (views.curves_view(run), views.boundary_view(run), views.network_view(run),
                 views.graph_view(run.graph()), views.landscape_view(run),
                 views.histogram_view(run, "weight"), views.histogram_view(run, "grad"),
                 views.histogram_view(run, "act")):
        assert as_json(data) == data


def test_boundary_frames_change_and_accuracy_rises(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    view = views.boundary_view(run)
    assert view["kind"] == "boundary" and view["classes"] == 3 and view["resolution"] == 64
    first, last = view["frames"][0], view["frames"][-1]
    assert len(first["classes"]) == 64 * 64 and first["classes"] != last["classes"]
    assert last["accuracy"] > first["accuracy"]
    assert len(view["points"]["x"]) == 64


def test_forward_view_numbers_are_the_recorded_run(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    view = views.network_view(run, samples=[3])
    assert view["kind"] == "mlp" and view["sizes"] == [2, 16, 16, 3]
    assert [l["activation"] for l in view["layers"]] == ["relu", "relu", None]
    frame = view["frames"][-1]
    snap = run.snapshot(frame["step"])
    x = run.probe["x"][3]
    w, b = snap.weights["0.weight"], snap.weights["0.bias"]
    sample = frame["samples"][0]
    np.testing.assert_allclose(sample["z"][0], w @ x + b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sample["a"][0], np.maximum(w @ x + b, 0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(frame["weights"][1], snap.weights["2.weight"], rtol=1e-5)
    assert abs(sum(sample["probs"]) - 1) < 1e-4 and sample["target"] == int(run.probe["y"][3])
    curve = np.array(view["activation_curves"]["relu"])
    np.testing.assert_allclose(curve[:, 1], np.maximum(curve[:, 0], 0))


def test_graph_view_lays_out_layers_and_orders_backward_from_the_loss(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    view = views.graph_view(run.graph())
    nodes = view["nodes"]
    for edge in view["edges"]:
        assert nodes[edge["source"]]["depth"] < nodes[edge["target"]]["depth"]
    assert view["backward"][0] == view["output"]
    assert sum(n["top_gradient"] for n in nodes) == 3
    assert all(n["grad_text"] for n in nodes if n["kind"] == "param")


def test_landscape_view_path_ends_at_the_centre(recorded_run):
    view = views.landscape_view(gg.trace.load_run(recorded_run[0]))
    assert np.allclose(view["path"][-1], [0, 0], atol=1e-6)
    assert view["min"] <= min(view["path_loss"]) + 1e-6 or view["min"] > 0
    assert len(view["surface"]) == len(view["betas"]) and len(view["surface"][0]) == len(view["alphas"])


def test_histograms_share_bins_and_count_every_weight(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    view = views.histogram_view(run, "weight")["tensors"]["2.weight"]
    counts = np.array(view["counts"])
    assert counts.shape == (len(run.snapshot_steps), 40) and (counts.sum(1) == 256).all()


def test_curves_view_thins_long_runs_and_keeps_the_last_step(recorded_run):
    run = gg.trace.load_run(recorded_run[0])
    view = views.curves_view(run, max_points=10)
    assert len(view["steps"]) <= 11 and view["steps"][-1] == 32
    assert view["lr"][0][0] == 0.03
