"""``horneross-conformance export``: the deliveries a ``listen --db`` history keeps, as the JSON Lines ``listen
--log`` writes, for ``validate``, ``replay --log``, a bug report or any tool that reads JSON Lines."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from horneross_conformance.cli.usage import EXIT_OK, usage_error
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.inspector.store import DeliveryStore, default_path

STDOUT = "-"


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "export",
        help="write the deliveries a listen --db history keeps as JSON Lines, as listen --log writes them",
        description="Write every delivery the history of 'listen --db' keeps, oldest first, as the JSON Lines "
        "'listen --log' writes (one object a line), to OUT ('-' for standard output). Exit code 0 when written, 2 "
        "when the history or OUT cannot be used.",
    )
    command.add_argument("out", metavar="OUT", help="the JSON Lines file to write ('-': standard output)")
    command.add_argument(
        "--db", metavar="PATH", help="the history of 'listen --db' (default: the one in the user's data folder)"
    )
    command.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else default_path()
    if not path.is_file():
        return usage_error("export", f"{path}: no such history database")
    try:
        store = DeliveryStore(path)
    except (sqlite3.Error, ValueError) as error:
        return usage_error("export", f"{path}: not a history of deliveries ({error})")
    try:
        if args.out == STDOUT:
            store.export_jsonl(sys.stdout)
            return EXIT_OK
        try:
            with open(args.out, "w", encoding="utf-8") as out:
                written = store.export_jsonl(out)
        except OSError as error:
            return usage_error("export", f"{args.out}: {error.strerror or error}")
    except sqlite3.Error as error:
        return usage_error("export", f"{path}: not a history of deliveries ({error})")
    finally:
        store.close()
    print(for_terminal(f"exported {written} deliveries from {path} to {args.out}"))
    return EXIT_OK
