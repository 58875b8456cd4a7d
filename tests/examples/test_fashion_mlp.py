"""examples/fashion_mlp.py on a tiny setting: it learns on both libraries, resumes exactly, records."""
import pytest

from glassgrad.trace import load_run

from .helpers import load_example, needs_fashion_mnist, run_example

pytestmark = needs_fashion_mnist

TINY = ["--epochs", "2", "--train-samples", "512", "--hidden", "32", "--batch-size", "64", "--lr", "3e-3"]


@pytest.mark.parametrize("torch", [False, True], ids=["glassgrad", "torch"])
def test_the_loss_falls_and_it_beats_chance(torch, capsys):
    result = run_example("fashion_mlp", TINY, torch)
    first, last = result["history"]
    assert last["train_loss"] < first["train_loss"] and last["test_loss"] < first["test_loss"]
    assert result["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    # 784*32+32 + 32*32+32 + 32*10+10 weights and biases, the same model on both libraries
    assert result["parameters"] == 26_506
    out = capsys.readouterr().out
    assert "epoch 2/2" in out and ("torch" if torch else "glassgrad") in out.splitlines()[-1]


@pytest.mark.parametrize("torch", [False, True], ids=["glassgrad", "torch"])
def test_an_interrupted_run_resumes_to_the_same_result(torch, tmp_path):
    whole = run_example("fashion_mlp", TINY, torch)

    # The same run, stopped during the second epoch's evaluation (after epoch 1 was checkpointed).
    module = load_example("fashion_mlp", torch)
    evaluate, calls = module.evaluate, []

    def evaluate_then_stop(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return evaluate(*args)

    module.evaluate = evaluate_then_stop
    args = TINY + ["--checkpoint", str(tmp_path)] + (["--torch"] if torch else [])
    with pytest.raises(KeyboardInterrupt):
        module.main(args)
    resumed = load_example("fashion_mlp", torch).main(args)
    assert [h["epoch"] for h in resumed["history"]] == [2]
    assert resumed["history"][-1] == whole["history"][-1]
    assert resumed["test_loss"] == whole["test_loss"]


def test_record_writes_a_run_with_every_step(tmp_path):
    run_dir = tmp_path / "run"
    result = run_example("fashion_mlp", TINY + ["--record", str(run_dir)])
    run = load_run(str(run_dir))
    assert run.status == "finished"
    assert run.manifest["model"]["parameter_count"] == result["parameters"]
    assert len(run.scalars["loss"]) == 2 * 8  # 512 images in batches of 64, two epochs
    assert [e["val_accuracy"] for e in run.epochs] == [h["test_accuracy"] for h in result["history"]]


def test_record_needs_glassgrad(tmp_path):
    with pytest.raises(SystemExit):
        run_example("fashion_mlp", TINY + ["--record", str(tmp_path / "run")], torch=True)
