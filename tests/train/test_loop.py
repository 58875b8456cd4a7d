"""fit / evaluate: the loop a newcomer reads, checked against a hand-written loop and for its promises."""
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.train import EarlyStopping, LambdaCallback, TrainingDiverged, evaluate, fit


def setup(seed=0, dropout=0.0, lr=0.02):
    gg.manual_seed(seed)
    data = gg.data.spiral(n_samples=300, noise=0.1, seed=2)
    train, val = gg.data.random_split(data, [240, 60], generator=gg.Generator(1))
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Dropout(dropout), nn.Linear(32, 3))
    optimizer = gg.optim.Adam(model.parameters(), lr=lr)
    train_loader = gg.data.DataLoader(train, batch_size=32, shuffle=True)
    val_loader = gg.data.DataLoader(val, batch_size=60)
    return model, optimizer, train_loader, val_loader


def test_history_logs_every_epoch_and_step():
    model, opt, train_loader, val_loader = setup(lr=0.05)
    history = fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs=12, val_loader=val_loader,
                  progress=False)
    assert len(history) == 12 and len(history.step_losses) == 12 * len(train_loader)
    assert set(history.epochs[0]) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"}
    assert history["loss"][-1] < 0.8 * history["loss"][0] and history["val_accuracy"][-1] > 0.6
    assert history["lr"] == [0.05] * 12 and model.training


def test_fit_equals_the_hand_written_loop():
    model, opt, loader, _ = setup(seed=4, dropout=0.2)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, progress=False)
    model2, opt2, loader2, _ = setup(seed=4, dropout=0.2)
    loss_fn, losses = nn.CrossEntropyLoss(), []
    model2.train()
    for _ in range(3):
        for x, y in loader2:
            opt2.zero_grad()
            loss = loss_fn(model2(x), y)
            loss.backward()
            opt2.step()
            losses.append(loss.item())
    assert history.step_losses == losses


def test_evaluate_is_graph_free_and_restores_the_mode():
    model, _, _, val_loader = setup()
    model.train()
    logs = evaluate(model, val_loader, nn.CrossEntropyLoss())
    assert set(logs) == {"loss", "accuracy"} and 0 <= logs["accuracy"] <= 1 and model.training
    model.eval()
    evaluate(model, val_loader)
    assert not model.training


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_stops_with_the_step_and_the_learning_rate():
    model, _, loader, _ = setup()
    opt = gg.optim.SGD(model.parameters(), lr=1e12)
    with pytest.raises(TrainingDiverged, match=r"(?s)at step \d+ \(epoch 1\).*learning rate \(1e\+12\)"):
        fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, progress=False)


def test_schedulers_step_per_epoch_per_batch_and_on_plateau():
    model, opt, loader, val_loader = setup()
    sched = gg.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, scheduler=sched, progress=False)
    assert history["lr"] == [0.02, 0.01, 0.005]
    model, opt, loader, _ = setup()
    sched = gg.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=2 * len(loader))
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, scheduler=sched, scheduler_interval="step",
        progress=False)
    assert abs(opt.param_groups[0]["lr"] - 0.002) < 1e-12
    model, opt, loader, val_loader = setup(lr=0.5)
    plateau = gg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=6, val_loader=val_loader,
                  scheduler=plateau, progress=False)
    assert min(history["lr"]) < 0.5


def test_callbacks_and_early_stopping():
    model, opt, loader, val_loader = setup(lr=0.0)  # nothing improves: stop after `patience` epochs
    seen = []
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=20, val_loader=val_loader,
                  callbacks=[EarlyStopping("val_loss", patience=2),
                             LambdaCallback(on_epoch_end=lambda state, logs: seen.append(state.epoch))],
                  progress=False)
    assert len(history) == 3 and seen == [1, 2, 3]
    with pytest.raises(TypeError, match="unknown hooks"):
        LambdaCallback(on_everything=print)


def test_progress_bar_and_epoch_lines(capsys):
    model, opt, loader, _ = setup()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=1, progress=True)
    out, err = capsys.readouterr()
    assert out.startswith("epoch 1/1  loss ") and "accuracy" in out
    assert "epoch 1/1" in err  # the tqdm bar, on stderr


def test_fit_records_a_run(tmp_path):
    model, opt, loader, val_loader = setup()
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, val_loader=val_loader, progress=False,
        record=tmp_path / "run")
    run = gg.trace.load_run(tmp_path / "run")
    assert run.status == "finished" and len(run.scalars["step"]) == 2 * len(loader)
    assert [e["epoch"] for e in run.epochs] == [1, 2] and "val_loss" in run.epochs[0]
    assert run.graph() is not None and run.landscape is not None
    assert run.manifest["dataset"]["train_samples"] == 240


def test_bad_arguments():
    model, opt, loader, _ = setup()
    with pytest.raises(ValueError, match="epochs"):
        fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=-1)
    with pytest.raises(ValueError, match="scheduler_interval"):
        fit(model, nn.CrossEntropyLoss(), opt, loader, scheduler_interval="batch")
