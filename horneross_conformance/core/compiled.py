"""Schema checks compiled to Python functions: the fast path of ``validate`` for production logs.

jsonschema walks the schema for every event (about 10,000 events/s here); a JSON Lines log of a busy day needs
more than ten times that. ``compile_check`` turns one schema into the source of a Python function that answers
only "valid or not", with every keyword inlined, and runs it through ``exec``. Only events it rejects go to
jsonschema, for its precise errors.

Exactness comes first: the function must answer what jsonschema's ``is_valid`` answers for every value. So it
uses jsonschema's own semantics keyword by keyword (``re.search`` for ``pattern``, the project's format
functions, the draft 2020-12 type checks) and it compiles only the keywords it knows. A schema using any other
keyword raises ``Unsupported``, and the caller keeps jsonschema for it. The tests compare both on generated
values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from referencing._core import Resolver

from horneross_conformance.core.validation import (
    FORMATS,
    STRING_FORMATS,
    SchemaError,
    _registry,
    schema_errors,
    schema_id,
    validator,
)

Check = Callable[[Any], bool]

# Keywords that never change a verdict.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "x-horneross-checks",
    }
)
_COMPILED = frozenset(
    {"type", "required", "properties", "pattern", "minLength", "const", "enum", "format", "$ref", "allOf", "if", "then"}
)
# draft 2020-12 types, as jsonschema's type checker decides them (bool is not a number; 1.0 is an integer)
_TYPE_TESTS = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
    "integer": "((isinstance({v}, int) and not isinstance({v}, bool))"
    " or (isinstance({v}, float) and {v}.is_integer()))",
}


class Unsupported(Exception):
    """The schema uses something this compiler does not translate; jsonschema must check it."""


class _Compiler:
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.inlining: list[int] = []  # ids of the referenced schemas being inlined, to stop at recursion
        self.names: dict[int, str] = {}  # id of a schema object -> the function that checks it
        self.constants: dict[str, object] = {}
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def constant(self, value: object) -> str:
        """An expression for ``value`` in the source: a string as its literal (a constant of the code, not a name
        to look up on every event), anything else as a name bound in the function's namespace."""
        if type(value) is str:
            return repr(value)
        name = self.fresh("_c")
        self.constants[name] = value
        return name

    def function(self, schema: Any, resolver: Resolver) -> str:
        """The name of a function checking ``schema``, compiled once per schema object (which allows recursion)."""
        if id(schema) in self.names:
            return self.names[id(schema)]
        name = self.fresh("_check")
        self.names[id(schema)] = name
        body = list(self.statements(schema, "x0", resolver, "    ", top=True))
        self.functions.append("\n".join([f"def {name}(x0):", *body, "    return True"]))
        return name

    def statements(
        self, schema: Any, v: str, resolver: Resolver, pad: str, top: bool = False, known: str | None = None
    ) -> Iterator[str]:
        """Lines that ``return False`` when the value in variable ``v`` violates ``schema``. ``top``: the schema
        is the root of a resource, the only place where this compiler allows ``$id``. ``known``: the JSON type
        ``v`` was already checked to have, whose guards can be left out."""
        if schema is True:
            return
        if schema is False:
            yield f"{pad}return False"
            return
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r} is neither an object nor a boolean")
        unknown = set(schema) - _ANNOTATIONS - _COMPILED
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$id" in schema and not top:
            raise Unsupported("an embedded $id")
        declared = self.declared_type(schema, resolver) if known is None else None
        if declared is not None:  # tested first, so that no keyword below, here or in a reference, guards for it
            yield f"{pad}if not {_TYPE_TESTS[declared].format(v=v)}:"
            yield f"{pad}    return False"
            known = declared
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not all(t in _TYPE_TESTS for t in types):
                raise Unsupported(f"type {schema['type']!r}")
            if types != [known]:
                yield f"{pad}if not ({' or '.join(_TYPE_TESTS[t].format(v=v) for t in types) or 'False'}):"
                yield f"{pad}    return False"
            if len(types) == 1:
                known = types[0]
        is_string = "" if known == "string" else f"isinstance({v}, str) and "
        is_object = "" if known == "object" else f"isinstance({v}, dict) and "
        if "const" in schema:
            yield from self._equals_one_of([schema["const"]], v, pad, known)
        if "enum" in schema:
            yield from self._equals_one_of(list(schema["enum"]), v, pad, known)
        if "minLength" in schema:
            yield f"{pad}if {is_string}len({v}) < {int(schema['minLength'])}:"
            yield f"{pad}    return False"
        if "pattern" in schema:
            search = self.constant(re.compile(schema["pattern"]).search)
            yield f"{pad}if {is_string}{search}({v}) is None:"
            yield f"{pad}    return False"
        if "format" in schema and schema["format"] in STRING_FORMATS:  # inlined: no call for most strings
            quick, exact = STRING_FORMATS[schema["format"]]
            refused = f"{self.constant(quick)}({v}) is None"
            if exact is not None:
                refused += f" and not {self.constant(exact)}({v})"
            yield f"{pad}if {is_string}{refused}:"
            yield f"{pad}    return False"
        elif "format" in schema and schema["format"] in FORMATS.checkers:
            conforms = self.constant(FORMATS.checkers[schema["format"]][0])
            yield f"{pad}if not {conforms}({v}):"
            yield f"{pad}    return False"
        if "required" in schema:
            names = " and ".join(f"{self.constant(name)} in {v}" for name in schema["required"]) or "True"
            yield f"{pad}if {is_object}not ({names}):"
            yield f"{pad}    return False"
        if "properties" in schema:
            lines = []
            for name, subschema in schema["properties"].items():
                inner = self.fresh("x")
                body = list(self.statements(subschema, inner, resolver, pad + "        "))
                if body:
                    key = self.constant(name)
                    lines += [f"{pad}    if {key} in {v}:", f"{pad}        {inner} = {v}[{key}]", *body]
            if lines and known == "object":
                yield from (line.removeprefix("    ") for line in lines)
            elif lines:
                yield f"{pad}if isinstance({v}, dict):"
                yield from lines
        for subschema in schema.get("allOf", []):
            yield from self.statements(subschema, v, resolver, pad, known=known)
        if "$ref" in schema:
            resolved = resolver.lookup(schema["$ref"])
            target = resolved.contents
            if id(target) in self.inlining:  # a recursive schema: call its function instead
                yield f"{pad}if not {self.function(target, resolved.resolver)}({v}):"
                yield f"{pad}    return False"
            else:
                self.inlining.append(id(target))
                yield from self.statements(target, v, resolved.resolver, pad, top=True, known=known)
                self.inlining.pop()
        if "if" in schema and "then" in schema:
            condition = self.function(schema["if"], resolver)
            consequence = self.function(schema["then"], resolver)
            yield f"{pad}if {condition}({v}) and not {consequence}({v}):"
            yield f"{pad}    return False"

    def _equals_one_of(self, values: list[Any], v: str, pad: str, known: str | None) -> Iterator[str]:
        # jsonschema's equal() compares strings with ==; other constants would need its bool/number rules
        if not all(isinstance(value, str) for value in values):
            raise Unsupported("const or enum with values that are not strings")
        allowed = "{" + ", ".join(repr(value) for value in sorted(set(values))) + "}"  # a frozenset constant
        is_string = "" if known == "string" else f"isinstance({v}, str) and "
        yield f"{pad}if not ({is_string}{v} in {allowed}):"
        yield f"{pad}    return False"

    def declared_type(self, schema: Any, resolver: Resolver) -> str | None:
        """The one JSON type ``schema`` requires by itself or through its ``allOf`` and ``$ref`` (the envelope's
        "object" for every event schema), or None."""
        if not isinstance(schema, dict) or id(schema) in self.inlining:
            return None
        if isinstance(schema.get("type"), str) and schema["type"] in _TYPE_TESTS:
            return str(schema["type"])
        for subschema in schema.get("allOf", []):
            declared = self.declared_type(subschema, resolver)
            if declared is not None:
                return declared
        if isinstance(schema.get("$ref"), str):
            resolved = resolver.lookup(schema["$ref"])
            self.inlining.append(id(schema))
            try:
                return self.declared_type(resolved.contents, resolved.resolver)
            finally:
                self.inlining.pop()
        return None


def compile_source(schema_name: str) -> tuple[str, dict[str, object], str]:
    """The Python source checking ``schema_name``, its constants, and the entry function's name."""
    resolved = _registry().resolver().lookup(schema_id(schema_name))
    compiler = _Compiler()
    entry = compiler.function(resolved.contents, resolved.resolver)
    return "\n\n".join(compiler.functions) + "\n", compiler.constants, entry


@functools.cache
def compile_check(schema_name: str) -> Check:
    """A function answering exactly what jsonschema's ``is_valid`` answers for ``schema_name``, much faster.

    Raises ``Unsupported`` when the schema uses a keyword this module does not translate."""
    source, constants, entry = compile_source(schema_name)
    namespace: dict[str, Any] = dict(constants)
    exec(compile(source, f"<compiled {schema_name}>", "exec"), namespace)
    check: Check = namespace[entry]
    return check


@functools.cache
def fast_check(schema_name: str) -> Check:
    """The compiled check of ``schema_name``, or jsonschema's ``is_valid`` where the compiler cannot translate it."""
    try:
        return compile_check(schema_name)
    except Unsupported:
        return validator(schema_name).is_valid


def violations(event: Any, schema_name: str) -> list[SchemaError]:
    """``schema_errors``, with a valid event (nearly every one) answered by the compiled check alone: jsonschema
    walks only an event the compiled check rejects, for its precise errors."""
    if fast_check(schema_name)(event):
        return []
    return schema_errors(event, schema_name)
