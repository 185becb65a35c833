"""Fleet logs: compressed files read by their magic bytes, and validation spread over processes with the same
problems in the same order and the same tallies as one process."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from command_line import cli, environment, executable
from log_files import log_lines, write

from horneross_conformance.core.events import sample_event
from horneross_conformance.logs.event_files import Checker, Problem, Tally, files_in
from horneross_conformance.logs.log_reading import check_lines, merge
from horneross_conformance.logs.processes import check_in_parallel, compressed_parts, spread, units


def one_process(paths: list[Path], **options: Any) -> tuple[list[Problem], Tally]:
    problems: list[Problem] = []
    checker = Checker(problems.append, **options)
    for path in paths:
        checker.check_path(path)
    return problems, checker.tally


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open], ids=["gzip", "bz2", "xz"])
def test_compressed_logs_are_read_as_what_they_hold_whatever_their_name(tmp_path: Path, opener: Any) -> None:
    lines = log_lines(200, 1)
    plain = write(tmp_path / "plain.jsonl", lines)
    expected, tally = one_process([plain])
    for name in ("deliveries.jsonl.gz", "deliveries.jsonl.3.bz2", "misnamed.jsonl"):
        packed = write(tmp_path / name, lines, opener)
        problems, packed_tally = one_process([packed])
        assert [(p.line, p.rule, p.message) for p in problems] == [(p.line, p.rule, p.message) for p in expected]
        assert packed_tally == tally and tally.events > 150 and tally.invalid_events > 0
        packed.unlink()


def test_a_folder_holds_its_compressed_and_rotated_logs(tmp_path: Path) -> None:
    for name in ("a.jsonl.gz", "b.jsonl.1", "c.json.xz", "d.txt.gz", "e.gz"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in files_in(tmp_path)] == ["a.jsonl.gz", "b.jsonl.1", "c.json.xz"]


def test_a_damaged_compressed_file_is_one_clear_problem(tmp_path: Path) -> None:
    packed = gzip.compress(b"\n".join(log_lines(50, 2)))
    damaged = tmp_path / "cut.jsonl.gz"
    damaged.write_bytes(packed[: len(packed) // 2])
    problems, _ = one_process([damaged])
    assert problems[-1].rule == "input" and problems[-1].message.startswith("cannot be read: ")


def test_processes_find_the_same_problems_in_the_same_order_with_the_same_tallies(tmp_path: Path) -> None:
    folder = tmp_path / "fleet"
    folder.mkdir()
    for index in range(3):
        write(folder / f"deliveries.jsonl.{index}.gz", log_lines(300, index), gzip.open)
    big = write(tmp_path / "big.jsonl", log_lines(2000, 7))
    empty = tmp_path / "nothing"
    empty.mkdir()
    paths = [folder, big, empty, write(tmp_path / "one.json", [b'{"type": "lead.captured"}'])]
    expected, expected_tally = one_process(paths)
    split = 16 * 1024  # small parts, so that the large file is split at many line boundaries
    assert sum(unit.path == str(big) for unit in units(paths, False, split)) > 10
    problems: list[Problem] = []
    tally = check_in_parallel(paths, 2, problems.append, split_size=split)
    assert problems == expected
    assert tally == expected_tally and tally.sources == 5 and tally.invalid_events > 0


def test_lines_from_anywhere_are_checked_as_validate_checks_a_file(tmp_path: Path) -> None:
    lines = log_lines(300, 3)
    expected, tally = one_process([write(tmp_path / "log.jsonl", lines)])
    as_text = [line.decode() + "\n" for line in lines]
    halves = [check_lines(as_text[:150], str(tmp_path / "log.jsonl")), check_lines([], "other.jsonl")]
    whole = check_lines(as_text, str(tmp_path / "log.jsonl"))
    assert whole.problems == expected and whole.tally == tally and whole.lines == 300
    total = merge(halves)
    assert total.tally.sources == 2 and total.problems[-1].message == "empty: no events"


def _untimed(output: str) -> list[str]:
    """The lines of validate's text output without the time the summary gives for a run longer than half a
    second (on a busy machine, either run may be)."""
    return [re.sub(r" \([\d.]+ s, [\d,]+ events/s\)$", "", line) for line in output.splitlines()]


@pytest.mark.slow
def test_the_command_gives_the_same_output_in_one_process_and_in_several(tmp_path: Path) -> None:
    for index in range(3):
        write(tmp_path / f"deliveries.jsonl.{index}.gz", log_lines(200, index), gzip.open)
    write(tmp_path / "today.jsonl", log_lines(200, 5))
    alone = cli("validate", "--format", "json", ".", cwd=tmp_path)
    spread = cli("validate", "--format", "json", "--jobs", "0", ".", cwd=tmp_path)
    assert alone.returncode == spread.returncode == 1
    assert json.loads(alone.stdout) == json.loads(spread.stdout)
    assert json.loads(spread.stdout)["sources"] == 4
    text = cli("validate", "-j", "2", ".", cwd=tmp_path)
    assert _untimed(text.stdout) == _untimed(cli("validate", ".", cwd=tmp_path).stdout)
    gz = gzip.compress(b"\n".join(log_lines(20, 1)))
    piped = subprocess.run(
        [executable(), "validate", "-"], input=gz, cwd=tmp_path, env=environment(), capture_output=True, timeout=60
    )
    assert piped.stdout.decode().splitlines()[-1].startswith("INVALID: 18 events in 1 source")
    wrong = cli("validate", "--jobs", "-1", ".", cwd=tmp_path)
    assert wrong.returncode == 2 and "--jobs: -1 is not 0" in wrong.stderr


def _stream_cases(tmp_path: Path) -> dict[str, Path]:
    """Compressed JSON Lines files the process handing out the work reads itself: a byte-order mark, blank lines
    and a long first event before the cut of the first part, broken lines in every part, bz2 and xz, and the
    files whose start sends them whole to one process (binary, blank)."""
    lines = log_lines(400, 4)
    long_first = json.dumps({**sample_event("lead.captured"), "note": "x" * 5000}).encode()
    cases = {
        "gzip, a byte-order mark": write(tmp_path / "a.jsonl.gz", [b"\xef\xbb\xbf" + lines[0], *lines[1:]], gzip.open),
        "bz2, blank lines, a long first event": write(
            tmp_path / "b.jsonl.bz2", [b"", b"  ", long_first, *lines], bz2.open
        ),
        "xz, no line end at its end": tmp_path / "c.log.xz",
        "gzip, binary": write(tmp_path / "d.jsonl.gz", [b"\x00\x01", *lines[:50]], gzip.open),
        "gzip, blank": write(tmp_path / "e.jsonl.gz", [b" "] * 9000, gzip.open),
    }
    with lzma.open(cases["xz, no line end at its end"], "wb") as out:
        out.write(b"\n".join(lines))
    return cases


def test_a_compressed_log_is_handed_out_in_parts_with_the_problems_of_one_process(tmp_path: Path) -> None:
    """One compressed file split across processes: the same problems in the same order, each with its line in the
    file, and the same tallies as one process, however the parts fall (2 KB parts: dozens of them)."""
    for name, path in _stream_cases(tmp_path).items():
        expected, expected_tally = one_process([path], force_lines=True)
        assert expected, name
        parts = list(compressed_parts(str(path), 2048))
        if name.endswith(("binary", "blank")):
            assert [unit.lines for unit, _ in parts] == [None], name  # read whole, by one process
        else:
            assert len(parts) > 20 and all(unit.lines for unit, _ in parts), name
        problems: list[Problem] = []
        tally = check_in_parallel([path], 2, problems.append, force_lines=True, part_size=2048)
        assert problems == expected, name
        assert tally == expected_tally, name


@pytest.mark.parametrize("part_size", [2048, 1 << 30], ids=["cut after parts", "cut before its first part"])
def test_a_damaged_compressed_log_has_the_problems_of_one_process_and_then_says_where_it_stopped(
    tmp_path: Path, part_size: int
) -> None:
    packed = gzip.compress(b"\n".join(log_lines(12_000, 6)))  # 1 MB reads: several before the cut
    damaged = tmp_path / "cut.jsonl.gz"
    damaged.write_bytes(packed[: len(packed) * 3 // 4])
    expected, expected_tally = one_process([damaged])
    assert expected[-1].message.startswith("cannot be read: ") and len(expected) > 10
    parts = list(compressed_parts(str(damaged), part_size))
    if part_size > 2048:  # it fails before its first part is cut: one process reads it whole
        assert [(unit.lines, ready) for unit, ready in parts] == [(None, None)]
    else:  # parts of complete lines, then where one process stops
        assert len(parts) > 10 and parts[-1][1] is not None and parts[-1][1].problems == expected[-1:]
    problems: list[Problem] = []
    tally = check_in_parallel([damaged], 2, problems.append, part_size=part_size)
    assert problems == expected and tally == expected_tally


def test_a_compressed_log_is_handed_out_in_parts_only_where_it_would_keep_processes_waiting(tmp_path: Path) -> None:
    """Reading a log here and handing its lines out costs a copy each way: worth it for the logs of a last round
    that would leave processes idle (a single log, the fifth of five on two), not for four logs on two processes,
    nor for a plain file, which processes read in byte ranges of their own."""
    logs = [write(tmp_path / f"d{index}.jsonl.gz", log_lines(20, index), gzip.open) for index in range(5)]
    plain = write(tmp_path / "p.jsonl", log_lines(20, 9))

    def spread_names(paths: list[Path], workers: int) -> list[str]:
        return [Path(unit.path).name for unit in spread(units(paths, False), workers) if unit.spread]

    assert spread_names(logs[:4], 2) == []
    assert spread_names(logs, 2) == ["d4.jsonl.gz"]
    assert spread_names(logs[:1], 3) == ["d0.jsonl.gz"]
    assert spread_names([plain, logs[0]], 3) == ["d0.jsonl.gz"]
    assert spread_names([logs[0], plain], 3) == ["d0.jsonl.gz"]
    assert spread_names(logs[:1], 1) == []
