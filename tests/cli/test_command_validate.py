"""``horneross-conformance validate``, run as a user runs it, on good and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from command_line import cli

from horneross_conformance.core.contract import EVENT_TYPES, TYPE_ADDED_LATER
from horneross_conformance.core.events import sample_event
from horneross_conformance.core.resources import load_json


def _line(event: object) -> str:
    return json.dumps(event, ensure_ascii=False) + "\n"


def _broken_lead() -> dict[str, object]:
    event = sample_event("lead.captured")
    event["data"]["contact"]["email"] = "not-an-address"
    del event["data"]["conversationId"]
    return event


def test_valid_files_json_lines_and_folders_exit_0(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    for event_type in EVENT_TYPES:
        (tmp_path / "fixtures" / f"{event_type}.json").write_text(json.dumps(sample_event(event_type), indent=2))
    (tmp_path / "fixtures" / "README.txt").write_text("not an event, and not looked at")
    (tmp_path / "log.jsonl").write_text("".join(_line(sample_event(t)) for t in EVENT_TYPES * 25))
    (tmp_path / "batch.json").write_text(json.dumps([sample_event(t) for t in EVENT_TYPES]))
    (tmp_path / "fixtures" / "late.ndjson").write_text(_line(sample_event("lead.captured")))
    (tmp_path / "fixtures" / ".git").mkdir()
    (tmp_path / "fixtures" / ".git" / "HEAD").write_text("hidden folders are not looked at, nor named")
    result = cli("validate", "fixtures", "log.jsonl", "batch.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    events = len(EVENT_TYPES) * (1 + 25 + 1) + 1  # a fixture file, 25 log lines and a batch item each; late.ndjson
    sources = len(EVENT_TYPES) + 3  # the fixture files, late.ndjson, log.jsonl and batch.json
    assert result.stdout == (
        "fixtures: skipped 1 file not named .json, .jsonl, .ndjson, .jsonlines: README.txt\n"
        f"valid: {events} events in {sources} sources, 0 invalid, 0 problems\n"
    )
    machine = json.loads(cli("validate", "--format", "json", "fixtures", cwd=tmp_path).stdout)
    assert machine["skipped"] == [str(Path("fixtures") / "README.txt")] and machine["valid"] is True


def test_every_problem_names_file_line_pointer_and_rule_and_nothing_stops_at_the_first(tmp_path: Path) -> None:
    lines = [
        _line(sample_event("conversation.created")),
        "\n",
        _line(_broken_lead()),
        '{"type": "lead.captured", "data": \n',
        "[1, 2]\n",
        _line({**sample_event("conversation.created"), "type": TYPE_ADDED_LATER}),
        _line(sample_event("conversation.status.changed")),
    ]
    (tmp_path / "deliveries.jsonl").write_text("".join(lines))
    result = cli("validate", "deliveries.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("deliveries.jsonl:3: /data: 'conversationId' is a required property (required)")
    said = "'not-an-address' is not an email address, such as cliente@ejemplo.com (format)"  # in words
    assert out[1].startswith(f"deliveries.jsonl:3: /data/contact/email: {said}")
    assert "[lead.captured evt_" in out[1]
    assert out[2] == "deliveries.jsonl:4: not JSON: Expecting value at column 35 (json)"
    assert out[3].startswith("deliveries.jsonl:5: an array is not an event")
    assert out[4].startswith(f"deliveries.jsonl:6: /type: '{TYPE_ADDED_LATER}' is not a documented event type")
    assert out[5] == "INVALID: 5 events in 1 source, 3 invalid, 5 problems"
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_undocumented_types_are_checked_against_the_envelope_when_allowed(tmp_path: Path) -> None:
    event = {**sample_event("conversation.created"), "type": TYPE_ADDED_LATER}
    (tmp_path / "new.json").write_text(json.dumps(event))
    assert cli("validate", "new.json", cwd=tmp_path).returncode == 1
    assert cli("validate", "--allow-unknown-types", "new.json", cwd=tmp_path).returncode == 0
    (tmp_path / "bad.json").write_text(json.dumps({**event, "timestamp": "yesterday"}))
    result = cli("validate", "--allow-unknown-types", "bad.json", cwd=tmp_path)
    assert (
        result.returncode == 1
        and "bad.json:1: /timestamp: 'yesterday' is not an RFC 3339 date-time, such as 2024-01-21T15:30:00Z (format)"
        in result.stdout
    )


def test_json_output_for_machines_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(_line(sample_event("lead.captured")) + _line(_broken_lead()))
    result = cli("validate", "--format", "json", "a.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False and report["events"] == 2 and report["invalid_events"] == 1
    assert [(p["line"], p["pointer"], p["rule"]) for p in report["problems"]] == [
        (2, "/data", "required"),
        (2, "/data/contact/email", "format"),
    ]
    assert report["problems"][0]["source"] == "a.jsonl" and report["problems"][0]["type"] == "lead.captured"
    ok = cli("validate", "--format", "json", "-", cwd=tmp_path, stdin=_line(sample_event("lead.captured")))
    assert ok.returncode == 0 and json.loads(ok.stdout)["valid"] is True


def test_the_documented_invalid_examples_are_each_reported_at_their_pointer_and_rule(tmp_path: Path) -> None:
    """schemas/examples/invalid.json says where each example breaks which rule: validate must say the same."""
    examples = load_json("examples/invalid.json")["examples"]
    (tmp_path / "invalid.jsonl").write_text("".join(_line(example["event"]) for example in examples))
    result = cli("validate", "--format", "json", "invalid.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    for number, example in enumerate(examples, start=1):
        found = {(p["pointer"], p["rule"]) for p in problems if p["line"] == number}
        assert (example["pointer"], example["rule"]) in found, (example["name"], found)
    valid = load_json("examples/valid.json")["examples"]
    (tmp_path / "valid.jsonl").write_text("".join(_line(example["event"]) for example in valid))
    # the documentation's abbreviated examples carry only type and data
    assert cli("validate", "--allow-unknown-types", "valid.jsonl", cwd=tmp_path).returncode == 1
    assert cli("validate", "--allow-unknown-types", "--allow-abbreviated", "valid.jsonl", cwd=tmp_path).returncode == 0


def test_a_delivery_without_id_or_timestamp_is_invalid_unless_abbreviated_examples_are_allowed(
    tmp_path: Path,
) -> None:
    """Every Horneross delivery carries both; the documentation's abbreviated examples are data snippets, valid
    only under --allow-abbreviated, for fixture files that hold them."""
    abbreviated = {k: v for k, v in sample_event("lead.captured").items() if k != "id"}
    no_timestamp = {k: v for k, v in sample_event("conversation.created").items() if k != "timestamp"}
    (tmp_path / "log.jsonl").write_text(_line(sample_event("lead.captured")) + _line(abbreviated) + _line(no_timestamp))
    (tmp_path / "fixture.json").write_text(json.dumps(abbreviated, indent=2))
    result = cli("validate", "log.jsonl", "fixture.json", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "log.jsonl:2: 'id' is a required property of a delivery: every Horneross delivery carries id and timestamp "
        "(--allow-abbreviated accepts the documentation's abbreviated examples in fixture files) (required) "
        "[lead.captured]"
    )
    assert lines[1].startswith("log.jsonl:3: 'timestamp' is a required property of a delivery")
    assert lines[2].startswith("fixture.json:1: 'id' is a required property of a delivery")
    assert lines[-1] == "INVALID: 4 events in 2 sources, 3 invalid, 3 problems"
    allowed = cli("validate", "--allow-abbreviated", "log.jsonl", "fixture.json", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stdout
    assert "--allow-abbreviated" in cli("validate", "--help", cwd=tmp_path).stdout


@pytest.mark.slow
def test_stdin_json_lines_and_a_pretty_document(tmp_path: Path) -> None:
    stream = "".join(_line(sample_event(t)) for t in EVENT_TYPES) + _line(_broken_lead())
    result = cli("validate", "-", cwd=tmp_path, stdin=stream)
    assert result.returncode == 1 and result.stdout.startswith(f"<stdin>:{len(EVENT_TYPES) + 1}: /data:")
    pretty = json.dumps(sample_event("lead.captured"), indent=2)
    assert (
        cli("validate", "-", cwd=tmp_path, stdin=pretty).stdout == "valid: 1 event in 1 source, 0 invalid, 0 problems\n"
    )


def test_bad_inputs_get_one_clear_line_each_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n \n")
    (tmp_path / "latin1.jsonl").write_bytes(b'{"type": "lead.captured", "data": {"x": "Mar\xeda"}}\n')
    (tmp_path / "pretty.json").write_text('{\n  "type": "lead.captured",\n  "data": {,}\n}\n')
    (tmp_path / "empty-array.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    names = ["image.json", "empty.json", "blank.jsonl", "latin1.jsonl", "pretty.json", "empty-array.json", "deep.json"]
    result = cli("validate", *names, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "image.json: a binary file, not JSON text (it holds NUL bytes) (input)",
        "empty.json: empty: no events (input)",
        "blank.jsonl: empty: no events (input)",
        "latin1.jsonl:1: not UTF-8 text: byte 0xed at offset 44 (json)",
        "pretty.json:3: not JSON: Expecting property name enclosed in double quotes at line 3, column 12 (json)",
        "empty-array.json:1: an empty array: no events (input)",
        "deep.json:1: the JSON nests deeper than 100 levels, which no Horneross event does and ordinary receivers "
        "refuse (json)",
        "INVALID: 0 events in 7 sources, 0 invalid, 7 problems",
    ]
    assert result.stderr == ""
    empty = cli("validate", "-", cwd=tmp_path, stdin="")
    assert empty.returncode == 1 and empty.stdout.startswith("<stdin>: empty: no events (input)")


@pytest.mark.slow
def test_a_missing_path_is_a_usage_error_and_fail_fast_stops_at_the_first_problem(tmp_path: Path) -> None:
    missing = cli("validate", "nowhere.json", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip().endswith("nowhere.json: no such file or folder")
    assert missing.stdout == ""
    (tmp_path / "a.jsonl").write_text("x\ny\n" + _line(sample_event("lead.captured")))
    full = cli("validate", "a.jsonl", cwd=tmp_path)
    assert full.stdout.count("not JSON") == 2
    fast = cli("validate", "--fail-fast", "a.jsonl", cwd=tmp_path)
    assert fast.returncode == 1 and fast.stdout.count("not JSON") == 1
    assert "stopped at the first problem" in fast.stdout
    (tmp_path / "empty").mkdir()
    empty = cli("validate", "empty", cwd=tmp_path).stdout
    assert "no .json, .jsonl, .ndjson, .jsonlines files in this folder (input)" in empty


def test_nan_and_infinity_are_not_json_although_pythons_json_reads_them(tmp_path: Path) -> None:
    """JSON.parse refuses them, and so a receiver would: validate must not call such a line valid."""
    event = json.dumps(sample_event("conversation.created"))
    (tmp_path / "log.jsonl").write_text(event[:-1] + ', "score": NaN}\n' + event[:-1] + ', "n": -Infinity}\n')
    result = cli("validate", "log.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == [
        "log.jsonl:1: not JSON: NaN is not JSON (json)",
        "log.jsonl:2: not JSON: -Infinity is not JSON (json)",
    ]


def test_every_format_and_pattern_of_the_event_schemas_is_said_in_words() -> None:
    """validate never shows a raw regular expression or a format's bare name for an event: each one the event
    schemas use has its words, and a value that breaks it is told them."""
    from horneross_conformance.core.resources import data_dir
    from horneross_conformance.core.validation import FORMAT_WORDS, PATTERN_WORDS, schema_errors

    used: dict[str, set[str]] = {"format": set(), "pattern": set()}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for rule in used:
                if isinstance(node.get(rule), str):
                    used[rule].add(node[rule])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in data_dir().glob("*.schema.json"):
        if path.name != "sender-harness.schema.json":  # the harness protocol's, not an event's
            walk(json.loads(path.read_text(encoding="utf-8")))
    assert used["format"] and used["pattern"]
    assert used["format"] <= set(FORMAT_WORDS) and used["pattern"] <= set(PATTERN_WORDS)
    event = {"id": "evt_1", "type": "lead.captured", "timestamp": "2024-01-21T15:30:00Z", "data": {}}
    event["data"] = {"conversationId": "c", "contact": {"email": "a@b.co", "phoneNumber": "5491123456789"}}
    [error] = schema_errors(event)
    assert error.message == "'5491123456789' is not an E.164 phone number: + and 2 to 15 digits, such as +5491123456789"
