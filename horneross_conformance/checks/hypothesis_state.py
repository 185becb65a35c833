"""Hypothesis' process-wide state, as the explorations leave it: where it stores what it caches, which literals of
local modules it reads to generate with, and how many it has read.

Hypothesis keeps, for the process's life, the short literals of every "local" module it meets (one outside
site-packages) and draws them now and then; it caches what it read of each module in its storage folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def storage_of_this_exploration() -> Iterator[None]:
    """Hypothesis keeps a storage folder (``.hypothesis`` under the folder it was imported in: the user's) for its
    caches, among them the literals of every local module it meets, which it collects to generate with: a vendor's
    sender module is one, and a secret or a customer's name written in its code would outlive the run there.
    Unless the user chose a place (``HYPOTHESIS_STORAGE_DIRECTORY``), the storage is a fresh folder that only this
    user can read (``mkdtemp``), removed when the exploration ends, and Hypothesis' own setting is restored after.
    Its Unicode tables, nothing of a vendor's, are kept in the user's cache folder (``_keep_unicode_tables``)."""
    from hypothesis import configuration

    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    previous = vars(configuration).get("__hypothesis_home_directory")
    folder = Path(tempfile.mkdtemp(prefix="horneross-conformance-"))
    configuration.set_hypothesis_home_dir(folder / "hypothesis")
    _keep_unicode_tables(folder / "hypothesis")
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)
        shutil.rmtree(folder, ignore_errors=True)


TOOLKIT_PACKAGE = __name__.partition(".")[0]  # this toolkit's top-level package


def leave_the_toolkits_own_literals_out() -> None:
    """Hypothesis now and then draws a literal found in the source of a "local" module: one outside site-packages,
    which it parses whole. An editable install (a development checkout, CI) makes this toolkit local: each process
    parsed all of its modules (0.4 s of CPU, a tenth of a receiver suite run), and its messages and requirement ids
    found their way into generated events, so that one seed generated other events there than after ``pip install
    .``. Its modules are marked as already seen before each exploration (a private set of Hypothesis': were it gone,
    only the cost and that difference would come back). A vendor's own modules are still read, as before."""
    from hypothesis.internal.conjecture import providers

    seen = getattr(providers, "_seen_modules", None)
    if not isinstance(seen, set):
        return
    inside = f"{TOOLKIT_PACKAGE}."
    seen.update(
        id(module) for name, module in list(sys.modules.items()) if name == TOOLKIT_PACKAGE or name.startswith(inside)
    )


UNICODE_CACHE = "unicode_data"  # Hypothesis' folder of Unicode tables, in its storage


def _keep_unicode_tables(storage: Path) -> None:
    """Hypothesis' tables of Unicode (the characters a codec can encode: 2.5 s of CPU to build, which the
    generators' text around a lone surrogate asks for) are nothing of a vendor's: they are kept for every process
    in the user's cache folder, linked into the private storage, so that only the first run of a machine builds
    them. Where that folder cannot be made, each process builds them once."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "horneross-conformance" / UNICODE_CACHE
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=stat.S_IRWXU)
        storage.mkdir(parents=True, exist_ok=True)
        (storage / UNICODE_CACHE).symlink_to(cache, target_is_directory=True)
    except OSError:
        pass


def literals_seen() -> int | None:
    """How many literals of local modules Hypothesis holds, once it has read the modules imported since it last
    looked (as it does before each event it draws): a set that only grows, so that its size tells whether it changed.
    What it reads it caches in the exploration's private storage, never the user's folder. None where that private
    part of Hypothesis is gone."""
    try:
        from hypothesis.internal.conjecture import providers

        with storage_of_this_exploration():
            return len(providers._get_local_constants())
    except (ImportError, AttributeError, TypeError):  # a Hypothesis without it
        return None


def random_seeded_per_event() -> Callable[[], contextlib.AbstractContextManager[None]] | None:
    """What Hypothesis does to the random module around each event it tests: seeds it, the same for every event, and
    puts it back after (a target that draws its ids from it gets the same ones at each event). None where that private
    part of Hypothesis is gone."""
    try:
        from hypothesis.internal.entropy import deterministic_PRNG
    except ImportError:
        return None
    return deterministic_PRNG
