"""The project's tests write bytecode whatever the environment says (tests/conftest.py): with the extras installed
without it (``pip install --no-compile``, as the README gives it) and PYTHONDONTWRITEBYTECODE set, as machines built
from container images often have it, each of the hundred processes a run starts compiled all it imported again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_this_worker_writes_bytecode_and_starts_processes_that_do() -> None:
    """In every session, whatever its environment; the test below starts one whose environment says not to."""
    assert not sys.dont_write_bytecode
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


@pytest.mark.slow
def test_a_session_started_without_bytecode_writes_it_in_its_workers() -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    probe = f"{Path(__file__).relative_to(ROOT)}::test_this_worker_writes_bytecode_and_starts_processes_that_do"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", probe]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout
