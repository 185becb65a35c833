"""The sender suite's verdicts: conformant senders pass, and each broken sender fails exactly its own
requirements, at their level (MUST fails the run; SHOULD only under --horneross-strict)."""

from __future__ import annotations

import re

import pytest
import senders as s
from jsonschema import Draft202012Validator
from suite_runner import NOT_SLOW, VARIANTS, in_variant, run_sender_suite, varied
from suite_runner import REFERENCE_SENDER as REFERENCE
from zoos import RARE_SENDERS as RARE

from horneross_conformance.core.catalogue import for_role
from horneross_conformance.core.contract import per_type_checks
from horneross_conformance.core.resources import load_json

ALL_SENDER_REQUIREMENTS = {req.id for req in for_role("sender")}


@pytest.mark.slow
def test_reference_sender_is_conformant_even_under_strict(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, REFERENCE, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    assert run.report["role"] == "sender"
    assert run.report["target"] == REFERENCE
    assert set(run.outcomes().values()) == {"passed"}, run.outcomes()
    assert run.report["uncovered"] == []
    assert "verdict: CONFORMANT" in run.stdout
    Draft202012Validator(load_json("meta/report.schema.json")).validate(run.report)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sender", "options"),
    [(s.ThreadedSender, ()), (s.DeliversInEmit, ()), (s.MillisecondTimestamps, ())],  # whole runs: certified
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_other_conformant_senders_are_conformant(
    pytester: pytest.Pytester, sender: type, options: tuple[str, ...]
) -> None:
    """Worker threads that read the frozen clock, a first attempt made inside emit(), milliseconds in timestamps."""
    run = run_sender_suite(pytester, sender, "--horneross-strict", *options)
    assert run.ret == 0, run.stdout
    assert set(run.outcomes().values()) == {"passed"}, run.outcomes()


RETRIES = {f"SND-RTY-{i:03d}" for i in range(1, 16)}
IDENTICAL = {"SND-SAME-001", "SND-SAME-002"}
STOPS = {f"SND-STOP-{k:03d}" for k in range(1, 6)}
# SND-01's checks of each event type (hand-picked and generated), of stress text, and of every delivery
PAYLOADS = {*per_type_checks("SND-PAY"), *per_type_checks("SND-GEN"), "SND-PAY-005", "SND-WIRE-001"}
SIGNATURES = {"SND-SIG-001", "SND-SIG-002", "SND-GEN-005", "SND-WIRE-002"}

# (sender, the requirements that must fail, the checks that must fail, verdict without --strict, options)
EXACT = [
    (s.CountsFromFirstAttempt, {"SND-05"}, RETRIES, "non-conformant", ()),
    (s.OffByOneSecond, {"SND-05"}, RETRIES - {"SND-RTY-013"}, "non-conformant", NOT_SLOW),
    (s.Jitter, {"SND-05"}, RETRIES - {"SND-RTY-013"}, "non-conformant", NOT_SLOW),
    (s.FourAttempts, {"SND-05"}, RETRIES - {"SND-RTY-013"}, "non-conformant", NOT_SLOW),
    (s.SixAttempts, {"SND-05"}, RETRIES - {"SND-RTY-013"}, "non-conformant", NOT_SLOW),
    (s.AnyTwoHundredIsSuccess, {"SND-05"}, {"SND-RTY-001", "SND-RTY-002", "SND-RTY-003"}, "non-conformant", ()),
    (s.GivesUpWhenRefused, {"SND-05"}, {"SND-RTY-014"}, "non-conformant", NOT_SLOW),
    (s.TimeoutIsSuccess, {"SND-05"}, {"SND-RTY-013", "SND-RTY-014"}, "non-conformant", ()),
    (s.FollowsRedirects, {"SND-05"}, {"SND-RTY-004", "SND-RTY-005"}, "non-conformant", NOT_SLOW),
    (s.RetriesAfterSuccess, {"SND-06"}, STOPS, "non-conformant", NOT_SLOW),
    (s.UppercaseHex, {"SND-03"}, SIGNATURES, "non-conformant", NOT_SLOW),
    (s.RaisesOnLoneSurrogate, {"SND-03"}, {"SND-SIG-002", "SND-GEN-005"}, "non-conformant", NOT_SLOW),
    (s.NewIdPerRetry, {"SND-07"}, IDENTICAL, "non-conformant", NOT_SLOW),
    (s.TimestampAtDelivery, {"SND-07"}, IDENTICAL, "non-conformant", NOT_SLOW),
    # they send exactly what they sign, and sign other bytes than JSON.stringify's: SND-03's alone (decision 14)
    (s.PrettyPrintedSigned, {"SND-03"}, SIGNATURES, "non-conformant", NOT_SLOW),
    (s.EscapesNonAscii, {"SND-03"}, SIGNATURES, "non-conformant", NOT_SLOW),
    (s.SendsPrettySignsCanonical, {"SND-04"}, {"SND-RAW-001", "SND-WIRE-003"}, "conformant", ()),
    (s.NoContentType, {"SND-01"}, PAYLOADS, "non-conformant", NOT_SLOW),
    (s.NotEvtIds, {"SND-01", "SND-02"}, PAYLOADS | {"SND-ID-001"}, "non-conformant", NOT_SLOW),
    (s.LocalTimestamps, {"SND-02"}, {"SND-ID-002"}, "non-conformant", NOT_SLOW),
    (s.DeliversUnsubscribed, {"SND-08"}, {"SND-SUB-001", "SND-WIRE-005"}, "non-conformant", NOT_SLOW),
    (s.OneSecretForAll, {"SND-03", "SND-08"}, {"SND-SUB-002", "SND-WIRE-002"}, "non-conformant", NOT_SLOW),
    (s.AlsoPostsToLegacyPath, {"SND-08"}, {"SND-WIRE-004"}, "non-conformant", NOT_SLOW),
    (
        s.SuccessEndsEveryEndpoint,
        {"SND-08"},
        {"SND-SUB-001", "SND-SUB-002", "SND-SUB-003", "SND-WIRE-006"},
        "non-conformant",
        NOT_SLOW,
    ),
    # Forgeries: each does its own job right and something else wrong that only an account of every delivery and
    # every event of the run shows (issue 21). Each was called CONFORMANT before.
    (s.TenantLeak, {"SND-08"}, {"SND-WIRE-005"}, "non-conformant", NOT_SLOW),
    (s.NeverRetriesNonAscii, {"SND-05"}, {"SND-RTY-015"}, "non-conformant", NOT_SLOW),
    (s.DropsLoneSurrogates, {"SND-08"}, {"SND-WIRE-006"}, "non-conformant", NOT_SLOW),
    (s.SendsWelcomePing, {"SND-08"}, {"SND-SUB-001", "SND-SUB-002", "SND-WIRE-005"}, "non-conformant", NOT_SLOW),
]


# A sender's run has no deliveries in flight to vary: the order of its checks is varied
ORDER_VARIANTS = ("as given", "reversed", "shuffled")


def named(value: object) -> str:
    """A test id: a sender's name, a variant as it is, nothing for the rest."""
    return value if isinstance(value, str) and value in VARIANTS else getattr(value, "__name__", "")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sender", "failed", "checks", "verdict", "options", "variant"), varied(EXACT, ORDER_VARIANTS), ids=named
)
def test_broken_sender_fails_exactly_its_requirement(
    pytester: pytest.Pytester,
    sender: type,
    failed: set[str],
    checks: set[str],
    verdict: str,
    options: tuple[str, ...],
    variant: str,
) -> None:
    """Whatever the order its checks run in: the sweeps and the after-run judgement see every delivery."""
    # which checks fail is the subject, not the smallest data each shows: no shrinking
    run = run_sender_suite(pytester, sender, *options, *in_variant(pytester, variant), "--horneross-no-shrink")
    assert run.failed() == failed, run.stdout
    assert run.failed_checks() == checks, run.stdout
    assert run.report["verdict"] == verdict
    assert run.ret == (0 if verdict == "conformant" else 1)


@pytest.mark.slow
def test_should_failure_fails_the_run_only_under_strict(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:SendsPrettySignsCanonical", *NOT_SLOW, "--horneross-strict")
    assert run.ret == 1
    assert run.report["verdict"] == "non-conformant"
    run = run_sender_suite(pytester, "senders:SendsPrettySignsCanonical")  # a whole run: certified, with its warning
    assert run.ret == 0, run.stdout
    assert "SND-04  SHOULD        WARNING" in run.stdout
    assert "non-strict" in run.stdout


@pytest.mark.slow
def test_an_emit_refusing_a_lone_surrogate_is_charged_to_signing_alone(pytester: pytest.Pytester) -> None:
    """docs/contract.md, decision 14: the payload, byte and retry checks that meet the refusal are inconclusive
    and point at SND-03, whose failure says how to serialize the lone surrogate."""
    run = run_sender_suite(pytester, s.RaisesOnLoneSurrogate, *NOT_SLOW)
    assert "the escape \\ud83d, so serialize it that way" in run.details("SND-03")
    checks = {c["id"]: c for r in run.report["requirements"] for c in r["checks"]}
    for case in ("SND-PAY-005", "SND-RAW-001", "SND-SAME-001"):
        assert checks[case]["outcome"] == "skipped", checks[case]
        assert checks[case]["owner"] == "SND-03"
        assert "for data holding a lone surrogate (see SND-03)" in checks[case]["details"]
    # the retries of plain ASCII text, which no fault of serialization can block, still decide SND-07
    assert checks["SND-SAME-002"]["outcome"] == "passed"
    assert run.outcomes()["SND-07"] == "passed"


@pytest.mark.slow
def test_following_a_redirect_is_charged_to_the_schedule_alone(pytester: pytest.Pytester) -> None:
    """docs/contract.md, decision 14: the request to the redirect's Location is not a stray delivery of SND-08."""
    run = run_sender_suite(pytester, s.FollowsRedirects, *NOT_SLOW)
    assert "the sender followed a redirect" in run.details("SND-05")
    assert "do not follow it, retry the endpoint's own URL on schedule" in run.details("SND-05")
    checks = {c["id"]: c for r in run.report["requirements"] for c in r["checks"]}
    assert checks["SND-WIRE-004"]["outcome"] == "skipped"
    assert re.search(r"went to the Location of a redirect: /redirected/[0-9a-f]{16}", checks["SND-WIRE-004"]["details"])
    assert "(see SND-05)" in checks["SND-WIRE-004"]["details"]


@pytest.mark.slow
def test_failure_messages_say_when_and_why(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:OffByOneSecond", "-k", "SND-RTY-011")
    assert (
        "attempt 3 to endpoint A did not arrive at +360 s, when it was due "
        "(5 min after attempt 2 was answered 500 at +60 s)" in run.details("SND-05")
    )
    run = run_sender_suite(pytester, "senders:SixAttempts", "-k", "SND-RTY-011")
    assert "attempt 6 to endpoint A arrived at +16560 s (2 h after attempt 5): there are at most 5" in run.details(
        "SND-05"
    )
    run = run_sender_suite(pytester, "senders:RetriesAfterSuccess", "-k", "SND-STOP-002")
    assert "attempt 3 to endpoint A arrived at +120 s, after attempt 2 was answered 200 at +60 s" in run.details(
        "SND-06"
    )


@pytest.mark.slow
def test_an_excuse_that_cannot_be_verified_leaves_the_run_not_certified(pytester: pytest.Pytester) -> None:
    """A stop check that meets a broken schedule defers to SND-05 whatever ran before it (verdicts do not depend on
    order); run alone, SND-05 is not there to confirm the excuse, so SND-06 is unchecked and nothing is certified."""
    run = run_sender_suite(pytester, "senders:OffByOneSecond", "-k", "SND-STOP-003")
    assert run.failed_checks() == set()
    assert run.report["status"] == "NOT CERTIFIED" and run.ret == 1
    assert {"SND-06"} <= set(run.report["unchecked"])
    run = run_sender_suite(pytester, "senders:OffByOneSecond", "-k", "SND-STOP-003 or SND-RTY-011")
    assert run.failed_checks() == {"SND-RTY-011"}
    assert run.report["requirements"][5]["outcome"] == "skipped"  # SND-06: inconclusive, and truly SND-05's


def test_sweep_checks_run_alone_emit_their_own_sample(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, "senders:UppercaseHex", "-k", "SND-WIRE")
    assert run.failed_checks() == {"SND-WIRE-002"}
    run = run_sender_suite(pytester, REFERENCE, "-k", "SND-WIRE")
    assert run.failed_checks() == set()
    # what the selection left out (the schedule, the ids) was not checked: passing sweeps certify nothing
    assert run.ret == 1 and run.report["status"] == "NOT CERTIFIED"
    assert "verdict: NOT CERTIFIED: 7 requirements could not be checked" in run.stdout


def test_every_sender_requirement_has_a_check() -> None:
    from horneross_conformance.sender.suite import suite

    assert {case.requirement for case in suite.cases} == ALL_SENDER_REQUIREMENTS
    assert len({case.id for case in suite.cases}) == len(suite.cases)


def test_every_check_is_failed_by_some_broken_sender() -> None:
    """Each case must be able to fail: some sender here makes it fail."""
    from horneross_conformance.sender.suite import PREFLIGHT_ID, suite

    failing = {PREFLIGHT_ID}  # senders that deliver nothing, in test_sender_hard_targets.py
    for _, _, checks, _, _ in EXACT:
        failing |= checks
    for _, _, checks in RARE:
        failing |= checks
    assert {case.id for case in suite.cases} <= failing


# (sender, the root cause of its SND-03 failures, what the cause says it signed)
SIGNED_OTHERWISE = [
    (
        s.EscapesNonAscii,
        "signature/sends-a-re-serialization",
        "signs and sends the output of Python's json.dumps(separators=(',', ':'))",
    ),
    (s.SendsStringifySignsGoMarshal, "signature/signs-a-re-serialization", "Go's encoding/json over a map[string]any"),
    (s.OneSecretForAll, "signature/unexplained", "nor any known re-serialization of the payload"),
]


@pytest.mark.parametrize(("sender", "cause", "said"), SIGNED_OTHERWISE, ids=lambda v: getattr(v, "__name__", ""))
def test_a_signature_fault_is_one_root_cause_with_both_signatures_the_bytes_sent_and_what_was_signed(
    pytester: pytest.Pytester, sender: type, cause: str, said: str
) -> None:
    run = run_sender_suite(pytester, sender, "-k", "SND-SIG or SND-RAW-001 or SND-SUB-002 or SND-WIRE-002")
    assert "SND-03" in run.failed(), run.stdout  # OneSecretForAll: SND-08 too, for endpoint B's deliveries
    [root] = run.report["causes"]  # said once, however many checks and deliveries it explains
    assert root["id"] == cause and said in root["headline"], root
    assert "sign those bytes" in root["fix"] or "secret" in root["fix"]
    expected, received = re.search(r"expected ([0-9a-f]{64}), received (\S+);", root["evidence"]).groups()  # type: ignore[union-attr]
    assert expected != received.rstrip(";")
    assert re.search(r"the \d+ bytes sent: b'\{", root["evidence"]), root
    checks = {c["id"]: c for q in run.report["requirements"] for c in q["checks"]}
    failed = [
        c for q in run.report["requirements"] if q["id"] == "SND-03" for c in q["checks"] if c["outcome"] == "failed"
    ]
    assert failed and root["checks"] == [c["id"] for c in failed]
    for check in failed:  # each refers to it in one line
        assert check["cause"] == cause and f"root cause [{cause}]" in check["details"].splitlines()[0], check
        assert said not in check["details"] and expected not in check["details"]
    table = run.stdout.split("Horneross sender conformance", 1)[1]
    assert table.count("root cause: ") == 1 and table.index("root cause: ") < table.index("SND-01 ")
    if sender is s.EscapesNonAscii:  # sends what it signs: SND-04's check names SND-03 as the fault's owner
        assert checks["SND-RAW-001"]["outcome"] == "skipped" and checks["SND-RAW-001"]["owner"] == "SND-03"
    if sender is s.SendsStringifySignsGoMarshal:  # it sends JSON.stringify's bytes: SND-04 holds
        assert checks["SND-RAW-001"]["outcome"] == "passed"


def test_a_signature_fix_names_a_language_only_when_every_writer_matched_is_of_it() -> None:
    """Go's encoding/json and Python's sorted json.dumps write a plain payload alike: a Go sender is then not told
    to call a Python function, nor a Python sender Go's kit."""
    from horneross_conformance.core.writers import WRITERS
    from horneross_conformance.sender.suite.signature_causes import sends_another_writer, signs_another_writer

    by_slug = {writer.slug: writer for writer in WRITERS}
    go, python, sorted_map = by_slug["go-map"], by_slug["python-sorted-keys"], by_slug["sorted-keys"]
    assert (
        "kits/go" in signs_another_writer([go], "").fix and "canonical_bytes" not in signs_another_writer([go], "").fix
    )
    assert "canonical_bytes" in signs_another_writer([python], "").fix
    for alike in ([python, sorted_map, go], [sorted_map]):
        fix = signs_another_writer(alike, "").fix
        assert "kits/go" not in fix and "canonical_bytes" not in fix and "check-encoder" in fix, fix
    assert "canonical_bytes" in sends_another_writer(by_slug["python-ascii"], "").fix
    assert "kits/go" not in sends_another_writer(None, "").fix
