"""One fault, one requirement, and a failure message that names the fix: control deliveries make the checks that
merely meet a fault inconclusive, and a rejected signature is diagnosed from what the endpoint accepted."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import receivers as r
from golang import GoReceiver, go_receiver
from suite_runner import run_both_ways, run_suite

from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.signing import sign
from horneross_conformance.receiver.diagnosis import (
    CONTROLS,
    WRITERS,
    Control,
    SignatureExperiment,
    Writer,
    control_answer,
    control_body,
    diagnose,
    fix,
)
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

RAW_BODY = "verify the HMAC over the raw request body"


@pytest.mark.slow
@pytest.mark.waits
def test_a_receiver_slow_only_for_resolved_fails_rcv01_alone(pytester: pytest.Pytester) -> None:
    """The documentation's CRM example: each check that sends a status change meets the slowness, and only RCV-01,
    whose events carry "resolved", is charged with it; the others confirm with a control and are inconclusive.
    With deliveries in flight as users run them and one at a time alike (so tests/receiver/test_in_flight.py need
    not run it again)."""
    run = run_both_ways(pytester, r.SlowForResolved, "--horneross-timeout=1")  # 1.5 s for "resolved"
    assert run.failed() == {"RCV-01"}, run.stdout
    assert "RCV-ACK-003" in run.failed_checks()
    assert "WARNING" not in run.stdout
    outcomes = run.outcomes()
    assert outcomes["RCV-08"] == outcomes["RCV-10"] == "skipped", run.stdout
    for requirement in ("RCV-08", "RCV-10"):
        assert "the fault is not what this check tests (see RCV-01)" in run.details(requirement)
    assert "the endpoint stopped answering" not in run.stdout  # a control's timeout is not a second miss in a row


COMPARED_IN_FLIGHT = {r.SlowForResolved}  # compared with one delivery at a time here


def test_401_to_everything_fails_rcv01_and_leaves_rcv02_inconclusive(pytester: pytest.Pytester) -> None:
    with serve(r.RejectsEverything()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-ACK or RCV-UNI-001 or RCV-OLD")
    assert run.failed() == {"RCV-01"}, run.stdout
    outcomes = run.outcomes()
    assert outcomes["RCV-02"] == outcomes["RCV-04"] == outcomes["RCV-05"] == "skipped"
    assert "a 4xx, a 5xx or no answer to a correct delivery is RCV-01's fault" in run.details("RCV-02")


def test_rcv12_says_raw_bytes_only_when_it_saw_them(pytester: pytest.Pytester) -> None:
    """A json.dumps re-serializer never reads the raw bytes: rejecting a pretty-printed body says nothing about them
    when it rejects the same event in canonical form too."""
    with serve(r.JsonDumpsDefault()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-CANON")
    assert run.outcomes()["RCV-12"] == "skipped", run.stdout
    assert "raw" not in run.details("RCV-12") and "bytes as they arrive" not in run.details("RCV-12")
    with serve(r.RawBodyOnly()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-CANON")
    assert "and 200 to the same event sent in that form: it verifies the bytes as they arrive" in run.details("RCV-12")


def test_a_lone_surrogate_failure_names_the_remedy(pytester: pytest.Pytester) -> None:
    with serve(r.RefusesLoneSurrogates()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-SUR or RCV-GEN-008 or RCV-UNI")
    assert run.outcomes()["RCV-04"] == "passed"
    for case in ("RCV-SUR-001", "RCV-GEN-008"):
        assert case in run.details("RCV-14")
    details = run.details("RCV-14")
    assert "Verify the signature over the raw body first" in details and "\\ufffd before parsing" in details


def test_a_root_cause_of_lone_surrogate_rejections_is_said_at_the_head_of_the_verdict(
    pytester: pytest.Pytester,
) -> None:
    """RCV-14's checks add the remedy to their failure; the root cause their one line refers to stays theirs."""
    with serve(r.ReplacesLoneSurrogates()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-SUR or RCV-GEN-008 or RCV-ACK")
    assert run.failed() == {"RCV-14"}, run.stdout
    [said] = run.report["causes"]
    failed = [c for q in run.report["requirements"] for c in q["checks"] if c["outcome"] == "failed"]
    assert said["checks"] == [c["id"] for c in failed] == ["RCV-SUR-001", "RCV-GEN-008"]
    for check in failed:
        assert check["cause"] == said["id"] and f"root cause [{said['id']}]" in check["details"], check
        assert "replace lone surrogate escapes" in check["details"]
    assert "root cause: your endpoint " in run.stdout


# The zoo: one receiver per known mistake. (receiver, the checks run, the requirement failed, the root cause the
# controls show, words its headline says.) Go's mistakes are made by real Go (tests/go/receiver), whose
# encoding/json and net/http answer for themselves; the others by Python receivers served here.
DIAGNOSED = [
    (r.EscapesNonAscii, "RCV-ACK", "RCV-01", "signature/python-ascii", "escapes non-ASCII characters"),
    (r.SortsKeys, "RCV-ACK", "RCV-01", "signature/python-sorted-keys", "sorts the keys at every level"),
    (r.JsonDumpsDefault, "RCV-ACK", "RCV-01", "signature/python-default", "adds spaces after ','"),
    (r.NaivePythonSerializer, "RCV-NUM-001", "RCV-11", "signature/python-numbers", "0.000001 as 1e-06"),
    (GoReceiver("map"), "RCV-ACK", "RCV-01", "signature/go-map", "as Go's encoding/json over a map[string]any"),
    # its status changes (sorted data) pass, its other events fail: the controls, not that pattern, tell the cause
    (GoReceiver("struct"), "RCV-ACK", "RCV-01", "signature/go-struct", "sorts the keys inside data"),
    (r.WrongSecret, "RCV-ACK", "RCV-01", "signature/everything", "the wrong secret"),
    (r.ParserInFront, "RCV-ACK", "RCV-01", "signature/everything", "a body parser's object in front of the route"),
    # no known writer explains these: none is named, what was seen is said
    (r.HtmlSafeSerializer, "RCV-ACK", "RCV-01", "signature/unexplained", "no known re-serialization explains"),
    (r.RejectsAskingForHelp, "RCV-ACK", "RCV-01", "signature/unexplained", "no known re-serialization explains"),
]


Zoo = type[r.PlainReceiver] | GoReceiver


def member_name(value: object) -> str:
    """A zoo member's test id: its receiver's name (the other parameters add nothing)."""
    return value.name if isinstance(value, GoReceiver) else getattr(value, "__name__", "")


@contextlib.contextmanager
def serving(receiver: Zoo, request: pytest.FixtureRequest) -> Iterator[str]:
    """A zoo member's webhook URL: the Go receiver in its mode (built once a session, only if a test serves it), or
    a Python receiver served here."""
    if isinstance(receiver, GoReceiver):
        with go_receiver(request.getfixturevalue("go_receiver_binary"), receiver.mode) as url:
            yield url
    else:
        with serve(receiver()) as base:
            yield f"{base}/webhook"


def squeezed(text: str) -> str:
    """``text`` without its white space: the terminal wraps lines where it likes, at a space or after a hyphen."""
    return "".join(text.split())


def verdict_head(stdout: str) -> tuple[str, str]:
    """The first line of a run's verdict (after its target), and its whole head: what it says before the table."""
    lines = stdout.split("Horneross receiver conformance", 1)[1].splitlines()[1:]
    assert lines[0].startswith("target: "), lines[:2]
    rows = next(i for i, line in enumerate(lines) if re.match(r"RCV-\d\d +(MUST|SHOULD|INFORMATIONAL) ", line))
    return lines[1], "\n".join(lines[1:rows])


@pytest.mark.parametrize(
    ("receiver", "select", "requirement", "cause", "words"),
    [pytest.param(*case, marks=[pytest.mark.slow] if isinstance(case[0], GoReceiver) else []) for case in DIAGNOSED],
    ids=member_name,
)
def test_a_rejected_signature_gets_one_root_cause_from_the_controls_with_the_raw_body_fix(
    pytester: pytest.Pytester,
    request: pytest.FixtureRequest,
    receiver: Zoo,
    select: str,
    requirement: str,
    cause: str,
    words: str,
) -> None:
    junit = pytester.path / "junit.xml"
    with serving(receiver, request) as url:
        run = run_suite(pytester, url, "-k", select, f"--junitxml={junit}")
    assert run.failed() == {requirement}, run.stdout
    [said] = run.report["causes"]  # one cause, said once
    assert said["id"] == cause and words in said["headline"], said
    first, head = verdict_head(run.stdout)  # the verdict starts with the cause, its fix next
    assert first.startswith("root cause: your endpoint "), run.stdout
    assert squeezed(f"root cause: {said['headline']}. {said['fix']}") in squeezed(head), run.stdout
    assert RAW_BODY in said["fix"] and "io.ReadAll(r.Body)" in said["fix"] and "php://input" in said["fix"]
    failed = [c for q in run.report["requirements"] for c in q["checks"] if c["outcome"] == "failed"]
    assert failed and said["checks"] == [c["id"] for c in failed]
    for check in failed:  # each refers to it in one line, without repeating it
        assert check["cause"] == cause and f"root cause [{cause}]" in check["details"], check
        assert "Fix:" not in check["details"] and words not in check["details"]
    table = run.stdout.split("Horneross receiver conformance", 1)[1]
    assert table.count("root cause: ") == 1 and table.index("root cause: ") < table.index(f"{requirement} ")
    xml = junit.read_text(encoding="utf-8")
    assert xml.count(f'name="root_cause[{cause}]"') == 1  # a property of the test suite, once
    assert xml.count(f'name="root_cause" value="{cause}"') == len(failed)  # and named by each check it explains
    if cause.startswith("signature/go"):  # Go's net/http sends no Server header: the writer shows the stack
        assert said["fix"].startswith("Its re-serialization looks like Go's: verify with io.ReadAll(r.Body).")
        assert squeezed(table).count(squeezed("verify with io.ReadAll(r.Body).")) == 1, run.stdout
    if cause == "signature/go-struct":
        assert "non-ASCII" not in said["headline"]
    if cause == "signature/unexplained":
        assert " as " not in said["headline"]  # no writer named


def the_controls_answered_by(url: str) -> list[tuple[Control, bytes, str]]:
    """The control deliveries, sent to ``url`` as the suite sends them (each signed over its own bytes), and the
    answers."""
    endpoint = parse_endpoint(url)

    def answer(body: bytes) -> str:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, r.SECRET)}
        return control_answer(post(endpoint, body, headers, 10).status)

    return SignatureExperiment().answers("conv_zoo", answer)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["map", "struct", "raw"])
def test_a_go_diagnosis_is_made_by_every_answer_of_real_go_to_the_controls(go_receiver_binary: Path, mode: str) -> None:
    """The zoo's control for its Go members: real Go's answers to the controls name its writer, and the same answers
    with any one of them the other way name it no more; the raw-body receiver, the same Go but verifying the bytes
    received, accepts every control, and no writer of Go is named from its answers."""
    with go_receiver(go_receiver_binary, mode) as url:
        seen = the_controls_answered_by(url)
    answers = [answer for _, _, answer in seen]
    assert set(answers) <= {"accepted", "rejected"}, seen
    if mode == "raw":
        assert set(answers) == {"accepted"}
        assert not diagnose(seen).id.startswith("signature/go"), diagnose(seen)
        return
    assert diagnose(seen).id == f"signature/go-{mode}", diagnose(seen)
    other = {"accepted": "rejected", "rejected": "accepted"}
    for index, (control, body, answer) in enumerate(seen):
        contrary = [*seen[:index], (control, body, other[answer]), *seen[index + 1 :]]
        assert diagnose(contrary).id != f"signature/go-{mode}", control.name


@pytest.mark.slow
def test_go_verifying_the_raw_body_gets_no_cause_and_is_conformant(
    pytester: pytest.Pytester, go_receiver_binary: Path
) -> None:
    """The zoo's control: the Go of its Go members (net/http, encoding/json to parse), verifying the bytes received,
    passes every check they fail and every other, and is told no cause."""
    with go_receiver(go_receiver_binary, "raw") as url:
        run = run_suite(pytester, url, "--horneross-strict")
    assert run.ret == 0 and run.report["verdict"] == "conformant", run.stdout
    # every MUST and SHOULD passes; RCV-12, informational, says "no": it verifies the bytes as they arrive
    assert {k for k, v in run.outcomes().items() if v != "passed"} == {"RCV-12"}, run.stdout
    assert run.report["causes"] == [] and "root cause" not in run.stdout


def an_endpoint_verifying(writer: Writer) -> list[tuple[Control, bytes, str]]:
    """The controls' answers of an endpoint that verifies the HMAC over ``writer``'s re-serialization."""
    bodies = [(control, control_body(control, "conv_1")) for control in CONTROLS]
    return [(c, body, "accepted" if writer.write(json.loads(body)) == body else "rejected") for c, body in bodies]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda writer: writer.slug)
def test_the_controls_tell_every_known_writer_apart(writer: Writer) -> None:
    """Each known writer is named by the controls an endpoint using it accepts and rejects, and never a writer
    whose output differs from it on a control."""
    said = diagnose(an_endpoint_verifying(writer))
    assert writer.name in said.headline, said.headline
    named = [other for other in WRITERS if other.name in said.headline]
    answers = [answer for _, _, answer in an_endpoint_verifying(writer)]
    for other in named:  # another writer named with it answers every control alike: the controls cannot tell
        assert [answer for _, _, answer in an_endpoint_verifying(other)] == answers


def test_an_endpoint_answering_the_controls_otherwise_gets_no_named_writer() -> None:
    seen = an_endpoint_verifying(WRITERS[0])
    contrary = [(c, body, "rejected" if answer == "accepted" else "accepted") for c, body, answer in seen]
    said = diagnose(contrary)
    assert said.id == "signature/unexplained" and not any(w.name in said.headline for w in WRITERS)
    nothing_clear = [(c, body, "answered 500") for c, body, _ in seen]
    assert diagnose(nothing_clear).id == "signature/unexplained"  # a 500 is no evidence of a signature fault


def test_the_stack_the_answer_names_gets_its_idiom_first() -> None:
    assert fix("uvicorn").startswith("This endpoint looks like FastAPI/Starlette: verify with await request.body().")
    assert fix("Werkzeug/3.1.3 Python/3.11.7").startswith(
        "This endpoint looks like Flask: verify with request.get_data()"
    )
    assert fix("Express").startswith("This endpoint looks like Express")
    assert fix("").startswith("Fix: verify the HMAC over the raw request body")


def test_the_stack_the_user_names_gets_its_idiom_first_and_an_unknown_one_is_refused(
    pytester: pytest.Pytester,
) -> None:
    with serve(r.SortsKeys()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-ACK-001", "--horneross-stack=laravel")
        [cause] = run.report["causes"]
        assert cause["fix"].startswith("In Laravel, verify with $request->getContent(). Fix: verify the HMAC"), cause
        refused = run_suite(pytester, f"{base}/webhook", "-k", "RCV-ACK-001", "--horneross-stack=COBOL")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR and refused.report == {}
    assert "'COBOL' is not a stack the toolkit knows: one of Express, Fastify" in refused.stderr, refused.stderr
