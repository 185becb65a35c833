"""The requirement catalogue (``schemas/requirements.json``): the one list the suites, reports and docs read."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from horneross_conformance.core.resources import load_json

Level = Literal["MUST", "SHOULD", "INFORMATIONAL"]
Role = Literal["receiver", "sender"]


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    role: Role
    level: Level
    title: str
    source: str
    quote: str

    def fails_run(self, strict: bool) -> bool:
        """Whether a failure of this requirement makes the target non-conformant."""
        return self.level == "MUST" or (strict and self.level == "SHOULD")


@functools.cache
def requirements() -> tuple[Requirement, ...]:
    """Every requirement, in catalogue order."""
    return tuple(Requirement(**entry) for entry in load_json("requirements.json")["requirements"])


def for_role(role: Role) -> tuple[Requirement, ...]:
    return tuple(r for r in requirements() if r.role == role)


def requirement(requirement_id: str) -> Requirement:
    for entry in requirements():
        if entry.id == requirement_id:
            return entry
    raise KeyError(f"no requirement {requirement_id!r} in the catalogue")
