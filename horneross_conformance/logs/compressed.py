"""Compressed and rotated logs: gzip, bz2 and xz read by their magic bytes, and the name that says what a file holds.

Production logs are rotated and compressed (``deliveries.jsonl.3.gz``). A file is decompressed when its first
bytes say so, whatever its name (a gzip file named ``.jsonl`` is read too); its name, with the compression and
rotation suffixes taken off, says whether it is JSON Lines.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import zlib
from pathlib import Path
from typing import IO, Any

MAGIC: dict[bytes, Any] = {b"\x1f\x8b": gzip, b"BZh": bz2, b"\xfd7zXZ\x00": lzma}  # the module that reads each
MAGIC_SIZE = max(len(magic) for magic in MAGIC)
SUFFIXES = (".gz", ".bz2", ".xz")
# what a damaged compressed file raises while it is read (gzip.BadGzipFile is an OSError)
ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)
_ROTATED = re.compile(r"\.\d+$")  # deliveries.jsonl.3: a rotated log keeps its type before the number


def logical_name(path: Path) -> str:
    """The name that says what a file holds, in lower case: ``deliveries.jsonl.3.gz`` -> ``deliveries.jsonl``."""
    name = path.name.lower()
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    return _ROTATED.sub("", name)


def is_compressed(head: bytes) -> bool:
    return any(head.startswith(magic) for magic in MAGIC)


def open_source(path: Path) -> IO[bytes]:
    """``path`` opened for reading, decompressed when its first bytes are those of gzip, bz2 or xz."""
    with path.open("rb") as raw:
        head = raw.read(MAGIC_SIZE)
    for magic, module in MAGIC.items():
        if head.startswith(magic):
            return module.open(path, "rb")  # type: ignore[no-any-return]
    return path.open("rb")


def decompressed(raw: IO[bytes], head: bytes) -> IO[bytes]:
    """``raw`` itself, or a stream that decompresses it when ``head`` (its first bytes) says it is compressed."""
    for magic, module in MAGIC.items():
        if head.startswith(magic):
            return module.open(raw, "rb")  # type: ignore[no-any-return]
    return raw
