"""The deep dive: one self-contained HTML file that walks a reader through how a real network learned.

    glassgrad explain                       # the embedded default: a 2-16-16-3 MLP on a spiral
    glassgrad explain --run runs/mine       # a run recorded with glassgrad.trace.Recorder

In Python, :func:`explain` trains and writes the page; :func:`explain_run` writes it for a recorded run;
:func:`explainer_data` and :func:`run_data` give the data alone (what ``glassgrad.viz.show`` displays).
"""
from __future__ import annotations

import os
import tempfile

from .config import ExplainConfig, parse_hidden
from .html import build_html, write_html

__all__ = ["ExplainConfig", "explain", "explain_run", "explainer_data", "run_data", "build_html",
           "write_html", "parse_hidden"]


def explainer_data(config: ExplainConfig | None = None, run_dir=None, progress: bool = False,
                   log=None) -> dict:
    """Train the config's network (recorded into ``run_dir``, a temporary directory by default) and the
    extra runs of sections 4 and 5; every section's view data. ``log(message)`` hears what runs now."""
    from .backprop import capture_graphs
    from .config import make_data
    from .main_run import train_main
    from .race import race_view
    from .schedules import schedules_view
    from .sections import choose_samples, run_sections, snapshot_steps_for_graphs

    config = config or ExplainConfig()
    log = log or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="glassgrad-explain-") as tmp:
        log(f"training {config.describe()} (sections 1, 2, 3, 6)")
        run, model, loss_fn = train_main(config, run_dir or os.path.join(tmp, "run"), progress)
        samples = choose_samples(run)
        graphs = capture_graphs(model, loss_fn, run, samples, snapshot_steps_for_graphs(run))
        train, test = make_data(config)
        log("racing SGD, SGD + momentum, Adam and AdamW at three learning rates each (section 4)")
        race = race_view(config, train)
        log("training with five learning-rate schedules (section 5)")
        schedules = schedules_view(config, train, test)
        data = run_sections(run, graphs=graphs, race=race, schedules=schedules, samples=samples)
    data["meta"]["description"] = config.describe()
    return data


def run_data(run) -> dict:
    """Every section's view data for a run recorded elsewhere (a Run or its directory)."""
    from ...trace import load_run
    from .sections import run_sections
    if isinstance(run, (str, os.PathLike)):
        run = load_run(run)
    data = run_sections(run)
    data["meta"]["description"] = f"{run.manifest['model']['class']} recorded in {os.path.basename(run.path)}"
    return data


def explain(config: ExplainConfig | None = None, out="glassgrad-explainer.html", run_dir=None,
            progress: bool = False) -> str:
    """Train, record and write the deep dive to ``out``; returns the path written.

    >>> import os, tempfile
    >>> tiny = ExplainConfig(hidden=(4,), epochs=1, samples=60)
    >>> path = explain(tiny, out=os.path.join(tempfile.mkdtemp(), "tiny.html"))
    >>> open(path, encoding="utf-8").read(15)
    '<!doctype html>'
    """
    return write_html(explainer_data(config, run_dir, progress), out)


def explain_run(run, out="glassgrad-explainer.html") -> str:
    """Write the deep dive of a recorded run (a Run or its directory) to ``out``; returns the path.
    (``glassgrad explain --run RUN`` from the command line.)"""
    return write_html(run_data(run), out)
