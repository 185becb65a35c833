"""The contract page (docs/contract.md) is where every requirement comes from: the catalogue's sources and the
README's links land on its headings, its decisions keep their anchors, and nothing points outside the project."""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest
from documentation import PAGES
from jsonschema import Draft202012Validator, ValidationError
from peers import ROOT, script

from horneross_conformance.core.catalogue import Requirement, requirements
from horneross_conformance.core.resources import data_dir, load_json

CONTRACT, source_anchors = script("render_docs").CONTRACT, script("render_docs").source_anchors

PAGE = (ROOT / CONTRACT).read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Other pages and other projects link to these: renaming one is a decision, taken here on purpose.
DECISIONS = [
    "decision-1-success-is-exactly-200",
    "decision-2-each-retry-delay-counts-from-the-previous-failure",
    "decision-3-a-retry-is-the-same-event",
    "decision-4-the-bytes-sent-are-the-bytes-signed",
    "decision-5-every-delivery-carries-a-json-content-type",
    "decision-6-the-delivery-timeout-is-10-s-by-default",
    "decision-7-an-event-2-h-36-min-old-is-still-accepted",
    "decision-8-schemas-are-strict-where-documented-and-open-where-silent",
    "decision-9-a-body-that-is-not-json-gets-a-4xx",
    "decision-10-a-burst-of-deliveries-is-held",
    "decision-11-long-messages-get-200-or-a-deliberate-4xx",
    "decision-12-a-lone-surrogate-is-a-should-of-its-own-rcv-14",
    "decision-13-emitted-data-and-delivered-data-compare-as-jsonstringify-compares-them",
    "decision-14-one-sender-fault-one-requirement",
    "decision-15-every-delivery-and-every-event-is-accounted-for",
    "decision-16-no-generated-member-is-named-__proto__-constructor-or-prototype",
    "decision-17-another-success-than-200-is-rcv-02s-fault-alone",
    "decision-18-json-deeper-than-100-levels-is-not-a-horneross-event",
]


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped but hyphens, spaces turned into hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside fenced code blocks."""
    found = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"(#{1,6}) (.+)", line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(markdown: str) -> set[str]:
    """Every heading's anchor, with GitHub's ``-1``, ``-2`` suffixes for repeated headings."""
    seen: Counter[str] = Counter()
    result = set()
    for _, text in headings(markdown):
        anchor = github_anchor(text)
        result.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)
        seen[anchor] += 1
    return result


def section(markdown: str, anchor: str) -> str:
    """The text of the level-2 section whose heading has ``anchor``, up to the next level-2 heading."""
    start = next(m for m in re.finditer(r"^## (.+)$", markdown, re.M) if github_anchor(m.group(1)) == anchor)
    end = re.compile(r"^## ", re.M).search(markdown, start.end())
    return markdown[start.end() : end.start() if end else len(markdown)]


PAGE_ANCHORS = anchors(PAGE)


def test_github_anchor() -> None:
    assert github_anchor("Decision 1: success is exactly 200") == "decision-1-success-is-exactly-200"
    assert github_anchor("What the `JSON.stringify` form is (and isn't)") == "what-the-jsonstringify-form-is-and-isnt"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


@pytest.mark.parametrize("requirement", requirements(), ids=lambda r: r.id)
def test_every_source_names_a_heading_of_the_contract_page(requirement: Requirement) -> None:
    assert requirement.source.startswith(f"{CONTRACT}#")
    for anchor in source_anchors(requirement):
        assert anchor in PAGE_ANCHORS, f"{requirement.id}: {CONTRACT} has no heading #{anchor}"


def test_documentation_sources_are_sections_of_the_documentation_facts() -> None:
    facts = anchors(section(PAGE, "what-the-horneross-documentation-says"))
    for requirement in requirements():
        for anchor in source_anchors(requirement):
            assert anchor.startswith("decision-") or anchor in facts, f"{requirement.id}: #{anchor}"


def _normalized(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def test_a_requirement_that_comes_from_a_decision_quotes_the_page() -> None:
    page = _normalized(PAGE.split("<!-- catalogue -->")[0])
    for requirement in requirements():
        if source_anchors(requirement)[0].startswith("decision-"):
            assert _normalized(requirement.quote) in page, requirement.id


def _references(text: str) -> list[str]:
    """The anchor of every mention of the contract page in ``text`` (empty for the page itself)."""
    return re.findall(r"docs/contract\.md(?:#([^)\s|`;,\"]*))?", text)


def test_every_readme_reference_to_the_contract_page_lands_on_a_heading() -> None:
    references = _references(README)
    assert len(references) > 3  # the introduction's, and the Horneross webhooks'
    for anchor in references:
        assert anchor == "" or anchor in PAGE_ANCHORS, f"README links to {CONTRACT}#{anchor}, which has no heading"


def test_every_link_of_the_documentation_lands_on_a_file_and_a_heading() -> None:
    """README and every page of docs/: each relative link names a file of the project, and a Markdown file's
    anchor one of its headings (the pages moved out of the README kept each heading, so each anchor)."""
    checked = 0
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        for target in _links(text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            assert linked.exists() and linked.is_relative_to(ROOT), f"{path.name} links to {target}: no such file"
            if anchor and linked.suffix == ".md":
                assert anchor in anchors(linked.read_text(encoding="utf-8")), f"{path.name} links to {target}"
            checked += 1
    assert checked > 100  # the tables' sources, the pages' links to each other and to the data


def _links(markdown: str) -> list[str]:
    """The target of every Markdown link outside fenced code blocks."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            found += re.findall(r"\]\(([^)\s]+)\)", line)
    return found


@pytest.mark.parametrize(
    "name", ["requirements.json", "openapi.json", "meta/report.schema.json", "meta/requirements.schema.json"]
)
def test_every_data_file_reference_to_the_contract_page_lands_on_a_heading(name: str) -> None:
    references = _references((data_dir() / name).read_text(encoding="utf-8"))
    assert references
    for anchor in references:
        assert anchor == "" or anchor in PAGE_ANCHORS, f"{name} names {CONTRACT}#{anchor}, which has no heading"


def test_the_documentation_links_the_contract_page_where_it_introduces_the_checks_and_horneross() -> None:
    assert "](docs/contract.md" in section(README, github_anchor("The Horneross webhooks"))
    receiver_suite = (ROOT / "docs" / "receiver-suite.md").read_text(encoding="utf-8")
    assert "](contract.md" in section(receiver_suite, github_anchor("What the receiver suite checks"))
    assert "](docs/contract.md)" in README.split("\n## ")[0]  # before the first section


def test_every_link_within_the_page_lands_on_a_heading() -> None:
    for anchor in re.findall(r"\]\(#([^)]*)\)", PAGE):
        assert anchor in PAGE_ANCHORS, anchor


def test_each_decision_has_its_heading_numbered_in_order() -> None:
    numbered = [github_anchor(text) for level, text in headings(PAGE) if re.match(r"Decision \d+: ", text)]
    assert numbered == DECISIONS
    assert all(level == 3 for level, text in headings(PAGE) if text.startswith("Decision "))


def test_decision_12_is_the_lone_surrogate_revision() -> None:
    decision = PAGE.split("### Decision 12:")[1].split("### Decision 13:")[0]
    for needed in ("RCV-14", "SHOULD", "RCV-04", "MUST", "RFC 8259", "8.2", "PHP", "Ruby", "\\ud83d", "\\ufffd"):
        assert needed in decision, needed


@pytest.mark.parametrize(
    "source",
    [
        "design notes, decision 1",
        "docs/contract.md",
        "docs/contract.md#Decision-1",
        "docs/contract.md#a;docs/contract.md#b",
    ],
)
def test_the_meta_schema_refuses_a_source_that_is_not_a_page_anchor(source: str) -> None:
    catalogue = copy.deepcopy(load_json("requirements.json"))
    catalogue["requirements"][0]["source"] = source
    with pytest.raises(ValidationError):
        Draft202012Validator(load_json("meta/requirements.schema.json")).validate(catalogue)
