from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _pytest.pytester
import pytest
from _pytest.unraisableexception import gc_collect_iterations_key
from golang import build_receiver
from json_corpus import Corpus, draw_corpus, session_seed
from peers import NodeStringify

# Suite runs inside these tests would annotate the project's own CI job, and append to its step summary, were it a
# GitHub Actions job: the tests that check those set the variables themselves.
for _variable in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
    os.environ.pop(_variable, None)
# Hypothesis' Unicode tables are kept in the user's cache folder (checks.hypothesis_state._keep_unicode_tables), found
# from HOME; pytester gives each test a HOME of its own, so every worker and every process a test starts built them
# again, 1.3 CPU-seconds each. The session keeps one cache folder, as a user's machine does.
os.environ.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))
# Machines built from container images often set PYTHONDONTWRITEBYTECODE. The tests start about a hundred Python
# processes (pytest-xdist's workers, suite runs, the CLI), and the test extras are installed without bytecode
# (`pip install --no-compile`, as the README gives it): without bytecode written, every one of them compiles all it
# imports again, and the run takes half as long again (243 s against 146 s on 2 cores). The session writes bytecode
# whatever the environment says, in CI (.ci/run) as anywhere: this process from here on, and every process started
# after (the workers are started after this file is read).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True, scope="session")
def _installed_modules_outlive_inline_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep, after each of pytester's inline runs, the modules it imported from outside the tests' temporary folders.

    pytester puts ``sys.modules`` back as it found it after an inline run, so that test files of the same name in
    two runs do not clash. A suite run imports much lazily (Hypothesis, parts of this package),
    so each run imported it all again: parsed, assertion-rewritten and compiled again (from source where bytecode
    is not written, with PYTHONDONTWRITEBYTECODE), its caches rebuilt: about half of a short run's time.
    Modules from the temporary folders, where the tests write their files, are still forgotten after each run.
    The same holds for pytester's snapshot around each test. pytester's snapshot has no public hook for this: if
    its class is gone, runs are only slower.
    """
    original = getattr(_pytest.pytester, "SysModulesSnapshot", None)
    if original is None:
        yield
        return
    temporary = tmp_path_factory.getbasetemp().resolve()

    @functools.cache  # asked of every module after every inline run: resolving a path each time cost more than
    def outside_temporary(location: str) -> bool:  # the imports saved
        return not Path(location).resolve().is_relative_to(temporary)

    def installed(name: str) -> bool:
        module = sys.modules.get(name)
        location = getattr(module, "__file__", None)
        if isinstance(location, str):
            return outside_temporary(location)
        # a namespace package or a built-in module: kept unless its folders are temporary ones (its children are)
        return all(outside_temporary(folder) for folder in getattr(module, "__path__", ()) if isinstance(folder, str))

    class KeepingInstalled(original):  # type: ignore[misc]
        def __init__(self, preserve: Callable[[str], bool] | None = None) -> None:
            super().__init__(preserve=lambda name: installed(name) or (preserve is not None and preserve(name)))

    _pytest.pytester.SysModulesSnapshot = KeepingInstalled  # type: ignore[misc]
    yield
    _pytest.pytester.SysModulesSnapshot = original  # type: ignore[misc]


def pytest_configure(config: pytest.Config) -> None:
    """pytest's unraisable-exception plugin collects garbage five times over when a session ends before pytest 9.2
    (once from 9.2), to find the finalizers that raise: the four after the first catch only garbage that finalizers
    make, which CPython frees in one. In a worker that has held the peers and inline runs of hundreds of tests each
    collection walks millions of objects, about 1 CPU-second, and every worker does it at the end of the run at
    once. Once is enough here, whatever pytest's version (pytester sets its inner runs to 0)."""
    config.stash[gc_collect_iterations_key] = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait go first, the rest keeping their order: with workers, their waiting then overlaps the
    others' work instead of making the run's tail (each worker collects, and orders, the same way)."""
    items.sort(key=lambda item: item.get_closest_marker("waits") is None)


# pytest runs of the suite inside a test: -p options every one of them gets, by whichever pytester method it runs.
# pytest's unraisable-exception plugin collects garbage at the end of every session (five times over before pytest
# 9.2, twice from 9.2), to find objects whose finalizer raised: in a worker holding all the modules and peers of
# earlier tests, about 0.3 s a run, more than a conformant run's own checks take. No test here reads what that
# plugin reports.
# --assert=plain, as `horneross-conformance run` runs pytest: the suite has no assert to rewrite, and marking for
# rewriting the modules of every installed pytest plugin reads the file list of each installed distribution first,
# at every run (about 5% of an inline run's CPU with the test extras installed).
INNER_RUN_OPTIONS = ("-p", "no:unraisableexception", "--assert=plain")


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    inline_run, runpytest_subprocess = pytester.inline_run, pytester.runpytest_subprocess

    def inline(*args: Any, **kwargs: Any) -> Any:
        return inline_run(*INNER_RUN_OPTIONS, *args, **kwargs)

    def subprocess(*args: Any, **kwargs: Any) -> Any:
        return runpytest_subprocess(*INNER_RUN_OPTIONS, *args, **kwargs)

    pytester.inline_run = inline  # type: ignore[method-assign]
    pytester.runpytest_subprocess = subprocess  # type: ignore[method-assign]
    return pytester


@pytest.fixture(scope="session")
def node() -> Iterator[NodeStringify]:
    peer = NodeStringify()
    yield peer
    peer.close()


@pytest.fixture(scope="session")
def go_receiver_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go receiver of tests/go/receiver, built once a session (in each worker that runs a test asking for it)."""
    return build_receiver(tmp_path_factory.mktemp("go-receiver"))


@pytest.fixture(scope="session")
def corpus_seed() -> int:
    """The seed of the session's generated corpora (tests/json_corpus.py, tests/core/test_compiled.py)."""
    return session_seed()


@pytest.fixture(scope="session")
def json_corpus(corpus_seed: int) -> Corpus:
    """The session's generated JSON texts (tests/json_corpus.py), drawn once for every test that compares them."""
    return draw_corpus(corpus_seed)


NODE_BATCH = 2_500  # texts per round trip to Node: a few hundred kilobytes a line


@pytest.fixture(scope="session")
def stringified(node: NodeStringify, json_corpus: Corpus) -> dict[str, bytes | str]:
    """Node's JSON.stringify(JSON.parse(text)) of every text of the corpus (or JSON.parse's error), by text."""
    texts = json_corpus.texts
    answers: list[bytes | str] = []
    for start in range(0, len(texts), NODE_BATCH):
        answers += node.stringify_many(texts[start : start + NODE_BATCH])
    return dict(zip(texts, answers, strict=True))
