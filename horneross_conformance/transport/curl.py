"""A shell command that delivers one event as Horneross would, for a person to reproduce a failure by hand.

The body is rebuilt byte for byte by ``printf``, with the characters a terminal would hide or turn into line
breaks (controls, U+2028, bidirectional marks) written as octal escapes, so that copying the command from a
terminal keeps it exact. The signature is computed in the command by ``horneross-conformance sign``, which reads the
secret from its environment variable itself: the command shows the variable, never the value; the value is never
on a command line (where every local user sees it in the process list, as with ``openssl dgst -hmac "$SECRET"``);
and the signature stays right if the person edits the body.
"""

from __future__ import annotations

import shlex

from horneross_conformance.core.contract import SECRET_ENV, SIGNATURE_HEADER
from horneross_conformance.core.inert import invisible


def display_json(text: str) -> str:
    """JSON text with its invisible characters (only ever inside strings) written as ``\\uXXXX`` escapes: the same
    value, safe to print in a terminal."""
    return "".join(f"\\u{ord(c):04x}" if invisible(c) else c for c in text)


def _printf_format(text: str) -> str:
    parts = []
    for character in text:
        if character == "%":
            parts.append("%%")
        elif character == "\\":
            parts.append("\\\\")
        elif invisible(character):
            parts.append("".join(f"\\{byte:03o}" for byte in character.encode("utf-8", "surrogatepass")))
        else:
            parts.append(character)
    return "".join(parts)


def curl_command(url: str, body: bytes, secret_variable: str = SECRET_ENV) -> str:
    """Two lines of POSIX shell: ``BODY=...`` with the exact bytes, then the signed ``curl`` POST."""
    text = body.decode("utf-8")  # canonical bytes are UTF-8: JSON.stringify escapes lone surrogates
    signature = f"$(printf '%s' \"$BODY\" | horneross-conformance sign --raw --secret-env {secret_variable} -)"
    return (
        f'BODY="$(printf {shlex.quote(_printf_format(text))})"\n'
        f"curl -sS -i -X POST {shlex.quote(url)} -H 'Content-Type: application/json' "
        f'-H "{SIGNATURE_HEADER}: {signature}" --data-binary "$BODY"'
    )
