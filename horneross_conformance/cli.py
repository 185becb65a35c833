"""The ``horneross-conformance`` command.

``run`` runs the conformance suite: against the bundled reference receiver when no target is given (what the
README's first command does), or against ``--endpoint URL`` with the secret from ``HORNEROSS_WEBHOOK_SECRET``.
The suite runs in pytest, isolated from the current folder's configuration and conftest files.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Iterator

from horneross_conformance import __version__
from horneross_conformance.plugin import DEFAULT_TIMEOUT, SECRET_ENV


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="horneross-conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="run the conformance suite (against the bundled reference receiver by default)",
        description="Run the receiver suite against --endpoint, or against the bundled reference receiver.",
    )
    run.add_argument("--endpoint", metavar="URL", help=f"the webhook endpoint to test (secret from {SECRET_ENV})")
    run.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS")
    run.add_argument("--report", metavar="PATH", help="write a report (.json)")
    run.add_argument("--strict", action="store_true", help="SHOULD requirements fail the run too")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: more pytest options (-k, -v, ...)")
    args = parser.parse_args(argv)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    import pytest

    extra = [a for a in args.pytest_args if a != "--"] if args.pytest_args else []
    # The suite's checks do not use assert, and this package is imported already: nothing to rewrite.
    options = ["-p", "no:cacheprovider", "--noconftest", "-c", os.devnull, "--rootdir", os.getcwd(), "--assert=plain"]
    options += [f"--horneross-timeout={args.timeout}"]
    if args.report:
        options.append(f"--horneross-report={args.report}")
    if args.strict:
        options.append("--horneross-strict")
    with _target(args.endpoint) as url:
        return int(pytest.main([*options, f"--horneross-endpoint={url}", *extra]))


@contextlib.contextmanager
def _target(endpoint: str | None) -> Iterator[str]:
    if endpoint is not None:
        yield endpoint  # the plugin checks it, and that the secret is set, like any pytest run
        return
    from horneross_conformance.reference_receiver import ReferenceReceiver
    from horneross_conformance.server import serve

    secret = secrets.token_urlsafe(24)
    previous = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = secret  # handed to the suite through the environment, never on a command line
    try:
        with serve(ReferenceReceiver(secret)) as base:
            print(f"bundled reference receiver listening on {base}/webhook")
            yield f"{base}/webhook"
    finally:
        if previous is None:
            os.environ.pop(SECRET_ENV, None)
        else:
            os.environ[SECRET_ENV] = previous


if __name__ == "__main__":
    sys.exit(main())
