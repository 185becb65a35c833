"""Render the tables the suites' pages and the contract page take from the requirement catalogue and the suites.

    python scripts/render_docs.py          # exit 1 and name each stale table
    python scripts/render_docs.py --write  # rewrite the stale tables in place

The tables are rendered from the catalogue and the suites, so that the suites' pages and the contract page cannot drift
from either. Each sits between two markers (``<!-- requirements:receiver -->`` and its closing twin); what lies
between them is generated, the rest of the page is written by hand. ``tests/project/test_docs.py`` fails when a table is
stale, so a new check or requirement is one command away from documented.

The contract page lists every check of a requirement; the suites' pages name a requirement's checks of each event
type by family, linking to that list, so that documenting an event type changes the contract page alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from horneross_conformance.core.catalogue import Requirement, Role, for_role
from horneross_conformance.core.contract import PER_TYPE_CHECKS

CONTRACT = "docs/contract.md"  # the contract page, from the repository's root; every ``source`` points into it


def compact_ids(case_ids: list[str]) -> str:
    """``RCV-SIG-001, RCV-SIG-002, RCV-SIG-003`` becomes ``RCV-SIG-001…003``: each family where it first appears,
    its numbers in order (a type documented later puts ``RCV-ACK-008`` before ``RCV-ACK-005`` in the suite)."""
    families: dict[str, list[str]] = {}
    for case_id in case_ids:
        prefix, number = case_id.rsplit("-", 1)
        families.setdefault(prefix, []).append(number)
    parts = []
    for prefix, unordered in families.items():
        numbers = sorted(unordered, key=int)
        contiguous = all(int(b) == int(a) + 1 for a, b in pairwise(numbers))
        if len(numbers) > 2 and contiguous:
            parts.append(f"{prefix}-{numbers[0]}…{numbers[-1]}")
        else:
            parts.extend(f"{prefix}-{n}" for n in numbers)
    return ", ".join(parts)


def source_anchors(requirement: Requirement) -> list[str]:
    """The headings of the contract page that ``source`` names: ``docs/contract.md#a; docs/contract.md#b``."""
    return [part.removeprefix(f"{CONTRACT}#") for part in requirement.source.split("; ")]


def _source_label(anchor: str) -> str:
    """``decision 4`` for a decision; the documentation's own (Spanish) heading for a section of the documentation."""
    decision = re.match(r"decision-(\d+)-", anchor)
    return f"decision {decision.group(1)}" if decision else anchor.replace("-", " ").capitalize()


def source_links(requirement: Requirement, page: str) -> str:
    """``source`` as Markdown links to the contract page's sections: ``page`` is the page's path from the document
    that links (empty within the page itself)."""
    return ", ".join(f"[{_source_label(anchor)}]({page}#{anchor})" for anchor in source_anchors(requirement))


def _covering(role: Role) -> dict[str, list[str]]:
    """Each requirement of ``role``, with the ids of the checks that cover it, in the suite's order."""
    from horneross_conformance.receiver import suite as receiver
    from horneross_conformance.sender import suite as sender

    suite = receiver.suite if role == "receiver" else sender.suite
    return {r.id: [c.id for c in suite.cases if c.requirement == r.id] for r in for_role(role)}


def covering_checks(role: Role) -> dict[str, str]:
    """Each requirement of ``role``, with the ids of the checks that cover it, compacted."""
    return {requirement_id: compact_ids(ids) for requirement_id, ids in _covering(role).items()}


def by_family_of_each_type(requirement_id: str, case_ids: list[str], page: str) -> str:
    """The checks covering a requirement with those of each event type named by family, linked to the list on the
    contract page (``page``, from the document that links): ``RCV-ACK-005…007, [one RCV-ACK and one RCV-GEN per event
    type](contract.md#rcv-01)``. The same text however many types are documented."""
    of_each_type = {case_id: family for checks in PER_TYPE_CHECKS.values() for family, case_id in checks.items()}
    families = list(dict.fromkeys(of_each_type[c] for c in case_ids if c in of_each_type))
    parts = [compact_ids([c for c in case_ids if c not in of_each_type])]
    if families:
        named = " and ".join(f"one {family}" for family in families)
        parts.append(f"[{named} per event type]({page}#{requirement_id.lower()})")
    return ", ".join(part for part in parts if part)


def requirements_table(role: Role) -> str:
    """The requirements of ``role`` with the checks that cover them, as a Markdown table (for the suite's page in
    docs/, beside the contract page)."""
    covering = _covering(role)
    page = CONTRACT.removeprefix("docs/")
    rows = ["| id | level | requirement | checks | source |", "| --- | --- | --- | --- | --- |"]
    for r in for_role(role):
        checks = by_family_of_each_type(r.id, covering[r.id], page) or "none yet"
        rows.append(
            f"| {r.id} | {r.level} | {r.title} | {checks} | {source_links(r, CONTRACT.removeprefix('docs/'))} |"
        )
    return "\n".join(rows)


def contract_catalogue() -> str:
    """The catalogue part of the contract page: one section per requirement, with its level, the checks that cover
    it, the sections of the page that justify it and its quote."""
    parts: list[str] = []
    roles: tuple[Role, ...] = ("receiver", "sender")
    for role in roles:
        covering = covering_checks(role)
        parts.append(f"### {role.capitalize()} requirements")
        for r in for_role(role):
            checks = covering[r.id] or "none yet"
            parts.append(f"#### {r.id}")
            parts.append(
                f"**{r.title}.** {r.level}, {r.role}. Checks: {checks}. Source: {source_links(r, '')}.\n\n> {r.quote}"
            )
    return "\n\n".join(parts)


ROOT = Path(__file__).resolve().parent.parent
SECTIONS: list[tuple[str, str, Callable[[], str]]] = [
    ("docs/receiver-suite.md", "requirements:receiver", lambda: requirements_table("receiver")),
    ("docs/sender-suite.md", "requirements:sender", lambda: requirements_table("sender")),
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
