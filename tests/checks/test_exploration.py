"""explore(): seeded, shrinking, stopping at once when told, bounded in time, quiet, and honest about flakiness."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import Any

import pytest
from fresh_python import run_fresh
from hypothesis import strategies as st
from strategies import NUMBERS, fails_above

from horneross_conformance.checks import drawings
from horneross_conformance.checks.exploration import Counterexample, Stop, explore, how_found


def test_a_failure_is_shrunk_to_the_smallest_failing_event() -> None:
    result = explore(fails_above(10), NUMBERS, examples=100, seed=1, budget=30)
    assert result.found is not None and result.found.event == {"n": 11}
    assert result.shrunk and not result.found_derived and result.stopped is None
    assert how_found(result, "event").startswith("the smallest failing event, shrunk;")


def test_without_shrinking_the_first_failing_event_is_reported_as_found_and_said_so() -> None:
    tried: list[int] = []

    def check(event: dict[str, int]) -> None:
        tried.append(event["n"])
        fails_above(10)(event)

    result = explore(check, NUMBERS, examples=100, seed=1, budget=30, shrink=False)
    assert result.found is not None and result.found.event["n"] > 10
    first_failing = next(n for n in tried if n > 10)
    assert result.found.event == {"n": first_failing} and tried.count(first_failing) <= 2  # found, maybe replayed
    assert not result.shrunk and result.stopped is None
    assert how_found(result, "event").startswith("the first failing event found, not shrunk (--horneross-no-shrink);")


def test_a_passing_target_is_tried_on_exactly_the_examples_asked_for_and_the_explicit_ones() -> None:
    seen: list[Any] = []
    result = explore(seen.append, NUMBERS, examples=30, seed=1, budget=30, explicit=[{"n": -1}, {"n": -2}])
    assert result.found is None
    assert seen[:2] == [{"n": -1}, {"n": -2}]  # the explicit events run first, in order
    assert result.tried == len(seen) == 32


def test_the_same_seed_tries_the_same_events() -> None:
    runs = []
    for seed in (5, 5, 6):
        drawings.forget()  # drawn afresh each time: what a seed draws in a new process
        seen: list[Any] = []
        explore(seen.append, NUMBERS, examples=20, seed=seed, budget=30)
        runs.append(seen)
    assert runs[0] == runs[1] != runs[2]


def test_a_failing_explicit_event_is_reported_as_derived_not_shrunk() -> None:
    result = explore(fails_above(10), NUMBERS, examples=10, seed=1, budget=30, explicit=[{"n": 500}])
    assert result.found is not None and result.found.event == {"n": 500}
    assert result.found_derived and not result.shrunk


def test_stop_ends_at_once_without_shrinking() -> None:
    calls: list[Any] = []

    def check(event: dict[str, int]) -> None:
        calls.append(event)
        if event["n"] > 10:
            raise Stop("no answer", Counterexample("no answer", event, b""))

    result = explore(check, NUMBERS, examples=100, seed=1, budget=30)
    assert result.stopped == "no answer"
    assert result.found is not None and result.found.event == calls[-1]
    assert not result.shrunk


def test_the_time_budget_ends_the_exploration() -> None:
    result = explore(lambda event: None, NUMBERS, examples=100, seed=1, budget=0)
    assert result.found is None
    assert result.stopped is not None and "time budget" in result.stopped


def test_a_target_that_does_not_fail_again_is_reported_as_flaky() -> None:
    failed: set[int] = set()

    def check(event: dict[str, int]) -> None:
        if event["n"] > 10 and event["n"] not in failed:
            failed.add(event["n"])
            raise Counterexample("once", event, b"")

    result = explore(check, NUMBERS, examples=100, seed=1, budget=30)
    assert result.found is not None
    assert result.flaky and not result.shrunk


def test_hypothesis_prints_nothing_and_keeps_no_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    explore(fails_above(10), NUMBERS, examples=50, seed=1, budget=30)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
    assert list(tmp_path.iterdir()) == []  # no .hypothesis folder in the user's directory


TEXTS = st.fixed_dictionaries({"s": st.text(min_size=1)})  # text needs Hypothesis' cached Unicode tables


def passes(event: object) -> None:
    assert event is not None


@pytest.mark.slow
def test_nothing_is_left_in_the_temporary_folder_nor_where_it_ran(tmp_path: Any) -> None:
    """In a fresh process, which builds Hypothesis' Unicode tables and collects the literals of local modules: its
    storage was a private folder of the exploration's, removed when it ended."""
    program = (
        "from hypothesis import strategies as st\n"
        "from horneross_conformance.checks.exploration import explore\n"
        "explore(lambda event: None, st.fixed_dictionaries({'s': st.text(min_size=1)}), 5, 1, 30)\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    temporary, work = tmp_path / "tmp", tmp_path / "work"
    temporary.mkdir()
    work.mkdir()
    environment["TMPDIR"] = str(temporary)
    subprocess.run([sys.executable, "-c", program], env=environment, cwd=work, check=True, timeout=120)
    assert list(temporary.iterdir()) == [] and list(work.iterdir()) == []
    chosen = tmp_path / "chosen"  # unless the user chose where Hypothesis keeps its storage: then it is kept there
    environment["HYPOTHESIS_STORAGE_DIRECTORY"] = str(chosen)
    subprocess.run([sys.executable, "-c", program], env=environment, cwd=work, check=True, timeout=120)
    assert any(path.is_file() for path in chosen.rglob("*")) and list(temporary.iterdir()) == []


@pytest.mark.parametrize("planted", ["symlink", "writable by others"])
def test_a_planted_cache_folder_is_never_used(planted: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user of the shared temporary directory plants the name first: a link to redirect our writes, or a
    folder anyone may write in, with a tampered cache file in it. Neither is written to nor read from."""
    shared, elsewhere = tmp_path / "tmp", tmp_path / "attacker"
    shared.mkdir()
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    name = shared / f"horneross-conformance-{os.getuid()}"
    if planted == "symlink":
        name.symlink_to(elsewhere, target_is_directory=True)
    else:
        name.mkdir()
        name.chmod(0o777)
        tampered = name / "hypothesis" / "unicode_data"
        tampered.mkdir(parents=True)
        (tampered / "charmap.json.gz").write_bytes(b"not gzip at all")
    before = sorted(elsewhere.rglob("*")), sorted(name.rglob("*"))
    exploration = explore(passes, TEXTS, examples=5, seed=1, budget=30)
    assert exploration.found is None and exploration.tried >= 5
    assert (sorted(elsewhere.rglob("*")), sorted(name.rglob("*"))) == before  # nothing written there
    assert [path.name for path in shared.iterdir()] == [name.name]  # the fresh private folder was removed


def test_how_many_were_tried_is_said_in_words_that_agree_with_the_number() -> None:
    from horneross_conformance.checks.exploration import tried_noun

    assert [tried_noun("event", n) for n in (0, 1, 2)] == ["events", "event", "events"]
    assert [tried_noun("set of data", n) for n in (1, 3)] == ["set of data", "sets of data"]  # never "datas"


@pytest.mark.slow
@pytest.mark.parametrize(
    "first_look",
    ["exploration.explore(lambda event: None, st.text(), 50, 1, 30)", "exploration.drawn_before(st.text(), 50, 1, [])"],
    ids=["an exploration", "telling whether it is drawn already"],
)
def test_a_seed_draws_no_literal_of_the_toolkits_own_source_and_still_those_of_a_vendors_module(
    tmp_path: Any, first_look: str
) -> None:
    """Hypothesis draws now and then from the literals of local modules. Run from this checkout, as a development
    install is, the toolkit is local to Hypothesis; its literals must not feed the events (a seed would generate
    others than after ``pip install .``), while a vendor's module, local too, is still read. In a fresh process, since
    Hypothesis keeps what it collected for the process's life. (It keeps literals of up to 20 characters.) Whichever
    looks at them first: an exploration, or an exploration in flight asking whether its events are drawn already."""
    (tmp_path / "vendor_sender.py").write_text('GREETING = "vendor-literal-7"\n')
    program = (
        "from hypothesis import strategies as st\n"
        "from hypothesis.internal.conjecture import providers\n"
        "from hypothesis.internal.constants_ast import is_local_module_file\n"
        "from horneross_conformance.checks import exploration, hypothesis_state\n"
        "import vendor_sender\n"
        "assert is_local_module_file(exploration.__file__), 'the toolkit is not local here: the test proves nothing'\n"
        f"{first_look}\n"
        "strings = providers._get_local_constants().strings\n"
        "print(hypothesis_state.UNICODE_CACHE in strings, vendor_sender.GREETING in strings)\n"
    )
    done = run_fresh(program, tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]  # none of the toolkit's, the vendor's still
