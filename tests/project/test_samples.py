"""The documentation's sample outputs come from real runs, by ``scripts/capture_samples.py``: every sample block of the
README and docs/ is marked and has a recipe, and the cheapest samples are captured again and compared with the page.
The others are captured by ``python scripts/capture_samples.py``, which a maintainer runs (docs/development.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from peers import ROOT, script

CAPTURE = script("capture_samples")
CHEAP = [name for name, recipe in CAPTURE.RECIPES.items() if recipe.cheap]


def test_every_sample_block_of_the_documentation_is_marked() -> None:
    """A ``text`` or ``console`` block outside the markers would be a sample written by hand."""
    for page in CAPTURE.PAGES:
        assert CAPTURE.unmarked(page, (ROOT / page).read_text(encoding="utf-8")) == [], page


def test_every_marked_sample_has_its_recipe_and_every_recipe_its_sample() -> None:
    samples = CAPTURE.page_samples()
    assert set(samples) == set(CAPTURE.RECIPES)
    for name, (page, block) in samples.items():
        assert (page, block.language) == (CAPTURE.RECIPES[name].page, CAPTURE.RECIPES[name].language), name


def test_each_exemption_is_a_block_of_its_page_with_a_reason() -> None:
    for (page, first_line), reason in CAPTURE.EXEMPT.items():
        firsts = [block.first_line for block in CAPTURE.blocks((ROOT / page).read_text(encoding="utf-8"))]
        assert first_line in firsts and len(reason.split()) > 5, (page, first_line)


def test_a_block_outside_the_markers_is_named_and_one_inside_is_not() -> None:
    text = (
        "Run it:\n\n```text\nverdict: CONFORMANT\n```\n\n```python\nprint(1)\n```\n\n"
        "<!-- sample:one -->\n```console\n$ horneross-conformance sign f.json\n```\n<!-- /sample:one -->\n"
    )
    assert CAPTURE.unmarked("docs/x.md", text) == ["docs/x.md: ```text block starting 'verdict: CONFORMANT'"]
    assert list(CAPTURE.marked(text)) == ["one"]


def test_comparable_masks_what_changes_between_runs_and_nothing_else() -> None:
    first = "\n".join(
        [
            "answer: 200 OK in 3 ms",
            '{"id":"evt_0fec015149a1","timestamp":"2026-12-04T05:41:15Z"}',
            "05:40:43 #1 POST /hooks attempt 1 | answered 500 (--fail-first 1)",
            "==== 1 failed, 39 passed in 5.25s ====",
        ]
    )
    again = "\n".join(
        [
            "answer: 200 OK in 12 ms",
            '{"id":"evt_a300ab69904d","timestamp":"2026-11-24T23:10:25Z"}',
            "23:10:25 #1 POST /hooks attempt 1 | answered 500 (--fail-first 1)",
            "===== 1 failed, 39 passed in 10.50s =====",
        ]
    )
    assert CAPTURE.comparable(first) == CAPTURE.comparable(again)
    for old, new in [("200 OK", "201 Created"), ("1 failed", "2 failed"), ("#1", "#2"), ("attempt 1", "attempt 2")]:
        assert CAPTURE.comparable(first) != CAPTURE.comparable(first.replace(old, new)), new
    assert CAPTURE.comparable("did not arrive at +60 s") != CAPTURE.comparable("did not arrive at +61 s")


def test_normalise_puts_the_documented_ports_and_drops_the_machine(tmp_path: Path) -> None:
    capture = CAPTURE.Capture(tmp_path, {41541: 8080})
    printed = (
        "platform linux -- Python 3.11.7, pytest-9.0.3\nrootdir: " + str(tmp_path) + "\nplugins: a-1, b-2\n"
        f"horneross: receiver suite against http://localhost:41541/webhook\n"
        f"  keeping every delivery in {tmp_path}/deliveries.sqlite3\n  inspector: http://127.0.0.1:41541/?token=Zx_9-q\n"
    )
    assert CAPTURE.normalise(printed, capture) == (
        "horneross: receiver suite against http://localhost:8080/webhook\n"
        "  keeping every delivery in deliveries.sqlite3\n  inspector: http://127.0.0.1:8080/?token=...\n"
    )
    assert CAPTURE.leaks("written to deliveries.sqlite3", capture) == []
    assert str(tmp_path) in CAPTURE.leaks(f"written to {tmp_path}/x", capture)
    assert CAPTURE.leaks("written to /tmp/y", capture)


@pytest.mark.parametrize("name", CHEAP)
def test_a_cheap_sample_is_what_its_command_prints_now(name: str) -> None:
    _, block = CAPTURE.page_samples()[name]
    assert CAPTURE.comparable(block.text) == CAPTURE.comparable(CAPTURE.capture(name))


def test_a_sample_edited_by_hand_is_stale_and_write_puts_the_real_output_back(tmp_path: Path) -> None:
    """The check on a copy of the pages whose ``sign`` sample was edited by hand: named stale, then rewritten."""
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    page = tmp_path / "docs" / "toolbox.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("\n8e999bc7", "\n9e999bc7", 1), encoding="utf-8")
    assert CAPTURE.stale(["sign"], write=False, root=tmp_path) == ["docs/toolbox.md: sign"]
    assert CAPTURE.stale(["sign"], write=True, root=tmp_path) == ["docs/toolbox.md: sign"]
    assert page.read_text(encoding="utf-8") == text
