"""check-encoder, run as a vendor runs it: JSON.stringify itself passes, Python's json.dumps fails with each fault
named, hostile encoders get one sentence in bounded time and are shown inert, and usage errors exit 2.

The Go kit's encoder and Go's encoding/json are checked in test_go_kit.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from command_line import cli
from hypothesis import HealthCheck, given, settings
from peers import ROOT, node_binary

from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from horneross_conformance.encoder.documents import line_json_text

PYTHON = sys.executable
NODE_STRINGIFY = (
    "require('readline').createInterface({input: process.stdin})"
    ".on('line', (line) => console.log(JSON.stringify(JSON.parse(line))))"
)


def python_encoder(body: str) -> list[str]:
    """A Python encoder: ``body`` runs for each ``line`` of input and returns what to print (flushed)."""
    return [PYTHON, "-c", f"import json, sys\nfor line in sys.stdin:\n    print({body}, flush=True)"]


def check(*arguments: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return cli("check-encoder", *arguments, cwd=ROOT, timeout=timeout, env=env)


def faults(result: subprocess.CompletedProcess[str], generated: bool = True) -> list[str]:
    """The faults named, in order; without the generated documents' counterexample unless ``generated``."""
    output = result.stdout if generated else result.stdout.split("\ngenerated documents:")[0]
    return [line.removeprefix("FAULT ").split(":")[0] for line in output.splitlines() if line.startswith("FAULT ")]


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The line that says how the encoder broke: exactly one, and no traceback anywhere."""
    assert "Traceback" not in result.stdout + result.stderr
    broke = [line for line in result.stdout.splitlines() if line.startswith("the encoder broke: ")]
    assert len(broke) == 1, result.stdout
    return broke[0]


@pytest.mark.slow
def test_node_json_stringify_passes() -> None:
    result = check("--examples", "200", "--", node_binary(), "-e", NODE_STRINGIFY)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "canonical vectors: all 41 written exactly as JSON.stringify writes them" in result.stdout
    assert "generated documents: all 200 written exactly" in result.stdout
    assert result.stdout.splitlines()[-1] == "check-encoder: PASSED: every output is exactly what JSON.stringify writes"


def test_python_json_dumps_fails_and_each_fault_is_named() -> None:
    result = check("--examples", "20", "--", *python_encoder("json.dumps(json.loads(line))"))
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    named = faults(result, generated=False)
    for fault in (
        "white space between tokens",
        "non-ASCII text escaped",
        "integer-like keys not first",
        "U+2028 or U+2029 escaped",
        "needless zeros in a number",
        "-0 written with its sign",
        "an integer beyond 2^53 kept exact",
        "exponent form for a number due in plain digits",
        "a number beyond the largest double not written null",
    ):
        assert fault in named, result.stdout
    assert len(named) == len(set(named)), "one message per fault"
    # located at the value at fault, in each output: the second 0, written -0.0 after a space
    block = (
        "  expected: [0,0,0,0]\n               ^ byte 3\n  actual:   [0, -0.0, -0.0, -0.0]\n                ^ byte 4"
    )
    assert block in result.stdout


def test_compact_json_dumps_that_crashes_on_a_lone_surrogate_gets_its_faults_and_one_sentence() -> None:
    """separators and ensure_ascii=False fix the layout, but print() cannot write a lone surrogate in UTF-8."""
    encoder = python_encoder("json.dumps(json.loads(line), separators=(',', ':'), ensure_ascii=False)")
    result = check("--", *encoder)
    assert result.returncode == EXIT_FAILED
    assert "integer-like keys not first" in faults(result)
    sentence = one_sentence(result)
    assert "exited with status 1 before answering line" in sentence and "UnicodeEncodeError" in sentence


@pytest.mark.slow
def test_a_fault_only_generated_documents_show_is_shrunk_and_repeats_with_its_seed() -> None:
    """An encoder right on every vector, wrong on a key "7": found among generated documents, shrunk to a small
    one, and the same seed gives the same report."""
    wrong_on_seven = "JSON.stringify(JSON.parse(line)).split('\"7\":').join('\"7\": ')"
    encoder = [node_binary(), "-e", NODE_STRINGIFY.replace("JSON.stringify(JSON.parse(line))", wrong_on_seven)]
    # the key "7" is rare among generated documents: most seeds meet it in 1000, not all (seed 3 stopped doing so
    # when modules were added: Hypothesis draws some values from the constants of the code it finds loaded)
    first, second = (check("--seed", "1", "--examples", "1000", "--", *encoder) for _ in range(2))
    assert first.returncode == EXIT_FAILED, first.stdout
    assert "canonical vectors: all 41 written exactly" in first.stdout
    assert "generated documents: one differs, shrunk to the smallest that still does" in first.stdout
    shown = next(line for line in first.stdout.splitlines() if line.startswith("  input:"))
    assert '"7"' in shown and len(shown) < 40, shown
    assert faults(first) == ["white space between tokens"]
    assert first.stdout == second.stdout


@pytest.mark.slow
def test_an_encoder_that_hangs_gets_one_sentence_within_its_timeout_and_is_killed(tmp_path: Path) -> None:
    """It starts a child of its own and sleeps: both are gone when check-encoder returns."""
    pids = tmp_path / "pids"
    code = (
        "import os, subprocess, time\nchild = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\ntime.sleep(300)"
    )
    result = check("--timeout", "1", "--", PYTHON, "-c", code)
    assert result.returncode == EXIT_FAILED
    sentence = one_sentence(result)
    assert "gave no answer to line 1 (canonical vector documentation-example) within 1 s" in sentence
    assert "flush" in sentence
    for pid in map(int, pids.read_text().split()):
        assert gone(pid), f"process {pid} outlived check-encoder"


def gone(pid: int, within: float = 5) -> bool:
    """Whether ``pid`` has ended (a zombie that only waits for its new parent to reap it has)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_an_encoder_that_buffers_its_output_is_told_to_flush() -> None:
    env = {"PYTHONUNBUFFERED": ""}  # Python's stdout to a pipe is then block-buffered
    result = check(
        "--timeout", "1", "--", PYTHON, "-c", "import sys\nfor line in sys.stdin: print(line, end='')", env=env
    )
    assert result.returncode == EXIT_FAILED
    assert "flush its output before reading the next" in one_sentence(result)


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (
            "import sys; sys.stderr.write('\\x1b[2Jcannot start\\n'); sys.exit(3)",
            "exited with status 3 before answering line 1",
        ),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "was killed by signal 9 before answering line 1"),
        ("import os, time; os.close(1); time.sleep(30)", "closed its standard output before answering"),
        pytest.param(  # waits out the 2 s timeout
            "import sys\nfor i, line in enumerate(sys.stdin):\n    print(line.strip(), flush=True) if i != 2 else None",
            "gave no answer to line 3 (canonical vector literals)",
            marks=pytest.mark.slow,
        ),
        (
            "import sys\nfor line in sys.stdin:\n    print(line.strip() + '\\n' + line.strip(), flush=True)",
            "wrote more than one line in answer to line 1",
        ),
        (
            "import sys; sys.stdin.readline(); sys.stdout.write('x' * (5 * 1024 * 1024)); sys.stdout.flush()",
            "answer to line 1 (canonical vector documentation-example) ran past 4 MiB without a line break",
        ),
    ],
    ids=["exits", "killed", "closes-stdout", "skips-a-line", "two-lines", "endless-line"],
)
def test_a_broken_encoder_gets_one_sentence(code: str, said: str) -> None:
    result = check("--timeout", "2", "--examples", "0", "--", PYTHON, "-c", code)
    assert result.returncode == EXIT_FAILED
    sentence = one_sentence(result)
    assert said in sentence, sentence
    assert "\x1b" not in result.stdout + result.stderr


def test_more_lines_after_the_last_answer_are_a_fault() -> None:
    code = "import sys\nfor line in sys.stdin:\n    print(line.strip(), flush=True)\nprint('[1]')\nprint('[2]')"
    result = check("--examples", "0", "--", PYTHON, "-c", code)
    assert result.returncode == EXIT_FAILED
    assert "wrote 2 more lines than the 41 it was given" in one_sentence(result)


def test_garbage_and_control_characters_are_shown_inert() -> None:
    paint = "'\\x1b[2J\\x1b[32mPASSED\\u202e\\x00\\u2028 ok'"
    result = check("--examples", "0", "--", *python_encoder(paint))
    assert result.returncode == EXIT_FAILED
    assert faults(result) == ["not JSON"]
    assert "actual:   <U+001B>[2J<U+001B>[32mPASSED<U+202E><U+0000><U+2028> ok" in result.stdout
    assert not {"\x1b", "\u202e", "\x00", "\u2028"} & set(result.stdout + result.stderr)


def test_bytes_that_are_not_utf8_are_named_and_shown_as_bytes() -> None:
    """A lone surrogate written as its three raw bytes (as a careless UTF-8 encoder does) is not UTF-8."""
    code = (
        "import sys, json\nout = sys.stdout.buffer\nfor line in sys.stdin:\n"
        "    text = json.dumps(json.loads(line), separators=(',', ':'), ensure_ascii=False)\n"
        "    out.write(text.encode('utf-8', 'surrogatepass') + b'\\n'); out.flush()"
    )
    result = check("--examples", "0", "--", PYTHON, "-c", code)
    assert "a lone surrogate written as raw bytes" in faults(result)
    assert '"é":3,"<ED><A0><BD>":4' in result.stdout  # the vector keys-escaped, its key "\\ud83d" as three bytes


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ((), "no encoder to run: name it after --"),
        (("--",), "no encoder to run: name it after --"),
        (("--", "/nonexistent/encoder"), "cannot start '/nonexistent/encoder': no such program"),
        (("--", str(ROOT / "README.md")), "is not executable"),
        (("--examples", "-1", "--", "cat"), "--examples: -1 is not 0 or more"),
        (("--timeout", "0", "--", "cat"), "--timeout: 0 is not a positive number of seconds"),
        (("--examples", "many", "--", "cat"), "invalid int value"),
    ],
    ids=[
        "no-command",
        "nothing-after-dashes",
        "not-found",
        "not-executable",
        "negative-examples",
        "zero-timeout",
        "bad-int",
    ],
)
def test_usage_errors_exit_2_with_one_line_and_nothing_checked(arguments: tuple[str, ...], said: str) -> None:
    result = check(*arguments)
    assert result.returncode == EXIT_USAGE
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    assert last.startswith("horneross-conformance check-encoder: ") and said in last, result.stderr


def test_cat_echoes_its_input_and_fails_only_where_json_stringify_changes_the_text() -> None:
    """An encoder that writes its input back: right where the input is already canonical, wrong elsewhere."""
    result = check("--examples", "0", "--", "cat")
    assert result.returncode == EXIT_FAILED
    assert "documentation-example" not in result.stdout
    assert "white space between tokens" in faults(result)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=line_json_text)
def test_every_generated_document_is_one_line_of_utf8_json(text: str) -> None:
    """What the protocol promises an encoder: no CR or LF in a text, and nothing UTF-8 cannot carry (a lone
    surrogate is always escaped)."""
    assert "\n" not in text and "\r" not in text
    text.encode("utf-8")
    json.loads(text)
