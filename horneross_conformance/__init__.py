"""Conformance test suite and contract-testing toolkit for Horneross webhooks.

from horneross_conformance import canonical_bytes, sign, verify   # the contract's bytes and signature
from horneross_conformance import check_endpoint, check_sender    # the suites, from code (``api``)
"""

from __future__ import annotations

from typing import Any

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.signing import sign, verify
from horneross_conformance.core.version import __version__

__all__ = ["SIGNATURE_HEADER", "__version__", "canonical_bytes", "check_endpoint", "check_sender", "sign", "verify"]

_API = ("check_endpoint", "check_sender", "Report")


def __getattr__(name: str) -> Any:
    """The Python API on first use: signing code that imports this package loads no suite."""
    if name in _API:
        from horneross_conformance import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
