"""The README's Dask recipe for a fleet's logs gives what validate gives: the same problems, the same tallies."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from command_line import cli, environment
from documentation import documentation
from log_files import log_lines, write

README = documentation()


@pytest.mark.slow
def test_the_dask_recipe_on_a_local_cluster_gives_what_validate_gives(tmp_path: Path) -> None:
    recipe = re.search(r"<!-- example:dask -->\n```python\n(.+?)```", README, re.S)
    assert recipe is not None, "no Dask recipe in the README"
    script = tmp_path / "fleet.py"
    script.write_text(recipe.group(1), encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    for index in range(4):
        write(logs / f"deliveries-{index}.jsonl.gz", log_lines(300, index), gzip.open)
    ran = subprocess.run(
        [sys.executable, str(script), str(logs / "*.jsonl.gz")],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    validated = cli("validate", "--format", "json", *sorted(str(p) for p in logs.iterdir()), cwd=tmp_path)
    expected = json.loads(validated.stdout)
    assert ran.returncode == validated.returncode == 1, ran.stderr[-3000:]
    *problems, summary = ran.stdout.splitlines()
    assert summary == (
        f"{expected['events']} events in {expected['sources']} sources, {expected['invalid_events']} invalid, "
        f"{len(expected['problems'])} problems"
    )
    shown = [_without_folder(line) for line in problems]
    assert shown == [_without_folder(_text(problem)) for problem in expected["problems"]]
    assert expected["sources"] == 4 and expected["invalid_events"] > 0


def _text(problem: dict[str, object]) -> str:
    event = " ".join(str(part) for part in (problem["type"], problem["id"]) if isinstance(part, str))
    pointer = f" {problem['pointer']}:" if problem["pointer"] else ""
    line = f":{problem['line']}" if problem["line"] is not None else ""
    return f"{problem['source']}{line}:{pointer} {problem['message']} ({problem['rule']})" + (
        f" [{event}]" if event else ""
    )


def _without_folder(line: str) -> str:
    """Dask names a file by its absolute path, validate by the path it was given: compare from the file name on."""
    return line[line.index("deliveries-") :]
