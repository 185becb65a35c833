"""The Markdown and HTML reports, and the wire log behind them, from real runs against real receivers."""

from __future__ import annotations

import json
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest
import receivers as r
from command_line import cli
from jsonschema import Draft202012Validator
from suite_runner import NOT_SLOW, REFERENCE_SENDER, SEED

from horneross_conformance import check_endpoint
from horneross_conformance.core.resources import load_json
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "--horneross-examples=3", f"--horneross-seed={SEED}")


class _Page(HTMLParser):
    """Checks that tags are balanced and collects what a self-contained page must not have."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.external: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "link", "img", "iframe") or any(k in ("src", "href") for k in found):
            self.external.append(tag)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-3:])
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == [], page.open
    return page


def _reports(pytester: pytest.Pytester, *args: str) -> tuple[int, str, str, str]:
    html, markdown, junit = (pytester.path / name for name in ("r.html", "r.md", "junit.xml"))
    code = int(pytester.runpytest_inprocess(*FAST, *args, f"--horneross-report={html}", f"--junitxml={junit}").ret)
    assert int(pytester.runpytest_inprocess(*FAST, *args, f"--horneross-report={markdown}").ret) == code
    return code, html.read_text(encoding="utf-8"), markdown.read_text(encoding="utf-8"), junit.read_text()


@pytest.mark.slow
def test_a_failing_receiver_gets_a_matrix_then_each_check_with_its_wire_log(pytester: pytest.Pytester) -> None:
    with serve(r.AcceptsMissingHeader()) as base:
        code, html, markdown, junit = _reports(
            pytester, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}"
        )
    assert code == 1
    page = _parse(html)
    assert page.external == []  # one file: no script, style sheet, image or link to fetch
    text = "".join(page.text)
    assert (
        text.index("NON-CONFORMANT") < text.index("Verdict matrix") < text.index("Requirements") < text.index("Checks")
    )
    # counted by the table's own labels: the INFORMATIONAL "yes" in its own column, not among the passed
    assert "<th>passed</th><th>yes</th><th>FAILED</th><th>WARNING</th><th>UNCHECKED</th>" in html
    assert '<tr><th>MUST</th><td class="ok">4</td><td class="">0</td><td class="bad">1</td>' in html
    assert '<tr><th>INFORMATIONAL</th><td class="">0</td><td class="ok">1</td>' in html
    assert {"RCV-03", "RCV-SIG-002", "RCV-GEN-001"} <= set(page.ids)
    failed = html[html.index('<details id="RCV-SIG-002" open>') :]
    failed = failed[: failed.index("</details>")]
    assert "accepted a delivery without X-Horneross-Signature (answered 200)" in failed
    assert "POST " + f"{base}/webhook" in failed and "Content-Type: application/json" in failed
    sent = failed[failed.index("<p>sent</p><pre>") :]
    sent = sent[: sent.index("</pre>")]
    assert "User-Agent: horneross-conformance/" in sent and "X-Horneross-Signature" not in sent  # really had none
    assert "<p>answered</p><pre>200 OK" in failed
    passed = html[html.index('<details id="RCV-SIG-003">') :]
    assert "X-Horneross-Signature: " in passed[: passed.index("</details>")]
    for output in (html, markdown, junit):
        assert r.SECRET not in output
    assert markdown.startswith("## Horneross receiver conformance: ❌ NON-CONFORMANT\n")
    assert "| RCV-03 | MUST | ❌ FAILED | Rejects deliveries whose signature is wrong |" in markdown
    assert "  - `RCV-SIG-002`: accepted a delivery without X-Horneross-Signature (answered 200)" in markdown
    assert "| RCV-07 | SHOULD | ✅ passed |" in markdown


@pytest.mark.slow
def test_a_conformant_receiver_report_is_calm(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        code, html, markdown, _ = _reports(
            pytester, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}"
        )
    assert code == 0
    assert '<p class="verdict ok">CONFORMANT</p>' in html
    assert markdown.startswith("## Horneross receiver conformance: ✅ CONFORMANT\n")
    assert "What failed" not in markdown and "What could not be checked" not in markdown
    assert "| RCV-01 | MUST | ✅ passed |" in markdown and "⏭️" not in markdown and "⛔" not in markdown
    assert " open>" not in html  # nothing failed, nothing unfolded


@pytest.mark.slow
def test_the_sender_report_shows_each_capture_at_its_frozen_time(pytester: pytest.Pytester) -> None:
    code, html, markdown, junit = _reports(pytester, f"--horneross-sender={REFERENCE_SENDER}", "-k", "SND-RTY-001")
    # one check of SND-05 passed; its other checks and the other requirements were left out, so nothing is
    # certified, and every report says so as the exit code does
    assert code == 1, markdown
    assert markdown.startswith("## Horneross sender conformance: ⛔ NOT CERTIFIED\n")
    assert "### What could not be checked" in markdown and "| SND-05 | MUST | ⛔ UNCHECKED |" in markdown
    assert "- **SND-05** (MUST): 1 of 15 checks passed, but not all ran\\: SND-RTY-002" in markdown
    assert '<p class="verdict bad">NOT CERTIFIED</p>' in html
    assert '<testcase classname="horneross-sender" name="verdict"' in junit and "NOT CERTIFIED" in junit
    check = html[html.index('<details id="SND-RTY-001">') :]
    check = check[: check.index("</details>")]
    for offset in ("+0 s", "+60 s", "+360 s", "+2160 s", "+9360 s"):
        assert f"· {offset}</p>" in check
    assert "X-Horneross-Signature: " in check and check.count("<p>answered</p><pre>201</pre>") == 5
    assert "[secret redacted]" not in check  # the reference sender never sends a secret
    # CI systems show the requirement and level from JUnit XML; the wire log stays out of it
    assert (
        '<property name="requirement" value="SND-05" />' in junit and '<property name="level" value="MUST" />' in junit
    )
    assert "X-Horneross-Signature" not in junit


@pytest.mark.slow
def test_the_wire_log_is_in_the_json_report_and_keeps_a_failing_check_readable(pytester: pytest.Pytester) -> None:
    with serve(r.AcceptsMissingHeader()) as base:
        result = pytester.runpytest_inprocess(
            *FAST,
            f"--horneross-endpoint={base}/webhook",
            f"--horneross-secret={r.SECRET}",
            "--horneross-examples=40",
            "--horneross-report=r.json",
        )
    assert result.ret == 1
    report = json.loads((pytester.path / "r.json").read_text())
    checks = {c["id"]: c for q in report["requirements"] for c in q["checks"]}
    generated = checks["RCV-GEN-001"]["wire"]
    assert len(generated["exchanges"]) == 12 and generated["omitted"] > 0
    exchange = checks["RCV-SIG-002"]["wire"]["exchanges"][0]
    assert exchange["status"] == "200 OK" and exchange["request"].startswith("POST http://127.0.0.1:")
    assert json.loads(exchange["request_body"])["type"]


@pytest.mark.slow
def test_a_receiver_that_echoes_the_secret_has_it_redacted_from_every_report(pytester: pytest.Pytester) -> None:
    class Echoes(r.PlainReceiver):
        def __call__(self, environ: dict[str, object], start_response: object) -> list[bytes]:
            super().__call__(environ, lambda *a: None)
            body = f"expected a signature made with {r.SECRET}".encode()
            start_response("401 Unauthorized", [("Content-Length", str(len(body))), ("X-Debug", r.SECRET)])
            return [body]

    with serve(Echoes()) as base:
        code, html, markdown, junit = _reports(
            pytester, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}", "-k", "RCV-ACK-001"
        )
        terminal = pytester.runpytest_inprocess(
            *FAST, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}", "-vv", "-k", "RCV-ACK"
        )
    assert code == 1 and terminal.ret == 1
    assert 'answered 401 Unauthorized: "expected a signature made with [secret redacted]"' in terminal.stdout.str()
    assert r.SECRET not in terminal.stdout.str() + terminal.stderr.str()
    assert "expected a signature made with [secret redacted]" in html
    assert "X-Debug: [secret redacted]" in html
    for output in (html, markdown, junit):
        assert r.SECRET not in output


def test_an_unknown_report_extension_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(*FAST, f"--horneross-sender={REFERENCE_SENDER}", "--horneross-report=r.pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "one of .json, .md, .html" in result.stderr.str()


@pytest.mark.slow
def test_reports_are_written_in_utf8_whatever_the_locale(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    code, html, _, _ = _reports(pytester, f"--horneross-sender={REFERENCE_SENDER}", "-k", "SND-SIG", *NOT_SLOW[1:])
    assert code == 1 and html.startswith("<!DOCTYPE html>")  # NOT CERTIFIED: the selection left most out
    assert Path(pytester.path / "r.html").read_bytes().decode("utf-8")


@pytest.mark.slow
def test_every_report_says_its_run_and_the_command_it_gives_repeats_it(tmp_path: Path) -> None:
    """Seed, start, duration and the command, in the JSON, Markdown and HTML reports alike; the command, run as
    given (the secret from the environment), generates the same events: the same seed and options, the same
    verdict."""
    names = [str(tmp_path / name) for name in ("r.json", "r.md", "r.html")]
    with serve(r.AcceptsMissingHeader()) as base:
        first = check_endpoint(f"{base}/webhook", secret=r.SECRET, examples=2, reports=names)
        report = json.loads(Path(names[0]).read_text(encoding="utf-8"))
        Draft202012Validator(load_json("meta/report.schema.json")).validate(report)
        run = report["run"]
        assert run["seed"] == first.verdict.info.seed and run["seconds"] > 0
        assert run["started"].endswith("Z") and r.SECRET not in json.dumps(report)
        command = shlex.split(run["command"])
        assert command[0] == "horneross-conformance" and f"--seed={run['seed']}" in command
        for text in (Path(names[1]).read_text(encoding="utf-8"), Path(names[2]).read_text(encoding="utf-8")):
            assert f"seed {run['seed']}" in text and "--seed=" in text and r.SECRET not in text
        again = cli(*command[1:], cwd=tmp_path, env={"HORNEROSS_WEBHOOK_SECRET": r.SECRET})
    assert again.returncode == 1, again.stdout + again.stderr
    repeated = json.loads(Path(names[0]).read_text(encoding="utf-8"))
    assert repeated["run"]["seed"] == run["seed"]
    assert repeated["run"]["options"] == {**run["options"], "seed": run["seed"]}  # the seed is given this time
    assert [(q["id"], q["outcome"]) for q in repeated["requirements"]] == [
        (q["id"], q["outcome"]) for q in report["requirements"]
    ]
    assert repeated["status"] == report["status"] == "NON-CONFORMANT"
