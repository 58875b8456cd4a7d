"""Diagnostics on deliberately broken trainings: too-high learning rate, dead ReLUs, and a healthy run."""

import glassgrad as gg
from glassgrad import nn
from glassgrad.trace.diagnostics import diagnose, report
from tests.recorded import spiral_mlp, train


def record(tmp_path, model, optimizer, data, epochs=3):
    x, y = data.tensors
    with gg.trace.Recorder(model, tmp_path, optimizer=optimizer, probe=(x[:64], y[:64]),
                           loss_fn=nn.CrossEntropyLoss(), snapshots=10, landscape=False):
        train(model, optimizer, data, epochs=epochs)
    return gg.trace.load_run(tmp_path)


def findings(run, check):
    return [f for f in diagnose(run) if f.check == check]


def test_too_high_learning_rate_is_named_as_the_cause(tmp_path, spiral_data):
    model = spiral_mlp()
    run = record(tmp_path, model, gg.optim.SGD(model.parameters(), lr=80.0), spiral_data)
    loss = findings(run, "loss")
    assert loss[0].severity == "problem" and "diverg" in loss[0].message
    assert "learning rate (80)" in loss[0].hint
    text = report(run)
    assert "✗" in text and "smaller" in text


def test_dead_relus_are_found_per_layer(tmp_path, spiral_data):
    model = spiral_mlp()
    with gg.no_grad():
        model[2].bias.fill_(-20.0)  # every unit of the second hidden layer starts (and stays) dead
    run = record(tmp_path, model, gg.optim.SGD(model.parameters(), lr=0.05), spiral_data, epochs=1)
    dead = [f for f in findings(run, "dead_relu") if f.severity == "problem"]
    assert len(dead) == 1 and dead[0].message.startswith("3 (relu #2): 100% of its units are dead")
    grads = findings(run, "gradients")
    assert any("no gradient reaches" in f.message and "2.weight" in f.message for f in grads)


def test_healthy_run_reports_ok(recorded_run):
    path, _ = recorded_run
    run = gg.trace.load_run(path)
    severities = {f.check: f.severity for f in diagnose(run)}
    assert severities["loss"] == "ok" and severities["gradients"] == "ok"
    assert "the loss fell from" in report(run)


def test_vanishing_gradients_in_a_deep_sigmoid_net(tmp_path, spiral_data):
    gg.manual_seed(0)
    layers = [nn.Linear(2, 16), nn.Sigmoid()]
    for _ in range(10):
        layers += [nn.Linear(16, 16), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(16, 3))
    run = record(tmp_path, model, gg.optim.SGD(model.parameters(), lr=0.01), spiral_data, epochs=1)
    assert any("vanishing" in f.message for f in findings(run, "gradients"))
