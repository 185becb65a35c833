"""``listen`` stays bounded in memory and keeps answering whatever its clients send, measured from outside.

The listener runs as a user runs it (a subprocess); its peak memory is the kernel's high-water mark of its
resident set (``VmHWM`` in ``/proc/PID/status``), read after the attack.
"""

from __future__ import annotations

import fcntl
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import receivers as r
from command_line import environment, executable, listening

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.cli.listen import LOG_BODY, Outlet
from horneross_conformance.core.events import sample_event
from horneross_conformance.core.limits import LISTEN_BOUNDS
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.http_server import BoundedServer

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
MiB = 1024 * 1024
F_SETPIPE_SZ = 1031  # Linux's fcntl command to resize a pipe

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def address(url: str) -> tuple[str, int]:
    endpoint = parse_endpoint(url)
    return endpoint.host, endpoint.port


def real_delivery(url: str, timeout: float = 10) -> int:
    """The status of a signed delivery; a delivery that gets no answer within ``timeout`` raises."""
    body = canonical_bytes(sample_event("conversation.created"))
    headers = {"Content-Type": "application/json", "X-Horneross-Signature": sign(body, r.SECRET)}
    return post(parse_endpoint(url + "webhook"), body, headers, timeout).status


def stream(url: str, head: bytes, piece: bytes, total: int) -> tuple[bytes, int]:
    """Send ``head``, then ``piece`` again and again up to ``total`` bytes or until the listener stops reading;
    return its answer (what it wrote before closing) and how much was sent."""
    sent = 0
    with socket.create_connection(address(url), timeout=30) as sock:
        sock.sendall(head)
        try:
            while sent < total:
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass  # it answered and closed: the rest is not read
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer, sent


HEAD = b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.slow
def test_a_chunk_size_of_minus_one_is_refused_and_200_mib_after_it_cost_no_memory(tmp_path: Path) -> None:
    with listening("--log", "log.jsonl", cwd=tmp_path, env=SECRET_ENV) as listener:
        before = peak_memory(listener.process.pid)
        answer, _ = stream(listener.url, HEAD + b"-1\r\n", b"x" * MiB, 200 * MiB)
        status = real_delivery(listener.url)
        peak = peak_memory(listener.process.pid)
        listener.stop()
    assert answer.startswith(b"HTTP/1.1 400 ") and b"chunk size" in answer
    assert status == 200
    assert peak < 100 * MiB, (before, peak)


@pytest.mark.slow
def test_a_chunked_body_of_200_mib_is_cut_at_the_limit(tmp_path: Path) -> None:
    chunk = b"%x\r\n" % MiB + b"x" * MiB + b"\r\n"
    with listening("--log", "log.jsonl", cwd=tmp_path, env=SECRET_ENV) as listener:
        before = peak_memory(listener.process.pid)
        answer, sent = stream(listener.url, HEAD, chunk, 200 * MiB)
        peak = peak_memory(listener.process.pid)
        listener.stop()
    assert answer.startswith(b"HTTP/1.1 413 ") or answer == b""  # a reset may swallow the answer
    assert sent < 200 * MiB and peak < 100 * MiB, (before, peak, sent)
    assert (tmp_path / "log.jsonl").read_text() == ""  # no delivery was made of it


@contextmanager
def slow_clients(url: str, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that each send a byte of a request head every second, never finishing it."""
    sockets = [socket.create_connection(address(url), timeout=5) for _ in range(count)]
    stop = threading.Event()

    def drip() -> None:
        while not stop.wait(1):
            for sock in sockets:
                with suppress(OSError):
                    sock.send(b"X")

    for sock in sockets:
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        yield sockets
    finally:
        stop.set()
        dripper.join(5)
        for sock in sockets:
            sock.close()


@pytest.mark.slow
def test_hundreds_of_slow_clients_do_not_delay_a_real_delivery(tmp_path: Path) -> None:
    """Slow clients fill every connection the listener keeps, and each would hold its place for the request time if it
    were not pushed out: a real delivery that waited for one to run out of time would get no answer within a third
    of that, and raise."""
    with listening("--quiet", cwd=tmp_path, env=SECRET_ENV) as listener:
        with slow_clients(listener.url, 400):  # more than the listener's connection limit
            time.sleep(LISTEN_BOUNDS.grace * 1.5)  # they have all been slow for longer than a real delivery ever is
            statuses = [real_delivery(listener.url, timeout=LISTEN_BOUNDS.request_time / 3) for _ in range(5)]
        output = listener.stop()
    assert statuses == [200] * 5
    assert "stopped: 5 deliveries, 5 signed and valid" in output


@pytest.mark.slow
def test_a_paused_terminal_grows_no_memory_and_blocks_no_answer(tmp_path: Path) -> None:
    """Nobody reads the listener's output (a terminal paused with Ctrl-S, a full pipe) while 40 unsigned posts of
    16 MiB arrive: each is answered, memory stays bounded, and what could not be printed is counted."""
    body = b'{"type":"x","data":{"content":"' + b"a" * (16 * MiB - 64) + b'"}}'
    process = subprocess.Popen(
        [executable(), "listen", "--port", "0"],
        cwd=tmp_path,
        env=environment(SECRET_ENV),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        fcntl.fcntl(process.stdout.fileno(), F_SETPIPE_SZ, 4096)  # a small pipe: a few lines fill it
        url = process.stdout.readline().split()[2].decode()
        statuses = []
        for _ in range(40):  # not read from here on: the pipe fills up, and printing stops
            statuses.append(
                post(parse_endpoint(url + "webhook"), body, {"Content-Type": "application/json"}, 30).status
            )
        status = real_delivery(url)  # printing is blocked: an answer at all shows that it blocks no answer
        peak = peak_memory(process.pid)
        process.terminate()
        output, _errors = process.communicate(timeout=30)  # the terminal resumes: what was kept is written
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert statuses == [401] * 40 and status == 200
    assert peak < 150 * MiB, peak
    assert b"stopped: 41 deliveries, 1 signed and valid, 40 with problems" in output


def test_an_output_that_falls_behind_drops_and_counts_instead_of_growing(capsys: pytest.CaptureFixture[str]) -> None:
    written: list[str] = []
    resume = threading.Event()

    def write(text: str) -> None:
        resume.wait(10)  # a paused terminal
        written.append(text)

    outlet = Outlet(write, 10, "{} deliveries not printed")
    writer = threading.Thread(target=outlet.run)
    writer.start()
    for text in ["first", "12345", "67890", "x", "y"]:
        outlet.put(text)  # never blocks: "first" is being written, two fit in the backlog, the rest are dropped
        time.sleep(0.05)
    resume.set()
    outlet.close()
    writer.join(10)
    assert written == ["first", "12345", "67890"]
    assert "horneross-conformance listen: 2 deliveries not printed" in capsys.readouterr().err


@contextmanager
def bounded_server() -> Iterator[tuple[str, int]]:
    """The listener's HTTP side alone, answering 200 with the body's length to every request it can read."""
    server = BoundedServer("127.0.0.1", 0, lambda request: (200, b"%d" % len(request.read())), LISTEN_BOUNDS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.address
    finally:
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(
    ("sent", "answer"),
    [
        (b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", b"HTTP/1.1 400 "),
        (b"Transfer-Encoding: gzip\r\n\r\n", b"HTTP/1.1 501 "),
        (b"Content-Length: 99999999999\r\n\r\n", b"HTTP/1.1 413 "),
        (b"Content-Length: " + "²".encode() + b"\r\n\r\n", b"HTTP/1.1 400 "),
        (b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n", b"HTTP/1.1 400 "),
        (b"Transfer-Encoding: chunked\r\n\r\n1_0\r\n", b"HTTP/1.1 400 "),
        (b"Transfer-Encoding: chunked\r\n\r\n0x10\r\n", b"HTTP/1.1 400 "),
        (b"Transfer-Encoding: chunked\r\n\r\n123456789\r\n", b"HTTP/1.1 400 "),
        (b"X: " + b"a" * 70_000 + b"\r\n\r\n", b"HTTP/1.1 431 "),
        (b"Transfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n", b"HTTP/1.1 200 OK"),
        (b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"),
    ],
)
def test_what_cannot_be_read_safely_is_refused_with_a_status(sent: bytes, answer: bytes) -> None:
    with bounded_server() as where, socket.create_connection(where, timeout=5) as sock:
        sock.sendall(b"POST /w HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + sent)
        received = b""
        with suppress(OSError):
            while chunk := sock.recv(65536):
                received += chunk
    assert received.startswith(answer), received[:200]
    if answer.endswith(b"200 OK"):
        assert received.endswith(b"\r\n\r\n5") or received.endswith(b"\r\n\r\n2")


@pytest.mark.parametrize("line", [b"POST /w\x1b[2J HTTP/1.1", b"POST /w HTTP/2.0", b"P\nOST /w HTTP/1.1", b"POST"])
def test_a_request_line_that_is_not_http_1_is_refused(line: bytes) -> None:
    with bounded_server() as where, socket.create_connection(where, timeout=5) as sock:
        sock.sendall(line + b"\r\nHost: x\r\n\r\n")
        received = sock.recv(65536)
    assert received.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 505 ")), received


def test_a_large_delivery_is_logged_by_its_start_and_its_size(tmp_path: Path) -> None:
    body = b'{"type":"x","data":{"content":"' + b"\xc3\xb1" * (2 * MiB) + b'"}}'
    with listening("--log", "log.jsonl", cwd=tmp_path, env=SECRET_ENV) as listener:
        answer = post(parse_endpoint(listener.url + "webhook"), body, {"Content-Type": "application/json"}, 30)
        output = listener.stop()
    log = (tmp_path / "log.jsonl").read_text()
    entry = json.loads(log)
    assert answer.status == 401 and entry["body_bytes"] == len(body) and len(entry["body"]) == LOG_BODY
    assert len(log) < 8 * LOG_BODY and len(output) < 4096
