"""What the sender suite keeps of the bodies it captures is bounded, whatever a sender posts.

A request to a path no endpoint has keeps its first bytes, its size and a SHA-256 of all of it; deliveries keep their
bodies while the run's budget lasts, then only the same; a delivery the run did not keep is nobody's fault, so the
checks that meet it are inconclusive, while a delivery genuinely too long stays SND-01's failure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from senders import post
from suite_runner import run_sender_suite
from untrusted import PaddedSender

from horneross_conformance.checks.registry import Inconclusive
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.events import sample_event
from horneross_conformance.core.limits import CAPTURE_KEPT_BYTES, CAPTURE_START_BYTES
from horneross_conformance.sender import capture as capture_module
from horneross_conformance.sender.capture import Answer, CaptureEndpoint, CaptureLog, CaptureServer, always
from horneross_conformance.sender.target import body_json, why_unreadable

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def budget_of_two() -> Iterator[tuple[CaptureLog, CaptureEndpoint, str]]:
    """A capture server whose run keeps two deliveries of ``event()``'s size; its endpoint, and its base URL."""
    log = CaptureLog(budget=2 * len(event()) + 10)
    server = CaptureServer(log)
    server.start()
    path = log.new_path()
    endpoint = CaptureEndpoint("A", server.base_url() + path, path, "not-a-real-secret", always(Answer(200)))
    log.register(endpoint)
    try:
        yield log, endpoint, server.base_url()
    finally:
        server.stop()


MESSAGE = sample_event("conversation.message.created")


def event(size: int = 3000) -> bytes:
    """A valid delivery of exactly ``size`` bytes, longer than what a body not kept keeps."""
    message = {**MESSAGE, "data": dict(MESSAGE["data"])}
    message["data"]["content"] = ""
    message["data"]["content"] = "x" * (size - len(canonical_bytes(message)))
    return canonical_bytes(message)


def test_a_stray_request_keeps_its_start_size_and_digest_and_a_small_one_is_kept_whole(
    budget_of_two: tuple[CaptureLog, CaptureEndpoint, str],
) -> None:
    log, _, base = budget_of_two
    large = bytes(range(256)) * 1024  # 256 KiB
    assert post(base + "/nobody/subscribed/this", large, JSON, 30)[0] == 404
    assert post(base + "/nor/this", b'{"small": true}', JSON, 30)[0] == 404
    stray, small = log.captures
    assert (stray.endpoint, stray.size, stray.body) == (None, len(large), large[:CAPTURE_START_BYTES])
    assert stray.sha256 == hashlib.sha256(large).hexdigest()
    assert stray.unkept is not None and "path no endpoint has" in stray.unkept
    assert (small.body, small.unkept) == (b'{"small": true}', None)
    assert small.sha256 == hashlib.sha256(b'{"small": true}').hexdigest()
    assert log.kept == 0 and log.budget_note is None  # strays are not charged to the deliveries' budget


def test_deliveries_are_kept_while_the_budget_lasts_then_only_their_start(
    budget_of_two: tuple[CaptureLog, CaptureEndpoint, str],
) -> None:
    log, endpoint, _ = budget_of_two
    for _ in range(3):
        assert post(endpoint.url, event(), JSON, 30)[0] == 200
        if len(log.captures) < 3:
            assert log.budget_note is None
    kept, again, unkept = log.captures
    assert kept.body == again.body == event() and kept.unkept is None
    assert body_json(kept)["type"] == "conversation.message.created" and why_unreadable(kept) is None
    assert (unkept.body, unkept.size) == (event()[:CAPTURE_START_BYTES], len(event()))
    assert unkept.sha256 == hashlib.sha256(event()).hexdigest()
    assert unkept.unkept is not None and "budget for delivery bodies was spent" in unkept.unkept
    with pytest.raises(Inconclusive, match="cannot be judged: its body was not kept: the run's"):
        why_unreadable(unkept)  # not SND-01's failure: the suite dropped it, the sender did nothing wrong
    with pytest.raises(Inconclusive):
        body_json(unkept)
    assert log.budget_note is not None and log.budget_note.startswith("1 deliveries were not kept")


def test_a_delivery_too_long_stays_snd01s_failure_past_the_budget(
    budget_of_two: tuple[CaptureLog, CaptureEndpoint, str],
) -> None:
    log, endpoint, _ = budget_of_two
    too_long = event(CAPTURE_KEPT_BYTES + 1)
    assert post(endpoint.url, too_long, JSON, 30)[0] == 200  # past the budget at once: 256 KiB
    [capture] = log.captures
    assert capture.unkept is not None
    problem = why_unreadable(capture)
    assert problem is not None and "far more than the event emitted" in problem


@pytest.mark.slow
def test_a_run_past_its_budget_fails_no_requirement_for_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conformant sender whose deliveries are 3 KB, with a budget that holds a few of them: the checks that
    meet the others are inconclusive, and none fails; with the usual budget, every check passes."""
    sender = f"untrusted:{PaddedSender.__name__}"
    usual = run_sender_suite(pytester, sender)  # whole runs: what is not certified is the budget's doing alone
    assert usual.ret == 0 and "budget for delivery bodies" not in usual.stdout, usual.stdout
    monkeypatch.setattr(capture_module, "CAPTURE_BUDGET_BYTES", 16 * 1024)
    short = run_sender_suite(pytester, sender)
    assert short.failed() == set(), short.stdout
    inconclusive = [
        c
        for r in short.report["requirements"]
        for c in r["checks"]
        if c["outcome"] == "skipped" and "budget for delivery bodies was spent" in c["details"]
    ]
    assert len(inconclusive) > 10, short.stdout
    assert "far more than the event emitted" not in short.stdout
    # what could not be judged is not certified, and every report says why
    assert short.ret == 1 and short.report["status"] == "NOT CERTIFIED"
    assert any("budget for delivery bodies was spent" in note for note in short.report["notes"])
    assert "note: " in short.stdout and usual.report["notes"] == []
