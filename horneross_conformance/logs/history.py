"""``listen``'s deliveries kept in SQLite (``listen --db``): they survive restarts, stay bounded, and are read back
as the entries ``listen --log`` writes, oldest first, for ``replay``.

Bounded in rows and in bytes: past either cap, the oldest deliveries are dropped, and how many were is kept with
them. Each entry is stored as the JSON object ``--log`` writes (the secret already removed, a body kept whole only
when it is the exact bytes received), so a history and a log file say the same thing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_MAGIC = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (row INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL,
                                       size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counts VALUES ('bytes', 0), ('dropped', 0);
"""


class HistoryError(ValueError):
    """The file cannot be used as a history: one sentence saying why."""


def is_history(path: str | Path) -> bool:
    """Whether ``path`` is an SQLite file (a history) rather than a JSON Lines log."""
    try:
        with open(path, "rb") as file:
            return file.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


class History:
    """The deliveries of ``listen``, in an SQLite file; safe to use from several threads."""

    def __init__(self, path: str | Path, max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise HistoryError(f"{path}: not a history of deliveries ({error})") from None

    def add(self, entry: str) -> None:
        """Keep one delivery (the JSON line ``--log`` writes), then drop the oldest past the caps."""
        size = len(entry.encode())
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT INTO deliveries (entry, size) VALUES (?, ?)", (entry, size))
            self._db.execute("UPDATE counts SET value = value + ? WHERE name = 'bytes'", (size,))
            self._drop_past_the_caps()

    def _drop_past_the_caps(self) -> None:
        rows = self._db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
        total = self._count("bytes")
        oldest = self._db.execute("SELECT row, size FROM deliveries ORDER BY row").fetchmany(1024)
        dropped, freed, index = 0, 0, 0
        while index < len(oldest) and (rows - dropped > self.max_rows or total - freed > self.max_bytes):
            if rows - dropped == 1:
                break  # the delivery just kept stays, whatever its size
            freed += oldest[index][1]
            dropped += 1
            index += 1
        if dropped:
            last = oldest[dropped - 1][0]
            self._db.execute("DELETE FROM deliveries WHERE row <= ?", (last,))
            self._db.execute("UPDATE counts SET value = value - ? WHERE name = 'bytes'", (freed,))
            self._db.execute("UPDATE counts SET value = value + ? WHERE name = 'dropped'", (dropped,))

    def _count(self, name: str) -> int:
        return int(self._db.execute("SELECT value FROM counts WHERE name = ?", (name,)).fetchone()[0])

    @property
    def dropped(self) -> int:
        """How many deliveries the caps have dropped, since the history began."""
        with self._lock:
            return self._count("dropped")

    def entries(self) -> Iterator[tuple[int, dict[str, Any] | str]]:
        """Each delivery kept, oldest first: its row number, and the entry (or why it cannot be read)."""
        with self._lock:
            rows = self._db.execute("SELECT row, entry FROM deliveries ORDER BY row").fetchall()
        for row, entry in rows:
            try:
                found = json.loads(entry)
            except ValueError:
                yield row, "not JSON"
                continue
            yield row, found if isinstance(found, dict) else "not a JSON object"

    def export(self, out: Any) -> int:
        """Write every delivery kept to ``out`` as ``--log`` writes them; how many."""
        count = 0
        for _, entry in self.entries():
            if isinstance(entry, dict):
                out.write(json.dumps(entry) + "\n")
                count += 1
        return count

    def close(self) -> None:
        with self._lock:
            self._db.close()
