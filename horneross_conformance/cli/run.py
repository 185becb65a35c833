"""``horneross-conformance run``: the conformance suites, from a command of their own.

With no target, the receiver suite against the bundled reference receiver and the sender suite against the bundled
reference sender (what the README's first command does); with ``--endpoint URL`` (secret from
``HORNEROSS_WEBHOOK_SECRET``) the receiver suite against it; with ``--sender MODULE:FACTORY`` (or the URL of a sender
harness) the sender suite against it. The suites run on the engine directly (``checks.engine``), isolated from the
current folder's pytest configuration and plugins; pytest options after ``--`` (``-k``, ``-n 4``, ``--junitxml``)
run them in pytest instead, with this toolkit's plugin and pytest-xdist's only.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from horneross_conformance.checks.options import BY_NAME, FROM_FIXTURE, OPTIONS, OptionError, Options
from horneross_conformance.checks.registry import UnusableTarget
from horneross_conformance.cli.usage import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    usage_error,
)
from horneross_conformance.core.contract import SECRET_ENV
from horneross_conformance.transport.server import LOOPBACK, cannot_listen

REFERENCE_SENDER = "horneross_conformance.sender.reference:for_conformance"
_WORST_FIRST = ("NON-CONFORMANT", "NOT CERTIFIED", "CONFORMANT")
# pytest's exit codes, in the command's table (cli/usage.py)
_EXIT_CODES = {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_INTERRUPTED, 3: EXIT_INTERNAL, 4: EXIT_USAGE, 5: EXIT_USAGE}
_PROGRESS = {"passed": ".", "failed": "F", "skipped": "s"}


def add_parser(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="run the conformance suites (against the bundled reference implementations by default)",
        description="Run the receiver suite against --endpoint, the sender suite against --sender, or both suites "
        "against the bundled reference receiver and sender. Exit code 0 means conformant.",
    )
    target = run.add_mutually_exclusive_group()
    for option in OPTIONS:
        if option.cli is None:
            continue
        where = target if option.name in ("endpoint", "sender") else run
        help = option.help if option.name != "endpoint" else f"{option.help} (secret from {SECRET_ENV})"
        if option.name == "reports":
            help += "; running both suites, x.json becomes x-receiver.json and x-sender.json"
        if option.kind == "flag":
            where.add_argument(option.cli, dest=option.name, action="store_true", help=help)
        elif option.kind == "paths":
            where.add_argument(option.cli, dest=option.name, metavar=option.metavar, action="append", help=help)
        else:
            kind = {"number": float, "integer": int, "text": str}[option.kind]
            where.add_argument(option.cli, dest=option.name, metavar=option.metavar, type=kind, help=help)
    run.add_argument(
        "--port",
        type=int,
        default=0,
        metavar="PORT",
        help="without --endpoint: the port the bundled reference receiver listens on (default: any free one)",
    )
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: pytest options (-k, -n 4, ...)")
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    roles = ["receiver"] if args.endpoint else ["sender"] if args.sender else ["receiver", "sender"]
    problem = _usage_problem(args, roles)
    if problem:
        return usage_error("run", problem)
    extra = [a for a in args.pytest_args if a != "--"] if args.pytest_args else []
    codes: dict[str, int] = {}
    verdicts: dict[str, str] = {}
    for role in roles:
        reports = [_for_role(path, role, len(roles)) for path in args.reports or ()]
        run_suite = _run_in_pytest if extra else _run_on_engine
        try:
            codes[role], verdicts[role] = run_suite(role, args, reports, extra)
        except OptionError as error:  # what only the role finds: a harness that does not answer, a bad factory
            return usage_error("run", f"{_flag(error.option)}: {error}")
        except UnusableTarget as error:
            return usage_error("run", f"--sender: {error}")
    # -k may select checks of one suite only: the other one having nothing to run is not a failure
    ran = {role: code for role, code in codes.items() if code != 5}
    if len(ran) > 1 and all(verdicts[role] for role in ran):
        combined = next((v for v in _WORST_FIRST if v in {verdicts[role] for role in ran}), "CONFORMANT")
        each = ", ".join(f"{role} suite {verdicts[role]}" for role in ran)
        print(f"combined verdict: {combined} ({each})")
    if not ran:
        return usage_error("run", "no check was selected: -k matches no case id (RCV-SIG-002) or requirement (RCV-03)")
    return _EXIT_CODES.get(max(ran.values()), EXIT_INTERNAL)


def _for_role(path: str, role: str, roles: int) -> str:
    """Running both suites, ``x.json`` is written as ``x-receiver.json`` and ``x-sender.json``."""
    if roles == 1:
        return path
    report = Path(path)
    return str(report.with_name(f"{report.stem}-{role}{report.suffix}"))


def _flag(option: str) -> str:
    flag = BY_NAME[option].cli
    return flag if flag is not None else "--endpoint"  # the secret: read from the environment, for the endpoint


def _options(args: argparse.Namespace, role: str, url: str | None = None) -> Options:
    values: dict[str, Any] = {
        option.name: getattr(args, option.name)
        for option in OPTIONS
        if option.cli is not None and getattr(args, option.name, None) is not None
    }
    values["reports"] = tuple(args.reports or ())
    values.pop("endpoint", None)
    values.pop("sender", None)
    if role == "receiver":
        return Options(endpoint=url or args.endpoint or "http://127.0.0.1:1/webhook", **values)
    return Options(sender=args.sender or REFERENCE_SENDER, **values)


def _port_problem(args: argparse.Namespace) -> str | None:
    """Why the bundled reference receiver cannot take ``--port``, if it cannot."""
    if args.endpoint or args.sender:
        return "--port: it is the bundled reference receiver's port, and this run tests no bundled receiver"
    if not 0 < args.port <= 65535:
        return f"--port: {args.port} is not a port (1 to 65535)"
    why = cannot_listen(LOOPBACK, args.port)
    return f"--port: cannot listen on port {args.port} ({why})" if why else None


def _usage_problem(args: argparse.Namespace, roles: list[str]) -> str | None:
    """What is wrong with the command line, named with this command's options, before any suite starts."""
    if args.sender == FROM_FIXTURE:
        return f"--sender: {FROM_FIXTURE!r} takes the sender from a conftest.py: run pytest --horneross-sender=fixture"
    if args.port:
        problem = _port_problem(args)
        if problem:
            return problem
    for role in roles:
        options = _options(args, role)
        if role == "receiver" and not args.endpoint:  # the bundled receiver's secret is made when it starts
            options = Options(**{**_fields(options), "secret": "bundled"})
        try:
            options.check()
        except OptionError as error:
            if error.option == "secret":
                return f"--endpoint: the endpoint's secret is read from {SECRET_ENV}, which is not set"
            return f"{_flag(error.option)}: {error}"
        if role == "receiver" and args.endpoint:
            from horneross_conformance.transport.endpoints import parse_endpoint

            try:
                parse_endpoint(args.endpoint, args.ca_bundle)
            except ValueError as error:
                return f"--endpoint: {error}"
    return None


def _fields(options: Options) -> dict[str, Any]:
    return {name: getattr(options, name) for name in Options.__dataclass_fields__}


def _run_on_engine(role: str, args: argparse.Namespace, reports: list[str], extra: list[str]) -> tuple[int, str]:
    """Run one suite on the engine, printing as pytest would: a header, a character per check, the verdict."""
    from horneross_conformance.api import build
    from horneross_conformance.reporting.github import announce
    from horneross_conformance.reporting.terminal import PlainTerminal, write_verdict_table
    from horneross_conformance.reporting.write import write_report

    with _target(role, args) as url:
        options = Options(**{**_fields(_options(args, role, url)), "reports": tuple(reports)})
        engine = build(options, adapter="run")
        try:
            run = engine.role_run
            strict = "on" if options.strict else "off"
            terminal = PlainTerminal(sys.stdout)
            terminal.write_line(f"horneross: {role} suite against {run.display}, {run.header()}, strict {strict}")
            terminal.write(f"horneross-{role} ")
            internal = False
            for result in engine.run():
                terminal.write(_PROGRESS[result.outcome])
                internal = internal or result.internal
            terminal.write_line("")
            verdict = engine.verdict()
            write_verdict_table(terminal, verdict)
            announce(verdict, terminal.write)
            for path in reports:
                write_report(path, verdict)
        finally:
            engine.close()
    code = EXIT_INTERNAL if internal else EXIT_OK if verdict.conformant else EXIT_FAILED
    return code, verdict.status


class _Verdict:
    """Keeps the verdict of the suite run pytest.main makes (``plugin.session.SuiteSession``)."""

    def __init__(self) -> None:
        self.status = ""

    def pytest_sessionfinish(self, session: Any) -> None:
        run = session.config.pluginmanager.get_plugin("horneross-run")
        if run is not None and not hasattr(session.config, "workerinput"):
            self.status = run.verdict().status


def _run_in_pytest(role: str, args: argparse.Namespace, reports: list[str], extra: list[str]) -> tuple[int, str]:
    """Run one suite in pytest, for the pytest options after ``--``; its exit code and verdict."""
    import pytest

    # The suite's checks do not use assert, and this package is imported already: nothing to rewrite.
    options = ["-p", "no:cacheprovider", "--noconftest", "-c", os.devnull, "--rootdir", os.getcwd(), "--assert=plain"]
    options += [option for plugin in named_plugins(extra) for option in ("-p", plugin)]
    chosen = _options(args, role)
    for option in OPTIONS:
        value = getattr(chosen, option.name)
        if option.name in ("endpoint", "sender", "secret") or value in (None, False, ()):
            continue
        if option.kind == "flag":
            options.append(option.pytest)
        elif option.kind == "paths":
            options += [f"{option.pytest}={path}" for path in reports]
        elif value != getattr(Options(), option.name):
            options.append(f"{option.pytest}={value}")
    # pytest loads no plugin it is not named (-p), here and in xdist's workers: the others installed beside this
    # one (Hypothesis', schemathesis', pytest-benchmark's...) have nothing to do in a conformance run, and loading
    # them took about as long as the receiver suite's checks. Any other is named after --: -p NAME.
    verdict = _Verdict()
    with _environment("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1"), _target(role, args) as target:
        flag = "--horneross-sender" if role == "sender" else "--horneross-endpoint"
        code = pytest.main([*options, f"{flag}={target}", *extra], plugins=[verdict])
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
def _target(role: str, args: argparse.Namespace) -> Iterator[str]:
    """The target of ``role``: the one given, or the bundled reference (a receiver served for the run)."""
    if role == "sender":
        if not args.sender:
            print(f"bundled reference sender: {REFERENCE_SENDER}")
        yield args.sender or REFERENCE_SENDER
        return
    if args.endpoint is not None:
        yield args.endpoint
        return
    from horneross_conformance.receiver.reference import ReferenceReceiver
    from horneross_conformance.transport.server import serve

    secret = secrets.token_urlsafe(24)
    # handed to the suite through the environment, never on a command line
    with _environment(SECRET_ENV, secret), serve(ReferenceReceiver(secret), port=args.port) as base:
        print(f"bundled reference receiver listening on {base}/webhook")
        yield f"{base}/webhook"
