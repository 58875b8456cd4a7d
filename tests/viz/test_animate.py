"""Every animation view renders frames that differ over time; files are real GIFs/MP4s."""
import shutil

import numpy as np
import pytest
from PIL import Image

import glassgrad as gg
from glassgrad.viz.animate import VIEWS, ViewUnavailable, animate, renderer_for


def pixels(renderer, i):
    renderer.draw(i)
    renderer.fig.canvas.draw()
    return np.asarray(renderer.fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("view", VIEWS)
def test_frames_differ_over_time(recorded_run, view):
    run = gg.trace.load_run(recorded_run[0])
    renderer = renderer_for(run, view)
    assert len(renderer) >= 2
    first, last = pixels(renderer, 0), pixels(renderer, len(renderer) - 1)
    assert first.shape == last.shape and (first != last).any(axis=-1).mean() > 0.002


def test_gif_is_written_with_every_frame(recorded_run, tmp_path):
    run = gg.trace.load_run(recorded_run[0])
    out = animate(run, "boundary", tmp_path / "b.gif", progress=False, dpi=40)
    with Image.open(out) as gif:
        assert gif.n_frames == len(run.snapshot_steps)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed (CI installs it)")
def test_mp4_through_ffmpeg(recorded_run, tmp_path):
    run = gg.trace.load_run(recorded_run[0])
    out = animate(run, "landscape", tmp_path / "l.mp4", progress=False, dpi=40)
    data = open(out, "rb").read()
    assert data[4:8] == b"ftyp" and len(data) > 1000


def test_mp4_without_ffmpeg_says_what_to_do(recorded_run, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt install ffmpeg"):
        animate(gg.trace.load_run(recorded_run[0]), "curves", tmp_path / "c.mp4")
    assert not list(tmp_path.iterdir())


def test_views_that_do_not_apply_say_why(tmp_path):
    model = gg.nn.Sequential(gg.nn.Linear(5, 2))
    with gg.trace.Recorder(model, tmp_path / "r"):
        pass
    run = gg.trace.load_run(tmp_path / "r")
    for view in ("boundary", "backward", "landscape", "curves"):
        with pytest.raises(ViewUnavailable):
            renderer_for(run, view)
    with pytest.raises(ValueError, match="must end in .gif or .mp4"):
        animate(run, "curves", tmp_path / "x.avi")
