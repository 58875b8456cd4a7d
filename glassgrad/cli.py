"""``glassgrad …`` subcommands (``python -m glassgrad`` is the same).

    glassgrad demo                       train a small network on a spiral, watch its loss fall
    glassgrad explain [--run RUN]        one self-contained HTML page: how a real network learned
    glassgrad inspect RUN                what went right and wrong in a recorded run
    glassgrad plot RUN [--out DIR]       PNG plots of a run
    glassgrad animate RUN --view V --out FILE.gif|.mp4
    glassgrad playground [--host H] [--port P]   train networks live in the browser
"""
from __future__ import annotations

import argparse
import os
import sys


class CommandError(Exception):
    """A user-facing failure: printed as one clear message, never a traceback."""


def _load(path):
    from .trace import RunError, load_run
    try:
        return load_run(path)
    except RunError as err:
        raise CommandError(str(err)) from None


def _demo(args) -> int:
    from .demo import train_spiral
    train_spiral(epochs=args.epochs, seed=args.seed)
    return 0


TRAINING_OPTIONS = ("dataset", "hidden", "activation", "optimizer", "epochs", "lr", "seed", "record")


def _explain(args) -> int:
    import time

    from .viz import explainer
    started = time.perf_counter()
    log = (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))
    try:
        if args.run:
            given = [f"--{name}" for name in TRAINING_OPTIONS if getattr(args, name) is not None]
            if given:
                raise CommandError(f"{', '.join(given)} set(s) up a training run, but --run explains a run "
                                   "already recorded: give one or the other")
            run = _load(args.run)
            log(f"explaining the run in {args.run}")
            path = explainer.write_html(explainer.run_data(run), args.out)
        else:
            options = {name: getattr(args, name) for name in TRAINING_OPTIONS[:-1]
                       if getattr(args, name) is not None}
            if "hidden" in options:
                options["hidden"] = explainer.parse_hidden(options["hidden"])
            config = explainer.ExplainConfig(**options)
            data = explainer.explainer_data(config, run_dir=args.record, log=log)
            path = explainer.write_html(data, args.out)
    except ValueError as err:
        raise CommandError(str(err)) from None
    size = os.path.getsize(path) / 1e6
    print(f"wrote {path} ({size:.1f} MB) in {time.perf_counter() - started:.1f}s: open it in any browser "
          f"(no network needed)\n  file://{os.path.abspath(path)}")
    return 0


def _inspect(args) -> int:
    from .trace.diagnostics import report
    print(report(_load(args.run)))
    return 0


def _plot(args) -> int:
    from .viz.plots import write_plots
    run = _load(args.run)
    out = args.out or os.path.join(args.run, "plots")
    for path in write_plots(run, out):
        print(path)
    return 0


def _animate(args) -> int:
    from .viz.animate import ViewUnavailable, animate
    run = _load(args.run)
    try:
        path = animate(run, args.view, args.out, fps=args.fps, progress=not args.quiet, sample=args.sample)
    except (ViewUnavailable, ValueError, RuntimeError) as err:
        raise CommandError(str(err)) from None
    print(path)
    return 0


def _playground(args) -> int:
    try:
        from .web import serve
    except ImportError as err:
        raise CommandError(f"the playground needs starlette, uvicorn and websockets ({err}); "
                           "pip install starlette uvicorn websockets") from None
    try:
        serve(args.host, args.port, args.runs, open_browser=args.open)
    except OSError as err:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .viz.animate import VIEWS
    parser = argparse.ArgumentParser(prog="glassgrad", description="A deep learning engine you can "
                                     "see through.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="train a small network on a spiral and watch its loss fall")
    demo.add_argument("--epochs", type=int, default=300)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run_command=_demo)

    from .viz.explainer.config import ACTIVATIONS, DATASETS, OPTIMIZERS
    explain = sub.add_parser("explain", help="train a network (or take a recorded run) and write one "
                             "self-contained HTML page showing how it learned")
    explain.add_argument("--run", help="a run directory recorded with glassgrad.trace.Recorder, instead of "
                         "training the built-in example")
    explain.add_argument("--dataset", choices=DATASETS, help="toy data set (default spiral)")
    explain.add_argument("--hidden", help="hidden layer sizes, e.g. 16,16 (the default)")
    explain.add_argument("--activation", choices=list(ACTIVATIONS), help="default relu")
    explain.add_argument("--optimizer", choices=list(OPTIMIZERS), help="default adamw")
    explain.add_argument("--epochs", type=int, help="default 120")
    explain.add_argument("--lr", type=float, help="learning rate (default: the optimizer's usual one)")
    explain.add_argument("--seed", type=int, help="default 0")
    explain.add_argument("--record", help="keep the recorded run in this directory, replacing any run there "
                         "(default: not kept)")
    explain.add_argument("--out", default="glassgrad-explainer.html", help="the HTML file to write "
                         "(default glassgrad-explainer.html)")
    explain.add_argument("--quiet", action="store_true", help="print only where the page is")
    explain.set_defaults(run_command=_explain)

    inspect = sub.add_parser("inspect", help="diagnose a recorded run (dead ReLUs, vanishing gradients …)")
    inspect.add_argument("run", help="a run directory written by glassgrad.trace.Recorder")
    inspect.set_defaults(run_command=_inspect)

    plot = sub.add_parser("plot", help="write PNG plots of a recorded run")
    plot.add_argument("run")
    plot.add_argument("--out", help="directory for the PNGs (default: RUN/plots)")
    plot.set_defaults(run_command=_plot)

    anim = sub.add_parser("animate", help="render an animation of a recorded run")
    anim.add_argument("run")
    anim.add_argument("--view", required=True, choices=VIEWS)
    anim.add_argument("--out", required=True, help="FILE.gif, or FILE.mp4 (needs ffmpeg)")
    anim.add_argument("--fps", type=int)
    anim.add_argument("--sample", type=int, default=0, help="probe sample for the forward view")
    anim.add_argument("--quiet", action="store_true", help="no progress bar")
    anim.set_defaults(run_command=_animate)

    play = sub.add_parser("playground", help="train networks live in the browser (a local web server)")
    play.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1: this machine only)")
    play.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    play.add_argument("--runs", help="where saved runs go (default ./playground-runs)")
    play.add_argument("--open", action="store_true", help="open the page in the default browser")
    play.set_defaults(run_command=_playground)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.run_command
    try:
        return command(args)
    except CommandError as err:
        print(f"glassgrad {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
