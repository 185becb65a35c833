"""The bridge's senders, each in a process of its own with a frozen clock of its own.

A Python sender reads the time from the standard library, which freezegun replaces for a whole process: one clock
per process. Had every sender of the bridge shared one, their calls would take turns, and one caller's ``run_due``
against an endpoint that holds its answer would hold every other caller. So each sender lives in a process of its
own, which only it and its clock use, and the bridge's threads wait each for the one sender they call.

Those processes are forked from a *fork server*, forked itself before the bridge starts any thread: it imports the
vendor's module and starts freezegun once (the start looks through every module for references to the real time,
a slow step), then forks a child for each sender. A child moves its own clock to each call's ``now`` and calls its
sender, as the bridge did in its own process before; what the sender sees is the same (``time.time()``,
``datetime.now()``, from any thread it starts, ``threading`` dropped from freezegun's ignore list as in
``sender.clock``).

The bridge and a sender's process talk in JSON over a socket pair (``multiprocessing.connection``'s framing), never
in pickles; the fork server hands the bridge each pair's end over a Unix socket. A child ends when its sender is
closed, or when the bridge is gone (its socket reads the end), after the call it is making.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

HEADER = 4  # bytes of a frame's length, on the fork server's socket
ERROR_CHARS = 300  # of a sender's exception, in the one sentence of a failed call


class ProcessEnded(Exception):
    """A sender's process is gone: killed, crashed, or it exited in the middle of a call."""


class SenderProcess:
    """The bridge's end of one sender's process. ``call`` is not locked: the bridge calls one sender at a time."""

    def __init__(self, pid: int, connection: Connection) -> None:
        self.pid = pid
        self._connection = connection

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one call and wait for its answer: ``{}`` or an answer's fields, or ``{"status": ..., "error": ...}``."""
        try:
            self._connection.send_bytes(json.dumps(message).encode("ascii"))
            answer: dict[str, Any] = json.loads(self._connection.recv_bytes())
        except (EOFError, OSError, ValueError):
            raise ProcessEnded from None
        return answer

    def end(self) -> None:
        """Let the process go: it reads the end of its socket and exits (after the call it is making, if any)."""
        self._connection.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            os.kill(self.pid, signal.SIGKILL)


class ForkServer:
    """Forks a process for each sender, from a process that imported the factory's module and froze its clock."""

    def __init__(self, spec: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._pid = os.fork()
        if self._pid == 0:  # the fork server
            ours.close()
            try:
                _serve_forks(spec, theirs)
            finally:
                os._exit(0)
        theirs.close()
        self._socket = ours
        self._lock = threading.Lock()
        answer, _ = _receive(ours)
        if "error" in answer:
            self.stop()
            raise ValueError(answer["error"])

    def new_sender(self) -> SenderProcess:
        """A fresh process, waiting for its sender to be created."""
        with self._lock:
            _send(self._socket, {"fork": True})
            answer, descriptors = _receive(self._socket)
        if "error" in answer or len(descriptors) != 1:
            raise ProcessEnded
        return SenderProcess(answer["pid"], Connection(descriptors[0]))

    def stop(self) -> None:
        self._socket.close()  # the fork server reads the end and exits
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        except OSError:
            pass


def _serve_forks(spec: str, channel: socket.socket) -> None:
    """The fork server: load the factory, freeze the clock, then fork a sender's process on each request."""
    from freezegun import freeze_time

    from horneross_conformance.sender.adapter import load_factory

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the bridge's to handle: it ends every process
    try:
        factory = load_factory(spec)
    except ValueError as error:
        _send(channel, {"error": str(error)})
        return
    freezer = freeze_time(datetime.now(UTC))
    freezer.ignore = tuple(name for name in freezer.ignore if name != "threading")
    frozen = freezer.start()
    _send(channel, {"loaded": True})
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the senders' processes
    while True:
        try:
            _receive(channel)
        except (EOFError, OSError):
            return  # the bridge is gone
        bridge_end, sender_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # a sender's process
            channel.close()
            bridge_end.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the sender may wait for processes of its own
            try:
                _serve_sender(Connection(sender_end.detach()), factory, frozen)
            finally:
                _flush()
                os._exit(0)
        sender_end.close()
        try:
            _send(channel, {"pid": pid}, [bridge_end.fileno()])
        except OSError:
            return
        finally:
            bridge_end.close()


def _serve_sender(connection: Connection, factory: Any, frozen: Any) -> None:
    """A sender's process: create the sender, then answer calls, each at its ``now``, until closed."""
    from horneross_conformance.sender.adapter import check_sender

    sender: Any = None
    while True:
        try:
            message = json.loads(connection.recv_bytes())
        except (EOFError, OSError):
            return
        call = message["call"]
        if call == "close":
            connection.send_bytes(b"{}")
            return
        frozen.move_to(datetime.fromisoformat(message["now"]))
        try:
            if call == "create":
                sender = _called(factory, what="the factory")
                check_sender(sender)  # a sender without the protocol's methods: a 500, in one sentence
                answer: dict[str, Any] = {}
            else:
                answer = _call_sender(sender, call, message)
        except _Failed as failure:
            answer = {"status": 500, "error": str(failure)}
        except ValueError as error:
            answer = {"status": 500, "error": str(error)}
        connection.send_bytes(json.dumps(answer).encode("ascii"))


class _Failed(Exception):
    """A method of the sender raised: the one sentence of the call's 500."""


def _call_sender(sender: Any, call: str, message: dict[str, Any]) -> dict[str, Any]:
    if call == "subscribe":
        _called(sender.subscribe, message["url"], message["secret"], message["events"])
        return {}
    if call == "emit":
        event_id = _called(sender.emit, message["type"], message["data"])
        if not isinstance(event_id, str):
            raise _Failed(f"emit() returned a {type(event_id).__name__}, not an event id.")
        return {"id": event_id}
    _called(sender.run_due)
    return {}


def _called(function: Any, *arguments: Any, what: str = "") -> Any:
    try:
        return function(*arguments)
    except BaseException as error:  # the vendor's code: whatever it raises (SystemExit too) is the call's failure
        name = what or f"{function.__name__}()"
        raise _Failed(f"{name} raised {type(error).__name__}: {error}"[:ERROR_CHARS]) from None


def _flush() -> None:
    """What the sender printed reaches the bridge's output before its process exits (``os._exit`` flushes nothing)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _send(channel: socket.socket, message: dict[str, Any], descriptors: list[int] | None = None) -> None:
    data = json.dumps(message).encode("ascii")
    frame = len(data).to_bytes(HEADER, "big") + data
    sent = socket.send_fds(channel, [frame], descriptors) if descriptors else 0  # the descriptors ride on the head
    channel.sendall(frame[sent:])


def _receive(channel: socket.socket) -> tuple[dict[str, Any], list[int]]:
    head, descriptors, _, _ = socket.recv_fds(channel, HEADER, 1)
    if not head:
        raise EOFError
    head += _exactly(channel, HEADER - len(head))
    data = _exactly(channel, int.from_bytes(head, "big"))
    return json.loads(data), descriptors


def _exactly(channel: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        piece = channel.recv(size - len(data))
        if not piece:
            raise EOFError
        data += piece
    return data
