"""A pytest run in a fresh process, timed from the outside as a user waits for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time


def pytest_seconds(arguments: list[str], folder: str, secret: str, accept: tuple[int, ...] = (0,)) -> float:
    """Wall time of ``pytest ARGUMENTS`` in ``folder``; stops the benchmark when the exit code is not accepted."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "HORNEROSS_WEBHOOK_SECRET": secret},
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if result.returncode not in accept:
        raise SystemExit(f"pytest ended with {result.returncode}:\n{result.stdout[-3000:]}")
    return seconds
