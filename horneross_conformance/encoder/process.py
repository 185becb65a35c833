"""An encoder in its own process, fed one JSON text per line and read one answer per line, with every wait bounded.

The encoder is a program of the vendor's, in any language, and nothing it does is trusted: it may hang, exit, print
nothing, print more lines than it was given, print megabytes without a line break or flood its standard error. Each
answer is waited for at most ``timeout`` seconds and read up to ``MAX_ANSWER_BYTES``; standard error keeps only its
last few KiB, for the sentence that says what went wrong. Everything runs on one thread with ``select``: writing a
long line to an encoder that does not read cannot block the check.

The encoder runs in a session of its own, and ``close`` kills that whole process group (``go run`` and shell
wrappers start children of their own), so nothing the check started outlives it.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Sequence

DEFAULT_TIMEOUT = 5.0  # seconds for each answer, the first one (start-up) included
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # the longest output of any vector is 70 KB; generated ones are tiny
STDERR_KEPT_BYTES = 4096
EXIT_WAIT = 1.0  # seconds an encoder is given to exit once its input is closed, before it is killed
_CHUNK = 64 * 1024


class CannotStart(Exception):
    """The command could not be started at all (not found, not executable): a usage error, nothing was checked."""


class EncoderBroken(Exception):
    """The encoder hung, exited, or answered in a way no line can be read from: one sentence says which."""


class EncoderProcess:
    """One running encoder: ``answer`` sends a line and returns the line it writes back."""

    def __init__(self, command: Sequence[str], timeout: float) -> None:
        self.command = list(command)
        self.timeout = timeout
        self.lines = 0  # lines sent so far
        self._what = ""  # what the last line was, for the sentences
        self._buffer = b""
        self._stderr = b""
        try:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, killed whole by close()
            )
        except FileNotFoundError:
            raise CannotStart(f"cannot start {self.command[0]!r}: no such program") from None
        except PermissionError:
            raise CannotStart(f"cannot start {self.command[0]!r}: it is not executable") from None
        except OSError as error:
            raise CannotStart(f"cannot start {self.command[0]!r}: {error.strerror or error}") from None
        streams = self._process.stdin, self._process.stdout, self._process.stderr
        assert streams[0] is not None and streams[1] is not None and streams[2] is not None
        self._stdin: int | None = streams[0].fileno()
        self._stdout = streams[1].fileno()
        self._stderr_fd: int | None = streams[2].fileno()
        for fd in (self._stdin, self._stdout, self._stderr_fd):
            os.set_blocking(fd, False)

    def answer(self, line: bytes, what: str = "") -> bytes:
        """Write ``line`` and a line feed; return the next line the encoder writes, without its line break (LF, or
        CR LF). ``EncoderBroken`` when no such line comes within the timeout, or the encoder cannot be read;
        ``what`` names the line in that sentence ("canonical vector deep-nesting")."""
        if self._buffer or self._poll_stdout():
            raise EncoderBroken(
                f"the encoder wrote more than one line in answer to line {self.lines}{self._what}: it must write "
                "exactly one line per input"
            )
        self.lines += 1
        self._what = f" ({what})" if what else ""
        pending = line + b"\n"
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_ANSWER_BYTES:
                raise EncoderBroken(
                    f"the encoder's answer to line {self.lines}{self._what} ran past "
                    f"{MAX_ANSWER_BYTES // (1024 * 1024)} MiB without a line break"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EncoderBroken(self._hung())
            pending = self._exchange(pending, remaining)
        answer, _, self._buffer = self._buffer.partition(b"\n")
        return answer.removesuffix(b"\r")

    def _exchange(self, pending: bytes, remaining: float) -> bytes:
        """One ``select``: write what the encoder will take of ``pending``, read what it wrote; what is left to
        write is returned."""
        readers = [fd for fd in (self._stdout, self._stderr_fd) if fd is not None]
        writers = [self._stdin] if pending and self._stdin is not None else []
        readable, writable, _ = select.select(readers, writers, [], remaining)
        if writable:
            try:
                written = os.write(self._stdin, pending[:_CHUNK])  # type: ignore[arg-type]
            except BrokenPipeError:
                written = len(pending)  # it closed its input: its output will tell (an answer, or its exit)
            pending = pending[written:]
        if self._stderr_fd in readable:
            self._read_stderr()
        if self._stdout in readable:
            chunk = os.read(self._stdout, _CHUNK)
            if not chunk:
                raise EncoderBroken(self._ended())
            self._buffer += chunk
        return pending

    def _poll_stdout(self) -> bool:
        """Whether the encoder already wrote something nobody asked for (no wait)."""
        readable, _, _ = select.select([self._stdout], [], [], 0)
        if not readable:
            return False
        chunk = os.read(self._stdout, _CHUNK)
        self._buffer += chunk
        return bool(chunk)

    def _read_stderr(self) -> None:
        assert self._stderr_fd is not None
        chunk = os.read(self._stderr_fd, _CHUNK)
        if not chunk:
            self._stderr_fd = None
            return
        self._stderr = (self._stderr + chunk)[-STDERR_KEPT_BYTES:]

    def _hung(self) -> str:
        return (
            f"the encoder gave no answer to line {self.lines}{self._what} within {self.timeout:g} s: it must write "
            "one line for each line it reads and flush its output before reading the next (raise --timeout if it "
            "starts slowly)"
        )

    def _ended(self) -> str:
        try:
            status = self._process.wait(EXIT_WAIT)
        except subprocess.TimeoutExpired:
            how = "closed its standard output"
        else:
            how = f"exited with status {status}" if status >= 0 else f"was killed by signal {-status}"
        return f"the encoder {how} before answering line {self.lines}{self._what}{self.stderr_note()}"

    def stderr_note(self) -> str:
        """The end of what the encoder wrote on its standard error, as a clause (raw: the caller makes it inert)."""
        with contextlib.suppress(OSError):
            while self._stderr_fd is not None and select.select([self._stderr_fd], [], [], 0)[0]:
                self._read_stderr()
        text = self._stderr.decode("utf-8", "replace").strip()
        if not text:
            return ""
        last = text.splitlines()[-1][-300:]
        return f"; its standard error ends with {last!r}"

    def finish(self) -> str | None:
        """Close the encoder's input and wait briefly for it to exit. What it wrote after its last answer is a
        fault, returned as a sentence; ``None`` when there was nothing."""
        if self._stdin is not None and self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()  # the file object, so that its descriptor is closed once only
            self._stdin = None
        extra = self._buffer
        deadline = time.monotonic() + EXIT_WAIT
        while len(extra) <= MAX_ANSWER_BYTES and (remaining := deadline - time.monotonic()) > 0:
            if not select.select([self._stdout], [], [], remaining)[0]:
                break
            chunk = os.read(self._stdout, _CHUNK)
            if not chunk:
                break
            extra += chunk
        if not extra.strip(b"\r\n"):
            return None
        more = extra.count(b"\n") + (not extra.endswith(b"\n"))
        return (
            f"the encoder wrote {more} more line{'s' * (more > 1)} than the {self.lines} it was given: it must write "
            "exactly one line per input"
        )

    def close(self) -> None:
        """Kill the encoder's process group and reap it: nothing it started outlives the check."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)  # before wait(): the pid cannot have been reused yet
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout, self._process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def __enter__(self) -> EncoderProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
