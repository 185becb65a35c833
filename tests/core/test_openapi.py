"""schemas/openapi.json: a valid OpenAPI 3.1 document whose webhooks use the very schemas the suite validates with."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from horneross_conformance import sign
from horneross_conformance.core.contract import DUE, EVENT_TYPES, RETRY_DELAYS, SIGNATURE_HEADER
from horneross_conformance.core.openapi import (
    bundled,
    endpoint_document,
    schema_file,
    webhook_operation,
    webhooks_document,
)
from horneross_conformance.core.resources import data_dir, load_json
from horneross_conformance.core.validation import FORMATS, schema_errors, schema_name_for, validator

OPENAPI_31 = Draft202012Validator(load_json("meta/openapi-3.1.schema.json"))
EXAMPLES = load_json("examples/valid.json")["examples"] + load_json("examples/invalid.json")["examples"]


def test_is_a_valid_openapi_3_1_document() -> None:
    document = webhooks_document()
    assert document["openapi"].startswith("3.1.")
    assert list(OPENAPI_31.iter_errors(document)) == []


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d["webhooks"]["lead.captured"]["post"].update({"requestBody": "lead.captured.schema.json"}),
        lambda d: d["components"]["parameters"]["signature"].update({"in": "body"}),
        lambda d: d.update({"openapi": 3.1}),
        lambda d: d["info"].pop("title"),
    ],
)
def test_the_validity_check_is_not_vacuous(break_it: Any) -> None:
    document = copy.deepcopy(webhooks_document())
    break_it(document)
    assert list(OPENAPI_31.iter_errors(document)) != []


def test_describes_exactly_the_documented_events() -> None:
    assert list(webhooks_document()["webhooks"]) == list(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_body_is_the_schema_file_the_suite_validates_with(event_type: str) -> None:
    name = schema_file(event_type)
    assert name == schema_name_for({"type": event_type})  # a reference to the file, not a copy of it
    assert (data_dir() / name).is_file()
    assert validator(name).schema == load_json(name)
    content = webhook_operation(event_type)["requestBody"]["content"]
    assert list(content) == ["application/json"]


def test_every_reference_resolves() -> None:
    document = webhooks_document()

    def references(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in references(v)]
        if isinstance(node, list):
            return [r for v in node for r in references(v)]
        return []

    found = references(document)
    assert len(found) == len(EVENT_TYPES) * (4 + 1)  # per webhook: signature, body, two responses; per body: its file
    for reference in found:
        if reference.startswith("#/"):
            target: Any = document
            for part in reference[2:].split("/"):
                target = target[part]
        else:
            assert (data_dir() / reference).is_file(), reference


def test_the_signature_header_is_described_as_signed() -> None:
    parameter = webhook_operation("lead.captured")["parameters"][0]
    assert (parameter["name"], parameter["in"], parameter["required"]) == (SIGNATURE_HEADER, "header", True)
    pattern = re.compile(parameter["schema"]["pattern"])
    signature = sign(b'{"type":"lead.captured"}', "secret")
    assert pattern.fullmatch(signature) and not pattern.fullmatch(signature.upper())
    assert not pattern.fullmatch("sha256=" + signature)


def test_acknowledgement_and_retries_match_the_suite() -> None:
    document = webhooks_document()
    for event_type in EVENT_TYPES:
        assert set(webhook_operation(event_type)["responses"]) == {"200", "default"}
    retries = document["x-horneross-retries"]
    assert retries["success"] == 200
    assert retries["attempts"] == len(DUE)
    assert tuple(retries["delaysSeconds"]) == RETRY_DELAYS
    for words in ("1 minute, 5 minutes, 30 minutes and 2 hours", "lowercase hex HMAC-SHA256", "exactly HTTP 200"):
        assert words in document["info"]["description"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: str(e["name"]))
def test_bundling_keeps_the_meaning_of_the_schemas(example: dict[str, Any]) -> None:
    """The generator reads the schemas bundled (references inlined): they accept and reject what the files do."""
    event = example["event"]
    name = schema_name_for(event)
    bundled_errors = list(Draft202012Validator(bundled(name), format_checker=FORMATS).iter_errors(event))
    assert (bundled_errors == []) == (schema_errors(event) == [])


def test_closed_schemas_reject_what_the_documentation_does_not_name() -> None:
    closed = Draft202012Validator(bundled("lead.captured.schema.json", closed=True), format_checker=FORMATS)
    event = {
        "id": "evt_1",
        "type": "lead.captured",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {"conversationId": "conv_1", "contact": {"email": "a@b.co", "firstName": "Ana"}},
    }
    assert list(closed.iter_errors(event)) == []
    for path in ((), ("data",), ("data", "contact")):
        extended: Any = copy.deepcopy(event)
        target = extended
        for part in path:
            target = target[part]
        target["extra"] = 1
        assert list(closed.iter_errors(extended)) != [], path


@pytest.mark.slow
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_schemathesis_reads_the_endpoint_operation(event_type: str) -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(endpoint_document(event_type))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert [(o.method.upper(), o.path) for o in operations] == [("POST", "/")]
