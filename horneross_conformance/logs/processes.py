"""``validate --jobs``: files, and the lines of one large file, spread over the processes of one machine.

``check_in_parallel`` reports the same problems in the same order, with the same tallies, as one process: results
come back in file order, then in order of place in the file, and each part's line numbers are moved by the lines
of the parts before it. A large plain JSON Lines file is split by byte ranges at line boundaries, each process
reading its own part. A compressed one cannot be entered in the middle: when it would keep processes waiting (a
single log, the fifth of five on two processes), each process it is shared between decompresses it whole, which
costs far less than checking it, and checks its own share of the parts of about ``PART_SIZE`` bytes of lines the
content falls into, so that no lines cross between processes; otherwise one process reads it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, cast

from horneross_conformance.logs import compressed
from horneross_conformance.logs.event_files import (
    BINARY_PROBE,
    Problem,
    Tally,
    files_in,
    is_lines_name,
    line_blocks,
    read_chunks,
    unreadable,
)
from horneross_conformance.logs.log_reading import LinesResult, add, result_checker

SPLIT_SIZE = 32 * 1024 * 1024  # bytes: a plain JSON Lines file larger than this is split between processes
PART_SIZE = 4 * 1024 * 1024  # bytes of lines: the parts of a compressed JSON Lines file shared between processes


@dataclass(frozen=True, slots=True)
class Unit:
    """Work for one process: a path as given (a file, or a folder with nothing to check); the bytes ``start`` to
    ``end`` of a plain JSON Lines file (``end`` None: to its end); a compressed JSON Lines file (``stream``), read
    whole by one process, or by each of ``share[1]`` processes, the one numbered ``share[0]`` checking every
    ``share[1]``-th of its parts from its own (see ``compressed_parts``); or, within a process, such a part:
    ``lines``, the complete lines that begin at byte ``start`` of what the file holds."""

    path: str
    start: int = 0
    end: int | None = None
    part: bool = False  # one of several parts of the file
    lines: bytes | None = None
    stream: bool = False
    share: tuple[int, int] | None = None


def units(paths: Iterable[Path], force_lines: bool, split_size: int = SPLIT_SIZE) -> list[Unit]:
    """The work, in the order one process does it."""
    work: list[Unit] = []
    for path in paths:
        files = files_in(path) if path.is_dir() else [path]
        if not files:  # its one process reports that there is nothing to check
            work.append(Unit(str(path)))
        for file in files:
            work.extend(_parts(file, force_lines, split_size))
    return work


def _parts(file: Path, force_lines: bool, split_size: int) -> list[Unit]:
    if not (force_lines or is_lines_name(file)):
        return [Unit(str(file))]
    try:
        size = file.stat().st_size
        with file.open("rb") as stream:
            head = stream.read(BINARY_PROBE)
            if compressed.is_compressed(head):
                return [Unit(str(file), stream=True)]
            # split only what one process reads as plain lines from its first part on: not binary, its first
            # event in the first part
            if size <= split_size or b"\x00" in head or not head.strip():
                return [Unit(str(file))]
            bounds = [0]
            while bounds[-1] + split_size < size:
                stream.seek(bounds[-1] + split_size)
                stream.readline()  # on to the end of the line the cut falls in
                if stream.tell() >= size:
                    break
                bounds.append(stream.tell())
    except OSError:
        return [Unit(str(file))]  # the process that reads it says why it cannot
    ends: list[int | None] = [*bounds[1:], None]
    return [Unit(str(file), start, end, len(bounds) > 1) for start, end in zip(bounds, ends, strict=True)]


def check_unit(
    unit: Unit, allow_unknown_types: bool = False, force_lines: bool = False, allow_abbreviated: bool = False
) -> LinesResult:
    """One unit of work (a top-level function, so that it pickles under any start method)."""
    result = LinesResult()
    checker = result_checker(result, allow_unknown_types, force_lines, allow_abbreviated)
    if unit.lines is not None:  # a part of a compressed file this process read (see ``check_share``)
        if unit.start == 0:
            checker.check_stream(unit.path, io.BytesIO(unit.lines), lines=True)
        else:
            checker.check_lines_part(unit.path, [unit.lines])
        result.lines = checker.last_line
    elif not unit.part:
        checker.check_path(Path(unit.path))
    else:
        try:
            with open(unit.path, "rb") as stream:
                stream.seek(unit.start)
                part = _Range(stream, unit.end)
                if unit.start == 0:
                    checker.check_stream(unit.path, cast(IO[bytes], part), lines=True)  # it only reads
                else:
                    checker.check_lines_part(unit.path, line_blocks(iter(lambda: part.read(1 << 20), b"")))
                result.lines = checker.last_line
        except OSError as error:
            checker.problem(Problem(unit.path, None, "", "input", f"cannot be read: {error.strerror or error}"))
    result.tally = checker.tally
    return result


class _Range:
    """The bytes of ``stream`` from where it stands to ``end``."""

    def __init__(self, stream: IO[bytes], end: int | None) -> None:
        self._stream = stream
        self._left = None if end is None else end - stream.tell()

    def read(self, size: int = -1) -> bytes:
        if self._left is not None:
            size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        if self._left is not None:
            self._left -= len(data)
        return data


def compressed_parts(path: str, part_size: int = PART_SIZE) -> Iterator[tuple[Unit, LinesResult | None]]:
    """A compressed JSON Lines file read, in parts of complete lines of about ``part_size`` bytes, each with None;
    or the file whole, for one process, when its start says it is not read as lines from its first part on
    (binary, blank, unreadable). A file that cannot be read to its end ends with the result one process gives
    there, after the lines it did read. The parts fall where the file's content says, so every process reading the
    file finds the same ones."""
    whole = (Unit(path), None)
    try:
        stream = compressed.open_source(Path(path))
    except compressed.ERRORS:
        yield whole
        return
    with stream:
        try:
            head = stream.read(BINARY_PROBE)
        except compressed.ERRORS:
            yield whole
            return
        if b"\x00" in head or not head.strip():
            yield whole
            return
        event = len(head) - len(head.lstrip())  # the first part holds the first line that is not blank
        pieces: list[bytes] = []
        held = offset = 0
        try:
            for chunk in read_chunks(head, stream):
                pieces.append(chunk)
                held += len(chunk)
                if held < part_size:
                    continue
                data, done = b"".join(pieces), 0
                # each part ends with the line that reaches part_size bytes (the first: and the line of ``event``)
                while (cut := data.find(b"\n", done + max(part_size - 1, event - offset)) + 1) > 0:
                    yield Unit(path, offset, part=True, lines=data[done:cut]), None
                    offset += cut - done
                    done = cut
                pieces = [data[done:]]
                held = len(pieces[0])
        except compressed.ERRORS as error:
            if offset == 0:  # before its first part: one process reads it whole and says where it stopped
                yield whole
                return
            data = b"".join(pieces)
            cut = data.rfind(b"\n") + 1  # the lines one process checks before it stops: the complete ones
            if cut:
                yield Unit(path, offset, part=True, lines=data[:cut]), None
            yield Unit(path, offset + cut, part=True), LinesResult([unreadable(path, error)], Tally(problems=1))
            return
        data = b"".join(pieces)
        if data or offset == 0:
            yield Unit(path, offset, part=True, lines=data), None


def check_share(
    unit: Unit, part_size: int, allow_unknown_types: bool, force_lines: bool, allow_abbreviated: bool
) -> list[tuple[int, Unit, LinesResult]]:
    """The parts of a compressed file that are this process's share (``unit.share``), each checked, with its place
    among all the file's parts. Each process decompresses the whole file, which costs far less than checking it,
    and no lines cross between processes."""
    assert unit.share is not None
    number, processes = unit.share
    found = []
    for index, (part, ready) in enumerate(compressed_parts(unit.path, part_size)):
        if part.lines is None and ready is None:  # read whole, by one process
            whole = check_unit(part, allow_unknown_types, force_lines, allow_abbreviated)
            return [(0, Unit(unit.path), whole)] if number == 0 else []
        if index % processes == number:
            checked = ready or check_unit(part, allow_unknown_types, force_lines, allow_abbreviated)
            found.append((index, replace(part, lines=None), checked))
    return found


def check_in_parallel(
    paths: list[Path],
    jobs: int,
    report: Callable[[Problem], None],
    allow_unknown_types: bool = False,
    force_lines: bool = False,
    split_size: int = SPLIT_SIZE,
    allow_abbreviated: bool = False,
    part_size: int = PART_SIZE,
) -> Tally:
    """Check ``paths`` (files and folders) in ``jobs`` processes (0: one per core), handing every problem to
    ``report`` in the order one process finds them; returns the tallies."""
    options = (allow_unknown_types, force_lines, allow_abbreviated)
    workers = jobs or os.cpu_count() or 1
    work = shared(units(paths, force_lines, split_size), workers)
    workers = min(workers, len(work))
    collect = _Collector(report)
    if workers <= 1:
        for unit in work:
            collect(unit, check_unit(unit, *options))
        return collect.total
    with ProcessPoolExecutor(workers) as pool:
        futures: list[Future[Any]] = [
            pool.submit(check_share, unit, part_size, *options)
            if unit.share
            else pool.submit(check_unit, unit, *options)
            for unit in work
        ]
        group: list[tuple[int, Unit, LinesResult]] = []
        for unit, future in zip(work, futures, strict=True):
            if unit.share is None:
                collect(unit, future.result())
                continue
            group += future.result()
            if unit.share[0] == unit.share[1] - 1:  # the file's last share: its parts, in their order
                for _, part, result in sorted(group, key=lambda found: found[0]):
                    collect(part, result)
                group = []
    return collect.total


def shared(work: list[Unit], workers: int) -> list[Unit]:
    """``work`` with the compressed files that would keep processes waiting shared between them: those of its last
    round, when there are fewer units left than processes (a single compressed log, the fifth of five on two)."""
    last = len(work) % workers if workers > 1 else 0
    head, tail = work[: len(work) - last], work[len(work) - last :]
    for unit in tail:
        head += [replace(unit, share=(n, workers)) for n in range(workers)] if unit.stream else [unit]
    return head


class _Collector:
    """Results taken in order of the work: each problem reported with its line counted from the start of its
    file, the tallies added up."""

    def __init__(self, report: Callable[[Problem], None]) -> None:
        self.report = report
        self.total = Tally()
        self.before = 0  # lines in the parts of the current file already collected

    def __call__(self, unit: Unit, result: LinesResult) -> None:
        before = self.before if unit.part and unit.start else 0
        for problem in result.problems:
            if problem.line is not None and before:
                problem = replace(problem, line=problem.line + before)
            self.report(problem)
        self.before = before + result.lines
        add(self.total, result.tally)
