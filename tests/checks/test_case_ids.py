"""The case ids and their order are part of the public interface: pinned here, one line per requirement family.

Users select checks with ``-k RCV-SIG-002`` and CI scripts grep for them, so an id never changes meaning and never
moves because a list grew. The order matters too: the preflight first, the generated checks after the
hand-picked ones, the burst (receiver) and the sweeps over every delivery (sender) last.

The lists pin the checks of the four event types documented when they were written. A type documented later brings
its own check of each per-type family (``PER_TYPE_FAMILIES``), named in its schema: those join their family's
checks of each type, in the order of ``EVENT_TYPES``, and take numbers no check has had; nothing else moves.
"""

from __future__ import annotations

import pytest

from horneross_conformance.core import contract
from horneross_conformance.core.catalogue import requirement
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS, PER_TYPE_FAMILIES, per_type_checks
from horneross_conformance.receiver.suite import suite as receiver_suite
from horneross_conformance.sender.suite import suite as sender_suite

RECEIVER_CASES = [
    "RCV-PRE-001",
    *("RCV-ACK-001", "RCV-ACK-002", "RCV-ACK-003", "RCV-ACK-004", "RCV-ACK-005", "RCV-ACK-006", "RCV-ACK-007"),
    "RCV-ACK-100",
    *("RCV-SIG-001", "RCV-SIG-002", "RCV-SIG-003", "RCV-SIG-004", "RCV-SIG-005", "RCV-SIG-006"),
    *("RCV-UNI-001", "RCV-UNI-002", "RCV-UNI-003", "RCV-UNI-004", "RCV-UNI-005", "RCV-UNI-006", "RCV-UNI-007"),
    "RCV-UNI-008",
    "RCV-SUR-001",  # RCV-14 (a lone surrogate); RCV-UNI-009 was this check under RCV-04, and is never reused
    *("RCV-OLD-001", "RCV-DUP-001", "RCV-FWD-001", "RCV-FWD-002", "RCV-ORD-001", "RCV-BAD-001"),
    *("RCV-NUM-001", "RCV-NUM-002", "RCV-CANON-001"),
    *("RCV-GEN-001", "RCV-GEN-002", "RCV-GEN-003", "RCV-GEN-004", "RCV-GEN-005", "RCV-GEN-006", "RCV-GEN-007"),
    "RCV-GEN-008",
    "RCV-LONG-001",
    "RCV-BURST-001",
]

SENDER_CASES = [
    "SND-PRE-001",
    *("SND-PAY-001", "SND-PAY-002", "SND-PAY-003", "SND-PAY-004", "SND-PAY-005"),
    *("SND-ID-001", "SND-ID-002"),
    *("SND-SIG-001", "SND-SIG-002", "SND-RAW-001"),
    *("SND-RTY-001", "SND-RTY-002", "SND-RTY-003", "SND-RTY-004", "SND-RTY-005", "SND-RTY-006", "SND-RTY-007"),
    *("SND-RTY-008", "SND-RTY-009", "SND-RTY-010", "SND-RTY-011", "SND-RTY-012", "SND-RTY-013", "SND-RTY-014"),
    "SND-RTY-015",
    *("SND-STOP-001", "SND-STOP-002", "SND-STOP-003", "SND-STOP-004", "SND-STOP-005"),
    "SND-SAME-001",
    "SND-SAME-002",
    *("SND-SUB-001", "SND-SUB-002", "SND-SUB-003"),
    *("SND-GEN-001", "SND-GEN-002", "SND-GEN-003", "SND-GEN-004", "SND-GEN-005"),
    *("SND-WIRE-001", "SND-WIRE-002", "SND-WIRE-003", "SND-WIRE-004", "SND-WIRE-005", "SND-WIRE-006"),
]


PINNED_TYPES = ("conversation.created", "conversation.message.created", "conversation.status.changed", "lead.captured")
RETIRED = ["RCV-UNI-009"]  # ids that meant something once: never given again


def number(case_id: str) -> int:
    return int(case_id.rsplit("-", 1)[1])


def with_later_types(pinned: list[str]) -> list[str]:
    """``pinned``, each per-type family's checks of the pinned types replaced by its checks of every documented type,
    in the order of EVENT_TYPES: what the suite must hold once a type is documented later, the rest in place."""
    per_type = {PER_TYPE_CHECKS[t][family]: family for t in PINNED_TYPES for family in PER_TYPE_FAMILIES}
    expected: list[str] = []
    for case_id in pinned:
        family = per_type.get(case_id)
        if family is None:
            expected.append(case_id)
        elif case_id == PER_TYPE_CHECKS[PINNED_TYPES[0]][family]:  # the family's first: where its block starts
            expected.extend(per_type_checks(family))
    return expected


def test_the_receiver_suite_has_exactly_these_cases_in_this_order() -> None:
    assert [case.id for case in receiver_suite.cases] == with_later_types(RECEIVER_CASES)


def test_the_sender_suite_has_exactly_these_cases_in_this_order() -> None:
    assert [case.id for case in sender_suite.cases] == with_later_types(SENDER_CASES)


def first_free(family: str) -> str:
    """The id a type documented next takes in ``family``: the first number after the pinned types' that no check
    has, or had (``RCV-ACK-005`` to ``-007`` are the documentation's examples)."""
    taken = {number(c) for c in [*RECEIVER_CASES, *SENDER_CASES, *RETIRED] if c.startswith(f"{family}-")}
    taken |= {number(c) for c in per_type_checks(family)}
    free = max(number(PER_TYPE_CHECKS[t][family]) for t in PINNED_TYPES) + 1
    while free in taken:
        free += 1
    return f"{family}-{free:03d}"


def test_each_type_keeps_its_checks_and_a_type_documented_later_takes_numbers_never_used() -> None:
    assert set(PINNED_TYPES) <= set(EVENT_TYPES)  # a documented type is never taken back: its checks stay
    pinned = {*RECEIVER_CASES, *SENDER_CASES, *RETIRED}
    for event_type in EVENT_TYPES:
        for family in PER_TYPE_FAMILIES:
            case_id = PER_TYPE_CHECKS[event_type][family]
            if event_type in PINNED_TYPES:  # conversation.created has the first of each family, lead.captured the 4th
                assert case_id == f"{family}-{PINNED_TYPES.index(event_type) + 1:03d}", (event_type, family)
            else:
                unused = case_id not in pinned and number(case_id) > number(PER_TYPE_CHECKS["lead.captured"][family])
                assert unused, f"{event_type}: {case_id} is taken; {family}'s first free id is {first_free(family)}"
    for family in PER_TYPE_FAMILIES:
        assert len(set(per_type_checks(family))) == len(EVENT_TYPES), family  # two types never share a check


def test_a_type_whose_schema_names_no_checks_is_told_what_to_write(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {"x-horneross-checks": {"RCV-ACK": "RCV-ACK-008", "RCV-GEN": "RCV-ACK-009"}}
    monkeypatch.setattr(contract, "load_json", lambda name: schema)
    with pytest.raises(LookupError) as named_wrong:
        contract._checks_of("conversation.assigned")
    said = str(named_wrong.value)
    assert said.startswith("conversation.assigned.schema.json must name its check of each family in x-horneross-checks")
    assert '"SND-GEN": "SND-GEN-NNN"' in said and "it names {'RCV-ACK': 'RCV-ACK-008'" in said
    schema["x-horneross-checks"] = {f: f"{f}-0{n}" for n, f in enumerate(PER_TYPE_FAMILIES, start=10)}
    assert contract._checks_of("conversation.assigned") == schema["x-horneross-checks"]


def test_every_case_names_a_requirement_of_its_own_role() -> None:
    for role, suite in (("receiver", receiver_suite), ("sender", sender_suite)):
        for case in suite.cases:
            assert requirement(case.requirement).role == role, case.id


def test_the_ids_do_not_follow_the_order_of_the_contracts_lists() -> None:
    """A fifth event type, or a new stress text, must not renumber anything: the ids are written beside their
    checks. Each event type's case names that type, whatever the order of EVENT_TYPES."""
    titles = {case.id: case.title for case in receiver_suite.cases}
    assert titles["RCV-ACK-001"].endswith("conversation.created")
    assert titles["RCV-ACK-004"].endswith("lead.captured")
    assert titles["RCV-SUR-001"].endswith("lone-surrogate")
    assert "RCV-UNI-009" not in titles  # retired with the move to RCV-14: an id never changes meaning
    sender_titles = {case.id: case.title for case in sender_suite.cases}
    assert "lead.captured" in sender_titles["SND-PAY-004"]
    assert "HTTP 503" in sender_titles["SND-RTY-012"]
