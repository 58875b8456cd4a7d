"""Step-through, the optimizer race and saving: real numbers of real steps."""
import os
import zipfile
import io

import numpy as np

import glassgrad as gg
from glassgrad.trace import load_run
from glassgrad.viz.views.curves import curves_view
from glassgrad.web.race import RESOLUTION, Race
from glassgrad.web.save import Recording, zip_run
from glassgrad.web.schema import DEFAULT_CONFIG, merge_config
from glassgrad.web.stepthrough import step_through
from glassgrad.web.trainer import Trainer


def config(**changes):
    return merge_config(DEFAULT_CONFIG, changes)


def test_step_through_is_the_next_ordinary_step():
    stepped, plain = Trainer(config(hidden=[5, 4])), Trainer(config(hidden=[5, 4]))
    stepped.train(3), plain.train(3)
    x, y = plain.next_batch()
    plain._cursor -= len(x)                         # the batch step_through is about to take
    view = step_through(stepped, sample=2)
    plain.train(1)
    for a, b in zip(stepped.model.parameters(), plain.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)   # exactly what "one step" would have done
    assert view["step"] == stepped.step == 4 and view["phases"] == ["forward", "loss", "backward", "update"]
    # forward: layer 1 of sample 2 recomputed by hand from the weights before the update
    w0 = np.array(view["update"]["layers"][0]["weight_before"])
    b0 = np.array(view["update"]["layers"][0]["bias_before"])
    z = w0 @ x.data[2] + b0
    np.testing.assert_allclose(view["forward"][0]["z"], z, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(view["forward"][0]["a"], np.tanh(z), rtol=1e-4, atol=1e-6)
    assert view["loss"]["value"] == float(f"{plain.history.steps.values['loss'][-1]:.6g}")
    # backward: the output's gradient first, then back to the input, as the engine ran it
    assert [(b["layer"], b["of"]) for b in view["backward"]] == [(2, "z"), (1, "a"), (1, "z"), (0, "a"), (0, "z")]
    probs = np.array(view["output"]["probs"])
    onehot = np.eye(3)[y.data[2]]
    np.testing.assert_allclose(view["backward"][0]["grad"], (probs - onehot) / len(x), rtol=1e-3, atol=1e-7)
    # update: after = the model's weights now; delta = after - before
    layer = view["update"]["layers"][1]
    np.testing.assert_allclose(layer["weight_after"], stepped.model[2].weight.data, rtol=1e-5)
    np.testing.assert_allclose(np.array(layer["weight_after"]) - np.array(layer["weight_before"]),
                               layer["weight_delta"], atol=1e-6)


def test_race_starts_together_and_lays_one_landscape():
    race = Race(config(), [{"optimizer": "sgd", "lr": 0.2}, {"optimizer": "adamw", "lr": 0.01,
                                                             "weight_decay": 0.05}], steps=30)
    weights = [[p.data for p in r["model"].parameters()] for r in race.runners]
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)          # one initial network for everyone
    while not race.finished:
        race.advance()
    view = race.view()
    assert view["done"] and len(view["landscape"]["surface"]) == RESOLUTION
    for r in view["runners"]:
        assert r["path"][0] == [0.0, 0.0] and len(r["steps"]) == 30 and r["path_steps"][-1] == 30
    assert view["runners"][1]["weight_decay"] == 0.05
    assert view["landscape"]["min"] <= min(r["final_loss"] for r in view["runners"]) + 0.05


def test_save_writes_a_run_directory_the_tools_read(tmp_path):
    t = Trainer(config())
    rec = Recording(t, str(tmp_path))
    t.on_eval = rec.log_eval
    t.train(40)
    t.frame()
    path = rec.save(str(tmp_path / "runs"))
    run = load_run(path)
    assert run.status == "finished" and len(run.scalars["step"]) == 40
    np.testing.assert_allclose(run.scalars["loss"], t.history.steps.values["loss"], rtol=1e-6)
    assert run.landscape is not None and run.snapshot_steps[-1] == 40
    assert curves_view(run)["epochs"]["val_loss"]
    names = zipfile.ZipFile(io.BytesIO(zip_run(path))).namelist()
    assert os.path.basename(path) + "/manifest.json" in names


def test_discard_leaves_nothing(tmp_path):
    t = Trainer(config())
    rec = Recording(t, str(tmp_path))
    t.train(5)
    rec.discard()
    assert os.listdir(tmp_path) == []
    gg.manual_seed(0)
