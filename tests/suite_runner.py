"""Run the receiver suite through pytest's own pytester, as a user would, and read its verdict back."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from receivers import SECRET

from horneross_conformance.cli.run import named_plugins
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS
from horneross_conformance.core.openapi import bundled
from horneross_conformance.receiver.suite import suite as receiver_suite
from horneross_conformance.sender.suite import suite as sender_suite
from horneross_conformance.transport.server import serve

RECEIVER_CASES = len(receiver_suite.cases)
SENDER_CASES = len(sender_suite.cases)
SEED = 20261124  # the self-tests' generated events are the same on every run, unless a test says otherwise
# Generated events per check in self-tests whose subject is not generation, after the derived cases every generated
# check delivers first whatever this number (the stress characters, the fields and types added later, the long
# messages: what reveals each broken target here): enough to exercise every generated check, few enough to keep the
# tests fast. The conformant peers and the generation tests use the default, 50.
FEW_EXAMPLES = 5
REFERENCE_SENDER = "horneross_conformance.sender.reference:for_conformance"
# The check with answers slower than the sender's timeout costs 5 x that timeout: only where it matters.
NOT_SLOW = ("-k", "not SND-RTY-013")


def of_types_whose_data(family: str, test: Callable[[Any], bool]) -> set[str]:
    """The check of ``family`` (``"RCV-GEN"``) of each documented type whose data schema (bundled, closed) passes
    ``test``: the checks that can meet a fault of such data, however many types there are."""
    return {
        PER_TYPE_CHECKS[event_type][family]
        for event_type in EVENT_TYPES
        if test(bundled(f"{event_type}.schema.json", closed=True)["properties"]["data"])
    }


def names(member: str) -> Callable[[Any], bool]:
    """Whether a schema names ``member`` (``"firstName"``) anywhere."""
    return lambda schema: f'"{member}"' in json.dumps(schema)


def may_hold_an_empty_string(schema: Any) -> bool:
    """Whether some string of a schema may be empty: one with no minLength, pattern, format, const or enum."""
    if isinstance(schema, list):
        return any(may_hold_an_empty_string(item) for item in schema)
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "string" and not {"minLength", "pattern", "format", "const", "enum"} & set(schema):
        return True
    return any(may_hold_an_empty_string(value) for key, value in schema.items() if key != "examples")


@dataclass
class FinishedRun:
    """What a suite run left behind: exit code, JSON report, output (the plugin's SuiteRun is the run itself)."""

    ret: int
    report: dict[str, Any]
    stdout: str
    stderr: str
    seconds: float

    def outcomes(self) -> dict[str, str]:
        return {r["id"]: r["outcome"] for r in self.report["requirements"]}

    def failed(self) -> set[str]:
        return {rid for rid, outcome in self.outcomes().items() if outcome == "failed"}

    def failed_checks(self) -> set[str]:
        return {c["id"] for r in self.report["requirements"] for c in r["checks"] if c["outcome"] == "failed"}

    def details(self, requirement_id: str) -> str:
        return next(r["details"] for r in self.report["requirements"] if r["id"] == requirement_id)

    def passed_its_selection(self) -> bool:
        """A run that -k cut down: every check that ran passed, and what the selection left out was not checked, so
        the run is NOT CERTIFIED and exits with 1, never 0."""
        ran = [c for r in self.report["requirements"] for c in r["checks"]]
        return (
            self.ret == 1
            and self.report["status"] == "NOT CERTIFIED"
            and bool(ran)
            and all(c["outcome"] == "passed" for c in ran)
        )


def run_suite(
    pytester: pytest.Pytester,
    url: str,
    *args: str,
    secret: str = SECRET,
    subprocess: bool = False,
    every_plugin: bool = False,
) -> FinishedRun:
    """The receiver suite against ``url``, with the self-tests' seed and few examples unless ``args`` say."""
    return run_pytest(
        pytester,
        f"--horneross-endpoint={url}",
        f"--horneross-secret={secret}",
        *_generation(args),
        *args,
        subprocess=subprocess,
        every_plugin=every_plugin,
    )


def _generation(args: tuple[str, ...]) -> list[str]:
    defaults = [f"--horneross-seed={SEED}", f"--horneross-examples={FEW_EXAMPLES}"]
    return [option for option in defaults if not any(arg.startswith(option.split("=")[0]) for arg in args)]


def run_sender_suite(
    pytester: pytest.Pytester, factory: str | type, *args: str, subprocess: bool = False
) -> FinishedRun:
    """The sender suite against ``factory`` (a MODULE:FACTORY string, or a class of ``senders``), with the
    self-tests' seed and few examples unless ``args`` say."""
    if isinstance(factory, type):
        factory = f"senders:{factory.__name__}"
    return run_pytest(pytester, f"--horneross-sender={factory}", *_generation(args), *args, subprocess=subprocess)


def run_pytest(
    pytester: pytest.Pytester, *args: str, subprocess: bool = False, every_plugin: bool = False
) -> FinishedRun:
    """A pytest run in the pytester's folder, in this process unless ``subprocess``; its report read back.

    A run that starts processes (``subprocess``, or workers with ``-n``) loads only this toolkit's plugin and
    pytest-xdist's, as ``horneross-conformance run -- -n 2`` does, unless ``every_plugin``: importing every installed
    plugin (schemathesis', hypothesis', ...) is about 1 CPU-second of each new process, more than a short suite run,
    and the tests that load them all say so."""
    report = pytester.path / "report.json"
    if report.exists():
        report.unlink()
    # The outer run's plugins are not the suite's business; hypothesis' would re-import itself in every inner run.
    options = ["-p", "no:hypothesispytest", "-p", "no:cacheprovider", f"--horneross-report={report}", *args]
    only_named = not every_plugin and (subprocess or "-n" in args)
    if only_named:
        options += [option for plugin in named_plugins(list(args)) for option in ("-p", plugin)]
    started = time.monotonic()
    with mock.patch.dict(os.environ, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} if only_named else {}):
        if subprocess:
            result = pytester.runpytest_subprocess(*options, timeout=120)
        else:
            result = pytester.runpytest_inprocess(*options)
    seconds = time.monotonic() - started
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return FinishedRun(int(result.ret), data, result.stdout.str(), result.stderr.str(), seconds)


# How a zoo member's run is varied, in turn along the zoo: the expected verdict is fixed, so a verdict that depended
# on the number of deliveries in flight or on the order the checks run in would fail its test (issue 22: verdicts
# independent of order). The order is pytest's, changed by a conftest.py in the run's folder; the engine keeps the
# suite's phases (preflight first, burst and sweeps last) whatever it is given.
VARIANTS = ("as given", "one at a time", "reversed", "shuffled")
ORDERS = {
    "reversed": "items.reverse()",
    "shuffled": f"random.Random({SEED}).shuffle(items)",
}
ORDER_CONFTEST = """
import random

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    {how}
"""


def varied(zoo: list[Any], variants: tuple[str, ...] = VARIANTS) -> list[Any]:
    """Each member of ``zoo`` (a tuple of parameters, or one) with the variant its place gives it, in turn."""
    return [
        (*(member if isinstance(member, tuple) else (member,)), variants[index % len(variants)])
        for index, member in enumerate(zoo)
    ]


def in_variant(pytester: pytest.Pytester, variant: str) -> tuple[str, ...]:
    """Set up the run's folder for ``variant``; the options it adds to the run."""
    if variant in ORDERS:
        pytester.makeconftest(ORDER_CONFTEST.format(how=ORDERS[variant]))
    elif variant not in VARIANTS:
        raise ValueError(f"no variant {variant!r}")
    return ("--horneross-in-flight=1",) if variant == "one at a time" else ()


def run_varied(pytester: pytest.Pytester, receiver: Callable[[], Any], variant: str, *args: str) -> FinishedRun:
    """The receiver suite against a fresh ``receiver()``, under ``variant``."""
    options = in_variant(pytester, variant)
    with serve(receiver()) as base:
        return run_suite(pytester, f"{base}/webhook", *options, *args)


def run_both_ways(pytester: pytest.Pytester, receiver: Callable[[], Any], *args: str) -> FinishedRun:
    """The receiver suite against a fresh ``receiver()`` with deliveries in flight as users run it (the default: 8 at
    first, as many as the round trip asks), then against another one delivering one at a time: the same requirement
    outcomes, failing checks, exit code and verdict either way (the same seed gives both runs the same events). The
    first run is returned, for the caller's own assertions."""
    runs = []
    for options in ((), ("--horneross-in-flight=1",)):
        with serve(receiver()) as base:
            runs.append(run_suite(pytester, f"{base}/webhook", *options, *args))
    in_flight, one = runs
    assert one.outcomes() == in_flight.outcomes(), (one.stdout, in_flight.stdout)
    assert one.failed_checks() == in_flight.failed_checks(), (one.stdout, in_flight.stdout)
    assert (one.ret, one.report["verdict"]) == (in_flight.ret, in_flight.report["verdict"])
    return in_flight
