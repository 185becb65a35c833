"""A pytest run in a fresh process, timed from the outside as a user waits for it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# What --quick keeps of every suite a benchmark runs: one check of each kind (hand-picked and generated) per suite,
# to show that the command works in seconds. The requirements left out are not checked, so such a run is NOT
# CERTIFIED (exit code 1), and its figures are not to be quoted.
QUICK_CHECKS = ("-k", "RCV-SIG-001 or RCV-GEN-001 or SND-SIG-001 or SND-GEN-001")
CUT_DOWN = {"-k", "--horneross-examples=0"}  # a selection, or no generated checks: what ran is all that can pass


def pytest_seconds(
    arguments: list[str], folder: str, secret: str, accept: tuple[int, ...] = (0,), quick: bool = False
) -> float:
    """Wall time of ``pytest ARGUMENTS`` in ``folder``; stops the benchmark when the exit code is not accepted.
    A run cut down (``CUT_DOWN``) is never certified: its every check passing ends in NOT CERTIFIED, exit 1, which
    is accepted then, and only then. ``quick``: only ``QUICK_CHECKS`` (a later ``-k`` replaces any given before
    it)."""
    if quick:
        arguments = [*arguments, *QUICK_CHECKS]
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
    cut_down = bool(CUT_DOWN & set(arguments)) and result.returncode == 1 and _passed_its_selection(result.stdout)
    if result.returncode not in accept and not cut_down:
        raise SystemExit(f"pytest ended with {result.returncode}:\n{result.stdout[-3000:]}")
    return seconds


def _passed_its_selection(output: str) -> bool:
    """Whether a run cut down with -k passed every check it ran: NOT CERTIFIED, and no check but the verdict failed."""
    failed = [line for line in output.splitlines() if line.startswith("FAILED horneross-")]
    return "verdict: NOT CERTIFIED" in output and all("::verdict " in line for line in failed)


def rounds_and_quick(parser: argparse.ArgumentParser, argv: list[str] | None) -> tuple[argparse.Namespace, int, bool]:
    """``parser``'s options with ``--rounds`` and ``--quick`` added, the rounds to run (one when quick) and quick."""
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one round, one check of each kind per suite: to see that it runs, not a figure to quote",
    )
    options = parser.parse_args(argv)
    return options, (1 if options.quick else options.rounds), options.quick
