"""A real wheel: the schemas ship inside it, the plugin is registered through pytest11, and an installed copy
runs the suite from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import receivers as r
from peers import ROOT
from suite_runner import RECEIVER_CASES

from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(out),
        str(ROOT),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("horneross_conformance-*.whl")
    return built


@pytest.mark.slow
def test_wheel_ships_schemas_entry_points_and_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {n for n in (ROOT / "schemas").rglob("*.json")}
    for path in data:
        assert f"horneross_conformance/schemas/{path.relative_to(ROOT / 'schemas').as_posix()}" in names
    assert "horneross_conformance/py.typed" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]\nhorneross = horneross_conformance.plugin" in text
    assert "horneross-conformance = horneross_conformance.cli.main:main" in text
    assert not any(n.startswith(("tests/", "node_modules/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_the_suite_in_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)]
    assert subprocess.run(install, capture_output=True, timeout=300).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env |= {"PYTHONPATH": str(target), "HORNEROSS_WEBHOOK_SECRET": r.SECRET}
    probe = "import horneross_conformance.core.resources as m; print(m.data_dir())"
    where = subprocess.run(
        [sys.executable, "-c", probe], cwd=empty, env=env, capture_output=True, text=True, timeout=60
    )
    assert where.stdout.strip() == str(target / "horneross_conformance" / "schemas")
    with serve(ReferenceReceiver(r.SECRET)) as base:
        # few generated events: how many is not this test's subject
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--horneross-endpoint={base}/webhook"]
        command.append("--horneross-examples=3")
        result = subprocess.run(command, cwd=empty, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{RECEIVER_CASES} passed in" in result.stdout
    run = [sys.executable, "-m", "horneross_conformance.cli.main", "run", "--examples", "3"]
    result = subprocess.run(run, cwd=empty, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # run needs no pytest: both suites on the engine, no warning, nothing left in the folder
    assert result.stdout.rstrip().endswith(
        "combined verdict: CONFORMANT (receiver suite CONFORMANT, sender suite CONFORMANT)"
    )
    assert "warning" not in result.stdout.lower() + result.stderr.lower()
    assert not (empty / ".hypothesis").exists()  # Hypothesis' caches go elsewhere, not into the user's folder
