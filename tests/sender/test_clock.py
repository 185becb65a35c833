"""The frozen clock: every thread reads it, only move_to moves it, and the real clock comes back after."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from freezegun import api as freezegun_api

from horneross_conformance.core.limits import CAPTURE_BOUNDS
from horneross_conformance.sender.clock import EPOCH, FrozenClock, RunFreezer
from horneross_conformance.transport.http_request import Connection

REAL_TIME = time.time
REAL_DATETIME = datetime


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


def test_a_run_freezer_gives_the_real_time_between_checks_and_each_check_starts_at_its_epoch() -> None:
    """One freeze for the whole run (one search of the modules), paused between checks: pytest's own timing, the
    reports and every other reader in the process see the real time there, and each check's clock starts at its
    epoch again, however far the last one moved."""
    freezer = RunFreezer()
    try:
        with FrozenClock(EPOCH, freezer) as clock:
            clock.move_to(7200)
            assert time.time() == EPOCH.timestamp() + 7200
        assert abs(time.time() - datetime.now(UTC).timestamp()) < 5 and time.time() > EPOCH.timestamp() + 86400
        before = time.monotonic()
        time.sleep(0.01)
        assert time.monotonic() > before  # paused: the real clock runs
        # freezegun's own names for the real classes: its search replaces any other module's
        assert date.today() == freezegun_api.real_date.today()
        assert datetime.now().hour == freezegun_api.real_datetime.now().hour
        with FrozenClock(EPOCH, freezer) as clock:
            assert time.time() == EPOCH.timestamp() and clock.offset == 0
            assert datetime.now(UTC) == EPOCH
    finally:
        freezer.stop()
    assert not freezegun_api.freeze_factories  # stopped: nothing of it is left in force
    assert time.time is REAL_TIME and datetime is REAL_DATETIME


def test_stopping_a_paused_run_freezer_restores_the_time_functions() -> None:
    freezer = RunFreezer()
    with FrozenClock(EPOCH, freezer):
        pass
    freezer.stop()
    freezer.stop()  # twice is harmless: a run's close after an interrupted run
    assert time.time is REAL_TIME and not freezegun_api.ignore_lists


def test_the_servers_deadlines_are_in_real_time_while_the_clock_jumps() -> None:
    """A capture server reads deliveries while the suite moves its frozen clock by hours: the deadline of a request
    being read is set and checked on the real clock (REAL_TIME_FOR), or one move would end every read under way."""
    server_side, client_side = socket.socketpair()
    with server_side, client_side, FrozenClock() as clock:
        connection = Connection(server_side, CAPTURE_BOUNDS, threading.BoundedSemaphore(1))
        client_side.sendall(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
        request = connection.read_request()  # its deadline is set: the whole request within the request time
        clock.move_to(3 * 3600)
        client_side.sendall(b"{}")
        assert request.read() == b"{}"
        assert 0 < connection.left() <= CAPTURE_BOUNDS.request_time
