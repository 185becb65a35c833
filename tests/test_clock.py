"""The frozen clock: every thread reads it, only move_to moves it, and the real clock comes back after."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from horneross_conformance.sender.clock import EPOCH, FrozenClock


def test_every_thread_reads_the_frozen_time() -> None:
    """freezegun's default ignore list would give code just below Thread.run the real time."""
    seen: list[float] = []
    with FrozenClock() as clock:
        clock.move_to(9360)
        worker = threading.Thread(target=lambda: seen.append(time.time()))
        worker.start()
        worker.join(5)
        with ThreadPoolExecutor(2) as pool:
            seen += list(pool.map(lambda _: datetime.now(UTC).timestamp(), range(2)))
    assert seen == [EPOCH.timestamp() + 9360] * 3


def test_only_move_to_moves_it_and_never_backwards() -> None:
    with FrozenClock() as clock:
        before = time.monotonic()
        time.sleep(0.02)
        assert time.monotonic() == before
        clock.move_to(60)
        assert time.time() == EPOCH.timestamp() + 60 and clock.offset == 60
        with pytest.raises(ValueError, match="only moves forward"):
            clock.move_to(59)


def test_the_real_clock_comes_back() -> None:
    with FrozenClock():
        pass
    assert abs(time.time() - datetime.now(UTC).timestamp()) < 5
    assert datetime.now(UTC).year >= 2026 and time.time() > EPOCH.timestamp()


def test_the_exploration_budget_runs_on_real_time_under_the_frozen_clock() -> None:
    """Hypothesis and the budget of a generated check read the real time; else a budget would never end."""
    from hypothesis import strategies as st

    from horneross_conformance.checks.exploration import explore

    with FrozenClock():
        frozen = time.time()
        result = explore(lambda event: time.sleep(0.01), st.integers(), examples=1000, seed=1, budget=0.1)
        assert time.time() == frozen  # the suite's own reads stay frozen
    assert result.stopped is not None and "time budget" in result.stopped
    assert result.tried < 1000
