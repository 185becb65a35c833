"""The Python bridge is no open signing oracle: only its caller, holding its token, on a loopback name, may call it,
within caps; and each sender has a process and a clock of its own, so one slow call never holds another's.

Every test runs the bridge as a user runs it (``python -m horneross_conformance.sender.bridge``) and calls it over
a real socket.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from peers import BRIDGE_TOKEN, python_bridge
from suite_runner import run_sender_suite
from untrusted import FAR_TOO_DEEP, assert_clean, nested

from horneross_conformance.core.redaction import secret_forms
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

REFERENCE = "horneross_conformance.sender.reference:for_conformance"
PATIENT = "horneross_conformance.sender.reference:ReferenceSender"  # waits 10 s for an answer
NOW = "2026-12-01T12:00:00.000Z"
LATER = "2026-12-01T12:00:01.000Z"


def call(
    base: str,
    path: str,
    body: bytes | dict[str, Any],
    token: str | None = BRIDGE_TOKEN,
    host: str | None = None,
    **headers: str,
) -> tuple[int, dict[str, Any]]:
    """One POST over a socket of its own, with exactly the headers given; the status and the JSON answer."""
    endpoint = parse_endpoint(base)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {endpoint.address if host is None else host}",
        "Content-Type: application/json",
    ]
    head += [f"Authorization: Bearer {token}"] if token is not None else []
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    head += [f"Content-Length: {len(data)}", "Connection: close", "", ""]
    with socket.create_connection((endpoint.host, endpoint.port), timeout=30) as connection:
        connection.sendall("\r\n".join(head).encode() + data)
        answer = b""
        while piece := connection.recv(65536):
            answer += piece
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.split(b"\r\n\r\n", 1)[1])


def create(base: str, now: str = NOW) -> str:
    status, answer = call(base, "/senders", {"now": now})
    assert status == 200, answer
    return str(answer["sender"])


@pytest.fixture
def bridge() -> Iterator[str]:
    with python_bridge(REFERENCE) as url:
        yield url


# the token


def test_a_call_without_the_token_or_with_another_is_refused_and_with_it_answered(bridge: str) -> None:
    assert call(bridge, "/senders", {"now": NOW}, token=None)[0] == 401
    status, answer = call(bridge, "/senders", {"now": NOW}, token="not-the-bridge-token-at-all")
    assert status == 401 and "\n" not in answer["error"]
    assert call(bridge, "/senders", {"now": NOW})[0] == 200


def test_without_a_token_in_its_environment_the_bridge_makes_one_and_prints_it_in_its_url() -> None:
    env = {k: v for k, v in os.environ.items() if k != "HORNEROSS_HARNESS_TOKEN"}
    command = [sys.executable, "-m", "horneross_conformance.sender.bridge", REFERENCE]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline().split(), process.stdout.readline().split()
        assert first[0] == "listening" and len(first) == 2 and second[0] == "url"  # the first line as before
        url = second[1]
        token = url.split("//", 1)[1].split("@", 1)[0]
        assert len(token) >= 32 and url.endswith(f"@127.0.0.1:{first[1]}")
        assert call(url, "/senders", {"now": NOW}, token=token)[0] == 200
        assert call(url, "/senders", {"now": NOW}, token=BRIDGE_TOKEN)[0] == 401
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_a_token_from_the_environment_is_not_printed() -> None:
    env = {**os.environ, "HORNEROSS_HARNESS_TOKEN": BRIDGE_TOKEN}
    command = [sys.executable, "-m", "horneross_conformance.sender.bridge", REFERENCE, "--base", "/harness"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().split()[1]
        assert process.stdout.readline() == f"url http://$HORNEROSS_HARNESS_TOKEN@127.0.0.1:{port}/harness\n"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert BRIDGE_TOKEN not in out + err


@pytest.mark.parametrize("token", ["short", "has space in it here", "x" * 201])
def test_a_token_that_cannot_stand_in_a_url_is_a_usage_error_in_one_sentence(token: str) -> None:
    env = {**os.environ, "HORNEROSS_HARNESS_TOKEN": token}
    command = [sys.executable, "-m", "horneross_conformance.sender.bridge", REFERENCE]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "HORNEROSS_HARNESS_TOKEN must be" in result.stderr
    assert token not in result.stderr


# the host and the origin


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:80", "127.0.0.1.attacker.example", "", "a b"])
def test_a_host_that_is_not_loopback_is_refused(bridge: str, host: str) -> None:
    status, answer = call(bridge, "/senders", {"now": NOW}, host=host)
    assert status == 403, answer


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:1234", "[::1]:80"])
def test_a_loopback_host_with_or_without_a_port_is_served(bridge: str, host: str) -> None:
    assert call(bridge, "/senders", {"now": NOW}, host=host)[0] == 200


def test_a_host_allowed_by_name_is_served() -> None:
    with python_bridge(REFERENCE, "--allow-host", "host.docker.internal") as url:
        assert call(url, "/senders", {"now": NOW}, host="host.docker.internal:8788")[0] == 200
        assert call(url, "/senders", {"now": NOW}, host="other.internal:8788")[0] == 403


@pytest.mark.parametrize(
    ("origin", "status"),
    [("https://attacker.example", 403), ("null", 403), ("http://localhost:3000", 200), ("http://127.0.0.1", 200)],
)
def test_a_request_from_another_sites_page_is_refused(bridge: str, origin: str, status: int) -> None:
    assert call(bridge, "/senders", {"now": NOW}, Origin=origin)[0] == status


@pytest.mark.parametrize("method", ["GET", "PUT", "OPTIONS"])
def test_a_call_that_is_not_a_post_is_a_405_in_one_sentence(bridge: str, method: str) -> None:
    """A browser's preflight (OPTIONS) included: nothing is allowed across sites, and nothing but POST at all."""
    endpoint = parse_endpoint(bridge)
    head = f"{method} /senders HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection((endpoint.host, endpoint.port), timeout=30) as connection:
        connection.sendall(head.encode())
        answer = b""
        while piece := connection.recv(65536):
            answer += piece
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 405 Method Not Allowed", answer
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1]) == {
        "error": "every call of the sender harness protocol is a POST."
    }


# the caps


def test_each_cap_is_a_429_in_one_sentence_and_closing_a_sender_makes_room() -> None:
    caps = ("--max-senders", "2", "--max-subscriptions", "2", "--max-emits", "3")
    with python_bridge(REFERENCE, *caps) as url:
        first, second = create(url), create(url)
        status, answer = call(url, "/senders", {"now": NOW})
        assert status == 429 and "2 senders are open" in answer["error"]
        assert call(url, f"/senders/{second}/close", {})[0] == 200
        assert call(url, "/senders", {"now": NOW})[0] == 200
        subscribe = {"now": NOW, "url": "http://127.0.0.1:9/hook", "secret": "s" * 16, "events": None}
        statuses = [call(url, f"/senders/{first}/subscribe", subscribe)[0] for _ in range(3)]
        assert statuses == [200, 200, 429]
        emit = {"now": NOW, "type": "conversation.created", "data": {"conversationId": "c"}}
        statuses = [call(url, f"/senders/{first}/emit", emit)[0] for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        status, answer = call(url, f"/senders/{first}/emit", emit)
        assert "\n" not in answer["error"] and "3 emits" in answer["error"]


def test_a_request_nested_too_deep_is_a_400_and_one_at_the_limit_is_answered(bridge: str) -> None:
    sender = create(bridge)
    deep = b'{"now":"' + NOW.encode() + b'","x":' + nested(FAR_TOO_DEEP) + b"}"
    status, answer = call(bridge, f"/senders/{sender}/run-due", deep)
    assert status == 400 and "nests deeper than 100 levels" in answer["error"]
    data = b'{"conversationId":"c","deep":' + nested(98) + b"}"  # the body, data and 98 more: 100 levels
    body = b'{"now":"' + LATER.encode() + b'","type":"conversation.created","data":' + data + b"}"
    status, answer = call(bridge, f"/senders/{sender}/emit", body)
    assert status == 200 and answer["id"].startswith("evt_")
    assert_clean(json.dumps(answer))


# one sender's slow call holds no other


class HoldingEndpoint:
    """An endpoint that holds every delivery until told to answer; it notes when one arrives."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.arrived.set()
        self.release.wait(60)  # released by the test; the bound only keeps a broken test from hanging forever
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


def test_a_run_due_held_by_its_endpoint_holds_no_call_for_another_sender() -> None:
    """The first sender's run-due waits for an endpoint that holds its answer until the test lets it go (its sender
    would wait 10 s); meanwhile the second sender's calls are answered, before the first sender's run-due is."""
    endpoint = HoldingEndpoint()
    order: list[str] = []
    with serve(endpoint) as hook, python_bridge(PATIENT) as url:
        one, two = create(url), create(url)
        subscribe = {"now": NOW, "url": f"{hook}/hook", "secret": "s" * 16, "events": None}
        assert call(url, f"/senders/{one}/subscribe", subscribe)[0] == 200
        emit = {"now": NOW, "type": "conversation.created", "data": {"conversationId": "c"}}
        assert call(url, f"/senders/{one}/emit", emit)[0] == 200

        def run_due_of_the_first() -> None:
            status = call(url, f"/senders/{one}/run-due", {"now": LATER})[0]
            order.append(f"the first sender's run-due answered {status}")

        first = threading.Thread(target=run_due_of_the_first)
        first.start()
        assert endpoint.arrived.wait(30), "the first sender's delivery never arrived"
        order.append("the first sender's delivery is held")
        calls = (("subscribe", subscribe), ("emit", emit))
        statuses = [call(url, f"/senders/{two}/{name}", {**body, "now": LATER})[0] for name, body in calls]
        order.append(f"the second sender's calls answered {statuses}")
        endpoint.release.set()
        first.join(30)
    assert order == [
        "the first sender's delivery is held",
        "the second sender's calls answered [200, 200]",
        "the first sender's run-due answered 200",
    ]


class Recording:
    """An endpoint that acknowledges every delivery and keeps its body."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.bodies.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


def test_each_sender_reads_its_own_clock() -> None:
    """Two senders at two nows, a month apart, called in turn: each event carries its own sender's time."""
    endpoint = Recording()
    nows = {
        "early": ("2026-12-01T12:00:00.000Z", "2026-12-01T12:00:05.000Z"),
        "late": ("2027-01-01T00:00:00.000Z", "2027-01-01T00:00:05.000Z"),
    }
    with serve(endpoint) as hook, python_bridge(REFERENCE) as url:
        senders = {name: create(url, first) for name, (first, _) in nows.items()}
        for name, (first, _) in nows.items():
            subscribe = {"now": first, "url": f"{hook}/hook", "secret": "s" * 16, "events": None}
            assert call(url, f"/senders/{senders[name]}/subscribe", subscribe)[0] == 200
        for name in ("late", "early"):
            now = nows[name][1]
            emit = {"now": now, "type": "conversation.created", "data": {"conversationId": name}}
            assert call(url, f"/senders/{senders[name]}/emit", emit)[0] == 200
            assert call(url, f"/senders/{senders[name]}/run-due", {"now": now})[0] == 200
    stamps = {json.loads(body)["data"]["conversationId"]: json.loads(body)["timestamp"] for body in endpoint.bodies}
    assert stamps == {"late": "2027-01-01T00:00:05Z", "early": "2026-12-01T12:00:05Z"}


# the token in a suite run


def test_the_token_appears_in_no_output_of_a_suite_run_through_the_bridge(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    with python_bridge("senders:UppercaseHex") as url:
        run = run_sender_suite(pytester, url, "-k", "SND-SIG-001 or SND-PAY-001", "-rA", f"--junitxml={junit}")
    assert run.failed() == {"SND-03"}, run.stdout
    outputs = [run.stdout, run.stderr, json.dumps(run.report), junit.read_text(encoding="utf-8")]
    for form in secret_forms(BRIDGE_TOKEN):
        assert all(form.lower() not in output.lower() for output in outputs), form
    assert run.report["target"].startswith("http://127.0.0.1:")


def test_a_harness_url_without_the_token_is_a_usage_error_that_says_so(pytester: pytest.Pytester, bridge: str) -> None:
    without = "http://" + bridge.split("@", 1)[1]
    run = run_sender_suite(pytester, without, "-k", "SND-PAY-001")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "401" in run.stderr and "token" in run.stderr


def test_a_harness_that_echoes_its_credential_shows_it_nowhere(pytester: pytest.Pytester) -> None:
    def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("500 Oops", [("Content-Type", "application/json")])
        return [json.dumps({"error": f"refused {environ.get('HTTP_AUTHORIZATION')}"}).encode()]

    with serve(echo) as base:
        url = base.replace("http://", f"http://{BRIDGE_TOKEN}@")
        run = run_sender_suite(pytester, url, "-k", "SND-PAY-001")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "refused Bearer [secret redacted]" in run.stderr
    assert BRIDGE_TOKEN not in run.stdout + run.stderr
