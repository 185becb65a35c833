"""The pytest plugin (entry point ``pytest11``): options, and activation of a suite when one is asked for.

Installed, it costs nothing: without ``--horneross-endpoint`` or ``--horneross-sender`` it registers its options
and does nothing else, and the modules that run a suite are imported only when one is asked for. With one of them,
that suite is the whole run: the folder's own tests are not collected.
"""

from __future__ import annotations

import math
import os
import re
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
CAPTURE_BIND = "--horneross-capture-bind"
CAPTURE_HOST = "--horneross-capture-host"
IN_FLIGHT = "--horneross-in-flight"
FROM_FIXTURE = "fixture"  # --horneross-sender=fixture: the test tree's conftest.py overrides horneross_sender
FACTORY = pytest.StashKey[Callable[[], Any]]()
RELEASE = pytest.StashKey[Callable[[Any], None]]()  # ends a sender after its check (a harness's senders)
HARNESS_SECRETS = pytest.StashKey[list[str]]()  # the harness URL's credential: redacted like a webhook secret
GENERATION = pytest.StashKey[Generation]()
WORKER_SEED = "horneross_seed"
LOOPBACK = "127.0.0.1"
HOST_NAME = re.compile(r"[A-Za-z0-9._-]{1,253}|[0-9A-Fa-f:.]{2,45}")  # a DNS name, an IPv4 or an IPv6 address


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
        metavar="MODULE:FACTORY|URL",
        help=f"run the sender suite against the adapters this factory returns ('{FROM_FIXTURE}': the "
        "horneross_sender fixture of your conftest.py gives them), or, given an http(s) URL, against the sender "
        "a harness serves there (the sender harness protocol: a sender in any language)",
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
    group.addoption(
        CAPTURE_BIND,
        metavar="ADDRESS",
        default=LOOPBACK,
        help=f"sender suite: the address its capture endpoints listen on (default {LOOPBACK}; 0.0.0.0: every "
        "interface, for a sender in another host or container)",
    )
    group.addoption(
        CAPTURE_HOST,
        metavar="HOST",
        help="sender suite: the host name subscription URLs carry, as the sender's process reaches the capture "
        f"endpoints (default: the {CAPTURE_BIND} address, or {LOOPBACK} for 0.0.0.0 and ::)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """A suite run leaves nothing in the folder it runs in: pytest's cache (``.pytest_cache``, which remembers
    failed tests for ``--lf``) is the folder's own tests' business, so it is left out as ``-p no:cacheprovider``
    would. Here is the earliest hook that sees the command line's options, before the cache is set up."""
    options = early_config.known_args_namespace
    if getattr(options, "horneross_endpoint", None) or getattr(options, "horneross_sender", None):
        for name in ("cacheprovider", "stepwise", "pytest_stepwise"):  # stepwise needs the cache: pytest's own pair
            early_config.pluginmanager.set_blocked(name)


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

    from horneross_conformance.pytest_roles import ReceiverRun
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
    from horneross_conformance.pytest_roles import SenderRun
    from horneross_conformance.sender.harness import is_harness_url

    bind, host = _capture_address(config)
    if is_harness_url(source):
        source = _configure_harness(config, source, timeout)
    elif source != FROM_FIXTURE:
        from horneross_conformance.sender.adapter import load_factory, probe_factory

        try:
            factory = load_factory(source)
            probe_factory(factory)
        except ValueError as error:
            raise pytest.UsageError(f"{SENDER}: {error}") from None
        config.stash[FACTORY] = factory
    run = SenderRun(config, source, timeout, generation, report, strict, bind, host)
    for secret in config.stash.get(HARNESS_SECRETS, []):
        run.wire.redactor.add(secret)
    config.pluginmanager.register(run, "horneross-run")


def _configure_harness(config: pytest.Config, url: str, timeout: float) -> str:
    """A harness's senders as the factory: checked to answer the protocol now, a usage error if not. Returns the
    URL to show (without user information)."""
    from horneross_conformance.sender.harness import Harness, RemoteSender

    try:
        harness = Harness(url, timeout, config.getoption("horneross_ca_bundle"))
        harness.preflight()
    except ValueError as error:
        raise pytest.UsageError(f"{SENDER}: {error}") from None
    config.stash[FACTORY] = lambda: RemoteSender(harness)
    config.stash[RELEASE] = RemoteSender.close
    config.stash[HARNESS_SECRETS] = harness.secrets
    return harness.display


def _capture_address(config: pytest.Config) -> tuple[str, str]:
    """Where the capture endpoints listen, and the host their URLs carry; checked by binding once."""
    import socket

    bind = config.getoption("horneross_capture_bind")
    host = config.getoption("horneross_capture_host")
    try:
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((bind, 0))
    except (OSError, UnicodeError, ValueError) as error:
        raise pytest.UsageError(f"{CAPTURE_BIND}: cannot listen on {bind!r} ({error})") from None
    if host is None:
        host = LOOPBACK if bind in ("0.0.0.0", "::") else bind
    if not HOST_NAME.fullmatch(host):
        raise pytest.UsageError(f"{CAPTURE_HOST}: {host!r} is not a host name or IP address")
    return bind, host


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
    release = request.config.stash.get(RELEASE, None)
    if release is not None:
        release(sender)
