"""``listen --ui`` over plain HTTP: the page and its API on the listener's port, refused to other hosts, origins and
requests without the printed token, serving deliveries (hostile ones as inert JSON strings) live and replaying them."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import receivers as r
from command_line import Listening, inspector_url, listening
from receivers.signatures import Verifying

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
HOSTILE = '<script>alert(1)</script><a href="javascript:alert(2)">x</a>\x1b[31mred\x1b]8;;http://x\x07'


def request(url: str, path: str, method: str = "GET", body: bytes | None = None, **headers: str) -> Any:
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    connection.putrequest(method, path, skip_host="Host" in headers)
    for name, value in {"Content-Length": str(len(body or b"")), **headers}.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    try:
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Listening, str, str]]:
    folder = tmp_path_factory.mktemp("ui")
    with listening("--ui", "--db", "history.sqlite3", cwd=folder, env=SECRET_ENV) as listener:
        url = inspector_url(listener)
        token = url.split("token=", 1)[1]
        yield listener, url, token
        listener.stop()


def test_the_page_is_served_with_a_strict_policy_and_the_api_only_with_the_token_host_and_origin(
    running: tuple[Listening, str, str],
) -> None:
    _, url, token = running
    page, html = request(url, "/_inspector/")
    policy = page.getheader("Content-Security-Policy")
    assert page.status == 200 and b'<script src="app.js"' in html
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
    assert page.getheader("Referrer-Policy") == "no-referrer"
    script, _ = request(url, "/_inspector/app.js")
    assert script.status == 200 and script.getheader("Content-Type").startswith("text/javascript")
    assert request(url, f"/_inspector/api/deliveries?token={token}")[0].status == 200
    assert request(url, "/_inspector/api/deliveries")[0].status == 403
    assert request(url, "/_inspector/api/deliveries?token=guess")[0].status == 403
    assert request(url, f"/_inspector/api/deliveries?token={token}", Host="evil.example")[0].status == 421
    assert request(url, f"/_inspector/api/deliveries?token={token}", Origin="http://evil.example")[0].status == 403
    own = f"http://{urlsplit(url).netloc}"
    assert request(url, f"/_inspector/api/deliveries?token={token}", Origin=own)[0].status == 200


def test_deliveries_are_listed_judged_and_streamed_live_the_hostile_ones_as_plain_strings(
    running: tuple[Listening, str, str],
) -> None:
    listener, url, token = running
    split = urlsplit(url)
    stream = http.client.HTTPConnection(split.hostname, split.port, timeout=20)
    stream.request("GET", f"/_inspector/api/stream?token={token}&after=0")
    events = stream.getresponse()
    assert events.status == 200 and events.getheader("Content-Type") == "text/event-stream"
    event = sample_event("conversation.message.created")
    event["data"]["content"] = HOSTILE
    body = canonical_bytes(event)
    target = parse_endpoint(listener.url + "hook/" + "%3Cscript%3E")
    post(target, body, {"X-Horneross-Signature": sign(body, r.SECRET)}, 10)
    post(target, body, {"X-Horneross-Signature": "0" * 64}, 10)
    listing = json.loads(request(url, f"/_inspector/api/deliveries?token={token}")[1])
    shown = {d["signature"]: d for d in listing["deliveries"]}
    assert shown["signature ok"]["type"] == "conversation.message.created" and shown["signature ok"]["status"] == 200
    assert shown["signature WRONG"]["status"] == 401 and shown["signature WRONG"]["id"] == event["id"]
    detail_answer, detail_bytes = request(
        url, f"/_inspector/api/delivery?token={token}&number={shown['signature WRONG']['number']}"
    )
    detail = json.loads(detail_bytes)
    assert json.loads(detail["body"])["data"]["content"] == HOSTILE  # a JSON string; the page puts it in textContent
    assert detail["signature_check"]["expected"] == sign(body, r.SECRET)
    assert detail["signature_check"]["received"] == "0" * 64
    assert r.SECRET.encode() not in detail_bytes + json.dumps(listing).encode()
    assert detail_answer.getheader("Content-Type") == "application/json"
    lines = []
    while len([line for line in lines if line.startswith(b"data: ")]) < 2:
        lines.append(events.fp.readline())
    events.close()
    stream.close()
    assert b"conversation.message.created" in b"".join(lines)


def test_replay_from_the_api_reaches_a_receiver_and_is_refused_to_another_origin(
    running: tuple[Listening, str, str],
) -> None:
    listener, url, token = running
    body = canonical_bytes(sample_event("lead.captured"))
    post(parse_endpoint(listener.url), body, {"X-Horneross-Signature": sign(body, r.SECRET)}, 10)
    listing = json.loads(request(url, f"/_inspector/api/deliveries?token={token}")[1])
    number = next(d["number"] for d in listing["deliveries"] if d["type"] == "lead.captured")
    receiver = Verifying(r.SECRET)
    with serve(receiver) as app:
        asked = json.dumps({"numbers": [number], "to": app + "/in"}).encode()
        path = f"/_inspector/api/replay?token={token}"
        refused, _ = request(url, path, "POST", asked, Origin="http://evil.example")
        answer, report = request(url, path, "POST", asked, Origin=f"http://{urlsplit(url).netloc}")
    assert refused.status == 403 and answer.status == 200
    assert json.loads(report)["results"] == [
        {"number": number, "captured": 200, "status": 200, "answer": "200 OK", "passed": True}
    ]
    assert receiver.received == [(body, sign(body, r.SECRET))]


def test_count_counts_deliveries_not_the_page_s_requests(tmp_path: Path) -> None:
    with listening("--ui", "--db", "h.sqlite3", "--count", "1", cwd=tmp_path, env=SECRET_ENV) as listener:
        url = inspector_url(listener)
        token = url.split("token=", 1)[1]
        for path in ("/_inspector/", "/favicon.ico", f"/_inspector/api/deliveries?token={token}"):
            request(url, path)
        assert listener.process.poll() is None  # three answers, no delivery: still listening
        body = canonical_bytes(sample_event("lead.captured"))
        post(parse_endpoint(listener.url), body, {"X-Horneross-Signature": sign(body, r.SECRET)}, 10)
        assert listener.process.wait(20) == 0
        listener.stop()
