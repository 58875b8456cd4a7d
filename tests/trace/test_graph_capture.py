"""The captured graph of one training step holds the chain rule as it actually ran."""
import numpy as np

import glassgrad as gg
from glassgrad import nn
from glassgrad.trace import capture_step
from tests.recorded import spiral_mlp


def test_captured_gradients_equal_autograd_and_nothing_accumulates(spiral_data):
    model = spiral_mlp()
    x, y = spiral_data.tensors
    graph = capture_step(model, nn.CrossEntropyLoss(), x[:1], y[:1])
    assert all(p.grad is None for p in model.parameters())
    params = {n["name"]: n for n in graph["nodes"] if n["kind"] == "param"}
    assert set(params) == {name for name, _ in model.named_parameters()}
    loss = nn.CrossEntropyLoss()(model(x[:1]), y[:1])
    loss.backward()
    for name, p in model.named_parameters():
        summary = params[name]["grad"]
        got = np.array(summary["values"]) if "values" in summary else None
        if got is not None:
            np.testing.assert_allclose(got, p.grad.data, rtol=1e-5, atol=1e-7)
        else:
            np.testing.assert_allclose(summary["mean"], p.grad.data.mean(), rtol=1e-4, atol=1e-7)
    assert abs(graph["loss"] - loss.item()) < 1e-6


def test_nodes_know_their_module_code_line_and_backward_order(spiral_data):
    model = spiral_mlp()
    x, y = spiral_data.tensors
    graph = capture_step(model, nn.CrossEntropyLoss(), x[:1], y[:1])
    ops = [n for n in graph["nodes"] if n["kind"] == "op"]
    assert {n["module"] for n in ops} >= {"0", "1", "2", "3", "4"}
    assert all(n["location"] for n in ops)
    orders = sorted(n["backward_order"] for n in ops if "backward_order" in n)
    assert orders == list(range(len(orders))) and len(orders) >= 5
    loss_node = graph["nodes"][graph["output"]]
    assert loss_node["backward_order"] == 0  # backward starts at the loss
    inputs = [n for n in graph["nodes"] if n["kind"] == "input"]
    assert "input" in {n["name"] for n in inputs}


def test_relu_edges_carry_their_local_derivative(spiral_data):
    model = spiral_mlp()
    x, y = spiral_data.tensors
    graph = capture_step(model, nn.CrossEntropyLoss(), x[:1], y[:1])
    relu_ids = {n["id"] for n in graph["nodes"] if n.get("op") == "relu"}
    edges = [e for e in graph["edges"] if e["target"] in relu_ids and "local" in e]
    assert edges
    for edge in edges:
        local = [v for v in np.array(edge["local"]["values"], dtype=float).ravel() if not np.isnan(v)]
        assert set(local) <= {0.0, 1.0}
        assert edge["rule"] == "1 if x > 0 else 0"


def test_capture_leaves_mode_and_random_state_untouched(spiral_data):
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    model.train()
    gg.manual_seed(5)
    before = gg.rand(3).data
    gg.manual_seed(5)
    x, y = spiral_data.tensors
    capture_step(model, nn.CrossEntropyLoss(), x[:1], y[:1])
    assert model.training
    np.testing.assert_array_equal(gg.rand(3).data, before)


def test_local_derivatives_only_where_they_are_per_element():
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))  # square layer: shapes agree
    graph = capture_step(model, nn.CrossEntropyLoss(), gg.randn(1, 4), gg.tensor([1]))
    ops = {n["id"]: n["op"] for n in graph["nodes"]}
    with_local = {ops[e["target"]] for e in graph["edges"] if "local" in e}
    assert with_local == {"tanh"}
