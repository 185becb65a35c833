"""A suite run inside pytest: its items, the verdict levels, the verdict table and the report.

Levels map onto pytest outcomes so that the exit code is the verdict: a failed MUST check is a failed test; a
failed SHOULD check is reported as NON-STRICT and passes the run unless ``--horneross-strict``; a failed
INFORMATIONAL check is reported as INFO and never fails. Every check's requirement, level, outcome and owner travel
in the report's ``user_properties``, so they reach JUnit XML and survive distribution over workers.

What only the whole run can tell comes after the last check (``pytest_runtestloop``): the checks that judge every
delivery of the run (``after_run``, in each process that ran checks; pytest-xdist workers hand theirs to the
controller), then the verdict (``checks.verdict``). A verdict that is not CONFORMANT while every test passed (a
requirement not checked, an excuse found false) is one more failed test, ``horneross-ROLE::verdict``, so that the
exit code, the terminal and JUnit XML agree with the reports.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator
from typing import Any, cast

import pytest

from horneross_conformance.checks.registry import Case, CheckFailed, Inconclusive, NotRequested
from horneross_conformance.checks.results import CheckResult, Outcome
from horneross_conformance.checks.verdict import RunVerdict, judge
from horneross_conformance.core.catalogue import Requirement, Role, requirement
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.reporting.write import write_report
from horneross_conformance.transport.wire import WireRecorder

SOFT = "horneross_soft"
OUTCOME = "horneross_outcome"
MESSAGE = "horneross_message"
OWNER = "horneross_owner"
AFTER_RUN = "horneross_after_run"  # a pytest-xdist worker's after-run results, in its workeroutput
NOTES = "horneross_notes"  # and what it has to say of the run (a budget spent)


def _receiver_check() -> None:
    """A receiver check needs no fixture: the endpoint is the run's."""


def _sender_check(horneross_sender: object) -> None:
    """A sender check gets a fresh sender from the ``horneross_sender`` fixture, which a conftest.py may override."""


class CaseItem(pytest.Function):
    """One check of the suite, named by its case id (``RCV-SIG-003``) and keyworded with its requirement id.

    A ``pytest.Function``, so that fixtures work: the sender suite's sender comes from one.
    """

    def __init__(self, *, case: Case, run: SuiteRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.run = run
        self.requirement: Requirement = requirement(case.requirement)
        self.extra_keyword_matches.add(case.requirement)  # so that -k RCV-03 selects the requirement's checks
        self.detail = ""
        self.owner: str | None = None  # the requirement an inconclusive outcome blames
        self.wire: dict[str, Any] | None = None  # what the check sent and received (wire.WireLog.as_json)
        self.user_properties += [
            ("requirement", case.requirement),
            ("level", self.requirement.level),
            ("case", case.id),
        ]

    def setup(self) -> None:
        if self.run.unreachable and self.case.id != self.run.preflight_id:
            pytest.skip(f"not run: {self.run.unreachable}")
        super().setup()

    def runtest(self) -> None:
        stopped = self.run.stopped()
        if stopped:
            raise CheckFailed(self.run.shown(f"not run: {stopped}"))
        try:
            with self.run.wire.recording() as log:
                try:
                    detail = self.run.run_case(self)
                finally:
                    self.wire = log.as_json()
        except Inconclusive as error:
            self.owner = error.owner
            pytest.skip(self.run.shown(f"inconclusive: {error}"))
        except NotRequested as error:
            pytest.skip(self.run.shown(f"not requested: {error}"))
        except CheckFailed as error:
            # the one place every check's message passes: from here on (terminal, JUnit XML, every report) it
            # holds no secret and nothing a terminal would act on
            error.args = (self.run.shown(str(error)),)
            if self.case.id == self.run.preflight_id:
                self.run.unreachable = f"{self.run.preflight_failure} (see {self.case.id})"
            raise
        self.detail = self.run.shown(detail)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return f"{self.case.id} [{self.requirement.level} {self.requirement.id}] {excinfo.value}"
        return self.run.shown(f"internal error in the toolkit, please report it:\n{super().repr_failure(excinfo)}")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.case.id}: {self.case.title}"


class SuiteCollector(pytest.Collector):
    def __init__(self, *, run: SuiteRun, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run

    def collect(self) -> Iterator[CaseItem]:
        check = _sender_check if self.run.role == "sender" else _receiver_check
        for case in self.run.cases:
            yield CaseItem.from_parent(self, name=case.id, callobj=check, case=case, run=self.run)


class SuiteRun:
    """One suite against one target, registered as a plugin for the run's duration; a role fills in the rest."""

    role: Role
    preflight_id: str
    preflight_failure: str  # what a failed preflight means, for the checks it stops

    def __init__(self, config: pytest.Config, cases: list[Case], report: str | None, strict: bool) -> None:
        self.config = config
        self.cases = cases
        self.report_path = report
        self.strict = strict
        self.unreachable: str | None = None
        self.results: list[CheckResult] = []
        self.selected: set[str] | None = None  # the case ids the selection (-k) kept; None before collection
        self.worker_notes: list[str] = []  # what pytest-xdist's workers had to say of the run

    @property
    def display(self) -> str:
        raise NotImplementedError

    @property
    def wire(self) -> WireRecorder:
        """The run's wire logs, and the secrets every output of the run is cleared of."""
        raise NotImplementedError

    def header(self) -> str:
        raise NotImplementedError

    def shown(self, message: str) -> str:
        """A check's message as every output may show it: the run's secrets removed in every form, and every
        control a terminal would act on escaped. Its own line breaks are kept (a reproducer, a failing event on
        lines of their own); the target's were escaped where its text was embedded."""
        return for_terminal(self.wire.redactor(message), keep_newlines=True)

    def stopped(self) -> str | None:
        """Why no more checks can run (the target stopped answering), if so."""
        raise NotImplementedError

    def run_case(self, item: CaseItem) -> str:
        raise NotImplementedError

    # collection: the suite is the whole run

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool:
        hook = self.config.hook
        session.items = []
        try:
            collector = SuiteCollector.from_parent(
                session, name=f"horneross-{self.role}", nodeid=f"horneross-{self.role}", run=self
            )
            session.items.extend(session.genitems(collector))
            self.config.pluginmanager.check_pending()
            hook.pytest_collection_modifyitems(session=session, config=self.config, items=session.items)
            self.selected = {item.case.id for item in session.items if isinstance(item, CaseItem)}
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
        it is collected after the run, when ``pytest_unconfigure`` thaws it."""
        gc.freeze()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self) -> None:
        gc.unfreeze()

    def pytest_report_header(self) -> str:
        strict = "on" if self.strict else "off"
        return for_terminal(f"horneross: {self.role} suite against {self.display}, {self.header()}, strict {strict}")

    # levels

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        # a check's outcome is its call, or its setup when that skipped it
        if not isinstance(item, CaseItem) or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        if report.passed:
            outcome, message = "passed", item.detail
        elif report.skipped:
            outcome, message = "skipped", _skip_reason(report)
        else:
            error = call.excinfo.value if call.excinfo else None
            outcome = "failed"
            message = str(error) if isinstance(error, CheckFailed) else "internal error in the toolkit"
            soft = report.when == "call" and not item.requirement.fails_run(self.strict)
            if isinstance(error, CheckFailed) and soft:
                report.outcome = "passed"
                report.user_properties = [*report.user_properties, (SOFT, item.requirement.level)]
        owned = [(OWNER, item.owner)] if outcome == "skipped" and item.owner else []
        report.user_properties = [*report.user_properties, (OUTCOME, outcome), (MESSAGE, message), *owned]
        # an attribute of the report, not a property: it stays out of JUnit XML, and xdist carries it to the
        # controller like any JSON-ready attribute of a TestReport
        report.horneross_wire = item.wire
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = {str(name): str(value) for name, value in report.user_properties}
        if OUTCOME in properties:
            outcome = cast(Outcome, properties[OUTCOME])  # written by pytest_runtest_makereport above
            wire_log = getattr(report, "horneross_wire", None)
            self.results.append(
                CheckResult(
                    properties["case"],
                    properties["requirement"],
                    outcome,
                    properties[MESSAGE],
                    wire_log,
                    properties.get(OWNER),
                )
            )

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, Any] | None:
        level = dict(report.user_properties).get(SOFT)
        if report.when != "call" or level is None:
            return None
        if level == "SHOULD":
            return "non-strict", "N", ("NON-STRICT", {"yellow": True})
        return "informational", "I", ("INFO", {"cyan": True})

    # after the last check

    def after_run(self) -> list[CheckResult]:
        """The results of checks over the whole run, judged once every check is done; a role may have some."""
        return []

    def notes(self) -> list[str]:
        """What the reports must say of this process's part of the run beside the verdict (a budget spent)."""
        return []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, Any, Any]:
        done = yield
        if self.config.option.collectonly:
            return done
        if not _is_xdist_controller(self.config):  # this process ran checks: judge what it saw of the run
            results = self.after_run()
            if hasattr(self.config, "workerinput"):  # a worker reports only its own items: the controller does it
                output: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
                output[AFTER_RUN] = [_as_json(result) for result in results]
                output[NOTES] = self.notes()
            else:
                for result in results:
                    self._report(result)
        if not hasattr(self.config, "workerinput"):
            self._certify(session)
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
        failed = result.outcome == "failed" and checked.fails_run(self.strict)
        message = f"{result.case_id} [{checked.level} {checked.id}] {result.message}"
        self._log_test(f"{result.case_id}[after the run]", message if failed else None, properties)

    def _certify(self, session: pytest.Session) -> None:
        """When the verdict is not CONFORMANT for a reason no failed test shows (a requirement not checked while
        every test passed, an excuse found false), one more failed test, ``verdict``, says why."""
        if not self.selected:  # a selection that kept no check: pytest says so ("no tests ran"), exit code 5
            return
        verdict = self.verdict()
        if verdict.conformant or (session.testsfailed and not verdict.false_excuses):
            return
        lines = [f"verdict: {verdict.summary()}"]
        for result in verdict.false_excuses:
            lines.append(f"{result.case_id} [{requirement(result.requirement).id}] {result.message}")
        self._log_test("verdict", self.shown("\n".join(lines)), [])

    def _log_test(self, name: str, failure: str | None, properties: list[tuple[str, object]]) -> None:
        """Log a test that no item ran: passed, or failed with ``failure``."""
        nodeid = f"horneross-{self.role}::{name}"
        for when in ("setup", "call", "teardown"):
            failed = failure is not None and when == "call"
            report = pytest.TestReport(
                nodeid,
                (f"horneross-{self.role}", None, name),
                {},
                "failed" if failed else "passed",
                failure if failed else None,
                when,
                user_properties=properties if when == "call" else [],
            )
            self.config.hook.pytest_runtest_logreport(report=report)

    # verdict

    def verdict(self) -> RunVerdict:
        coverage = [(case.id, case.requirement) for case in self.cases]
        verdict = judge(
            self.role, self.display, self.results, coverage, self.strict, self.selected, {self.preflight_id}
        )
        verdict.notes = [*self.worker_notes, *(n for n in self.notes() if n not in self.worker_notes)]
        return verdict

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        # The outermost wrapper: the table comes after pytest's failures and short summary, just before its
        # closing line, so the terminal ends with the verdict.
        from horneross_conformance.reporting.terminal import write_verdict_table

        try:
            yield
        finally:
            write_verdict_table(terminalreporter, self.verdict())

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):  # a pytest-xdist worker: the controller writes the report
            return
        if self.report_path and not self.config.getoption("collectonly"):
            write_report(self.report_path, self.verdict())


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
    }


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
