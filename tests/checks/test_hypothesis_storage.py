"""A vendor's literals do not outlive a sender suite run on disk.

Hypothesis collects the short literals of every local module it meets (a vendor's sender module among them) to
generate with, and caches them in its storage folder. The suite gives each exploration a private storage folder
and removes it: after a run, a short secret written in the vendor's module is in no file of the temporary folder
nor of the folder the suite ran in. A user who chose Hypothesis' storage (HYPOTHESIS_STORAGE_DIRECTORY) keeps it,
literals and all, which shows that they are collected.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LITERAL = "zq7-hunter2-5f2c"  # Hypothesis collects strings of up to 20 characters
VENDOR = f"""
from horneross_conformance.sender.reference import ReferenceSender

LICENSE_KEY = "{LITERAL}"


def create():
    sender = ReferenceSender(timeout=0.5)
    sender.license = LICENSE_KEY
    return sender
"""


def files_holding(folder: Path, text: str) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and text.encode() in path.read_bytes()]


def run_suite(tmp_path: Path, storage: Path | None) -> tuple[Path, Path]:
    """A sender suite run with generated checks, in a fresh process; its temporary folder and its working folder."""
    vendor, temporary, work = tmp_path / "vendor", tmp_path / "tmp", tmp_path / "work"
    for folder in (vendor, temporary, work):
        folder.mkdir(exist_ok=True)
    (vendor / "vendor_sender.py").write_text(VENDOR, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env |= {"TMPDIR": str(temporary), "PYTHONPATH": str(vendor)}
    if storage is not None:
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(storage)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--horneross-sender=vendor_sender:create"]
    command += ["-k", "SND-GEN-001 or SND-GEN-002", "--horneross-examples=20", "--horneross-seed=1"]
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    # the two generated checks pass; the rest of the suite was left out, so the run is not certified (exit 1)
    assert result.returncode == 1 and "2 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    assert "verdict: NOT CERTIFIED" in result.stdout
    return temporary, work


@pytest.mark.slow
def test_a_vendors_literal_is_in_no_file_after_a_sender_suite_run(tmp_path: Path) -> None:
    temporary, work = run_suite(tmp_path, None)
    assert files_holding(temporary, LITERAL) == []
    assert files_holding(work, LITERAL) == []
    assert [path.name for path in temporary.iterdir()] == []  # no storage folder left at all


@pytest.mark.slow
def test_a_storage_the_user_chose_keeps_what_hypothesis_collected_the_vendors_literal_among_it(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    temporary, work = run_suite(tmp_path, chosen)
    assert files_holding(chosen, LITERAL) != []  # collected from the vendor's module: the test above means something
    assert files_holding(temporary, LITERAL) == [] and files_holding(work, LITERAL) == []
