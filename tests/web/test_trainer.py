"""The training driver: it learns, its views have the run views' shapes, it survives divergence."""
import json

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.trace import load_run
from glassgrad.trace.probe import observing
from glassgrad.viz.views import boundary_view, curves_view
from glassgrad.viz.views.neurons import neurons_view
from glassgrad.web import build
from glassgrad.web.history import History
from glassgrad.web.schema import DEFAULT_CONFIG, merge_config
from glassgrad.web.trainer import Diverged, Trainer


def config(**changes):
    return merge_config(DEFAULT_CONFIG, changes)


def test_spiral_is_learned():
    t = Trainer(config())
    before = t.evaluate()["loss"]
    first = np.array(t.boundary_frame()["classes"])
    t.train(1500)
    after = t.evaluate()
    assert after["loss"] < before / 5 and after["accuracy"] > 0.9
    assert (np.array(t.boundary_frame()["classes"]) != first).mean() > 0.2   # the boundary moved
    assert (t.step, t.epoch) == (1500, 1500 // (300 // 32))   # full batches only, reshuffled each epoch


@pytest.mark.parametrize("dataset", ["moons", "circles", "xor", "blobs", "sine"])
@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_every_dataset_and_loss_trains(dataset, loss):
    t = Trainer(config(dataset=dataset, loss=loss, hidden=[8], activation="relu", optimizer="momentum",
                       lr=0.05))
    start = t.evaluate()["loss"]
    t.train(150)
    assert t.evaluate()["loss"] < start
    frame = json.loads(json.dumps(t.frame(), allow_nan=False))
    assert ("fit" in frame["views"]["boundary"]["frames"][0]) == (dataset == "sine")


def test_same_config_same_run():
    a, b = Trainer(config(seed=3)), Trainer(config(seed=3))
    a.train(25), b.train(25)
    assert a.history.steps.values["loss"] == b.history.steps.values["loss"]


def test_schedules_drive_the_learning_rate():
    t = Trainer(config(schedule="warmup_cosine", total_steps=100, lr=0.1))
    t.train(100)
    lrs = t.history.steps.values["lr"]
    reference = gg.optim.SGD([gg.zeros(1, requires_grad=True)], lr=0.1)
    sched = gg.optim.lr_scheduler.warmup_cosine(reference, warmup_steps=10, total_steps=100)
    expected = []
    for _ in range(100):
        expected.append(sched.get_last_lr()[0])
        reference.step()
        sched.step()
    np.testing.assert_allclose(lrs, expected, rtol=1e-6)
    assert [round(build.lr_at(config(schedule="step", total_steps=100), s), 5) for s in (0, 25, 99)] == \
        [0.02, 0.01, 0.0025]


def test_live_changes_apply_without_a_rebuild():
    t = Trainer(config())
    t.train(3)
    t.apply({"lr": 0.5, "weight_decay": 0.1})
    t.train(1)
    assert t.history.steps.values["lr"][-1] == 0.5 and t.optimizer.param_groups[0]["weight_decay"] == 0.1


def test_divergence_is_reported_and_frames_stay_json():
    t = Trainer(config())
    t.model[0].weight.data[...] = np.nan
    assert t.train(10) == 1
    assert "diverged" in t.diverged
    with pytest.raises(Diverged):
        t.train_step()
    frame = json.loads(json.dumps(t.frame(), allow_nan=False))   # JSON-strict though the numbers are NaN
    assert frame["counters"]["diverged"] and frame["views"]["curves"]["loss"][-1] is None


def test_history_memory_is_bounded_and_evenly_spread():
    h = History(capacity=64)
    for step in range(1, 10_001):
        h.add_step(step, 1.0, 0.1, 1.0)
    steps = h.steps.values["step"]
    assert len(steps) <= 64 and len(set(np.diff(steps))) == 1 and steps[-1] > 9000


def test_live_views_have_the_run_views_shape(recorded_run):
    run = load_run(recorded_run[0])
    t = Trainer(config(hidden=[16, 16], activation="relu"))
    t.train(5)
    setup, frame = t.setup()["views"], t.frame()["views"]
    live_boundary = dict(setup["boundary"], **frame["boundary"])
    recorded = boundary_view(run)
    assert set(recorded) <= set(live_boundary)
    assert set(recorded["frames"][0]) <= set(live_boundary["frames"][0])
    assert set(curves_view(run)) <= set(frame["curves"])
    live_neurons = dict(setup["neurons"], **frame["neurons"])
    recorded_neurons = neurons_view(run)
    assert set(recorded_neurons) == set(live_neurons)
    assert set(recorded_neurons["frames"][0]) == set(live_neurons["frames"][0])
    assert recorded_neurons["sizes"] == live_neurons["sizes"] == [2, 16, 16, 3]


def test_live_epoch_logs_have_the_names_fit_writes(tmp_path):
    """The shared curves component and the explainer read a run's epoch logs by fit's names (loss,
    accuracy, val_loss, val_accuracy, lr): the live curves, and so a saved session, use the same."""
    gg.manual_seed(0)
    data = gg.data.spiral(n_samples=60, seed=0)
    model = gg.nn.Sequential(gg.nn.Linear(2, 4), gg.nn.Tanh(), gg.nn.Linear(4, 3))
    loader = gg.data.DataLoader(data, batch_size=20)
    gg.train.fit(model, gg.nn.CrossEntropyLoss(), gg.optim.SGD(model.parameters(), lr=0.1), loader, epochs=1,
                 val_loader=loader, record=str(tmp_path / "run"))
    fitted = curves_view(load_run(tmp_path / "run"))["epochs"]
    t = Trainer(config(lr=0.05))
    t.train(3)
    live = t.frame()["views"]["curves"]["epochs"]
    assert set(live) == set(fitted) == {"epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert live["lr"][-1] == 0.05 and live["step"] == [0, 3]
    with observing(t.model):
        test_loss = t.loss_fn(t.model(t.data.x_test), t.data.y_test).item()
    assert live["val_loss"][-1] == pytest.approx(test_loss, rel=1e-4)   # val_ is the held-out test set


def test_neuron_heatmaps_are_the_layer_outputs():
    t = Trainer(config(hidden=[4], activation="tanh"))
    t.train(10)
    frame = t.neurons_frame()
    points = t._neuron_points
    hidden = gg.tanh(t.model[0](points)).data          # the hidden layer recomputed by hand
    scale = np.abs(hidden).max()
    np.testing.assert_array_equal(frame["grids"][1], np.round(hidden.T * 100 / scale).astype(int))
    np.testing.assert_array_equal(frame["grads"][0], t.model[0].weight.grad.data)
