"""The sender suite through the sender harness protocol: Node and bridged Python references are conformant with
every check the in-process run passes, each broken Node sender fails its own requirement, and a harness that
breaks the protocol gets one sentence, in bounded time, with no secret in any output."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from command_line import cli
from documentation import documentation
from jsonschema import Draft202012Validator
from peers import BRIDGE_TOKEN, ROOT, harness, node_binary, node_harness, python_bridge
from suite_runner import NOT_SLOW, REFERENCE_SENDER, FinishedRun, run_sender_suite

from horneross_conformance.cli.usage import EXIT_USAGE
from horneross_conformance.core.redaction import secret_forms
from horneross_conformance.core.resources import load_json
from horneross_conformance.sender.harness import format_now
from horneross_conformance.sender.suite import PREFLIGHT_ID, suite
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

# What the in-process run of the Python reference gives, check by check (test_sender_suite.py asserts it): the
# protocol must change none of it.
IN_PROCESS_REFERENCE = {case.id: "passed" for case in suite.cases}
PREFLIGHT_REQUIREMENT = next(case.requirement for case in suite.cases if case.id == PREFLIGHT_ID)


def check_outcomes(run: FinishedRun) -> dict[str, str]:
    return {c["id"]: c["outcome"] for r in run.report["requirements"] for c in r["checks"]}


@pytest.mark.slow
def test_the_node_reference_through_the_protocol_passes_every_check_the_python_one_passes(
    pytester: pytest.Pytester,
) -> None:
    with node_harness() as url:
        run = run_sender_suite(pytester, url, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    assert run.report["target"] == url
    assert check_outcomes(run) == IN_PROCESS_REFERENCE, run.stdout


@pytest.mark.slow
def test_the_python_reference_bridged_through_the_protocol_passes_the_same_checks(pytester: pytest.Pytester) -> None:
    with python_bridge(REFERENCE_SENDER) as url:
        run = run_sender_suite(pytester, url, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert check_outcomes(run) == IN_PROCESS_REFERENCE, run.stdout


# Each broken Node sender (tests/node/broken-senders.js), the requirements it must fail and nothing else, and the
# options of its run: the check that waits out the sender's timeout five times only where the fault is about it.
BROKEN_NODE = {
    "delays-from-first-attempt": ({"SND-05"}, NOT_SLOW),
    "any-2xx-is-success": ({"SND-05"}, NOT_SLOW),
    "retries-after-200": ({"SND-06"}, NOT_SLOW),
    "uppercase-hex": ({"SND-03"}, NOT_SLOW),
    "sha256-prefix": ({"SND-03"}, NOT_SLOW),
    "pretty-printed": ({"SND-03"}, NOT_SLOW),  # sends what it signs: SND-03 alone (decision 14)
    "sorted-keys": ({"SND-03"}, NOT_SLOW),
    "new-id-per-retry": ({"SND-07"}, NOT_SLOW),
    "no-content-type": ({"SND-01"}, NOT_SLOW),
    "ignores-subscriptions": ({"SND-08"}, NOT_SLOW),
    "gives-up-on-refused-connection": ({"SND-05"}, NOT_SLOW),
    "follows-redirects": ({"SND-05"}, NOT_SLOW),  # the request to the Location is SND-05's (decision 14)
    # forgeries, each called CONFORMANT before the run accounted for every delivery and every event (issue 21)
    "tenant-leak": ({"SND-08"}, NOT_SLOW),
    "never-retries-non-ascii": ({"SND-05"}, NOT_SLOW),
    "drops-lone-surrogates": ({"SND-08"}, (*NOT_SLOW, "--horneross-examples=0")),
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(BROKEN_NODE))
def test_each_broken_node_sender_fails_its_own_requirement_alone(pytester: pytest.Pytester, fault: str) -> None:
    failed, options = BROKEN_NODE[fault]
    with node_harness(fault) as url:
        run = run_sender_suite(pytester, url, *options, "--horneross-no-shrink")  # which fails, not the example
    assert run.failed() == failed, run.stdout
    assert run.report["verdict"] == "non-conformant"
    assert run.ret == 1
    assert "Traceback" not in run.stdout + run.stderr


def test_the_time_format_is_rfc3339_utc_with_milliseconds() -> None:
    assert format_now(datetime(2026, 12, 1, 12, 0, 0, 123456, tzinfo=UTC)) == "2026-12-01T12:00:00.123Z"
    assert format_now(datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)) == "2026-03-14T15:09:26.000Z"


# Hostile harnesses: a small harness that speaks the protocol, except where a test tells it to misbehave.

SCHEMA = load_json("sender-harness.schema.json")
Misbehave = Callable[[str, dict[str, Any]], tuple[int, bytes] | None]  # call, request -> (status, body) or None


class HostileHarness:
    """Answers the protocol correctly (without delivering anything) unless ``misbehave`` returns an answer for a
    call; every request is checked against the protocol's schema, and the secrets it was given are kept."""

    def __init__(self, misbehave: Misbehave = lambda call, body: None) -> None:
        self.misbehave = misbehave
        self.secrets: list[str] = []
        self.invalid: list[str] = []
        self.serial = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(size))
        parts = environ["PATH_INFO"].strip("/").split("/")
        call = "senders" if parts == ["senders"] else parts[-1]
        self._validate(call, body)
        if call == "subscribe":
            self.secrets.append(body["secret"])
        answer = self.misbehave(call, body)
        if answer is None:
            answer = 200, json.dumps(self._answer(call)).encode()
        status, data = answer
        start_response(f"{status} Whatever", [("Content-Type", "application/json")])
        return [data]

    def _answer(self, call: str) -> dict[str, Any]:
        if call == "senders":
            with self._lock:
                self.serial += 1
                return {"sender": f"s{self.serial}"}
        return {"id": f"evt_{self.serial}"} if call == "emit" else {}

    def _validate(self, call: str, body: dict[str, Any]) -> None:
        schema = {**SCHEMA, "$ref": f"#/$defs/{call}.request"}
        for error in Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(body):
            self.invalid.append(f"{call}: {error.message}")


@pytest.fixture
def hostile() -> Iterator[Callable[[Misbehave], tuple[HostileHarness, str]]]:
    servers: list[Any] = []

    def start(misbehave: Misbehave) -> tuple[HostileHarness, str]:
        app = HostileHarness(misbehave)
        context = serve(app)
        servers.append(context)
        return app, context.__enter__()

    yield start
    for context in servers:
        context.__exit__(None, None, None)


def preflight_only(pytester: pytest.Pytester, url: str, *args: str) -> FinishedRun:
    return run_sender_suite(pytester, url, "-k", PREFLIGHT_ID, "--horneross-timeout=0.5", *args)


def assert_one_sentence(message: str) -> None:
    assert message.count("\n") == 0 and "Traceback" not in message, message


def test_requests_follow_the_protocol_schema(
    pytester: pytest.Pytester, hostile: Callable[[Misbehave], tuple[HostileHarness, str]]
) -> None:
    app, url = hostile(lambda call, body: None)
    run = run_sender_suite(pytester, url, "-k", "SND-PAY-001 or SND-SUB-001 or SND-RTY-001")
    assert app.invalid == []
    assert app.secrets and run.report["requirements"]  # the calls were made, and the run ended with a verdict


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ((200, b"<html>ok</html>"), "answer to POST /senders is not JSON (body '<html>ok</html>')"),
        ((200, b"[1, 2]"), "answer to POST /senders is not a JSON object (body '[1, 2]')"),
        ((200, b'{"sender": "a/b"}'), "has no usable sender id"),
        ((500, b'{"error": "database down"}'), "answered POST /senders with 500 Whatever, not 200 (error 'database"),
        ((404, b"\x1b[31mNot Found"), "with 404 Whatever, not 200 (body '\\x1b[31mNot Found')"),
    ],
    ids=["not-json", "not-an-object", "bad-id", "500-with-error", "404-without-error"],
)
def test_a_harness_that_does_not_answer_post_senders_is_a_usage_error_before_any_check(
    pytester: pytest.Pytester,
    hostile: Callable[[Misbehave], tuple[HostileHarness, str]],
    answer: tuple[int, bytes],
    said: str,
) -> None:
    _, url = hostile(lambda call, body: answer if call == "senders" else None)
    run = preflight_only(pytester, url)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert run.report == {}  # no check ran
    lines = [line for line in run.stderr.splitlines() if "--horneross-sender" in line]
    assert len(lines) == 1 and said in lines[0], run.stderr
    assert_one_sentence(lines[0])
    assert "\x1b" not in run.stderr


def test_an_unreachable_harness_is_a_usage_error(pytester: pytest.Pytester) -> None:
    with serve(lambda environ, start_response: []) as url:
        pass  # the port is free again: nothing listens there
    run = preflight_only(pytester, url)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert "does not serve the sender harness protocol: the harness did not answer POST /senders" in run.stderr
    assert "connection refused" in run.stderr


@pytest.mark.parametrize(
    ("call", "answer", "said"),
    [
        (
            "subscribe",
            (200, b"not json"),
            "subscribe(): the harness's answer to POST /senders/s2/subscribe is not JSON",
        ),
        ("emit", (200, b"null"), "emit(): the harness's answer to POST /senders/s2/emit is not a JSON object"),
        ("run-due", (503, b'{"error": "busy"}'), "answered POST /senders/s2/run-due with 503 Whatever, not 200"),
        ("emit", (200, b'{"ok": true}'), "has no event id (a string starting with evt_)"),
    ],
    ids=["not-json", "not-an-object", "503", "no-evt-id"],
)
def test_a_bad_answer_in_a_check_is_the_senders_failure_in_one_sentence(
    pytester: pytest.Pytester,
    hostile: Callable[[Misbehave], tuple[HostileHarness, str]],
    call: str,
    answer: tuple[int, bytes],
    said: str,
) -> None:
    _, url = hostile(lambda name, body: answer if name == call and not name.startswith("senders") else None)
    run = preflight_only(pytester, url)
    assert run.ret == 1
    details = run.details(PREFLIGHT_REQUIREMENT)
    assert said in details, details
    assert_one_sentence(details)


@pytest.mark.slow
def test_a_call_that_never_answers_ends_within_the_timeout(
    pytester: pytest.Pytester, hostile: Callable[[Misbehave], tuple[HostileHarness, str]]
) -> None:
    def hang(call: str, body: dict[str, Any]) -> tuple[int, bytes] | None:
        if call == "run-due":
            threading.Event().wait(5)  # far past --horneross-timeout=0.5
        return None

    _, url = hostile(hang)
    run = preflight_only(pytester, url)
    assert run.ret == 1
    assert "run_due() did not return within 0.5 s" in run.details(PREFLIGHT_REQUIREMENT)


def test_the_same_sender_id_twice_is_a_clear_failure(
    pytester: pytest.Pytester, hostile: Callable[[Misbehave], tuple[HostileHarness, str]]
) -> None:
    _, url = hostile(lambda call, body: (200, b'{"sender": "same"}') if call == "senders" else None)
    run = preflight_only(pytester, url)
    assert run.ret == 1
    assert "with the sender id 'same', which it gave before" in run.details(PREFLIGHT_REQUIREMENT)


def test_an_error_body_echoing_the_secret_shows_no_secret_anywhere(
    pytester: pytest.Pytester, hostile: Callable[[Misbehave], tuple[HostileHarness, str]]
) -> None:
    def echo(call: str, body: dict[str, Any]) -> tuple[int, bytes] | None:
        if call != "subscribe":
            return None
        secret = body["secret"]
        forms = sorted(secret_forms(secret))
        return 400, json.dumps({"error": f"bad secret {secret}", "forms": forms}).encode()

    app, url = hostile(echo)
    junit = pytester.path / "junit.xml"
    run = preflight_only(pytester, url, "-rA", f"--junitxml={junit}")
    assert run.ret == 1
    assert "answered POST /senders/s2/subscribe with 400 Whatever" in run.details(PREFLIGHT_REQUIREMENT)
    assert app.secrets
    outputs = [run.stdout, run.stderr, json.dumps(run.report), junit.read_text(encoding="utf-8")]
    for secret in app.secrets:
        for form in secret_forms(secret):
            assert all(form.lower() not in output.lower() for output in outputs), form


def test_run_sender_accepts_a_harness_url(tmp_path: Any) -> None:
    with serve(lambda environ, start_response: []) as url:
        pass
    result = cli("run", "--sender", url, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE  # the command's exit code for a usage error (cli/usage.py)
    assert "does not serve the sender harness protocol" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_the_bridge_answers_as_the_schema_says_and_refuses_bad_calls_in_one_sentence() -> None:
    def call(base: str, path: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
        headers = {"Content-Type": content_type, "Authorization": f"Bearer {BRIDGE_TOKEN}"}
        answer = post(parse_endpoint(base + path), body, headers, 10)
        return answer.status, json.loads(answer.body)

    def valid(name: str, answer: Any) -> bool:
        return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{name}"}).is_valid(answer)

    now = b'{"now": "2026-12-01T12:00:00.000Z"}'
    with python_bridge(REFERENCE_SENDER) as base:
        status, created = call(base, "/senders", now)
        assert status == 200 and valid("senders.answer", created)
        sender = f"/senders/{created['sender']}"
        subscribe = {"now": "2026-12-01T12:00:00.000Z", "url": "http://127.0.0.1:9/x", "secret": "k" * 12}
        status, answer = call(base, f"{sender}/subscribe", json.dumps({**subscribe, "events": None}).encode())
        assert status == 200 and valid("subscribe.answer", answer)
        emit = b'{"now": "2026-12-01T12:00:01.000Z", "type": "conversation.created", "data": {"conversationId": "c"}}'
        status, answer = call(base, f"{sender}/emit", emit)
        assert status == 200 and valid("emit.answer", answer)
        refused = [
            call(base, f"{sender}/run-due", now),  # now went back
            call(base, f"{sender}/run-due", b'{"now": "yesterday"}'),
            call(base, f"{sender}/run-due", b"[]"),
            call(base, f"{sender}/run-due", b"{", "text/plain"),
            call(base, "/senders/nobody/run-due", now),
            call(base, f"{sender}/teleport", now),
        ]
        assert [status for status, _ in refused] == [400, 400, 400, 400, 404, 404]
        assert all(valid("error.answer", answer) and "\n" not in answer["error"] for _, answer in refused)
        status, answer = call(base, f"{sender}/close", b"{}")
        assert status == 200 and valid("close.answer", answer)


def test_the_bridge_says_in_one_sentence_what_is_wrong_with_a_factory() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "horneross_conformance.sender.bridge", "no_such_module:create"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "cannot import 'no_such_module'" in result.stderr


@pytest.mark.slow
def test_the_readme_node_harness_is_conformant(pytester: pytest.Pytester) -> None:
    """The README's plain node:http harness, run as written (its dispatcher found where it says), passes every
    check."""
    readme = documentation()
    example = re.search(r"<!-- example:node-harness -->\n```js\n(.+?)```", readme, re.S)
    assert example is not None
    script = pytester.path / "harness-example.js"
    dispatcher = json.dumps(str(ROOT / "node" / "reference-sender.js"))
    script.write_text(example.group(1).replace("'./node/reference-sender.js'", dispatcher), encoding="utf-8")
    with harness(node_binary(), str(script)) as url:
        run = run_sender_suite(pytester, url, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert check_outcomes(run) == IN_PROCESS_REFERENCE


def test_user_information_in_the_harness_url_is_not_printed(
    pytester: pytest.Pytester, hostile: Callable[[Misbehave], tuple[HostileHarness, str]]
) -> None:
    _, url = hostile(lambda call, body: None)
    with_password = url.replace("http://", "http://vendor:hunter2-password@") + "/harness/"
    run = preflight_only(pytester, with_password)
    assert run.report["target"] == f"{url}/harness"
    assert "hunter2-password" not in run.stdout + run.stderr + json.dumps(run.report)


LENGTHS = ["\u00b2", "9" * 5000, "-1", ""]


@pytest.mark.parametrize("length", LENGTHS, ids=["superscript", "5000-digits", "minus", "none"])
def test_the_bridge_refuses_a_content_length_that_is_not_a_short_run_of_ascii_digits(length: str) -> None:
    """str.isdigit takes '²', which int() refuses: the bridge answers 411 in one sentence, never a traceback."""
    with python_bridge(REFERENCE_SENDER) as base:
        endpoint = parse_endpoint(base)
        with socket.create_connection((endpoint.host, endpoint.port), timeout=10) as connection:
            head = (
                f"POST /senders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {BRIDGE_TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {length}"
            )
            connection.sendall(f"{head}\r\n\r\n".encode())
            answer = b""
            while b"}" not in answer and (piece := connection.recv(65536)):  # the head, then its JSON body
                answer += piece
    text = answer.decode("utf-8", "replace")
    assert text.startswith("HTTP/1.1 411 "), text
    assert json.loads(text.split("\r\n\r\n", 1)[1]) == {"error": "the request needs a Content-Length of ASCII digits."}
