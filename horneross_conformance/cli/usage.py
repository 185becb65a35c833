"""What every subcommand of ``horneross-conformance`` shares: its exit codes, and how it reports a usage error."""

from __future__ import annotations

import argparse
import sys

from horneross_conformance.core.inert import for_terminal

# One table of exit codes for every command; docs/toolbox.md renders EXIT_CODES, and the tests run each command's
# failure modes against it.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # as argparse gives it
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE, as shells report a command whose reader went away

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "what was checked is right: every event valid (`validate`), the signature printed (`sign`), the endpoint "
    "did what Horneross needs (`send`), every delivery signed and valid (`listen`), every replayed delivery "
    "answered as Horneross needs (`replay`), conformant (`run`), every output exactly what JSON.stringify "
    "writes (`check-encoder`)",
    EXIT_FAILED: "what was checked is wrong: an invalid event or an unreadable file (`validate`), an answer that is "
    "not what Horneross needs, or none (`send`), a delivery with a problem, or signatures not checked for want of "
    "a secret (`listen`), a replayed delivery answered otherwise, or one not sendable as captured "
    "(`replay`), non-conformant, or not certified because a MUST could not be checked (`run`), an output that "
    "JSON.stringify would not write, or an encoder that hangs, exits or cannot be read (`check-encoder`)",
    EXIT_USAGE: "nothing was checked: an unknown option or a bad value, a path that does not exist, a payload file "
    "that is not JSON (`sign`, `send`), no secret, a port in use, a `-k` that selects no check (`run`), a history "
    "or log that cannot be read (`replay`), an encoder that cannot be started (`check-encoder`)",
    EXIT_INTERNAL: "an internal error of the toolkit (`run`): please report it",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C), except `listen`, for which Ctrl-C is the usual way to stop",
    EXIT_OUTPUT_CLOSED: "the output was closed before the command ended (piped to head, say): it stopped there, "
    "its verdict unsaid",
}

STDIN = "-"  # the path that means standard input, for every command that reads a file
FINAL_STATUSES = range(200, 600)  # an answer; 1xx are interim, never the answer to a delivery


def usage_error(command: str, message: str) -> int:
    """Say what is wrong with the command line or its inputs in one line on stderr; the exit code of that."""
    print(for_terminal(f"horneross-conformance {command}: {message}"), file=sys.stderr)  # it may quote any input
    return EXIT_USAGE


def http_status(text: str) -> int:
    """An option's HTTP status for an answer: an integer from 200 to 599 (HTTP defines 100 to 599, and 1xx are
    interim responses, never an answer)."""
    try:
        status = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an HTTP status code (200 to 599)") from None
    if status not in FINAL_STATUSES:
        raise argparse.ArgumentTypeError(f"{status} is not the HTTP status of an answer (200 to 599)")
    return status
