"""``glassgrad …`` subcommands (``python -m glassgrad`` is the same).

    glassgrad demo                       train a small network on a spiral, watch its loss fall
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
