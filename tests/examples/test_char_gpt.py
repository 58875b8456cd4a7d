"""examples/char_gpt.py on a tiny setting: it learns on both libraries, samples, resumes exactly, records."""
import pytest

from glassgrad.trace import load_run

from .helpers import load_example, run_example

TINY = ["--max-iters", "30", "--eval-interval", "10", "--eval-iters", "4", "--n-layer", "1", "--n-head", "2",
        "--n-embd", "32", "--block-size", "16", "--batch-size", "16", "--lr", "1e-2", "--warmup-iters", "5",
        "--sample-chars", "40"]


@pytest.mark.parametrize("torch", [False, True], ids=["glassgrad", "torch"])
def test_the_loss_falls_and_it_writes_text(torch, capsys):
    result = run_example("char_gpt", TINY, torch)
    steps = [h["step"] for h in result["history"]]
    assert steps == [0, 10, 20, 30]
    first, last = result["history"][0], result["history"][-1]
    assert first["val_loss"] > 4.0  # about ln(76): a uniform guess over the 76 characters
    assert last["val_loss"] < first["val_loss"] - 0.5 and last["train_loss"] < first["train_loss"] - 0.5
    # embeddings 76*32 + 16*32 (the head shares wte), a block 12*32*32 + 13*32, final norm 2*32
    assert result["parameters"] == 76 * 32 + 16 * 32 + 12 * 32 * 32 + 13 * 32 + 2 * 32
    assert len(result["sample"]) == 41  # the "\n" prompt and 40 new characters
    out = capsys.readouterr().out
    assert "---- a sample ----" in out and result["sample"] in out


@pytest.mark.parametrize("torch", [False, True], ids=["glassgrad", "torch"])
def test_an_interrupted_run_resumes_to_the_same_result(torch, tmp_path):
    whole = run_example("char_gpt", TINY, torch)

    # The same run, stopped at step 15 (after the checkpoint of step 10).
    module = load_example("char_gpt", torch)
    learning_rate = module.learning_rate

    def learning_rate_then_stop(it, args):
        if it == 15:
            raise KeyboardInterrupt
        return learning_rate(it, args)

    module.learning_rate = learning_rate_then_stop
    args = TINY + ["--checkpoint", str(tmp_path)] + (["--torch"] if torch else [])
    with pytest.raises(KeyboardInterrupt):
        module.main(args)
    resumed = load_example("char_gpt", torch).main(args)
    assert [h["step"] for h in resumed["history"]] == [10, 20, 30]
    assert resumed["history"] == whole["history"][1:]
    assert resumed["sample"] == whole["sample"]


def test_record_writes_a_run_with_every_step(tmp_path):
    run_dir = tmp_path / "run"
    result = run_example("char_gpt", TINY + ["--record", str(run_dir)])
    run = load_run(str(run_dir))
    assert run.status == "finished" and run.manifest["model"]["parameter_count"] == result["parameters"]
    assert len(run.scalars["loss"]) == 30
    assert [e["val_loss"] for e in run.epochs] == [h["val_loss"] for h in result["history"]]
