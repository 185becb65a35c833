"""A suite run inside pytest: the engine's run, driven by pytest's session hooks.

Levels map onto pytest outcomes so that the exit code is the verdict: a failed MUST check is a failed test; a
failed SHOULD check is reported as NON-STRICT and passes the run unless ``--horneross-strict``; a failed
INFORMATIONAL check is reported as INFO and never fails. Every check's requirement, level, outcome and owner travel
in the report's ``user_properties``, so they reach JUnit XML and survive distribution over workers; the process
that reports (pytest-xdist's controller, or the one process) hands each back to the engine (``Engine.record``).

What only the whole run can tell comes after the last check (``pytest_runtestloop``): the checks over the whole
run (``Engine.after_run``, in each process that ran checks; workers hand theirs to the controller), then the
verdict. A verdict that is not CONFORMANT while every test passed (a requirement not checked, an excuse found
false) is one more failed test, ``horneross-ROLE::verdict``, so that the exit code, the terminal and JUnit XML agree
with the reports.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Generator
from dataclasses import asdict, replace
from typing import Any, cast

import pytest

from horneross_conformance.checks.engine import Engine, RunInfo
from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.options import Options
from horneross_conformance.checks.registry import CheckFailed
from horneross_conformance.checks.results import CheckResult, Outcome
from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.catalogue import requirement
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.plugin.items import CaseItem, SuiteCollector
from horneross_conformance.reporting.write import write_report

SOFT = "horneross_soft"
OUTCOME = "horneross_outcome"
MESSAGE = "horneross_message"
OWNER = "horneross_owner"
CAUSE = "horneross_cause"  # the root cause a failed check shares with others, as JSON
AFTER_RUN = "horneross_after_run"  # a pytest-xdist worker's after-run results, in its workeroutput
NOTES = "horneross_notes"  # and what it has to say of the run (a budget spent)


def start(config: pytest.Config, options: Options, seed: int | None) -> SuiteSession:
    """The session of the run ``options`` ask for; ``OptionError`` for what cannot be used."""
    generation = Generation.for_run(options.examples, seed, options.timeout, options.in_flight, not options.no_shrink)
    role_run: Any
    # checks run ahead of their turn, never by a pytest-xdist worker: it runs only the checks the controller hands
    # it, which it cannot know ahead
    ahead = not hasattr(config, "workerinput")
    if options.sender is not None:
        from horneross_conformance.sender.run import SenderRun

        worker = str(getattr(config, "workerinput", {}).get("workerid", ""))
        if options.capture_port and worker.startswith("gw") and worker[2:].isdigit():
            # each pytest-xdist worker has capture servers of its own: worker N takes the port given + N
            options = replace(options, capture_port=options.capture_port + int(worker[2:]))
        role_run = SenderRun.from_options(options, generation, ahead=ahead)
    else:
        from horneross_conformance.receiver.run import ReceiverRun

        role_run = ReceiverRun.from_options(options, generation, ahead=ahead)
    command = options.command(generation.seed, role_run.display)
    info = RunInfo(seed=generation.seed, options=options.shown(), command=command)
    return SuiteSession(config, Engine(role_run, options.strict, info), options.reports, generation.seed)


class SuiteSession:
    """One suite against one target, registered as a plugin for the run's duration."""

    def __init__(self, config: pytest.Config, engine: Engine, reports: tuple[str, ...], seed: int) -> None:
        self.config = config
        self.engine = engine
        self.reports = reports
        self.seed = seed
        self.worker_notes: list[str] = []  # what pytest-xdist's workers had to say of the run

    # collection: the suite is the whole run

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool:
        hook = self.config.hook
        role = self.engine.role
        session.items = []
        try:
            collector = SuiteCollector.from_parent(
                session, name=f"horneross-{role}", nodeid=f"horneross-{role}", session_run=self
            )
            session.items.extend(session.genitems(collector))
            self.config.pluginmanager.check_pending()
            hook.pytest_collection_modifyitems(session=session, config=self.config, items=session.items)
            # whatever order the hooks chose, the suite's phases hold: a preflight first, a burst or a sweep last
            items = [item for item in session.items if isinstance(item, CaseItem)]
            ordered = {case.id: index for index, case in enumerate(self.engine.select(item.case for item in items))}
            session.items.sort(key=lambda item: ordered.get(item.case.id, -1) if isinstance(item, CaseItem) else -1)
        finally:
            hook.pytest_collection_finish(session=session)
        session.testscollected = len(session.items)
        self._quiet_garbage_collector()
        return True

    def _quiet_garbage_collector(self) -> None:
        """A full collection walks every object of the process: in a big test session (a conftest that loads an
        application) that takes half a second, during which the sender, the capture server and the suite's
        clients all stand still, and a 0.5 s delivery timeout expires for no fault of the target. What exists
        now is left out of future collections for the run (``gc.freeze``), so they stay short; garbage frozen with
        it is collected after the run, once pytest's own cleanup is done (``thaw_after_pytest``)."""
        gc.freeze()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        self.engine.close()

    def pytest_report_header(self) -> str:
        strict = "on" if self.engine.strict else "off"
        run = self.engine.role_run
        return for_terminal(f"horneross: {run.role} suite against {run.display}, {run.header()}, strict {strict}")

    # a check: before it runs, and the outcome it reports

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """After a failed preflight, no fixture is made (a sender, a harness's) for a check that cannot run."""
        unreachable = self.engine.unreachable
        if isinstance(item, CaseItem) and unreachable and item.case.id != self.engine.role_run.preflight_id:
            pytest.skip(f"not run: {unreachable}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        # a check's outcome is its call, or its setup when that skipped it or failed
        if not isinstance(item, CaseItem) or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        result = item.result
        error = call.excinfo.value if call.excinfo else None
        if result is not None and report.when == "call":
            outcome, message, owner = result.outcome, result.message, result.owner
        elif report.skipped:
            outcome, message, owner = "skipped", _skip_reason(report), None
        else:  # a fixture failed: the factory raised (CheckFailed), or the toolkit did
            outcome, owner = "failed", None
            message = str(error) if isinstance(error, CheckFailed) else "internal error in the toolkit"
        if outcome == "failed" and report.failed and report.when == "call":
            soft = not item.requirement.fails_run(self.engine.strict) and not (result and result.internal)
            if soft:
                report.outcome = "passed"
                report.user_properties = [*report.user_properties, (SOFT, item.requirement.level)]
                if item.requirement.level == "SHOULD":  # a warning: a failure the run tolerates, pytest's xfail
                    report.outcome, report.wasxfail = "skipped", warning_line(item.requirement.id, result)
        owned = [(OWNER, owner)] if outcome == "skipped" and owner else []
        cause = result.cause if result is not None and report.when == "call" and outcome == "failed" else None
        caused = [(CAUSE, json.dumps(asdict(cause)))] if cause is not None else []
        report.user_properties = [*report.user_properties, (OUTCOME, outcome), (MESSAGE, message), *owned, *caused]
        # JUnit XML takes a test case's properties from the item, as its teardown reports them: what a CI system
        # shows of a check is its verdict in words (a SHOULD warning is a pass to JUnit), and whose fault an
        # inconclusive check waits on
        shown = "inconclusive" if owned else junit_outcome(outcome, item.requirement.level)
        said = [("message", message)] if shown in ("warning", "informational: no") else []  # no failure element
        item.user_properties += [("outcome", shown), *(("owner", owner) for _, owner in owned), *said]
        if cause is not None:  # said in full once, as a property of the test suite (``_junit_causes``)
            item.user_properties.append(("root_cause", cause.id))
        if report.skipped and isinstance(report.longrepr, tuple):  # where a skip came from is the check, not a
            report.longrepr = (item.nodeid, 0, report.longrepr[2])  # line of the toolkit's own code
        # an attribute of the report, not a property: it stays out of JUnit XML, and xdist carries it to the
        # controller like any JSON-ready attribute of a TestReport
        report.horneross_wire = result.wire if result is not None else None
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = {str(name): str(value) for name, value in report.user_properties}
        if OUTCOME in properties:
            outcome = cast(Outcome, properties[OUTCOME])  # written by pytest_runtest_makereport above
            wire_log = getattr(report, "horneross_wire", None)
            case, requirement_id, message = properties["case"], properties["requirement"], properties[MESSAGE]
            cause = json.loads(properties[CAUSE]) if CAUSE in properties else None
            result = CheckResult(case, requirement_id, outcome, message, wire_log, properties.get(OWNER), cause=cause)
            self.engine.record(result)

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, Any] | None:
        level = dict(report.user_properties).get(SOFT)
        if report.when != "call" or level is None:
            return None
        if level == "SHOULD":
            return "non-strict", "N", ("NON-STRICT", {"yellow": True})
        return "informational", "I", ("INFO", {"cyan": True})

    # after the last check

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, Any, Any]:
        done = yield
        if self.config.option.collectonly:
            return done
        if not _is_xdist_controller(self.config):  # this process ran checks: judge what it saw of the run
            reported = {(r.case_id, r.outcome) for r in self.engine.results}
            results = [
                result
                for result in self.engine.after_run()
                if (result.case_id, "failed") not in reported and (result.case_id, result.outcome) not in reported
            ]
            if hasattr(self.config, "workerinput"):  # a worker reports only its own items: the controller does it
                output: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
                output[AFTER_RUN] = [_as_json(result) for result in results]
                output[NOTES] = self.engine.role_run.notes()
            else:
                for result in results:
                    self._report(result)
        if not hasattr(self.config, "workerinput"):
            self._certify(session)
            self._junit_causes()
        return done

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist's controller: a worker is done; its after-run results are reported here."""
        output = getattr(node, "workeroutput", {})
        for data in output.get(AFTER_RUN, []):
            self._report(CheckResult(**data))
        self.worker_notes += [note for note in output.get(NOTES, []) if note not in self.worker_notes]

    def _report(self, result: CheckResult) -> None:
        """Report an after-run result as pytest reports a test's: terminal, JUnit XML and exit code alike."""
        checked = requirement(result.requirement)
        properties: list[tuple[str, object]] = [
            ("requirement", result.requirement),
            ("level", checked.level),
            ("case", result.case_id),
            (OUTCOME, result.outcome),
            (MESSAGE, result.message),
            *([(OWNER, result.owner)] if result.owner else []),
        ]
        failed = result.outcome == "failed" and checked.fails_run(self.engine.strict)
        message = f"{result.case_id} [{checked.level} {checked.id}] {result.message}"
        self._log_test(f"{result.case_id}[after the run]", message if failed else None, properties)

    def _certify(self, session: pytest.Session) -> None:
        """When the verdict is not CONFORMANT for a reason no failed test shows (a requirement not checked while
        every test passed, an excuse found false), one more failed test, ``verdict``, says why."""
        if not self.engine.selected:  # a selection that kept no check: pytest says so ("no tests ran"), exit code 5
            return
        verdict = self.verdict()
        if verdict.conformant or (session.testsfailed and not verdict.false_excuses):
            return
        lines = [f"verdict: {verdict.summary()}"]
        for result in verdict.false_excuses:
            lines.append(f"{result.case_id} [{requirement(result.requirement).id}] {result.message}")
        self._log_test("verdict", self.engine.shown("\n".join(lines)), [])

    def _junit_causes(self) -> None:
        """Each root cause said once in JUnit XML, as a property of the test suite; each failed check it explains
        names it (its ``root_cause`` property) and refers to it in one line of its failure message."""
        from _pytest.junitxml import xml_key

        junit = self.config.stash.get(xml_key, None)
        if junit is None:
            return
        for cause, case_ids in self.verdict().causes:
            explained = ", ".join(case_ids)
            junit.add_global_property(
                f"root_cause[{cause.id}]", f"{cause.headline}. {cause.fix}. Seen in: {cause.evidence}. ({explained})"
            )

    def _log_test(self, name: str, failure: str | None, properties: list[tuple[str, object]]) -> None:
        """Log a test that no item ran: passed, or failed with ``failure``."""
        role = self.engine.role
        nodeid = f"horneross-{role}::{name}"
        for when in ("setup", "call", "teardown"):
            failed = failure is not None and when == "call"
            report = pytest.TestReport(
                nodeid,
                (f"horneross-{role}", None, name),
                {},
                "failed" if failed else "passed",
                failure if failed else None,
                when,
                user_properties=properties if when == "call" else [],
            )
            self.config.hook.pytest_runtest_logreport(report=report)

    # verdict

    def verdict(self) -> RunVerdict:
        return self.engine.verdict(notes=self.worker_notes)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        # The outermost wrapper: the table comes after pytest's failures and short summary, just before its
        # closing line, so the terminal ends with the verdict.
        from horneross_conformance.reporting.github import announce
        from horneross_conformance.reporting.terminal import write_verdict_table

        try:
            yield
        finally:
            verdict = self.verdict()
            write_verdict_table(terminalreporter, verdict)
            announce(verdict, terminalreporter.write)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):  # a pytest-xdist worker: the controller writes the reports
            return
        if self.reports and not self.config.getoption("collectonly"):
            verdict = self.verdict()
            for path in self.reports:
                write_report(path, verdict)


def _is_xdist_controller(config: pytest.Config) -> bool:
    """Whether this process hands the checks to pytest-xdist workers instead of running them."""
    return config.pluginmanager.getplugin("dsession") is not None


def _as_json(result: CheckResult) -> dict[str, Any]:
    return {
        "case_id": result.case_id,
        "requirement": result.requirement,
        "outcome": result.outcome,
        "message": result.message,
        "wire": result.wire,
        "owner": result.owner,
        "cause": asdict(result.cause) if result.cause is not None else None,
    }


def warning_line(requirement_id: str, result: CheckResult | None) -> str:
    """A SHOULD warning as JUnit XML carries it: an expected failure, written ``<skipped type="pytest.xfail">``.
    JUnit has no status for a tolerated failure, and the summaries CI systems draw from it (GitLab's test report,
    the JUnit actions of GitHub) count only passed, failed, errored and skipped: as a pass, a warning would be seen
    by nobody, as a failure it would contradict the verdict and the exit code."""
    return f"WARNING (SHOULD {requirement_id}): {result.message if result is not None else 'failed'}"


def junit_outcome(outcome: str, level: str) -> str:
    """A check's outcome as the JUnit XML's ``outcome`` property says it: passed, failed, warning (a SHOULD that
    failed), informational yes/no, inconclusive (skipped for a fault another check owns) or not checked."""
    if level == "INFORMATIONAL" and outcome in ("passed", "failed"):
        return "informational: yes" if outcome == "passed" else "informational: no"
    if outcome == "failed" and level == "SHOULD":
        return "warning"  # failed under --horneross-strict too: the testcase's failure says so
    return {"skipped": "not checked"}.get(outcome, outcome)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def thaw_after_pytest(config: pytest.Config) -> None:
    """Thaw what ``_quiet_garbage_collector`` froze only after pytest's cleanup. pytest collects garbage as a session
    ends, to find finalizers that raise: five times over in its cleanup before pytest 9.2, from 9.2 once as it
    unconfigures and once in its cleanup. With the process thawed first, each collection walks every object the
    run imported and built (0.1 to 0.25 CPU-second at the end of a suite run in a process of its own); still
    frozen, only what the run made since the checks started. Cleanups run last-registered first: this one is
    registered before pytest's, from the plugin's ``pytest_configure``, which runs ahead of pytest's own."""
    config.add_cleanup(gc.unfreeze)
