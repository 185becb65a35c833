"""``canonical_bytes`` + ``sign`` against Node's ``JSON.stringify`` + ``crypto.createHmac``, side by side.

    python benchmarks/canonical_sign.py [--rounds 5]

Two corpora, the same for both sides: typical events (the four types as production sends them) and large ones
(about 100 KB, a long conversation in one message). For each, rounds alternate between this process (the fast
path with its guard, which is what ``canonical_bytes`` does) and one Node process that times its own loop, so that
neither side pays for start-up or for the other's load. The exact path alone and the standard library's C
encoder (not exact) are timed too, for orientation. Every result is checked byte for byte against Node's first.

Target: at least 1.25x Node's throughput on both corpora.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import large_event, typical_event
from targets import Outcome, report

from horneross_conformance.core.canonical import canonical_bytes, exact_bytes
from horneross_conformance.core.signing import sign

SECRET = "whsec_benchmark_5f1c"
TARGET_RATIO = 1.25
NODE_LOOP = r"""
const crypto = require('crypto');
const fs = require('fs');
const [file, reps, secret] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const events = JSON.parse(fs.readFileSync(file, 'utf8'));
const sign = (e) => crypto.createHmac('sha256', secret).update(JSON.stringify(e)).digest('hex');
if (reps === 0) {
  process.stdout.write(JSON.stringify(events.map(sign)));  // no process.exit: a pipe must get all of it
} else {
  for (const e of events) sign(e);  // warm up
  const start = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) for (const e of events) sign(e);
  process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e9));
}
"""


def node_seconds(script: Path, corpus: Path, reps: int) -> float:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH: the baseline is Node's own JSON.stringify and createHmac")
    result = subprocess.run(
        [node, str(script), str(corpus), str(reps), SECRET], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return float(result.stdout)


def python_seconds(events: list[Any], reps: int, serialize: Callable[[Any], bytes]) -> float:
    for event in events:
        sign(serialize(event), SECRET)  # warm up
    started = time.perf_counter()
    for _ in range(reps):
        for event in events:
            sign(serialize(event), SECRET)
    return time.perf_counter() - started


def stdlib(event: Any) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small corpora, to see that it runs")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    scale = 10 if args.quick else 1
    corpora = {
        "typical": ([typical_event(n, rng) for n in range(2000 // scale)], 20 // scale),
        "large": ([large_event(n, rng) for n in range(20 // scale)], 20 // scale),
    }
    outcomes = []
    print(f"machine: {os.cpu_count()} cores; one Python process, one Node process; medians of {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "loop.js"
        script.write_text(NODE_LOOP)
        for name, (events, reps) in corpora.items():
            corpus = Path(folder) / f"{name}.json"
            corpus.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
            node_signatures = json.loads(
                subprocess.run(
                    [shutil.which("node") or "node", str(script), str(corpus), "0", SECRET],
                    capture_output=True,
                    text=True,
                    timeout=600,
                ).stdout
            )
            if [sign(canonical_bytes(e), SECRET) for e in events] != node_signatures:
                raise SystemExit(f"{name}: a signature differs from Node's: the fast path is not exact")
            sides: dict[str, list[float]] = {"node": [], "fast": [], "exact": [], "stdlib": []}
            for _ in range(args.rounds):  # alternate, so that drift in the machine's load hits all sides alike
                sides["node"].append(node_seconds(script, corpus, reps))
                sides["fast"].append(python_seconds(events, reps, canonical_bytes))
                sides["exact"].append(python_seconds(events, max(reps // 4, 1), exact_bytes) * 4)
                sides["stdlib"].append(python_seconds(events, reps, stdlib))
            count = len(events) * reps
            size = sum(len(canonical_bytes(e)) for e in events) / len(events)
            node = statistics.median(sides["node"])
            print(f"{name} events ({len(events)}, {size:,.0f} bytes on average):")
            print(f"  Node JSON.stringify + createHmac: {count / node:>10,.0f} events/s (the baseline)")
            for side, label in (
                ("fast", "canonical_bytes + sign"),
                ("exact", "exact path alone"),
                ("stdlib", "json.dumps + sign (not exact)"),
            ):
                seconds = statistics.median(sides[side])
                print(f"  {label + ':':<32} {count / seconds:>10,.0f} events/s, {node / seconds:.2f}x Node")
            ratio = node / statistics.median(sides["fast"])
            outcomes.append(
                report(
                    Outcome(
                        f"canonical_bytes + sign, {name} events ({size:,.0f} bytes)",
                        f"{ratio:.2f}x Node ({count / node:,.0f} events/s)",
                        f">= {TARGET_RATIO}x Node",
                        ratio >= TARGET_RATIO,
                    )
                )
            )
    return outcomes


if __name__ == "__main__":
    main()
