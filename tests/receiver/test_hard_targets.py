"""Bad input and hard targets: one clear message and a verdict, in bounded time, never a wall of tracebacks."""

from __future__ import annotations

import json
import socket

import pytest
import receivers as r
from suite_runner import RECEIVER_CASES, FinishedRun, run_both_ways, run_suite

from horneross_conformance.receiver.reference import ReferenceReceiver


def test_refused_connection_gives_one_message_and_a_verdict_before_any_other_check(
    pytester: pytest.Pytester,
) -> None:
    url = r.closed_port()
    run = run_suite(pytester, url)
    assert run.ret == 1
    assert run.report["verdict"] == "non-conformant"
    assert run.outcomes()["RCV-01"] == "failed"
    assert "cannot reach" in run.details("RCV-01") and "connection refused" in run.details("RCV-01")
    assert run.stdout.count("connection refused") <= 3  # the failure, the table line, the short summary
    assert "Traceback" not in run.stdout and "Traceback" not in run.stderr
    assert f"1 failed, {RECEIVER_CASES - 1} skipped" in run.stdout  # the preflight alone: nothing else waits


def test_unresolvable_host_is_one_clear_message(pytester: pytest.Pytester) -> None:
    run = run_suite(pytester, "http://no-such-host.invalid/webhook")
    assert run.ret == 1
    assert "cannot resolve host 'no-such-host.invalid'" in run.details("RCV-01")  # an answer, not a timeout
    assert f"1 failed, {RECEIVER_CASES - 1} skipped" in run.stdout  # the preflight alone: nothing else waits


def test_untrusted_tls_certificate_is_one_clear_message(pytester: pytest.Pytester) -> None:
    with r.tls_endpoint() as url:
        run = run_suite(pytester, url)
    assert run.ret == 1
    assert run.details("RCV-01").endswith(
        "TLS certificate of 127.0.0.1 not trusted: self-signed certificate. "
        "Certificates are checked against the system's trust store, or a CA bundle given with "
        "--horneross-ca-bundle (commands: --ca-bundle)."
    )
    assert "Traceback" not in run.stdout


@pytest.mark.slow
def test_a_ca_bundle_that_holds_the_endpoints_certificate_makes_tls_work(pytester: pytest.Pytester) -> None:
    with r.serve_tls(ReferenceReceiver(r.SECRET)) as base:
        trusted = run_suite(pytester, f"{base}/webhook", f"--horneross-ca-bundle={r.CERTIFICATE}", "--horneross-strict")
        other_ca = run_suite(pytester, f"{base}/webhook", f"--horneross-ca-bundle={r.OTHER_CA}")
    assert trusted.ret == 0 and trusted.report["verdict"] == "conformant"
    assert other_ca.ret == 1  # another CA does not vouch for this certificate
    assert "TLS certificate of 127.0.0.1 not trusted: self-signed certificate" in other_ca.details("RCV-01")


@pytest.mark.parametrize(
    ("bundle", "complaint"), [("nowhere.pem", "no such file"), ("README.md", "holds no usable PEM certificate")]
)
def test_an_unusable_ca_bundle_is_a_usage_error(pytester: pytest.Pytester, bundle: str, complaint: str) -> None:
    (pytester.path / "README.md").write_text("not a certificate")
    result = pytester.runpytest_inprocess(
        "--horneross-endpoint=https://127.0.0.1:9/webhook",
        f"--horneross-secret={r.SECRET}",
        f"--horneross-ca-bundle={bundle}",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--horneross-ca-bundle: CA bundle {bundle!r}" in result.stderr.str() and complaint in result.stderr.str()


@pytest.mark.slow
def test_endpoint_that_never_answers_ends_with_a_verdict_in_bounded_time(pytester: pytest.Pytester) -> None:
    """Bounded by what waits, counted rather than timed: every connection to this endpoint waits out the timeout,
    and once two deliveries in a row got no answer, the checks left end without one (about a dozen connections,
    those in flight at that moment; not one for each of the checks)."""
    accepted: list[socket.socket] = []
    with r.silent_endpoint(accepted) as url:
        run = run_suite(pytester, url, "--horneross-timeout=0.3")
    assert run.ret == 1
    assert run.report["verdict"] == "non-conformant"
    assert "no complete answer within 0.3 s" in run.details("RCV-01")
    assert "stopped answering (2 deliveries in a row got no answer within 0.3 s)" in run.stdout
    assert 2 <= len(accepted) < RECEIVER_CASES, len(accepted)


@pytest.mark.slow
@pytest.mark.waits
def test_an_endpoint_overloaded_by_the_burst_fails_only_the_burst(pytester: pytest.Pytester) -> None:
    """With deliveries in flight, as users run it (8 at first), and one at a time: the same outcomes (so
    tests/receiver/test_in_flight.py need not run this receiver both ways again). At 0.5 s its deliveries in flight
    time out and go one at a time; at 2 s it would answer every 8 in flight in a second, and take a minute. Five
    generated events a check: the burst is the subject, not the generated events."""
    run = run_both_ways(pytester, r.SlowUnderLoad, "--horneross-timeout=0.5", "--horneross-examples=5")
    assert run.failed() == {"RCV-10"}, run.stdout
    assert run.report["verdict"] == "conformant"


COMPARED_IN_FLIGHT = {r.SlowUnderLoad}  # compared with one delivery at a time here


def test_concurrent_timeouts_never_mark_the_endpoint_unresponsive() -> None:
    from horneross_conformance.checks.registry import CheckFailed
    from horneross_conformance.receiver.target import ReceiverTarget

    with r.silent_endpoint() as url:
        target = ReceiverTarget(url, r.SECRET, timeout=0.1)
        for _ in range(3):
            with pytest.raises(CheckFailed):
                target.deliver(b"{}", concurrent=True)
        assert target.unresponsive is None
        for _ in range(2):
            with pytest.raises(CheckFailed):
                target.deliver(b"{}")
        assert target.unresponsive == "2 deliveries in a row got no answer within 0.1 s"


@pytest.mark.slow
def test_endpoint_that_drips_bytes_is_bounded_by_the_total_deadline(pytester: pytest.Pytester) -> None:
    """Bytes keep coming, so no single read times out: the total deadline ends each delivery, and the checks left
    end without one once two in a row got no complete answer (counted as above)."""
    accepted: list[socket.socket] = []
    with r.dripping_endpoint(interval=0.05, accepted=accepted) as url:  # the whole 40-byte answer would take 2 s
        run = run_suite(pytester, url, "--horneross-timeout=0.5")
    assert run.ret == 1
    assert "no complete answer within 0.5 s (waited for the rest of the answer)" in run.details("RCV-01")
    assert "stopped answering (2 deliveries in a row got no answer within 0.5 s)" in run.stdout
    assert 2 <= len(accepted) < RECEIVER_CASES, len(accepted)


def test_a_slow_but_complete_answer_within_the_timeout_is_an_answer(pytester: pytest.Pytester) -> None:
    with r.dripping_endpoint(interval=0.001) as url:  # about 40 ms for the whole answer
        run = run_suite(pytester, url, "--horneross-timeout=2", "-k", "RCV-ACK-001")
    assert run.outcomes()["RCV-01"] == "passed", run.stdout


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://example.test/hook", "is not an http:// or https:// URL"),
        ("http://", "has no host"),
        ("localhost:8080/webhook", "is not an http:// or https:// URL"),
        ("http://127.0.0.1:99999/webhook", "is not a valid URL"),
        ("http://127.0.0.1:8080/web hook", "contains white space"),
    ],
)
def test_invalid_url_is_a_usage_error_before_any_check(pytester: pytest.Pytester, url: str, complaint: str) -> None:
    result = pytester.runpytest_inprocess(f"--horneross-endpoint={url}", "--horneross-secret=s")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--horneross-endpoint: {url!r} {complaint}" in result.stderr.str()
    assert "collected" not in result.stdout.str()


def test_missing_secret_is_a_usage_error_naming_the_option_and_variable(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HORNEROSS_WEBHOOK_SECRET", raising=False)
    result = pytester.runpytest_inprocess("--horneross-endpoint=http://127.0.0.1:1/webhook")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "--horneross-secret (or the HORNEROSS_WEBHOOK_SECRET environment variable) is required" in result.stderr.str()
    )


def test_secret_from_the_environment_is_enough(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HORNEROSS_WEBHOOK_SECRET", "from-env")
    result = pytester.runpytest_inprocess(f"--horneross-endpoint={r.closed_port()}")
    assert result.ret == 1  # ran, and found nothing listening
    assert "cannot reach" in result.stdout.str()


@pytest.mark.parametrize(
    ("option", "complaint"),
    [
        ("--horneross-timeout=0", "--horneross-timeout: 0 is not a positive number of seconds"),
        ("--horneross-timeout=nan", "--horneross-timeout: nan is not a positive number of seconds"),
        ("--horneross-report=out.xml", "the report format is chosen by extension, one of .json"),
        (
            "--horneross-sender=pkg:factory",
            "--horneross-endpoint and --horneross-sender test different roles",
        ),
    ],
)
def test_bad_options_are_usage_errors(pytester: pytest.Pytester, option: str, complaint: str) -> None:
    result = pytester.runpytest_inprocess("--horneross-endpoint=http://127.0.0.1:1/x", "--horneross-secret=s", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert complaint in result.stderr.str()


HOSTILE_TIMEOUT = 2.0


def _bounded(run: FinishedRun) -> None:
    """The promise for any endpoint: a verdict within (number of checks) x (timeout), with a report. These
    endpoints answer at once, however oddly: no delivery waits out its timeout (no huge answer read to its end, no
    redirect followed), which a wait would say in the report."""
    assert f"within {HOSTILE_TIMEOUT:g} s" not in run.stdout + json.dumps(run.report)
    assert run.report["verdict"] == "non-conformant" and run.ret == 1
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.slow
def test_a_100_mb_answer_is_cut_and_the_suite_ends_in_bounded_time(pytester: pytest.Pytester) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 104857600\r\n\r\n"
    with r.answering_endpoint(head, body_size=100 * 1024 * 1024) as url:
        run = run_suite(pytester, url, f"--horneross-timeout={HOSTILE_TIMEOUT}")
    _bounded(run)
    assert run.outcomes()["RCV-01"] == "passed"  # each 200 was read as an answer, its body cut at 64 KiB
    assert run.outcomes()["RCV-03"] == "failed"  # it acknowledges forged deliveries too
    assert (pytester.path / "report.json").stat().st_size < 2_000_000  # the wire log keeps 2 KiB of a body


@pytest.mark.slow
def test_a_redirect_loop_is_an_answer_that_is_not_followed(pytester: pytest.Pytester) -> None:
    head = b"HTTP/1.1 302 Found\r\nLocation: /webhook\r\nContent-Length: 0\r\n\r\n"
    with r.answering_endpoint(head) as url:
        run = run_suite(pytester, url, f"--horneross-timeout={HOSTILE_TIMEOUT}")
    _bounded(run)
    # the 302 is RCV-02's fault alone: the checks of RCV-01 defer to it
    assert "answered 302 Found; redirects are not followed (Location: /webhook), so Horneross retries" in run.details(
        "RCV-02"
    )


@pytest.mark.slow
def test_a_connection_closed_in_the_middle_of_the_answer_is_no_answer(pytester: pytest.Pytester) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"
    with r.answering_endpoint(head) as url:
        run = run_suite(pytester, url, f"--horneross-timeout={HOSTILE_TIMEOUT}")
    _bounded(run)
    assert "no answer: the connection closed before the answer was complete" in run.details("RCV-01")


@pytest.mark.slow
def test_an_http_1_0_answer_without_length_is_read_to_the_close(pytester: pytest.Pytester) -> None:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok, received"
    with r.answering_endpoint(head) as url:
        run = run_suite(pytester, url, f"--horneross-timeout={HOSTILE_TIMEOUT}")
    _bounded(run)
    assert run.outcomes()["RCV-01"] == "passed" and run.outcomes()["RCV-03"] == "failed"
    checks = {c["id"]: c for q in run.report["requirements"] for c in q["checks"]}
    answer = checks["RCV-SIG-001"]["wire"]["exchanges"][0]
    assert (answer["status"], answer["response_body"]) == ("200 OK", "ok, received")
