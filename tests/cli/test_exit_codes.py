"""One table of exit codes for every command: the README's table is ``cli.usage.EXIT_CODES``, and each command's
failure modes, run as a user runs them, exit with the code the table gives them."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path

import pytest
import receivers as r
from command_line import cli
from documentation import documentation

from horneross_conformance.cli.usage import EXIT_CODES, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from horneross_conformance.core.events import sample_event

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
README = documentation()


def test_the_readme_table_is_the_table_in_the_code() -> None:
    section = re.search(r"<!-- exit-codes -->\n(.+?)\n<!-- /exit-codes -->", README, re.S)
    assert section is not None
    rows = [line for line in section.group(1).splitlines() if re.match(r"\| \d+ \|", line)]
    assert {int(row.split("|")[1]): row.split("|")[2].strip() for row in rows} == EXIT_CODES


def _files(folder: Path) -> None:
    (folder / "valid.json").write_text(json.dumps(sample_event("lead.captured")))
    (folder / "malformed.json").write_text('{"type": ')
    invalid = sample_event("lead.captured")
    invalid["data"]["contact"]["email"] = "nope"
    (folder / "invalid.json").write_text(json.dumps(invalid))


@pytest.mark.parametrize(
    ("args", "env", "code"),
    [
        (("validate", "valid.json"), {}, EXIT_OK),
        (("validate", "invalid.json"), {}, EXIT_FAILED),
        (("validate", "malformed.json"), {}, EXIT_FAILED),  # judging files is validate's job
        (("validate", "nowhere.json"), {}, EXIT_USAGE),
        (("validate", "--formt", "json", "valid.json"), {}, EXIT_USAGE),
        (("sign", "valid.json"), SECRET_ENV, EXIT_OK),
        (("sign", "malformed.json"), SECRET_ENV, EXIT_USAGE),  # was 1, where send said 2
        (("sign", "nowhere.json"), SECRET_ENV, EXIT_USAGE),
        (("sign", "valid.json"), {}, EXIT_USAGE),
        (("send", "CLOSED", "--file", "malformed.json"), SECRET_ENV, EXIT_USAGE),
        (("send", "CLOSED", "--file", "valid.json"), SECRET_ENV, EXIT_FAILED),
        (("send", "localhost:1"), SECRET_ENV, EXIT_USAGE),
        (("listen", "--status", "999"), SECRET_ENV, EXIT_USAGE),
        (("listen", "--fail-status", "abc"), SECRET_ENV, EXIT_USAGE),
        (("run", "--endpoint", "localhost:1"), SECRET_ENV, EXIT_USAGE),
        (("run", "--report", "x.txt"), {}, EXIT_USAGE),
        (("run", "--endpoint", "CLOSED"), {}, EXIT_USAGE),
        (("run", "--sender", "no_such_module:create"), {}, EXIT_USAGE),
        (("run", "--timeout", "0"), {}, EXIT_USAGE),
        (("run", "--endpoint", "CLOSED", "--", "-k", "no-such-check"), SECRET_ENV, EXIT_USAGE),
        (("run", "--endpoint", "CLOSED", "--examples", "0"), SECRET_ENV, EXIT_FAILED),
        (("check-encoder", "--examples", "0", "--", "cat"), {}, EXIT_FAILED),  # cat writes its input back
        (("check-encoder", "--", "no-such-encoder"), {}, EXIT_USAGE),
        (("check-encoder", "--timeout", "-1", "--", "cat"), {}, EXIT_USAGE),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v) if isinstance(v, int) else "",
)
def test_each_failure_mode_exits_with_the_code_of_the_table(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], code: int
) -> None:
    _files(tmp_path)
    closed = r.closed_port()
    result = cli(*(closed if arg == "CLOSED" else arg for arg in args), cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if code == EXIT_USAGE:  # one line naming the command (argparse puts the command's usage before it)
        assert result.stderr.splitlines()[-1].startswith(f"horneross-conformance {args[0]}: "), result.stderr


def test_a_reader_that_goes_away_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    """``run | head``: the first line is read, the pipe closed, and the run stops at its next write, with 141."""
    import subprocess

    from command_line import environment, executable

    from horneross_conformance.cli.usage import EXIT_OUTPUT_CLOSED

    command = [executable(), "run", "--examples", "1"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        assert run.stdout is not None and run.stderr is not None
        assert b"bundled reference receiver listening on" in run.stdout.readline()
        run.stdout.close()
        error = run.stderr.read().decode()
        assert run.wait(timeout=60) == EXIT_OUTPUT_CLOSED, error
    assert "Traceback" not in error and "BrokenPipe" not in error, error


def test_a_subcommand_s_usage_error_shows_that_subcommand_s_usage(tmp_path: Path) -> None:
    result = cli("validate", "--formt", "json", "x.json", cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert result.stderr.startswith("usage: horneross-conformance validate ")
    assert "horneross-conformance validate: error: unrecognized arguments: --formt" in result.stderr


def test_run_names_its_own_options_in_one_error(tmp_path: Path) -> None:
    endpoint = cli("run", "--endpoint", "localhost:1", cwd=tmp_path, env=SECRET_ENV)
    assert endpoint.stderr == "horneross-conformance run: --endpoint: 'localhost:1' is not an http:// or https:// URL\n"
    report = cli("run", "--report", "x.txt", cwd=tmp_path)
    assert report.stderr.count("\n") == 1 and report.stderr.startswith("horneross-conformance run: --report: 'x.txt'")
    assert "horneross-" + "endpoint" not in endpoint.stderr and "x-receiver" not in report.stderr
    assert report.stdout == ""  # nothing ran


def test_send_calls_a_status_http_does_not_define_by_its_name(tmp_path: Path) -> None:
    def answer_999(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            connection.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            connection.sendall(b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with r.raw_endpoint(answer_999) as url:
        result = cli("send", url, cwd=tmp_path, env=SECRET_ENV)
    assert result.returncode == EXIT_FAILED
    assert "999 is not an HTTP status (HTTP defines 100 to 599)" in result.stdout
    assert "server error" not in result.stdout


@pytest.mark.slow
def test_send_to_an_endpoint_that_took_the_connection_blames_its_slowness_not_the_address(tmp_path: Path) -> None:
    with r.silent_endpoint() as url:
        result = cli("send", url, "--timeout", "1", cwd=tmp_path, env=SECRET_ENV)
    assert result.returncode == EXIT_FAILED
    assert "The endpoint took the connection but did not answer in time" in result.stdout
    assert "firewall" not in result.stdout
    refused = cli("send", r.closed_port(), "--timeout", "1", cwd=tmp_path, env=SECRET_ENV)
    assert "Is the receiver running" in refused.stdout
