"""State that belongs to a run lives in the run: two runs in one process share no secrets and no wire log."""

from __future__ import annotations

import pytest
import receivers as r

from horneross_conformance.core.redaction import REDACTED, Redactor
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.sender.capture import CaptureLog
from horneross_conformance.transport.server import serve
from horneross_conformance.transport.wire import Exchange

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "--horneross-examples=3", "-k", "RCV-ACK-001")
OTHER_SECRET = "whsec_other_run_5b0c2e71d4"


def test_two_targets_in_one_process_redact_only_their_own_secret() -> None:
    first = ReceiverTarget("http://127.0.0.1:9/webhook", r.SECRET, 1.0)
    second = ReceiverTarget("http://127.0.0.1:9/webhook", OTHER_SECRET, 1.0)
    text = f"{r.SECRET} / {OTHER_SECRET}"
    assert first.wire.redactor(text) == f"{REDACTED} / {OTHER_SECRET}"
    assert second.wire.redactor(text) == f"{r.SECRET} / {REDACTED}"


def test_a_run_that_met_thousands_of_secrets_leaves_none_to_the_next() -> None:
    """The old process-wide set grew with every run and slowed every later one: each run now starts empty."""
    crowded = CaptureLog()
    for number in range(2_000):
        crowded.wire.redactor.add(f"secret-{number:05d}-of-an-earlier-run")
    fresh = CaptureLog()
    assert fresh.wire.redactor is not crowded.wire.redactor
    assert fresh.wire.redactor("secret-00042-of-an-earlier-run") == "secret-00042-of-an-earlier-run"
    with crowded.wire.recording() as log:
        crowded.wire.record(Exchange("POST /a", [], "secret-01999-of-an-earlier-run", "200"))
    with fresh.wire.recording() as other:
        pass
    assert log.as_json()["exchanges"][0]["request_body"] == REDACTED
    assert other.as_json() == {"exchanges": [], "omitted": 0}  # nothing recorded into another run's log


def test_every_form_of_a_secret_is_redacted_in_any_case() -> None:
    redactor = Redactor(["whsec_ab/cd+ef=="])
    for form in ("whsec_ab/cd+ef==", "whsec_ab%2Fcd%2Bef%3D%3D", "WHSEC_AB%2fCD%2bEF%3d%3d", "whsec_ab\\/cd+ef=="):
        assert redactor(f"<{form}>") == f"<{REDACTED}>", form
    assert redactor("whsec_ab/cd") == "whsec_ab/cd"  # a part of it is not the secret


class EchoesASecret(r.PlainReceiver):
    """Answers 401 with a fixed text that happens to be another run's secret."""

    def __call__(self, environ: dict[str, object], start_response: object) -> list[bytes]:
        super().__call__(environ, lambda *a: None)
        body = f"expected {r.SECRET}".encode()
        start_response("401 Unauthorized", [("Content-Length", str(len(body)))])  # type: ignore[operator]
        return [body]


def test_two_suite_runs_in_one_process_do_not_share_their_secrets(pytester: pytest.Pytester) -> None:
    with serve(EchoesASecret()) as base:
        first = pytester.runpytest_inprocess(
            *FAST, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}"
        )
        second = pytester.runpytest_inprocess(
            *FAST, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={OTHER_SECRET}"
        )
    assert first.ret == second.ret == 1
    assert f"expected {REDACTED}" in first.stdout.str()  # the first run's own secret
    assert f"expected {r.SECRET}" in second.stdout.str()  # not the second run's: shown as it is
