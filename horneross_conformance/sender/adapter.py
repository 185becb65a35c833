"""The sender adapter protocol (docs/contract.md): what the suite calls, and how it finds and checks a factory.

A factory takes no arguments and returns an object with:

- ``subscribe(url, secret, events=None)``: register an endpoint (``events=None``: every event type);
- ``emit(event_type, data) -> str``: an event happens now; returns its id;
- ``run_due()``: make every delivery attempt due at the current time, and return when they are done.

Everything wrong with a factory is found before any check runs and said in one sentence.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol

SENDER_METHODS: dict[str, tuple[Any, ...]] = {
    "subscribe": ("https://example.invalid/hook", "secret", None),
    "emit": ("conversation.created", {}),
    "run_due": (),
}


class Sender(Protocol):
    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None: ...

    def emit(self, event_type: str, data: dict[str, Any]) -> str: ...

    def run_due(self) -> None: ...


def load_factory(spec: str) -> Callable[[], Any]:
    """``package.module:name`` (``name`` may be dotted: ``module:Class.create``) to the callable it names.

    The current folder is importable, as it is for ``python -m``: a vendor's module beside the tests is found.
    """
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"{spec!r} is not MODULE:FACTORY (for example mysender.testing:create)")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as error:  # any error raised while importing the vendor's module is the answer
        raise ValueError(f"cannot import {module_name!r}: {type(error).__name__}: {error}") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"{module_name!r} has no {attribute!r}") from None
    if not callable(target):
        raise ValueError(f"{spec!r} is a {type(target).__name__}, not a factory to call")
    return target  # type: ignore[no-any-return]


def check_sender(sender: object) -> None:
    """Raise ``ValueError`` naming what ``sender`` lacks of the protocol."""
    what = type(sender).__name__
    missing = [name for name in SENDER_METHODS if not callable(getattr(sender, name, None))]
    if missing:
        raise ValueError(f"the sender ({what}) has no {', '.join(missing)}: see the adapter protocol")
    for name, arguments in SENDER_METHODS.items():
        try:
            inspect.signature(getattr(sender, name)).bind(*arguments)
        except TypeError as error:
            raise ValueError(f"{what}.{name} cannot be called as the protocol calls it: {error}") from None
        except ValueError:
            continue  # a builtin without a signature: nothing to check


def probe_factory(factory: Callable[[], Any]) -> None:
    """Call the factory once and check what it returns; raise ``ValueError`` saying what went wrong."""
    try:
        sender = factory()
    except Exception as error:
        raise ValueError(f"the factory raised {type(error).__name__}: {error}") from None
    check_sender(sender)
