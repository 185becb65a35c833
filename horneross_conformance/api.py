"""The Python API: certify an endpoint or a sender from code, and read the verdict (``check_endpoint``,
``check_sender``); the pytest plugin and the ``run`` command build their runs here too (``build``).

    from horneross_conformance import check_endpoint

    report = check_endpoint("https://example.com/webhook")  # the secret from the environment, or secret=...
    print(report.summary)        # CONFORMANT, or what failed or could not be checked
    report.write("report.html")  # or .json, .md

Every keyword argument is an option of ``checks.options.Options`` (``timeout``, ``strict``, ``examples``, ``seed``,
``in_flight``, ``ca_bundle``, ``capture_bind``, ``capture_host``, ``reports``). A value that cannot be used raises
``ValueError`` naming the option, before anything runs; whatever the target does, the verdict says it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from horneross_conformance.checks.engine import Engine, RunInfo
from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.options import OptionError, Options, report_format_problem
from horneross_conformance.checks.results import RequirementVerdict
from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.reporting.write import json_report, write_report


def build(
    options: Options,
    seed: int | None = None,
    ahead: bool = True,
    factory: Callable[[], Any] | None = None,
    adapter: str = "pytest",
) -> Engine:
    """The engine of the run ``options`` ask for: its target checked (a harness asked to answer, a factory probed),
    ``OptionError`` naming the option at fault. ``seed``: the run's, unless the options give one; ``ahead``: whether
    receiver checks may run ahead of their turn; ``factory``: a sender factory given as a callable."""
    options.check()
    chosen = options.seed if seed is None else seed
    generation = Generation.for_run(options.examples, chosen, options.timeout, options.in_flight, not options.no_shrink)
    role_run: Any
    if options.sender is not None:
        from horneross_conformance.sender.run import SenderRun

        role_run = SenderRun.from_options(options, generation, factory)
    else:
        from horneross_conformance.receiver.run import ReceiverRun

        role_run = ReceiverRun.from_options(options, generation, ahead)
    info = RunInfo(
        seed=generation.seed,
        options=options.shown(),
        command=options.command(generation.seed, role_run.display, adapter) if factory is None else "",
    )
    return Engine(role_run, options.strict, info)


@dataclass(frozen=True, slots=True)
class Report:
    """A finished run's verdict, its requirements with their checks, and the writers of every report format."""

    verdict: RunVerdict

    @property
    def status(self) -> str:
        """``CONFORMANT``, ``NON-CONFORMANT`` or ``NOT CERTIFIED``."""
        return self.verdict.status

    @property
    def conformant(self) -> bool:
        return self.verdict.conformant

    @property
    def summary(self) -> str:
        return self.verdict.summary()

    @property
    def requirements(self) -> list[RequirementVerdict]:
        return self.verdict.requirements

    def to_json(self) -> dict[str, Any]:
        return json_report(self.verdict)

    def write(self, path: str | Path) -> None:
        """Write the report in the format the extension names: ``.json``, ``.md`` or ``.html``."""
        problem = report_format_problem(str(path))
        if problem:
            raise ValueError(problem)
        write_report(str(path), self.verdict)

    def __str__(self) -> str:
        return self.summary


def check_endpoint(url: str, secret: str | None = None, **options: Any) -> Report:
    """Run the receiver suite against ``url`` (``secret``: the endpoint's, else the environment's variable)."""
    return _check(Options(endpoint=url, secret=secret, **_reports(options)))


def check_sender(sender: str | Callable[[], Any], **options: Any) -> Report:
    """Run the sender suite against ``sender``: a factory (a callable that returns a fresh sender adapter each time,
    or ``"MODULE:FACTORY"``), or the http(s) base URL of a harness serving a sender in any language."""
    if callable(sender):
        name = f"{getattr(sender, '__module__', '')}:{getattr(sender, '__qualname__', type(sender).__name__)}"
        return _check(Options(sender=name, **_reports(options)), factory=sender)
    return _check(Options(sender=sender, **_reports(options)))


def _reports(options: dict[str, Any]) -> dict[str, Any]:
    reports = options.get("reports", ())
    return {**options, "reports": (reports,) if isinstance(reports, str | Path) else tuple(map(str, reports))}


def _check(options: Options, factory: Callable[[], Any] | None = None) -> Report:
    try:
        engine = build(options, factory=factory, adapter="run")
    except OptionError as error:
        raise ValueError(f"{error.option}: {error}") from None
    try:
        for _ in engine.run():
            pass
        verdict = engine.verdict()
    finally:
        engine.close()
    for path in options.reports:
        write_report(path, verdict)
    return Report(verdict)
