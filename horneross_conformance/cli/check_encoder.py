"""``horneross-conformance check-encoder -- CMD [ARGS]``: whether an encoder in any language writes what
``JSON.stringify`` writes.

Horneross signs ``JSON.stringify(payload)``, so a sender must write exactly those bytes, and no mainstream encoder
outside JavaScript does by default. The command starts the vendor's encoder, writes it one JSON text per line and
reads one line per input, ``JSON.stringify(JSON.parse(line))`` (or ``ERROR ...`` for an input it refuses): the
canonical vectors first, then generated documents. It prints each fault once, named (``keys sorted``, ``U+2028
or U+2029 escaped``), with the smallest input that shows it and the expected and written bytes around the first
difference. Everything the encoder writes is shown inert; a hang, an early exit or an unreadable answer is one
sentence. Exit 0: every output matched; 1: a fault, or a broken encoder; 2: a usage error, nothing checked.
"""

from __future__ import annotations

import argparse
import math
import secrets
import shlex
import unicodedata
from typing import Any

from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, usage_error
from horneross_conformance.core.inert import for_terminal, invisible
from horneross_conformance.encoder.check import DEFAULT_EXAMPLES, Mismatch, Outcome, check_encoder
from horneross_conformance.encoder.diagnosis import first_difference
from horneross_conformance.encoder.process import DEFAULT_TIMEOUT, CannotStart, EncoderProcess

BEFORE = 30  # bytes shown before the first difference
SHOWN = 110  # bytes shown of each output
INPUT_SHOWN = 110  # characters shown of an input
MORE_IDS = 4  # vector ids named per fault before "+N more"


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "check-encoder",
        help="check that an encoder in any language writes exactly what JSON.stringify writes",
        usage="horneross-conformance check-encoder [-h] [--examples N] [--seed N] [--timeout SECONDS] -- CMD [ARGS]",
        description="Start the encoder CMD, write it one JSON text per line on its standard input, and read one line "
        "per input from its standard output: JSON.stringify(JSON.parse(line)), or a line starting with ERROR when "
        "it refuses the input. Each output is compared with what JSON.stringify writes: the canonical vectors "
        "first, then generated documents; a fault is named and shown with the smallest input that has it.",
    )
    command.add_argument(
        "--examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        metavar="N",
        help=f"generated documents after the canonical vectors (default {DEFAULT_EXAMPLES}; 0: the vectors only)",
    )
    command.add_argument("--seed", type=int, metavar="N", help="seed of the generated documents, to repeat a run")
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for each answer, the first one with the encoder's start-up (default "
        f"{DEFAULT_TIMEOUT:g})",
    )
    command.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS]", help="the encoder to run")
    command.set_defaults(handler=check_encoder_command)


def check_encoder_command(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    problem = _usage_problem(args, command)
    if problem:
        return usage_error("check-encoder", problem)
    seed = secrets.randbelow(2**32) if args.seed is None else args.seed
    try:
        encoder = EncoderProcess(command, args.timeout)
    except CannotStart as error:
        return usage_error("check-encoder", str(error))
    with encoder:
        generated = f", then {args.examples} generated documents (seed {seed})" if args.examples else ""
        shown = for_terminal(shlex.join(command))
        print(f"check-encoder: {shown}: the canonical vectors{generated}; {args.timeout:g} s per answer", flush=True)
        outcome = check_encoder(encoder, args.examples, seed)
    report(outcome, args.examples, seed)
    if outcome.passed:
        print("check-encoder: PASSED: every output is exactly what JSON.stringify writes")
        return EXIT_OK
    faults = list(outcome.findings)
    if outcome.counterexample is not None and outcome.counterexample.fault.name not in faults:
        faults.append(outcome.counterexample.fault.name)
    if outcome.broken is not None:
        faults.append("the encoder broke")
    print(f"check-encoder: FAILED: {'; '.join(faults)}")
    return EXIT_FAILED


def _usage_problem(args: argparse.Namespace, encoder: list[str]) -> str | None:
    if not encoder:
        return "no encoder to run: name it after --, as in 'check-encoder -- ./my-encoder'"
    if args.examples < 0:
        return f"--examples: {args.examples} is not 0 or more"
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        return f"--timeout: {args.timeout:g} is not a positive number of seconds"
    if args.seed is not None and not 0 <= args.seed < 2**64:
        return f"--seed: {args.seed} is not between 0 and 2**64 - 1"
    return None


def report(outcome: Outcome, examples: int, seed: int) -> None:
    """What the check found, fault by fault, then what became of the generated documents."""
    differ = sum(len(finding.vectors) for finding in outcome.findings.values())
    if outcome.vectors_run == outcome.vectors_total and not differ:
        print(f"canonical vectors: all {outcome.vectors_total} written exactly as JSON.stringify writes them")
    elif differ:
        reasons = len(outcome.findings)
        print(
            f"canonical vectors: {differ} of {outcome.vectors_run} differ, for {reasons} reason{'s' * (reasons > 1)}:"
        )
    for finding in outcome.findings.values():
        ids = finding.vectors[:MORE_IDS] + (
            [f"+{len(finding.vectors) - MORE_IDS} more"] * (len(finding.vectors) > MORE_IDS)
        )
        print_mismatch(finding.shown, f"vectors:  {', '.join(ids)}")
    if outcome.counterexample is not None:
        how = "shrunk to the smallest that still does" if outcome.shrunk else "not shrunk"
        print(f"generated documents: one differs, {how} ({outcome.generated} tried; --seed {seed} repeats it):")
        print_mismatch(outcome.counterexample, None)
    elif examples and outcome.vectors_run == outcome.vectors_total and outcome.broken is None:
        if outcome.stopped:
            print(f"generated documents: {outcome.generated} matched, then stopped: {outcome.stopped}")
        else:
            print(f"generated documents: all {outcome.generated} written exactly as JSON.stringify writes them")
    if outcome.broken is not None:
        print(for_terminal(f"the encoder broke: {outcome.broken}"))


def print_mismatch(mismatch: Mismatch, vectors: str | None) -> None:
    """A fault's block: its sentence, the vectors that show it, the input, and the expected and written bytes
    around the value at fault (or the first byte that differs), a caret under it."""
    print(for_terminal(f"FAULT {mismatch.fault.sentence()}"))
    if vectors:
        print(f"  {vectors}")
    source = visible(mismatch.source)
    print(f"  input:    {source[:INPUT_SHOWN]}{'…' * (len(source) > INPUT_SHOWN)}")
    due_at, written_at = _located(mismatch)
    if due_at == written_at:
        start = _boundary(mismatch.expected, max(0, due_at - BEFORE))
        print(f"  expected: {excerpt(mismatch.expected, start)}")
        print(f"  actual:   {excerpt(mismatch.actual, start)}")
        print(f"            {_caret(mismatch.expected, start, due_at)}")
        return
    for label, data, at in (("expected", mismatch.expected, due_at), ("actual", mismatch.actual, written_at)):
        start = _boundary(data, max(0, at - BEFORE))
        print(f"  {label + ':':9} {excerpt(data, start)}")
        print(f"            {_caret(data, start, at)}")


def _located(mismatch: Mismatch) -> tuple[int, int]:
    """Byte offsets of the value at fault in the expected and the written output, where the diagnosis located
    it; otherwise the first byte that differs, in both."""
    fault = mismatch.fault
    if fault.due_at is None or fault.written_at is None:
        at = first_difference(mismatch.expected, mismatch.actual)
        return at, at
    written = mismatch.actual.decode("utf-8", "surrogateescape")
    expected = mismatch.expected.decode("utf-8")
    return len(expected[: fault.due_at].encode()), len(written[: fault.written_at].encode("utf-8", "surrogateescape"))


def _caret(data: bytes, start: int, at: int) -> str:
    """A caret under byte ``at`` of ``data`` shown from ``start`` by ``excerpt``."""
    lead = "…" if start else ""
    column = width(lead + visible(data[start:at].decode("utf-8", "surrogateescape")))
    return f"{' ' * column}^ byte {at}"


def _boundary(data: bytes, at: int) -> int:
    """``at`` moved back to the start of a UTF-8 character."""
    while 0 < at < len(data) and data[at] & 0xC0 == 0x80:
        at -= 1
    return at


def excerpt(data: bytes, start: int) -> str:
    """``SHOWN`` bytes of ``data`` from ``start``, whole characters only, made visible; … where cut."""
    end = min(len(data), start + SHOWN)
    end = _boundary(data, end) if end < len(data) else end
    lead = "…" if start else ""
    return lead + visible(data[start:end].decode("utf-8", "surrogateescape")) + ("…" if end < len(data) else "")


def visible(text: str) -> str:
    """``text`` inert, and every character one cannot see stands out: ``<U+2028>``, ``<U+FFFD>``, a tab as
    ``<U+0009>``, and a byte that is not UTF-8 as ``<ED>``. Escapes the encoder wrote (``\\u2028``) stay as written,
    so a raw character and its escape never look alike."""
    shown = []
    for character in text:
        code = ord(character)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
            shown.append(f"<{code - 0xDC00:02X}>")
        elif (
            invisible(character)
            or character == "\ufffd"
            or (character != " " and unicodedata.category(character) == "Zs")
        ):
            shown.append(f"<U+{code:04X}>")
        else:
            shown.append(character)
    return for_terminal("".join(shown))


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for wide characters (CJK, most emoji)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
