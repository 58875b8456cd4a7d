"""The extra runs the deep dive trains (sections 2, 4, 5): real engine runs whose numbers say what the
pictures claim."""
import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.optim import schedules as pure
from glassgrad.viz.explainer import ExplainConfig, parse_hidden
from glassgrad.viz.explainer.config import make_data, make_model
from glassgrad.viz.explainer.losses import loss_shapes_view, outlier_data, regression_view
from glassgrad.viz.explainer.race import RATES, race_path, race_view
from glassgrad.viz.explainer.schedules import PEAK_FACTOR, schedules_view

SMALL = ExplainConfig(hidden=(6,), epochs=2, samples=90)


def test_config_validates_and_describes():
    assert parse_hidden("16,16") == (16, 16)
    with pytest.raises(ValueError, match="dataset"):
        ExplainConfig(dataset="mnist")
    with pytest.raises(ValueError, match="hidden"):
        ExplainConfig(hidden=(0,))
    with pytest.raises(ValueError, match="comma"):
        parse_hidden("16;16")
    config = ExplainConfig(dataset="moons", hidden=(8, 4))
    model = make_model(config)
    assert [p.shape for p in model.parameters()] == [(8, 2), (8,), (4, 8), (4,), (2, 4), (2,)]
    assert sum(p.data.size for p in model.parameters()) == 2 * 8 + 8 + 8 * 4 + 4 + 4 * 2 + 2
    train, test = make_data(config)
    assert len(train) == 400 and len(test) == 200


def test_every_dataset_and_activation_builds():
    for dataset in ("spiral", "moons", "circles", "xor", "blobs"):
        config = ExplainConfig(dataset=dataset, activation="tanh", samples=60)
        x, y = make_data(config)[0].tensors
        assert x.shape == (40, 2) and int(y.numpy().max()) == config.classes - 1


def test_race_runs_share_one_start_and_one_plane(built):
    race = built[0]["race"]
    runs = race["runs"]
    assert len(runs) == 12 and {r["rate"] for r in runs} == {"small", "right", "large"}
    first_losses = {r["loss"][0] for r in runs}
    assert len(first_losses) == 1               # the same initial weights, so the same first loss
    for run in runs:
        assert run["path"][0] == [0.0, 0.0]     # the plane's origin is the common start
        assert run["steps"][0] == 0
    assert len(race["surface"]) == len(race["betas"]) and len(race["surface"][0]) == len(race["alphas"])
    a, b = race["alphas"], race["betas"]
    assert a[0] < 0 < a[-1] and b[0] < 0 < b[-1]  # the start lies inside the slice


def test_race_learning_rates_crawl_work_and_overshoot(built):
    runs = {(r["optimizer"], r["rate"]): r for r in built[0]["race"]["runs"]}
    for name in ("sgd", "momentum", "adam", "adamw"):
        small, right, large = (runs[name, rate] for rate in ("small", "right", "large"))
        start = right["loss"][0]
        assert right["final_loss"] < 0.6 * start, name          # the right rate learns
        assert small["final_loss"] > right["final_loss"], name  # too small crawls
        assert small["final_loss"] > 0.5 * start, name
        worst = max(v for v in large["loss"][1:] if v is not None)
        assert large["diverged_at"] is not None or worst > start, name  # too large overshoots


def test_race_path_is_real_training():
    train, _ = make_data(SMALL)
    x, y = train.tensors
    model = make_model(SMALL)
    start = [p.data.copy() for p in model.parameters()]
    path, losses, diverged = race_path(model, gg.nn.CrossEntropyLoss(), x, y, start, "sgd", 0.5, steps=5)
    assert len(path) == len(losses) == 6 and diverged is None
    # step by hand with the engine: the same weights after the first step
    twin = make_model(SMALL)
    loss = gg.nn.CrossEntropyLoss()(twin(x), y)
    loss.backward()
    for p, after in zip(twin.parameters(), path[1]):
        np.testing.assert_allclose(p.data - 0.5 * p.grad.data, after, rtol=1e-6, atol=1e-7)
    assert math.isclose(losses[0], float(loss.item()), rel_tol=1e-6)


def test_small_race_view_is_strict_and_thinned():
    train, _ = make_data(SMALL)
    view = race_view(SMALL, train, resolution=9, steps=30, racers=("sgd", "adam"))
    assert len(view["runs"]) == 6 and len(view["surface"]) == 9
    assert all(len(r["path"]) == len(r["steps"]) == len(r["loss"]) == 31 for r in view["runs"])
    assert view["optimizers"][0]["rates"] == dict(zip(("small", "right", "large"), RATES["sgd"]))


def test_schedules_draw_the_rates_the_engine_used(built):
    view = built[0]["schedules"]
    runs = {r["name"]: r for r in view["runs"]}
    assert list(runs) == ["constant", "step", "cosine", "warmup_cosine", "one_cycle"]
    total, steps = view["total_steps"], np.array(view["steps"]) - 1   # steps are 1-based
    peak = view["peak_lr"]
    assert math.isclose(peak, ExplainConfig().rate * PEAK_FACTOR)
    np.testing.assert_allclose(runs["constant"]["lr"], peak)
    np.testing.assert_allclose(runs["cosine"]["lr"], [pure.cosine(t, total, base=peak) for t in steps],
                               rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(runs["warmup_cosine"]["lr"],
                               [pure.warmup_cosine(t, total // 10, total, base=peak) for t in steps],
                               rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(runs["one_cycle"]["lr"], [pure.one_cycle(t, total, peak) for t in steps],
                               rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(runs["step"]["lr"],
                               [pure.step_decay(t, total // 3, 0.3, base=peak) for t in steps], rtol=1e-4)
    for run in runs.values():
        assert run["loss"][-1] < run["loss"][0] and 0 <= run["test_accuracy"] <= 1


def test_small_schedules_view():
    train, test = make_data(SMALL)
    view = schedules_view(SMALL, train, test, epochs=2, names=("constant", "one_cycle"))
    assert [r["name"] for r in view["runs"]] == ["constant", "one_cycle"]
    assert view["total_steps"] == 2 * math.ceil(len(train) / SMALL.batch_size)


def test_loss_shapes_are_the_engine_losses():
    view = loss_shapes_view(points=11)
    e = np.array(view["error"])
    np.testing.assert_allclose(view["losses"]["cross_entropy"], -np.log(1 - e), rtol=1e-4, atol=1e-10)
    np.testing.assert_allclose(view["losses"]["mse"], e ** 2, rtol=1e-4, atol=1e-10)
    np.testing.assert_allclose(view["losses"]["mae"], e, rtol=1e-4, atol=1e-10)


def test_outliers_drag_the_mse_line_not_the_mae_line():
    view = regression_view()
    x, y, outlier = outlier_data()
    assert outlier.sum() == 6 and len(view["x"]) == 40
    mse, mae = view["fits"]["mse"], view["fits"]["mae"]
    assert mse["steps"][0] == 0 and mse["w"][0] == 0 and mse["steps"][-1] == view["steps"]
    clean = ~outlier
    # MAE's line stays with the bulk of the data; MSE's is pulled up towards the outliers
    residual = lambda fit: np.abs(fit["w"][-1] * x[clean] + fit["b"][-1] - y[clean]).mean()  # noqa: E731
    assert residual(mae) < 0.1 < residual(mse)
    assert mse["w"][-1] > mae["w"][-1] + 0.3
    assert mse["loss"][-1] < mse["loss"][0] and mae["loss"][-1] < mae["loss"][0]
