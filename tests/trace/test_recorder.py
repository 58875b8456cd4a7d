"""The Recorder around a hand-written loop: what it records, and that recording changes nothing."""
import json
import warnings

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from tests.recorded import spiral_mlp, train


def test_manifest_describes_model_optimizer_data_and_graph(recorded_run):
    path, _ = recorded_run
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["format"] == "glassgrad.run" and manifest["status"] == "finished"
    model = manifest["model"]
    assert model["parameter_count"] == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3
    assert [p["name"] for p in model["parameters"]][:2] == ["0.weight", "0.bias"]
    assert manifest["optimizer"]["class"] == "Adam" and manifest["dataset"]["name"] == "spiral"
    assert manifest["config"] == {"lr": 0.03} and manifest["steps"] == 32
    assert {n["op"] for n in manifest["graph"]["nodes"]} >= {"leaf"}
    assert len(manifest["graph"]["edges"]) > 5


def test_scalars_match_the_loop(recorded_run):
    path, losses = recorded_run
    run = gg.trace.load_run(path)
    s = run.scalars
    np.testing.assert_array_equal(s["step"], np.arange(1, 33))
    np.testing.assert_allclose(s["loss"], losses, rtol=1e-6)
    np.testing.assert_allclose(s["lr"][:, 0], 0.03)
    assert s["grad_norms"].shape == (32, 6) and s["weight_norms"].shape == (32, 6)
    np.testing.assert_allclose(s["grad_norm"], np.sqrt((s["grad_norms"] ** 2).sum(1)), rtol=1e-6)
    assert np.all(s["update_ratios"] > 0) and np.all(s["update_ratios"] < 1)
    assert np.all(np.diff(s["time"]) >= 0)
    assert set(s["metrics"]) == {"batch_accuracy"} and np.isfinite(s["metrics"]["batch_accuracy"]).all()


def test_snapshots_follow_the_log_schedule_and_hold_weights_grads_activations(recorded_run):
    path, _ = recorded_run
    run = gg.trace.load_run(path)
    assert run.snapshot_steps[0] == 0 and run.snapshot_steps[-1] == 32
    assert run.snapshot_steps == sorted(set(run.snapshot_steps)) and len(run.snapshot_steps) <= 9
    snap = run.snapshot(run.snapshot_steps[-1])
    assert set(snap.weights) == set(run.param_names) and set(snap.grads) == set(run.param_names)
    assert set(snap.activations) == {"0", "1", "2", "3", "4"}
    assert snap.activations["0"].shape == (64, 16) and snap.output.shape == (64, 3)
    counts, edges = snap.histograms("weight")["0.weight"]
    assert counts.sum() == 32 and len(edges) == len(counts) + 1
    assert snap.boundary.shape == (64, 64, 3)
    np.testing.assert_allclose(snap.boundary.sum(-1), 1, rtol=1e-5)
    relus = [s for s in snap.meta["activation_ops"] if s["op"] == "relu"]
    assert [s["module"] for s in relus] == ["1", "3"] and all(0 <= s["dead_fraction"] <= 1 for s in relus)
    assert run.snapshot(0).grads == {}  # before training there is no gradient yet


def test_snapshot_activations_are_the_models_real_outputs(recorded_run):
    path, _ = recorded_run
    run = gg.trace.load_run(path)
    snap = run.snapshot(32)
    w, b = snap.weights["0.weight"], snap.weights["0.bias"]
    x = run.probe["x"]
    np.testing.assert_allclose(snap.activations["0"], x @ w.T + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(snap.activations["1"], np.maximum(snap.activations["0"], 0))


def test_recording_does_not_change_training(spiral_data, tmp_path):
    plain_model = spiral_mlp(seed=3)
    plain = train(plain_model, gg.optim.SGD(plain_model.parameters(), lr=0.1, momentum=0.9), spiral_data,
                  epochs=2)
    model = spiral_mlp(seed=3)
    optimizer = gg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = spiral_data.tensors
    with gg.trace.Recorder(model, tmp_path / "r", optimizer=optimizer, probe=(x[:32], y[:32]),
                           loss_fn=nn.CrossEntropyLoss(), snapshots=2):
        recorded = train(model, optimizer, spiral_data, epochs=2)
    assert recorded == plain


def test_existing_run_is_not_overwritten_unless_asked(recorded_run, tmp_path):
    path, _ = recorded_run
    model = spiral_mlp()
    with pytest.raises(FileExistsError, match="already holds a run"):
        gg.trace.Recorder(model, path).open()
    target = tmp_path / "again"
    for _ in range(2):
        with gg.trace.Recorder(model, target, overwrite=True):
            pass
    assert gg.trace.load_run(target).status == "finished"


def test_large_models_fall_back_to_statistics_and_say_so_once(spiral_data, tmp_path):
    model = spiral_mlp()
    optimizer = gg.optim.SGD(model.parameters(), lr=0.1)
    x, y = spiral_data.tensors
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with gg.trace.Recorder(model, tmp_path / "big", optimizer=optimizer, probe=(x[:16], y[:16]),
                               loss_fn=nn.CrossEntropyLoss(), max_snapshot_elements=100, snapshots=4):
            train(model, optimizer, spiral_data, epochs=1, batch_size=60)
    messages = [str(w.message) for w in caught if "max_snapshot_elements" in str(w.message)]
    assert len(messages) == 1
    run = gg.trace.load_run(tmp_path / "big")
    assert run.manifest["summarised"] is True
    snap = run.snapshot(run.snapshot_steps[-1])
    assert snap.weights == {} and "0.weight" in snap.histograms("weight")
    assert snap.tensor_stats["weight/0.weight"]["whole"] is False
    assert snap.tensor_stats["weight/2.weight"]["shape"] == [16, 16]
    assert run.landscape is None  # no whole weights, no path to draw


def test_big_gradients_and_activations_are_summarised_but_weights_stay_whole(tmp_path):
    from glassgrad.trace.recorder import WHOLE_ACTIVATION, WHOLE_GRADIENT
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(200, 100), nn.ReLU(), nn.Linear(100, 3))  # 20,000 and 300 weights
    assert 200 * 100 > WHOLE_GRADIENT and 200 * 100 > WHOLE_ACTIVATION >= 200 * 3
    optimizer = gg.optim.SGD(model.parameters(), lr=0.1)
    x, y = gg.randn(200, 200), gg.randint(3, (200,))
    with gg.trace.Recorder(model, tmp_path / "r", optimizer=optimizer, probe=(x, y),
                           loss_fn=nn.CrossEntropyLoss(), snapshots=2):
        for _ in range(2):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    snap = gg.trace.load_run(tmp_path / "r").snapshot(2)
    assert set(snap.weights) == {"0.weight", "0.bias", "2.weight", "2.bias"}     # all whole
    assert "0.weight" not in snap.grads and snap.grads["2.weight"].shape == (3, 100)
    assert snap.tensor_stats["grad/0.weight"]["whole"] is False
    np.testing.assert_allclose(snap.tensor_stats["grad/0.weight"]["norm"],
                               np.linalg.norm(model[0].weight.grad.numpy()), rtol=1e-5)
    counts, _ = snap.histograms("grad")["0.weight"]
    assert counts.sum() > 0
    assert "0" not in snap.activations and snap.activations["2"].shape == (200, 3)
    assert "0" in snap.histograms("act")


def test_failed_training_is_marked_with_its_error(spiral_data, tmp_path):
    model = spiral_mlp()
    optimizer = gg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ZeroDivisionError):
        with gg.trace.Recorder(model, tmp_path / "f", optimizer=optimizer):
            train(model, optimizer, spiral_data, epochs=1)
            1 / 0
    run = gg.trace.load_run(tmp_path / "f")
    assert run.status == "failed" and "ZeroDivisionError" in run.manifest["error"]
    assert len(run.scalars["step"]) == 8


def test_manual_step_recording_without_an_optimizer(tmp_path):
    w = nn.Linear(3, 1)
    with gg.trace.Recorder(w, tmp_path / "m") as rec:
        for _ in range(3):
            loss = (w(gg.ones(4, 3)) ** 2).mean()
            w.zero_grad()
            loss.backward()
            with gg.no_grad():
                for p in w.parameters():
                    p -= 0.1 * p.grad
            rec.record_step()
            rec.log(custom=1.5)
    s = gg.trace.load_run(tmp_path / "m").scalars
    assert list(s["step"]) == [1, 2, 3] and np.all(np.diff(s["loss"]) < 0)
    assert list(s["metrics"]["custom"]) == [1.5] * 3


def test_a_diverged_run_still_closes_cleanly_without_a_landscape(spiral_data, tmp_path):
    model = spiral_mlp()
    optimizer = gg.optim.SGD(model.parameters(), lr=1e12)
    x, y = spiral_data.tensors
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with gg.trace.Recorder(model, tmp_path / "nan", optimizer=optimizer, probe=(x[:16], y[:16]),
                               loss_fn=nn.CrossEntropyLoss(), snapshots=2):
            train(model, optimizer, spiral_data, epochs=1)
    run = gg.trace.load_run(tmp_path / "nan")
    assert run.status == "finished" and run.landscape is None
    assert not np.isfinite(run.scalars["loss"]).all()
    assert "diverged" in gg.trace.report(run)


@pytest.mark.parametrize("snapshots, total", [("log", 32), (2, None)])
def test_graphs_are_captured_at_a_few_snapshots_and_the_last(spiral_data, tmp_path, snapshots, total):
    model = spiral_mlp()
    optimizer = gg.optim.SGD(model.parameters(), lr=0.1)
    x, y = spiral_data.tensors
    with gg.trace.Recorder(model, tmp_path / "r", optimizer=optimizer, probe=(x[:8], y[:8]),
                           loss_fn=nn.CrossEntropyLoss(), snapshots=snapshots, total_steps=total,
                           max_graphs=3, landscape=False) as rec:
        train(model, optimizer, spiral_data, epochs=4, recorder=rec)  # 32 steps
    run = gg.trace.load_run(tmp_path / "r")
    snaps, graphs = run.snapshot_steps, run.graph_steps
    assert set(graphs) <= set(snaps) and graphs[0] == 0 and graphs[-1] == 32
    if total:  # a known schedule: max_graphs of them, first to last, spread out
        assert len(graphs) == 3 and abs(snaps.index(graphs[1]) - (len(snaps) - 1) / 2) <= 0.5
    else:  # every 2 steps: snapshots 0, 1, 2, 4, 8 (steps 0, 2, 4, 8, 16) and the last
        assert graphs == [0, 2, 4, 8, 16, 32]
    assert run.graph(graphs[1])["step"] == graphs[1]
