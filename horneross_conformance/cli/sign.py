"""``horneross-conformance sign``: the X-Horneross-Signature of a payload, computed as the documentation does.

The documentation signs ``JSON.stringify(payload)``, the re-serialization of the parsed payload, not the bytes
of a file. A file that is pretty-printed, escapes non-ASCII text or ends with a newline holds other bytes, and a
receiver that verifies the raw body of such a file gets another signature: ``sign`` says so.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from horneross_conformance.cli.payload import PayloadError, read_payload
from horneross_conformance.cli.secret import NoSecret, add_secret_option, read_secret
from horneross_conformance.cli.usage import STDIN, usage_error
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.signing import sign


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "sign",
        help="print the signature of a payload (HMAC-SHA256 of its JSON.stringify form)",
        description="Print the X-Horneross-Signature of the payload in FILE, as Horneross computes it: the "
        "lowercase hex HMAC-SHA256 of JSON.stringify of the parsed payload. Warns on stderr when the file's bytes "
        "are not that form.",
    )
    command.add_argument("file", metavar="FILE", help=f"the payload, a JSON file ({STDIN} for stdin)")
    add_secret_option(command)
    command.add_argument(
        "--raw", action="store_true", help="sign the file's bytes exactly as they are, not their JSON.stringify form"
    )
    command.set_defaults(handler=sign_command)


def sign_command(args: argparse.Namespace) -> int:
    name = "<stdin>" if args.file == STDIN else args.file
    try:
        data, payload = read_payload(args.file)
    except PayloadError as error:
        return usage_error("sign", str(error))  # a payload that cannot be used, as for send: nothing was signed
    try:
        secret = read_secret(args.secret_env)
    except NoSecret as error:
        return usage_error("sign", str(error))
    assert secret is not None
    canonical = canonical_bytes(payload)
    print(sign(data if args.raw else canonical, secret))
    if data != canonical:
        print(f"warning: {name}: {difference(data, canonical)}", file=sys.stderr)
        if args.raw:
            print(
                "  this signature is of the raw bytes; Horneross signs and sends the JSON.stringify form, "
                "whose signature 'sign' prints without --raw",
                file=sys.stderr,
            )
        else:
            print(
                "  the signature above is of the JSON.stringify form, which is what Horneross signs and sends; "
                "a receiver verifying these raw bytes would compute another one (--raw prints it)",
                file=sys.stderr,
            )
    return 0


def difference(data: bytes, canonical: bytes) -> str:
    """Where the file's bytes first leave the canonical form, in a sentence."""
    if data.rstrip(b"\r\n") == canonical:
        return "only the line break at the end differs from the JSON.stringify form"
    at = next(
        (i for i, (a, b) in enumerate(zip(data, canonical, strict=False)) if a != b), min(len(data), len(canonical))
    )
    found = data[at : at + 12]
    wanted = canonical[at : at + 12]
    return (
        f"the bytes are not the JSON.stringify form of the payload: from byte {at}, the file has {found!r} "
        f"where JSON.stringify gives {wanted!r}"
    )
