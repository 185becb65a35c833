"""``validate --jobs``: files, and the lines of one large file, spread over the processes of one machine.

``check_in_parallel`` reports the same problems in the same order, with the same tallies, as one process: results
come back in file order, then in order of place in the file, and each part's line numbers are moved by the lines
of the parts before it. A large plain JSON Lines file is split by byte ranges at line boundaries, each process
reading its own part. A compressed one cannot be entered in the middle: when it would keep processes waiting (a
single log, the fifth of five on two processes), this process decompresses it (far cheaper than checking it) and
hands its lines to the others in parts of about ``PART_SIZE`` bytes, through slots of memory it shares with them
(``_Ring``: one copy in, one copy out, where a pipe or a pickle cost as much again as decompressing); otherwise,
and where processes cannot be forked with that memory, one process reads it whole.
"""

from __future__ import annotations

import io
import mmap
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, cast

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
PART_SIZE = 4 * 1024 * 1024  # bytes of lines: the parts of a compressed JSON Lines file handed to processes


@dataclass(frozen=True, slots=True)
class Unit:
    """Work for one process: a path as given (a file, or a folder with nothing to check); the bytes ``start`` to
    ``end`` of a plain JSON Lines file (``end`` None: to its end); a compressed JSON Lines file (``stream``), read
    whole by one process, or read here and handed out in parts (``spread``, see ``compressed_parts``); or such a
    part: ``lines``, the complete lines that begin at byte ``start`` of what the file holds (a view of what this
    process read, while it hands them out: copied once, into the slot that takes them to another)."""

    path: str
    start: int = 0
    end: int | None = None
    part: bool = False  # one of several parts of the file
    lines: bytes | memoryview | None = None
    stream: bool = False
    spread: bool = False


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
        lines = unit.lines
        assert isinstance(lines, bytes), "a view of a part goes out through a slot (check_slot), never pickled"
        if unit.start == 0:
            checker.check_stream(unit.path, io.BytesIO(lines), lines=True)
        else:
            checker.check_lines_part(unit.path, [lines])
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
                    yield Unit(path, offset, part=True, lines=memoryview(data)[done:cut]), None
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
    work = units(paths, force_lines, split_size)
    work = spread(work, workers) if sys.platform == "linux" else work  # where forking with the ring is safe
    collect = _Collector(report)
    if min(workers, len(work)) <= 1 and not any(unit.spread for unit in work):
        for unit in work:
            collect(unit, check_unit(unit, *options))
        return collect.total
    # one slot for each process checking a part, one being filled, one spare; a slot holds a part and a long line
    ring = _Ring(workers + 2, part_size + min(part_size, 1 << 20)) if any(unit.spread for unit in work) else None
    context = multiprocessing.get_context("fork") if ring else None  # the pool's processes share the ring
    processes = workers if ring else min(workers, len(work))
    with _sharing(ring), ProcessPoolExecutor(processes, mp_context=context) as pool:
        pending: deque[tuple[Unit, Future[LinesResult] | LinesResult, int | None]] = deque()

        def collect_first() -> None:
            unit, result, slot = pending.popleft()
            collect(unit, result if isinstance(result, LinesResult) else result.result())
            if slot is not None and ring:
                ring.free.append(slot)

        for unit in work:
            if not unit.spread or ring is None:
                pending.append((unit, pool.submit(check_unit, unit, *options), None))
                continue
            for part, ready in compressed_parts(unit.path, part_size):
                if ready is not None or part.lines is None or len(part.lines) > ring.size:
                    # where it stopped; the file whole (its start says so); a part longer than a slot, pickled
                    if part.lines is not None:
                        part = replace(part, lines=bytes(part.lines))
                    pending.append((part, ready or pool.submit(check_unit, part, *options), None))
                    continue
                while not ring.free:  # every slot holds a part not yet checked
                    collect_first()
                slot = ring.put(part.lines)
                light = replace(part, lines=None)
                pending.append((light, pool.submit(check_slot, slot, len(part.lines), light, *options), slot))
        while pending:
            collect_first()
    return collect.total


def spread(work: list[Unit], workers: int) -> list[Unit]:
    """``work`` with the compressed files that would keep processes waiting marked to be read here and handed out
    in parts: those of its last round, when there are fewer units left than processes (a single compressed log,
    the fifth of five on two)."""
    last = len(work) % workers if workers > 1 else 0
    return [replace(unit, spread=unit.stream and index >= len(work) - last) for index, unit in enumerate(work)]


class _Ring:
    """Slots of memory shared with the processes forked after it is made (the pool's): a part of a compressed log
    is written into a free slot here, read out there, and the slot is free again once its result is collected."""

    def __init__(self, slots: int, size: int) -> None:
        self.size = size
        self.memory = mmap.mmap(-1, slots * size)  # anonymous and shared: the forked processes see the same pages
        self.free = list(range(slots))

    def put(self, data: bytes | memoryview) -> int:
        slot = self.free.pop()
        self.memory[slot * self.size : slot * self.size + len(data)] = data
        return slot


_RING: _Ring | None = None  # the ring of the pool this process belongs to, as it was when the pool forked it


@contextmanager
def _sharing(ring: _Ring | None) -> Iterator[None]:
    global _RING
    _RING = ring
    try:
        yield
    finally:
        _RING = None
        if ring is not None:
            ring.memory.close()


def check_slot(
    slot: int, length: int, unit: Unit, allow_unknown_types: bool, force_lines: bool, allow_abbreviated: bool
) -> LinesResult:
    """A part of a compressed log, read out of the ring's ``slot`` (in a process of the pool)."""
    assert _RING is not None, "check_slot runs in a process forked with the ring"
    start = slot * _RING.size
    lines = _RING.memory[start : start + length]
    return check_unit(replace(unit, lines=lines), allow_unknown_types, force_lines, allow_abbreviated)


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
