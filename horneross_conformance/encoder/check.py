"""One encoder check: the canonical vectors, then generated documents, through one encoder process.

Every canonical vector runs, and each fault is reported once, by the smallest vector that shows it, with the ids of
the others: a vendor reads the list of what to fix, not forty variations of one. The generated documents come next
(``encoder.documents``, the generator the toolkit's own comparison with Node uses), explored with Hypothesis like
the suites' generated checks (``checks.exploration``): seeded, and the first document whose output differs is shrunk
to the smallest that still differs. What is expected of a generated document is ``canonical_bytes``, which the
tests prove byte-exact against Node.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from horneross_conformance.checks.exploration import Counterexample, Stop, explore
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.resources import load_json
from horneross_conformance.encoder.diagnosis import Fault, diagnose
from horneross_conformance.encoder.process import EncoderBroken, EncoderProcess
from horneross_conformance.encoder.reading import Token, read

DEFAULT_EXAMPLES = 1000  # generated documents: about 4 s against a compiled encoder, shrinking aside
BUDGET = 300.0  # seconds for the generated documents and their shrinking, whatever the encoder's speed
SIMPLIFY_TRIES = 300  # answers spent making a shrunk counterexample smaller still (see ``simplify``)


@dataclass(frozen=True, slots=True)
class Vector:
    id: str
    input: str
    output: bytes


def canonical_vectors() -> list[Vector]:
    """schemas/canonical-vectors.json, in its order."""
    return [
        Vector(v["id"], v["input"], v["output"].encode("utf-8")) for v in load_json("canonical-vectors.json")["vectors"]
    ]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One input whose output differs: where it came from, the bytes due and written, and the fault named."""

    source: str
    expected: bytes
    actual: bytes
    fault: Fault
    vector: str | None = None  # the canonical vector's id; None for a generated document


@dataclass(slots=True)
class Finding:
    """One fault, shown by its smallest vector; ``mismatches`` are every vector's that showed it."""

    shown: Mismatch
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def vectors(self) -> list[str]:
        return [str(mismatch.vector) for mismatch in self.mismatches]


@dataclass(slots=True)
class Outcome:
    vectors_run: int = 0
    vectors_total: int = 0
    findings: dict[str, Finding] = field(default_factory=dict)  # by fault name, in the order found
    generated: int = 0  # generated documents tried, shrinking included
    counterexample: Mismatch | None = None  # the first generated mismatch, shrunk
    shrunk: bool = False
    broken: str | None = None  # the one sentence when the encoder hung, exited or could not be read
    stopped: str | None = None  # why the generated documents ended early, the encoder being fine

    @property
    def passed(self) -> bool:
        return not self.findings and self.counterexample is None and self.broken is None

    def add(self, mismatch: Mismatch, shown: bool = True) -> None:
        """File ``mismatch`` under its fault; the smallest one ``shown`` stands for the fault."""
        finding = self.findings.get(mismatch.fault.name)
        if finding is None:
            self.findings[mismatch.fault.name] = Finding(mismatch, [mismatch])
            return
        finding.mismatches.append(mismatch)
        if shown and len(mismatch.expected) < len(finding.shown.expected):
            finding.shown = mismatch

    def settle(self) -> None:
        """A fault whose every case another fault found explains as well goes under that one: an encoder that
        sorts keys keeps, on a vector whose keys came sorted, the order they came in too."""
        for name, finding in list(self.findings.items()):
            others = {mismatch.fault.also for mismatch in finding.mismatches}
            if len(others) == 1 and (other := others.pop()) in self.findings and other != name:
                del self.findings[name]
                for mismatch in finding.mismatches:
                    self.add(replace(mismatch, fault=self.findings[other].shown.fault), shown=False)


def check_encoder(
    encoder: EncoderProcess,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    vectors: Sequence[Vector] | None = None,
    budget: float = BUDGET,
) -> Outcome:
    """Run ``encoder`` over the vectors, then ``examples`` generated documents, then close its input."""
    vectors = canonical_vectors() if vectors is None else vectors
    outcome = Outcome(vectors_total=len(vectors))
    for vector in vectors:
        try:
            written = encoder.answer(vector.input.encode("utf-8"), f"canonical vector {vector.id}")
        except EncoderBroken as broken:
            outcome.broken = str(broken)
            return outcome
        outcome.vectors_run += 1
        if written != vector.output:
            fault = diagnose(vector.input, vector.output, written)
            outcome.add(Mismatch(vector.input, vector.output, written, fault, vector.id))
    outcome.settle()
    if examples > 0:
        _generated(encoder, examples, seed, budget, outcome)
    if outcome.broken is None:
        outcome.broken = encoder.finish()
    return outcome


def _generated(encoder: EncoderProcess, examples: int, seed: int, budget: float, outcome: Outcome) -> None:
    from horneross_conformance.encoder.documents import line_json_text

    broken: list[str] = []

    def check(text: str) -> None:
        expected = canonical_bytes(json.loads(text))
        try:
            written = encoder.answer(text.encode("utf-8"), "a generated document")
        except EncoderBroken as error:
            broken.append(str(error))
            raise Stop(broken[-1]) from None
        if written != expected:
            raise Counterexample(diagnose(text, expected, written).sentence(), text, written)

    exploration = explore(check, line_json_text, examples, seed, budget)
    outcome.generated = exploration.tried
    if broken:
        outcome.broken = broken[-1]
    elif exploration.stopped:
        outcome.stopped = exploration.stopped
    found = exploration.found
    if found is not None and not broken:
        text = str(found.event)
        expected = canonical_bytes(json.loads(text))
        mismatch = Mismatch(text, expected, found.body, diagnose(text, expected, found.body))
        try:
            outcome.counterexample = simplify(encoder, mismatch) if exploration.shrunk else mismatch
        except EncoderBroken as error:
            outcome.counterexample, outcome.broken = mismatch, str(error)
        outcome.shrunk = exploration.shrunk


def simplify(encoder: EncoderProcess, mismatch: Mismatch, tries: int = SIMPLIFY_TRIES) -> Mismatch:
    """``mismatch`` made smaller while the encoder still gets it wrong for the same fault: a member or an item
    left out, a container replaced by one of its values. Hypothesis' shrinking works on the choices that drew a
    document, and sometimes stops at a local minimum, such as a key repeated four times around the one at fault;
    this pass works on the document itself, at most ``tries`` answers."""
    best = mismatch
    improved = True
    while improved and tries > 0:
        improved = False
        for candidate in _smaller(read(best.source)):
            if tries <= 0:
                break
            tries -= 1
            expected = canonical_bytes(json.loads(candidate))
            written = encoder.answer(candidate.encode("utf-8"), "a generated document, simplified")
            if written != expected and diagnose(candidate, expected, written).name == best.fault.name:
                best = Mismatch(candidate, expected, written, diagnose(candidate, expected, written))
                improved = True
                break
    return best


def _smaller(token: Token) -> Iterator[str]:
    """Every document one step smaller than ``token``, smallest steps last: each container replaced by one of its
    values, each member or item left out, at every depth."""
    children = [value for _, value in token.members] or list(token.items)
    for child in children:
        yield _text(child)
    for index in range(len(children)):
        if token.kind == "object":
            yield _text(Token("object", members=token.members[:index] + token.members[index + 1 :]))
        else:
            yield _text(Token("array", items=token.items[:index] + token.items[index + 1 :]))
    for index, child in enumerate(children):
        for smaller in _smaller(child):
            if token.kind == "object":
                members = [f"{k.text}:{smaller if i == index else _text(v)}" for i, (k, v) in enumerate(token.members)]
                yield "{" + ",".join(members) + "}"
            else:
                items = [smaller if i == index else _text(v) for i, v in enumerate(token.items)]
                yield "[" + ",".join(items) + "]"


def _text(token: Token) -> str:
    """``token`` written back compactly, each scalar exactly as it was written (escapes, number literals)."""
    if token.kind == "object":
        return "{" + ",".join(f"{key.text}:{_text(value)}" for key, value in token.members) + "}"
    if token.kind == "array":
        return "[" + ",".join(_text(item) for item in token.items) + "]"
    return token.text
