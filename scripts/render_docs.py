"""Render the tables the README and the contract page take from the requirement catalogue and the suites.

    python scripts/render_docs.py          # exit 1 and name each stale table
    python scripts/render_docs.py --write  # rewrite the stale tables in place

Each table sits between two markers (``<!-- requirements:receiver -->`` ... ``<!-- /requirements:receiver -->``);
what lies between them is generated, the rest of the page is written by hand. ``tests/test_docs.py`` fails when
a table is stale, so a new check or requirement is one command away from documented.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from horneross_conformance.reporting.docs import contract_catalogue, requirements_table

ROOT = Path(__file__).resolve().parent.parent
SECTIONS: list[tuple[str, str, Callable[[], str]]] = [
    ("README.md", "requirements:receiver", lambda: requirements_table("receiver")),
    ("README.md", "requirements:sender", lambda: requirements_table("sender")),
    ("docs/contract.md", "catalogue", contract_catalogue),
]


def stale(write: bool) -> list[str]:
    """The sections whose text differs from what they render to; rewritten when ``write``."""
    found = []
    for page, marker, render in SECTIONS:
        path = ROOT / page
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(rf"(<!-- {re.escape(marker)} -->\n)(.+?)(\n<!-- /{re.escape(marker)} -->)", re.S)
        match = pattern.search(text)
        if match is None:
            raise SystemExit(f"{page}: no <!-- {marker} --> section")
        if match.group(2) != render():
            found.append(f"{page}: {marker}")
            if write:
                text = text[: match.start(2)] + render() + text[match.end(2) :]
                path.write_text(text, encoding="utf-8")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale tables")
    args = parser.parse_args(argv)
    found = stale(args.write)
    for section in found:
        print(f"{'rewrote' if args.write else 'stale'}: {section}")
    return 0 if args.write or not found else 1


if __name__ == "__main__":
    sys.exit(main())
