"""Documentation rendered from the catalogue and the suites, so that the README cannot drift from either."""

from __future__ import annotations

from itertools import groupby, pairwise

from horneross_conformance.core.catalogue import Role, for_role


def compact_ids(case_ids: list[str]) -> str:
    """``RCV-SIG-001, RCV-SIG-002, RCV-SIG-003`` becomes ``RCV-SIG-001…003``."""
    parts = []
    for prefix, group in groupby(case_ids, key=lambda c: c.rsplit("-", 1)[0]):
        numbers = [c.rsplit("-", 1)[1] for c in group]
        contiguous = all(int(b) == int(a) + 1 for a, b in pairwise(numbers))
        if len(numbers) > 2 and contiguous:
            parts.append(f"{prefix}-{numbers[0]}…{numbers[-1]}")
        else:
            parts.extend(f"{prefix}-{n}" for n in numbers)
    return ", ".join(parts)


def requirements_table(role: Role) -> str:
    """The requirements of ``role`` with the checks that cover them, as a Markdown table."""
    from horneross_conformance.receiver import suite as receiver
    from horneross_conformance.sender import suite as sender

    suite = receiver.suite if role == "receiver" else sender.suite
    covering = {r.id: [c.id for c in suite.cases if c.requirement == r.id] for r in for_role(role)}
    rows = ["| id | level | requirement | checks | source |", "| --- | --- | --- | --- | --- |"]
    for r in for_role(role):
        checks = compact_ids(covering[r.id]) or "none yet"
        rows.append(f"| {r.id} | {r.level} | {r.title} | {checks} | {r.source} |")
    return "\n".join(rows)
