"""``glassgrad …`` subcommands (``python -m glassgrad`` is the same)."""
from __future__ import annotations

import argparse
import sys


def _demo(args) -> int:
    from .demo import train_spiral
    train_spiral(epochs=args.epochs, seed=args.seed)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassgrad", description="A deep learning engine you can "
                                     "see through.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train a small network on a spiral and watch its loss fall")
    demo.add_argument("--epochs", type=int, default=300)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
