"""The subcommands of ``horneross-conformance``, one module each; ``cli`` wires them."""

from __future__ import annotations

import sys

from horneross_conformance.reporting.inert import for_terminal

USAGE = 2  # the exit code of a usage error, as argparse gives it


def usage_error(command: str, message: str) -> int:
    """Say what is wrong with the command line or its inputs in one line on stderr; the exit code of that."""
    print(for_terminal(f"horneross-conformance {command}: {message}"), file=sys.stderr)  # it may quote any input
    return USAGE
