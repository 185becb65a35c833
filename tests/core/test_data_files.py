"""The language-neutral data in schemas/: each file valid against its own meta schema, schemas well-formed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from horneross_conformance.core.resources import data_dir, load_json

DATA_FILES = {
    "requirements.json": "meta/requirements.schema.json",
    "stress-texts.json": "meta/stress-texts.schema.json",
    "signature-vectors.json": "meta/signature-vectors.schema.json",
    "canonical-vectors.json": "meta/canonical-vectors.schema.json",
    "examples/valid.json": "meta/examples.schema.json",
    "examples/invalid.json": "meta/examples.schema.json",
}


@pytest.mark.parametrize(("data", "meta"), DATA_FILES.items())
def test_data_file_matches_its_meta_schema(data: str, meta: str) -> None:
    document = load_json(data)
    assert document["$schema"].endswith(meta.removeprefix("meta/"))
    Draft202012Validator(load_json(meta)).validate(document)


# Published by others, copied unchanged: the OpenAPI Initiative's schema of OpenAPI 3.1 documents.
FOREIGN_SCHEMAS = {"meta/openapi-3.1.schema.json": "https://spec.openapis.org/oas/3.1/schema/2022-10-07"}


@pytest.mark.parametrize("path", sorted(data_dir().rglob("*.schema.json")), ids=lambda p: p.name)
def test_every_schema_is_a_valid_2020_12_schema_with_an_id(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    name = path.relative_to(data_dir()).as_posix()
    if name in FOREIGN_SCHEMAS:
        assert schema["$id"] == FOREIGN_SCHEMAS[name]
    else:
        assert schema["$id"].endswith("/" + name)


def test_data_files_are_ascii_or_utf8_without_bom() -> None:
    for path in data_dir().rglob("*.json"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        raw.decode("utf-8")


def test_requirement_ids_are_unique() -> None:
    ids = [r["id"] for r in load_json("requirements.json")["requirements"]]
    assert len(ids) == len(set(ids))
