"""No output of a failing run shows a secret: not the terminal, not any report format, not JUnit, not a log.

The secrets are searched for as text, as the hex and base64 of their HMAC key bytes, and, for the sender suite's
secrets (which the suite makes itself), by a recognizable prefix. The targets try hard to leak them: a receiver
that echoes the secret in its answers and headers, a sender that raises with its secret in the message and one
that sends it in a header.
"""

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

import pytest
import receivers as r
from command_line import cli, listening
from suite_runner import FEW_EXAMPLES, NOT_SLOW, SEED

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

FORMATS = ("json", "md", "html")


def forms(secret: str) -> list[str]:
    """The ways a secret's key bytes could be printed."""
    key = secret.encode("utf-8")
    return [secret, key.hex(), base64.b64encode(key).decode("ascii"), repr(key)]


class EchoesTheSecret(r.PlainReceiver):
    """Correct verification, but every answer quotes the secret, in the body and in a header."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        status: list[str] = []
        super().__call__(environ, lambda code, headers: status.append(code))
        body = f"checked with {r.SECRET} / {r.SECRET.encode().hex()}".encode()
        start_response(status[0], [("Content-Length", str(len(body))), ("X-Debug-Secret", r.SECRET)])
        return [body]

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return signature is not None  # and so it accepts forged signatures: the run fails


def _run_with_every_output(pytester: pytest.Pytester, *args: str, verdict: int = 1) -> str:
    outputs = []
    for extension in FORMATS:
        report = pytester.path / f"report.{extension}"
        junit = pytester.path / "junit.xml"
        result = pytester.runpytest_inprocess(
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:cacheprovider",
            f"--horneross-seed={SEED}",
            f"--horneross-examples={FEW_EXAMPLES}",
            "-vv",
            "-l",
            "--tb=long",
            "-rA",
            f"--horneross-report={report}",
            f"--junitxml={junit}",
            *args,
        )
        assert result.ret == verdict
        outputs += [result.stdout.str(), result.stderr.str(), report.read_text(encoding="utf-8"), junit.read_text()]
    return "\n".join(outputs)


@pytest.mark.slow
def test_a_failing_receiver_run_shows_the_secret_nowhere(pytester: pytest.Pytester) -> None:
    with serve(EchoesTheSecret()) as base:
        everything = _run_with_every_output(
            pytester, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}"
        )
    assert "[secret redacted]" in everything  # the echo was there, and replaced
    for form in forms(r.SECRET):
        assert form not in everything, form


@pytest.mark.slow
def test_a_failing_sender_run_shows_no_secret_of_its_endpoints(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from horneross_conformance.sender import target as sender_target

    serial = itertools.count()
    made: list[str] = []

    def token(_: int) -> str:
        made.append(f"SeCrEt-{next(serial)}-k")
        return made[-1]

    monkeypatch.setattr(sender_target.secrets, "token_urlsafe", token)
    everything = _run_with_every_output(pytester, "--horneross-sender=senders:LeaksItsSecret", *NOT_SLOW)
    # conformant otherwise: the secret it sends in a header is in every check's wire log, the HTML report's too
    everything += _run_with_every_output(pytester, "--horneross-sender=senders:SendsItsSecret", verdict=0)
    assert "X-Webhook-Secret: [secret redacted]" in everything
    assert len(made) > 50
    assert "SeCrEt-" not in everything
    for secret in made[:5]:
        for form in forms(secret):
            assert form not in everything, form


@pytest.mark.slow
def test_listen_and_send_keep_the_secret_out_of_their_output_and_log(tmp_path: Path) -> None:
    env = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
    with listening("--log", "log.jsonl", "--fail-first", "1", cwd=tmp_path, env=env) as listener:
        sent = cli("send", listener.url + "webhook", "-v", cwd=tmp_path, env=env)
        body = canonical_bytes(sample_event("lead.captured"))
        post(parse_endpoint(listener.url), body, {"X-Horneross-Signature": sign(body, "wrong")}, 5)
        leaked = {"X-Horneross-Signature": sign(body, r.SECRET), "X-Webhook-Secret": r.SECRET.encode().hex()}
        post(parse_endpoint(listener.url), body, leaked, 5)
        output = listener.stop()
    everything = "\n".join([sent.stdout, sent.stderr, output, listener.stderr, (tmp_path / "log.jsonl").read_text()])
    assert "answered 500 (--fail-first 1)" in everything
    assert '"X-Webhook-Secret": "[secret redacted]"' in everything
    for form in forms(r.SECRET):
        assert form not in everything, form
