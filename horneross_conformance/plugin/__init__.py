"""The pytest plugin (entry point ``pytest11``): options, and activation of a suite when one is asked for.

Installed, it costs nothing: without ``--horneross-endpoint`` or ``--horneross-sender`` it registers its options
and does nothing else, and the modules that run a suite are imported only when one is asked for. With one of them,
that suite is the whole run: the folder's own tests are not collected. The plugin is an adapter over the engine
(``checks.engine``): the options are ``checks.options``', each pytest item one check (``plugin.items``), and the
session's hooks the engine's run (``plugin.session``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from horneross_conformance.checks.options import BY_NAME, FROM_FIXTURE, OPTIONS, OptionError, Options
from horneross_conformance.core.contract import SECRET_ENV

ENDPOINT = BY_NAME["endpoint"].pytest
SECRET = BY_NAME["secret"].pytest
SENDER = BY_NAME["sender"].pytest
TIMEOUT = BY_NAME["timeout"].pytest
REPORT = BY_NAME["reports"].pytest
STRICT = BY_NAME["strict"].pytest
CA_BUNDLE = BY_NAME["ca_bundle"].pytest
EXAMPLES = BY_NAME["examples"].pytest
SEED = BY_NAME["seed"].pytest
IN_FLIGHT = BY_NAME["in_flight"].pytest
CAPTURE_BIND = BY_NAME["capture_bind"].pytest
CAPTURE_HOST = BY_NAME["capture_host"].pytest
WORKER_SEED = "horneross_seed"
SESSION = "horneross-run"  # the name the session registers under, as a plugin


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("horneross", "Horneross webhook conformance")
    defaults = Options()
    for option in OPTIONS:
        default = getattr(defaults, option.name)
        if option.kind == "flag":
            group.addoption(option.pytest, action="store_true", help=option.help)
        elif option.kind == "paths":
            group.addoption(option.pytest, metavar=option.metavar, action="append", default=[], help=option.help)
        else:
            kind = {"number": float, "integer": int, "text": str}[option.kind]
            group.addoption(option.pytest, metavar=option.metavar, type=kind, default=default, help=option.help)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """A suite run leaves nothing in the folder it runs in: pytest's cache (``.pytest_cache``, which remembers
    failed tests for ``--lf``) is the folder's own tests' business, so it is left out as ``-p no:cacheprovider``
    would. Here is the earliest hook that sees the command line's options, before the cache is set up."""
    options = early_config.known_args_namespace
    if getattr(options, "horneross_endpoint", None) or getattr(options, "horneross_sender", None):
        for name in ("cacheprovider", "stepwise", "pytest_stepwise"):  # stepwise needs the cache: pytest's own pair
            early_config.pluginmanager.set_blocked(name)


def options_of(config: pytest.Config) -> Options:
    """The options the command line gives, as the engine takes them."""
    values = {option.name: config.getoption(option.pytest.removeprefix("--").replace("-", "_")) for option in OPTIONS}
    values["reports"] = tuple(values["reports"] or ())
    return Options(**values)


def pytest_configure(config: pytest.Config) -> None:
    options = options_of(config)
    if options.endpoint is None and options.sender is None:
        return
    if str(getattr(config, "inipath", "")) == os.devnull and hasattr(config, "_inipath"):
        # `horneross-conformance run` reads no configuration file (-c /dev/null): the header says none, rather
        # than "configfile: ../../dev/null"
        config._inipath = None
    from horneross_conformance.plugin.session import start, thaw_after_pytest

    thaw_after_pytest(config)

    try:
        options.check()
        seed = options.seed
        if seed is None and hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller's seed
            seed = config.workerinput.get(WORKER_SEED)
        session = start(config, options, seed)
    except OptionError as error:
        raise pytest.UsageError(_said(error, options)) from None
    config.pluginmanager.register(session, SESSION)


def _said(error: OptionError, options: Options) -> str:
    """An option's problem in pytest's words: its flag first."""
    if error.option == "secret":
        return f"{SECRET} (or the {SECRET_ENV} environment variable) is required with {ENDPOINT}"
    if error.option == "sender" and options.endpoint is not None and options.sender is not None:
        return f"{ENDPOINT} and {SENDER} test different roles: give one of them"
    return f"{BY_NAME[error.option].pytest}: {error}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker generates from the seed the controller drew and printed, so that one seed
    repeats a parallel run too."""
    session = node.config.pluginmanager.get_plugin(SESSION)
    if session is not None:
        node.workerinput[WORKER_SEED] = session.seed


@pytest.fixture
def horneross_sender(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh sender for one check of the sender suite, from ``--horneross-sender=MODULE:FACTORY``.

    Override this fixture in the conftest.py at the root of your test run to build the sender yourself (a
    database, a configured app), and run ``pytest --horneross-sender=fixture``.
    """
    session = request.config.pluginmanager.get_plugin(SESSION)
    role_run = getattr(getattr(session, "engine", None), "role_run", None)
    if getattr(role_run, "factory", None) is None:
        pytest.exit(
            f"{SENDER}={FROM_FIXTURE}: no conftest.py at the root of the run overrides the horneross_sender fixture",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    assert role_run is not None
    sender = role_run.make_sender()
    yield sender
    if role_run.release is not None:
        role_run.release(sender)
