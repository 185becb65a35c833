"""The inspector's page under 1,000 deliveries: the time from a delivery to its row on the page, and the page's memory.

    python benchmarks/inspector_page.py [--deliveries 1000] [--quick]

Starts ``listen --ui`` and a headless Chromium on its page (over the DevTools protocol, as the browser tests do),
then posts ``--deliveries`` signed deliveries one after another. The page notes when each event id first shows in
its list; the figure is the median and the 95th percentile of (shown - posted), on the same machine's clock. The
page's memory is its JavaScript heap (``JSHeapUsedSize``) after the flood, against the same page before it, measured
in the same run. Targets: a median under 1 s (the issue's "within a second"), and a heap under 50 MB, which the
page's bound on its list (500 rows) keeps whatever the number of deliveries. ``--quick`` posts 50.
Needs Debian's ``chromium`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from targets import Outcome, report

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from cdp import chromium  # the tests' DevTools client

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint

SECRET = "whsec_benchmark_inspector_0001"
TARGET_SECONDS = 1.0
TARGET_HEAP_MB = 50
WATCH = """
window.__shown = new Map();
new MutationObserver(() => {
  const now = Date.now();
  for (const tr of document.querySelectorAll('#deliveries tbody tr')) {
    const id = tr.cells[5].textContent;
    if (id && !window.__shown.has(id)) window.__shown.set(id, now);
  }
}).observe(document.querySelector('#deliveries tbody'), {childList: true});
true
"""


def heap_mb(tab: object) -> float:
    tab.call("HeapProfiler.collectGarbage")  # type: ignore[attr-defined]
    metrics = tab.call("Performance.getMetrics")["metrics"]  # type: ignore[attr-defined]
    return next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize") / 1e6


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="50 deliveries: to see that it runs")
    options = parser.parse_args(argv)
    count = 50 if options.quick else options.deliveries
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {count} deliveries")
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "horneross_conformance.cli", "listen", "--port", "0", "--ui", "--quiet"]
        listener = subprocess.Popen(
            [*command, "--db", str(Path(folder, "history.sqlite3"))],
            env={**os.environ, "HORNEROSS_WEBHOOK_SECRET": SECRET},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert listener.stdout is not None
            base = page = ""
            while not page:
                line = listener.stdout.readline()
                if not line:
                    raise SystemExit("listen --ui did not start")
                if line.startswith("listening on "):
                    base = line.split()[2]
                if "inspector: " in line:
                    page = line.split("inspector: ", 1)[1].strip()
            drain = subprocess.Popen(["cat"], stdin=listener.stdout, stdout=subprocess.DEVNULL)
            with chromium() as open_tab:
                tab = open_tab(page)
                tab.wait_for("document.getElementById('connection').textContent === 'live'")
                tab.call("Performance.enable")
                tab.call("HeapProfiler.enable")
                tab.evaluate(WATCH)
                before = heap_mb(tab)
                posted: dict[str, float] = {}
                target = parse_endpoint(base + "hooks")
                for _ in range(count):
                    event = sample_event("conversation.message.created")
                    body = canonical_bytes(event)
                    posted[event["id"]] = time.time()
                    post(target, body, {"X-Horneross-Signature": sign(body, SECRET)}, 10)
                last = event["id"]
                tab.wait_for(f"window.__shown.has({last!r})", limit=60)
                shown = dict(tab.evaluate("[...window.__shown.entries()]"))
                after = heap_mb(tab)
                rows = tab.evaluate("document.querySelectorAll('#deliveries tbody tr').length")
        finally:
            listener.terminate()
            listener.wait(10)
        drain.wait(10)
    delays = sorted(shown[i] / 1000 - t for i, t in posted.items() if i in shown)
    median, p95 = statistics.median(delays), delays[int(len(delays) * 0.95) - 1]
    print(f"delivery to display: median {median * 1000:.0f} ms, 95th percentile {p95 * 1000:.0f} ms")
    if len(delays) < count:
        print(f"  ({len(delays)} of {count} seen: the others passed its {rows} rows between two frames)")
    print(f"page JS heap: {after:.1f} MB after {count} deliveries, {before:.1f} MB before them")
    return [
        report(
            Outcome(
                f"inspector page, delivery to display over {count} deliveries",
                f"{median:.2f} s median, {p95:.2f} s 95th percentile",
                f"median < {TARGET_SECONDS:.0f} s",
                median < TARGET_SECONDS,
            )
        ),
        report(
            Outcome(
                f"inspector page memory after {count} deliveries",
                f"{after:.1f} MB JS heap ({before:.1f} MB before them)",
                f"< {TARGET_HEAP_MB} MB",
                after < TARGET_HEAP_MB,
            )
        ),
    ]


if __name__ == "__main__":
    main()
