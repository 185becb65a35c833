"""The ``horneross-conformance`` command: one subcommand per everyday webhook task.

``validate`` checks captured events and logs against the schemas, ``sign`` computes a signature as the
documentation does, ``send`` delivers a signed event to an endpoint, ``listen`` receives and verifies deliveries,
and ``run`` runs the conformance suites. Each subcommand lives in ``horneross_conformance.commands``.
"""

from __future__ import annotations

import argparse
import sys

from horneross_conformance import __version__
from horneross_conformance.commands import run, validate


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="horneross-conformance",
        description="The conformance suite and contract-testing toolkit for Horneross webhooks.",
        epilog="Run 'horneross-conformance COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (validate, run):
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
