"""``horneross-conformance run``: the conformance suites, in pytest.

It runs the conformance suites: with no target, the receiver suite against the bundled reference receiver
and the sender suite against the bundled reference sender (what the README's first command does); with
``--endpoint URL`` (secret from ``HORNEROSS_WEBHOOK_SECRET``) the receiver suite against it; with
``--sender MODULE:FACTORY`` (or the URL of a sender harness) the sender suite against it. Each suite runs in
pytest, isolated from the current folder's configuration and conftest files, and from the other pytest plugins
installed beside this one.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES, DEFAULT_IN_FLIGHT
from horneross_conformance.cli.usage import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    usage_error,
)
from horneross_conformance.core.contract import SECRET_ENV
from horneross_conformance.transport.client import DEFAULT_TIMEOUT

REFERENCE_SENDER = "horneross_conformance.sender.reference:for_conformance"


def add_parser(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run the conformance suites (against the bundled reference implementations by default)",
        description="Run the receiver suite against --endpoint, the sender suite against --sender, or both suites "
        "against the bundled reference receiver and sender. Exit code 0 means conformant.",
    )
    target = run.add_mutually_exclusive_group()
    target.add_argument("--endpoint", metavar="URL", help=f"the webhook endpoint to test (secret from {SECRET_ENV})")
    target.add_argument(
        "--sender",
        metavar="MODULE:FACTORY|URL",
        help="the sender adapter factory to test, or the http(s) base URL of a harness serving a sender in any "
        "language (the sender harness protocol)",
    )
    run.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS")
    run.add_argument(
        "--report",
        metavar="PATH",
        help="write a report (.json, .md or .html, by extension); running both suites, x.json becomes "
        "x-receiver.json and x-sender.json",
    )
    run.add_argument("--strict", action="store_true", help="SHOULD requirements fail the run too")
    run.add_argument("--ca-bundle", metavar="PATH", help="https endpoints: trust this PEM file's certificates")
    run.add_argument(
        "--examples",
        type=int,
        metavar="N",
        help=f"generated events per generated check (default {DEFAULT_EXAMPLES}; 0 leaves them out)",
    )
    run.add_argument("--seed", type=int, metavar="N", help="seed of the generated events, to repeat a run exactly")
    run.add_argument(
        "--in-flight",
        type=int,
        metavar="N",
        help=f"deliveries in flight at once in the generated checks (default {DEFAULT_IN_FLIGHT}; 1: one at a time)",
    )
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: more pytest options (-k, -v, ...)")
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    import pytest

    problem = _usage_problem(args)
    if problem:
        return usage_error("run", problem)
    roles = ["receiver"] if args.endpoint else ["sender"] if args.sender else ["receiver", "sender"]
    codes: dict[str, int] = {}
    verdicts: dict[str, str] = {}
    for role in roles:
        report = args.report
        if report and len(roles) > 1:
            path = Path(report)
            report = str(path.with_name(f"{path.stem}-{role}{path.suffix}"))
        codes[role], verdicts[role] = _run_suite(role, args, report)
    # -k may select checks of one suite only: the other one having nothing to run is not a failure
    ran = {role: code for role, code in codes.items() if code != pytest.ExitCode.NO_TESTS_COLLECTED}
    if len(ran) > 1 and all(verdicts[role] for role in ran):
        combined = next((v for v in _WORST_FIRST if v in {verdicts[role] for role in ran}), "CONFORMANT")
        each = ", ".join(f"{role} suite {verdicts[role]}" for role in ran)
        print(f"combined verdict: {combined} ({each})")
    if not ran:
        return usage_error("run", "no check was selected: -k matches no case id (RCV-SIG-002) or requirement (RCV-03)")
    return _EXIT_CODES.get(max(ran.values()), EXIT_INTERNAL)


_WORST_FIRST = ("NON-CONFORMANT", "NOT CERTIFIED", "CONFORMANT")
# pytest's exit codes, in the command's table (cli/usage.py)
_EXIT_CODES = {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_INTERRUPTED, 3: EXIT_INTERNAL, 4: EXIT_USAGE, 5: EXIT_USAGE}


def _usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line, named with this command's options, before any suite starts."""
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        return f"--timeout: {args.timeout:g} is not a positive number of seconds"
    if args.examples is not None and args.examples < 0:
        return f"--examples: {args.examples} is not 0 or more"
    if args.in_flight is not None and args.in_flight < 1:
        return f"--in-flight: {args.in_flight} is not 1 or more"
    if args.report:
        from horneross_conformance.reporting.write import check_report_path

        try:
            check_report_path(args.report)
        except ValueError as error:
            return f"--report: {error}"
    if args.endpoint:
        from horneross_conformance.transport.client import parse_endpoint, tls_context

        try:
            parse_endpoint(args.endpoint, args.ca_bundle)
        except ValueError as error:
            return f"--endpoint: {error}"
        try:
            tls_context(args.ca_bundle)
        except ValueError as error:
            return f"--ca-bundle: {error}"
        if not os.environ.get(SECRET_ENV):
            return f"--endpoint: the endpoint's secret is read from {SECRET_ENV}, which is not set"
    from horneross_conformance.plugin import FROM_FIXTURE  # here: pytest loads only when a suite runs
    from horneross_conformance.sender.harness import is_harness_url

    if args.sender and args.sender != FROM_FIXTURE and not is_harness_url(args.sender):  # a harness: the plugin asks it
        from horneross_conformance.sender.adapter import load_factory

        try:
            load_factory(args.sender)
        except ValueError as error:
            return f"--sender: {error}"
    return None


class _Verdict:
    """Keeps the verdict of the suite run that pytest.main makes (``pytest_run.SuiteRun``), as the terminal ends."""

    def __init__(self) -> None:
        self.status = ""

    def pytest_sessionfinish(self, session: Any) -> None:
        run = session.config.pluginmanager.get_plugin("horneross-run")
        if run is not None and not hasattr(session.config, "workerinput"):
            self.status = run.verdict().status


def _run_suite(role: str, args: argparse.Namespace, report: str | None) -> tuple[int, str]:
    """Run one suite; its pytest exit code and verdict ("" when it did not come to one)."""
    import pytest

    extra = [a for a in args.pytest_args if a != "--"] if args.pytest_args else []
    # The suite's checks do not use assert, and this package is imported already: nothing to rewrite.
    options = ["-p", "no:cacheprovider", "--noconftest", "-c", os.devnull, "--rootdir", os.getcwd(), "--assert=plain"]
    options += [option for plugin in named_plugins(extra) for option in ("-p", plugin)]
    options += [f"--horneross-timeout={args.timeout}"]
    if report:
        options.append(f"--horneross-report={report}")
    if args.strict:
        options.append("--horneross-strict")
    if args.examples is not None:
        options.append(f"--horneross-examples={args.examples}")
    if args.seed is not None:
        options.append(f"--horneross-seed={args.seed}")
    if args.in_flight is not None:
        options.append(f"--horneross-in-flight={args.in_flight}")
    if args.ca_bundle is not None:
        options.append(f"--horneross-ca-bundle={args.ca_bundle}")
    # pytest loads no plugin it is not named (-p), here and in xdist's workers: the others installed beside this
    # one (Hypothesis', schemathesis', pytest-benchmark's...) have nothing to do in a conformance run, and loading
    # them took about as long as the receiver suite's checks. Any other is named after --: -p NAME.
    verdict = _Verdict()
    with _environment("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1"):
        if role == "sender":
            factory = args.sender or REFERENCE_SENDER
            if not args.sender:
                print(f"bundled reference sender: {factory}")
            code = pytest.main([*options, f"--horneross-sender={factory}", *extra], plugins=[verdict])
        else:
            with _receiver(args.endpoint) as url:
                code = pytest.main([*options, f"--horneross-endpoint={url}", *extra], plugins=[verdict])
    return int(code), verdict.status


# each plugin run names, by its module, and the entry-point name a user may give it after -- (-p xdist, -p no:xdist)
_NAMED_PLUGINS = {"horneross_conformance.plugin": "horneross", "xdist.plugin": "xdist"}


def named_plugins(extra: list[str]) -> list[str]:
    """This toolkit's pytest plugin, and pytest-xdist's where it is installed (for ``-- -n 4``), unless the options
    after ``--`` name or refuse one themselves: pytest would refuse the same plugin registered under two names."""
    import importlib.util

    given = {value for option, value in itertools.pairwise(extra) if option == "-p"}
    given |= {option[2:] for option in extra if option.startswith("-p") and len(option) > 2}
    given |= {name.removeprefix("no:") for name in given}
    plugins = [plugin for plugin, name in _NAMED_PLUGINS.items() if not {plugin, name} & given]
    return [plugin for plugin in plugins if plugin != "xdist.plugin" or importlib.util.find_spec("xdist")]


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``name`` set to ``value`` in the environment while inside, then as it was."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@contextlib.contextmanager
def _receiver(endpoint: str | None) -> Iterator[str]:
    if endpoint is not None:
        yield endpoint  # the plugin checks it, and that the secret is set, like any pytest run
        return
    from horneross_conformance.receiver.reference import ReferenceReceiver
    from horneross_conformance.transport.server import serve

    secret = secrets.token_urlsafe(24)
    # handed to the suite through the environment, never on a command line
    with _environment(SECRET_ENV, secret), serve(ReferenceReceiver(secret)) as base:
        print(f"bundled reference receiver listening on {base}/webhook")
        yield f"{base}/webhook"
