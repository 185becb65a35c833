"""A benchmark's figure against its target, printed as measured and gathered for the summary of ``all.py``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    benchmark: str  # what was measured
    figure: str  # the ratio (or rate), with the baseline measured in the same run
    target: str
    met: bool

    def line(self) -> str:
        return f"{self.benchmark}: {self.figure}; target {self.target}: {'met' if self.met else 'MISSED'}"


def report(outcome: Outcome) -> Outcome:
    print(f"  {outcome.line()}", flush=True)
    return outcome
