"""explore(): seeded, shrinking, stopping at once when told, bounded in time, quiet, and honest about flakiness."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from horneross_conformance.checks.exploration import Counterexample, Stop, explore, how_found

NUMBERS = st.fixed_dictionaries({"n": st.integers(min_value=0, max_value=10**6)})


def fails_above(limit: int) -> Any:
    def check(event: dict[str, int]) -> None:
        if event["n"] > limit:
            raise Counterexample(f"{event['n']} is too big", event, b"")

    return check


def test_a_failure_is_shrunk_to_the_smallest_failing_event() -> None:
    result = explore(fails_above(10), NUMBERS, examples=100, seed=1, budget=30)
    assert result.found is not None and result.found.event == {"n": 11}
    assert result.shrunk and not result.derived and result.stopped is None
    assert how_found(result, "event").startswith("the smallest failing event, shrunk;")


def test_a_passing_target_is_tried_on_exactly_the_examples_asked_for_and_the_explicit_ones() -> None:
    seen: list[Any] = []
    result = explore(seen.append, NUMBERS, examples=30, seed=1, budget=30, explicit=[{"n": -1}, {"n": -2}])
    assert result.found is None
    assert seen[:2] == [{"n": -1}, {"n": -2}]  # the explicit events run first, in order
    assert result.tried == len(seen) == 32


def test_the_same_seed_tries_the_same_events() -> None:
    runs = []
    for seed in (5, 5, 6):
        seen: list[Any] = []
        explore(seen.append, NUMBERS, examples=20, seed=seed, budget=30)
        runs.append(seen)
    assert runs[0] == runs[1] != runs[2]


def test_a_failing_explicit_event_is_reported_as_derived_not_shrunk() -> None:
    result = explore(fails_above(10), NUMBERS, examples=10, seed=1, budget=30, explicit=[{"n": 500}])
    assert result.found is not None and result.found.event == {"n": 500}
    assert result.derived and not result.shrunk


def test_stop_ends_at_once_without_shrinking() -> None:
    calls: list[Any] = []

    def check(event: dict[str, int]) -> None:
        calls.append(event)
        if event["n"] > 10:
            raise Stop("no answer", Counterexample("no answer", event, b""))

    result = explore(check, NUMBERS, examples=100, seed=1, budget=30)
    assert result.stopped == "no answer"
    assert result.found is not None and result.found.event == calls[-1]
    assert not result.shrunk


def test_the_time_budget_ends_the_exploration() -> None:
    result = explore(lambda event: None, NUMBERS, examples=100, seed=1, budget=0)
    assert result.found is None
    assert result.stopped is not None and "time budget" in result.stopped


def test_a_target_that_does_not_fail_again_is_reported_as_flaky() -> None:
    failed: set[int] = set()

    def check(event: dict[str, int]) -> None:
        if event["n"] > 10 and event["n"] not in failed:
            failed.add(event["n"])
            raise Counterexample("once", event, b"")

    result = explore(check, NUMBERS, examples=100, seed=1, budget=30)
    assert result.found is not None
    assert result.flaky and not result.shrunk


def test_hypothesis_prints_nothing_and_keeps_no_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    explore(fails_above(10), NUMBERS, examples=50, seed=1, budget=30)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
    assert list(tmp_path.iterdir()) == []  # no .hypothesis folder in the user's directory
