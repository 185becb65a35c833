"""The pytest plugin (entry point ``pytest11``): options, and activation of a suite when one is asked for.

Installed, it costs nothing: without ``--horneross-endpoint`` or ``--horneross-sender`` it registers its options
and does nothing else, and the modules that run a suite are imported only when one is asked for. With one of them,
that suite is the whole run: the folder's own tests are not collected.
"""

from __future__ import annotations

import math
import os

import pytest

ENDPOINT = "--horneross-endpoint"
SECRET = "--horneross-secret"
SENDER = "--horneross-sender"
TIMEOUT = "--horneross-timeout"
REPORT = "--horneross-report"
STRICT = "--horneross-strict"
SECRET_ENV = "HORNEROSS_WEBHOOK_SECRET"
DEFAULT_TIMEOUT = 10.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("horneross", "Horneross webhook conformance")
    group.addoption(ENDPOINT, metavar="URL", help="run the receiver suite against this webhook endpoint")
    group.addoption(
        SECRET,
        metavar="SECRET",
        help=f"the endpoint's webhook secret (better: the {SECRET_ENV} environment variable)",
    )
    group.addoption(SENDER, metavar="MODULE:FACTORY", help="run the sender suite against this sender adapter")
    group.addoption(
        TIMEOUT,
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"how long a delivery may take, all included (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(REPORT, metavar="PATH", help="write a report; the format follows the extension: .json")
    group.addoption(STRICT, action="store_true", help="SHOULD requirements fail the run too")


def pytest_configure(config: pytest.Config) -> None:
    endpoint = config.getoption("horneross_endpoint")
    sender = config.getoption("horneross_sender")
    if endpoint is None and sender is None:
        return
    if endpoint is not None and sender is not None:
        raise pytest.UsageError(f"{ENDPOINT} and {SENDER} test different roles: give one of them")
    if sender is not None:
        raise pytest.UsageError(f"{SENDER}: the sender suite is not part of this version yet")
    timeout = config.getoption("horneross_timeout")
    if not (math.isfinite(timeout) and timeout > 0):
        raise pytest.UsageError(f"{TIMEOUT}: {timeout:g} is not a positive number of seconds")
    secret = config.getoption("horneross_secret") or os.environ.get(SECRET_ENV)
    if not secret:
        raise pytest.UsageError(f"{SECRET} (or the {SECRET_ENV} environment variable) is required with {ENDPOINT}")

    from horneross_conformance.client import parse_endpoint
    from horneross_conformance.pytest_run import ReceiverRun
    from horneross_conformance.report import check_report_path

    try:
        parse_endpoint(endpoint)
    except ValueError as error:
        raise pytest.UsageError(f"{ENDPOINT}: {error}") from None
    report = config.getoption("horneross_report")
    if report is not None:
        try:
            check_report_path(report)
        except ValueError as error:
            raise pytest.UsageError(f"{REPORT}: {error}") from None
    run = ReceiverRun(config, endpoint, secret, timeout, report, strict=config.getoption("horneross_strict"))
    config.pluginmanager.register(run, "horneross-run")
