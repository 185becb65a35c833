"""The inspector's history and replay: ``listen --db`` keeps every delivery in SQLite (bounded, exportable as the
JSON Lines of ``--log``), and ``replay`` sends them again to real receivers on 127.0.0.1, judging each answer."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import receivers as r
from command_line import cli, listening
from receivers.signatures import Verifying

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.cli.main import main
from horneross_conformance.core.events import sample_event
from horneross_conformance.inspector.store import DeliveryStore
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
OTHER_SECRET = "whsec_another_secret_0d9e1f"


def _record(n: int) -> dict[str, Any]:
    return {"n": n, "method": "POST", "path": "/", "headers": {}, "body": "x", "attempt": 1, "status": 200}


def test_the_store_keeps_deliveries_across_a_restart_and_drops_the_oldest_past_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = DeliveryStore(path, max_rows=3)
    for n in range(1, 6):
        store.add(_record(n), f"body {n}".encode())
    store.close()
    reopened = DeliveryStore(path, max_rows=3)
    kept = list(reopened.deliveries())
    assert [d.record["n"] for d in kept] == [3, 4, 5] and [d.body for d in kept] == [b"body 3", b"body 4", b"body 5"]
    assert reopened.dropped == 2 and len(reopened) == 3
    assert [d.number for d in reopened.deliveries([4])] == [4]
    reopened.close()
    assert path.stat().st_mode & 0o077 == 0  # the bytes a sender sent, readable by their owner only


def test_the_store_drops_the_oldest_past_its_bytes_and_keeps_a_body_too_large_by_its_record() -> None:
    store = DeliveryStore(":memory:", max_bytes=100)
    for n in range(1, 5):
        store.add(_record(n), b"x" * 40)
    store.add(_record(5), b"y" * 101)  # larger than the whole budget: its record only
    kept = list(store.deliveries())
    assert [(d.record["n"], d.body is None) for d in kept] == [(3, False), (4, False), (5, True)]
    assert store.dropped == 2
    out = io.StringIO()
    assert store.export_jsonl(out) == 3
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [_record(3), _record(4), _record(5)]


def test_a_delivery_the_database_refuses_is_counted_not_raised(tmp_path: Path) -> None:
    store = DeliveryStore(tmp_path / "history.sqlite3")
    assert store.add(_record(1), b"kept") == 1
    store._db.execute("DROP TABLE deliveries")  # as a file damaged under the listener would refuse it
    assert store.add(_record(2), b"refused") == 0
    assert store.failed == 1 and "no such table" in store.failure
    store.close()


class Failing(r.PlainReceiver):
    def handle(self, body: bytes, signature: str | None) -> str:
        return "500 Internal Server Error"


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[bytes], str]]:
    """One run of ``listen --db --log``: a signed delivery whose body is not JSON.stringify's form, and a forged one."""
    folder = tmp_path_factory.mktemp("listen")
    event = sample_event("lead.captured")
    exact = json.dumps(event, indent=1).encode()  # bytes no re-serialization would give back
    forged = canonical_bytes(sample_event("conversation.created"))
    with listening("--db", "history.sqlite3", "--log", "log.jsonl", cwd=folder, env=SECRET_ENV) as listener:
        target = parse_endpoint(listener.url + "hooks")
        post(target, exact, {"X-Horneross-Signature": sign(exact, r.SECRET)}, 10)
        post(target, forged, {"X-Horneross-Signature": "0" * 64}, 10)
        output = listener.stop()
    yield folder, [exact, forged], output


def test_listen_db_keeps_the_exact_bytes_and_exports_what_log_writes(captured: tuple[Path, list[bytes], str]) -> None:
    folder, bodies, output = captured
    assert "  keeping every delivery in history.sqlite3 (0 kept so far)" in output
    store = DeliveryStore(folder / "history.sqlite3")
    assert [d.body for d in store.deliveries()] == bodies
    out = io.StringIO()
    store.export_jsonl(out)
    store.close()
    assert out.getvalue() == (folder / "log.jsonl").read_text(encoding="utf-8")
    assert r.SECRET not in output


def test_replay_as_captured_passes_against_a_good_receiver_and_fails_against_one_that_answers_500(
    captured: tuple[Path, list[bytes], str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, bodies, _ = captured
    good = Verifying(r.SECRET)
    with serve(good) as url:
        one = main(["replay", "--db", str(folder / "history.sqlite3"), "--to", url + "/hook", "--number", "1"])
        both = main(["replay", "--db", str(folder / "history.sqlite3"), "--to", url + "/hook"])
    out = capsys.readouterr().out
    assert one == 0 and both == 0  # the forged one is refused, as it must be: that passes the gate
    assert good.received[0] == (bodies[0], sign(bodies[0], r.SECRET))  # exactly the bytes and signature captured
    assert "#1 POST /hooks lead.captured evt_" in out and "| captured: answered 200 | now: 200 OK | ok" in out
    assert "| captured: answered 401 | now: 401 Unauthorized | ok: refused, as a forged delivery must be" in out
    assert out.rstrip().endswith("replayed 2 deliveries: 2 answered as Horneross needs, 0 not")
    with serve(Failing()) as url:
        failing = main(["replay", "--db", str(folder / "history.sqlite3"), "--to", url, "--number", "1"])
    assert failing == 1 and "now: 500 Internal Server Error | FAILED" in capsys.readouterr().out


def test_replay_resigned_reaches_a_receiver_with_another_secret_and_reads_a_log_file(
    captured: tuple[Path, list[bytes], str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, bodies, _ = captured
    other = Verifying(OTHER_SECRET)
    with serve(other) as url:
        as_captured = main(["replay", "--log", str(folder / "log.jsonl"), "--to", url, "--number", "1"])
        monkeypatch.setenv("HORNEROSS_WEBHOOK_SECRET", OTHER_SECRET)
        resigned = main(["replay", "--log", str(folder / "log.jsonl"), "--to", url, "--resign"])
    out = capsys.readouterr().out
    assert as_captured == 1 and resigned == 0  # the captured signature is not the other secret's; re-signed it is
    assert [body for body, _ in other.received] == [bodies[0], *bodies]
    assert "re-signed with the secret in HORNEROSS_WEBHOOK_SECRET" in out and OTHER_SECRET not in out


def test_replay_says_in_one_sentence_what_is_wrong_with_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-log.jsonl").write_text("<html>\n", encoding="utf-8")
    (tmp_path / "not-a-db").write_bytes(b"\x00garbage" * 100)
    assert main(["replay", "--log", str(tmp_path / "not-a-log.jsonl"), "--to", "http://127.0.0.1:9/"]) == 2
    assert main(["replay", "--db", str(tmp_path / "nowhere.sqlite3"), "--to", "http://127.0.0.1:9/"]) == 2
    assert main(["replay", "--db", str(tmp_path / "not-a-db"), "--to", "http://127.0.0.1:9/"]) == 2
    err = capsys.readouterr().err
    assert "line 1 is not a listen --log record" in err and "no such history database" in err
    assert "not a history database" in err and "Traceback" not in err


def test_a_receiver_that_acknowledges_the_forged_delivery_fails_the_replay(
    captured: tuple[Path, list[bytes], str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate is the answer Horneross needs, not 200 to everything: acknowledging what listen found forged fails."""
    folder, _, _ = captured
    with serve(r.AcceptsAnySignature()) as url:
        code = main(["replay", "--db", str(folder / "history.sqlite3"), "--to", url + "/hook"])
    out = capsys.readouterr().out
    assert code == 1 and "| now: 200 OK | FAILED: a forged delivery" in out, out


def test_the_export_command_writes_what_log_writes_and_refuses_what_is_no_history(
    captured: tuple[Path, list[bytes], str], tmp_path: Path
) -> None:
    folder, _, _ = captured
    exported = cli("export", str(tmp_path / "out.jsonl"), "--db", str(folder / "history.sqlite3"), cwd=tmp_path)
    assert exported.returncode == 0 and "exported 2 deliveries" in exported.stdout, exported.stderr
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == (folder / "log.jsonl").read_text(encoding="utf-8")
    to_stdout = cli("export", "-", "--db", str(folder / "history.sqlite3"), cwd=tmp_path)
    assert to_stdout.stdout == (folder / "log.jsonl").read_text(encoding="utf-8")
    (tmp_path / "fake.sqlite3").write_text("not a database")
    for history in ("nowhere.sqlite3", "fake.sqlite3"):
        refused = cli("export", "-", "--db", history, cwd=tmp_path)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr


def test_a_body_or_a_log_line_nested_past_the_bound_gets_a_sentence_not_a_recursion_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    record = {"n": 1, "method": "POST", "path": "/", "headers": {}, "body": deep, "status": 200, "signature": "x"}
    (tmp_path / "deep-body.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (tmp_path / "deep-line.jsonl").write_text('{"body": "x", "n": ' + deep + "}\n", encoding="utf-8")
    with serve(Verifying(r.SECRET)) as url:
        body = cli("replay", "--log", "deep-body.jsonl", "--to", url, cwd=tmp_path)
        line = cli("replay", "--log", "deep-line.jsonl", "--to", url, cwd=tmp_path)
    assert "Traceback" not in body.stdout + body.stderr and body.returncode == 1, body.stderr  # sent, not a 200
    assert line.returncode == 2 and "line 1 is not a listen --log record" in line.stderr
    assert "Traceback" not in line.stderr and line.stderr.count("\n") == 1
