"""A sender's signature fault as one root cause: which bytes it signed, named by comparing signatures, and the fix.

Every delivery of a sender that signs the wrong bytes fails SND-03 the same way, in several checks: the cause is
said once, at the head of the verdict, and each check refers to it in one line (``checks.registry.Cause``). What
it signed is never guessed: a known writer (``core.writers``) is named only when the HMAC of its output, with the
endpoint's secret, is the signature received. The cause's id says the kind of fault, not the writer: a payload
without ``<`` or non-ASCII text cannot tell Go's writer from a sorted map, so the writers one delivery names may be
more than another's, and they remain one cause; the headline is the first delivery's.
"""

from __future__ import annotations

from horneross_conformance.checks.registry import Cause
from horneross_conformance.core.writers import Writer

CHECK_YOUR_ENCODER = "check your encoder alone with horneross-conformance check-encoder -- COMMAND"
_IDIOM = {  # the language's way to JSON.stringify's bytes, for the fix
    "Go": "in Go, the encoder of the toolkit's Go kit (kits/go) writes them; encoding/json does not",
    "Python": "in Python, horneross_conformance.canonical_bytes(payload) writes them; json.dumps does not",
}


def _language(writer: Writer) -> str | None:
    """The language whose standard writer ``writer`` is, when it is one (a sorted map or pretty-printing is not)."""
    return writer.stack or ("Python" if writer.slug.startswith("python-") else None)


def _writers(writers: list[Writer]) -> str:
    names = [writer.name for writer in writers]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]} (alike for this payload)"


def _fix(writers: list[Writer]) -> str:
    """The fix, with the idiom of the language of ``writers`` only when they are all of that one: a payload that
    Python's sorted dumps and Go's encoding/json write alike names no language, rather than the wrong one."""
    languages = {_language(writer) for writer in writers}
    idiom = _IDIOM.get(languages.pop() or "") if len(languages) == 1 else None
    return (
        "Serialize the payload once as JSON.stringify does, sign those bytes with the endpoint's secret, and send "
        f"those same bytes{f' ({idiom})' if idiom else ''}; {CHECK_YOUR_ENCODER}"
    )


def signs_another_writer(writers: list[Writer], evidence: str) -> Cause:
    """The signature is the HMAC of ``writers``' output of the payload, not of JSON.stringify(payload)."""
    headline = (
        f"your sender signs the output of {_writers(writers)} instead of JSON.stringify(payload) ({writers[0].does}), "
        "so no receiver's HMAC over the body it receives matches"
    )
    return Cause("signature/signs-a-re-serialization", headline, evidence, _fix(writers))


def sends_another_writer(writer: Writer | None, evidence: str) -> Cause:
    """The signature is the HMAC of the bytes sent, but those are not JSON.stringify(payload): ``writer``'s output,
    when known (SND-03's fault, decision 14)."""
    which = f"the output of {writer.name} ({writer.does})" if writer is not None else "other bytes"
    headline = (
        f"your sender signs and sends {which}, not JSON.stringify(payload), so a receiver that computes "
        "JSON.stringify(payload), as the documentation does, gets another signature"
    )
    return Cause("signature/sends-a-re-serialization", headline, evidence, _fix([writer] if writer else []))


def unexplained(evidence: str) -> Cause:
    headline = (
        "your sender's signatures are the HMAC-SHA256, with the endpoint's secret, of neither JSON.stringify(payload) "
        "nor the bytes sent nor any known re-serialization of the payload (sorted keys, escaped non-ASCII, HTML "
        "escapes, spaces, indentation, Go's encoding/json, PHP's json_encode, Ruby's JSON.generate): is each "
        "endpoint's own secret the one used, the one it subscribed with?"
    )
    fix = (
        "Sign with the secret of the endpoint the delivery goes to, over the exact bytes sent, JSON.stringify(payload)"
    )
    return Cause("signature/unexplained", headline, evidence, fix)


def refer_to(cause: Cause, where: str) -> str:
    """A check's one line about the root cause it shares, said in full once, at the head of the verdict."""
    return (
        f"the signature to {where} is not JSON.stringify's: root cause [{cause.id}], said once at the head of the "
        "verdict"
    )
