"""One fault, one requirement, and a failure message that names the fix: control deliveries make the checks that
merely meet a fault inconclusive, and a rejected signature is diagnosed from what the endpoint accepted."""

from __future__ import annotations

import json

import pytest
import receivers as r
from suite_runner import run_both_ways, run_suite

from horneross_conformance.receiver.diagnosis import CONTROLS, WRITERS, Control, Writer, control_body, diagnose, fix
from horneross_conformance.transport.server import serve

RAW_BODY = "verify the HMAC over the raw request body"


@pytest.mark.slow
@pytest.mark.waits
def test_a_receiver_slow_only_for_resolved_fails_rcv01_alone(pytester: pytest.Pytester) -> None:
    """The documentation's CRM example: each check that sends a status change meets the slowness, and only RCV-01,
    whose events carry "resolved", is charged with it; the others confirm with a control and are inconclusive.
    With 8 deliveries in flight and one at a time alike (so tests/test_in_flight.py need not run it again)."""
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


# (receiver, the checks run, the requirement failed, the root cause the controls show, words its headline says)
DIAGNOSED = [
    (r.EscapesNonAscii, "RCV-ACK", "RCV-01", "signature/python-ascii", "escapes non-ASCII characters"),
    (r.SortsKeys, "RCV-ACK", "RCV-01", "signature/python-sorted-keys", "sorts the keys at every level"),
    (r.JsonDumpsDefault, "RCV-ACK", "RCV-01", "signature/python-default", "adds spaces after ','"),
    (r.NaivePythonSerializer, "RCV-NUM-001", "RCV-11", "signature/python-numbers", "0.000001 as 1e-06"),
    (r.GoMarshalsAMap, "RCV-ACK", "RCV-01", "signature/go-map", "as Go's encoding/json over a map[string]any"),
    # its status changes (sorted data) pass, its other events fail: the controls, not that pattern, tell the cause
    (r.GoStructWithAMapForData, "RCV-ACK", "RCV-01", "signature/go-struct", "sorts the keys inside data"),
    (r.WrongSecret, "RCV-ACK", "RCV-01", "signature/everything", "the wrong secret"),
    (r.ParserInFront, "RCV-ACK", "RCV-01", "signature/everything", "a body parser's object in front of the route"),
    # no known writer explains these: none is named, what was seen is said
    (r.HtmlSafeSerializer, "RCV-ACK", "RCV-01", "signature/unexplained", "no known re-serialization explains"),
    (r.RejectsAskingForHelp, "RCV-ACK", "RCV-01", "signature/unexplained", "no known re-serialization explains"),
]


@pytest.mark.parametrize(
    ("receiver", "select", "requirement", "cause", "words"), DIAGNOSED, ids=lambda v: getattr(v, "__name__", "")
)
def test_a_rejected_signature_gets_one_root_cause_from_the_controls_with_the_raw_body_fix(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], select: str, requirement: str, cause: str, words: str
) -> None:
    junit = pytester.path / "junit.xml"
    with serve(receiver()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", select, f"--junitxml={junit}")
    assert run.failed() == {requirement}, run.stdout
    [said] = run.report["causes"]  # one cause, said once
    assert said["id"] == cause and words in said["headline"], said
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
    if cause == "signature/go-struct":
        assert "non-ASCII" not in said["headline"]
    if cause == "signature/unexplained":
        assert " as " not in said["headline"]  # no writer named


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
