"""``horneross-conformance listen``, run as a user runs it, receiving real deliveries over loopback."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import receivers as r
from command_line import cli, listening

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.sender.reference import ReferenceSender
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}


def deliver(url: str, event: Any, signature: str | None = "valid", timeout: float = 10) -> Any:
    body = canonical_bytes(event)
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Horneross-Signature"] = sign(body, r.SECRET)
    elif signature is not None:
        headers["X-Horneross-Signature"] = signature
    return post(parse_endpoint(url + "webhook"), body, headers, timeout)


def test_a_real_sender_delivery_is_verified_validated_summarized_and_acknowledged(tmp_path: Path) -> None:
    with listening(cwd=tmp_path, env=SECRET_ENV) as listener:
        sender = ReferenceSender(timeout=5)
        sender.subscribe(listener.url + "hooks/horneross", r.SECRET)
        event_id = sender.emit(
            "conversation.message.created", {"conversationId": "conv_1", "role": "user", "content": "Hola\u2028😀"}
        )
        sender.run_due()
        output = listener.stop()
    assert "  verifying X-Horneross-Signature with the secret in HORNEROSS_WEBHOOK_SECRET" in output
    line = next(line for line in output.split("\n") if " #1 " in line)
    assert f'#1 POST /hooks/horneross conversation.message.created {event_id} conv_1 "Hola\\u2028😀" attempt 1' in line
    assert line.endswith("| signature ok | schema ok | answered 200")
    assert output.rstrip().endswith("stopped: 1 deliveries, 1 signed and valid, 0 with problems")
    assert listener.process.returncode == 0 and "Traceback" not in listener.stderr
    assert r.SECRET not in output + listener.stderr


def test_forged_and_invalid_deliveries_are_named_and_refused(tmp_path: Path) -> None:
    invalid = sample_event("lead.captured")
    invalid["data"]["contact"]["email"] = "nope"
    with listening(cwd=tmp_path, env=SECRET_ENV) as listener:
        wrong = deliver(listener.url, sample_event("lead.captured"), signature=sign(b"{}", r.SECRET))
        missing = deliver(listener.url, sample_event("lead.captured"), signature=None)
        signed_invalid = deliver(listener.url, invalid)
        not_json = post(parse_endpoint(listener.url), b"{nope", {"X-Horneross-Signature": sign(b"{nope", r.SECRET)}, 10)
        nan = b'{"type":"lead.captured","data":{"x":NaN}}'
        post(parse_endpoint(listener.url), nan, {"X-Horneross-Signature": sign(nan, r.SECRET)}, 10)
        output = listener.stop()
    assert (wrong.status, missing.status, signed_invalid.status, not_json.status) == (401, 401, 200, 200)
    lines = output.splitlines()
    assert any("| signature WRONG | schema ok | answered 401 (not verified)" in line for line in lines)
    assert any("| signature MISSING (X-Horneross-Signature) | schema ok | answered 401" in line for line in lines)
    assert any("| signature ok | schema: 1 problem | answered 200" in line for line in lines)
    assert "    /data/contact/email: 'nope' is not an email address, such as cliente@ejemplo.com (format)" in lines
    assert any("(not an event) attempt 1 | signature ok | schema: 1 problem" in line for line in lines)
    assert lines.count("    the body is not JSON") == 2  # NaN too: JSON.parse refuses it
    assert output.rstrip().endswith("stopped: 5 deliveries, 0 signed and valid, 5 with problems")
    assert listener.process.returncode == 1


def test_a_delivery_without_id_or_timestamp_has_a_problem(tmp_path: Path) -> None:
    """listen judges deliveries as validate does: every Horneross delivery carries id and timestamp."""
    abbreviated = {k: v for k, v in sample_event("lead.captured").items() if k not in ("id", "timestamp")}
    with listening(cwd=tmp_path, env=SECRET_ENV) as listener:
        answer = deliver(listener.url, abbreviated)
        output = listener.stop()
    assert answer.status == 200
    assert "| signature ok | schema: 2 problems | answered 200" in output
    assert "    /: 'id' is a required property of a delivery: every Horneross delivery carries id" in output
    assert output.rstrip().endswith("stopped: 1 deliveries, 0 signed and valid, 1 with problems")


def test_without_a_secret_it_acknowledges_and_says_signatures_are_not_checked(tmp_path: Path) -> None:
    with listening("--count", "1", cwd=tmp_path) as listener:
        answer = deliver(listener.url, sample_event("conversation.created"), signature=None)
        listener.process.wait(20)
        output = listener.stop()
    assert answer.status == 200
    assert "signatures are not checked: set HORNEROSS_WEBHOOK_SECRET to verify them" in output
    assert "| signature not checked (no secret) | schema ok | answered 200" in output
    assert "signed and valid" not in output  # it checked no signature
    assert output.rstrip().endswith(
        "stopped: 1 deliveries, 1 valid, 0 with problems; no signature was checked (set HORNEROSS_WEBHOOK_SECRET "
        "to verify them)"
    )
    assert listener.process.returncode == 1  # 0 means every delivery was signed and valid


def test_count_ends_it_even_when_the_sender_hung_up_before_the_answer(tmp_path: Path) -> None:
    body = canonical_bytes(sample_event("lead.captured"))
    head = (
        f"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Horneross-Signature: {sign(body, r.SECRET)}\r\n\r\n"
    ).encode()
    with listening("--count", "1", "--delay", "1", cwd=tmp_path, env=SECRET_ENV) as listener:
        port = int(listener.url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(head + body)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        # hung up (a reset) before the answer; --count 1 must still end the listener by itself
        listener.process.wait(20)
        output = listener.stop()
    assert "stopped: 1 deliveries, 1 signed and valid, 0 with problems" in output, (
        listener.process.returncode,
        listener.stderr,
    )
    assert listener.process.returncode == 0


def test_failure_injection_fails_the_first_attempts_then_acknowledges(tmp_path: Path) -> None:
    event = sample_event("conversation.status.changed")
    with listening("--fail-first", "2", "--fail-status", "503", cwd=tmp_path, env=SECRET_ENV) as listener:
        statuses = [deliver(listener.url, event).status for _ in range(3)]
        other = deliver(listener.url, sample_event("conversation.status.changed")).status
        forged = deliver(listener.url, sample_event("conversation.status.changed"), signature="0" * 64).status
        output = listener.stop()
    assert statuses == [503, 503, 200] and other == 503
    assert forged == 401  # a forged delivery is refused, not counted as an attempt to fail
    assert "attempt 2 | signature ok | schema ok | answered 503 (--fail-first 2)" in output
    assert "attempt 3 | signature ok | schema ok | answered 200" in output


def test_a_fixed_status_and_a_delay(tmp_path: Path) -> None:
    with listening("--status", "410", "--delay", "0.4", cwd=tmp_path, env=SECRET_ENV) as listener:
        started = time.monotonic()
        answer = deliver(listener.url, sample_event("lead.captured"))
        took = time.monotonic() - started
        listener.stop()
    assert answer.status == 410 and took >= 0.4


@pytest.mark.slow
def test_forward_to_relays_the_exact_bytes_and_signature_and_returns_the_apps_answer(tmp_path: Path) -> None:
    received: list[tuple[bytes, str | None]] = []

    class App(r.PlainReceiver):
        def handle(self, body: bytes, signature: str | None) -> str:
            received.append((body, signature))
            return "202 Accepted"

    event = {**sample_event("conversation.message.created")}
    event["data"]["content"] = "Zoë \u2028 \ud800 😀"
    with serve(App()) as app, listening("--forward-to", f"{app}/local", cwd=tmp_path, env=SECRET_ENV) as listener:
        answer = deliver(listener.url, event)
        refused = deliver(listener.url, event, signature="0" * 64)
        output = listener.stop()
    assert answer.status == 202 and refused.status == 401
    assert received == [(canonical_bytes(event), sign(canonical_bytes(event), r.SECRET))]  # the forged one stayed
    assert f"  forwarding verified deliveries to {app}/local" in output
    assert f"answered 202 (from {app}/local: 202 Accepted)" in output
    with listening("--forward-to", r.closed_port(), cwd=tmp_path, env=SECRET_ENV) as listener:
        assert deliver(listener.url, event).status == 502
        assert "forwarding to http://127.0.0.1:" in listener.stop()


def test_log_and_count_keep_every_delivery_and_end_by_themselves(tmp_path: Path) -> None:
    with listening("--log", "deliveries.jsonl", "--count", "3", cwd=tmp_path, env=SECRET_ENV) as listener:
        for event_type in ("conversation.created", "lead.captured"):
            deliver(listener.url, sample_event(event_type))
        deliver(listener.url, sample_event("lead.captured"), signature=None)
        listener.process.wait(20)  # --count 3: it stops after the third answer, without a signal
        output = listener.stop()
    assert listener.process.returncode == 1  # one delivery was not signed
    assert "stopped: 3 deliveries, 2 signed and valid, 1 with problems" in output
    entries = [json.loads(line) for line in (tmp_path / "deliveries.jsonl").read_text().splitlines()]
    assert [entry["status"] for entry in entries] == [200, 200, 401]
    assert entries[0]["method"] == "POST" and entries[0]["path"] == "/webhook"
    assert json.loads(entries[1]["body"])["type"] == "lead.captured"
    assert entries[2]["signature"].startswith("signature MISSING")
    assert r.SECRET not in (tmp_path / "deliveries.jsonl").read_text()


@pytest.mark.slow
def test_a_flood_of_1000_concurrent_deliveries_is_answered_and_logged_in_full(tmp_path: Path) -> None:
    events = [sample_event("conversation.created") for _ in range(1000)]
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(events))

    def one(event: Any) -> None:
        start.wait(30)
        try:
            status = deliver(listener.url, event, timeout=60).status
        except Exception:
            status = 0
        with lock:
            statuses.append(status)

    with listening("--log", "flood.jsonl", "--quiet", cwd=tmp_path, env=SECRET_ENV) as listener:
        threads = [threading.Thread(target=one, args=(event,)) for event in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        output = listener.stop()
    assert statuses.count(200) == 1000, sorted(set(statuses))
    logged = [json.loads(line) for line in (tmp_path / "flood.jsonl").read_text().splitlines()]
    assert sorted(json.loads(entry["body"])["id"] for entry in logged) == sorted(event["id"] for event in events)
    assert sorted(entry["n"] for entry in logged) == list(range(1, 1001))
    assert sum(" | answered 200" in line for line in output.splitlines()) == 1000
    assert "stopped: 1000 deliveries, 1000 signed and valid, 0 with problems" in output


def test_bad_options_and_a_busy_port_get_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = str(busy.getsockname()[1])
        taken = cli("listen", "--port", port, cwd=tmp_path, env=SECRET_ENV, timeout=30)
    assert taken.returncode == 2 and taken.stderr.startswith(
        f"horneross-conformance listen: cannot listen on 127.0.0.1:{port}"
    )
    bad = cli("listen", "--forward-to", "localhost:3000", cwd=tmp_path, env=SECRET_ENV, timeout=30)
    assert bad.returncode == 2 and "is not an http:// or https:// URL" in bad.stderr
    unverified = cli("listen", "--forward-to", "http://127.0.0.1:3000/", cwd=tmp_path, timeout=30)
    assert unverified.returncode == 2 and "relays verified deliveries only" in unverified.stderr


def test_ctrl_c_stops_it_cleanly(tmp_path: Path) -> None:
    with listening(cwd=tmp_path, env=SECRET_ENV) as listener:
        deliver(listener.url, sample_event("lead.captured"))
        listener.process.send_signal(signal.SIGINT)
        output = listener.stop()
    assert "stopped: 1 deliveries, 1 signed and valid, 0 with problems" in output, (
        listener.process.returncode,
        listener.stderr,
    )
    assert listener.process.returncode == 0 and "Traceback" not in listener.stderr


def app_answering(status: str, content_type: str, body: bytes) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return app


def test_the_apps_status_body_and_content_type_reach_the_sender(tmp_path: Path) -> None:
    event = sample_event("conversation.message.created")
    body = b'{"received":true,"note":"Zo\xc3\xab"}'
    with (
        serve(app_answering("202 Accepted", "application/json", body)) as app,
        listening("--forward-to", f"{app}/local", cwd=tmp_path, env=SECRET_ENV) as listener,
    ):
        answer = deliver(listener.url, event)
        refused = deliver(listener.url, event, signature="0" * 64)  # the control: not forwarded, the listener's own
        listener.stop()
    assert (answer.status, answer.body, answer.header("content-type")) == (202, body, "application/json")
    assert refused.status == 401 and refused.header("content-type") == "text/plain; charset=utf-8"


def test_an_unsafe_content_type_from_the_app_is_not_relayed(tmp_path: Path) -> None:
    event = sample_event("conversation.message.created")
    with (
        serve(app_answering("200 OK", "text/html\x7f<script>", b"<b>hi</b>")) as app,
        listening("--forward-to", f"{app}/local", cwd=tmp_path, env=SECRET_ENV) as listener,
    ):
        answer = deliver(listener.url, event)
        listener.stop()
    assert (answer.status, answer.body) == (200, b"<b>hi</b>")
    assert answer.header("content-type") == "text/plain; charset=utf-8"
