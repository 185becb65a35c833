"""The sender suite against adapters that break the harness's assumptions: a wrong factory is a usage error
before any check runs; a sender that raises, hangs or posts garbage fails checks with a clear message, and
the suite always ends with a verdict."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from suite_runner import NOT_SLOW, SENDER_CASES, run_sender_suite


@pytest.mark.parametrize(
    ("factory", "complaint"),
    [
        ("no_colon_here", "'no_colon_here' is not MODULE:FACTORY"),
        ("no_such_module:create", "cannot import 'no_such_module': ModuleNotFoundError"),
        ("senders:NoSuchFactory", "'senders' has no 'NoSuchFactory'"),
        ("senders:TIMEOUT", "'senders:TIMEOUT' is a float, not a factory to call"),
        ("senders:factory_that_raises", "the factory raised RuntimeError: DATABASE_URL is not set"),
        ("senders:NotASender", "the sender (NotASender) has no emit, run_due"),
        ("senders:SubscribeWithoutEvents", "SubscribeWithoutEvents.subscribe cannot be called as the protocol"),
    ],
)
def test_a_wrong_factory_is_a_usage_error_before_any_check(
    pytester: pytest.Pytester, factory: str, complaint: str
) -> None:
    run = run_sender_suite(pytester, factory)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--horneross-sender: {complaint}" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert run.report == {}  # nothing ran


@pytest.mark.slow
def test_a_sender_raising_in_run_due_fails_those_checks_and_the_rest_still_runs(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:RaisesWhenRefused", "--horneross-timeout=2")
    assert run.failed_checks() == {"SND-RTY-013", "SND-RTY-014"}
    assert "run_due() raised ConnectionRefusedError: cannot reach http://127.0.0.1:" in run.details("SND-05")
    assert run.outcomes()["SND-06"] == "passed"
    assert "Traceback" not in run.stdout


@pytest.mark.slow
def test_a_sender_hanging_in_run_due_fails_within_the_bound_and_the_rest_still_runs(
    pytester: pytest.Pytester,
) -> None:
    run = run_sender_suite(
        pytester, "senders:HangsWhenRefused", "--horneross-timeout=1", "-k", "SND-RTY-014 or SND-STOP"
    )
    assert run.failed_checks() == {"SND-RTY-014"}
    assert "run_due() did not return within 1 s (at +0 s)" in run.details("SND-05")
    assert run.outcomes()["SND-06"] == "passed"  # the rest still ran: the hang cost one bounded wait


@pytest.mark.slow
def test_a_sender_that_always_hangs_ends_with_a_verdict_at_once(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:HangsAlways", "--horneross-timeout=1")
    assert run.ret == 1
    assert run.failed_checks() == {"SND-PRE-001"}
    assert "run_due() did not return within 1 s" in run.details("SND-08")
    # one bounded wait, then a verdict: no other check ran to wait again
    assert "not run: the sender delivered nothing (see SND-PRE-001)" in run.details("SND-05")


def test_a_sender_raising_in_emit_is_reported_once_with_its_message(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:RaisesInEmit")
    assert run.ret == 1
    assert "emit() raised RuntimeError: the queue is not configured (at +0 s)" in run.details("SND-08")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sender", "message"),
    [
        ("PostsNotJson", "is not a JSON object: b'<event>not json</event>'"),
        ("PostsHugeBodies", "a delivery of 2000"),
        ("PutsInsteadOfPosting", "arrived as PUT, not POST"),
        ("SendsLatin1", "is not UTF-8, as JSON on the wire must be: byte 0xed at"),
    ],
)
def test_garbage_fails_the_payload_requirement_alone_saying_what_arrived(
    pytester: pytest.Pytester, sender: str, message: str
) -> None:
    """What cannot be read as an event is SND-01's fault; the checks of other requirements that meet it are
    inconclusive and point there, instead of failing their own requirement for the same fault."""
    run = run_sender_suite(pytester, f"senders:{sender}", *NOT_SLOW)
    assert run.ret == 1
    assert run.failed() == {"SND-01"}, run.stdout
    assert message in run.details("SND-01"), run.details("SND-01")
    assert "internal error" not in run.stdout


@pytest.mark.slow
def test_a_sender_posting_eight_megabytes_fails_the_payload_requirement_alone(
    pytester: pytest.Pytester,
) -> None:
    """Every delivery carries an 8 MB field, signed and sent as JSON.stringify. The capture reads each body as a
    stream and keeps its first 256 KiB, so the run holds no whole body (test_capture shows it for 50 MB); a charge
    to three requirements when the bodies were read whole."""
    run = run_sender_suite(pytester, "senders:PostsEightMegabytes", *NOT_SLOW)
    assert run.ret == 1
    assert run.failed() == {"SND-01"}, run.stdout
    assert "a delivery of 83888" in run.details("SND-01")
    assert "refuses it with 413" in run.details("SND-01")
    inconclusive = next(r for r in run.report["requirements"] if r["id"] == "SND-03")
    assert inconclusive["outcome"] == "skipped"
    assert "(see SND-01)" in inconclusive["details"]
    assert len(json.dumps(run.report)) < 2_000_000  # bodies in the report are cut, not 8 MB each


def test_a_sender_posting_to_the_wrong_path_is_told_where_its_requests_went(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:PostsToWrongPath", *NOT_SLOW)
    assert run.ret == 1
    # the preflight stops the checks; what arrived is still accounted for when the run ends
    assert run.failed_checks() == {"SND-PRE-001", "SND-WIRE-004", "SND-WIRE-006"}
    assert re.search(r"request\(s\) arrived elsewhere: /[0-9a-f]{16}/v2", run.details("SND-08"))


@pytest.mark.slow
def test_a_conftest_fixture_can_give_the_sender(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        textwrap.dedent(
            """
            import pytest
            from horneross_conformance.sender.reference import ReferenceSender

            made = []

            @pytest.fixture
            def horneross_sender():
                sender = ReferenceSender(timeout=0.5)
                made.append(sender)
                yield sender

            def pytest_sessionfinish(session):
                print(f"fixture made {len(made)} senders")
            """
        )
    )
    run = run_sender_suite(pytester, "fixture", *NOT_SLOW, "-s")
    assert run.passed_its_selection(), run.stdout
    assert run.report["target"] == "fixture"
    assert f"fixture made {SENDER_CASES - 1} senders" in run.stdout  # a fresh one per check


@pytest.mark.slow
def test_fixture_mode_without_a_fixture_says_so(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "fixture")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "no conftest.py at the root of the run overrides the horneross_sender fixture" in run.stdout + run.stderr


@pytest.mark.slow
def test_fixture_returning_a_wrong_object_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n\n@pytest.fixture\ndef horneross_sender():\n    return object()\n")
    run = run_sender_suite(pytester, "fixture")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "fixture: the sender (object) has no subscribe, emit, run_due" in run.stdout + run.stderr


@pytest.mark.slow
def test_an_empty_folder_runs_the_sender_suite_and_nothing_else(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_unrelated="def test_unrelated():\n    assert False\n")
    run = run_sender_suite(pytester, "horneross_conformance.sender.reference:for_conformance", *NOT_SLOW)
    assert run.passed_its_selection(), run.stdout
    assert "test_unrelated" not in run.stdout
    assert f"{SENDER_CASES - 1} passed" in run.stdout


@pytest.mark.slow
def test_no_output_or_report_of_a_failing_run_shows_a_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite makes one secret per endpoint; here they are recognizable, and must appear nowhere."""
    import itertools

    from horneross_conformance.sender import target as sender_target

    serial = itertools.count()
    monkeypatch.setattr(sender_target.secrets, "token_urlsafe", lambda n: f"SeCrEt-{next(serial)}-x")
    outputs = []
    for sender in ("UppercaseHex", "OneSecretForAll", "LeaksItsSecret", "PostsItsSecret"):
        junit = pytester.path / "junit.xml"
        run = run_sender_suite(
            pytester, f"senders:{sender}", *NOT_SLOW, "-vv", "-l", "--tb=long", "-rA", f"--junitxml={junit}"
        )
        assert run.ret == 1
        outputs += [run.stdout, run.stderr, str(run.report), junit.read_text()]
    assert next(serial) > 50  # the suite did make its secrets here
    everything = "\n".join(outputs)
    assert "SeCrEt-" not in everything
    assert "rejected secret '[secret redacted]'" in everything  # the sender's own message, redacted


@pytest.mark.slow
def test_a_sender_delivering_twice_at_once_is_told_so(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:DeliversTwiceAtOnce", "-k", "SND-RTY-011")
    assert run.failed_checks() == {"SND-RTY-011"}
    assert (
        "attempt 2 to endpoint A arrived at +0 s, the same instant as attempt 1: the same event was delivered twice"
        in run.details("SND-05")
    )
