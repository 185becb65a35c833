"""What a hostile endpoint, sender or client writes reaches people inert, and the secret reaches no one.

Each output is driven by a peer on real sockets whose every string is a trap (``hostile``): the receiver suite's
terminal, JUnit XML and its JSON, Markdown and HTML reports; ``send``; the sender suite; ``listen`` and its log.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import hostile
import pytest
from command_line import environment, executable, listening
from hostile import CONTROLS, SECRET, echoed, hostile_endpoint
from markdown_it import MarkdownIt
from receivers import raw_endpoint, read_request_head
from suite_runner import SEED

from horneross_conformance.core import redaction
from horneross_conformance.core.inert import for_html, for_markdown, for_terminal, markdown_code
from horneross_conformance.core.redaction import REDACTED, Redactor
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "--horneross-examples=3", f"--horneross-seed={SEED}")


def leaks(text: str, secret: str = SECRET) -> list[str]:
    """The forms of ``secret`` found in ``text``, and the controls a terminal would act on."""
    found = [form for form in echoed(secret) if form.lower() in text.lower()]
    return found + [repr(c) for c in sorted(set(CONTROLS.findall(text)))]


def no_fake_lines(text: str) -> None:
    """No line of ``text`` is one the peer wrote: its painted verdict and its planted command stay mid-line."""
    for line in text.splitlines():
        stripped = line.strip()
        assert not stripped.startswith(("verdict: CONFORMANT", "Deliver this one again:", "curl http://evil")), line
        assert not stripped.startswith("===== 42 passed"), line


def rendered_markdown(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def tags(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


# the functions, one per medium


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x7f\x9b\x85", "\\x00\\x7f\\x9b\\x85"),
        (
            "\u202etxt\u202c \u2066x\u2069 \u200b\u200d\u2028\u2029\ufeff",
            "\\u202etxt\\u202c \\u2066x\\u2069 \\u200b\\u200d\\u2028\\u2029\\ufeff",
        ),
        ("\udcff", "\\udcff"),
        ("ñ 日本 😀 ‏", "ñ 日本 😀 \\u200f"),
    ],
)
def test_the_terminal_gets_every_control_and_invisible_mark_as_a_visible_escape(text: str, shown: str) -> None:
    assert for_terminal(text) == shown
    assert for_terminal(text).isprintable()


def test_the_toolkits_own_line_breaks_can_be_kept_and_nothing_else() -> None:
    assert for_terminal("line 1\n\x1b[31mline 2\r", keep_newlines=True) == "line 1\n\\x1b[31mline 2\\r"


def test_markdown_from_a_target_renders_as_text() -> None:
    document = (
        f"## Our heading\n\n- {markdown_code('RCV-01')}: {for_markdown(hostile.MARKDOWN + ' <b>x</b> &amp; $x$')}\n"
    )
    rendered = rendered_markdown(document)
    assert tags(rendered) == ["h2", "ul", "li", "code"]  # the target's heading, image, links and tags: text
    assert "&lt;h2&gt;✅ CONFORMANT&lt;/h2&gt;" in rendered and "![ok](https://evil.test/i.png)" in rendered
    in_table = f"| a | b |\n|---|---|\n| {markdown_code('x | y ` z', in_table=True)} | {for_markdown('p | q')} |\n"
    assert rendered_markdown(in_table).count("<td>") == 2


@pytest.mark.parametrize("text", ["`", "a`b", "``x``", "` leading", "trailing `", "x```y````z"])
def test_a_code_span_cannot_be_closed_by_its_content(text: str) -> None:
    rendered = rendered_markdown(f"before {markdown_code(text)} after")
    assert rendered == f"<p>before <code>{for_html(text)}</code> after</p>\n"


def test_html_is_escaped_and_shows_invisible_marks() -> None:
    assert for_html("<img src=x>\u202e&\n") == "&lt;img src=x&gt;\\u202e&amp;\n"


def test_the_secret_is_redacted_in_every_form_a_target_echoes() -> None:
    redact = Redactor([SECRET])
    forms = [
        "whsec_ab/cd+ef==",
        "whsec_ab%2Fcd%2Bef%3D%3D",
        "whsec_ab%2fcd%2bef%3d%3d",
        "whsec_ab/cd%2Bef%3D%3D",
        "whsec_ab%2Fcd+ef%3D%3D",
        "whsec_ab\\/cd+ef==",
        "WHSEC_AB/CD+EF==",
        SECRET.encode().hex(),
        SECRET.encode().hex().upper(),
        "d2hzZWNfYWIvY2QrZWY9PQ==",
        "d2hzZWNfYWIvY2QrZWY9PQ",
        "d2hzZWNfYWIvY2QrZWY9PQ==".replace("/", "_").replace("+", "-"),
    ]
    for form in forms:
        assert redact(f"echo: {form}!") == f"echo: {REDACTED}!", form
        assert redact.redact_bytes(f"{form}\xff".encode("latin-1")) == f"{REDACTED}\xff".encode("latin-1"), form


def test_a_text_redacted_before_a_secret_was_added_is_redacted_again_after() -> None:
    redact = Redactor(["an-earlier-secret"])
    text = f"echo: {SECRET}"
    assert redact(text) == text  # remembered as it is, while SECRET is not yet known
    redact.add(SECRET)
    assert redact(text) == f"echo: {REDACTED}"


def test_a_text_redacted_while_a_secret_is_being_added_is_redacted_again_once_it_is_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """add() on another thread, stopped after the secret is known and before its forms are indexed: what is
    redacted meanwhile may miss it, but is not remembered past the moment add() returns."""
    from horneross_conformance.core import redaction

    adding, go_on = threading.Event(), threading.Event()
    forms = redaction.secret_forms

    def slow_forms(secret: str) -> set[str]:
        adding.set()
        go_on.wait(10)
        return forms(secret)

    redact = Redactor(["an-earlier-secret"])
    monkeypatch.setattr(redaction, "secret_forms", slow_forms)
    adder = threading.Thread(target=redact.add, args=(SECRET,))
    adder.start()
    assert adding.wait(10)
    redact(f"echo: {SECRET}")  # in between: whatever it gives, it must not be kept
    go_on.set()
    adder.join(10)
    assert redact(f"echo: {SECRET}") == f"echo: {REDACTED}"


def test_many_secrets_are_found_as_a_few_are() -> None:
    """Past a few dozen prefixes the text is walked a character at a time rather than searched prefix by prefix:
    the same forms are found, leftmost and longest first, either way."""
    few = Redactor([SECRET])
    # other secrets of prefixes of their own: secrets sharing a prefix (the sender suite's whsec_...) share its
    # bucket, and would leave the text searched prefix by prefix
    many = Redactor([SECRET, *(f"{n:04d}-other" for n in range(40))])
    assert len(many._literal._by_prefix) > redaction._FOUND_BY_FIND  # walked, as this test means
    texts = [
        f"{SECRET}{SECRET}",
        f"x{SECRET.upper()}y {SECRET.encode().hex()} z",
        f"whsec_ab/cd+ef={SECRET}",  # a partial form, then the whole
        f"{SECRET[:-1]} {SECRET}",
        "nothing to see",
    ]
    for text in texts:
        assert few(text) == many(text), text
    assert many("0007-other and 0039-OTHER") == f"{REDACTED} and {REDACTED}"


# the receiver suite and send, against a hostile endpoint


@pytest.mark.slow
def test_a_hostile_endpoint_reaches_no_output_of_the_receiver_suite(pytester: pytest.Pytester) -> None:
    with hostile_endpoint() as url:
        target = (f"--horneross-endpoint={url}", f"--horneross-secret={SECRET}", "-rA")
        outputs = {}
        for name in ("r.md", "r.html", "r.json"):
            junit = pytester.path / "junit.xml"
            report = pytester.path / name
            result = pytester.runpytest_inprocess(*FAST, *target, f"--horneross-report={report}", f"--junitxml={junit}")
            assert result.ret == 1  # the verdict is never forged
            outputs[f"terminal of {name}"] = "\n".join(result.outlines + result.errlines)
            outputs[name] = report.read_text(encoding="utf-8")
            outputs[f"junit of {name}"] = junit.read_text(encoding="utf-8")
    terminal = outputs["terminal of r.md"]
    assert "verdict: NON-CONFORMANT" in terminal and "500 Oops \\x1b[2J\\x1b[H\\x1b[32m=====" in terminal
    for name, text in outputs.items():
        assert leaks(text) == [], name
        # the HTML report shows each answer's body in a box of its own, line breaks kept: only there may they be
        no_fake_lines(re.sub(r"(?s)<p>answered</p><pre>.*?</pre>", "", text) if name == "r.html" else text)
    markdown = rendered_markdown(outputs["r.md"])
    assert [
        tag
        for tag in tags(markdown)
        if tag not in ("ul", "li", "code", "strong", "p", "table", "thead", "tbody", "tr", "th", "td")
    ] == ["h2", "h3", "h3", "sub"]  # what failed, what could not be checked: no heading of the target's
    assert "&lt;h2&gt;" in markdown  # the fake heading, shown as text
    page = outputs["r.html"]
    assert not {"img", "a", "h3", "sub"} & set(tags(page)) and tags(page).count("h2") == 3
    assert "&lt;h2&gt;✅ CONFORMANT&lt;/h2&gt;" in page


def test_send_shows_a_hostile_answer_inert_and_without_the_secret(tmp_path: Path) -> None:
    with hostile_endpoint(status=200) as url:
        run = subprocess.run(
            [executable(), "send", url, "-v"],
            cwd=tmp_path,
            env=environment({"HORNEROSS_WEBHOOK_SECRET": SECRET}),
            capture_output=True,  # bytes: a CR must not be read as a line break
            timeout=60,
        )
    output = (run.stdout + run.stderr).decode("utf-8", "surrogateescape")
    assert run.returncode == 0 and "answer: 200 Oops \\x1b[2J" in output
    assert "X-Debug: \\x1b]0;owned\\x07" in output
    assert leaks(output) == []
    no_fake_lines(output)


def test_a_password_in_a_url_is_in_no_error_message(tmp_path: Path) -> None:
    commands = [
        ["send", "https://admin:pw-9f3@127.0.0.1:0/w"],
        ["listen", "--forward-to", "http://admin:pw-9f3@127.0.0.1:x/"],
    ]
    for command in commands:
        run = subprocess.run(
            [executable(), *command],
            cwd=tmp_path,
            env=environment({"HORNEROSS_WEBHOOK_SECRET": SECRET}),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2 and "pw-9f3" not in run.stdout + run.stderr and "admin" not in run.stderr


def test_a_password_in_the_endpoint_url_is_not_in_the_suites_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--horneross-endpoint=https://admin:pw-9f3@127.0.0.1:0/w",
        f"--horneross-secret={SECRET}",
    )
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.USAGE_ERROR and "port 0" in output
    assert "pw-9f3" not in output and "admin" not in output


# the sender suite, against a hostile sender


@pytest.mark.slow
def test_a_hostile_sender_reaches_no_output_of_the_sender_suite(pytester: pytest.Pytester) -> None:
    outputs = {}
    for name in ("r.md", "r.html"):
        report = pytester.path / name
        result = pytester.runpytest_inprocess(
            *FAST,
            "--horneross-sender=hostile:hostile_sender",
            f"--horneross-report={report}",
            "-rA",
            "-k",
            "SND-08 or SND-01 or SND-WIRE-004",
        )
        assert result.ret == 1
        outputs[f"terminal of {name}"] = "\n".join(result.outlines + result.errlines)
        outputs[name] = report.read_text(encoding="utf-8")
    terminal = outputs["terminal of r.md"]
    assert "went to paths no endpoint subscribed: /\\x1b[2J\\x1b[32mverdict: CONFORMANT\\n" in terminal
    assert "raised RuntimeError: queue down \\x1b[2J" in terminal
    for name, text in outputs.items():
        assert leaks(text) == [], name
        no_fake_lines(text)
    assert "img" not in tags(rendered_markdown(outputs["r.md"])) and "img" not in tags(outputs["r.html"])


# listen, against a hostile client


def test_listen_shows_a_hostile_delivery_inert_and_logs_no_secret(tmp_path: Path) -> None:
    secret_in = "/hook%1b[2J?token=" + echoed(SECRET)[1]
    body = (
        '{"type":"\\u001b[2J\\nverdict: CONFORMANT","id":"'
        + SECRET.replace("/", "\\/")
        + '","data":{"content":"'
        + echoed(SECRET)[0]
        + ' \u202e"}}'
    ).encode()
    with listening("--log", "log.jsonl", cwd=tmp_path, env={"HORNEROSS_WEBHOOK_SECRET": SECRET}) as listener:
        endpoint = parse_endpoint(listener.url.rstrip("/") + secret_in)
        answer = post(endpoint, body, {"Content-Type": "application/json", "X-Evil": f"\x1b]0;x\x07 {SECRET}"}, 5)
        output = listener.stop()
    assert answer.status == 401 and "#1 POST /hook%1b[2J?token=[secret redacted]" in output
    log = (tmp_path / "log.jsonl").read_text(encoding="utf-8")
    for text in (output, listener.stderr, log):
        assert leaks(text) == []
        no_fake_lines(text)
    assert log.count("[secret redacted]") >= 4  # path, header, id, content


def test_validate_shows_a_hostile_file_inert_in_text_and_in_json(tmp_path: Path) -> None:
    event = {
        "id": "evt_1",
        "type": "conversation.created\x1b[2J\nverdict: CONFORMANT",
        "timestamp": "x\u202e",
        "data": {"\x9b31m": "\u2028"},
    }
    (tmp_path / "events.jsonl").write_text(json.dumps(event) + "\n", encoding="utf-8")
    for options in ([], ["--format", "json"]):
        run = subprocess.run(
            [executable(), "validate", "events.jsonl", *options], cwd=tmp_path, capture_output=True, timeout=60
        )
        output = (run.stdout + run.stderr).decode("utf-8")
        assert run.returncode == 1 and leaks(output) == []
        no_fake_lines(output)
    assert json.loads(run.stdout)["valid"] is False  # the JSON output is still JSON


@pytest.mark.parametrize(
    "answer",
    ["HTTP/1.1 ²00 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: " + "9" * 5000 + "\r\n\r\n"],
)
def test_send_says_in_a_sentence_that_an_unreadable_answer_is_the_endpoints_fault(answer: str, tmp_path: Path) -> None:
    def respond(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            read_request_head(connection)
            connection.sendall(answer.encode())

    with raw_endpoint(respond) as base:
        run = subprocess.run(
            [executable(), "send", base + "/webhook"],
            cwd=tmp_path,
            env=environment({"HORNEROSS_WEBHOOK_SECRET": SECRET}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1 and "Traceback" not in run.stderr and run.stderr == ""
    assert "no answer: the answer" in run.stdout and "Horneross would retry this delivery" in run.stdout
