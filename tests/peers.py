"""Real peers for the toolkit's tests: Node.js computing JSON.stringify and HMAC, the documented Express receiver."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "tests" / "node"
STARTUP_LIMIT = 15  # seconds; Node starts Express in well under one
ANSWER_LIMIT = 30  # seconds for one answer of the stringify peer, a batch included


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: these tests compare against real Node.js (install Node.js 20)")
    if not (ROOT / "node_modules" / "express").is_dir():
        pytest.fail("node_modules/express is missing: run 'npm ci' in the project folder")
    return node


class NodeStringify:
    """One long-lived ``node`` process answering JSON.stringify(JSON.parse(text)) and HMAC requests line by line."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [node_binary(), str(NODE_DIR / "stringify.js")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
        self._lock = threading.Lock()

    def _ask(self, request: object) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            self._process.stdin.write(json.dumps(request, ensure_ascii=True) + "\n")
            self._process.stdin.flush()
            if not select.select([self._process.stdout], [], [], ANSWER_LIMIT)[0]:
                raise RuntimeError(f"node gave no answer within {ANSWER_LIMIT} s")
            answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError("the node process ended")
        return answer.rstrip("\n")

    def stringify(self, text: str) -> bytes | str:
        """UTF-8 bytes of JSON.stringify(JSON.parse(text)), or JSON.parse's error message as a str."""
        answer = self._ask(text)
        return answer[1:] if answer.startswith("!") else base64.b64decode(answer)

    def stringify_many(self, texts: list[str]) -> list[bytes | str]:
        """``stringify`` for a batch of texts in one round trip."""
        return [a[1:] if a.startswith("!") else base64.b64decode(a) for a in json.loads(self._ask(texts))]

    def hmac_of_reserialized(self, secret: str, body: bytes) -> str:
        """What the documented receiver computes: HMAC-SHA256 hex of JSON.stringify(JSON.parse(body))."""
        return self._ask({"hmac": [secret, base64.b64encode(body).decode("ascii")]})

    def close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._process.wait(5)


@contextlib.contextmanager
def first_line_of(
    command: list[str], what: str, cwd: Path = ROOT, env: dict[str, str] | None = None, limit: float = STARTUP_LIMIT
) -> Iterator[str]:
    """Start a peer process and yield the first line it prints (where it listens), waited for at most ``limit``
    seconds; stop it after. Its stderr is kept and shown if it does not start, so that a broken peer says why;
    its later output is drained, so that a full pipe never blocks it (the Express receiver logs every event)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errors:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8"
        )
        assert process.stdout is not None
        drain = threading.Thread(target=process.stdout.read, daemon=True)
        try:
            if not select.select([process.stdout], [], [], limit)[0]:
                pytest.fail(f"{what} did not start within {limit:g} s")
            first = process.stdout.readline().strip()
            if not first:
                errors.seek(0)
                pytest.fail(f"{what} did not start: {errors.read()[:2000]}")
            drain.start()
            yield first
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if drain.is_alive():
                drain.join(5)
            process.stdout.close()


def listening_port(first_line: str, what: str) -> str:
    """The port of a peer's first line, ``listening PORT``."""
    words = first_line.split()
    if words[:1] != ["listening"] or len(words) != 2:
        pytest.fail(f"{what} did not start: it printed {first_line[:200]!r}")
    return words[1]


@contextlib.contextmanager
def express_receiver(secret: str) -> Iterator[str]:
    """The documentation's Express receiver running in real Node; yields its /webhook URL."""
    env = {**os.environ, "WEBHOOK_SECRET": secret, "PORT": "0"}
    what = "the Express receiver"
    with first_line_of([node_binary(), str(NODE_DIR / "express-receiver.js")], what, env=env) as first:
        yield f"http://127.0.0.1:{listening_port(first, what)}/webhook"


REFERENCE_HARNESS = ROOT / "node" / "reference-sender.js"
BROKEN_HARNESS = NODE_DIR / "broken-senders.js"
HARNESS_DELIVERY_TIMEOUT = (
    "0.5"  # seconds, as the Python reference's for_conformance: the slow-answer check stays quick
)


@contextlib.contextmanager
def harness(*command: str) -> Iterator[str]:
    """A sender harness process (it prints ``listening PORT`` first); yields its base URL."""
    with first_line_of(list(command), command[1]) as first:
        yield f"http://127.0.0.1:{listening_port(first, command[1])}"


def node_harness(*arguments: str) -> contextlib.AbstractContextManager[str]:
    """A Node sender harness: the reference (no arguments) or ``broken-senders.js FAULT``."""
    script = str(BROKEN_HARNESS) if arguments else str(REFERENCE_HARNESS)
    return harness(node_binary(), script, *arguments, "--delivery-timeout", HARNESS_DELIVERY_TIMEOUT)


BRIDGE_TOKEN = "bridge-token-of-the-tests-4c1d8e"  # what the tests give the bridge in HORNEROSS_HARNESS_TOKEN


@contextlib.contextmanager
def python_bridge(factory: str, *arguments: str, token: str = BRIDGE_TOKEN) -> Iterator[str]:
    """A Python sender factory served over the protocol by the bridge, in a process of its own, with ``token`` in
    its environment; yields its base URL, the token as its user information (as the suite takes it)."""
    command = [sys.executable, "-m", "horneross_conformance.sender.bridge", factory, *arguments]
    path = os.pathsep.join(filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")]))  # tests' senders
    env = {**os.environ, "HORNEROSS_HARNESS_TOKEN": token, "PYTHONPATH": path}
    with first_line_of(command, "the bridge", env=env) as first:
        yield f"http://{token}@127.0.0.1:{listening_port(first, 'the bridge')}"


def script(name: str) -> Any:
    """A script of ``scripts/`` as a module, for the tests that check what it renders."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # where dataclasses look up a module's annotations
    spec.loader.exec_module(module)
    return module
