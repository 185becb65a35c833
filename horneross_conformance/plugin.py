"""The pytest plugin (entry point ``pytest11``): options, and activation of a suite when one is asked for.

Installed, it costs nothing: without ``--horneross-endpoint`` or ``--horneross-sender`` it registers its options
and does nothing else, and the modules that run a suite are imported only when one is asked for. With one of them,
that suite is the whole run: the folder's own tests are not collected.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES, DEFAULT_IN_FLIGHT, Generation
from horneross_conformance.core.contract import SECRET_ENV
from horneross_conformance.transport.client import DEFAULT_TIMEOUT

ENDPOINT = "--horneross-endpoint"
SECRET = "--horneross-secret"
SENDER = "--horneross-sender"
TIMEOUT = "--horneross-timeout"
REPORT = "--horneross-report"
STRICT = "--horneross-strict"
CA_BUNDLE = "--horneross-ca-bundle"
EXAMPLES = "--horneross-examples"
SEED = "--horneross-seed"
IN_FLIGHT = "--horneross-in-flight"
FROM_FIXTURE = "fixture"  # --horneross-sender=fixture: the test tree's conftest.py overrides horneross_sender
FACTORY = pytest.StashKey[Callable[[], Any]]()
GENERATION = pytest.StashKey[Generation]()
WORKER_SEED = "horneross_seed"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("horneross", "Horneross webhook conformance")
    group.addoption(ENDPOINT, metavar="URL", help="run the receiver suite against this webhook endpoint")
    group.addoption(
        SECRET,
        metavar="SECRET",
        help=f"the endpoint's webhook secret (better: the {SECRET_ENV} environment variable)",
    )
    group.addoption(
        SENDER,
        metavar="MODULE:FACTORY",
        help=f"run the sender suite against the adapters this factory returns ('{FROM_FIXTURE}': the "
        "horneross_sender fixture of your conftest.py gives them)",
    )
    group.addoption(
        TIMEOUT,
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"how long a delivery, or a call of the sender adapter, may take (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        REPORT,
        metavar="PATH",
        help="write a report; the format follows the extension: .json, .md (a pull-request comment) or .html",
    )
    group.addoption(STRICT, action="store_true", help="SHOULD requirements fail the run too")
    group.addoption(
        CA_BUNDLE,
        metavar="PATH",
        help="https endpoints: trust the certificates in this PEM file instead of the system's trust store",
    )
    group.addoption(
        EXAMPLES,
        metavar="N",
        type=int,
        default=DEFAULT_EXAMPLES,
        help=f"generated events per generated check (default {DEFAULT_EXAMPLES}; 0 leaves those checks out)",
    )
    group.addoption(SEED, metavar="N", type=int, help="seed of the generated events, to repeat a run exactly")
    group.addoption(
        IN_FLIGHT,
        metavar="N",
        type=int,
        default=DEFAULT_IN_FLIGHT,
        help=f"deliveries in flight at once in the receiver suite's generated checks (default {DEFAULT_IN_FLIGHT}; "
        "1: one at a time)",
    )


def pytest_configure(config: pytest.Config) -> None:
    endpoint = config.getoption("horneross_endpoint")
    sender = config.getoption("horneross_sender")
    if endpoint is None and sender is None:
        return
    if endpoint is not None and sender is not None:
        raise pytest.UsageError(f"{ENDPOINT} and {SENDER} test different roles: give one of them")
    timeout = config.getoption("horneross_timeout")
    if not (math.isfinite(timeout) and timeout > 0):
        raise pytest.UsageError(f"{TIMEOUT}: {timeout:g} is not a positive number of seconds")
    report = config.getoption("horneross_report")
    if report is not None:
        from horneross_conformance.reporting.write import check_report_path

        try:
            check_report_path(report)
        except ValueError as error:
            raise pytest.UsageError(f"{REPORT}: {error}") from None
    strict = config.getoption("horneross_strict")
    examples = config.getoption("horneross_examples")
    if examples < 0:
        raise pytest.UsageError(f"{EXAMPLES}: {examples} is not 0 or more")
    seed = config.getoption("horneross_seed")
    if seed is not None and not 0 <= seed < 2**64:
        raise pytest.UsageError(f"{SEED}: {seed} is not between 0 and 2**64 - 1")
    if seed is None and hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller's seed
        seed = config.workerinput.get(WORKER_SEED)
    in_flight = config.getoption("horneross_in_flight")
    if in_flight < 1:
        raise pytest.UsageError(f"{IN_FLIGHT}: {in_flight} is not 1 or more")
    generation = Generation.for_run(examples, seed, timeout, in_flight)
    config.stash[GENERATION] = generation
    if sender is not None:
        _configure_sender(config, sender, timeout, generation, report, strict)
    else:
        _configure_receiver(config, endpoint, timeout, generation, report, strict)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker generates from the seed the controller drew and printed, so that one seed
    repeats a parallel run too."""
    generation = node.config.stash.get(GENERATION, None)
    if generation is not None:
        node.workerinput[WORKER_SEED] = generation.seed


def _configure_receiver(
    config: pytest.Config, endpoint: str, timeout: float, generation: Generation, report: str | None, strict: bool
) -> None:
    secret = config.getoption("horneross_secret") or os.environ.get(SECRET_ENV)
    if not secret:
        raise pytest.UsageError(f"{SECRET} (or the {SECRET_ENV} environment variable) is required with {ENDPOINT}")

    from horneross_conformance.pytest_run import ReceiverRun
    from horneross_conformance.receiver.target import ReceiverTarget
    from horneross_conformance.transport.client import tls_context

    ca_bundle = config.getoption("horneross_ca_bundle")
    try:
        tls_context(ca_bundle)
    except ValueError as error:
        raise pytest.UsageError(f"{CA_BUNDLE}: {error}") from None
    try:
        target = ReceiverTarget(endpoint, secret, timeout, generation, ca_bundle)
    except ValueError as error:
        raise pytest.UsageError(f"{ENDPOINT}: {error}") from None
    config.pluginmanager.register(ReceiverRun(config, target, report, strict), "horneross-run")


def _configure_sender(
    config: pytest.Config, source: str, timeout: float, generation: Generation, report: str | None, strict: bool
) -> None:
    from horneross_conformance.pytest_run import SenderRun

    if source != FROM_FIXTURE:
        from horneross_conformance.sender.adapter import load_factory, probe_factory

        try:
            factory = load_factory(source)
            probe_factory(factory)
        except ValueError as error:
            raise pytest.UsageError(f"{SENDER}: {error}") from None
        config.stash[FACTORY] = factory
    config.pluginmanager.register(SenderRun(config, source, timeout, generation, report, strict), "horneross-run")


@pytest.fixture
def horneross_sender(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh sender for one check of the sender suite, from ``--horneross-sender=MODULE:FACTORY``.

    Override this fixture in the conftest.py at the root of your test run to build the sender yourself (a
    database, a configured app), and run ``pytest --horneross-sender=fixture``.
    """
    factory = request.config.stash.get(FACTORY, None)
    if factory is None:
        pytest.exit(
            f"{SENDER}={FROM_FIXTURE}: no conftest.py at the root of the run overrides the horneross_sender fixture",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    from horneross_conformance.checks.registry import CheckFailed

    try:
        sender = factory()
    except Exception as error:
        raise CheckFailed(f"the factory raised {type(error).__name__}: {error}") from None
    yield sender
