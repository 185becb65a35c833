"""What the verdict table and the HTML report show of long titles, long details and a generated check's many
exchanges: nothing cut mid-word or without saying so, and the exchange a check failed on marked."""

from __future__ import annotations

import io
from typing import Any

import pytest
import receivers as r
from suite_runner import run_suite

from horneross_conformance.checks.results import CheckResult
from horneross_conformance.checks.verdict import RunVerdict, judge
from horneross_conformance.core.catalogue import Role, for_role
from horneross_conformance.reporting.html import html_report
from horneross_conformance.reporting.terminal import write_verdict_table
from horneross_conformance.transport import wire
from horneross_conformance.transport.server import serve


class _Terminal:
    """What write_verdict_table needs of pytest's terminal reporter, writing plain text of a given width."""

    def __init__(self, width: int) -> None:
        self.out = io.StringIO()
        self._tw = type("Writer", (), {"fullwidth": width})()

    def write_sep(self, sep: str, title: str) -> None:
        self.out.write(f"{sep * 3} {title} {sep * 3}\n")

    def write(self, text: str, **markup: bool) -> None:
        self.out.write(text)

    def write_line(self, text: str, **markup: bool) -> None:
        self.out.write(text + "\n")


def _verdicts(role: Role, message: str = "", wire_log: dict[str, Any] | None = None) -> RunVerdict:
    """A run whose every requirement of ``role`` has one check, failed with ``message`` if one is given."""
    results = [
        CheckResult(f"{req.id}-X", req.id, "failed" if message else "passed", message, wire_log)
        for req in for_role(role)
    ]
    target = "x:y" if role == "sender" else "http://x/"
    return judge(role, target, results, [(result.case_id, result.requirement) for result in results], strict=False)


def test_the_verdict_table_keeps_every_title_whole_at_80_columns() -> None:
    terminal = _Terminal(80)
    write_verdict_table(terminal, _verdicts("sender"))
    table = terminal.out.getvalue()
    assert "…" not in table
    words = " ".join(table.split())
    for requirement in for_role("sender"):
        assert requirement.title in words, requirement.title  # wrapped at words, never cut


def test_the_html_report_cuts_long_details_at_a_word_with_an_ellipsis() -> None:
    message = "the endpoint answered " + "with a wordy explanation " * 30
    page = html_report(_verdicts("receiver", message))
    row = page.split('<tr id="RCV-01">')[1].split("</tr>")[0]
    shown = row.split("<td>")[-1].split("</td>")[0]
    assert shown.endswith(" …") and len(shown) <= 302
    assert shown.removesuffix(" …").split()[-1] in ("with", "a", "wordy", "explanation")  # a whole word


def test_the_html_report_says_1_exchange_and_marks_the_failing_one_kept_past_the_first() -> None:
    log = wire.WireLog(lambda text: text)
    for number in range(1, 31):
        log.add(wire.Exchange(f"POST /hook #{number}", [], f"event {number}", "500"))
        if number in (7, 25):  # failed on 7, then on the shrunk event, 25
            log.mark_failing()
    kept = log.as_json()
    assert kept["failing"] == 25 and kept["omitted"] == 30 - 13
    assert kept["exchanges"][-1]["request"] == "POST /hook #25"
    page = html_report(_verdicts("receiver", "answered 500", kept))
    check = page.split('<details id="RCV-01-X"')[1].split("</details>")[0]
    assert "30 exchanges" in check
    marked = check.split('<div class="exchange failing">')[1:]
    assert len(marked) == 1 and "#25" in marked[0] and "the exchange the check failed on" in marked[0]
    assert check.index("… and 17 more exchanges, not kept.") < check.index('<div class="exchange failing">')
    single = wire.WireLog(lambda text: text)
    single.add(wire.Exchange("POST /hook", [], "event", "200"))
    calm = html_report(_verdicts("receiver", "", single.as_json()))
    assert "· 1 exchange</summary>" in calm and "1 exchanges" not in calm


def test_a_generated_failure_s_exchange_is_marked_in_a_real_run(pytester: pytest.Pytester) -> None:
    report = pytester.path / "r.html"
    with serve(r.RejectsUnknownTypes()) as base:
        run_suite(pytester, f"{base}/webhook", "-k", "RCV-GEN-007", f"--horneross-report={report}")
    check = report.read_text(encoding="utf-8").split('<details id="RCV-GEN-007"')[1].split("</details>")[0]
    assert check.count('<div class="exchange failing">') == 1


def test_a_long_failure_is_cut_in_its_evidence_never_in_its_fix() -> None:
    from horneross_conformance.receiver.diagnosis import fix
    from horneross_conformance.reporting.markdown import MAX_DETAIL, shortened

    remedy = fix("Express")
    message = "answered 401 Unauthorized; " + "evidence " * 200 + remedy
    cut = shortened(message)
    assert cut.endswith(remedy) and cut.startswith("answered 401 Unauthorized; evidence")
    assert "…" in cut and len(cut) <= MAX_DETAIL + len("… ") + len(remedy)
    assert shortened("short; " + remedy) == "short; " + remedy  # nothing to cut


def test_a_long_message_without_a_fix_is_cut_at_the_limit() -> None:
    from horneross_conformance.reporting.markdown import MAX_DETAIL, shortened

    cut = shortened("x" * 5000)
    assert cut == "x" * MAX_DETAIL + "…"


def test_the_html_matrix_counts_each_requirement_under_the_label_the_table_gives_it() -> None:
    """Every requirement failed: MUST ones FAILED, SHOULD ones WARNING, the INFORMATIONAL one "no", not a warning."""
    from html.parser import HTMLParser

    page = html_report(_verdicts("receiver", "answered 500"))
    matrix = page.split("<h2>Verdict matrix</h2>")[1].split("</table>")[0]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag == "tr":
                self.rows.append([])

        def handle_data(self, data: str) -> None:
            if self.rows:
                self.rows[-1].append(data)

    cells = Cells()
    cells.feed(matrix)
    head, *rows = cells.rows
    counted = {row[0]: dict(zip(head[1:], map(int, row[1:]), strict=True)) for row in rows}
    levels = {req.level for req in for_role("receiver")}
    table = page.split("<h2>Requirements</h2>")[1] if "<h2>Requirements</h2>" in page else page
    for level in levels:
        assert sum(counted[level].values()) == sum(1 for req in for_role("receiver") if req.level == level)
    assert counted["INFORMATIONAL"].get("no") == 1 and counted["INFORMATIONAL"].get("WARNING") == 0
    assert counted["SHOULD"]["WARNING"] == sum(1 for req in for_role("receiver") if req.level == "SHOULD")
    assert counted["MUST"]["FAILED"] == sum(1 for req in for_role("receiver") if req.level == "MUST")
    assert table.count(">no<") >= 1


def test_html_wraps_long_tokens_without_splitting_words() -> None:
    page = html_report(_verdicts("receiver", "answered 500"))
    assert "break-all" not in page and "overflow-wrap:anywhere" in page
