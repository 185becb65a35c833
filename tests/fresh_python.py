"""A Python program in a process of its own: Hypothesis keeps the literals it collected, and picks its default
storage folder, for the life of a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_fresh(program: str, cwd: Path, modules: Path) -> subprocess.CompletedProcess[str]:
    """``program`` run by a new Python in ``cwd``, ``modules`` first on its module path, Hypothesis' storage left to
    its default (no ``HYPOTHESIS_STORAGE_DIRECTORY``); its output as text."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(modules), *sys.path])}
    environment.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    return subprocess.run(
        [sys.executable, "-c", program], env=environment, cwd=cwd, capture_output=True, text=True, timeout=120
    )
