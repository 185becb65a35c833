"""The ``horneross-conformance`` command: one subcommand per everyday webhook task.

``validate`` checks captured events and logs against the schemas, ``sign`` computes a signature as the
documentation does, ``send`` delivers a signed event to an endpoint, ``listen`` receives and verifies deliveries,
``replay`` sends the deliveries ``listen`` kept to a receiver again, ``export`` writes its history as JSON Lines,
``run`` runs the conformance suites, and ``check-encoder`` checks that an encoder in any language writes what
``JSON.stringify`` writes. Each subcommand has a module of its own in ``horneross_conformance.cli``;
``cli.usage`` holds what they share, the exit codes first.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

from horneross_conformance.cli.usage import EXIT_INTERRUPTED, EXIT_OUTPUT_CLOSED
from horneross_conformance.core.version import __version__

# The subcommands, in the order --help lists them. A command line naming one imports that one's module alone: each
# pulls in what it needs (the inspector, the suites, the compiled schema checks), and importing all of them was
# most of the time a short command like sign took.
COMMANDS = ("validate", "sign", "send", "listen", "replay", "export", "run", "check-encoder")


class _Parser(argparse.ArgumentParser):
    """The command's parser and, through ``add_subparsers``, every subcommand's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "allow_abbrev", False
        )  # --secret must not pass for --secret-env, nor any prefix for an option
        super().__init__(*args, **kwargs)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # named, but never echoed: a value typed where it does not belong may be a secret
            options = [extra.split("=", 1)[0] for extra in extras if extra.startswith("-")]
            values = len(extras) - len(options) + sum("=" in extra for extra in extras if extra.startswith("-"))
            shown = " ".join(options) or "(none)"
            hidden = f" and {values} value{'s' * (values > 1)}, not repeated here" if values else ""
            self._parser_of(parsed).error(f"unrecognized arguments: {shown}{hidden}")
        return parsed

    def _parser_of(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The subcommand's parser, whose usage line is the one that helps (``validate --formt``), else this one."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                found: argparse.ArgumentParser | None = action.choices.get(str(getattr(parsed, action.dest, "")))
                return found or self
        return self


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command's parser, with every subcommand, or with ``only`` that one."""
    parser = _Parser(
        prog="horneross-conformance",
        description="The conformance suite and contract-testing toolkit for Horneross webhooks.",
        epilog="Run 'horneross-conformance COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"horneross_conformance.cli.{name.replace('-', '_')}").add_parser(commands)
    return parser


def named_command(argv: list[str]) -> str | None:
    """The subcommand ``argv`` names before any other word, when it names one and asks for nothing of the command
    itself (``--help``, ``--version``) first."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
        if word in ("-h", "--help", "--version") or word.startswith("--v"):
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser(named_command(argv)).parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of the output went away (``| head``): nothing more can be said to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush raises nothing more
        return EXIT_OUTPUT_CLOSED
    return code


if __name__ == "__main__":
    sys.exit(main())
