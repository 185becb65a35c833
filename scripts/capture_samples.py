"""Capture the documentation's sample outputs from real runs of the toolkit, and write them into the pages.

    python scripts/capture_samples.py                # exit 1 and name each stale sample
    python scripts/capture_samples.py --write        # capture every sample again, rewrite the stale ones
    python scripts/capture_samples.py --only listen  # one sample (with --write or not)

What a page shows a command printing is printed by that command: each sample sits between two markers,
``<!-- sample:NAME -->`` and ``<!-- /sample:NAME -->``, around its fenced block, and ``RECIPES[NAME]`` makes it: it
starts the peers the sample needs (a deliberately broken receiver of ``scripts/samples/``, the tests' Go receiver
or Go encoder built from ``tests/go``, the bundled reference receiver), runs the real command
(``horneross-conformance ...`` or ``pytest --horneross-...``) in a fresh temporary folder, and takes what it
printed, standard output and standard error as a terminal interleaves them. A recipe that shows part of an output
says which part in its docstring, and the page says it too: ``...`` stands for lines left out. Nothing in a sample
is written by hand.

Two things keep a sample stable from run to run and from machine to machine:

- ``normalise`` rewrites what depends on the machine: the ports peers got (each becomes the port the page
  documents), the temporary folder, pytest's lines about the machine, the inspector's random token.
- ``comparable`` masks what changes from one run to the next (event ids, timestamps, clock times, durations)
  when a capture is compared with the page, so a sample is stale only when something else changed, and the page
  keeps the figures of the real run that last wrote it.

Seeds are fixed with ``--seed``/``--horneross-seed``; the terminal is ``WIDTH`` columns wide.

A sample block is every fenced block of README.md and docs/*.md whose language is ``text`` or ``console``, except
those ``EXEMPT`` lists with a reason; a block in another language may be a sample too, between markers (the
reports of docs/verdicts-and-reports.md). ``tests/project/test_samples.py`` checks that every sample block is
marked, that every marker has a recipe and every recipe a marker, and captures the cheapest samples again.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, in this process as in the commands it runs

from horneross_conformance.transport.server import serve  # noqa: E402

SAMPLES = ROOT / "scripts" / "samples"  # the samples' own peers and files
FILES = SAMPLES / "files"
WIDTH = 100  # the terminal's columns, for every capture: pytest's rules and the verdict table's wrapping
SECRET = "whsec_demo"  # the secret of the samples' receivers, in HORNEROSS_WEBHOOK_SECRET
START_LIMIT = 30.0  # seconds for a peer or a listener to say where it listens
RUN_LIMIT = 300.0  # seconds for one command

PAGES = ("README.md", *sorted(f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")))
SAMPLE_LANGUAGES = ("text", "console")
# (page, the block's first line): why this text or console block is no sample
EXEMPT = {
    ("docs/development.md", "horneross_conformance/"): "the project's layout, a file tree written by hand, which "
    "tests/project/test_layout.py checks against the package",
}


# --- the pages: fenced blocks and markers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced block of a page: its fence (three or more backticks), its language, its text, where it starts."""

    fence: str
    language: str
    text: str
    start: int
    end: int

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


# a fence may be indented (in a list item); the block ends at a fence of the same length
FENCE = re.compile(r"^[ \t]*(`{3,})([\w-]*)[ \t]*\n(.*?)^[ \t]*\1[ \t]*(?:\n|\Z)", re.M | re.S)
MARKED = re.compile(r"^<!-- sample:([\w-]+) -->\n(.*?)^<!-- /sample:\1 -->\n", re.M | re.S)


def blocks(text: str) -> list[Block]:
    """Every fenced block of ``text``, in order."""
    return [
        Block(m.group(1), m.group(2), m.group(3).removesuffix("\n"), m.start(), m.end()) for m in FENCE.finditer(text)
    ]


def marked(text: str) -> dict[str, tuple[int, int, list[Block]]]:
    """Each sample marked in ``text``: where its markers' content starts and ends, and the blocks inside."""
    found: dict[str, tuple[int, int, list[Block]]] = {}
    for match in MARKED.finditer(text):
        if match.group(1) in found:
            raise ValueError(f"the sample {match.group(1)} is marked twice")
        found[match.group(1)] = (match.start(2), match.end(2), blocks(match.group(2)))
    return found


def unmarked(page: str, text: str) -> list[str]:
    """The sample blocks of ``text`` (a page, named ``page``) outside any marker, by their first line."""
    spans = [(start, end) for start, end, _ in marked(text).values()]
    return [
        f"{page}: ```{block.language} block starting {block.first_line!r}"
        for block in blocks(text)
        if block.language in SAMPLE_LANGUAGES
        and (page, block.first_line) not in EXEMPT
        and not any(start <= block.start and block.end <= end for start, end in spans)
    ]


def page_samples(root: Path = ROOT) -> dict[str, tuple[str, Block]]:
    """Every marked sample of the pages (of the checkout at ``root``): its page and its block. A marker must hold
    exactly one fenced block."""
    found: dict[str, tuple[str, Block]] = {}
    for page in PAGES:
        for name, (_, _, inside) in marked((root / page).read_text(encoding="utf-8")).items():
            if len(inside) != 1:
                raise ValueError(f"{page}: the sample {name} holds {len(inside)} fenced blocks, not one")
            if name in found:
                raise ValueError(f"the sample {name} is marked in {found[name][0]} and in {page}")
            found[name] = (page, inside[0])
    return found


# --- what may differ between captures ------------------------------------------------------------------------


@dataclass
class Capture:
    """One recipe's run: its temporary folder, and the ports its peers got, each with the port the page shows."""

    folder: Path
    ports: dict[int, int] = field(default_factory=dict)

    def port(self, documented: int) -> int:
        """A free port for a listener the page shows on ``documented``."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        self.ports[port] = documented
        return port

    @contextlib.contextmanager
    def serving(self, app: Any, documented: int) -> Iterator[str]:
        """``app`` (a WSGI application) served on loopback; yields its base URL, with the port it got."""
        with serve(app) as url:
            self.ports[int(url.rsplit(":", 1)[1])] = documented
            yield url


# pytest's header lines about the machine that ran it, and what its plugins print there
MACHINE_LINES = re.compile(
    r"^(platform |rootdir: |configfile: |cachedir: |plugins: |benchmark: |hypothesis profile ).*\n", re.M
)


def normalise(text: str, capture: Capture) -> str:
    """What a command printed, made independent of the machine and of the moment that ran it:

    - each port a peer or a listener got becomes the port the page documents for it (``:8080``, ``--port 8090``);
    - the temporary folder the command ran in disappears from paths (``/tmp/x/deliveries.sqlite3`` is
      ``deliveries.sqlite3``), as does the checkout's own folder;
    - pytest's header lines about the machine (platform, rootdir, configfile, cachedir, plugins, and what plugins
      print there) are left out: they describe the machine, not the suite;
    - the inspector's random access token is shown as ``...``.

    Whatever else varies from run to run (ids, timestamps, durations) is kept as the run printed it; ``comparable``
    masks it when a capture is compared with the page."""
    for real, documented in capture.ports.items():
        text = re.sub(rf"(?<=[:\s=]){real}\b", str(documented), text)
    for folder in {str(capture.folder), str(capture.folder.resolve())}:
        text = text.replace(folder + os.sep, "").replace(folder, ".")
    text = text.replace(str(ROOT) + os.sep, "")
    text = MACHINE_LINES.sub("", text)
    return re.sub(r"token=[\w-]+", "token=...", text)


VOLATILE = [
    (re.compile(r"\b(evt|conv|msg)_[0-9a-f]{12}\b"), r"\1_<id>"),  # ids the toolkit draws at random
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d\\?:\d\d\\?:\d\d(\.\d+)?Z"), "<timestamp>"),  # an event's time, a run's start
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "<time>"),  # a clock time (listen's lines)
    (re.compile(r"\b[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4}\b"), "<date>"),  # an HTTP Date
    (re.compile(r"\bin \d+\.\d+s( \(\d+:\d\d:\d\d\))?"), "in <duration>"),  # pytest's last line: in 5.25s
    (re.compile(r"\bin \d+ ms\b"), "in <duration>"),  # an answer's time: 200 OK in 3 ms
    (re.compile(r"· \d+(\.\d+)? s ·"), "· <duration> ·"),  # the Markdown report's run line
    (re.compile(r'"seconds": [\d.]+'), '"seconds": <duration>'),  # the JSON report's run
    (re.compile(r"={3,}"), "==="),  # pytest's rules, whose length follows the duration they frame
    (re.compile(r"_{3,}"), "___"),
]


def comparable(text: str) -> str:
    """``text`` with what differs from one real run to the next masked: event, conversation and message ids drawn
    at random, timestamps, clock times, HTTP dates, durations, and the length of pytest's rules around them. Two
    captures of an unchanged sample are equal once masked; anything else that differs makes the sample stale."""
    for pattern, mask in VOLATILE:
        text = pattern.sub(mask, text)
    return text


def leaks(text: str, capture: Capture) -> list[str]:
    """Paths of this machine still in a normalised capture: no page may name them."""
    paths = {str(ROOT), str(capture.folder), tempfile.gettempdir(), str(Path.home())}
    found = [path for path in sorted(paths) if path in text]
    return found + re.findall(r"(?<![\w.])/(?:tmp|work|root|home)/[\w./-]*", text)


# --- running commands ----------------------------------------------------------------------------------------


def environment(**extra: str) -> dict[str, str]:
    """The commands' environment: this one without any Horneross variable, pytest options or GitHub Actions' (inside
    a job a run adds annotations), this checkout first on the path, a terminal ``WIDTH`` wide, unbuffered output (so
    stdout and stderr interleave as on a terminal), UTC."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HORNEROSS_", "GITHUB_"))}
    env.pop("PYTEST_ADDOPTS", None)
    path = [str(ROOT), *extra.pop("PYTHONPATH", "").split(os.pathsep), os.environ.get("PYTHONPATH", "")]
    env |= {"PYTHONPATH": os.pathsep.join(filter(None, path)), "COLUMNS": str(WIDTH), "LINES": "50"}
    env |= {"PYTHONUNBUFFERED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    return env | extra


def command(words: list[str]) -> list[str]:
    """The process that runs what a page shows as ``words``: ``horneross-conformance`` and ``pytest`` are run from
    this interpreter, with this checkout's package."""
    if words[0] == "horneross-conformance":
        return [sys.executable, "-m", "horneross_conformance.cli", *words[1:]]
    if words[0] == "pytest":
        return [sys.executable, "-m", "pytest", *words[1:]]
    return words


def run(words: list[str], capture: Capture, env: dict[str, str] | None = None) -> tuple[str, int]:
    """Run ``words`` in the capture's folder: what it printed (stdout and stderr, interleaved) and its exit code."""
    result = subprocess.run(
        command(words),
        cwd=capture.folder,
        env=env or environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=RUN_LIMIT,
    )
    return result.stdout, result.returncode


def console(*steps: tuple[list[str], str, int | None]) -> str:
    """A console block: each command after ``$ ``, what it printed, and ``$ echo $?`` with its exit code when the
    step gives one. Commands are shown as the page documents them (``normalise`` puts the documented ports)."""
    lines = []
    for words, output, code in steps:
        lines.append("$ " + " ".join(words))
        lines.append(output.rstrip("\n"))
        if code is not None:
            lines += ["$ echo $?", str(code)]
    return "\n".join(line for line in lines if line)


class Listening:
    """A running ``horneross-conformance listen``, its output read as it comes, as a terminal would."""

    def __init__(self, words: list[str], capture: Capture, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command(words),
            cwd=capture.folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for(lambda lines: any("Ctrl-C to stop" in line for line in lines), "start")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, done: Callable[[list[str]], bool], what: str) -> None:
        deadline = time.monotonic() + START_LIMIT
        while not done(list(self.lines)):
            if time.monotonic() > deadline or (self.process.poll() is not None and not self._reader.is_alive()):
                self.process.kill()
                raise SystemExit(f"listen did not {what}: {''.join(self.lines)}")
            time.sleep(0.05)

    def stop(self) -> str:
        """Stop it as Ctrl-C does, and return everything it printed."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(START_LIMIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)
            self._reader.join(10)
            assert self.process.stdout is not None
            self.process.stdout.close()
        return "".join(self.lines)


@contextlib.contextmanager
def listening(words: list[str], capture: Capture, env: dict[str, str]) -> Iterator[Listening]:
    listener = Listening(words, capture, env)
    try:
        yield listener
    finally:
        if listener.process.poll() is None:
            listener.process.kill()
            listener.process.wait(10)


def deliveries(listener: Listening, count: int) -> None:
    """Wait until ``listener`` has printed ``count`` deliveries."""
    listener.wait_for(lambda lines: sum(bool(re.match(r"\d\d:\d\d:\d\d #", line)) for line in lines) >= count, "print")


def sample_module(name: str) -> ModuleType:
    """A module of ``scripts/samples/``, by its file."""
    spec = importlib.util.spec_from_file_location(f"samples_{name}", SAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def receiver(name: str) -> Any:
    """A fresh receiver of ``scripts/samples/receivers.py``, by its class name."""
    return getattr(sample_module("receivers"), name)()


def lines_from(text: str, first: str, stop: str | None = None) -> str:
    """The lines of ``text`` from the first that starts with ``first`` up to (not including) the next that starts
    with ``stop``, or to the end."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next((i for i in range(start + 1, len(lines)) if stop and lines[i].startswith(stop)), len(lines))
    return "\n".join(lines[start:end])


def copy_files(capture: Capture, *names: str) -> None:
    """Copy files or folders of ``scripts/samples/files`` into the capture's folder."""
    for name in names:
        source = FILES / name
        if source.is_dir():
            shutil.copytree(source, capture.folder / name)
        else:
            shutil.copy(source, capture.folder / name)


# --- the recipes -----------------------------------------------------------------------------------------------

ENDPOINT_PORT = 8080  # where the pages' receivers listen
LISTEN_PORT = 8090  # where the pages' listen listens
REPLAY_PORT = 3000  # the receiver replay sends to, in docs/inspector.md


def receiver_run(capture: Capture, name: str, words: list[str]) -> str:
    """``words`` (``{url}`` in them: the endpoint) against the sample receiver ``name``; what it printed."""
    with capture.serving(receiver(name), ENDPOINT_PORT) as url:
        endpoint = url.replace("127.0.0.1", "localhost") + "/webhook"  # as the pages' commands name it
        output, _ = run(
            [word.format(url=endpoint) for word in words], capture, environment(HORNEROSS_WEBHOOK_SECRET=SECRET)
        )
    return output


def receiver_suite_run(capture: Capture) -> str:
    """docs/receiver-suite.md: the receiver suite in pytest, whole, against a receiver that skips verification when
    the header is missing and answers 400 to event types it does not know."""
    return receiver_run(
        capture, "TrustsUnsignedRejectsNewTypes", ["pytest", "--horneross-endpoint={url}", "--horneross-seed=1"]
    )


def go_build(capture: Capture, folder: Path, source: str, binary: str) -> None:
    """``go build`` of ``source`` (in ``folder``) into the capture's folder as ``binary``, with nothing fetched."""
    go = shutil.which("go")
    if go is None:
        raise SystemExit("this sample builds Go: install Go 1.19+ (Debian: apt-get install golang-go)")
    env = {**os.environ, "GOPROXY": "off", "GOWORK": "off", "GOTOOLCHAIN": "local"}
    built = subprocess.run(
        [go, "build", "-o", str(capture.folder / binary), source],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
    )
    if built.returncode != 0:
        raise SystemExit(f"go build {source}: {built.stdout}{built.stderr}")


@contextlib.contextmanager
def go_receiver(capture: Capture, mode: str) -> Iterator[str]:
    """The Go receiver of the tests (``tests/go/receiver``: net/http and encoding/json, standard library only) in
    ``mode``, verifying with ``SECRET``; yields its webhook URL, as the pages name it (localhost)."""
    go_build(capture, ROOT / "tests" / "go" / "receiver", "main.go", "go-receiver")
    process = subprocess.Popen(
        [str(capture.folder / "go-receiver"), "-mode", mode],
        cwd=capture.folder,
        env={**os.environ, "HORNEROSS_WEBHOOK_SECRET": SECRET},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        if not select.select([process.stdout], [], [], START_LIMIT)[0]:
            raise SystemExit(f"the Go receiver (-mode {mode}) did not start within {START_LIMIT:g} s")
        words = process.stdout.readline().split()
        if words[:1] != ["listening"] or len(words) != 2:
            raise SystemExit(f"the Go receiver (-mode {mode}) did not start: it printed {' '.join(words)!r}")
        threading.Thread(target=process.stdout.read, daemon=True).start()  # a full pipe never blocks it
        capture.ports[int(words[1])] = ENDPOINT_PORT
        yield f"http://localhost:{words[1]}/webhook"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def go_receiver_run(capture: Capture, mode: str) -> str:
    """``run --endpoint`` against the Go receiver in ``mode``, with the samples' seed; what it printed."""
    with go_receiver(capture, mode) as url:
        words = ["horneross-conformance", "run", "--endpoint", url, "--seed", "1"]
        output, _ = run(words, capture, environment(HORNEROSS_WEBHOOK_SECRET=SECRET))
    return output


def root_cause_go_map(capture: Capture) -> str:
    """README.md: ``run --endpoint`` against a Go receiver that verifies ``json.Marshal`` of the ``map[string]any``
    it parsed (``tests/go/receiver -mode map``): its root cause, the first check it explains; ``...``, then the
    verdict line."""
    output = go_receiver_run(capture, "map")
    head = lines_from(output, "root cause:", "RCV-01 ")
    first = "\n".join(lines_from(output, "RCV-01 ").splitlines()[:2])
    return "\n".join([head, first, "...", lines_from(output, "verdict:")])


def root_cause_go_struct(capture: Capture) -> str:
    """docs/receiver-suite.md: the root cause of a Go receiver that verifies ``json.Marshal`` of a struct whose
    ``data`` is a ``map[string]any`` (``tests/go/receiver -mode struct``), as ``run --endpoint`` prints it at the
    head of the verdict (the root cause alone)."""
    output = go_receiver_run(capture, "struct")
    return lines_from(output, "root cause:", "RCV-01 ")


def generated_failure(capture: Capture) -> str:
    """docs/receiver-suite.md: RCV-GEN-003's failure, as pytest reports it (``-k RCV-GEN-003``), against a receiver
    that answers 400 to a ``newStatus`` other than the four it knows: the failure's text alone."""
    output = receiver_run(
        capture,
        "KnowsFourStatuses",
        ["pytest", "--horneross-endpoint={url}", "--horneross-seed=1", "-k", "RCV-GEN-003"],
    )
    return lines_from(output, "RCV-GEN-003 [", "=====")


def check_encoder_go(capture: Capture) -> str:
    """docs/sender-suite.md: ``check-encoder`` on an encoder built on Go's ``encoding/json``
    (``tests/go/stdlib_json.go``, built with ``go build``), whole, and its exit code."""
    go_build(capture, ROOT / "tests" / "go", "stdlib_json.go", "stdlib-json")
    words = ["horneross-conformance", "check-encoder", "--seed", "1", "--", "./stdlib-json"]
    output, code = run(words, capture)
    return console((words, output, code))


def sender_suite_run(capture: Capture) -> str:
    """docs/sender-suite.md: the sender suite in pytest, whole, against a dispatcher that takes any 2xx for success
    (``scripts/samples/acme_webhooks.py``)."""
    env = environment(PYTHONPATH=str(SAMPLES))
    output, _ = run(["pytest", "--horneross-sender=acme_webhooks:create", "--horneross-seed=1"], capture, env)
    return output


def validate(capture: Capture) -> str:
    """docs/toolbox.md: ``validate`` on a folder of fixtures and a JSON Lines log (``scripts/samples/files``)."""
    copy_files(capture, "fixtures", "deliveries.jsonl")
    words = ["horneross-conformance", "validate", "fixtures", "deliveries.jsonl"]
    output, code = run(words, capture)
    return console((words, output, code))


def sign(capture: Capture) -> str:
    """docs/toolbox.md: ``sign`` on a pretty-printed payload file."""
    copy_files(capture, "fixtures")
    words = ["horneross-conformance", "sign", "fixtures/lead.captured.json"]
    output, _ = run(words, capture, environment(HORNEROSS_WEBHOOK_SECRET=SECRET))
    return console((words, output, None))


def reference_receiver() -> Any:
    from horneross_conformance.receiver.reference import ReferenceReceiver

    return ReferenceReceiver(SECRET)


def send(capture: Capture) -> str:
    """docs/toolbox.md: ``send`` of a sample event to the bundled reference receiver."""
    with capture.serving(reference_receiver(), ENDPOINT_PORT) as url:
        words = ["horneross-conformance", "send", f"{url}/webhook", "--type", "lead.captured"]
        output, _ = run(words, capture, environment(HORNEROSS_WEBHOOK_SECRET=SECRET))
    return console((words, output, None))


def send_wrong_secret(capture: Capture) -> str:
    """docs/toolbox.md: the same ``send`` with another secret than the receiver's: from its answer on."""
    with capture.serving(reference_receiver(), ENDPOINT_PORT) as url:
        words = ["horneross-conformance", "send", f"{url}/webhook", "--type", "lead.captured"]
        output, _ = run(words, capture, environment(HORNEROSS_WEBHOOK_SECRET="whsec_the_staging_one"))
    return lines_from(output, "answer:")


def listen(capture: Capture) -> str:
    """docs/toolbox.md: ``listen``, answering the first attempt of each event with 500, while ``send`` delivers: a
    lead twice (a retry), a message with a wrong signature, a lead with a bad email twice; stopped with Ctrl-C."""
    copy_files(capture, "fixtures", "lead-bad-email.json")
    env = environment(HORNEROSS_WEBHOOK_SECRET=SECRET)
    port = capture.port(LISTEN_PORT)
    words = ["horneross-conformance", "listen", "--port", str(port), "--fail-first", "1"]
    words += ["--log", "deliveries-seen.jsonl"]
    with listening(words, capture, env) as listener:
        url = f"http://127.0.0.1:{port}/hooks/horneross"
        sends = [
            ["--file", "fixtures/lead.captured.json"],
            ["--file", "fixtures/lead.captured.json"],
            ["--type", "conversation.message.created", "--signature", "wrong"],
            ["--file", "lead-bad-email.json"],
            ["--file", "lead-bad-email.json"],
        ]
        for number, options in enumerate(sends, 1):
            run(["horneross-conformance", "send", url, *options], capture, env)
            deliveries(listener, number)
        output = listener.stop()
    return console((words, output, None))


def listen_ui(capture: Capture) -> str:
    """docs/inspector.md: ``listen --ui --db``, what it prints when it starts (up to ``Ctrl-C to stop``: it runs
    until then); the secret is given in the environment, as the block's first line shows."""
    port = capture.port(LISTEN_PORT)
    words = ["horneross-conformance", "listen", "--port", str(port), "--ui", "--db", "deliveries.sqlite3"]
    with listening(words, capture, environment(HORNEROSS_WEBHOOK_SECRET=SECRET)) as listener:
        output = listener.stop()
    started = output.split("  Ctrl-C to stop\n", 1)[0] + "  Ctrl-C to stop"
    return console((["export", "HORNEROSS_WEBHOOK_SECRET=..."], "", None), (words, started, None))


def replay(capture: Capture) -> str:
    """docs/inspector.md: ``replay`` of what ``listen --db`` kept (a lead, signed; a conversation, forged) to the
    bundled reference receiver."""
    copy_files(capture, "fixtures")
    env = environment(HORNEROSS_WEBHOOK_SECRET=SECRET)
    port = capture.port(LISTEN_PORT)
    with listening(
        ["horneross-conformance", "listen", "--port", str(port), "--db", "deliveries.sqlite3"], capture, env
    ) as listener:
        url = f"http://127.0.0.1:{port}/hooks"
        run(["horneross-conformance", "send", url, "--file", "fixtures/lead.captured.json"], capture, env)
        run(
            ["horneross-conformance", "send", url, "--type", "conversation.created", "--signature", "wrong"],
            capture,
            env,
        )
        deliveries(listener, 2)
        listener.stop()
    with capture.serving(reference_receiver(), REPLAY_PORT) as url:
        words = ["horneross-conformance", "replay", "--db", "deliveries.sqlite3", "--to", f"{url}/webhooks/horneross"]
        output, _ = run(words, capture, env)
    return console((words, output, None))


@functools.cache
def _reports() -> tuple[str, str]:
    """The JSON and Markdown reports of the receiver suite's run of docs/receiver-suite.md, written by pytest's
    ``--horneross-report``, normalised (one run for both samples)."""
    with tempfile.TemporaryDirectory() as folder:
        capture = Capture(Path(folder))
        receiver_run(
            capture,
            "TrustsUnsignedRejectsNewTypes",
            [
                "pytest",
                "--horneross-endpoint={url}",
                "--horneross-seed=1",
                "--horneross-report=report.json",
                "--horneross-report=report.md",
            ],
        )
        texts = [(capture.folder / name).read_text(encoding="utf-8") for name in ("report.json", "report.md")]
        return normalise(texts[0], capture), normalise(texts[1], capture)


def report_json(capture: Capture) -> str:
    """docs/verdicts-and-reports.md: the JSON report of that run, cut down by this recipe: the failed requirement
    alone, with its first two checks, each check's wire log replaced by the number of its exchanges."""
    report = json.loads(_reports()[0])
    failed = next(r for r in report["requirements"] if r["outcome"] == "failed")
    checks = [{**check, "wire": _exchanges(len(check["wire"]["exchanges"]))} for check in failed["checks"][:2]]
    more_checks = f"... {len(failed['checks']) - len(checks)} more checks"
    more = f"... {len(report['requirements']) - 1} more requirements"
    report["requirements"] = [{**failed, "checks": [*checks, more_checks]}, more]
    return json.dumps(report, indent=2, ensure_ascii=False)  # as the report is written


def _exchanges(count: int) -> str:
    return f"... {count} exchange{'' if count == 1 else 's'}: each request and its answer, headers and body"


def report_markdown(capture: Capture) -> str:
    """docs/verdicts-and-reports.md: the Markdown report of that run, whole."""
    return _reports()[1].rstrip("\n")


@dataclass(frozen=True)
class Recipe:
    page: str
    language: str
    make: Callable[[Capture], str]
    cheap: bool = False  # a fraction of a CPU-second: the tests capture it again


RECIPES: dict[str, Recipe] = {
    "root-cause-go-map": Recipe("README.md", "text", root_cause_go_map),
    "receiver-suite-run": Recipe("docs/receiver-suite.md", "text", receiver_suite_run),
    "root-cause-go-struct": Recipe("docs/receiver-suite.md", "text", root_cause_go_struct),
    "generated-failure": Recipe("docs/receiver-suite.md", "text", generated_failure),
    "check-encoder-go": Recipe("docs/sender-suite.md", "console", check_encoder_go),
    "sender-suite-run": Recipe("docs/sender-suite.md", "text", sender_suite_run),
    "validate": Recipe("docs/toolbox.md", "console", validate, cheap=True),
    "sign": Recipe("docs/toolbox.md", "console", sign, cheap=True),
    "send": Recipe("docs/toolbox.md", "console", send),
    "send-wrong-secret": Recipe("docs/toolbox.md", "text", send_wrong_secret),
    "listen": Recipe("docs/toolbox.md", "console", listen),
    "listen-ui": Recipe("docs/inspector.md", "console", listen_ui),
    "replay": Recipe("docs/inspector.md", "console", replay),
    "report-json": Recipe("docs/verdicts-and-reports.md", "json", report_json),
    "report-markdown": Recipe("docs/verdicts-and-reports.md", "markdown", report_markdown),
}


def capture(name: str) -> str:
    """The sample ``name``, captured now from a real run and normalised."""
    with tempfile.TemporaryDirectory(prefix="horneross-sample-") as folder:
        run_of = Capture(Path(folder))
        text = normalise(RECIPES[name].make(run_of), run_of).strip("\n")
        found = leaks(text, run_of)
    if found:
        raise SystemExit(f"{name}: the capture names paths of this machine: {', '.join(found)}")
    return text


def fenced(name: str, text: str) -> str:
    """The sample's block as the page holds it between its markers."""
    fence = "````" if RECIPES[name].language == "markdown" else "```"
    return f"{fence}{RECIPES[name].language}\n{text}\n{fence}\n"


def stale(names: list[str], write: bool, root: Path = ROOT) -> list[str]:
    """The samples of ``names`` whose page (in the checkout at ``root``) differs from a fresh capture, once both are
    ``comparable``; rewritten with the capture when ``write``. A sample that is not stale keeps its page's text, so
    the figures of the run that last wrote it stay."""
    found = []
    samples = page_samples(root)
    for name in names:
        recipe = RECIPES[name]
        if name not in samples:
            raise SystemExit(f"{recipe.page}: no <!-- sample:{name} --> markers")
        page, block = samples[name]
        if page != recipe.page:
            raise SystemExit(f"the sample {name} is in {page}, its recipe says {recipe.page}")
        text = capture(name)
        if block.language == recipe.language and comparable(block.text) == comparable(text):
            continue
        found.append(f"{page}: {name}")
        if write:
            path = root / page
            content = path.read_text(encoding="utf-8")
            start, end, _ = marked(content)[name]
            path.write_text(content[:start] + fenced(name, text) + content[end:], encoding="utf-8")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="rewrite the stale samples")
    parser.add_argument("--only", metavar="NAME", action="append", choices=sorted(RECIPES), help="this sample only")
    args = parser.parse_args(argv)
    found = stale(args.only or list(RECIPES), args.write)
    for sample in found:
        print(f"{'rewrote' if args.write else 'stale'}: {sample}")
    return 0 if args.write or not found else 1


if __name__ == "__main__":
    sys.exit(main())
