"""Why an endpoint rejects correctly signed deliveries, told by experiment, and the fix for its stack.

An endpoint that answers 401 or 403 to a delivery signed exactly as Horneross signs computes its HMAC over other
bytes than those it received: it parses the body and writes it out again before verifying. Which writer it uses is
not guessed from whichever events happened to pass: once in a run, at the first such rejection, the suite sends
control deliveries that differ in one property each from a plain one (keys already sorted at every level, ASCII
text, no numbers): keys in Horneross' order at the top or inside ``data``, non-ASCII text, ``<>&``, U+2028, a
number with a fraction, and the plain event written with json.dumps' spaces, or indented (signed over those
bytes, as any body). Each answer says whether that property changes the bytes the endpoint verifies. A cause the
answers do not show is not claimed: the diagnosis says what was seen instead.

Every check failing for that reason shares one ``Cause``: said once, as the verdict's headline, with the fix (the
HMAC over the raw request body, read the way the endpoint's stack reads it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from horneross_conformance.checks.registry import Cause
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.events import sample_event
from horneross_conformance.core.stacks import RAW_BODY_IDIOMS
from horneross_conformance.core.writers import WRITERS, Writer, output, sorted_keys
from horneross_conformance.transport.client import Response

# What an answer's Server or X-Powered-By header says about the stack behind it: its idiom comes first.
_STACK_SIGNS = (
    ("uvicorn", "FastAPI/Starlette"),
    ("hypercorn", "FastAPI/Starlette"),
    ("starlette", "FastAPI/Starlette"),
    ("werkzeug", "Flask"),
    ("express", "Express"),
    ("fastify", "Fastify"),
    ("koa", "Koa"),
    ("aiohttp", "aiohttp"),
    ("php", "PHP"),
    ("puma", "Ruby"),
    ("webrick", "Ruby"),
    ("passenger", "Ruby"),
    ("kestrel", "ASP.NET"),
    ("asp.net", "ASP.NET"),
)


@dataclass(frozen=True, slots=True)
class Control:
    """One control delivery: how its event differs from a plain message (``differs``), its keys' ``layout``."""

    differs: str
    layout: str  # "sorted" (every level), "data sorted" (the envelope in Horneross' order), "as sent", "top sorted"

    @property
    def name(self) -> str:
        return f"{self.differs} ({self.layout})"


PROPERTIES = ("plain", "non-ASCII", "<>&", "U+2028", "/", "0.000001")
CONTROLS = (
    *(Control(differs, layout) for layout in ("sorted", "data sorted") for differs in PROPERTIES),
    Control("plain", "as sent"),
    Control("plain", "top sorted"),
    Control("plain with spaces", "sorted"),
    Control("plain indented", "as sent"),
)
_TEXTS = {"non-ASCII": "¿Me ayudás?", "<>&": "Hola <equipo> & gracias", "U+2028": "Hola\u2028gracias", "/": "1/2"}


def control_body(control: Control, conversation: str) -> bytes:
    """The bytes of ``control``: a fresh message event in ``conversation`` (new ids each time), signed as sent."""
    event = sample_event("conversation.message.created", conversation)
    data = event["data"]
    if control.differs in _TEXTS:
        data["content"] = _TEXTS[control.differs]
    if control.differs == "0.000001":
        data["score"] = 0.000001
    envelope = {key: event[key] for key in ("id", "type", "timestamp", "data")}
    if control.layout in ("sorted", "data sorted"):
        envelope["data"] = sorted_keys(data)
    if control.layout in ("sorted", "top sorted"):
        envelope = {key: envelope[key] for key in sorted(envelope)}
    if control.differs == "plain with spaces":
        return json.dumps(envelope).encode()
    if control.differs == "plain indented":
        return json.dumps(envelope, indent=2).encode()
    return canonical_bytes(envelope)


def accepts(writer: Writer, body: bytes) -> bool:
    """Whether an endpoint that verifies the HMAC over ``writer``'s output accepts ``body`` signed over itself."""
    return output(writer, json.loads(body)) == body  # the controls' own bytes: known, shallow JSON


Answer = Callable[[bytes], str]  # deliver a body signed over itself: "accepted", "rejected" (401/403) or what else


class SignatureExperiment:
    """The controls, sent once per run at the first rejection of a correctly signed delivery; their bodies and
    answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[tuple[Control, bytes, str]] | None = None

    def answers(self, conversation: str, answer: Answer) -> list[tuple[Control, bytes, str]]:
        with self._lock:  # checks running concurrently wait for the one experiment
            if self._seen is None:
                bodies = [(control, control_body(control, conversation)) for control in CONTROLS]
                self._seen = [(control, body, answer(body)) for control, body in bodies]
            return list(self._seen)


def diagnose(seen: list[tuple[Control, bytes, str]], server: str = "", stack: str | None = None) -> Cause:
    """The cause the control answers show (``SignatureExperiment``): the known writers whose output the endpoint
    verifies, those and only those that predict every clear answer; else what was seen, with no writer named. The
    fix names the idiom of ``stack`` (the user's word), else of the stack ``server`` names, else of the writer's."""
    clear = [(body, answer == "accepted") for _, body, answer in seen if answer in ("accepted", "rejected")]
    rejected = [control.name for control, _, answer in seen if answer == "rejected"]
    shown = "; ".join(f"{control.name}: {answer}" for control, _, answer in seen)
    evidence = f"control deliveries of one message, each signed correctly over its own bytes ({shown})"
    if rejected and not any(ok for _, ok in clear):
        headline = (
            "your endpoint rejects every correctly signed delivery, whatever the order of its keys and its text: "
            "the wrong secret, or an HMAC over something other than the body (a body parser's object in front "
            "of the route, a pretty-printed re-serialization)"
        )
        return Cause("signature/everything", headline, evidence, fix(server, stack))
    matching = [writer for writer in WRITERS if clear and all(accepts(writer, body) is ok for body, ok in clear)]
    if not matching:
        headline = (
            "your endpoint rejects correctly signed deliveries that no known re-serialization explains: of the "
            f"controls it rejected {'; '.join(rejected) or 'none'}; compare the HMAC it computes with the one over "
            "the raw body of a rejected delivery"
        )
        return Cause("signature/unexplained", headline, evidence, fix(server, stack))
    names = " or ".join(writer.name for writer in matching)
    headline = (
        "your endpoint verifies the signature over its own re-serialization of the event, not over the raw body: "
        f"{matching[0].does}, as {names} does, by the controls it accepted and rejected"
    )
    shown_by = matching[0].stack if len({writer.stack for writer in matching}) == 1 else None
    return Cause(f"signature/{matching[0].slug}", headline, evidence, fix(server, stack, shown_by))


def control_answer(status: int) -> str:
    """How an endpoint answered a control: ``accepted`` (a 2xx or a 3xx: past verification), ``rejected`` (401 or
    403: the signature refused), or the status, which says nothing of the signature."""
    if 200 <= status < 400:
        return "accepted"
    return "rejected" if status in (401, 403) else f"answered {status}"


def server_of(response: Response) -> str:
    """What an answer says of the stack behind it: its Server and X-Powered-By headers."""
    return " ".join(filter(None, (response.header("server"), response.header("x-powered-by"))))


def stack_of(server: str) -> str | None:
    """The stack a Server or X-Powered-By header names, if any."""
    lowered = server.lower()
    return next((name for sign, name in _STACK_SIGNS if sign in lowered), None)


def fix(server: str = "", stack: str | None = None, shown_by: str | None = None) -> str:
    """The raw-body fix, with the idiom of the endpoint's stack first: ``stack`` (named by the user), else the one
    ``server`` (a Server or X-Powered-By header) names, else ``shown_by`` (what its writer shows)."""
    named = stack or stack_of(server)
    chosen = named or shown_by
    idioms = sorted(RAW_BODY_IDIOMS, key=lambda idiom: idiom[0] != chosen)
    listed = "; ".join(f"{name}: {idiom}" for name, idiom in idioms)
    if stack:
        lead = f"In {stack}, verify with {idioms[0][1]}. "
    elif named:
        lead = f"This endpoint looks like {chosen}: verify with {idioms[0][1]}. "
    elif chosen:
        lead = f"Its re-serialization looks like {chosen}'s: verify with {idioms[0][1]}. "
    else:
        lead = ""
    return f"{lead}Fix: verify the HMAC over the raw request body, before any parsing ({listed})"
