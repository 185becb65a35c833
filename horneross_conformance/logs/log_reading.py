"""A fleet's delivery logs: validation spread over processes, or over machines by an engine such as Dask.

- ``check_lines`` validates any iterable of JSON Lines (bytes or text) and returns a picklable ``LinesResult``;
  ``merge`` adds results up in order. An engine maps it over the partitions of a fleet's logs (the Dask recipe of
  docs/toolbox.md).
- ``processes.check_in_parallel`` spreads files, and the lines of one large file, over the processes of one
  machine (``validate --jobs``), with these results.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from horneross_conformance.logs.event_files import (
    Block,
    Checker,
    Problem,
    Tally,
)


@dataclass(slots=True)
class LinesResult:
    """What checking some lines found: picklable, so that it can come back from another process or machine."""

    problems: list[Problem] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    lines: int = 0  # lines read: how far the next part of the same source is numbered on


def check_lines(
    lines: Iterable[bytes | str],
    source: str = "<lines>",
    allow_unknown_types: bool = False,
    allow_abbreviated: bool = False,
) -> LinesResult:
    """Validate one source of JSON Lines exactly as ``validate`` does, every problem with its line number.

    ``lines`` may be bytes or text, with or without their line ends (``dask.bag.read_text`` gives text with
    them). ``source`` names it in each problem, as ``validate`` names a file by the path it was given."""
    result = LinesResult()
    checker = result_checker(result, allow_unknown_types, True, allow_abbreviated)
    checker.check_blocks(source, _blocks(lines, result), lines=True)
    result.tally = checker.tally
    return result


def result_checker(
    result: LinesResult, allow_unknown_types: bool, force_lines: bool, allow_abbreviated: bool
) -> Checker:
    """The ``Checker`` ``validate`` runs, reporting into ``result``: one for a source of lines, one per unit."""
    return Checker(
        result.problems.append,
        allow_unknown_types=allow_unknown_types,
        force_lines=force_lines,
        allow_abbreviated=allow_abbreviated,
    )


def _blocks(lines: Iterable[bytes | str], result: LinesResult, size: int = 4096) -> Iterator[Block]:
    """``lines`` in blocks of ``size``, each one line as bytes with one line end, counted in ``result.lines``."""
    iterator = iter(lines)
    while block := list(itertools.islice(iterator, size)):
        result.lines += len(block)
        yield [_bare(line) + b"\n" for line in block]


def _bare(line: bytes | str) -> bytes:
    data = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
    return data[:-1] if data.endswith(b"\n") else data


def merge(results: Iterable[LinesResult]) -> LinesResult:
    """Results of sources (or of the parts of one source, numbered each from 1) added up, in order."""
    total = LinesResult()
    for result in results:
        total.problems.extend(result.problems)
        add(total.tally, result.tally)
        total.lines += result.lines
    return total


def add(total: Tally, more: Tally) -> None:
    total.sources += more.sources
    total.events += more.events
    total.invalid_events += more.invalid_events
    total.problems += more.problems
