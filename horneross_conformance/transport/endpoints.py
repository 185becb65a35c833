"""Where a delivery goes: an http(s) URL read into an ``Endpoint``, without its user information, and the TLS
settings for it."""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from horneross_conformance.core.inert import for_terminal


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to deliver. User information in the URL is dropped: it is never sent, kept or printed."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent on the request line
    ca_bundle: str | None = None  # https: trust these certificates (PEM) instead of the system's trust store

    @property
    def address(self) -> str:
        """``host:port``, with an IPv6 host in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def display(self) -> str:
        """The URL without user information, safe to print."""
        return f"{self.scheme}://{self.address}{self.target}"

    @property
    def host_header(self) -> str:
        return self.address.removesuffix(f":{_default_port(self.scheme)}")


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def without_userinfo(url: str) -> str:
    """``url`` safe to print in a message, even when it does not parse: whatever stands between ``//`` and the
    last ``@`` of the authority (``admin:pw@``, a password with an unescaped ``/`` included) is left out."""
    head, separator, tail = url.partition("//")
    if not separator:
        return for_terminal(url)
    authority_end = min((i for i in (tail.find("?"), tail.find("#")) if i >= 0), default=len(tail))
    at = tail.rfind("@", 0, authority_end)
    return for_terminal(head + separator + ("…@" + tail[at + 1 :] if at >= 0 else tail))


def parse_endpoint(url: str, ca_bundle: str | None = None) -> Endpoint:
    """Check that ``url`` is an absolute http(s) URL; raise ``ValueError`` saying what is wrong. ``ca_bundle``: a
    PEM file of the certificates to trust for https, checked here so that a wrong path is a usage error."""
    shown = repr(without_userinfo(url))  # a message never repeats a password given in the URL
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{shown} is not a valid URL ({without_userinfo(str(error))})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{shown} is not an http:// or https:// URL")
    if not parts.hostname:
        raise ValueError(f"{shown} has no host")
    if port == 0:  # no server listens on port 0, and it is not the scheme's default port either
        raise ValueError(f"{shown} has port 0, which no server listens on")
    if any(c.isspace() for c in url):
        raise ValueError(f"{shown} contains white space")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if ca_bundle is not None:
        tls_context(ca_bundle)
    return Endpoint(parts.scheme, parts.hostname, port or _default_port(parts.scheme), target, ca_bundle)


@functools.cache
def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The TLS settings for a bundle (None: the system's trust store), built once: loading a trust store takes
    milliseconds, and every delivery shakes hands. Raises ``ValueError`` for a bundle that cannot be used."""
    if ca_bundle is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except FileNotFoundError:
        raise ValueError(f"CA bundle {ca_bundle!r}: no such file") from None
    except (ssl.SSLError, OSError) as error:
        raise ValueError(f"CA bundle {ca_bundle!r} holds no usable PEM certificate ({error})") from None
