"""The options of a suite run, declared and checked once for the pytest plugin, the CLI and the Python API alike.

Each option is declared once (``OPTIONS``): its field in ``Options``, its pytest flag, its ``run`` flag, its help.
``Options.check`` says what is wrong with a set of values in one sentence (``OptionError``), naming the option by
its field; each adapter names it by its own flag (``--horneross-timeout`` in pytest, ``--timeout`` in ``run``, the
keyword argument in the Python API).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES, DEFAULT_IN_FLIGHT
from horneross_conformance.core.contract import BURST_SIZE, SECRET_ENV
from horneross_conformance.core.stacks import STACKS, stack_named
from horneross_conformance.transport.client import DEFAULT_TIMEOUT
from horneross_conformance.transport.endpoints import without_userinfo
from horneross_conformance.transport.server import LOOPBACK

FROM_FIXTURE = "fixture"  # --horneross-sender=fixture: the test tree's conftest.py overrides horneross_sender
REPORT_FORMATS = (".json", ".md", ".html")


class OptionError(ValueError):
    """An option's value cannot be used; ``option`` is its field in ``Options``."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


Kind = Literal["text", "number", "integer", "flag", "paths"]


@dataclass(frozen=True, slots=True)
class Option:
    """One option, as each adapter spells it; its default is its field's in ``Options``."""

    name: str  # the field of ``Options``, and the Python API's keyword
    pytest: str  # the pytest flag
    cli: str | None  # the ``run`` flag; None where ``run`` sets it itself
    metavar: str | None
    help: str
    kind: Kind = "text"  # number: a float; integer; flag: on or off; paths: may be given several times


OPTIONS = (
    Option(
        "endpoint", "--horneross-endpoint", "--endpoint", "URL", "run the receiver suite against this webhook endpoint"
    ),
    Option(
        "secret",
        "--horneross-secret",
        None,
        "SECRET",
        f"the endpoint's webhook secret (better: the {SECRET_ENV} environment variable)",
    ),
    Option(
        "sender",
        "--horneross-sender",
        "--sender",
        "MODULE:FACTORY|URL",
        f"run the sender suite against the adapters this factory returns ('{FROM_FIXTURE}': the horneross_sender "
        "fixture of your conftest.py gives them), or, given an http(s) URL, against the sender a harness serves "
        "there (the sender harness protocol: a sender in any language)",
    ),
    Option(
        "timeout",
        "--horneross-timeout",
        "--timeout",
        "SECONDS",
        f"how long a delivery, or a call of the sender, may take (default {DEFAULT_TIMEOUT:g})",
        kind="number",
    ),
    Option(
        "reports",
        "--horneross-report",
        "--report",
        "PATH",
        "write a report; the format follows the extension: .json, .md (a pull-request comment) or .html; may be "
        "given several times",
        kind="paths",
    ),
    Option("strict", "--horneross-strict", "--strict", None, "SHOULD requirements fail the run too", kind="flag"),
    Option(
        "ca_bundle",
        "--horneross-ca-bundle",
        "--ca-bundle",
        "PATH",
        "https endpoints: trust the certificates in this PEM file instead of the system's trust store",
    ),
    Option(
        "examples",
        "--horneross-examples",
        "--examples",
        "N",
        f"generated events per generated check (default {DEFAULT_EXAMPLES}; 0 leaves those checks out)",
        kind="integer",
    ),
    Option(
        "no_shrink",
        "--horneross-no-shrink",
        "--no-shrink",
        None,
        "report a generated check's first failing event as found, not shrunk to the smallest one that fails: each "
        "shrinking step is one more delivery, so against a slow endpoint the verdict comes sooner, with a longer "
        "example (the verdict is the same)",
        kind="flag",
    ),
    Option(
        "stack",
        "--horneross-stack",
        "--stack",
        "NAME",
        f"receiver suite: the endpoint's web stack, whose way of reading the raw body a signature fix shows first "
        f"(one of {', '.join(STACKS)}; default: as its answers' Server header says, or its JSON writer shows)",
    ),
    Option(
        "seed",
        "--horneross-seed",
        "--seed",
        "N",
        "seed of the generated events, to repeat a run exactly",
        kind="integer",
    ),
    Option(
        "in_flight",
        "--horneross-in-flight",
        "--in-flight",
        "N",
        "receiver suite: deliveries in flight at once, at first and at most (the suite goes below it only for an "
        f"endpoint that fails under that many; 1: one at a time). Default: {DEFAULT_IN_FLIGHT} at first, more while "
        f"the round trip is long, up to {BURST_SIZE}",
        kind="integer",
    ),
    Option(
        "capture_bind",
        "--horneross-capture-bind",
        "--capture-bind",
        "ADDRESS",
        f"sender suite: the address its capture endpoints listen on (default {LOOPBACK}; 0.0.0.0: every "
        "interface, for a sender in another host or container)",
    ),
    Option(
        "capture_host",
        "--horneross-capture-host",
        "--capture-host",
        "HOST",
        "sender suite: the host name subscription URLs carry, as the sender's process reaches the capture "
        f"endpoints (default: the capture-bind address, or {LOOPBACK} for 0.0.0.0 and ::)",
    ),
    Option(
        "capture_port",
        "--horneross-capture-port",
        "--capture-port",
        "PORT",
        "sender suite: the port its capture endpoints listen on, for a sender behind a firewall or a port mapping "
        "(default: any free port; under pytest-xdist, worker N takes PORT + N)",
        kind="integer",
    ),
)
BY_NAME = {option.name: option for option in OPTIONS}


@dataclass(frozen=True, slots=True)
class Options:
    """What a user asked of one suite run. ``endpoint`` or ``sender`` names the target (one of them)."""

    endpoint: str | None = None
    secret: str | None = None  # None: from SECRET_ENV
    sender: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    reports: tuple[str, ...] = ()
    strict: bool = False
    ca_bundle: str | None = None
    examples: int = DEFAULT_EXAMPLES
    seed: int | None = None
    no_shrink: bool = False
    stack: str | None = None
    in_flight: int | None = None  # None: as the endpoint's round trip asks (``in_flight.Window``)
    capture_bind: str = LOOPBACK
    capture_host: str | None = None
    capture_port: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # an adapter's own settings, never checked here

    @property
    def role(self) -> str:
        return "sender" if self.sender is not None else "receiver"

    def endpoint_secret(self) -> str | None:
        return self.secret or os.environ.get(SECRET_ENV) or None

    def check(self) -> None:
        """Raise ``OptionError`` for the first value that cannot be used, in one sentence, before anything runs.
        What needs a network or an import (an unreachable harness, a factory) is the role's to check."""
        if self.endpoint is not None and self.sender is not None:
            raise OptionError("sender", "an endpoint and a sender test different roles: give one of them")
        if self.endpoint is None and self.sender is None:
            raise OptionError("endpoint", "give an endpoint (the receiver suite) or a sender (the sender suite)")
        if not (isinstance(self.timeout, int | float) and math.isfinite(self.timeout) and self.timeout > 0):
            raise OptionError("timeout", f"{self.timeout:g} is not a positive number of seconds")
        for path in self.reports:
            problem = report_format_problem(path)
            if problem:
                raise OptionError("reports", problem)
        if self.examples < 0:
            raise OptionError("examples", f"{self.examples} is not 0 or more")
        if self.seed is not None and not 0 <= self.seed < 2**64:
            raise OptionError("seed", f"{self.seed} is not between 0 and 2**64 - 1")
        if self.stack is not None and stack_named(self.stack) is None:
            raise OptionError("stack", f"{self.stack!r} is not a stack the toolkit knows: one of {', '.join(STACKS)}")
        if not 0 <= self.capture_port <= 65535:
            raise OptionError("capture_port", f"{self.capture_port} is not a port (0 to 65535)")
        if self.in_flight is not None and self.in_flight < 1:
            raise OptionError("in_flight", f"{self.in_flight} is not 1 or more")
        if self.endpoint is not None and not self.endpoint_secret():
            raise OptionError("secret", f"the endpoint's secret is required: set {SECRET_ENV} (or give it)")

    def command(self, seed: int, target: str, adapter: str = "pytest") -> str:
        """The command that repeats this run (``adapter``: ``pytest`` or ``run``): the same target, options and seed,
        the endpoint's secret read from the environment, never written."""
        words = ["pytest" if adapter == "pytest" else "horneross-conformance run"]
        values = {**self.shown(), "seed": seed}
        values["endpoint" if self.endpoint is not None else "sender"] = target
        for option in OPTIONS:
            flag = option.pytest if adapter == "pytest" else option.cli
            value = values.get(option.name)
            if flag is None or value is None:
                continue
            if option.kind == "flag":
                words.append(flag)
            elif option.kind == "paths":
                words += [f"{flag}={_quoted(str(item))}" for item in value]
            else:
                words.append(f"{flag}={_quoted(str(value))}")
        return " ".join(words)

    def shown(self) -> dict[str, Any]:
        """The options as a report shows them: no secret, no user information of a URL, nothing unset."""
        hidden = {"secret", "extra"}
        return {
            f.name: without_userinfo(value) if isinstance(value, str) and "://" in value else value
            for f in fields(self)
            if f.name not in hidden and (value := getattr(self, f.name)) not in (None, (), False)
        }


def report_format_problem(path: str) -> str | None:
    """Why a report cannot be written at ``path``: its format is chosen by its extension."""
    if os.path.splitext(path)[1].lower() in REPORT_FORMATS:
        return None
    return f"{path!r}: the report format is chosen by extension, one of {', '.join(REPORT_FORMATS)}"


def _quoted(value: str) -> str:
    import shlex

    return shlex.quote(value)
