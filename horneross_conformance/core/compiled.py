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

Check = Callable[[Any], object]  # truthy for a valid value (True, or UNBOUNDED: see compile_check)
Part = tuple[Any, Resolver, bool]  # a schema, the resolver of its resource, whether it is the resource's root

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


_LEAVES = frozenset({"string", "number", "integer", "boolean", "null"})
# Formats whose last accepted string is remembered, to accept the same string again with one comparison: a log is
# in time order and its timestamps have whole seconds, so consecutive events of any busy log share one, whatever
# their types. Only a plain str that passed the full check is remembered, and only a plain str equal to it is let
# through; a format's validity depends on the string alone, so every check of it shares the one memory.
_REMEMBERED: dict[str, list[str | None]] = {"date-time": [None]}
# What a bounded check (``compile_check(..., bounded=True)``) returns for a valid value that holds an object or an
# array its schema does not describe: truthy, but not True. True means that every object and array in the value is
# one the schema names, key by key, so that the value nests no deeper than the schema does.
UNBOUNDED = 2


class Unsupported(Exception):
    """The schema uses something this compiler does not translate; jsonschema must check it."""


class _Compiler:
    def __init__(self, bounded: bool = False, known: tuple[str, str] | None = None) -> None:
        self.bounded = bounded  # say also whether the value's nesting stays within the schema's (see ``UNBOUNDED``)
        # (name, value): the entry function is only ever called with a dict whose ``name`` is the string ``value``
        # (``validate`` picks the check by the event's type): that property's checks are decided here, once
        self.known = known
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

    def function(self, schema: Any, resolver: Resolver, required: tuple[str, ...] = ()) -> str:
        """The name of a function checking ``schema``, compiled once per schema object (which allows recursion).
        ``required``: names the value must hold besides, when it is an object."""
        if id(schema) in self.names and not required:
            return self.names[id(schema)]
        name = self.fresh("_check")
        known, self.known = self.known, None  # for the entry only, the first function compiled
        if not required and known is None:  # the entry of a known value is for that value alone: no recursion to it
            self.names[id(schema)] = name
        parts = [(schema, resolver, True)] + ([({"required": list(required)}, resolver, False)] if required else [])
        body = list(self.statements(parts, "x0", "    ", None if known is None else "object", known))
        if self.bounded:  # b: every value met is a string, a number, a boolean, null, or an object the schema names
            body = ["    b = True", *body, f"    return True if b else {UNBOUNDED}"]  # key by key
        else:
            body.append("    return True")
        self.functions.append("\n".join([f"def {name}(x0):", *body]))
        return name

    def statements(
        self, parts: list[Part], v: str, pad: str, known: str | None = None, fixed: tuple[str, str] | None = None
    ) -> Iterator[str]:
        """Lines that ``return False`` when the value in variable ``v`` violates any of ``parts``. Each part's
        ``allOf`` and references are taken in with it (a recursive one becomes a call), and their keywords are
        checked together: the type first, each property read once, the names every part requires tested once,
        so that no check below guards for what one above ensured. ``known``: the JSON type ``v`` was already
        checked to have; ``fixed``: (name, value), a property ``v`` is known to hold with that string value."""
        schemas: list[tuple[dict[str, Any], Resolver]] = []
        calls: list[str] = []  # functions of the recursive references
        inlined = len(self.inlining)
        try:
            if not all(self.flatten(schema, resolver, top, schemas, calls) for schema, resolver, top in parts):
                yield f"{pad}return False"  # a false schema
                return
            yield from self._checks(schemas, calls, v, pad, known, fixed)
        finally:
            del self.inlining[inlined:]  # the references taken in stay marked until their properties are compiled

    def flatten(
        self,
        schema: Any,
        resolver: Resolver,
        top: bool,
        schemas: list[tuple[dict[str, Any], Resolver]],
        calls: list[str],
    ) -> bool:
        """``schema`` and what its ``allOf`` and ``$ref`` take in, added to ``schemas``; False for a false schema.
        ``top``: the schema is the root of a resource, the only place where this compiler allows ``$id``."""
        if schema is True:
            return True
        if schema is False:
            return False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r} is neither an object nor a boolean")
        unknown = set(schema) - _ANNOTATIONS - _COMPILED
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        if "$id" in schema and not top:
            raise Unsupported("an embedded $id")
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not all(t in _TYPE_TESTS for t in types):
                raise Unsupported(f"type {schema['type']!r}")
        schemas.append((schema, resolver))
        if not all(self.flatten(subschema, resolver, False, schemas, calls) for subschema in schema.get("allOf", [])):
            return False
        if "$ref" in schema:
            resolved = resolver.lookup(schema["$ref"])
            target = resolved.contents
            if any(target is taken for taken, _ in schemas):
                return True  # taken in already, by another path: checking it again changes nothing
            if id(target) in self.inlining:  # a recursive schema: call its function instead
                calls.append(self.function(target, resolved.resolver))
                return True
            self.inlining.append(id(target))
            return self.flatten(target, resolved.resolver, True, schemas, calls)
        return True

    def _checks(
        self,
        schemas: list[tuple[dict[str, Any], Resolver]],
        calls: list[str],
        v: str,
        pad: str,
        known: str | None,
        fixed: tuple[str, str] | None = None,
    ) -> Iterator[str]:
        type_lists = [t if isinstance(t, list) else [t] for t in (s["type"] for s, _ in schemas if "type" in s)]
        declared = next((types[0] for types in type_lists if len(types) == 1), None)
        if known is None and declared is not None:  # tested first: nothing below guards for it
            yield f"{pad}if not {_TYPE_TESTS[declared].format(v=v)}:"
            yield f"{pad}    return False"
            known = declared
        for types in type_lists:
            if types != [known]:
                yield f"{pad}if not ({' or '.join(_TYPE_TESTS[t].format(v=v) for t in types) or 'False'}):"
                yield f"{pad}    return False"
        is_string = "" if known == "string" else f"isinstance({v}, str) and "
        is_object = "" if known == "object" else f"isinstance({v}, dict) and "
        for schema, _ in schemas:
            yield from self._value_checks(schema, v, pad, known, is_string)
        required = list(dict.fromkeys(name for s, _ in schemas for name in s.get("required", [])))
        tested = [name for name in required if fixed is None or name != fixed[0]]  # the fixed one is there
        if tested:
            names = " and ".join(f"{self.constant(name)} in {v}" for name in tested)
            yield f"{pad}if {is_object}not ({names}):"
            yield f"{pad}    return False"
        properties: dict[str, list[Part]] = {}
        for schema, resolver in schemas:
            for name, subschema in schema.get("properties", {}).items():
                properties.setdefault(name, []).append((subschema, resolver, False))
        counting = self.bounded and known == "object"  # the keys met, to tell the object holds no other
        counter = self.fresh("k")
        lines = []
        for name, subschemas in properties.items():
            inner, key = self.fresh("x"), self.constant(name)
            if fixed is not None and name == fixed[0]:  # decided here, for the one value it holds
                held = _holds(subschemas, fixed[1])
                lines += [] if held else [f"{pad}    return False"]
                lines += [f"{pad}    {counter} += 1"] if held and counting and name not in required else []
            elif name in required:  # there, once the test above passed: read without asking
                body = list(self.statements(subschemas, inner, pad + "    "))
                lines += [f"{pad}    {inner} = {v}[{key}]", *body] if body else []
            else:
                body = list(self.statements(subschemas, inner, pad + "        "))
                if counting:
                    body.insert(0, f"{pad}        {counter} += 1")
                lines += [f"{pad}    if {key} in {v}:", f"{pad}        {inner} = {v}[{key}]", *body] if body else []
        if counting:
            optional = any(name not in required for name in properties)
            named = sum(name in properties for name in required)
            yield from [f"{pad}{counter} = 0"] if optional else []
            yield from (line.removeprefix("    ") for line in lines)
            # another key, or a required one whose value no schema describes: its value may nest any deeper
            if named < len(required):
                yield f"{pad}b = False"
            yield f"{pad}if len({v}) != {named}{f' + {counter}' if optional else ''}:"
            yield f"{pad}    b = False"
        elif lines and known == "object":
            yield from (line.removeprefix("    ") for line in lines)
        elif lines:
            yield f"{pad}if isinstance({v}, dict):"
            yield from lines
        if self.bounded and known not in _LEAVES and known != "object":
            yield f"{pad}if isinstance({v}, (dict, list)):"  # a container the schema does not describe
            yield f"{pad}    b = False"
        for function in calls:
            yield f"{pad}if not {function}({v}):"
            yield f"{pad}    return False"
        for schema, resolver in schemas:
            if "if" in schema and "then" in schema:
                condition = self.function(schema["if"], resolver)
                consequence = self.function(schema["then"], resolver)
                yield f"{pad}if {condition}({v}) and not {consequence}({v}):"
                yield f"{pad}    return False"
        if self.bounded and (calls or any("if" in schema for schema, _ in schemas)):
            yield f"{pad}b = False"  # what another function checked is not counted

    def _value_checks(
        self, schema: dict[str, Any], v: str, pad: str, known: str | None, is_string: str
    ) -> Iterator[str]:
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
            if schema["format"] in _REMEMBERED:
                last = self.constant(_REMEMBERED[schema["format"]])  # the last plain str accepted
                yield f"{pad}if {is_string}({v} != {last}[0] or {v}.__class__ is not str):"
                yield f"{pad}    if {refused}:"
                yield f"{pad}        return False"
                yield f"{pad}    if {v}.__class__ is str:"
                yield f"{pad}        {last}[0] = {v}"
            else:
                yield f"{pad}if {is_string}{refused}:"
                yield f"{pad}    return False"
        elif "format" in schema and schema["format"] in FORMATS.checkers:
            conforms = self.constant(FORMATS.checkers[schema["format"]][0])
            yield f"{pad}if not {conforms}({v}):"
            yield f"{pad}    return False"

    def _equals_one_of(self, values: list[Any], v: str, pad: str, known: str | None) -> Iterator[str]:
        # jsonschema's equal() compares strings with ==; other constants would need its bool/number rules
        if not all(isinstance(value, str) for value in values):
            raise Unsupported("const or enum with values that are not strings")
        allowed = "{" + ", ".join(repr(value) for value in sorted(set(values))) + "}"  # a frozenset constant
        is_string = "" if known == "string" else f"isinstance({v}, str) and "
        yield f"{pad}if not ({is_string}{v} in {allowed}):"
        yield f"{pad}    return False"


def _holds(parts: list[Part], value: str) -> bool:
    """Whether ``value`` is valid against every one of ``parts``, by their compiled check, run here once."""
    compiler = _Compiler()
    body = list(compiler.statements(parts, "x0", "    "))
    source = "\n\n".join([*compiler.functions, "\n".join(["def _holds(x0):", *body, "    return True"])])
    namespace: dict[str, Any] = dict(compiler.constants)
    exec(compile(source, "<compiled property>", "exec"), namespace)
    return namespace["_holds"](value) is True


def compile_source(
    schema_name: str, required: tuple[str, ...] = (), bounded: bool = False, event_type: str | None = None
) -> tuple[str, dict[str, object], str]:
    """The Python source checking ``schema_name`` (and, for an object, the ``required`` names besides), its
    constants, and the entry function's name. ``bounded``: the check returns ``UNBOUNDED`` rather than True for a
    valid value that may nest deeper than the schema. ``event_type``: the check is only ever called with a dict
    whose ``type`` is that string (see ``compile_check``)."""
    resolved = _registry().resolver().lookup(schema_id(schema_name))
    compiler = _Compiler(bounded, None if event_type is None else ("type", event_type))
    entry = compiler.function(resolved.contents, resolved.resolver, required)
    return "\n\n".join(compiler.functions) + "\n", compiler.constants, entry


def compile_check(
    schema_name: str, required: tuple[str, ...] = (), bounded: bool = False, event_type: str | None = None
) -> Check:
    """A function answering exactly what jsonschema's ``is_valid`` answers for ``schema_name``, much faster; with
    ``required``, what ``is_valid`` answers for the schema with those names required too (``validate`` checks a
    delivery's id and timestamp this way, in the same pass). ``bounded``: a truthy answer is True only for a value
    whose every object and array the schema describes (``UNBOUNDED`` otherwise): ``validate`` then knows the line
    nests no deeper than the schema, without counting its brackets. ``event_type``: a check only for a dict whose
    ``type`` is that string (a plain str, as a JSON parser gives), which ``validate`` picks by the event's type:
    what the schema says of the type and of being an object is decided once, here, not for every event.

    Raises ``Unsupported`` when the schema uses a keyword this module does not translate."""
    return _compiled(schema_name, required, bounded, event_type)  # cached by all four, however they are passed


@functools.cache
def _compiled(schema_name: str, required: tuple[str, ...], bounded: bool, event_type: str | None) -> Check:
    source, constants, entry = compile_source(schema_name, required, bounded, event_type)
    namespace: dict[str, Any] = dict(constants)
    exec(compile(source, f"<compiled {schema_name}>", "exec"), namespace)
    check: Check = namespace[entry]
    return check


def fast_check(
    schema_name: str, required: tuple[str, ...] = (), bounded: bool = False, event_type: str | None = None
) -> Check:
    """The compiled check of ``schema_name`` (see ``compile_check``), or jsonschema's ``is_valid`` where the
    compiler cannot translate it (never True then for ``bounded``: the depth is unknown)."""
    return _fast(schema_name, required, bounded, event_type)


@functools.cache
def _fast(schema_name: str, required: tuple[str, ...], bounded: bool, event_type: str | None) -> Check:
    try:
        return compile_check(schema_name, required, bounded, event_type)
    except Unsupported:
        is_valid = validator(schema_name).is_valid

        def check(value: Any) -> object:
            valid = (not isinstance(value, dict) or all(n in value for n in required)) and is_valid(value)
            return valid and (UNBOUNDED if bounded else True)

        return check


def violations(event: Any, schema_name: str) -> list[SchemaError]:
    """``schema_errors``, with a valid event (nearly every one) answered by the compiled check alone: jsonschema
    walks only an event the compiled check rejects, for its precise errors."""
    if fast_check(schema_name)(event):
        return []
    return schema_errors(event, schema_name)
