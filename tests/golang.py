"""Go for the tests: the machine's ``go`` (Debian's golang-go, which .ci/run installs), run with nothing fetched.

Without ``go`` the tests that build Go fail, saying how to install it: a certification or a diagnosis silently
skipped would be a hole. Only ``HORNEROSS_WITHOUT_GO=1`` leaves them out, on purpose, as skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

WITHOUT_GO = "HORNEROSS_WITHOUT_GO"
BUILD_LIMIT = 300  # seconds: a cold build cache compiles net/http once


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
            "go is not on PATH: the Go tests build the Go kit. Install Go (Debian: apt-get install "
            f"golang-go, as .ci/run does), or set {WITHOUT_GO}=1 to leave them out on purpose."
        )
    done = subprocess.run(
        [found, *args], cwd=cwd, env=go_environment(), capture_output=True, text=True, timeout=BUILD_LIMIT
    )
    assert done.returncode == 0, f"go {' '.join(args)}: {done.stdout}{done.stderr}"
    return done
