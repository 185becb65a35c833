"""Conformance test suite and contract-testing toolkit for Horneross webhooks."""

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.signing import sign, verify

__version__ = "0.1.0"

__all__ = ["SIGNATURE_HEADER", "__version__", "canonical_bytes", "sign", "verify"]
