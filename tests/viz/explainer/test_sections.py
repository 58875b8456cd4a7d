"""The data of every section: the numbers of the recorded run, and plain reasons where a section cannot
apply to a run."""
import json
import os

import numpy as np
import torch

import glassgrad as gg
from glassgrad import nn
from glassgrad.viz.explainer import explain_run, run_data
from glassgrad.viz.explainer.backprop import backprop_view
from glassgrad.viz.explainer.html import build_html, data_json
from glassgrad.viz.explainer.sections import SECTIONS
from glassgrad.viz.views import graph_view
from tests.viz.explainer.conftest import read_data, record_run


def test_every_section_has_data_and_no_notes_for_the_default(built):
    data = built[0]
    assert data["notes"] == {}
    for key in ("network", "loss_shapes", "regression", "sample_loss", "backprop", "race", "schedules",
                "curves", "boundary", "histograms"):
        assert data[key], key
    assert data["meta"]["parameter_count"] == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3
    assert data["network"]["kind"] == "mlp" and len(data["network"]["frames"]) == 61
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_the_html_holds_exactly_the_data_and_stays_small(built):
    data, path, _ = built
    assert os.path.getsize(path) < 5_000_000
    assert read_data(path) == json.loads(json.dumps(data))
    text = open(path, encoding="utf-8").read()
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert text.count('<section class="gg-section"') == len(SECTIONS)


def test_data_cannot_close_its_script_tag():
    page = build_html({"meta": {"description": "</script><script>alert(1)</script>"}})
    assert "</script><script>alert" not in page
    assert json.loads(data_json({"a": "</script>"})) == {"a": "</script>"}


def test_sample_loss_is_the_cross_entropy_of_the_recorded_outputs(built):
    data, _, run_dir = built
    run = gg.trace.load_run(run_dir)
    view = data["sample_loss"]
    samples = data["samples"]
    assert view["samples"] == samples and view["steps"] == run.snapshot_steps
    y = torch.from_numpy(run.probe["y"][samples])
    for k, step in enumerate(view["steps"][::15]):
        out = torch.from_numpy(run.snapshot(step).output[samples])
        expected = torch.nn.functional.cross_entropy(out, y, reduction="none").numpy()
        np.testing.assert_allclose(np.array(view["loss"])[:, k * 15], expected, rtol=1e-4, atol=1e-6)
        p_true = torch.softmax(out, 1)[torch.arange(len(samples)), y].numpy()
        np.testing.assert_allclose(np.array(view["error"])[:, k * 15], 1 - p_true, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(np.array(view["mse"])[:, k * 15], (1 - p_true) ** 2, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(np.array(view["mae"])[:, k * 15], 1 - p_true, rtol=1e-4, atol=1e-6)


def test_samples_cover_every_class(built):
    data, _, run_dir = built
    y = gg.trace.load_run(run_dir).probe["y"]
    assert {int(y[i]) for i in data["samples"][:3]} == {0, 1, 2}


def test_backprop_graph_gradients_are_the_ones_torch_computes(built):
    data, _, run_dir = built
    run = gg.trace.load_run(run_dir)
    bp = data["backprop"]
    assert bp["steps"] == [0, run.snapshot_steps[-1]] and bp["samples"] == data["samples"]
    step, sample = bp["steps"][0], bp["samples"][1]
    graph = bp["graphs"][f"{step}:{sample}"]
    weights = run.snapshot(step).weights
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 3))
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(weights[name]))
    x = torch.from_numpy(run.probe["x"][sample:sample + 1])
    y = torch.from_numpy(run.probe["y"][sample:sample + 1])
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    assert abs(graph["loss"] - loss.item()) < 1e-5
    params = {n["label"]: n for n in graph["nodes"] if n["kind"] == "param"}
    assert set(params) == {name for name, _ in model.named_parameters()}
    for name, p in model.named_parameters():
        got = np.array(params[name]["grad"]["values"], np.float64)
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-4, atol=1e-7)
        top = params[name]["top_elements"]
        assert np.abs(got).reshape(-1)[top[0]] == np.abs(got).max()
    assert sum(n["top_gradient"] for n in graph["nodes"]) == 3
    assert graph["backward"][0] == graph["output"]


def test_local_derivatives_only_on_elementwise_edges(built):
    graph = next(iter(built[0]["backprop"]["graphs"].values()))
    ops = {n["id"]: n["op"] for n in graph["nodes"]}
    with_local = {ops[e["target"]] for e in graph["edges"] if "local" in e}
    assert with_local == {"relu"}


def test_backprop_view_of_a_plain_graph():
    gg.manual_seed(0)
    x = gg.tensor([[1.0, 1.0]])
    capture = gg.trace.capture_step(nn.Sequential(nn.Linear(2, 2)), nn.MSELoss(), x, gg.zeros(1, 2))
    view = backprop_view(capture)
    assert view["nodes"][0]["kind"] == "input" and graph_view(None) is None
    weight = next(n for n in view["nodes"] if n["label"] == "0.weight")
    grads = np.abs(np.array(weight["grad"]["values"])).reshape(-1)
    assert weight["top_elements"] == list(np.argsort(-grads, kind="stable"))


def test_a_recorded_non_mlp_run_says_which_sections_do_not_apply(tmp_path):
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 3))
    x, y = gg.randn(32, 5), gg.randint(0, 3, (32,))
    path = record_run(tmp_path, model, x, y, nn.CrossEntropyLoss(), "layernorm")
    data = run_data(path)
    assert set(data["notes"]) == {"forward", "descent", "schedules", "training"}
    assert "path" in data["notes"]["descent"]  # its own path across its landscape instead
    assert data["network"]["kind"] == "layers" and data["boundary"] is None
    assert data["backprop"]["source"] == "recorded" and data["landscape"] is not None
    assert data["sample_loss"] is not None and data["race"] is None
    page = explain_run(path, tmp_path / "page.html")
    assert read_data(page)["notes"] == data["notes"]


def test_a_regression_run_has_no_sample_cross_entropy(tmp_path):
    gg.manual_seed(0)
    data_set = gg.data.sine(n_samples=40)
    x, y = data_set.tensors
    path = record_run(tmp_path, nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)), x, y, nn.MSELoss(),
                   "sine")
    data = run_data(str(path))
    assert data["sample_loss"] is None and "loss" in data["notes"]
    assert data["network"]["kind"] == "mlp" and data["boundary"] is None
