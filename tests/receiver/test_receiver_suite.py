"""The receiver suite's verdicts: conformant receivers pass, and each broken receiver fails exactly its own
requirement, at its level (MUST fails the run; SHOULD only under --horneross-strict; INFORMATIONAL never)."""

from __future__ import annotations

import pytest
import receivers as r
from peers import express_receiver
from suite_runner import VARIANTS, FinishedRun, run_suite, run_varied, varied
from zoos import RARE_RECEIVERS as RARE

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES
from horneross_conformance.core.catalogue import for_role
from horneross_conformance.core.contract import per_type_checks
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

ALL_RECEIVER_REQUIREMENTS = {req.id for req in for_role("receiver")}


@pytest.mark.slow
def test_reference_receiver_is_conformant_even_under_strict(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", "--horneross-strict", f"--horneross-examples={DEFAULT_EXAMPLES}")
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    assert set(run.outcomes().values()) == {"passed"}, run.outcomes()
    assert run.report["uncovered"] == []
    assert "verdict: CONFORMANT" in run.stdout


@pytest.mark.slow
def test_documented_express_receiver_in_real_node_is_conformant(pytester: pytest.Pytester) -> None:
    with express_receiver(r.SECRET) as url:
        run = run_suite(pytester, url, "--horneross-strict", f"--horneross-examples={DEFAULT_EXAMPLES}")
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    assert set(run.outcomes().values()) == {"passed"}, run.outcomes()


CONFORMANT = [r.PlainReceiver, r.AcceptsExactlyTheLastRetryWindow, r.RejectsLongMessages, r.RefusesPrototypeKeys]


def named(value: object) -> str:
    """A test id: a receiver's name, a variant as it is, nothing for the rest."""
    return value if isinstance(value, str) and value in VARIANTS else getattr(value, "__name__", "")


@pytest.mark.slow
@pytest.mark.parametrize(("receiver", "variant"), varied(CONFORMANT), ids=named)
def test_other_conformant_receivers_are_conformant(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], variant: str
) -> None:
    run = run_varied(pytester, receiver, variant, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert run.failed() == set()


# What a receiver's run shows besides its failures, asserted on the same run by the tests below


def should_failures_show_as_non_strict(run: FinishedRun) -> None:
    assert "2 non-strict" in run.stdout  # RCV-FWD-001 and RCV-GEN-007
    assert "RCV-07  SHOULD        WARNING" in run.stdout
    assert "verdict: CONFORMANT: 1 SHOULD warning (RCV-07)" in run.stdout


def informational_shows_as_info(run: FinishedRun) -> None:
    assert "1 informational" in run.stdout
    assert "RCV-12  INFORMATIONAL no" in run.stdout


def escaping_still_passes_what_has_no_non_ascii(run: FinishedRun) -> None:
    outcomes = run.outcomes()
    assert outcomes["RCV-02"] == outcomes["RCV-03"] == outcomes["RCV-05"] == outcomes["RCV-09"] == "passed"
    assert {"RCV-UNI-005", "RCV-UNI-008"}.isdisjoint(run.failed_checks())  # ASCII-only stress texts


def explains_a_204(run: FinishedRun) -> None:
    assert "answered 204 No Content; only exactly 200 acknowledges" in run.details("RCV-02")
    assert run.outcomes()["RCV-03"] == "passed"  # 401 to forgeries against 204 to the same event signed: told apart
    checks = {c["id"]: c for req in run.report["requirements"] for c in req["checks"]}
    assert checks["RCV-ACK-001"]["outcome"] == "skipped" and checks["RCV-ACK-001"]["owner"] == "RCV-02"


def explains_a_redirect(run: FinishedRun) -> None:
    assert "redirects are not followed (Location: /webhooks/v2)" in run.details("RCV-02")


ALSO = {
    r.RejectsUnknownTypes: should_failures_show_as_non_strict,
    r.RawBodyOnly: informational_shows_as_info,
    r.EscapesNonAscii: escaping_still_passes_what_has_no_non_ascii,
    r.Answers204: explains_a_204,
    r.RedirectsToNewPath: explains_a_redirect,
}


# RCV-01's checks of each event type, and of the documentation's three examples; RCV-02's
ACKS = {*per_type_checks("RCV-ACK"), "RCV-ACK-005", "RCV-ACK-006", "RCV-ACK-007", "RCV-ACK-100"}
GENERATED_ACKS = set(per_type_checks("RCV-GEN"))
STRESS = {f"RCV-UNI-{i:03d}" for i in range(1, 9)}

# (receiver, the requirements that must fail, the checks among them that must fail, verdict without --strict)
EXACT = [
    (r.CrashesOnLoneSurrogate, {"RCV-14"}, {"RCV-SUR-001", "RCV-GEN-008"}, "conformant"),
    # verifies the raw bytes, so RCV-12 (INFORMATIONAL) says "no"; RCV-04, a MUST, holds
    (r.RefusesLoneSurrogates, {"RCV-12", "RCV-14"}, {"RCV-CANON-001", "RCV-SUR-001", "RCV-GEN-008"}, "conformant"),
    (r.RejectsEverything, {"RCV-01"}, ACKS - {"RCV-ACK-100"} | GENERATED_ACKS, "non-conformant"),
    (r.JsonDumpsDefault, {"RCV-01"}, ACKS - {"RCV-ACK-100"} | GENERATED_ACKS, "non-conformant"),
    (r.AcceptsAnySignature, {"RCV-03"}, {f"RCV-SIG-00{i}" for i in range(1, 7)}, "non-conformant"),
    (r.AcceptsMissingHeader, {"RCV-03"}, {"RCV-SIG-002"}, "non-conformant"),
    (r.AcceptsTruncated, {"RCV-03"}, {"RCV-SIG-004", "RCV-SIG-005"}, "non-conformant"),
    (r.RejectsOldTimestamps, {"RCV-05"}, {"RCV-OLD-001"}, "non-conformant"),
    (
        r.NaivePythonSerializer,
        {"RCV-11", "RCV-14"},
        {"RCV-SUR-001", "RCV-GEN-008", "RCV-NUM-001", "RCV-GEN-006"},
        "conformant",
    ),
    (r.RejectsDuplicates, {"RCV-06"}, {"RCV-DUP-001"}, "conformant"),
    (r.SortsIndexKeysAsText, {"RCV-11"}, {"RCV-NUM-002", "RCV-GEN-006"}, "conformant"),
    (r.RejectsUnknownTypes, {"RCV-07"}, {"RCV-FWD-001", "RCV-GEN-007"}, "conformant"),
    (r.RejectsUnknownFields, {"RCV-07"}, {"RCV-FWD-002", "RCV-GEN-007"}, "conformant"),
    (r.RejectsUnknownConversation, {"RCV-08"}, {"RCV-ORD-001"}, "conformant"),
    (r.Answers500OnMalformedJson, {"RCV-09"}, {"RCV-BAD-001"}, "conformant"),
    (r.AcknowledgesMalformedJson, {"RCV-09"}, {"RCV-BAD-001"}, "conformant"),
    (r.OneAtATime, {"RCV-10"}, {"RCV-BURST-001"}, "conformant"),
    (r.RawBodyOnly, {"RCV-12"}, {"RCV-CANON-001"}, "conformant"),
    (r.CrashesOnLongMessages, {"RCV-13"}, {"RCV-LONG-001"}, "conformant"),
    # Another success than 200 is RCV-02's fault alone: the checks of RCV-01 and the others that meet it defer to
    # RCV-02, and the signature checks judge forgeries by the control (401 against 201 tells them apart).
    (r.Answers201, {"RCV-02"}, {"RCV-ACK-100"}, "non-conformant"),
    (r.Answers201ToLeads, {"RCV-02"}, {"RCV-ACK-100"}, "non-conformant"),
    (r.Answers204, {"RCV-02"}, {"RCV-ACK-100"}, "non-conformant"),
    (r.Answers202, {"RCV-02"}, {"RCV-ACK-100"}, "non-conformant"),
    (r.RedirectsToNewPath, {"RCV-02"}, {"RCV-ACK-100"}, "non-conformant"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("receiver", "failed", "checks", "verdict", "variant"), varied(EXACT), ids=named)
def test_broken_receiver_fails_exactly_its_requirement(
    pytester: pytest.Pytester,
    receiver: type[r.PlainReceiver],
    failed: set[str],
    checks: set[str],
    verdict: str,
    variant: str,
) -> None:
    run = run_varied(pytester, receiver, variant)
    assert run.failed() == failed, run.stdout
    assert run.failed_checks() == checks, run.stdout
    assert run.report["verdict"] == verdict
    assert run.ret == (0 if verdict == "conformant" else 1)
    if receiver in ALSO:
        ALSO[receiver](run)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("receiver", "strict_ret"),
    [(r.RejectsUnknownTypes, 1), (r.Answers500OnMalformedJson, 1), (r.OneAtATime, 1), (r.RawBodyOnly, 0)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_strict_fails_the_run_on_should_but_never_on_informational(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], strict_ret: int
) -> None:
    with serve(receiver()) as base:
        run = run_suite(pytester, f"{base}/webhook", "--horneross-strict")
    assert run.ret == strict_ret, run.stdout
    assert run.report["verdict"] == ("conformant" if strict_ret == 0 else "non-conformant")


# Receivers broken so badly that most requirements fail: the named requirements and checks must be among them.
BROAD = [
    (r.HtmlSafeSerializer, {"RCV-01", "RCV-04"}, STRESS | {"RCV-GEN-005"}),
    (r.EscapesNonAscii, {"RCV-01", "RCV-04"}, {"RCV-ACK-004", "RCV-ACK-007", "RCV-UNI-001", "RCV-UNI-002"}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("receiver", "failed", "checks", "variant"), varied(BROAD, VARIANTS[2:]), ids=named)
def test_badly_broken_receiver_is_non_conformant(
    pytester: pytest.Pytester, receiver: type[r.PlainReceiver], failed: set[str], checks: set[str], variant: str
) -> None:
    # which checks fail is the subject, not the smallest event each shows: no shrinking, which is most of such a run
    run = run_varied(pytester, receiver, variant, "--horneross-no-shrink")
    assert failed <= run.failed(), run.stdout
    assert checks <= run.failed_checks()
    assert run.report["verdict"] == "non-conformant"
    assert run.ret == 1
    if receiver in ALSO:
        ALSO[receiver](run)


# each run here under a variant, one at a time among them, so tests/receiver/test_in_flight.py does not run them again
COMPARED_IN_FLIGHT = {*CONFORMANT, *(case[0] for case in EXACT), *(case[0] for case in BROAD)}


def test_every_extra_assertion_runs_on_a_run_above() -> None:
    assert set(ALSO) <= {case[0] for case in EXACT} | {case[0] for case in BROAD}


def test_every_receiver_requirement_has_a_check() -> None:
    from horneross_conformance.receiver.suite import suite

    assert {case.requirement for case in suite.cases} == ALL_RECEIVER_REQUIREMENTS
    assert len({case.id for case in suite.cases}) == len(suite.cases)


@pytest.mark.slow
def test_every_event_the_suite_delivers_as_correct_is_schema_valid(pytester: pytest.Pytester) -> None:
    """A check may only fail a receiver for rejecting an event that is itself right."""
    from horneross_conformance.core.contract import EVENT_TYPES, TYPE_ADDED_LATER
    from horneross_conformance.core.validation import schema_errors

    handled: list[dict[str, object]] = []
    with serve(ReferenceReceiver(r.SECRET, handler=handled.append)) as base:
        run = run_suite(pytester, f"{base}/webhook")
    assert run.ret == 0
    assert len(handled) >= 40
    for event in handled:
        schema = "event.schema.json" if event["type"] in EVENT_TYPES else "envelope.schema.json"
        assert schema_errors(event, schema) == [], event
        assert str(event["id"]).startswith("evt_") and str(event["timestamp"]).endswith("Z")
    assert {*EVENT_TYPES, TYPE_ADDED_LATER} <= {e["type"] for e in handled}  # and generated types added later


def test_every_check_is_failed_by_some_broken_receiver() -> None:
    """Each case must be able to fail: some target in this file makes it fail."""
    from horneross_conformance.receiver.suite import PREFLIGHT_ID, suite

    failing = {PREFLIGHT_ID}  # the unreachable-endpoint tests, in test_hard_targets.py
    for _, _, checks, _ in EXACT:
        failing |= checks
    for _, _, checks in BROAD:
        failing |= checks
    for _, _, checks in RARE:
        failing |= checks
    assert {case.id for case in suite.cases} <= failing
