"""The OpenAPI 3.1 description of the webhooks (``schemas/openapi.json``), and the operation the generator reads.

The published document describes each event under ``webhooks``; its body is a ``$ref`` to the event's JSON Schema
file, the very file the validator reads. Tools such as schemathesis generate requests for ``paths``, not
``webhooks``, so ``endpoint_document`` turns one webhook into what it is from the integrator's side: a POST to their
endpoint, which schemathesis reads as it is (``tests/core/test_openapi.py``), and whose body schema
``checks.schema_strategy`` draws from. Its schema is bundled (references inlined, ``$id`` dropped) and can be
*closed*: ``allOf`` merged and no property the documentation does not name, so that the generator for the MUST
checks explores the documented fields only.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from horneross_conformance.core.resources import load_json

DOCUMENT = "openapi.json"
ENDPOINT_PATH = "/"  # the integrator's endpoint; its real path is the user's URL

Schema = dict[str, Any]


@functools.cache
def webhooks_document() -> dict[str, Any]:
    """The published OpenAPI document, parsed (shared: copy before changing it)."""
    document: dict[str, Any] = load_json(DOCUMENT)
    return document


def webhook_operation(event_type: str) -> dict[str, Any]:
    """The webhook's POST operation with its parameters, request body and responses resolved."""
    document = webhooks_document()
    operation: dict[str, Any] = copy.deepcopy(document["webhooks"][event_type]["post"])
    operation["parameters"] = [_follow(document, p) for p in operation.get("parameters", [])]
    operation["requestBody"] = _follow(document, operation["requestBody"])
    operation["responses"] = {code: _follow(document, r) for code, r in operation["responses"].items()}
    return operation


def _follow(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return copy.deepcopy(node)


def schema_file(event_type: str) -> str:
    """The JSON Schema file the document gives as the body of ``event_type`` (``"lead.captured.schema.json"``)."""
    body = webhook_operation(event_type)["requestBody"]
    reference: str = body["content"]["application/json"]["schema"]["$ref"]
    return reference


def bundled(schema_name: str, closed: bool = False) -> Schema:
    """The schema file with every reference inlined and no ``$id``; ``closed``: ``allOf`` of objects merged and
    ``additionalProperties: false`` on every object with named properties."""
    schema: Schema = _inline(load_json(schema_name), schema_name)
    return _close(schema) if closed else schema


def _inline(node: Any, base: str) -> Any:
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _inline(value, base) for key, value in node.items() if key not in ("$ref", "$id", "$schema")}
    if "$ref" not in node:
        return result
    target = _reference(node["$ref"], base)
    return {"allOf": [target], **result} if result else target


def _reference(reference: str, base: str) -> Any:
    file, _, pointer = reference.partition("#")
    file = file or base
    target: Any = load_json(file)
    for part in filter(None, pointer.split("/")):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return _inline(target, file)


def _close(node: Any) -> Any:
    if isinstance(node, list):
        return [_close(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _close(value) for key, value in node.items()}
    while "allOf" in node:
        members = node.pop("allOf")
        for member in members:
            node = _merge(node, member)
    if "properties" in node:
        node["properties"] = {name: _close(value) for name, value in node["properties"].items()}
        node.setdefault("additionalProperties", False)
    return node


def _merge(left: Schema, right: Schema) -> Schema:
    """Both schemas at once, for the simple schemas of this project: properties merged, required united, equal
    keywords kept; a true conflict raises rather than guess."""
    merged = dict(left)
    for key, value in right.items():
        if key not in merged or merged[key] == value or key in ("title", "description"):
            merged.setdefault(key, value)
        elif key == "properties":
            properties = dict(merged[key])
            for name, schema in value.items():
                properties[name] = _close({"allOf": [properties[name], schema]}) if name in properties else schema
            merged[key] = properties
        elif key == "required":
            merged[key] = sorted(set(merged[key]) | set(value))
        else:
            raise ValueError(f"cannot merge {key!r}: {merged[key]!r} and {value!r}")
    return _close(merged) if "allOf" in merged else merged


def endpoint_document(event_type: str, closed: bool = True) -> dict[str, Any]:
    """An OpenAPI document with one operation, the integrator's endpoint receiving ``event_type``: the webhook's
    own operation, moved from ``webhooks`` to ``paths``, its body schema bundled (and closed, by default)."""
    document = webhooks_document()
    operation = webhook_operation(event_type)
    content = operation["requestBody"]["content"]["application/json"]
    content["schema"] = bundled(content["schema"]["$ref"], closed)
    return {
        "openapi": document["openapi"],
        "info": copy.deepcopy(document["info"]),
        "paths": {ENDPOINT_PATH: {"post": operation}},
    }
