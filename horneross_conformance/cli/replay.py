"""``horneross-conformance replay``: the deliveries a ``listen --log`` file kept, sent again to a receiver.

Each delivery goes to the URL given, as it was captured (its exact bytes and its signature) or, with ``--resign``,
signed again with the secret in the environment (captured with another secret, say). Each answer is shown beside
the original. The exit code is 0 only when every delivery got the answer Horneross needs: 200 to a correctly signed
one, anything else to one whose signature ``listen`` found missing or wrong. Yesterday's real traffic becomes a
regression gate for a new version of a receiver.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from horneross_conformance.cli.secret import NoSecret, add_secret_option, read_secret
from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, usage_error
from horneross_conformance.core.contract import SIGNATURE_HEADER, SUCCESS_STATUS
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.core.signing import sign
from horneross_conformance.core.version import __version__
from horneross_conformance.logs.history import History, HistoryError, is_history
from horneross_conformance.transport.client import DeliveryError, post
from horneross_conformance.transport.endpoints import parse_endpoint

MAX_LINE = 1024 * 1024  # characters of one log line: listen writes at most 64 Ki characters of a body, escaped


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "replay",
        help="send the deliveries a listen --log file kept to a receiver again, and compare the answers",
        description="Send every delivery of LOG (written by 'listen --log') to URL again, exactly as captured or, "
        "with --resign, signed with the secret in the environment, and show each answer beside the original. "
        "Exit code 0 when every delivery got the answer Horneross needs (200 to a correctly signed one, a refusal "
        "to a forged one), 1 otherwise, 2 for a usage error.",
    )
    command.add_argument(
        "log", metavar="LOG", help="a JSON Lines file written by 'listen --log', or an SQLite history by 'listen --db'"
    )
    command.add_argument("--to", required=True, metavar="URL", help="the receiver to send them to")
    command.add_argument(
        "--resign", action="store_true", help="sign each body again with the secret (default: the captured signature)"
    )
    add_secret_option(command)
    command.add_argument("--only", metavar="N,...", help="only the deliveries with these numbers (listen's #N)")
    command.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per delivery (default 10)")
    command.add_argument("--ca-bundle", metavar="PATH", help="https: trust this PEM file's certificates")
    command.set_defaults(handler=replay_command)


@dataclass(frozen=True, slots=True)
class Captured:
    """One delivery as the log kept it."""

    number: int
    body: bytes
    exact: bool  # the log holds its very bytes
    signature: str | None
    signed: bool | None  # whether listen found its signature right (None: it had no secret)
    status: int | None  # what the receiver answered then

    def described(self) -> str:
        try:
            payload = json.loads(self.body)
        except ValueError:
            return "a body that is not JSON"
        if isinstance(payload, dict):
            return f"{payload.get('type', '?')} {payload.get('id', '?')}"
        return "a JSON body that is not an object"


def replay_command(args: argparse.Namespace) -> int:
    try:
        endpoint = parse_endpoint(args.to, args.ca_bundle)
    except ValueError as error:
        return usage_error("replay", str(error))
    if not args.timeout > 0:
        return usage_error("replay", "--timeout must be a positive number of seconds")
    try:
        only = {int(n) for n in args.only.split(",")} if args.only else None
    except ValueError:
        return usage_error("replay", f"--only takes delivery numbers separated by commas, not {args.only!r}")
    try:
        secret = read_secret(args.secret_env, required=args.resign)
    except NoSecret as error:
        return usage_error("replay", str(error))
    try:
        if is_history(args.log):
            history = History(args.log)
            try:
                captured, unreadable = _read(history.entries(), by_row=True)
            finally:
                history.close()
        else:
            with open(args.log, encoding="utf-8") as lines:
                captured, unreadable = _read(_entries(lines))
    except OSError as error:
        return usage_error("replay", f"{args.log}: {error.strerror or error}")
    except UnicodeDecodeError:
        return usage_error("replay", f"{args.log} is neither a file written by 'listen --log' nor by 'listen --db'")
    except (HistoryError, sqlite3.Error) as error:
        return usage_error("replay", f"{args.log}: {error}")
    redactor = Redactor([secret] if secret else [])

    def show(line: str) -> None:
        print(for_terminal(redactor(line)))

    chosen = [c for c in captured if only is None or c.number in only]
    for line_number, why in unreadable:
        show(f"line {line_number}: skipped, {why}")
    if not chosen:
        show(f"no delivery to replay in {args.log}")
        return EXIT_FAILED
    good = 0
    for delivery in chosen:
        verdict, ok = _replay(delivery, endpoint, args.resign, secret, args.timeout)
        good += ok
        show(f"#{delivery.number} {delivery.described()}: {verdict}")
    show(f"replayed {len(chosen)} deliveries to {endpoint.display}: {good} answered as Horneross needs")
    return EXIT_OK if good == len(chosen) and not unreadable else EXIT_FAILED


def _replay(delivery: Captured, endpoint: Any, resign: bool, secret: str | None, timeout: float) -> tuple[str, bool]:
    """Send one delivery again: what came back, beside what came then, and whether it is what Horneross needs."""
    then = f"then {delivery.status}" if delivery.status is not None else "then no answer"
    if not delivery.exact:
        return f"not replayed: the log kept only part of its body ({then}), so its bytes are not known", False
    headers = {"Content-Type": "application/json", "User-Agent": f"horneross-conformance/{__version__}"}
    if resign:
        assert secret is not None
        headers[SIGNATURE_HEADER] = sign(delivery.body, secret)
        genuine: bool | None = True
    else:
        if delivery.signature is not None:
            headers[SIGNATURE_HEADER] = delivery.signature
        genuine = delivery.signed
    try:
        answer = post(endpoint, delivery.body, headers, timeout)
    except DeliveryError as error:
        return f"{then}, now no answer: {error}", False
    now = f"{then}, now {answer.status} in {answer.elapsed * 1000:.0f} ms"
    if genuine is False:
        ok = answer.status != SUCCESS_STATUS
        return (
            f"{now} ({'refused, as a forged delivery must be' if ok else 'WRONG: a forged delivery acknowledged'})",
            ok,
        )
    ok = answer.status == SUCCESS_STATUS
    assumed = " (its signature was not checked when captured: taken as genuine)" if genuine is None else ""
    return f"{now}{'' if ok else ': NOT ACKNOWLEDGED, Horneross would retry it'}{assumed}", ok


def _read(
    entries: Iterator[tuple[int, dict[str, Any] | str]], by_row: bool = False
) -> tuple[list[Captured], list[tuple[int, str]]]:
    """The deliveries among ``entries``; the others, with why. ``by_row``: a history's, numbered by their row, which
    stays theirs across restarts of listen (a log's keep listen's own count)."""
    captured, unreadable = [], []
    for number, entry in entries:
        if isinstance(entry, str):
            unreadable.append((number, entry))
            continue
        try:
            verdict = str(entry.get("signature", ""))
            signature = next(
                (v for k, v in entry.get("headers", {}).items() if k.lower() == SIGNATURE_HEADER.lower()), None
            )
            captured.append(
                Captured(
                    number if by_row else int(entry["n"]),
                    str(entry["body"]).encode("utf-8", "surrogatepass"),
                    entry.get("body_exact") is True,
                    str(signature) if signature is not None else None,
                    True if verdict.startswith("signature ok") else None if "not checked" in verdict else False,
                    int(entry["status"]) if isinstance(entry.get("status"), int) else None,
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            unreadable.append((number, "not a delivery as 'listen --log' writes one"))
    return captured, unreadable


def _entries(lines: Any) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            yield number, f"longer than {MAX_LINE} characters: not written by 'listen --log'"
            continue
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            yield number, "not JSON"
            continue
        yield number, entry if isinstance(entry, dict) else "not a JSON object"
