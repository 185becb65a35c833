"""JSON from outside is read at most MAX_JSON_DEPTH levels deep (docs/contract.md, decision 18), everywhere.

Each entry point meets a body nested 50,000 deep, and one exactly at the limit, as a user meets them: suite runs
through pytester, the command as a subprocess, the reference receiver and harnesses over real sockets. The deep one
gets one sentence and the right verdict; the one at the limit works as before; no output shows a recursion error,
an internal error or a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from command_line import cli, listening
from peers import NodeStringify
from suite_runner import NOT_SLOW, run_sender_suite
from untrusted import (
    FAR_TOO_DEEP,
    AtTheLimitSender,
    DeepSender,
    assert_clean,
    at_the_limit,
    event_body,
    nested,
    too_deep,
)

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from horneross_conformance.core.canonical import TooDeep, parse_json, same_json
from horneross_conformance.core.contract import MAX_JSON_DEPTH
from horneross_conformance.logs.event_files import event_problems
from horneross_conformance.logs.log_reading import check_lines
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.sender.target import holds_lone_surrogate
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET = "whsec_depth_tests"
SENTENCE = f"nests deeper than {MAX_JSON_DEPTH} levels"


def deep_value(levels: int, leaf: Any = None) -> Any:
    """A Python value nested ``levels`` deep (built without recursion)."""
    value: Any = leaf
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


# core: the bounded parse, canonical_bytes and the walks


@pytest.mark.parametrize(
    "levels", [MAX_JSON_DEPTH + 1, 1_000, FAR_TOO_DEEP, pytest.param(1_000_000, marks=pytest.mark.slow)]
)
def test_parse_json_refuses_json_deeper_than_the_limit_in_one_sentence(levels: int) -> None:
    for body in (nested(levels), b'{"a":' * levels + b"1" + b"}" * levels):
        with pytest.raises(TooDeep, match=SENTENCE) as refused:
            parse_json(body)
        assert "\n" not in str(refused.value)
        assert isinstance(refused.value, ValueError)


def test_parse_json_reads_json_exactly_at_the_limit_and_brackets_in_strings_do_not_count() -> None:
    assert parse_json(nested(MAX_JSON_DEPTH)) is not None
    assert parse_json(b'{"a":' * MAX_JSON_DEPTH + b"1" + b"}" * MAX_JSON_DEPTH) is not None
    in_strings = json.dumps({"text": "[" * 5000, "escaped": '\\"[{' * 500, "list": [["]]]]"]]}).encode()
    assert parse_json(in_strings)["text"] == "[" * 5000
    with pytest.raises(TooDeep):  # a closing bracket inside a string closes nothing
        parse_json(b'["]]]]",' + nested(MAX_JSON_DEPTH) + b"]")


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_once() -> None:
    """A scan that started again at every quote would take hours on this; the string runs to the end instead."""
    body = b'["' + b'\\"' * 400_000 + b"[" * 200
    with pytest.raises(ValueError, match="Unterminated string"):  # json's own error: the brackets are in a string
        parse_json(body)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 300, FAR_TOO_DEEP])
def test_canonical_bytes_refuses_a_value_deeper_than_the_limit(levels: int) -> None:
    for leaf in (None, 1.5):  # orjson's path and the exact one
        value = deep_value(levels, leaf)
        with pytest.raises(TooDeep, match=SENTENCE):
            canonical_bytes(value)
        with pytest.raises(TooDeep):
            same_json(value, deep_value(levels, "other"))


def test_canonical_bytes_at_the_limit_is_json_stringify(node: NodeStringify) -> None:
    texts = [
        nested(MAX_JSON_DEPTH).decode(),
        json.dumps(deep_value(MAX_JSON_DEPTH, 1.5)),
        json.dumps(deep_value(MAX_JSON_DEPTH - 1, {"2": 1e21, "1": "\ud83d"})),  # index keys, a float, a surrogate
    ]
    for text, expected in zip(texts, node.stringify_many(texts), strict=True):
        value = parse_json(text.encode("utf-8", "surrogatepass"))
        assert canonical_bytes(value) == expected
        assert same_json(value, json.loads(text))


def test_the_walks_over_delivered_data_are_not_recursive() -> None:
    deep = deep_value(FAR_TOO_DEEP, "\ud83d")
    assert holds_lone_surrogate(deep)
    assert not holds_lone_surrogate(deep_value(FAR_TOO_DEEP, "ok"))


def test_schema_checks_read_an_event_at_the_limit_in_every_place() -> None:
    event = json.loads(event_body("lead.captured"))
    event["data"] = {"conversationId": "c", "contact": {"email": "a@b.co", "x": deep_value(MAX_JSON_DEPTH - 3)}}
    event["extra"] = deep_value(MAX_JSON_DEPTH - 1)
    assert event_problems(event) == []
    event["data"]["contact"] = deep_value(MAX_JSON_DEPTH - 2)  # not an object: jsonschema quotes it
    assert [rule for _, rule, _ in event_problems(event)] == ["type"]


# the sender suite: a harness answering deep JSON, a sender delivering it


class DeepHarness:
    """A sender harness that answers the protocol, except that ``deep(call)`` may give an answer's body."""

    def __init__(self, deep: Callable[[str], bytes | None]) -> None:
        self.deep = deep
        self.serial = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        parts = environ["PATH_INFO"].strip("/").split("/")
        call = "senders" if parts == ["senders"] else parts[-1]
        body = self.deep(call)
        if body is None:
            self.serial += 1
            answer = {"sender": f"s{self.serial}"} if call == "senders" else {"id": "evt_1"} if call == "emit" else {}
            body = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]


@pytest.fixture
def deep_harness() -> Iterator[Callable[[Callable[[str], bytes | None]], str]]:
    contexts: list[Any] = []

    def start(deep: Callable[[str], bytes | None]) -> str:
        context = serve(DeepHarness(deep))
        contexts.append(context)
        return context.__enter__()

    yield start
    for context in contexts:
        context.__exit__(None, None, None)


@pytest.mark.slow
def test_a_harness_answering_post_senders_with_deep_json_is_a_usage_error(
    pytester: pytest.Pytester, deep_harness: Callable[[Callable[[str], bytes | None]], str]
) -> None:
    url = deep_harness(lambda call: nested(FAR_TOO_DEEP) if call == "senders" else None)
    run = run_sender_suite(pytester, url, "-k", "SND-PAY-001", "--horneross-timeout=2")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert run.report == {}
    lines = [line for line in run.stderr.splitlines() if "--horneross-sender" in line]
    assert len(lines) == 1 and SENTENCE in lines[0], run.stderr
    assert "does not serve the sender harness protocol" in lines[0]
    assert_clean(run.stdout, run.stderr)
    command = cli("run", "--sender", url, "--", "-k", "SND-PAY-001", cwd=pytester.path)
    assert command.returncode == EXIT_USAGE, command.stdout + command.stderr
    assert SENTENCE in command.stderr
    assert_clean(command.stdout, command.stderr)


def test_a_harness_answering_at_the_limit_is_read_and_a_deep_emit_answer_fails_its_check(
    pytester: pytest.Pytester, deep_harness: Callable[[Callable[[str], bytes | None]], str]
) -> None:
    created: list[bytes] = []

    def answers(call: str) -> bytes | None:
        if call == "senders":  # read: a new sender's id
            created.append(at_the_limit(b'{"sender":"s%d"}' % len(created)))
            return created[-1]
        return too_deep(b'{"id":"evt_1"}') if call == "emit" else None

    url = deep_harness(answers)
    run = run_sender_suite(pytester, url, "-k", "SND-PAY-001", "--horneross-timeout=2")
    assert run.ret == EXIT_FAILED, run.stdout + run.stderr
    details = run.details("SND-01")
    assert "emit(): the harness's answer to POST /senders/s1/emit cannot be read" in details, details
    assert SENTENCE in details
    assert_clean(run.stdout, run.stderr, json.dumps(run.report))
    assert len(created) == 2  # the preflight's sender, and the check's


@pytest.mark.slow
def test_deliveries_nested_too_deep_fail_snd01_alone_with_one_sentence(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, f"untrusted:{DeepSender.__name__}", *NOT_SLOW)
    assert run.ret == 1
    assert run.failed() == {"SND-01"}, run.stdout
    assert SENTENCE in run.details("SND-01")
    assert_clean(run.stdout, run.stderr, json.dumps(run.report))


@pytest.mark.slow
def test_deliveries_exactly_at_the_limit_are_conformant(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, f"untrusted:{AtTheLimitSender.__name__}")  # a whole run: certified
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"


# the reference receiver, over a real socket, as a user runs it


@pytest.fixture
def reference_receiver() -> Iterator[str]:
    with serve(ReferenceReceiver(SECRET)) as url:
        yield url


def deliver(url: str, body: bytes, signature: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Horneross-Signature"] = signature
    answer = post(parse_endpoint(url), body, headers, 30)
    return answer.status, answer.body.decode("utf-8", "replace")


def test_the_reference_receiver_verifies_before_it_reads_and_never_answers_500(reference_receiver: str) -> None:
    body = too_deep(event_body())
    huge = nested(200_000)
    assert deliver(reference_receiver, huge, None)[0] == 401
    assert deliver(reference_receiver, body, None)[0] == 401
    assert deliver(reference_receiver, body, sign(body, "another secret"))[0] == 401
    status, text = deliver(reference_receiver, body, sign(body, SECRET))
    assert status == 400 and SENTENCE in text
    limit = at_the_limit(event_body())
    assert deliver(reference_receiver, limit, sign(limit, SECRET)) == (200, "OK")
    assert_clean(text)


def test_the_reference_receiver_run_alone_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "HORNEROSS_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "horneross_conformance.receiver.reference", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    try:
        url = process.stdout.readline().split()[-1]
        body = too_deep(event_body())
        statuses = [deliver(url, body, None)[0], deliver(url, body, sign(body, SECRET))[0]]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert statuses == [401, 400]
    assert_clean(out, err)


# the command: validate, sign, send, listen


@pytest.mark.slow
def test_validate_reports_a_deep_document_and_a_deep_line_in_one_sentence_each(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_bytes(nested(FAR_TOO_DEEP))
    (tmp_path / "limit.json").write_bytes(at_the_limit(event_body()))
    lines = [event_body(), too_deep(event_body()), at_the_limit(event_body())]
    (tmp_path / "log.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = cli("validate", "deep.json", "limit.json", "log.jsonl", cwd=tmp_path)
    assert result.returncode == EXIT_FAILED
    problems = result.stdout.splitlines()[:-1]
    assert len(problems) == 2, result.stdout
    assert problems[0].startswith("deep.json:1: the JSON " + SENTENCE)
    assert problems[1].startswith("log.jsonl:2: the JSON " + SENTENCE)
    assert_clean(result.stdout, result.stderr)
    assert cli("validate", "limit.json", cwd=tmp_path).returncode == EXIT_OK
    in_parallel = cli("validate", "--jobs", "2", "deep.json", "limit.json", "log.jsonl", cwd=tmp_path)
    assert in_parallel.stdout.splitlines()[:-1] == problems
    result = check_lines(lines)
    assert [problem.line for problem in result.problems] == [2]


@pytest.mark.slow
def test_sign_and_send_refuse_a_deep_payload_in_one_sentence_and_take_one_at_the_limit(
    tmp_path: Path, reference_receiver: str
) -> None:
    (tmp_path / "deep.json").write_bytes(too_deep(event_body()))
    limit = at_the_limit(event_body())
    (tmp_path / "limit.json").write_bytes(limit)
    env = {"HORNEROSS_WEBHOOK_SECRET": SECRET}
    for command in (["sign", "deep.json"], ["send", reference_receiver, "--file", "deep.json"]):
        result = cli(*command, cwd=tmp_path, env=env)
        assert result.returncode == EXIT_USAGE
        assert result.stderr.count("\n") == 1 and SENTENCE in result.stderr, result.stderr
        assert_clean(result.stdout, result.stderr)
    signed = cli("sign", "limit.json", cwd=tmp_path, env=env)
    assert (signed.returncode, signed.stdout.strip()) == (EXIT_OK, sign(limit, SECRET))
    sent = cli("send", reference_receiver, "--file", "limit.json", cwd=tmp_path, env=env)
    assert sent.returncode == EXIT_OK, sent.stdout + sent.stderr


def test_listen_names_a_deep_delivery_and_reads_one_at_the_limit(tmp_path: Path) -> None:
    deep, limit = too_deep(event_body()), at_the_limit(event_body())
    with listening("--count", "2", cwd=tmp_path, env={"HORNEROSS_WEBHOOK_SECRET": SECRET}) as listener:
        first = deliver(listener.url + "hook", deep, sign(deep, SECRET))
        second = deliver(listener.url + "hook", limit, sign(limit, SECRET))
        output = listener.stop()
    assert (first[0], second[0]) == (200, 200)  # signed: listen answers as told, and says what is wrong
    assert any(line.startswith(f"    the body cannot be read: the JSON {SENTENCE}") for line in output.splitlines())
    assert "stopped: 2 deliveries, 1 signed and valid, 1 with problems" in output
    assert_clean(output, listener.stderr)
