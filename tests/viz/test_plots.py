"""`glassgrad plot` writes real PNGs of every plot the run has data for."""
import subprocess
import sys

from PIL import Image

import glassgrad as gg
from glassgrad.viz.plots import write_plots


def test_plots_are_pngs(recorded_run, tmp_path):
    paths = write_plots(gg.trace.load_run(recorded_run[0]), tmp_path)
    names = sorted(p.rsplit("/", 1)[1] for p in paths)
    assert names == ["grad_histograms.png", "grad_norms.png", "loss.png", "lr.png", "metrics.png",
                     "update_ratios.png", "weight_histograms.png"]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] > 300


def test_cli_plot_and_inspect(recorded_run, tmp_path):
    run_dir = str(recorded_run[0])
    out = subprocess.run([sys.executable, "-m", "glassgrad", "plot", run_dir, "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "loss.png" in out.stdout
    report = subprocess.run([sys.executable, "-m", "glassgrad", "inspect", run_dir], capture_output=True,
                            text=True)
    assert report.returncode == 0 and "parameters" in report.stdout and "✓" in report.stdout
