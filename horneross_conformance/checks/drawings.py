"""The events a seeded exploration drew, kept for the next exploration of the same process that would draw them again.

Drawing is most of a generated check's own work: Hypothesis', 0.5 to 2.5 ms an event. As long as the
target passes, what an exploration draws depends only on the strategy, the number of events, the seed, and the
literals Hypothesis collected from the local modules it has seen (``hypothesis_state.literals_seen``); not on the
derived events tried first, which are given as they are now. A process that explores the same check with the same
seed again draws its events once: a fleet of endpoints certified from one process with one seed (the Python API, the
dask recipe), and this project's tests, which run hundreds of suites with one seed. The generators give every event
placeholder identities (``generation``: ids, conversation), which each delivery replaces; a replayed event may carry
other placeholders than a fresh drawing would, nothing else.

Only a drawing the target passed in full is kept (``exploration.explore``): not one that failed, stopped early, or
during which Hypothesis collected new literals. Where Hypothesis' private set of literals is gone, nothing is kept:
every exploration draws, as before.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from horneross_conformance.checks.hypothesis_state import literals_seen

# At most this many drawings, and this many generated events in all (each under a KB: a few MB), the drawing used
# longest ago forgotten first; a drawing of more events than that is not kept.
KEPT = 64
KEPT_EVENTS = 20_000

Key = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Drawing:
    """What one drawing depends on, and the events it generated (after the derived ones)."""

    strategy: Any  # held, so that no other strategy takes its id while the drawing is kept
    examples: int
    seed: int
    derived: int  # how many derived events are tried first
    literals: int  # the size of Hypothesis' set of local literals when it was drawn
    generated: tuple[Any, ...] = ()

    @property
    def key(self) -> Key:
        return (id(self.strategy), self.examples, self.seed, self.derived, self.literals)


_lock = threading.Lock()
_kept: OrderedDict[Key, Drawing] = OrderedDict()


def about_to_draw(strategy: Any, examples: int, seed: int, derived: int) -> Drawing | None:
    """The drawing about to be made: call it right before, once what Hypothesis must not read is marked as read.
    None if it cannot be told apart from others."""
    literals = literals_seen()
    if literals is None:
        return None
    return Drawing(strategy, examples, seed, derived, literals)


def recall(drawing: Drawing) -> list[Any] | None:
    """Copies of the generated events of a kept drawing equal to ``drawing``; None if none is kept."""
    with _lock:
        kept = _kept.get(drawing.key)
        if kept is None or kept.strategy is not drawing.strategy:
            return None
        _kept.move_to_end(drawing.key)
    return copy.deepcopy(list(kept.generated))


def keep(drawing: Drawing, events: Sequence[Any]) -> None:
    """Keep what ``drawing`` gave, drawn in full: ``events``, the derived ones first. Not if Hypothesis collected
    literals meanwhile."""
    if literals_seen() != drawing.literals:
        return
    generated = events[drawing.derived :]
    if len(generated) > KEPT_EVENTS:
        return
    done = replace(drawing, generated=copy.deepcopy(tuple(generated)))
    with _lock:
        _kept[done.key] = done
        _kept.move_to_end(done.key)
        while len(_kept) > KEPT or sum(len(kept.generated) for kept in _kept.values()) > KEPT_EVENTS:
            _kept.popitem(last=False)


def forget() -> None:
    """Forget every kept drawing."""
    with _lock:
        _kept.clear()
