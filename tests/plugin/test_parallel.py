"""The receiver suite under pytest-xdist gives the verdicts of one process, from the same seed. Two workers split
the checks as any number does, at half the start-up of four (each worker imports the whole suite)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import receivers as r
from suite_runner import (
    FEW_EXAMPLES,
    RECEIVER_CASES,
    SEED,
    FinishedRun,
    in_variant,
    names,
    of_types_whose_data,
    run_pytest,
    run_suite,
)

from horneross_conformance.cli.run import named_plugins
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

pytest.importorskip("xdist")


def _outcomes(run: FinishedRun) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per requirement: its outcome and the outcome of each of its checks."""
    return {
        q["id"]: (q["outcome"], sorted((c["id"], c["outcome"]) for c in q["checks"]))
        for q in run.report["requirements"]
    }


# How `horneross-conformance run -- -n 2` runs the suite: no installed plugin loaded but those it names
ONLY_NAMED = tuple(option for plugin in named_plugins(["-n", "2"]) for option in ("-p", plugin))


class ThreeFaults(r.AcceptsMissingHeader, r.CrashesOnEmptyMessage, r.RejectsUnknownTypes):
    """Three failures in one run: two MUST ones, a hand-picked check's (RCV-SIG-002) and a generated check's, found
    by exploring and shrunk in whichever worker runs it, and a SHOULD one (RCV-07), a warning."""


GENERATED_CRASH = of_types_whose_data("RCV-GEN", names("content"))  # the checks that may find the crash


@pytest.mark.slow
@pytest.mark.parametrize(
    ("receiver", "only_named", "seed"),
    [
        (lambda: ReferenceReceiver(r.SECRET), False, SEED),  # as `pytest -n 2`, every installed plugin loaded
        # Any seed finds the crash among 5 generated events, whatever Hypothesis' version: the simplest message, which
        # Hypothesis draws first, is empty
        (ThreeFaults, True, 1),
    ],
    ids=["reference", "three-faults"],
)
def test_workers_give_the_verdicts_of_one_process(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    receiver: Callable[[], Any],
    only_named: bool,
    seed: int,
) -> None:
    # The same seed gives both runs the same events: few are enough
    generation = (f"--horneross-examples={FEW_EXAMPLES}", f"--horneross-seed={seed}")
    plugins: tuple[str, ...] = ()
    if only_named:
        monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
        plugins = ONLY_NAMED
    with serve(receiver()) as base:
        alone = run_suite(pytester, f"{base}/webhook", *generation, *plugins)
        parallel = run_suite(
            pytester, f"{base}/webhook", *generation, *plugins, "-n", "2", subprocess=True, every_plugin=not only_named
        )
    if receiver is ThreeFaults:  # the three failures are there to compare
        assert "RCV-SIG-002" in alone.failed_checks() and alone.failed_checks() & GENERATED_CRASH, alone.stdout
        assert "RCV-07" in alone.failed() and alone.report["verdict"] == "non-conformant", alone.stdout
    assert ("plugins:" in parallel.stdout) is not only_named  # the installed plugins, named in pytest's header
    assert f"2 workers [{RECEIVER_CASES} items]" in parallel.stdout
    assert parallel.ret == alone.ret
    assert parallel.report["verdict"] == alone.report["verdict"]
    assert _outcomes(parallel) == _outcomes(alone)
    assert parallel.stdout.count("verdict: ") == 1  # the controller's table, once


@pytest.mark.slow
def test_every_worker_generates_from_the_seed_the_controller_printed_and_an_unreachable_endpoint_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One run against an endpoint where nothing listens, with no seed given: each worker records the seed it
    generates from. An unreachable endpoint is non-conformant in one process too (tests/receiver/test_hard_targets.py
    runs it); generation starts from the seed however the endpoint answers, so one run shows both."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)  # set when this test runs under xdist: not the inner controller's
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # as `run -- -n 2`: see ONLY_NAMED
    pytester.makeconftest(
        """
        import os
        from horneross_conformance.plugin import SESSION

        def pytest_sessionstart(session):
            worker = os.environ.get("PYTEST_XDIST_WORKER", "controller")
            seed = session.config.pluginmanager.get_plugin(SESSION).seed
            with open(f"seed-{worker}.txt", "w") as out:
                out.write(str(seed))
        """
    )
    run = run_pytest(
        pytester,
        f"--horneross-endpoint={r.closed_port()}",
        f"--horneross-secret={r.SECRET}",
        f"--horneross-examples={FEW_EXAMPLES}",
        *ONLY_NAMED,
        "-n",
        "2",
        subprocess=True,
    )
    assert run.ret == 1
    assert run.report["verdict"] == "non-conformant"
    printed = re.search(r"generated events per check, seed (\d+)", run.stdout)
    assert printed is not None
    seeds = {path.name: path.read_text() for path in pytester.path.glob("seed-*.txt")}
    assert set(seeds) == {"seed-controller.txt", "seed-gw0.txt", "seed-gw1.txt"}
    assert set(seeds.values()) == {printed.group(1)} and printed.group(1) != str(SEED)


@pytest.mark.parametrize("variant", ["reversed", "shuffled"])
def test_the_order_variants_of_the_zoos_change_the_order_the_checks_run_in(
    pytester: pytest.Pytester, variant: str
) -> None:
    """The zoos' order variants (suite_runner.VARIANTS) are no pretence: the checks are collected in another order,
    with the suite's phases kept (the preflight first, the sweeps and the burst last)."""
    options = ("--horneross-endpoint=http://127.0.0.1:9/webhook", f"--horneross-secret={r.SECRET}", "--co", "-q")
    as_given = run_pytest(pytester, *options)
    in_variant(pytester, variant)
    changed = run_pytest(pytester, *options)
    first, second = (_collected(run.stdout) for run in (as_given, changed))
    assert sorted(first) == sorted(second) and len(first) == RECEIVER_CASES
    assert first != second
    assert first[0] == second[0]  # the preflight


def _collected(output: str) -> list[str]:
    return [line.split("::", 1)[1] for line in output.splitlines() if line.startswith("horneross-receiver::")]
