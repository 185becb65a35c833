"""The project's documentation as the tests read it: the README, and the pages under docs/ it links to."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


def page(name: str) -> str:
    """One page: ``README.md``, or a page of docs/ by its file name."""
    path = ROOT / name if name == "README.md" else ROOT / "docs" / name
    return path.read_text(encoding="utf-8")


def documentation() -> str:
    """Every page, one after another: where the tests look for an example, a recipe or a table."""
    return "\n\n".join(path.read_text(encoding="utf-8") for path in PAGES)
