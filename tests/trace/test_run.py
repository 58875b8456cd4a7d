"""The run directory format: loading, a run killed mid-write, and runs that are not runs."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.trace import RunError, load_run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_run_killed_with_sigkill_loads_up_to_its_last_flush(tmp_path):
    script = textwrap.dedent(f"""
        import os, signal
        import glassgrad as gg
        from glassgrad import nn
        gg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        opt = gg.optim.SGD(model.parameters(), lr=0.1)
        data = gg.data.moons(64)
        x, y = data.tensors
        rec = gg.trace.Recorder(model, {str(tmp_path / "killed")!r}, optimizer=opt, probe=(x[:8], y[:8]),
                                loss_fn=nn.CrossEntropyLoss(), snapshots=5, flush_seconds=0.0).open()
        for step in range(1, 1000):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            if step == 12:
                rec.writer.background.wait()  # let the snapshot thread finish, then die mid-run
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    run = load_run(tmp_path / "killed")
    assert run.status == "running"
    assert 11 <= len(run.scalars["step"]) <= 12  # step 12's record was still open for rec.log()
    assert run.snapshot_steps == [0, 5, 10]
    assert np.isfinite(run.scalars["loss"]).all()
    run.snapshot(10).weights  # whole and readable
    assert "killed" in gg.trace.diagnostics.report(run)


def test_partial_last_line_is_ignored_but_a_damaged_middle_line_is_reported(recorded_run, tmp_path):
    path, _ = recorded_run
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("manifest.json", "epochs.jsonl"):
        (copy / name).write_bytes((path / name).read_bytes())
    lines = (path / "scalars.jsonl").read_text().splitlines()
    (copy / "scalars.jsonl").write_text("\n".join(lines) + "\n" + lines[0][:17])
    assert len(load_run(copy).scalars["step"]) == len(lines)
    (copy / "scalars.jsonl").write_text(lines[0] + "\n{oops\n" + lines[1] + "\n")
    with pytest.raises(RunError, match="line 2 is damaged"):
        load_run(copy).scalars


def test_not_a_run_gives_a_clear_message(tmp_path):
    with pytest.raises(RunError, match="no such directory"):
        load_run(tmp_path / "absent")
    (tmp_path / "file.txt").write_text("hi")
    with pytest.raises(RunError, match="is a file"):
        load_run(tmp_path / "file.txt")
    with pytest.raises(RunError, match="no manifest.json"):
        load_run(tmp_path)
    (tmp_path / "manifest.json").write_text("{half")
    with pytest.raises(RunError, match="damaged"):
        load_run(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"name": "something else"}))
    with pytest.raises(RunError, match="not a glassgrad run manifest"):
        load_run(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "glassgrad.run", "version": 99}))
    with pytest.raises(RunError, match="newer glassgrad"):
        load_run(tmp_path)


@pytest.mark.parametrize("command", ["inspect", "plot"])
def test_cli_on_a_bad_run_prints_one_line_not_a_traceback(command, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "glassgrad", command, str(tmp_path / "nothing")], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"glassgrad {command}: {tmp_path / 'nothing'}: no such directory"


def test_run_loads_without_pickle_and_reports_its_contents(recorded_run):
    path, _ = recorded_run
    run = load_run(path)
    assert "finished" in repr(run) and "32 steps" in repr(run)
    assert len(run.epochs) == 0 and len(run.graph_steps) == 8  # max_graphs of the 9 snapshots
    assert set(run.graph_steps) <= set(run.snapshot_steps)
    assert run.graph_steps[0] == 0 and run.graph_steps[-1] == 32
    missing = min(set(run.snapshot_steps) - set(run.graph_steps))
    with pytest.raises(KeyError, match=f"no graph at step {missing}; graphs exist at steps"):
        run.graph(missing)
    graph = run.graph()
    assert graph["step"] == 32 and graph["loss"] > 0
    land = run.landscape
    assert land["surface"].shape == (21, 21) and land["path"].shape == (len(run.snapshot_steps), 2)
    np.testing.assert_allclose(land["path"][-1], [0, 0], atol=1e-6)  # the slice is centred on the end
    for name in os.listdir(path / "snapshots"):
        assert name.endswith(".safetensors")
