"""``horneross-conformance replay``: send the deliveries ``listen`` captured again, and judge each answer.

Reads the history of ``listen --db`` or a ``listen --log`` file, sends one delivery, a selection or all of them to
``--to``, exactly as captured or re-signed (``--resign``, with the secret from the environment), and prints one
line per delivery with the answer it got when captured and the answer now. The exit code is 0 only when every
delivery replayed got the answer Horneross needs, so a team can gate a new version of its receiver on real traffic.
"""

from __future__ import annotations

import argparse
from typing import Any

from horneross_conformance.cli.secret import NoSecret, add_secret_option, read_secret
from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, usage_error
from horneross_conformance.core.contract import SUCCESS_STATUS
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.inspector.replay import Captured, from_log, from_store, replay_all
from horneross_conformance.inspector.store import default_path
from horneross_conformance.transport.endpoints import parse_endpoint

SHOWN_FIELD = 80


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "replay",
        help="send deliveries captured by listen again to a receiver, and judge its answers",
        description="Send the deliveries kept by 'listen --db' (or written by 'listen --log') again to a URL, "
        "exactly as captured or re-signed, one line each with the answer then and now. Exit 0 only when every "
        f"delivery replayed got the answer Horneross needs: {SUCCESS_STATUS} to a genuine one, a refusal to one "
        "whose signature listen found missing or wrong.",
    )
    source = command.add_mutually_exclusive_group()
    source.add_argument(
        "--db",
        metavar="PATH",
        help="the history of 'listen --db' (default: the one in the user's data folder)",
    )
    source.add_argument("--log", metavar="FILE", help="a 'listen --log' file instead of a history database")
    command.add_argument("--to", required=True, metavar="URL", help="the receiver to send them to")
    command.add_argument(
        "--number",
        type=int,
        action="append",
        metavar="N",
        help="replay only delivery N (its # in the history, its line in a log); repeat for a selection",
    )
    command.add_argument(
        "--resign",
        action="store_true",
        help="sign each body again with the secret from the environment instead of sending its captured signature",
    )
    add_secret_option(command)
    command.set_defaults(handler=replay_command)


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_FIELD else f"{text[:SHOWN_FIELD]}..."


def _label(captured: Captured) -> str:
    what = " ".join(_cut(part) for part in (captured.event_type, captured.event_id) if part) or "(not an event)"
    return f"#{captured.number} {_cut(captured.method)} {_cut(captured.path)} {what} attempt {captured.attempt}"


def replay_command(args: argparse.Namespace) -> int:
    try:
        to = parse_endpoint(args.to)
        secret = read_secret(args.secret_env) if args.resign else None
        source = args.log or args.db or default_path()
        deliveries = from_log(source, args.number) if args.log else from_store(source, args.number)
    except (ValueError, NoSecret) as error:
        return usage_error("replay", str(error))
    if not deliveries:
        return usage_error("replay", "no delivery to replay: the history is empty or --number selects none")
    redactor = Redactor([secret] if secret else [])
    how = "re-signed with the secret in " + args.secret_env if secret else "exactly as captured"
    print(for_terminal(f"replaying {len(deliveries)} deliveries to {to.display}, {how}"), flush=True)
    passed = 0
    for result in replay_all(deliveries, to, secret, redactor):
        passed += result.passed
        verdict = "ok" if result.passed else "FAILED"
        if result.forged:  # its signature was missing or wrong when captured: the receiver must refuse it
            verdict = "ok: refused, as a forged delivery must be" if result.passed else "FAILED: a forged delivery"
        line = (
            f"{_label(result.captured)} | captured: answered {result.captured.status} | now: {result.answer} "
            f"| {verdict}"
        )
        print(for_terminal(redactor(line)), flush=True)
    failed = len(deliveries) - passed
    print(f"replayed {len(deliveries)} deliveries: {passed} answered as Horneross needs, {failed} not")
    return EXIT_OK if passed == len(deliveries) else EXIT_FAILED
