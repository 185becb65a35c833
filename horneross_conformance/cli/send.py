"""``horneross-conformance send``: one delivery, made exactly as Horneross makes it, and what came back.

The event is a realistic sample of the chosen type (fresh id, current timestamp) or a file's payload; it is sent
as its ``JSON.stringify`` bytes, signed with the secret. ``--signature wrong`` and ``--signature missing`` send a
forged delivery instead, which a correct endpoint refuses. The exit code says whether the endpoint did what
Horneross needs: 200 for a signed delivery, anything else for a forged one.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from horneross_conformance.cli.payload import PayloadError, read_payload
from horneross_conformance.cli.secret import NoSecret, add_secret_option, read_secret
from horneross_conformance.cli.usage import STDIN, usage_error
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import EVENT_TYPES, SIGNATURE_HEADER, SUCCESS_STATUS
from horneross_conformance.core.events import new_id, sample_event
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.core.signing import sign
from horneross_conformance.core.version import __version__
from horneross_conformance.logs.event_files import event_problems
from horneross_conformance.receiver.diagnosis import CONTROLS, SignatureExperiment, control_answer, diagnose, server_of
from horneross_conformance.receiver.target import delivery_hint, explain
from horneross_conformance.transport.client import DeliveryError, Response, post
from horneross_conformance.transport.curl import display_json
from horneross_conformance.transport.endpoints import Endpoint, parse_endpoint

SHOWN = 600  # characters of a body shown without --verbose
RETRIES = "after 1 min, 5 min, 30 min and 2 h"  # the documented schedule, in words


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "send",
        help="post one signed event to an endpoint and explain its answer",
        description="POST a signed event to URL as Horneross does, and show the status, time and body of the "
        "answer. Exit code 0 when the endpoint answered as Horneross needs (200 to a signed delivery, a refusal "
        "to a forged one), 1 otherwise, 2 for a usage error.",
    )
    command.add_argument("url", metavar="URL", help="the webhook endpoint")
    what = command.add_mutually_exclusive_group()
    what.add_argument(
        "--type",
        choices=EVENT_TYPES,
        default="conversation.message.created",
        help="send a realistic sample event of this type (default conversation.message.created)",
    )
    what.add_argument("--file", metavar="FILE", help=f"send the payload in this JSON file ({STDIN} for stdin)")
    add_secret_option(command)
    command.add_argument(
        "--signature",
        choices=("valid", "wrong", "missing"),
        default="valid",
        help="valid (default); wrong: signed with another secret; missing: no signature header",
    )
    command.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="total time (default 10)")
    command.add_argument("--ca-bundle", metavar="PATH", help="https: trust this PEM file's certificates")
    command.add_argument("--verbose", "-v", action="store_true", help="show whole bodies and the answer's headers")
    command.set_defaults(handler=send_command)


def send_command(args: argparse.Namespace) -> int:
    try:
        endpoint = parse_endpoint(args.url, args.ca_bundle)
    except ValueError as error:
        return usage_error("send", str(error))
    if not args.timeout > 0:
        return usage_error("send", "--timeout must be a positive number of seconds")
    if args.file is not None:
        try:
            _, payload = read_payload(args.file)
        except PayloadError as error:
            return usage_error("send", str(error))
    else:
        payload = sample_event(args.type)
    try:
        secret = read_secret(args.secret_env, required=args.signature == "valid")
    except NoSecret as error:
        return usage_error("send", str(error))

    # An endpoint may echo the secret (raw, URL-encoded, JSON-escaped...) and write anything a terminal acts on:
    # every line goes through ``show``, which removes the one and escapes the other.
    redactor = Redactor([secret] if secret else [])

    def show(line: str) -> None:
        print(for_terminal(redactor(line)))

    body = canonical_bytes(payload)
    headers = {"User-Agent": f"horneross-conformance/{__version__}", "Content-Type": "application/json"}
    if args.signature == "valid":
        assert secret is not None
        headers[SIGNATURE_HEADER] = sign(body, secret)
        how = f"signed with the secret in {args.secret_env}"
    elif args.signature == "wrong":
        headers[SIGNATURE_HEADER] = sign(body, "not-the-endpoints-secret")
        how = "signed with a WRONG secret, as a forger would"
    else:
        how = f"WITHOUT the {SIGNATURE_HEADER} header, as a forger would"

    show(f"POST {endpoint.display}")
    show(f"  {_describe(payload)} ({len(body)} bytes, {how})")
    show(f"  {_shown(body.decode('utf-8', 'replace'), args.verbose)}")
    problems = event_problems(payload)
    for pointer, _rule, message in problems[:5]:
        show(f"  note: the payload does not match its schema: {pointer or '/'}: {message}")
    try:
        response = post(endpoint, body, headers, args.timeout)
    except DeliveryError as error:
        show(f"no answer: {error}.{delivery_hint(error)}")
        show(f"  Horneross would retry this delivery {RETRIES}.")
        return 1
    response.redact(redactor)
    _show_answer(response, args.verbose, show)
    good, verdict = judge(response, args.signature, args.secret_env)
    show(verdict)
    if args.signature == "valid" and response.status in (401, 403):
        assert secret is not None
        _diagnose(endpoint, secret, args.timeout, response, show)
    return 0 if good else 1


def _diagnose(endpoint: Endpoint, secret: str, timeout: float, response: Response, show: Callable[[str], None]) -> None:
    """Why a correctly signed delivery was rejected, found as the receiver suite finds it: control deliveries,
    each signed over its own bytes, whose answers name the writer the endpoint verifies instead of the raw body."""
    show(f"  sending {len(CONTROLS)} control deliveries, each signed correctly over its own bytes, to find out why:")

    def answer(body: bytes) -> str:
        try:
            got = post(
                endpoint, body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}, timeout
            )
        except DeliveryError as error:
            return f"no answer ({error})"
        return control_answer(got.status)

    cause = diagnose(SignatureExperiment().answers(new_id("conv"), answer), server_of(response))
    show(f"root cause: {cause.headline}.")
    show(f"  {cause.fix}.")
    show(f"  seen: {cause.evidence}.")


def judge(response: Response, signature: str, secret_env: str) -> tuple[bool, str]:
    """Whether the answer is what Horneross needs, and why, in one or two sentences."""
    status = response.status
    if signature != "valid":
        if status == SUCCESS_STATUS:
            return False, (
                "WRONG: the endpoint acknowledged a forged delivery. It must verify X-Horneross-Signature and "
                "refuse (401) when it is missing or wrong, or anyone can post events to it."
            )
        return True, f"refused, as it should be: a delivery with a {signature} signature must not be acknowledged."
    if status == SUCCESS_STATUS:
        return True, "acknowledged: Horneross would consider this delivery done."
    if status in (401, 403):
        return False, (
            f"REJECTED a correctly signed delivery. Is the endpoint's secret the one in {secret_env}? It must "
            "compare the header with the lowercase hex HMAC-SHA256 of the raw request body, exactly the bytes it "
            f"received. Horneross retries {RETRIES}, then gives up."
        )
    return False, f"NOT ACKNOWLEDGED: {explain(status, response)}."


def _show_answer(response: Response, verbose: bool, show: Callable[[str], None]) -> None:
    show(f"answer: {response.status} {response.reason} in {response.elapsed * 1000:.0f} ms".rstrip())
    if verbose:
        for name, value in response.headers:
            show(f"  {name}: {value}")
    text = response.body.decode("utf-8", "replace")
    show(f"  {_shown(text, verbose)}" if text.strip() else "  (empty body)")


def _describe(payload: Any) -> str:
    if isinstance(payload, dict):
        parts = [payload.get("type"), payload.get("id")]
        described = " ".join(str(part) for part in parts if isinstance(part, str))
        return described or "a JSON object without type or id"
    return f"a JSON {type(payload).__name__}, not an event object"


def _shown(text: str, verbose: bool) -> str:
    text = display_json(text)  # invisible characters as \uXXXX: a terminal shows them
    if verbose or len(text) <= SHOWN:
        return text
    return f"{text[:SHOWN]}... ({len(text) - SHOWN} more characters; --verbose shows all)"
