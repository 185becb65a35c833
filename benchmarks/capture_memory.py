"""What a sender that floods the capture servers costs the suite: its peak memory, against the same run without.

    python benchmarks/capture_memory.py [--rounds 3] [--posts 2000] [--quick]

Runs the whole sender suite in a fresh pytest process against a sender that delivers as the reference does and,
at its first ``run_due``, also posts ``--posts`` bodies of 256 KiB to a path of the capture server that no endpoint
has; the baseline is the same run without those posts, measured in the same round. Each process's peak resident
set (its ``ru_maxrss``, as ``wait4`` reports it once it has ended) is measured from outside. Rounds alternate, and
the medians are printed. Target: below 400 MB with 2,000 posts of 256 KiB (half a gigabyte posted), since the
suite keeps only the first 2 KiB of a request no endpoint has; before, it kept 256 KiB of each, 582 MB.
``--quick`` posts 20 once, in a run of one check of each kind: it shows that the command runs, its figure is not
the one to quote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from runs import QUICK_CHECKS
from targets import Outcome, report

TARGET_MB = 400
POST_SIZE = 256 * 1024
FLOODING_SENDER = """
import http.client
import os
from urllib.parse import urlsplit

from horneross_conformance.sender.reference import ReferenceSender

posted = False


class Flooding(ReferenceSender):
    def run_due(self):
        global posted
        if not posted and self.subscriptions:
            posted = True
            url = urlsplit(self.subscriptions[0].url)
            body = b"x" * int(os.environ["STRAY_SIZE"])
            for number in range(int(os.environ["STRAY_POSTS"])):
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                connection.request("POST", f"/stray/{number}", body, {"Content-Type": "application/json"})
                connection.getresponse().read()
                connection.close()
        super().run_due()


def create():
    return Flooding(timeout=0.5)
"""


def peak_megabytes(posts: int, folder: str, options: list[str]) -> float:
    """The peak resident set of one sender suite run, in MB, measured by the kernel for that process alone."""
    path = os.pathsep.join(filter(None, [folder, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "STRAY_POSTS": str(posts), "STRAY_SIZE": str(POST_SIZE), "PYTHONPATH": path}
    # the posts go to a path no endpoint has, which SND-08 fails: exit code 1 is the expected verdict
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--horneross-seed=1"]
    command += ["--horneross-sender=flooding_sender:create", "--horneross-timeout=120", *options]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            output.seek(0)
            raise SystemExit(f"pytest ended with {process.returncode}:\n{output.read()[-3000:].decode()}")
    return usage.ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--posts", type=int, default=2000, help="stray posts of 256 KiB (default 2000)")
    parser.add_argument("--quick", action="store_true", help="20 posts, one round: to see that it runs")
    options = parser.parse_args(argv)
    rounds, posts = (1, 20) if options.quick else (options.rounds, options.posts)
    # --quick: few generated events, one check of each kind (the stray posts arrive at the first of them)
    suite = ["--horneross-examples=3", *QUICK_CHECKS] if options.quick else []
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
    flooded, baseline = [], []
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "flooding_sender.py").write_text(FLOODING_SENDER)
        for _ in range(rounds):  # alternate, so that drift in the machine hits both alike
            flooded.append(peak_megabytes(posts, folder, suite))
            baseline.append(peak_megabytes(0, folder, suite))
    peak, base = statistics.median(flooded), statistics.median(baseline)
    print(f"sender suite with {posts} stray posts of 256 KiB: peak RSS {peak:.0f} MB")
    print(f"sender suite without them:                     peak RSS {base:.0f} MB")
    figure = f"{peak:.0f} MB peak RSS with {posts} stray posts of 256 KiB ({base:.0f} MB without them)"
    return [
        report(Outcome("sender suite against a flood of stray posts", figure, f"< {TARGET_MB} MB", peak < TARGET_MB))
    ]


if __name__ == "__main__":
    main()
