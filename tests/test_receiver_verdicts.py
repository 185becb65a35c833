"""One fault, one requirement, and a failure message that names the fix: control deliveries make the checks that
merely meet a fault inconclusive, and a rejected signature is diagnosed from what the endpoint accepted."""

from __future__ import annotations

import pytest
import receivers as r
from suite_runner import run_both_ways, run_suite

from horneross_conformance.receiver.diagnosis import SignatureHistory, fix
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


@pytest.mark.parametrize(
    ("receiver", "select", "requirement", "mistake"),
    [
        (r.EscapesNonAscii, "RCV-ACK", "RCV-01", "re-serialization that escapes non-ASCII characters"),
        (r.NaivePythonSerializer, "RCV-ACK or RCV-NUM-001", "RCV-11", "writes 1e-07 where JSON.stringify writes 1e-7"),
        (r.SortsKeys, "RCV-ACK", "RCV-01", "keys sorted before signing"),
        (r.WrongSecret, "RCV-ACK", "RCV-01", "the wrong secret"),
        (r.ParserInFront, "RCV-ACK", "RCV-01", "a body parser in front of the route"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_a_rejected_signature_is_diagnosed_with_the_raw_body_fix(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], select: str, requirement: str, mistake: str
) -> None:
    with serve(receiver()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", select)
    details = run.details(requirement)
    assert mistake in details, details
    assert RAW_BODY in details
    for idiom in ("express.raw", "await request.body()", "request.get_data()", "request.body", "io.ReadAll(r.Body)"):
        assert idiom in details
    assert "php://input" in details and "request.body.read" in details


def test_the_diagnosis_follows_the_pattern_of_accepted_deliveries() -> None:
    history = SignatureHistory()
    assert "rejected every correctly signed delivery so far" in history.diagnose(b'{"a":"x"}')
    history.record(b'{"a":"x"}', 200)
    assert "escapes non-ASCII" in history.diagnose('{"a":"í"}'.encode())
    assert "1e-07" in history.diagnose(b'{"a":"x","n":1e-7}')
    assert "other bytes" in history.diagnose(b'{"a":"</script>"}')


def test_the_stack_the_answer_names_gets_its_idiom_first() -> None:
    assert fix("uvicorn").startswith("This endpoint looks like FastAPI/Starlette: verify with await request.body().")
    assert fix("Werkzeug/3.1.3 Python/3.11.7").startswith(
        "This endpoint looks like Flask: verify with request.get_data()"
    )
    assert fix("Express").startswith("This endpoint looks like Express")
    assert fix("").startswith("Fix: verify the HMAC over the raw request body")
