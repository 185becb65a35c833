"""``horneross-conformance replay``: a ``listen --log`` file of real deliveries, sent again to real receivers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import receivers as r
from command_line import cli, listening

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.logs.history import History
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
OTHER_SECRET = "whsec_the_new_receivers_secret_51c0"


def deliver(url: str, body: bytes, signature: str | None) -> None:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Horneross-Signature"] = signature
    post(parse_endpoint(url + "webhook"), body, headers, 10)


@contextmanager
def captured(tmp_path: Path, *extra: bytes) -> Iterator[Path]:
    """A log of real deliveries through ``listen``: two signed right, one forged, and ``extra`` bodies signed."""
    log = tmp_path / "seen.jsonl"
    with listening("--log", str(log), cwd=tmp_path, env=SECRET_ENV) as listener:
        for event in (sample_event("conversation.created"), sample_event("lead.captured")):
            body = canonical_bytes(event)
            deliver(listener.url, body, sign(body, r.SECRET))
        forged = canonical_bytes(sample_event("conversation.message.created"))
        deliver(listener.url, forged, sign(forged, "not-the-secret"))
        for body in extra:
            deliver(listener.url, body, sign(body, r.SECRET))
        listener.stop()
    yield log


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with captured(tmp_path_factory.mktemp("replay")) as path:
        yield path


def test_a_receiver_answering_as_horneross_needs_passes_the_replay(log: Path, tmp_path: Path) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        result = cli("replay", str(log), "--to", f"{base}/webhook", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#1 conversation.created evt_") and "then 200, now 200 in " in lines[0]
    assert "then 401, now 401" in lines[2] and "refused, as a forged delivery must be" in lines[2]
    assert lines[-1].endswith(": 3 answered as Horneross needs") and "replayed 3 deliveries" in lines[-1]


@pytest.mark.parametrize(
    ("receiver", "said"),
    [
        (r.RejectsEverything, "NOT ACKNOWLEDGED, Horneross would retry it"),
        (r.AcceptsAnySignature, "WRONG: a forged delivery acknowledged"),
    ],
    ids=["rejects everything", "accepts forgeries"],
)
def test_a_regression_in_the_new_receiver_fails_the_replay(
    log: Path, tmp_path: Path, receiver: type[r.PlainReceiver], said: str
) -> None:
    with serve(receiver()) as base:
        result = cli("replay", str(log), "--to", f"{base}/webhook", cwd=tmp_path)
    assert result.returncode == 1 and said in result.stdout, result.stdout
    assert r.SECRET not in result.stdout + result.stderr


def test_resigned_with_the_new_secret_every_delivery_is_genuine(log: Path, tmp_path: Path) -> None:
    with serve(ReferenceReceiver(OTHER_SECRET)) as base:
        as_captured = cli("replay", str(log), "--to", f"{base}/webhook", cwd=tmp_path)
        resigned = cli(
            "replay", str(log), "--to", f"{base}/webhook", "--resign", "--only", "1,2", cwd=tmp_path,
            env={"HORNEROSS_WEBHOOK_SECRET": OTHER_SECRET},
        )  # fmt: skip
    assert as_captured.returncode == 1 and "then 200, now 401" in as_captured.stdout  # the old signatures
    assert resigned.returncode == 0, resigned.stdout
    assert resigned.stdout.count("now 200") == 2 and "replayed 2 deliveries" in resigned.stdout
    assert OTHER_SECRET not in resigned.stdout + resigned.stderr


def test_a_body_the_log_kept_in_part_is_not_replayed_and_fails_the_replay(tmp_path: Path) -> None:
    big = canonical_bytes({**sample_event("conversation.created"), "padding": "x" * 300_000})
    with captured(tmp_path, big) as path:
        entries = [json.loads(line) for line in path.read_text().splitlines()]
        assert [entry["body_exact"] for entry in entries] == [True, True, True, False]
        with serve(ReferenceReceiver(r.SECRET)) as base:
            result = cli("replay", str(path), "--to", f"{base}/webhook", cwd=tmp_path)
    assert result.returncode == 1
    assert "#4 conversation.created evt_" not in result.stdout  # its body is cut: not even its id is read
    assert "not replayed: the log kept only part of its body (then 200)" in result.stdout


def test_bad_input_gets_one_line_and_a_verdict(log: Path, tmp_path: Path) -> None:
    missing = cli("replay", "nowhere.jsonl", "--to", "http://127.0.0.1:9/webhook", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "nowhere.jsonl" in missing.stderr
    bad_url = cli("replay", str(log), "--to", "ftp://example.com/x", cwd=tmp_path)
    assert bad_url.returncode == 2 and "Traceback" not in bad_url.stderr
    unsigned = cli("replay", str(log), "--to", "http://127.0.0.1:9/webhook", "--resign", cwd=tmp_path, env={})
    assert unsigned.returncode == 2 and "HORNEROSS_WEBHOOK_SECRET" in unsigned.stderr
    garbage = tmp_path / "mixed.jsonl"
    garbage.write_text(log.read_text() + "not json\x1b[31m\n" + '{"n": "x"}\n')
    with serve(ReferenceReceiver(r.SECRET)) as base:
        mixed = cli("replay", str(garbage), "--to", f"{base}/webhook", cwd=tmp_path)
    assert mixed.returncode == 1  # every delivery answered right, but two lines were not deliveries
    assert "line 4: skipped, not JSON" in mixed.stdout and "line 5: skipped, not a delivery" in mixed.stdout
    assert "\x1b" not in mixed.stdout


def test_a_history_survives_restarts_keeps_its_caps_and_is_replayed_by_row(tmp_path: Path) -> None:
    """Two runs of listen into one SQLite history, capped at three deliveries: the oldest of four is dropped, and
    said; the rest is replayed, numbered by row across both runs, and exported as --log writes it."""
    db = tmp_path / "history.db"
    bodies = [canonical_bytes(sample_event(t)) for t in ("conversation.created", "lead.captured", "lead.captured")]
    said = []
    for run in (bodies[:2], [*bodies[2:], bodies[0]]):
        with listening("--db", str(db), "--db-max-rows", "3", cwd=tmp_path, env=SECRET_ENV) as listener:
            for body in run:
                deliver(listener.url, body, sign(body, r.SECRET))
            said.append(listener.stop())
    assert "dropped" not in said[0] and "dropped its 1 oldest deliveries, past its caps" in said[1]
    history = History(db)
    try:
        kept = [row for row, _ in history.entries()]
        assert kept == [2, 3, 4] and history.dropped == 1
        lines = io.StringIO()
        assert history.export(lines) == 3
    finally:
        history.close()
    exported = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [entry["body"].encode() for entry in exported] == [bodies[1], bodies[2], bodies[0]]
    with serve(ReferenceReceiver(r.SECRET)) as base:
        result = cli("replay", str(db), "--to", f"{base}/webhook", "--only", "2,4", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("#2 lead.captured evt_") and "\n#4 conversation.created evt_" in result.stdout
    assert r.SECRET.encode() not in db.read_bytes()


def test_a_file_that_is_no_history_is_refused_in_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake.db"
    fake.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # the header, and nothing of a database
    result = cli("replay", str(fake), "--to", "http://127.0.0.1:9/webhook", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    refused = cli("listen", "--db", str(tmp_path), "--port", "0", cwd=tmp_path, env=SECRET_ENV)  # a folder
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
