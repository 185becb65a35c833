"""The sender suite's receiving end on real sockets: what a capture keeps of a body, and what it costs."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from peers import express_receiver
from senders import post

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.events import sample_event
from horneross_conformance.core.limits import CAPTURE_KEPT_BYTES
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.capture import Answer, CaptureEndpoint, CaptureLog, CaptureServer, always
from horneross_conformance.sender.target import EXPRESS_LIMIT

MEGABYTE = b"y" * (1 << 20)
SECRET = "capture-test-secret"


@pytest.fixture
def served() -> Iterator[tuple[CaptureLog, CaptureEndpoint]]:
    log = CaptureLog()
    server = CaptureServer(log)
    server.start()
    path = log.new_path()
    endpoint = CaptureEndpoint("A", server.base_url() + path, path, "not-a-real-secret", always(Answer(200)))
    log.register(endpoint)
    try:
        yield log, endpoint
    finally:
        server.stop()


def test_a_small_body_is_kept_whole(served: tuple[CaptureLog, CaptureEndpoint]) -> None:
    log, endpoint = served
    assert post(endpoint.url, b'{"a":1}', {"Content-Type": "application/json"}, 30)[0] == 200
    [capture] = log.captures
    assert (capture.body, capture.size, capture.endpoint, capture.attempt) == (b'{"a":1}', 7, endpoint, 1)


def test_a_large_body_is_read_to_its_end_and_only_its_start_kept(
    served: tuple[CaptureLog, CaptureEndpoint],
) -> None:
    log, endpoint = served
    body = bytes(range(256)) * (3 * 4096)  # 3 MiB, no two neighbouring KiB alike
    assert post(endpoint.url, body, {"Content-Type": "application/json"}, 30)[0] == 200
    [capture] = log.captures
    assert capture.body == body[:CAPTURE_KEPT_BYTES]
    assert capture.size == len(body)


def test_a_chunked_body_is_read_whole(served: tuple[CaptureLog, CaptureEndpoint]) -> None:
    log, endpoint = served
    parts = [b'{"first":', b'"part",', b'"second":"part"}']
    status, _ = post(endpoint.url, iter(parts), {}, 30)  # http.client sends an iterator chunked
    assert status == 200
    [capture] = log.captures
    assert (capture.body, capture.size) == (b"".join(parts), sum(map(len, parts)))


def test_a_fifty_megabyte_body_is_never_held_in_memory(served: tuple[CaptureLog, CaptureEndpoint]) -> None:
    """A server that read every body whole before its handler ran (pytest-httpserver's did) would hold 50 MB; the
    capture server streams it, keeping its first 256 KiB."""
    log, endpoint = served
    size = 50 * len(MEGABYTE)
    tracemalloc.start()
    try:
        status, _ = post(endpoint.url, iter([MEGABYTE] * 50), {"Content-Length": str(size)}, 30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 200
    assert log.captures[0].size == size
    # what is kept, the pieces read from the socket and the server's buffers: a body read whole would add 50 MB
    assert peak < 2 * len(MEGABYTE), f"the server held {peak} bytes at once"


def padded_event(size: int) -> bytes:
    """A signed-ready message event of exactly ``size`` bytes, its content padded."""
    event = sample_event("conversation.message.created")
    event["data"]["content"] = ""
    event["data"]["content"] = "x" * (size - len(canonical_bytes(event)))
    return canonical_bytes(event)


def test_the_documented_receiver_refuses_what_the_suite_cannot_keep_whole() -> None:
    """The sender suite calls a body longer than it keeps unreadable (SND-01), because the documentation's
    Express receiver refuses it: express.json() accepts 100 kB. A signed event just under that is accepted."""
    assert CAPTURE_KEPT_BYTES > EXPRESS_LIMIT
    with express_receiver(SECRET) as url:
        for size, status in ((EXPRESS_LIMIT - 1024, 200), (EXPRESS_LIMIT + 1024, 413), (CAPTURE_KEPT_BYTES + 1, 413)):
            body = padded_event(size)
            assert len(body) == size
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
            assert post(url, body, headers, 10)[0] == status, size
