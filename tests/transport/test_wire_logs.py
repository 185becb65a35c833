"""Wire logs of checks run ahead of their turn: adopted in turn, with what their deliveries still out record later."""

from __future__ import annotations

import threading

from horneross_conformance.transport import wire


def exchange(number: int) -> wire.Exchange:
    return wire.Exchange(f"POST /hook/{number}", [], "{}", "200 OK")


def test_an_adopted_log_hands_over_what_it_held_and_what_comes_after() -> None:
    recorder = wire.WireRecorder()
    ahead = wire.WireLog(recorder.redactor)
    for number in range(1, wire.MAX_EXCHANGES + 3):  # two past what a log keeps
        ahead.add(exchange(number))
    with recorder.recording() as current:
        recorder.adopt(ahead)
        late = threading.Thread(target=lambda: recorder.record(exchange(99), ahead))  # a delivery still out
        late.start()
        late.join()
        recorder.record(exchange(100))  # the check's own, in its turn
        recorder.mark_failing()
    shown = current.as_json()
    assert [e["request"] for e in shown["exchanges"][:2]] == ["POST /hook/1", "POST /hook/2"]
    assert len(shown["exchanges"]) == wire.MAX_EXCHANGES + 1  # the failing one kept past the first
    assert shown["omitted"] == 3  # two past the limit before adoption, one after
    assert shown["failing"] == wire.MAX_EXCHANGES + 4  # numbered after all 14 adopted and the late one
    assert shown["exchanges"][-1]["request"] == "POST /hook/100"
    assert ahead.as_json()["exchanges"] == shown["exchanges"][: wire.MAX_EXCHANGES]  # nothing lost, nothing twice


def test_a_pool_thread_records_into_the_log_of_the_check_that_started_it() -> None:
    recorder = wire.WireRecorder()
    own = wire.WireLog(recorder.redactor)

    def deliver() -> None:
        with recorder.recording_into(own):
            recorder.record(exchange(1))
        recorder.record(exchange(2))  # after the block: the current check's again

    with recorder.recording() as current:
        worker = threading.Thread(target=deliver)
        worker.start()
        worker.join()
    assert [e.request for e in own.exchanges] == ["POST /hook/1"]
    assert [e.request for e in current.exchanges] == ["POST /hook/2"]
