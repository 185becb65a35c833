"""The receiver suite's generated checks: they catch what the hand-picked checks miss, reach the derived cases on
every run, repeat exactly with a seed, and show the smallest failing event with a command that delivers it again."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import receivers as r
from suite_runner import SEED, FinishedRun, run_suite
from zoos import RARE_RECEIVERS

from horneross_conformance.checks import drawings
from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES
from horneross_conformance.checks.generation import STRESS_CHARACTERS
from horneross_conformance.core.contract import BURST_SIZE, EVENT_TYPES, per_type_checks
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.receiver.suite import suite as receiver_suite
from horneross_conformance.transport.server import serve

DEFAULTS = (f"--horneross-examples={DEFAULT_EXAMPLES}",)  # the claim is about the suite as users run it
DOCUMENTED = " or ".join(per_type_checks("RCV-GEN"))  # RCV-01's generated checks, one per event type
GENERATED = sum(case.id.startswith("RCV-GEN-") for case in receiver_suite.cases)  # one per type, and four more
RARE = RARE_RECEIVERS


@pytest.mark.slow
@pytest.mark.parametrize(("receiver", "requirement", "checks"), RARE, ids=lambda v: getattr(v, "__name__", ""))
def test_hand_picked_checks_miss_it(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], requirement: str, checks: set[str]
) -> None:
    with serve(receiver()) as base:
        run = run_suite(pytester, f"{base}/webhook", "--horneross-examples=0", "--horneross-strict")
    assert run.failed() == set(), run.stdout
    assert run.report["status"] == "NOT CERTIFIED"  # not conformant either: the generated checks did not run
    assert run.ret == 1
    assert f"{GENERATED} skipped" in run.stdout  # the generated checks, left out


# The failing event each receiver's generated checks show, shrunk, from the self-tests' seed
SHOWN = {
    r.KnowsFourStatuses: '"newStatus":"0"',  # the smallest string the schema allows
    r.CrashesOnEmptyFirstName: '"firstName":""',
    r.CrashesOnSeparatorInName: '"firstName":"Ana\\u2028"',  # a derived case, escaped for the terminal
}
CAUGHT = [  # the runs of test_a_failure_shows_the_smallest_failing_event catch these too
    pytest.param(*case, seed, id=f"{case[0].__name__}-{seed}")
    for case in RARE
    for seed in (SEED, 7)
    if not (seed == SEED and case[0] in SHOWN)
]


def generated_checks_alone(pytester: pytest.Pytester, url: str, seed: int, *args: str) -> FinishedRun:
    """The generated checks alone, with the default number of events: the hand-picked ones, which neither seed nor
    number of events changes, pass against each of the RARE receivers (test_hand_picked_checks_miss_it runs them)."""
    return run_suite(pytester, url, f"--horneross-seed={seed}", *DEFAULTS, "--horneross-strict", "-k", "RCV-GEN", *args)


def assert_caught_only_under(run: FinishedRun, requirement: str, checks: set[str]) -> None:
    assert run.failed() == {requirement}, run.stdout
    assert run.failed_checks() and run.failed_checks() <= checks
    assert run.ret == 1


@pytest.mark.slow
@pytest.mark.parametrize(("receiver", "requirement", "checks", "seed"), CAUGHT)
def test_generated_checks_catch_it_and_only_under_its_requirement(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], requirement: str, checks: set[str], seed: int
) -> None:
    """Caught is the subject here, not the example shown (the test below): the failing event is reported as found,
    which changes no verdict and spares the shrinking, one delivery a step."""
    with serve(receiver()) as base:
        run = generated_checks_alone(pytester, f"{base}/webhook", seed, "--horneross-no-shrink")
    assert_caught_only_under(run, requirement, checks)
    details = " ".join(r["details"] for r in run.report["requirements"] if r["outcome"] == "failed")
    assert "the smallest failing event, shrunk" not in details, details
    unshrunk = "the first failing event found, not shrunk (--horneross-no-shrink)"
    assert unshrunk in details or "one of the derived cases every run sends first" in details, details
    assert "failures not shrunk" in run.stdout  # the header says so


@pytest.mark.slow
@pytest.mark.parametrize("receiver", list(SHOWN), ids=lambda v: getattr(v, "__name__", ""))
def test_a_failure_shows_the_smallest_failing_event(pytester: pytest.Pytester, receiver: type[r.PlainReceiver]) -> None:
    """And, from the self-tests' seed, the generated checks catch it and only under its requirement."""
    (_, requirement, checks) = next(case for case in RARE if case[0] is receiver)
    shown = SHOWN[receiver]
    junit = pytester.path / "junit.xml"
    with serve(receiver()) as base:
        run = generated_checks_alone(pytester, f"{base}/webhook", SEED, "-vv", "-l", "--tb=long", f"--junitxml={junit}")
    assert_caught_only_under(run, requirement, checks)
    details = " ".join(r["details"] for r in run.report["requirements"] if r["outcome"] == "failed")
    assert shown in details, details
    assert "not shrunk" not in details and "failures not shrunk" not in run.stdout
    assert f"--horneross-seed={SEED} -k RCV-GEN-00" in details
    assert "Traceback" not in run.stdout + run.stderr
    assert "curl -sS -i -X POST" in run.stdout and "curl -sS -i -X POST" in junit.read_text()
    for output in (run.stdout, run.stderr, str(run.report), junit.read_text()):
        assert r.SECRET not in output


def failure_command(details: str) -> str:
    command = re.search(r"\n(BODY=.+\ncurl .+)", details)
    assert command is not None, details
    return command.group(1)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("horneross-conformance")), reason="needs curl")
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_the_curl_command_delivers_the_failing_event_again(pytester: pytest.Pytester, shell: str) -> None:
    """Run in a real shell against the real receiver: the same answer; and signed right, since a receiver that
    accepts the event (the reference) answers it 200."""
    with serve(r.CrashesOnSeparatorInName()) as base:
        run = run_suite(pytester, f"{base}/webhook")
        command = failure_command(run.details("RCV-04"))
        assert r.SECRET not in command and "--secret-env HORNEROSS_WEBHOOK_SECRET" in command
        assert "openssl" not in command  # its -hmac puts the secret on a command line, in every process list
        environment = {**os.environ, "HORNEROSS_WEBHOOK_SECRET": r.SECRET}
        again = subprocess.run([shell, "-c", command], capture_output=True, text=True, env=environment, timeout=30)
    assert again.stdout.startswith("HTTP/1.0 500") or again.stdout.startswith("HTTP/1.1 500"), again
    handled: list[Any] = []
    with serve(ReferenceReceiver(r.SECRET, handler=handled.append)) as other:
        command = command.replace(base, other)
        again = subprocess.run([shell, "-c", command], capture_output=True, text=True, env=environment, timeout=30)
    assert " 200 " in again.stdout.splitlines()[0], again
    assert handled[0]["data"]["contact"]["firstName"] == "Ana\u2028"  # the exact bytes, invisible characters kept


def recorded_events(pytester: pytest.Pytester, *args: str, select: str = "RCV-GEN or RCV-LONG") -> list[dict[str, Any]]:
    """What the reference receiver handled during a run of the ``select``ed checks, in order."""
    handled: list[dict[str, Any]] = []
    with serve(ReferenceReceiver(r.SECRET, handler=handled.append)) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", select, *args)
    assert run.passed_its_selection(), run.stdout
    return handled


def without_identity(event: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in event["data"].items() if k not in ("conversationId", "messageId")}
    return {**{k: v for k, v in event.items() if k not in ("id", "timestamp")}, "data": data}


@pytest.mark.slow
def test_a_seed_repeats_the_generated_events_exactly(pytester: pytest.Pytester) -> None:
    """Identity aside (fresh ids and the current time on every delivery, as a sender gives them). With deliveries
    in flight they arrive in another order, so the events are compared as a multiset; one at a time, in order.
    Each run draws afresh, as a new process does: a drawing kept from the run before would give its events again
    (``checks.drawings``, whose own tests show that replaying delivers what drawing again would)."""

    def drawn_afresh(*options: str) -> list[Any]:
        drawings.forget()
        return recorded_events(pytester, *options)

    first_events = drawn_afresh("--horneross-seed=42")
    first = [without_identity(e) for e in first_events]
    again = [without_identity(e) for e in drawn_afresh("--horneross-seed=42")]
    alone = [without_identity(e) for e in drawn_afresh("--horneross-seed=42", "--horneross-in-flight=1")]
    alone_again = [without_identity(e) for e in drawn_afresh("--horneross-seed=42", "--horneross-in-flight=1")]
    other = [without_identity(e) for e in drawn_afresh("--horneross-seed=43")]
    assert sorted(map(repr, first)) == sorted(map(repr, again)) == sorted(map(repr, alone))
    assert alone == alone_again
    assert sorted(map(repr, first)) != sorted(map(repr, other))
    assert len({e["id"] for e in first_events}) == len(first_events)  # fresh ids


@pytest.mark.slow
def test_every_run_reaches_the_derived_cases(pytester: pytest.Pytester) -> None:
    events = recorded_events(pytester, f"--horneross-examples={DEFAULT_EXAMPLES}")
    texts = [text for e in events for text in (e["data"].get("content"), r.first_name(e)) if isinstance(text, str)]
    for character in ("\ud83d", "\ude00", "\u2028", "\u2029", "\x00", "\x1f", "\x7f", "\U0001f600", "\ufeff"):
        assert any(character in text for text in texts), repr(character)
    names = [r.first_name(e) for e in events]
    assert any(isinstance(name, str) and "\u2028" in name for name in names)  # not only in message content
    extras = [k for e in events for k in e["data"] if k not in ("conversationId", "messageId", "contact", "role")]
    assert any(key.isdigit() and int(key) < 2**32 - 1 for key in extras)  # array indices
    assert any(key.isdigit() and ((key.startswith("0") and key != "0") or int(key) >= 2**32 - 1) for key in extras)
    numbers = [v for e in events for k, v in e["data"].items() if k in extras and isinstance(v, float)]
    assert any(abs(n) >= 1e21 for n in numbers) and any(0 < abs(n) < 1e-6 for n in numbers)  # exponent forms
    assert any(e["type"] not in EVENT_TYPES for e in events)  # types added later
    assert any(set(e) - {"id", "type", "timestamp", "data"} for e in events)  # envelope fields added later
    # the long messages: 100 KiB arrives; 1 MiB (with the envelope) is over the reference receiver's limit
    assert max(len(t.encode("utf-8", "surrogatepass")) for t in texts) >= 100 * 1024


@pytest.mark.slow
def test_documented_events_carry_no_stress_characters_and_cover_the_optional_fields(pytester: pytest.Pytester) -> None:
    """RCV-01's events leave stress text to RCV-04, and explore what the documentation leaves optional."""
    events = recorded_events(
        pytester,
        f"--horneross-examples={DEFAULT_EXAMPLES}",
        select=DOCUMENTED,
    )
    assert {e["type"] for e in events} == set(EVENT_TYPES)

    def strings(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, dict):
            return [s for value in node.values() for s in strings(value)]
        return []

    assert not any(set(s) & STRESS_CHARACTERS for e in events for s in strings(e["data"]))
    messages = [e["data"] for e in events if e["type"] == "conversation.message.created"]
    assert any("contact" in m for m in messages) and any("contact" not in m for m in messages)
    assert any(m["content"] == "" for m in messages)
    assert any(any(ord(c) > 0xFFFF for c in m["content"]) for m in messages)  # astral text reaches RCV-01 too


def test_long_messages_refused_on_purpose_pass_and_say_what_is_lost(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-LONG")
    assert run.outcomes()["RCV-13"] == "passed"
    check = run.report["requirements"][12]["checks"][0]
    assert check["details"].startswith("100 KiB: 200 in")
    assert "1 MiB: refused with 413, so Horneross retries it 4 times and the message is lost" in check["details"]
    with serve(r.CrashesOnLongMessages()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-LONG")
    assert "answered 500 Internal Server Error to a correctly signed message of 100 KiB" in run.details("RCV-13")


@pytest.mark.slow
def test_an_endpoint_that_stops_answering_on_some_event_ends_the_exploration_at_once(pytester: pytest.Pytester) -> None:
    """No shrinking against an endpoint that does not answer: each step would wait out the timeout again. Counted
    rather than timed: the endpoint hangs on the empty first names of the deliveries in flight when the first one
    times out (at most as many as the window allows: 8 at first, up to RCV-10's burst while the round trip is
    long), and on one delivered again alone, then never again; shrinking would deliver one at every step."""
    receiver = r.HangsOnEmptyFirstName()
    with serve(receiver) as base:
        run = run_suite(pytester, f"{base}/webhook", *DEFAULTS, "--horneross-timeout=0.5", "-k", "RCV-GEN-004")
    assert run.failed_checks() == {"RCV-GEN-004"}
    details = run.details("RCV-01")
    assert "no answer: no complete answer within 0.5 s" in details, details
    assert "ended at once, not shrunk: the endpoint gave no answer" in details
    assert '"firstName":""' in details
    assert 1 <= receiver.hung <= BURST_SIZE + 1, receiver.hung  # the most the run's window ever keeps in flight


def test_lone_surrogates_are_rcv14s_alone(pytester: pytest.Pytester) -> None:
    """RCV-GEN-005 (RCV-04, MUST) never sends a lone surrogate; RCV-GEN-008 (RCV-14, SHOULD) sends nothing else."""
    from horneross_conformance.checks import generation
    from horneross_conformance.core.events import has_lone_surrogate

    def prose(event: dict[str, Any]) -> str:
        return "".join(t for t in (event["data"].get("content"), r.first_name(event)) if isinstance(t, str))

    must = [e for e in recorded_events(pytester, select="RCV-GEN-005") if prose(e)]
    assert must and not any(has_lone_surrogate(prose(e)) for e in must)
    should = [e for e in recorded_events(pytester, select="RCV-GEN-008") if prose(e)]
    assert should and all(has_lone_surrogate(prose(e)) for e in should)
    assert set(generation.fragments()) > set(generation.fragments("lone-surrogates"))  # the sender suite keeps all


def test_rcv14s_events_hold_no_character_of_rcv04s() -> None:
    """Around a lone surrogate, generated text holds none of RCV-04's characters, whatever the seed: a receiver that
    mangles U+2028 or a control character fails RCV-04, never RCV-14 (on some seeds, once a list of types grew)."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    from horneross_conformance.checks.generation import prose_fields, stressed

    def stress_in_prose(event: dict[str, Any]) -> bool:
        for path in prose_fields(event["type"]):
            text: Any = event
            for part in path:
                text = text[part]
            if set(text) & STRESS_CHARACTERS:
                return True
        return False

    quick = settings(max_examples=300, database=None, suppress_health_check=list(HealthCheck))
    with pytest.raises(NoSuchExample):
        find(stressed("lone-surrogates"), stress_in_prose, settings=quick)
    assert find(stressed("without-surrogates"), stress_in_prose, settings=quick)  # where they belong: RCV-04's
