"""Fleet logs: compressed files read by their magic bytes, and validation spread over processes with the same
problems in the same order and the same tallies as one process."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess
from pathlib import Path
from typing import Any

import pytest
from command_line import cli, environment, executable
from log_files import log_lines, write

from horneross_conformance.logs.event_files import Checker, Problem, Tally, files_in
from horneross_conformance.logs.log_reading import check_in_parallel, check_lines, merge, units


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
    assert text.stdout.splitlines() == cli("validate", ".", cwd=tmp_path).stdout.splitlines()
    gz = gzip.compress(b"\n".join(log_lines(20, 1)))
    piped = subprocess.run(
        [executable(), "validate", "-"], input=gz, cwd=tmp_path, env=environment(), capture_output=True, timeout=60
    )
    assert piped.stdout.decode().splitlines()[-1].startswith("INVALID: 18 events in 1 source")
    wrong = cli("validate", "--jobs", "-1", ".", cwd=tmp_path)
    assert wrong.returncode == 2 and "--jobs: -1 is not 0" in wrong.stderr
