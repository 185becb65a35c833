"""schemas/canonical-vectors.json: every output is what Node's JSON.stringify writes and what canonical_bytes writes,
the file is what its generator writes, and its meta schema refuses a vector an encoder could not be fed."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from types import ModuleType
from typing import Any

import pytest
from documentation import documentation
from jsonschema import Draft202012Validator, ValidationError
from peers import ROOT, NodeStringify

from horneross_conformance import canonical_bytes
from horneross_conformance.core import contract
from horneross_conformance.core.resources import load_json

FILE: dict[str, Any] = load_json("canonical-vectors.json")
VECTORS: list[dict[str, str]] = FILE["vectors"]
META = Draft202012Validator(load_json("meta/canonical-vectors.schema.json"))


def by_id(vector: dict[str, str]) -> str:
    return vector["id"]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_canonical_vectors", ROOT / "scripts" / "generate_canonical_vectors.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("vector", VECTORS, ids=by_id)
def test_vector_holds_in_python(vector: dict[str, str]) -> None:
    assert canonical_bytes(json.loads(vector["input"])) == vector["output"].encode("utf-8")


def test_every_vector_holds_in_node(node: NodeStringify) -> None:
    """All outputs in one round trip: Node's JSON.stringify(JSON.parse(input)), byte for byte."""
    answers = node.stringify_many([v["input"] for v in VECTORS])
    wrong = [v["id"] for v, answer in zip(VECTORS, answers, strict=True) if answer != v["output"].encode("utf-8")]
    assert wrong == []


def test_a_changed_output_is_caught_by_the_node_comparison(node: NodeStringify) -> None:
    vector = next(v for v in VECTORS if v["id"] == "keys-integer-like-first")
    sorted_keys = json.dumps(json.loads(vector["input"]), sort_keys=True, separators=(",", ":"))
    assert node.stringify(vector["input"]) != sorted_keys.encode()


def test_the_file_is_what_its_generator_writes() -> None:
    """Nobody edits the file by hand: the generator (which asks Node) gives these very vectors, in this order."""
    assert generator().vectors() == VECTORS


def test_ids_are_unique_and_the_topics_are_all_there() -> None:
    ids = [v["id"] for v in VECTORS]
    assert len(ids) == len(set(ids))
    for topic in (
        "keys-integer-like-first",
        "keys-insertion-order",
        "keys-duplicate",
        "numbers-negative-zero",
        "numbers-beyond-2-53",
        "numbers-plain-below-1e21",
        "numbers-plain-from-1e-6",
        "strings-line-separators",
        "strings-lone-surrogates",
        "strings-slash",
        "strings-html-characters",
        "strings-control-characters",
        "strings-non-bmp",
        "deep-nesting",
    ):
        assert topic in ids


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def test_the_deepest_vector_is_exactly_as_deep_as_the_toolkit_reads() -> None:
    """Deep nesting within the documented limit (decision 18), and not one level more."""
    assert max(depth(json.loads(v["input"])) for v in VECTORS) == contract.MAX_JSON_DEPTH == generator().MAX_DEPTH


def test_every_vector_matches_the_meta_schema() -> None:
    META.validate(FILE)


@pytest.mark.parametrize(
    ("field", "value"),
    [("input", '{"a":\n1}'), ("output", ""), ("id", "Has Spaces"), ("why", None)],
    ids=["input-over-two-lines", "empty-output", "bad-id", "no-why"],
)
def test_the_meta_schema_refuses_a_vector_that_cannot_be_used(field: str, value: str | None) -> None:
    broken = copy.deepcopy(FILE)
    if value is None:
        del broken["vectors"][0][field]
    else:
        broken["vectors"][0][field] = value
    with pytest.raises(ValidationError):
        META.validate(broken)


def test_each_row_of_the_readme_table_of_encoders_is_backed_by_vectors_of_the_file() -> None:
    readme = documentation()
    table = readme.split("<!-- encoders -->\n", 1)[1].split("\n<!-- /encoders -->", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    ids = {v["id"] for v in VECTORS}
    assert len(rows) >= 20
    languages = {row.split("|")[1].strip().split(":")[0] for row in rows} - {""}
    assert languages >= {"Go", "PHP", "Ruby", "Java, Jackson", ".NET"}
    for row in rows:
        cited = re.findall(r"`([a-z0-9-]+)`", row.rsplit("|", 2)[1])
        assert cited and set(cited) <= ids, row
