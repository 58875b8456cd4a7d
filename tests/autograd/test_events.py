"""The observable engine: listeners see every op applied and every backward step, with the user's line."""
import numpy as np

import glassgrad as gg
from glassgrad.autograd import events


class Collector:
    def __init__(self):
        self.ops, self.backward = [], []

    def on_op(self, event):
        self.ops.append(event)

    def on_backward(self, event):
        self.backward.append(event)


def test_op_events_carry_names_shapes_and_user_line():
    w = gg.ones(3, 2, requires_grad=True)
    x = gg.ones(4, 3)
    rec = Collector()
    with gg.autograd.listening(rec):
        y = (x @ w).relu()  # the line the events must point at
    assert [e.op for e in rec.ops] == ["matmul", "relu"]
    first = rec.ops[0]
    assert [t.shape for t in first.inputs] == [(4, 3), (3, 2)] and first.output.shape == (4, 2)
    assert first.location.filename == __file__ and "the line the events must point at" in first.location.line
    assert first.node is rec.ops[1].inputs[0].grad_fn


def test_backward_events_show_upstream_and_reduced_input_gradients():
    w = gg.tensor([[1.0, 2.0]], requires_grad=True)
    b = gg.tensor([0.5], requires_grad=True)
    rec = Collector()
    with gg.autograd.listening(rec):
        loss = (w * 3 + b).sum()
        loss.backward()
    assert [e.op for e in rec.backward] == ["sum", "add", "mul"]
    add_event = rec.backward[1]
    assert add_event.grad_inputs[1].shape == (1,)  # b's gradient, reduced from (1, 2)
    np.testing.assert_array_equal(rec.backward[2].grad_inputs[0], [[3.0, 3.0]])
    assert add_event.location is not None


def test_listener_removed_after_block_and_engine_list_empty():
    rec = Collector()
    with gg.autograd.listening(rec):
        pass
    assert events.listeners == []
    (gg.ones(2) * 2).sum()
    assert rec.ops == []


def test_graph_as_plain_data():
    w = gg.ones(2, requires_grad=True)
    g = gg.graph((w * w + 1).sum())
    ops = [n["op"] for n in g["nodes"]]
    assert ops == ["sum", "add", "mul", "leaf"]
    mul = ops.index("mul")
    assert sorted(e["input"] for e in g["edges"] if e["target"] == mul) == [0, 1]
    import json
    json.dumps(g)


def test_backward_start_listener_sees_the_loss_without_per_rule_events():
    class LossWatcher:
        def __init__(self):
            self.losses = []

        def on_backward_start(self, event):
            self.losses.append(float(event.roots[0].data))

    w = gg.tensor([1.0, 2.0], requires_grad=True)
    watcher = LossWatcher()
    with gg.autograd.listening(watcher):
        assert events.backward_listeners == [] and events.start_listeners == [watcher]
        ((w * w).sum() * 0.5).backward()
    assert watcher.losses == [2.5]
    assert events.start_listeners == []
