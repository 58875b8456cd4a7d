"""examples/fashion_mlp.py and fashion_cnn.py on a tiny setting: each learns on both libraries, resumes
exactly, records. The two scripts share their command line and training loop, so one set of tests runs
on each."""
import pytest

from glassgrad.trace import load_run

from .helpers import load_example, needs_fashion_mnist, run_example

pytestmark = needs_fashion_mnist

TINY = {  # 8 steps an epoch in both: 512 images in batches of 64, 256 in batches of 32
    "fashion_mlp": ["--epochs", "2", "--train-samples", "512", "--hidden", "32", "--batch-size", "64",
                    "--lr", "3e-3"],
    "fashion_cnn": ["--epochs", "2", "--train-samples", "256", "--channels", "4", "--batch-size", "32",
                    "--lr", "3e-3"],
}
PARAMETERS = {  # the same model on both libraries
    "fashion_mlp": 784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10,
    # convolutions 40 + 296, batch norms 8 + 16, linears 8*49*128+128 + 128*10+10
    "fashion_cnn": 51_954,
}
EXAMPLES = pytest.mark.parametrize("name", list(TINY))
LIBRARIES = pytest.mark.parametrize("torch", [False, True], ids=["glassgrad", "torch"])


@EXAMPLES
@LIBRARIES
def test_the_loss_falls_and_it_beats_chance(name, torch, capsys):
    result = run_example(name, TINY[name], torch)
    first, last = result["history"]
    assert last["train_loss"] < first["train_loss"] and last["test_loss"] < first["test_loss"]
    assert result["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    assert result["parameters"] == PARAMETERS[name]
    out = capsys.readouterr().out
    assert "epoch 2/2" in out and ("torch" if torch else "glassgrad") in out.splitlines()[-1]


@EXAMPLES
@LIBRARIES
def test_an_interrupted_run_resumes_to_the_same_result(name, torch, tmp_path):
    whole = run_example(name, TINY[name], torch)

    # The same run, stopped during the second epoch's evaluation (after epoch 1 was checkpointed).
    module = load_example(name, torch)
    evaluate, calls = module.evaluate, []

    def evaluate_then_stop(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return evaluate(*args)

    module.evaluate = evaluate_then_stop
    args = TINY[name] + ["--checkpoint", str(tmp_path)] + (["--torch"] if torch else [])
    with pytest.raises(KeyboardInterrupt):
        module.main(args)
    resumed = load_example(name, torch).main(args)
    assert [h["epoch"] for h in resumed["history"]] == [2]
    assert resumed["history"][-1] == whole["history"][-1]
    assert resumed["test_loss"] == whole["test_loss"]


@EXAMPLES
def test_record_writes_a_run_with_every_step(name, tmp_path):
    run_dir = tmp_path / "run"
    result = run_example(name, TINY[name] + ["--record", str(run_dir)])
    run = load_run(str(run_dir))
    assert run.status == "finished"
    assert run.manifest["model"]["parameter_count"] == result["parameters"]
    assert len(run.scalars["loss"]) == 2 * 8  # two epochs of 8 steps
    assert [e["val_accuracy"] for e in run.epochs] == [h["test_accuracy"] for h in result["history"]]


@EXAMPLES
def test_record_needs_glassgrad(name, tmp_path):
    with pytest.raises(SystemExit):
        run_example(name, TINY[name] + ["--record", str(tmp_path / "run")], torch=True)
