"""The horneross-conformance command, run as a user runs it: a subprocess."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import receivers as r
from command_line import cli, environment, passed_its_selection

from horneross_conformance import __version__
from horneross_conformance.cli.run import named_plugins


@pytest.mark.slow
def test_run_without_a_target_certifies_both_bundled_reference_implementations(tmp_path: Path) -> None:
    """With few generated events, and the seed and number passed to both suites (the references are conformant
    with the default 50 too: tests/receiver/test_receiver_suite.py and test_sender_generated.py run them so)."""
    summary = tmp_path / "step-summary.md"  # and inside GitHub Actions, each suite's verdict where it shows them
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = cli(
        "run", "--strict", "--report", "report.json", "--examples", "3", "--seed", "77", cwd=tmp_path, env=github
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\n::notice title=Horneross verdict::CONFORMANT\n") == 2, result.stdout
    assert "::error" not in result.stdout and "::warning" not in result.stdout
    assert [line.split(" conformance")[0] for line in summary.read_text().splitlines() if line.startswith("## ")] == [
        "## Horneross receiver",
        "## Horneross sender",
    ]
    assert result.stdout.count("3 generated events per check, seed 77") == 2
    assert "bundled reference receiver listening on http://127.0.0.1:" in result.stdout
    assert "bundled reference sender: horneross_conformance.sender.reference:for_conformance" in result.stdout
    assert result.stdout.count("\nverdict: CONFORMANT") == 2  # one per suite, then the combined one
    assert result.stdout.rstrip().endswith(
        "combined verdict: CONFORMANT (receiver suite CONFORMANT, sender suite CONFORMANT)"
    )
    for role in ("receiver", "sender"):
        report = json.loads((tmp_path / f"report-{role}.json").read_text())
        assert report["role"] == role
        assert report["verdict"] == "conformant" and report["strict"] is True


@pytest.mark.slow
@pytest.mark.parametrize("extension", [".html", ".md"])
def test_run_writes_a_report_of_each_suite_in_the_format_its_extension_names(tmp_path: Path, extension: str) -> None:
    result = cli("run", "--report", f"r{extension}", "--", "-k", "SIG", cwd=tmp_path)
    assert passed_its_selection(result), result.stdout + result.stderr
    for role in ("receiver", "sender"):
        text = (tmp_path / f"r-{role}{extension}").read_text(encoding="utf-8")
        assert f"Horneross {role} conformance" in text
        assert text.startswith("<!DOCTYPE html>" if extension == ".html" else f"## Horneross {role} conformance: ")


@pytest.mark.slow
def test_run_against_a_sender_runs_the_sender_suite_only(tmp_path: Path) -> None:
    (tmp_path / "mysender.py").write_text(
        "from horneross_conformance.sender.reference import ReferenceSender\n\n"
        "def create():\n    return ReferenceSender(timeout=0.5)\n"
    )
    result = cli(
        "run",
        "--sender",
        "mysender:create",
        "--report",
        "r.json",
        "--examples",
        "3",
        "--",
        "-k",
        "not SND-RTY-013",
        cwd=tmp_path,
    )
    assert passed_its_selection(result), result.stdout + result.stderr
    assert "horneross: sender suite against mysender:create" in result.stdout
    assert "receiver" not in result.stdout
    assert json.loads((tmp_path / "r.json").read_text())["role"] == "sender"


@pytest.mark.slow
def test_run_against_a_broken_sender_is_non_conformant(tmp_path: Path) -> None:
    (tmp_path / "mysender.py").write_text(
        "from horneross_conformance.sender.reference import ReferenceSender\n\n"
        "class Impatient(ReferenceSender):\n"
        "    def post(self, delivery):\n"
        "        delivery.attempts = 5\n"
        "        return super().post(delivery)\n"
    )
    result = cli("run", "--sender", "mysender:Impatient", "--", "-k", "SND-RTY-011", cwd=tmp_path)
    assert result.returncode == 1
    assert "attempt 2 to endpoint A did not arrive at +60 s" in result.stdout
    assert "verdict: NON-CONFORMANT: 1 requirement failed (SND-05)" in result.stdout


def test_run_refuses_a_negative_number_of_examples(tmp_path: Path) -> None:
    """Passing the number and the seed to both suites: the test above."""
    bad = cli("run", "--examples", "-1", cwd=tmp_path)
    assert bad.returncode == 2  # the command's usage error, naming its own option
    assert bad.stderr == "horneross-conformance run: --examples: -1 is not 0 or more\n"


def test_run_takes_one_target_at_most(tmp_path: Path) -> None:
    result = cli("run", "--endpoint", "http://127.0.0.1:9/x", "--sender", "m:f", cwd=tmp_path)
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_run_ignores_the_folder_s_own_pytest_configuration(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --definitely-not-an-option\n")
    (tmp_path / "conftest.py").write_text("raise RuntimeError('not the suite\\'s conftest')\n")
    result = cli("run", "--", "-q", "-k", "RCV-ACK", cwd=tmp_path)
    assert passed_its_selection(result), result.stdout + result.stderr


@pytest.mark.slow
def test_run_loads_no_other_installed_plugin_unless_it_is_named(tmp_path: Path) -> None:
    """Hypothesis, schemathesis, pytest-httpserver and more are installed, each a pytest plugin: none is loaded
    (pytest names in its header the plugins it loaded from installed packages), but one named with -p."""
    few = ["--examples", "0", "--", "-k", "RCV-ACK-001 or SND-SIG-001"]
    result = cli("run", *few, cwd=tmp_path)
    assert passed_its_selection(result), result.stdout + result.stderr
    assert "plugins:" not in result.stdout
    named = cli("run", *few, "-p", "pytest_httpserver", cwd=tmp_path)
    assert passed_its_selection(named), named.stdout + named.stderr
    assert re.search(r"^plugins: pytest_httpserver-[\d.]+$", named.stdout, re.M), named.stdout


@pytest.mark.parametrize(
    ("after", "left_to_them"),
    [
        (["-p", "xdist", "-n", "1"], {"xdist.plugin"}),
        (["-pxdist", "-n", "1"], {"xdist.plugin"}),
        (["-p", "horneross"], {"horneross_conformance.plugin"}),
        (["-p", "no:xdist"], {"xdist.plugin"}),
        (["-k", "RCV-ACK-001"], set()),
    ],
)
def test_run_names_its_plugins_unless_the_options_after_the_double_dash_name_or_refuse_them(
    after: list[str], left_to_them: set[str]
) -> None:
    """pytest refuses a plugin registered under two names: one the options name is theirs alone."""
    assert set(named_plugins([])) - set(named_plugins(after)) == left_to_them


@pytest.mark.slow
def test_run_takes_its_own_plugins_named_again_or_refused_after_the_double_dash(tmp_path: Path) -> None:
    few = ["--examples", "0", "--", "-k", "RCV-ACK-001 or SND-SIG-001"]
    result = cli("run", *few, "-pxdist", "-n", "1", cwd=tmp_path)  # one worker is xdist
    assert passed_its_selection(result), result.stdout + result.stderr
    assert "rootdir: " in result.stdout and "configfile:" not in result.stdout  # it reads none: no "../dev/null"
    refused = cli("run", *few, "-p", "no:xdist", "-n", "2", cwd=tmp_path)
    assert "unrecognized arguments: -n" in refused.stderr  # pytest-xdist is not loaded, as asked


@pytest.mark.slow
def test_run_against_an_endpoint_needs_the_secret_in_the_environment(tmp_path: Path) -> None:
    result = cli("run", "--endpoint", r.closed_port(), cwd=tmp_path)
    assert result.returncode == 2  # the command's usage error (docs: exit codes), not pytest's 4
    assert result.stderr == (
        "horneross-conformance run: --endpoint: the endpoint's secret is read from HORNEROSS_WEBHOOK_SECRET, "
        "which is not set\n"
    )
    assert "collected" not in result.stdout


def test_run_against_an_unreachable_endpoint_is_non_conformant(tmp_path: Path) -> None:
    env = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
    result = cli("run", "--endpoint", r.closed_port(), cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "verdict: NON-CONFORMANT" in result.stdout
    assert r.SECRET not in result.stdout + result.stderr


@pytest.mark.slow
def test_version_and_help(tmp_path: Path) -> None:
    assert cli("--version", cwd=tmp_path).stdout.strip() == f"horneross-conformance {__version__}"
    overview = cli("--help", cwd=tmp_path).stdout
    for command in ("validate", "sign", "send", "listen", "run"):
        assert f"    {command} " in overview
    help_text = cli("run", "--help", cwd=tmp_path).stdout
    for option in ("--endpoint", "--sender", "--timeout", "--report", "--strict"):
        assert option in help_text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("validate", ("--format", "--allow-unknown-types", "--lines", "--fail-fast")),
        ("sign", ("--secret-env", "--raw")),
        ("send", ("--type", "--file", "--secret-env", "--signature", "--timeout")),
        ("listen", ("--port", "--status", "--fail-first", "--delay", "--forward-to", "--log", "--count")),
        ("run", ("--endpoint", "--sender", "--report", "--examples", "--seed")),
    ],
)
def test_every_subcommand_has_help_naming_its_options(tmp_path: Path, command: str, options: tuple[str, ...]) -> None:
    result = cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"usage: horneross-conformance {command}")
    for option in options:
        assert option in result.stdout


@pytest.mark.slow
def test_no_subcommand_or_an_unknown_one_is_a_usage_error(tmp_path: Path) -> None:
    for args in ((), ("frobnicate",)):
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 2
        assert "usage: horneross-conformance" in result.stderr and "Traceback" not in result.stderr


def test_reference_receiver_module_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "horneross_conformance.receiver.reference", "--port", "0"],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "set HORNEROSS_WEBHOOK_SECRET" in result.stderr


@pytest.mark.slow
def test_run_passes_deliveries_in_flight_and_refuses_fewer_than_one(tmp_path: Path) -> None:
    alone = cli("run", "--in-flight", "1", "--examples", "3", "--", "-k", "RCV-GEN-001", cwd=tmp_path)
    assert passed_its_selection(alone), alone.stdout + alone.stderr
    # RCV-GEN-001 passed; RCV-01's other checks were left out, so it is not checked
    assert "RCV-01  MUST          UNCHECKED" in alone.stdout and "1 of " in alone.stdout
    bad = cli("run", "--in-flight", "0", cwd=tmp_path)
    assert bad.returncode == 2  # a usage error (cli/usage.py), said once, before any suite starts
    assert bad.stderr == "horneross-conformance run: --in-flight: 0 is not 1 or more\n"


@pytest.mark.slow
def test_run_puts_the_bundled_receiver_on_the_port_given_or_says_why_it_cannot(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("run", "--port", str(port), "--examples", "0", "--", "-k", "RCV-ACK-001", cwd=tmp_path)
    assert f"bundled reference receiver listening on http://127.0.0.1:{port}/webhook" in result.stdout, result.stdout
    assert passed_its_selection(result), result.stdout + result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        refused = cli("run", "--port", str(busy), cwd=tmp_path)
    assert refused.returncode == 2 and f"--port: cannot listen on port {busy}" in refused.stderr
    beside = cli("run", "--port", str(port), "--endpoint", "http://127.0.0.1:9/webhook", cwd=tmp_path)
    assert beside.returncode == 2 and "this run tests no bundled receiver" in beside.stderr
