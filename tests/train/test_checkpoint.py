"""Checkpoints: one safetensors file with everything; resume reproduces an uninterrupted run exactly."""
import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.io import CheckpointError
from glassgrad.train import fit, load_checkpoint, save_checkpoint
from tests.train.test_loop import setup


def run(epochs, checkpoint_dir=None, resume=False):
    model, opt, loader, val_loader = setup(seed=7, dropout=0.3)
    sched = gg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, val_loader=val_loader,
                  scheduler=sched, checkpoint_dir=checkpoint_dir, resume=resume, progress=False)
    return model, history


def test_resume_continues_with_exactly_the_same_losses(tmp_path):
    full_model, full = run(6)
    run(3, checkpoint_dir=tmp_path)             # interrupted after epoch 3 …
    model, resumed = run(6, checkpoint_dir=tmp_path, resume=True)   # … then resumed in a fresh process
    assert resumed.step_losses == full.step_losses
    assert resumed["val_loss"] == full["val_loss"] and resumed["lr"] == full["lr"]
    for (name, a), (_, b) in zip(full_model.state_dict().items(), model.state_dict().items()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_checkpoint_holds_model_optimizer_scheduler_rng_and_extra(tmp_path):
    model, opt, _, _ = setup()
    sched = gg.optim.lr_scheduler.StepLR(opt, 2)
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, model=model, optimizer=opt, scheduler=sched, epoch=3, note="hello")
    state = gg.load(path)
    assert state["epoch"] == 3 and state["extra"] == {"note": "hello"}
    assert set(state) >= {"model", "optimizer", "scheduler", "rng"}
    before = gg.rand(4).data
    gg.manual_seed(123)
    load_checkpoint(path, model=model, optimizer=opt, scheduler=sched)
    np.testing.assert_array_equal(gg.rand(4).data, before)  # the random stream continues where it was


def test_a_checkpoint_that_does_not_fit_changes_nothing(tmp_path):
    model, opt, _, _ = setup()
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, model=model, optimizer=opt, epoch=1)
    other = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    before = {k: v.data.copy() for k, v in other.state_dict().items()}
    with pytest.raises(CheckpointError, match=r"size mismatch 0.weight: checkpoint \(32, 2\), model \(8, 2\)"):
        load_checkpoint(path, model=other)
    for k, v in other.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


def test_files_that_are_not_checkpoints(tmp_path):
    model, _, _, _ = setup()
    weights = tmp_path / "w.safetensors"
    gg.save(model.state_dict(), weights)
    with pytest.raises(CheckpointError, match="not a glassgrad checkpoint"):
        load_checkpoint(weights, model=model)
    cut = tmp_path / "cut.safetensors"
    save_checkpoint(cut, model=model)
    cut.write_bytes(cut.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        load_checkpoint(cut, model=model)
    save_checkpoint(tmp_path / "m.safetensors", model=model)
    with pytest.raises(CheckpointError, match="no optimizer state"):
        load_checkpoint(tmp_path / "m.safetensors", model=model, optimizer=gg.optim.SGD(model.parameters()))
