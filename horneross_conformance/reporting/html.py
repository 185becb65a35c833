"""The HTML report: one self-contained page (no script, no external file), for people.

First the verdict, then the matrix of requirements by level and outcome, then the requirement table, then each
check with its message and its wire log: what was sent and what came back, headers included. Secrets were
replaced when the wire log was recorded (``wire``). Every text is escaped (``inert.for_html``): what a target sent
is shown, never rendered, and no bidirectional mark reorders it.
"""

from __future__ import annotations

from typing import Any

from horneross_conformance.checks.results import CheckResult, RequirementVerdict
from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.inert import for_html as escape
from horneross_conformance.core.version import __version__
from horneross_conformance.reporting.terminal import outcome_label, run_line

LEVELS = ("MUST", "SHOULD", "INFORMATIONAL")
COLOURS = {"passed": "ok", "yes": "ok", "FAILED": "bad", "WARNING": "warn", "no": "info", "UNCHECKED": "bad"}
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1b1f24}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;
vertical-align:top}th{background:#f6f8fa}
.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:bold}.warn{color:#9a6700;font-weight:bold}.info{color:#0969da}
.skip{color:#6e7781}.verdict{font-size:1.3em;padding:.4em .8em;display:inline-block;border-radius:6px}
.verdict.ok{background:#dafbe1}.verdict.bad{background:#ffebe9}
details{border:1px solid #d0d7de;border-radius:6px;margin:.4em 0;padding:.3em .8em}
summary{cursor:pointer}pre{background:#f6f8fa;padding:.5em;overflow-x:auto;white-space:pre-wrap;
overflow-wrap:anywhere;margin:.3em 0}.exchange{border-left:3px solid #d0d7de;margin:.6em 0;padding-left:.8em}
.exchange.failing{border-left-color:#cf222e}
.meta{color:#57606a}
"""


def html_report(run: RunVerdict) -> str:
    role, target, verdicts, strict = run.role, run.target, run.requirements, run.strict
    conformant = run.conformant
    verdict = run.status
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Horneross {role} conformance: {verdict}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Horneross {escape(role)} conformance</h1>",
        f'<p class="verdict {"ok" if conformant else "bad"}">{verdict}</p>',
        f"<p>{escape(run.summary())}</p>",
        *(
            f'<div class="cause"><p><strong>Root cause:</strong> {escape(cause.headline)}.</p>'
            f'<p>{escape(cause.fix)}.</p><p class="meta">Seen in: {escape(cause.evidence)}. '
            f"Explains {escape(', '.join(case_ids))}.</p></div>"
            for cause, case_ids in run.causes
        ),
        *(f'<p class="meta">note: {escape(note)}</p>' for note in run.notes),
        f'<p class="meta">Target <code>{escape(target)}</code> · horneross-conformance {escape(__version__)} · '
        f"strict {'on' if strict else 'off'}</p>",
        *(
            f'<p class="meta">{line}</p>'
            for line in [run_line(run, escape, lambda c: f"<code>{escape(c)}</code>")]
            if line
        ),
        "<h2>Verdict matrix</h2>",
        _matrix(verdicts, strict),
        "<h2>Requirements</h2>",
        _requirements(verdicts, strict),
        "<h2>Checks</h2>",
    ]
    for verdict_of_requirement in verdicts:
        for check in verdict_of_requirement.checks:
            parts.append(_check(check, verdict_of_requirement))
    parts.append("</body></html>\n")
    return "\n".join(parts)


MATRIX_ALWAYS = ("passed", "FAILED", "WARNING", "UNCHECKED")  # columns shown even at zero


def _matrix(verdicts: list[RequirementVerdict], strict: bool) -> str:
    """Requirements counted by level and by the very label the table below gives each: the counts agree with it
    (an INFORMATIONAL "no" is counted as such, not as a warning)."""
    order = ("passed", "yes", "FAILED", "WARNING", "no", "UNCHECKED", "not run", "no check")
    labels = [(verdict.requirement.level, outcome_label(verdict, strict)[0]) for verdict in verdicts]
    columns = [column for column in order if column in {label for _, label in labels} or column in MATRIX_ALWAYS]
    columns += sorted({label for _, label in labels} - set(columns))
    counts = {(level, column): 0 for level in LEVELS for column in columns}
    for requirement_level, label in labels:
        counts[(requirement_level, label)] += 1
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    rows = []
    for level in LEVELS:
        cells = ""
        for column in columns:
            count = counts[(level, column)]
            cells += f'<td class="{COLOURS.get(column, "skip") if count else ""}">{count}</td>'
        rows.append(f"<tr><th>{level}</th>{cells}</tr>")
    return f"<table><tr><th>level</th>{head}</tr>{''.join(rows)}</table>"


def _requirements(verdicts: list[RequirementVerdict], strict: bool) -> str:
    rows = ["<table><tr><th>requirement</th><th>level</th><th>outcome</th><th>title</th><th>details</th></tr>"]
    for verdict in verdicts:
        label, _ = outcome_label(verdict, strict)
        requirement = verdict.requirement
        rows.append(
            f'<tr id="{escape(requirement.id)}"><td>{escape(requirement.id)}</td><td>{requirement.level}</td>'
            f'<td class="{COLOURS.get(label, "skip")}">{escape(label)}</td><td>{escape(requirement.title)}</td>'
            f"<td>{escape(_cut(verdict.details, 300))}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _check(check: CheckResult, verdict: RequirementVerdict) -> str:
    level = verdict.requirement.level
    colour = {"passed": "ok", "skipped": "skip"}.get(check.outcome, "bad" if level == "MUST" else "warn")
    opened = " open" if check.outcome == "failed" else ""
    wire = check.wire or {"exchanges": [], "omitted": 0}
    exchanges = wire.get("exchanges", [])
    omitted = wire.get("omitted", 0)
    failing: int | None = wire.get("failing")
    parts = [
        f'<details id="{escape(check.case_id)}"{opened}><summary><b>{escape(check.case_id)}</b> '
        f'<span class="{colour}">{escape(check.outcome)}</span> · {escape(verdict.requirement.id)} {level} · '
        f"{_count(len(exchanges) + omitted, 'exchange')}</summary>",
        f"<pre>{escape(check.message)}</pre>" if check.message else "",
    ]
    # the failing exchange of a generated check comes last when it was not among the first ones kept
    kept_after = failing is not None and failing > len(exchanges)
    first = exchanges[:-1] if kept_after else exchanges
    parts += [_exchange(number, exchange, number == failing) for number, exchange in enumerate(first, start=1)]
    if omitted:
        parts.append(f'<p class="meta">… and {_count(omitted, "more exchange")}, not kept.</p>')
    if failing is not None and kept_after:
        parts.append(_exchange(failing, exchanges[-1], True))
    parts.append("</details>")
    return "\n".join(part for part in parts if part)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _cut(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters at a word's end, with an ellipsis when anything was left out."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + " …"


def _exchange(number: int, exchange: dict[str, Any], failing: bool = False) -> str:
    request_headers = "\n".join(f"{name}: {value}" for name, value in exchange.get("request_headers", []))
    response_headers = "\n".join(f"{name}: {value}" for name, value in exchange.get("response_headers", []))
    sent = f"{exchange['request']}\n{request_headers}\n\n{exchange.get('request_body', '')}"
    answer = f"{exchange['status']}\n{response_headers}\n\n{exchange.get('response_body', '')}".rstrip()
    when = f" · {escape(exchange['when'])}" if exchange.get("when") else ""
    mark = ' · <span class="bad">the exchange the check failed on</span>' if failing else ""
    return (
        f'<div class="exchange{" failing" if failing else ""}"><p class="meta">#{number}{when}{mark}</p>'
        f"<p>sent</p><pre>{escape(sent)}</pre><p>answered</p><pre>{escape(answer)}</pre></div>"
    )
