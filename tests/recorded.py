"""A small recorded training run shared by the trace and viz tests (recorded once per session; the
fixtures are registered in tests/conftest.py)."""
import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn


def spiral_mlp(seed=0, hidden=16, activation=nn.ReLU):
    gg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), activation(), nn.Linear(hidden, hidden), activation(),
                         nn.Linear(hidden, 3))


def train(model, optimizer, data, epochs=4, batch_size=32, recorder=None, seed=0):
    """A hand-written loop; returns the loss of every step."""
    gg.manual_seed(seed)
    loader = gg.data.DataLoader(data, batch_size=batch_size, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            out = model(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if recorder is not None:
                recorder.log(batch_accuracy=float((out.data.argmax(1) == y.data).mean()))
    return losses


@pytest.fixture(scope="session")
def spiral_data():
    return gg.data.spiral(n_samples=240, noise=0.1, seed=1)


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory, spiral_data):
    """(run directory, the losses the loop saw) for a 2-16-16-3 ReLU MLP trained 4 epochs with Adam."""
    path = tmp_path_factory.mktemp("runs") / "spiral"
    model = spiral_mlp()
    optimizer = gg.optim.Adam(model.parameters(), lr=0.03)
    x, y = spiral_data.tensors
    probe = (x[:64], y[:64])
    with gg.trace.Recorder(model, path, optimizer=optimizer, probe=probe, loss_fn=nn.CrossEntropyLoss(),
                           total_steps=32, max_snapshots=8, config={"lr": 0.03},
                           dataset={"name": "spiral", "samples": 240}) as rec:
        losses = train(model, optimizer, spiral_data, recorder=rec)
    return path, np.array(losses)
