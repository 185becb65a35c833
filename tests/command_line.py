"""The horneross-conformance command, run as a user runs it: a subprocess, with a bounded time."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from horneross_conformance.core.contract import SECRET_ENV

START_LIMIT = 20  # seconds for the listener to say where it listens


def executable() -> str:
    found = shutil.which("horneross-conformance")
    if found is None:
        pytest.fail("horneross-conformance is not on PATH: pip install -e '.[test]'")
    return found


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment without any webhook secret, plus ``env``."""
    return {k: v for k, v in os.environ.items() if k != SECRET_ENV} | (env or {})


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    data = stdin.decode("utf-8", "surrogateescape") if isinstance(stdin, bytes) else stdin
    return subprocess.run(
        [executable(), *args],
        cwd=cwd,
        env=environment(env),
        input=data if data is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Listening:
    """A running ``horneross-conformance listen``: its URL, and its output once stopped. Its output is read as it
    comes, as a terminal would: a pipe nobody reads would fill up and stall it."""

    def __init__(self, process: subprocess.Popen[str], url: str, first_lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = list(first_lines)
        self.output = ""
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def stop(self, timeout: float = 20) -> str:
        """Stop it as a terminal would (SIGTERM), and return everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(10)
        assert self.process.stdout is not None and self.process.stderr is not None
        self.output = "".join(self.lines)
        self.stderr = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return self.output


@contextlib.contextmanager
def listening(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Iterator[Listening]:
    process = subprocess.Popen(
        [executable(), "listen", "--port", "0", *args],
        cwd=cwd,
        env=environment(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    listener = None
    try:
        lines = []
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line:
                break
            lines.append(line)
            if line.startswith("listening on "):
                url = line.split()[2]
                listener = Listening(process, url, lines)
                break
        if listener is None:
            process.kill()
            out, err = process.communicate(timeout=10)
            pytest.fail(f"listen did not start: {''.join(lines)}{out}{err}")
        yield listener
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def passed_its_selection(result: subprocess.CompletedProcess[str]) -> bool:
    """A ``run -- -k ...`` whose selected checks all passed: what the selection left out was not checked, so the
    verdict is NOT CERTIFIED and the exit code 1, never 0, and no check but the verdict failed."""
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED horneross-")]
    return (
        result.returncode == 1
        and "verdict: NOT CERTIFIED" in result.stdout
        and all("::verdict " in line for line in failed)
    )


def inspector_url(listener: Listening) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [line.split("inspector: ", 1)[1].strip() for line in listener.lines if "inspector: " in line]
        if found:
            return found[0]
        time.sleep(0.02)
    pytest.fail("listen --ui printed no inspector URL")
