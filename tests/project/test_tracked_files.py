"""Every tracked text file stands on its own: it names no file outside the repository and no path of a developer's
machine, so that what it points at is there in any clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from peers import ROOT

# What the project was written from lies outside it; its own account is docs/contract.md and the schemas.
OUTSIDE = ("behaviour.md", "shared/design", "shared/seed", "style.md", "json-stringify.md")
# The start of a path on a developer's machine (a home or a work folder), never on every machine.
MACHINE_PATH = re.compile(r"(?<![\w.])(/work/|/root/|/home/\w|/Users/\w|/mnt/\w|[A-Z]:\\\\?Users)")
# A relative path that climbs: it must land inside the repository, from the folder of the file that holds it.
CLIMBING = re.compile(r"(?:\.\./)+[\w.-][\w./-]*")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = []
    for name in filter(None, listed.decode().split("\0")):
        path = ROOT / name
        if path.is_file() and b"\0" not in path.read_bytes()[:8192]:
            files.append(path)
    return files


def problems(path: Path, text: str) -> list[str]:
    """What in ``text`` (the content of ``path``) points outside the repository."""
    found = [f"names {outside!r}" for outside in OUTSIDE if outside in text]
    found += [f"holds the machine path {match.group()!r}" for match in MACHINE_PATH.finditer(text)]
    for match in CLIMBING.finditer(text):
        landing = (path.parent / match.group()).resolve()
        if not landing.is_relative_to(ROOT.resolve()):
            found.append(f"climbs out of the repository with {match.group()!r}")
    return found


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = tracked_text_files()
    assert len(files) > 100 and ROOT / "README.md" in files and ROOT / "node" / "harness.js" in files
    found = {
        str(path.relative_to(ROOT)): problems(path, path.read_text(encoding="utf-8", errors="replace"))
        for path in files
        if path != Path(__file__)
    }
    assert {name: what for name, what in found.items() if what} == {}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("What it does, and why (docs: /work/shared/design/behaviour.md)", "names 'behaviour.md'"),
        ("read ../shared/seed/horneross-webhooks-doc.es.txt first", "names 'shared/seed'"),
        ('os.ReadFile("/home/ana/horneross/schemas/x.json")', "machine path '/home/a'"),
        ("see ../../../../outside/notes.md", "climbs out of the repository"),
    ],
)
def test_each_kind_of_outside_reference_is_found(text: str, why: str) -> None:
    """The check above cannot pass by seeing nothing: each kind of reference it looks for is found."""
    assert any(why in problem for problem in problems(ROOT / "tests" / "example.md", text)), problems(
        ROOT / "tests" / "example.md", text
    )


def test_a_relative_path_that_stays_inside_is_fine() -> None:
    """kits/go's test reads the canonical vectors three folders up: the repository's schemas/."""
    go_test = ROOT / "kits" / "go" / "encoder" / "encoder_test.go"
    assert problems(go_test, 'os.ReadFile("../../../schemas/canonical-vectors.json")') == []
