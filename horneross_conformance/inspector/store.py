"""The deliveries ``listen`` receives, kept in SQLite so that they survive a restart and can be sent again.

Each row holds the record ``listen --log`` writes (already redacted and cut, so that exporting the database gives
the same JSON Lines), and beside it the exact bytes received, up to ``MAX_KEPT_BODY``: replay sends them unchanged,
so a signature captured with them still verifies. The history is bounded by a number of rows and a number of body
bytes; past either, the oldest rows are dropped and counted, and the count is kept with the history.
The file is created readable by its owner only: the bytes a sender sent are kept as they came.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_ROWS = 10_000
MAX_BYTES = 256 * 1024 * 1024  # bytes of bodies kept, all rows together
MAX_KEPT_BODY = 16 * 1024 * 1024  # bytes of one body kept exactly; a larger one is kept by its record only
APP_FOLDER = "horneross-conformance"
LISTED_BODY = 64 * 1024  # bytes of body a listing carries (to name the event's type and id); larger ones: None
_SMALL_BODY = f"CASE WHEN size <= {LISTED_BODY} THEN body END"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    record TEXT NOT NULL,
    body BLOB,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def default_path() -> Path:
    """Where the history lives when ``--db`` names no file: the user's data folder, as XDG has it."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / APP_FOLDER / "deliveries.sqlite3"


@dataclass(slots=True, frozen=True)
class StoredDelivery:
    number: int  # the row's number in the database, stable across restarts
    record: dict[str, Any]  # what --log writes for this delivery
    body: bytes | None  # the exact bytes received, or None when they were too large to keep


class DeliveryStore:
    """A bounded history of deliveries in one SQLite file; safe to use from the listener's threads."""

    def __init__(self, path: Path | str, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> None:
        self.path = Path(path)
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self._lock = threading.Lock()
        self.failed = 0  # deliveries the database refused to keep
        self.failure = ""  # why, the last time
        self._changed = threading.Condition()  # notified at each delivery added: the live page waits on it
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=5)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._latest = int(self._db.execute("SELECT COALESCE(MAX(number), 0) FROM deliveries").fetchone()[0])
        except sqlite3.DatabaseError as error:
            raise ValueError(f"{path}: not a history database ({error})") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, record: dict[str, Any], body: bytes) -> int:
        """Keep one delivery; drop the oldest ones past the bounds. Returns the new row's number, or 0 when the
        database refused it (a full disk, a file removed): the delivery is still answered, and ``failed`` counts it."""
        kept = body if len(body) <= min(MAX_KEPT_BODY, self.max_bytes) else None
        size = len(kept) if kept is not None else 0
        try:
            with self._lock, self._db:
                self._db.execute("BEGIN IMMEDIATE")
                cursor = self._db.execute(
                    "INSERT INTO deliveries (record, body, size) VALUES (?, ?, ?)", (json.dumps(record), kept, size)
                )
                number = int(cursor.lastrowid or 0)
                self._drop_oldest()
        except sqlite3.Error as error:
            self.failed += 1
            self.failure = str(error)
            return 0
        with self._changed:
            self._latest = number
            self._changed.notify_all()
        return number

    def newer(self, after: int, timeout: float, limit: int = 200) -> list[StoredDelivery]:
        """The deliveries kept after number ``after``, at most ``limit``; waits up to ``timeout`` seconds for one.
        A body larger than ``LISTED_BODY`` is left out (None): a listing of a flood stays small."""
        with self._changed:
            if self._latest <= after:
                self._changed.wait(timeout)
            if self._latest <= after:
                return []
        with self._lock:
            rows = self._db.execute(
                f"SELECT number, record, {_SMALL_BODY} FROM deliveries WHERE number > ? ORDER BY number LIMIT ?",
                (after, limit),
            ).fetchall()
        return [StoredDelivery(n, json.loads(r), bytes(b) if b is not None else None) for n, r, b in rows]

    def page(self, before: int | None, limit: int) -> list[StoredDelivery]:
        """Up to ``limit`` deliveries before number ``before`` (the latest when None), newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT number, record, {_SMALL_BODY} FROM deliveries WHERE number < ? ORDER BY number DESC LIMIT ?",
                (before if before is not None else 2**62, limit),
            ).fetchall()
        return [StoredDelivery(n, json.loads(r), bytes(b) if b is not None else None) for n, r, b in rows]

    def _drop_oldest(self) -> None:
        count, total = self._db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM deliveries").fetchone()
        dropped = 0
        while count > self.max_rows or total > self.max_bytes:
            oldest, size = self._db.execute("SELECT number, size FROM deliveries ORDER BY number LIMIT 1").fetchone()
            self._db.execute("DELETE FROM deliveries WHERE number = ?", (oldest,))
            count, total, dropped = count - 1, total - size, dropped + 1
        if dropped:
            self._db.execute(
                "INSERT INTO facts VALUES ('dropped', ?) ON CONFLICT(name) DO UPDATE SET value = value + ?",
                (dropped, dropped),
            )

    @property
    def dropped(self) -> int:
        """How many of the oldest deliveries were dropped to keep the history within its bounds, ever."""
        with self._lock:
            row = self._db.execute("SELECT value FROM facts WHERE name = 'dropped'").fetchone()
        return int(row[0]) if row else 0

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0])

    def deliveries(self, numbers: list[int] | None = None) -> Iterator[StoredDelivery]:
        """The deliveries kept, oldest first; only ``numbers`` when given."""
        query = "SELECT number, record, body FROM deliveries"
        parameters: tuple[int, ...] = ()
        if numbers:
            query += f" WHERE number IN ({', '.join('?' * len(numbers))})"
            parameters = tuple(numbers)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY number", parameters).fetchall()
        for number, record, body in rows:
            yield StoredDelivery(number, json.loads(record), bytes(body) if body is not None else None)

    def export_jsonl(self, out: Any) -> int:
        """Write the history as ``listen --log`` writes it, one JSON object a line; the number of lines."""
        written = 0
        for delivery in self.deliveries():
            out.write(json.dumps(delivery.record) + "\n")
            written += 1
        return written


@contextlib.contextmanager
def opened(path: Path | str, **bounds: int) -> Iterator[DeliveryStore]:
    store = DeliveryStore(path, **bounds)
    try:
        yield store
    finally:
        store.close()
