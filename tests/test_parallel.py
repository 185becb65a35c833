"""The receiver suite under pytest-xdist (``-n 4``) gives the verdicts of one process, from the same seed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import receivers as r
from suite_runner import FEW_EXAMPLES, SEED, FinishedRun, run_suite

from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

pytest.importorskip("xdist")


def _outcomes(run: FinishedRun) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per requirement: its outcome and the outcome of each of its checks."""
    return {
        q["id"]: (q["outcome"], sorted((c["id"], c["outcome"]) for c in q["checks"]))
        for q in run.report["requirements"]
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "receiver",
    [lambda: ReferenceReceiver(r.SECRET), r.AcceptsMissingHeader, r.RejectsUnknownTypes, r.CrashesOnEmptyFirstName],
    ids=["reference", "accepts-missing-header", "rejects-unknown-types", "crashes-on-empty-first-name"],
)
def test_four_workers_give_the_verdicts_of_one_process(pytester: pytest.Pytester, receiver: Callable[[], Any]) -> None:
    # The same seed gives both runs the same events: few are enough, except for the crash on an empty first name,
    # which the generated checks find only among the default 50
    examples = 50 if receiver is r.CrashesOnEmptyFirstName else FEW_EXAMPLES
    with serve(receiver()) as base:
        alone = run_suite(pytester, f"{base}/webhook", f"--horneross-examples={examples}", subprocess=True)
        parallel = run_suite(
            pytester, f"{base}/webhook", f"--horneross-examples={examples}", "-n", "4", subprocess=True
        )
    assert "4 workers [43 items]" in parallel.stdout
    assert parallel.ret == alone.ret
    assert parallel.report["verdict"] == alone.report["verdict"]
    assert _outcomes(parallel) == _outcomes(alone)
    assert parallel.stdout.count("verdict: ") == 1  # the controller's table, once


@pytest.mark.slow
def test_an_unreachable_endpoint_is_non_conformant_in_parallel_too(pytester: pytest.Pytester) -> None:
    """One process gives non-conformant too (tests/test_hard_targets.py runs it): not run again here."""
    parallel = run_suite(pytester, r.closed_port(), "-n", "4", subprocess=True)
    assert parallel.ret == 1
    assert parallel.report["verdict"] == "non-conformant"
    assert parallel.seconds < 60


@pytest.mark.slow
def test_every_worker_generates_from_the_seed_the_controller_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)  # set when this test runs under xdist: not the inner controller's
    pytester.makeconftest(
        """
        import os
        from horneross_conformance.plugin import GENERATION

        def pytest_sessionstart(session):
            worker = os.environ.get("PYTEST_XDIST_WORKER", "controller")
            seed = session.config.stash[GENERATION].seed
            with open(f"seed-{worker}.txt", "w") as out:
                out.write(str(seed))
        """
    )
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = pytester.runpytest_subprocess(
            "-p",
            "no:cacheprovider",
            f"--horneross-endpoint={base}/webhook",
            f"--horneross-secret={r.SECRET}",
            f"--horneross-examples={FEW_EXAMPLES}",
            "-n",
            "4",
            timeout=120,
        )
    assert run.ret == 0
    printed = re.search(r"generated events per check, seed (\d+)", run.stdout.str())
    assert printed is not None
    seeds = {path.name: path.read_text() for path in pytester.path.glob("seed-*.txt")}
    assert set(seeds) == {"seed-controller.txt", "seed-gw0.txt", "seed-gw1.txt", "seed-gw2.txt", "seed-gw3.txt"}
    assert set(seeds.values()) == {printed.group(1)} and printed.group(1) != str(SEED)
