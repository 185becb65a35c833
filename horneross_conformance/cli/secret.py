"""Where the commands get the webhook secret: an environment variable, or a prompt that does not echo.

Never from a command-line argument, which shells keep in their history and other users see in the process
list. A missing secret is a usage error with one sentence saying how to give it.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from typing import Any

from horneross_conformance.core.contract import SECRET_ENV

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


class NoSecret(Exception):
    """No secret was given; the message says how to give one."""


def add_secret_option(parser: Any) -> None:
    parser.add_argument(
        "--secret-env",
        metavar="VAR",
        default=SECRET_ENV,
        help=f"the environment variable holding the webhook secret (default {SECRET_ENV}); when it is not set "
        "and the terminal is interactive, the secret is asked for without echo",
    )


def read_secret(variable: str, required: bool = True) -> str | None:
    """The secret from ``variable``, else from a prompt on an interactive terminal, else ``NoSecret``
    (or ``None`` when it is not ``required``)."""
    secret = os.environ.get(variable)
    if secret:
        return secret
    if sys.stdin.isatty() and sys.stderr.isatty():
        secret = getpass.getpass(f"webhook secret ({variable} is not set): ")
        if secret:
            return secret
    if not required:
        return None
    if not _ENV_NAME.fullmatch(variable):  # perhaps the secret itself, given as the name: never echo it
        raise NoSecret("no webhook secret: --secret-env takes the NAME of an environment variable, which is not set")
    raise NoSecret(f"no webhook secret: set {variable} (export {variable}=...), or run in a terminal to be asked")
