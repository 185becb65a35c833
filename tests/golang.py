"""Go for the tests: the machine's ``go`` (Debian's golang-go, which .ci/run installs), run with nothing fetched, and
the receiver of tests/go/receiver built and served.

Without ``go`` the tests that build Go fail, saying how to install it: a certification or a diagnosis silently
skipped would be a hole. Only ``HORNEROSS_WITHOUT_GO=1`` leaves them out, on purpose, as skipped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from peers import ROOT, first_line_of, listening_port
from receivers import SECRET

from horneross_conformance.core.contract import SECRET_ENV

WITHOUT_GO = "HORNEROSS_WITHOUT_GO"
BUILD_LIMIT = 300  # seconds: a cold build cache compiles net/http once
RECEIVER_SOURCE = ROOT / "tests" / "go" / "receiver"


def go_environment() -> dict[str, str]:
    """Nothing fetched (the Go code here uses the standard library only), no workspace or toolchain switch from
    outside."""
    env = {**os.environ, "GOPROXY": "off", "GOWORK": "off", "GOTOOLCHAIN": "local"}
    if "GOCACHE" not in env and not (env.get("HOME") or env.get("XDG_CACHE_HOME")):
        env["GOCACHE"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "horneross-go-cache")
    return env


def go(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``go ARGS`` in ``cwd``, which must succeed; without ``go``, the test fails saying how to install it, or is
    skipped with ``HORNEROSS_WITHOUT_GO=1``."""
    found = shutil.which("go")
    if found is None:
        if os.environ.get(WITHOUT_GO) == "1":
            pytest.skip(f"{WITHOUT_GO}=1: the Go tests are left out of this run on purpose, and Go not checked")
        pytest.fail(
            "go is not on PATH: the Go tests build the Go kit and Go receivers. Install Go (Debian: apt-get install "
            f"golang-go, as .ci/run does), or set {WITHOUT_GO}=1 to leave them out on purpose."
        )
    done = subprocess.run(
        [found, *args], cwd=cwd, env=go_environment(), capture_output=True, text=True, timeout=BUILD_LIMIT
    )
    assert done.returncode == 0, f"go {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def build_receiver(folder: Path) -> Path:
    """The Go receiver of tests/go/receiver, built into ``folder``."""
    binary = folder / "go-receiver"
    go("build", "-o", str(binary), "main.go", cwd=RECEIVER_SOURCE)
    return binary


@dataclass(frozen=True, slots=True)
class GoReceiver:
    """The Go receiver in one of its modes (``map``, ``struct``, ``raw``: the bytes it verifies the HMAC over), as
    a member of a zoo of receivers."""

    mode: str

    @property
    def name(self) -> str:
        return f"Go-{self.mode}"


@contextlib.contextmanager
def go_receiver(binary: Path, mode: str, secret: str = SECRET) -> Iterator[str]:
    """The Go receiver ``binary`` serving on a loopback port of the system's choice in ``mode``, waited for a bounded
    time and stopped after; yields its webhook URL."""
    what = f"the Go receiver (-mode {mode})"
    env = {**os.environ, SECRET_ENV: secret}
    with first_line_of([str(binary), "-mode", mode], what, env=env) as first:
        yield f"http://127.0.0.1:{listening_port(first, what)}/webhook"
