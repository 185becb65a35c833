"""``validate`` throughput on a JSON Lines log, against plain ``json.loads`` of the same lines, side by side.

    python benchmarks/validate_throughput.py [--events 400000] [--rounds 5]

Writes a log of typical events (the four types, realistic contents, about 350 bytes a line, a few invalid ones as
production logs have, in time order at five events a second), then measures alternately, on one core:

- the baseline: reading the file and ``json.loads`` of every line, nothing else;
- ``validate`` in process (``event_files.Checker``: reading, parsing, the compiled checks, jsonschema's messages
  for the invalid events);
- ``horneross-conformance validate FILE`` as a user runs it, start-up included;
- and, for orientation, jsonschema alone on a sample of the parsed events, and ``orjson.loads`` of every line (the
  parser of validate's fast path, whose every "invalid" is parsed again by the exact path).

Targets: at least 150,000 events/s end to end, and validation as fast as parsing alone (``validate`` /
``json.loads`` <= 1.0).

Then, before the benchmark binds itself to one core, ``--jobs 2`` against one process (the baseline), each as a
user runs the command, start-up included, alternately: on one gzip log of ``--events`` events, and on a folder of
four gzip logs of a quarter of them each. Target: ``--jobs 2`` in at most 0.6x the one-process time, on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import orjson
from corpus import typical_event
from targets import Outcome, report

from horneross_conformance.core.validation import schema_name_for, validator
from horneross_conformance.logs.event_files import Checker

TARGET_RATE = 150_000
TARGET_RATIO = 1.0
TARGET_JOBS_RATIO = 0.6
FLEET_FILES = 4
EVENTS_A_SECOND = 5  # 400,000 events in about 22 hours: a busy platform's day


def write_log(path: Path, count: int) -> int:
    """A log as production writes one: in time order, ``EVENTS_A_SECOND`` events a second (the timestamps have whole
    seconds, so neighbours share some: what validate's date-time check remembers), each with an id of its own."""
    rng = random.Random(1)
    invalid = 0
    every = min(10_000, max(count // 5, 1))  # one in 10,000; at least a few in a short log
    start = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            event = typical_event(number, rng)
            moment = start + datetime.timedelta(seconds=number // EVENTS_A_SECOND)
            event["id"], event["timestamp"] = f"evt_{number:012x}", moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            if number % every == every - 1:  # a few broken events, as real logs have
                event["data"].pop("conversationId")  # type: ignore[attr-defined]
                invalid += 1
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    return invalid


def parse_only(path: Path) -> float:
    started = time.perf_counter()
    loads = json.loads
    with path.open("rb") as stream:
        for line in stream:
            loads(line.decode("utf-8"))
    return time.perf_counter() - started


def parse_only_orjson(path: Path) -> float:
    started = time.perf_counter()
    loads = orjson.loads
    with path.open("rb") as stream:
        for line in stream:
            loads(line)
    return time.perf_counter() - started


def validate_in_process(path: Path, expected_invalid: int) -> float:
    problems: list[object] = []
    started = time.perf_counter()
    checker = Checker(problems.append)
    checker.check_path(path)
    seconds = time.perf_counter() - started
    if checker.tally.invalid_events != expected_invalid:
        raise SystemExit(f"validate found {checker.tally.invalid_events} invalid events, not {expected_invalid}")
    return seconds


def validate_command(path: Path, *options: str) -> float:
    command = shutil.which("horneross-conformance")
    if command is None:
        raise SystemExit("horneross-conformance is not installed: pip install -e .")
    started = time.perf_counter()
    result = subprocess.run(
        [command, "validate", "-q", *options, str(path)], capture_output=True, text=True, timeout=600
    )
    seconds = time.perf_counter() - started
    if result.returncode != 1 or "INVALID" not in result.stdout:
        raise SystemExit(f"unexpected result of validate: {result.stdout}{result.stderr}")
    return seconds


def jsonschema_only(path: Path, sample: int) -> float:
    with path.open("rb") as stream:
        events = [json.loads(line) for _, line in zip(range(sample), stream, strict=False)]
    started = time.perf_counter()
    for event in events:
        validator(schema_name_for(event)).is_valid(event)
    return (time.perf_counter() - started) / len(events)


def gzip_log(plain: Path, packed: Path) -> None:
    with plain.open("rb") as source, gzip.open(packed, "wb", 6) as out:
        shutil.copyfileobj(source, out)


def jobs_against_one(path: Path, rounds: int, title: str, events: int) -> Outcome:
    """``validate --jobs 2 PATH`` against ``validate PATH`` in one process, alternately, start-up included."""
    validate_command(path)  # warm up: the files in the page cache
    alone, spread = [], []
    for _ in range(rounds):  # alternate, so that drift in the machine's load hits both sides alike
        alone.append(validate_command(path))
        spread.append(validate_command(path, "--jobs", "2"))
    one, two = statistics.median(alone), statistics.median(spread)
    print(f"{title} ({events:,} events), start-up included:")
    print(f"  one process (baseline): {one:.3f} s, {events / one:,.0f} events/s")
    print(f"  --jobs 2:               {two:.3f} s, {events / two:,.0f} events/s ({two / one:.2f}x)")
    return report(
        Outcome(
            f"validate --jobs 2, {title}",
            f"{two / one:.2f}x ({two:.2f} s against {one:.2f} s in one process, measured alongside)",
            f"<= {TARGET_JOBS_RATIO}x on 2 cores",
            two / one <= TARGET_JOBS_RATIO,
        )
    )


def spread_over_two(events: int, rounds: int) -> list[Outcome]:
    """One gzip log, and a folder of four, each validated in one process against --jobs 2, side by side."""
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "deliveries.jsonl"
        write_log(plain, events)
        single = Path(folder) / "deliveries.jsonl.gz"
        gzip_log(plain, single)
        logs = Path(folder) / "logs"
        logs.mkdir()
        write_log(plain, max(events // FLEET_FILES, 1))
        for index in range(FLEET_FILES):
            gzip_log(plain, logs / f"deliveries.jsonl.{index}.gz")
        fleet_events = FLEET_FILES * max(events // FLEET_FILES, 1)
        return [
            jobs_against_one(single, rounds, "one gzip log", events),
            jobs_against_one(logs, rounds, f"{FLEET_FILES} gzip logs", fleet_events),
        ]


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    jobs = spread_over_two(args.events, args.rounds)  # before binding to one core: it measures two
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "deliveries.jsonl"
        invalid = write_log(log, args.events)
        size = log.stat().st_size
        validate_in_process(log, invalid)  # warm up: the compiled checks, the file in the page cache
        parse, check, command, fast_parse = [], [], [], []
        for _ in range(args.rounds):  # alternate, so that drift in the machine's load hits all sides alike
            parse.append(parse_only(log))
            fast_parse.append(parse_only_orjson(log))
            check.append(validate_in_process(log, invalid))
            command.append(validate_command(log))
        per_event = jsonschema_only(log, 5_000)
    n = args.events
    base, full, cli = statistics.median(parse), statistics.median(check), statistics.median(command)
    rate = n / full
    ratio = full / base
    lines = f"{n:,} events, {size / n:.0f} bytes a line, {invalid} invalid"
    print(f"machine: {os.cpu_count()} cores, measured on one; {lines}")
    print(f"json.loads of every line (baseline): {base:.3f} s, {n / base:,.0f} events/s")
    print(f"validate, in process:               {full:.3f} s, {rate:,.0f} events/s")
    print(f"horneross-conformance validate:     {cli:.3f} s, {n / cli:,.0f} events/s, start-up included")
    print(f"jsonschema alone (orientation):     {1 / per_event:,.0f} events/s")
    fast = statistics.median(fast_parse)
    print(f"orjson.loads of every line (orientation, the parser of validate's fast path): {n / fast:,.0f} events/s;")
    print(
        f"  validate costs {full / fast:.2f}x that: "
        f"the checks themselves take {(full - fast) / n * 1e6:.2f} µs an event"
    )
    return [
        *jobs,
        report(
            Outcome(
                "validate throughput, one core",
                f"{rate:,.0f} events/s",
                f">= {TARGET_RATE:,} events/s",
                rate >= TARGET_RATE,
            )
        ),
        report(
            Outcome(
                "validate cost against json.loads",
                f"{ratio:.2f}x ({n / base:,.0f} events/s parsed, {rate:,.0f} validated)",
                f"<= {TARGET_RATIO}x",
                ratio <= TARGET_RATIO,
            )
        ),
    ]


if __name__ == "__main__":
    main()
