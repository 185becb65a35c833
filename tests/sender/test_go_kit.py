"""The Go kit (kits/go): its encoder passes check-encoder, Go's own encoding/json does not, and its sender harness
is certified CONFORMANT by a full sender suite run, exactly as a Go vendor would run them.

Go is built with the machine's ``go`` as tests/golang.py says: without it these tests fail, saying how to install
it, unless ``HORNEROSS_WITHOUT_GO=1`` leaves them out on purpose.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from command_line import cli
from documentation import documentation
from golang import RECEIVER_SOURCE, WITHOUT_GO, go
from peers import ROOT, harness
from suite_runner import run_sender_suite

from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK

KIT = ROOT / "kits" / "go"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The kit's encoder and sender, and an encoder on Go's encoding/json, built once per session."""
    folder = tmp_path_factory.mktemp("go")
    binaries = {"encoder": folder / "stringify-lines", "sender": folder / "horneross-sender"}
    go("build", "-o", str(binaries["encoder"]), "./encoder/lines", cwd=KIT)
    go("build", "-o", str(binaries["sender"]), "./sender", cwd=KIT)
    binaries["stdlib"] = folder / "stdlib-json"
    go("build", "-o", str(binaries["stdlib"]), "stdlib_json.go", cwd=ROOT / "tests" / "go")
    return binaries


@pytest.mark.slow
def test_the_kit_and_the_tests_go_are_gofmt_clean_vetted_and_the_kit_s_go_tests_pass() -> None:
    gofmt = shutil.which("gofmt") or str(Path(go("env", "GOROOT", cwd=KIT).stdout.strip()) / "bin" / "gofmt")
    unformatted = subprocess.run([gofmt, "-l", str(KIT), str(ROOT / "tests" / "go")], capture_output=True, text=True)
    assert unformatted.stdout == "" and unformatted.returncode == 0, unformatted.stdout + unformatted.stderr
    go("vet", "./...", cwd=KIT)
    go("vet", "main.go", cwd=RECEIVER_SOURCE)  # the Go receivers of tests/receiver/test_receiver_verdicts.py
    assert "ok" in go("test", "./...", cwd=KIT).stdout  # the canonical vectors, read by the kit's own test


@pytest.mark.slow
def test_the_go_encoder_passes_the_encoder_check_with_the_default_examples(built: dict[str, Path]) -> None:
    result = cli("check-encoder", "--", str(built["encoder"]), cwd=ROOT)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "PASSED: every output is exactly what JSON.stringify writes" in result.stdout


@pytest.mark.slow
def test_go_encoding_json_is_refused_with_keys_sorted_named(built: dict[str, Path]) -> None:
    result = cli("check-encoder", "--examples", "50", "--", str(built["stdlib"]), cwd=ROOT)
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert "FAULT keys sorted: integer-like keys" in result.stdout
    for fault in ("U+2028 or U+2029 escaped", "HTML characters escaped", "a lone surrogate replaced"):
        assert f"FAULT {fault}" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("check-encoder: FAILED: keys sorted")


README_BLOCK = re.compile(r"```console\n\$ (horneross-conformance check-encoder [^\n]*stdlib-json)\n(.+?)```", re.S)


def without_generated(output: str) -> str:
    """The output up to the generated documents: what follows them depends on Hypothesis' version too."""
    return output.split("\ngenerated documents:", 1)[0]


@pytest.mark.slow
def test_the_readme_shows_what_check_encoder_prints_for_go_encoding_json(built: dict[str, Path]) -> None:
    readme = documentation()
    found = README_BLOCK.search(readme)
    assert found is not None, "the README shows check-encoder's report on Go's encoding/json"
    command, shown = found.groups()
    arguments = [str(built["stdlib"]) if word == "./stdlib-json" else word for word in command.split()[1:]]
    result = cli(*arguments, cwd=ROOT)
    printed = result.stdout.replace(str(built["stdlib"]), "./stdlib-json")
    assert without_generated(printed) == without_generated(shown)
    assert "\ngenerated documents: one differs, shrunk" in printed and "\ngenerated documents: one differs" in shown
    assert printed.splitlines()[-1].startswith("check-encoder: FAILED: keys sorted")


def post(url: str, body: Any, content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


NOW = "2026-12-01T12:00:00.000Z"


@pytest.mark.slow
def test_the_go_harness_refuses_what_the_protocol_does_not_allow(built: dict[str, Path]) -> None:
    with harness(str(built["sender"]), "-delivery-timeout", "0.5") as url:
        status, created = post(f"{url}/senders", {"now": NOW})
        assert status == 200 and re.fullmatch(r"[A-Za-z0-9._~-]+", created["sender"])
        calls = f"{url}/senders/{created['sender']}"
        refused = [
            post(f"{url}/senders", {"now": "2026-12-01 12:00"}),
            post(f"{url}/senders", {"now": NOW}, content_type="text/plain"),
            post(f"{url}/senders/nobody/run-due", {"now": NOW}),
            post(f"{calls}/run-due", {"now": "2026-11-30T12:00:00.000Z"}),  # earlier than the last now
            post(f"{calls}/emit", {"now": NOW, "type": "lead.captured", "data": [1]}),
            post(f"{calls}/subscribe", {"now": NOW, "url": "ftp://x", "secret": "s", "events": None}),
            post(f"{url}/elsewhere", {"now": NOW}),
        ]
        assert [status for status, _ in refused] == [400, 400, 404, 400, 400, 400, 404]
        assert all(set(answer) == {"error"} for _, answer in refused)
        assert post(f"{calls}/emit", {"now": NOW, "type": "lead.captured", "data": {"a": "\ud83d"}})[0] == 200


@pytest.mark.slow
def test_the_go_kit_sender_is_certified_conformant(pytester: pytest.Pytester, built: dict[str, Path]) -> None:
    """A full run, no -k: CONFORMANT only when every requirement was checked and held."""
    with harness(str(built["sender"]), "-delivery-timeout", "0.5") as url:
        run = run_sender_suite(pytester, url)
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    assert run.report["status"] == "CONFORMANT"
    assert {r["outcome"] for r in run.report["requirements"]} == {"passed"}


def test_without_go_the_tests_fail_saying_how_to_install_it_unless_left_out_on_purpose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv(WITHOUT_GO, raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install golang-go"):
        go("version", cwd=KIT)
    monkeypatch.setenv(WITHOUT_GO, "1")
    with pytest.raises(pytest.skip.Exception, match="left out of this run on purpose"):
        go("version", cwd=KIT)
