"""``horneross-conformance sign`` and ``send``, run as a user runs them, against real receivers."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import receivers as r
from command_line import cli
from golang import go_receiver
from peers import NodeStringify, express_receiver
from suite_runner import run_suite

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
STRESS = {"type": "lead.captured", "data": {"conversationId": "c1", "contact": {"firstName": "Zoë\u2028 😀 \ud800"}}}


@contextlib.contextmanager
def receiving(app: Any) -> Iterator[str]:
    with serve(app) as base:
        yield f"{base}/webhook"


def _json_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_sign_prints_what_node_computes_on_json_stringify_of_the_payload(tmp_path: Path, node: NodeStringify) -> None:
    pretty = json.dumps(STRESS, indent=2, ensure_ascii=True)  # escaped, pretty: other bytes, the same payload
    _json_file(tmp_path, "pretty.json", pretty)
    result = cli("sign", "pretty.json", cwd=tmp_path, env=SECRET_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout == node.hmac_of_reserialized(r.SECRET, pretty.encode()) + "\n"
    assert (
        "warning: pretty.json: the bytes are not the JSON.stringify form of the payload: from byte 1" in result.stderr
    )
    assert "--raw prints it" in result.stderr
    raw = cli("sign", "--raw", "pretty.json", cwd=tmp_path, env=SECRET_ENV)
    assert raw.stdout == sign(pretty.encode(), r.SECRET) + "\n" != result.stdout
    assert r.SECRET not in result.stdout + result.stderr + raw.stdout + raw.stderr


@pytest.mark.slow
def test_sign_is_quiet_about_a_canonical_file_and_precise_about_a_final_newline(tmp_path: Path) -> None:
    canonical = canonical_bytes(STRESS)
    (tmp_path / "canonical.json").write_bytes(canonical)
    quiet = cli("sign", "canonical.json", cwd=tmp_path, env=SECRET_ENV)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == sign(canonical, r.SECRET) + "\n"
    (tmp_path / "newline.json").write_bytes(canonical + b"\n")
    newline = cli("sign", "newline.json", cwd=tmp_path, env=SECRET_ENV)
    assert newline.stdout == quiet.stdout
    assert "only the line break at the end differs from the JSON.stringify form" in newline.stderr
    piped = cli("sign", "-", cwd=tmp_path, env=SECRET_ENV, stdin=canonical.decode("utf-8", "surrogatepass"))
    assert piped.returncode in (0, 1)  # a lone surrogate cannot cross a text pipe; the file cases above cover it
    other = cli("sign", "--secret-env", "MY_SECRET", "canonical.json", cwd=tmp_path, env={"MY_SECRET": "other"})
    assert other.stdout == sign(canonical, "other") + "\n"


@pytest.mark.slow
def test_sign_without_a_secret_or_without_json_says_so_in_one_line(tmp_path: Path) -> None:
    _json_file(tmp_path, "event.json", json.dumps(STRESS))
    _json_file(tmp_path, "broken.json", '{"type": ')
    no_secret = cli("sign", "event.json", cwd=tmp_path)
    assert no_secret.returncode == 2 and no_secret.stdout == ""
    assert no_secret.stderr == (
        "horneross-conformance sign: no webhook secret: set HORNEROSS_WEBHOOK_SECRET "
        "(export HORNEROSS_WEBHOOK_SECRET=...), or run in a terminal to be asked\n"
    )
    broken = cli("sign", "broken.json", cwd=tmp_path, env=SECRET_ENV)
    assert broken.returncode == 2  # as for send --file: a payload that cannot be used is a usage error
    assert broken.stderr == "horneross-conformance sign: broken.json: not JSON: Expecting value at line 1, column 10\n"
    missing = cli("sign", "nowhere.json", cwd=tmp_path, env=SECRET_ENV)
    assert missing.returncode == 2 and "nowhere.json: cannot be read: No such file or directory" in missing.stderr
    _json_file(tmp_path, "nan.json", '{"type": "lead.captured", "score": NaN}')
    nan = cli("sign", "nan.json", cwd=tmp_path, env=SECRET_ENV)
    assert nan.returncode == 2 and nan.stderr == "horneross-conformance sign: nan.json: not JSON: NaN is not JSON\n"
    (tmp_path / "image.json").write_bytes(b"\x89PNG\x00")
    assert "not UTF-8 text" in cli("sign", "image.json", cwd=tmp_path, env=SECRET_ENV).stderr


def test_sign_loads_no_validator_and_no_log_reader() -> None:
    """Signing needs JSON.stringify and HMAC only: jsonschema and the log reader were half of its start-up."""
    program = (
        "import sys\n"
        "import horneross_conformance.cli.sign\n"
        "heavy = ('jsonschema', 'horneross_conformance.logs.event_files')\n"
        "print(sorted(name for name in heavy if name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_a_secret_on_the_command_line_is_refused_and_never_echoed(tmp_path: Path) -> None:
    _json_file(tmp_path, "event.json", json.dumps(STRESS))
    abbreviated = cli("sign", "--secret", r.SECRET, "event.json", cwd=tmp_path)  # not taken for --secret-env
    assert abbreviated.returncode == 2
    assert "unrecognized arguments: --secret and 1 value, not repeated here" in abbreviated.stderr
    assert r.SECRET not in abbreviated.stdout + abbreviated.stderr
    glued = cli("send", "http://127.0.0.1:9/", f"--secret={r.SECRET}", cwd=tmp_path)
    assert glued.returncode == 2 and r.SECRET not in glued.stdout + glued.stderr
    as_name = cli("sign", "--secret-env", r.SECRET, "event.json", cwd=tmp_path)
    assert as_name.returncode == 2 and r.SECRET not in as_name.stdout + as_name.stderr
    assert "--secret-env takes the NAME of an environment variable" in as_name.stderr


@pytest.mark.slow
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_send_delivers_each_type_to_the_documented_express_receiver(tmp_path: Path, event_type: str) -> None:
    with express_receiver(r.SECRET) as url:
        result = cli("send", url, "--type", event_type, cwd=tmp_path, env=SECRET_ENV, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"POST {url}"
    assert (
        lines[1].startswith(f"  {event_type} evt_") and "signed with the secret in HORNEROSS_WEBHOOK_SECRET" in lines[1]
    )
    assert lines[3].startswith("answer: 200 OK in ") and lines[3].endswith(" ms")
    assert lines[-1] == "acknowledged: Horneross would consider this delivery done."
    assert r.SECRET not in result.stdout + result.stderr


@pytest.mark.slow
def test_send_explains_a_rejection_and_a_wrong_acknowledgement(tmp_path: Path) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        wrong_secret = cli("send", f"{base}/webhook", cwd=tmp_path, env={"HORNEROSS_WEBHOOK_SECRET": "other"})
        forged = cli("send", f"{base}/webhook", "--signature", "wrong", cwd=tmp_path)
        unsigned = cli("send", f"{base}/webhook", "--signature", "missing", cwd=tmp_path)
    assert wrong_secret.returncode == 1
    assert "answer: 401 Unauthorized" in wrong_secret.stdout
    assert "REJECTED a correctly signed delivery. Is the endpoint's secret the one in HORNEROSS_WEBHOOK_SECRET?" in (
        wrong_secret.stdout
    )
    assert forged.returncode == 0 and "signed with a WRONG secret" in forged.stdout
    assert "refused, as it should be: a delivery with a wrong signature" in forged.stdout
    assert unsigned.returncode == 0 and "WITHOUT the X-Horneross-Signature header" in unsigned.stdout
    with receiving(r.AcceptsMissingHeader()) as url:
        accepted = cli("send", url, "--signature", "missing", cwd=tmp_path)
    assert accepted.returncode == 1
    assert "WRONG: the endpoint acknowledged a forged delivery" in accepted.stdout
    with receiving(r.Answers202()) as url:
        answered_202 = cli("send", url, cwd=tmp_path, env=SECRET_ENV)
    assert answered_202.returncode == 1
    assert "NOT ACKNOWLEDGED: only exactly 200 acknowledges; Horneross takes 202 as a failure" in answered_202.stdout


def test_send_a_file_delivers_its_json_stringify_bytes(tmp_path: Path) -> None:
    _json_file(tmp_path, "stress.json", json.dumps(STRESS, indent=2))
    with receiving(r.PlainReceiver()) as url:
        result = cli("send", url, "--file", "stress.json", cwd=tmp_path, env=SECRET_ENV)
    assert result.returncode == 0, result.stdout
    assert f"({len(canonical_bytes(STRESS))} bytes," in result.stdout
    assert (
        "note: the payload does not match its schema: /data/contact: 'email' is a required property" in (result.stdout)
        or "note:" not in result.stdout
    )


@pytest.mark.slow
def test_send_to_nothing_or_to_a_silent_endpoint_ends_with_one_clear_line(tmp_path: Path) -> None:
    refused = cli("send", r.closed_port(), cwd=tmp_path, env=SECRET_ENV)
    assert refused.returncode == 1 and "no answer: " in refused.stdout and "Is the receiver running" in refused.stdout
    assert "Traceback" not in refused.stderr
    with r.silent_endpoint() as url:  # it never answers nor closes: only the command's own timeout ends the wait
        silent = cli("send", url, "--timeout", "0.5", cwd=tmp_path, env=SECRET_ENV)
    assert silent.returncode == 1 and "no answer: no complete answer within 0.5 s" in silent.stdout
    bad_url = cli("send", "ftp://example.invalid/hook", cwd=tmp_path, env=SECRET_ENV)
    assert bad_url.returncode == 2 and bad_url.stderr == (
        "horneross-conformance send: 'ftp://example.invalid/hook' is not an http:// or https:// URL\n"
    )
    no_secret = cli("send", r.closed_port(), cwd=tmp_path)
    assert no_secret.returncode == 2 and "no webhook secret: set HORNEROSS_WEBHOOK_SECRET" in no_secret.stderr
    _json_file(tmp_path, "broken.json", "{")
    broken = cli("send", r.closed_port(), "--file", "broken.json", cwd=tmp_path, env=SECRET_ENV)
    assert broken.returncode == 2 and "broken.json: not JSON" in broken.stderr


def test_without_the_variable_a_terminal_is_asked_for_the_secret_without_echo(tmp_path: Path) -> None:
    """A real pseudo-terminal: the prompt appears, the typed secret is used, and the terminal never shows it."""
    import os
    import pty
    import select

    from command_line import environment, executable

    (tmp_path / "event.json").write_bytes(canonical_bytes(STRESS))
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command, with the pseudo-terminal as its controlling terminal
        os.chdir(tmp_path)
        os.execve(executable(), [executable(), "sign", "event.json"], environment())
    seen = b""
    deadline = time.monotonic() + 20
    try:
        while b"webhook secret" not in seen and time.monotonic() < deadline:
            if select.select([terminal], [], [], 1)[0]:
                seen += os.read(terminal, 1024)
        assert b"webhook secret (HORNEROSS_WEBHOOK_SECRET is not set): " in seen
        os.write(terminal, r.SECRET.encode() + b"\n")
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 1)[0]:
                try:
                    chunk = os.read(terminal, 1024)
                except OSError:  # the child ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sign(canonical_bytes(STRESS), r.SECRET).encode() in seen
    assert r.SECRET.encode() not in seen  # getpass turned echo off


@pytest.mark.slow
def test_send_over_tls_trusts_the_ca_bundle_given_and_explains_an_untrusted_certificate(tmp_path: Path) -> None:
    with r.serve_tls(ReferenceReceiver(r.SECRET)) as base:
        trusted = cli("send", f"{base}/webhook", "--ca-bundle", str(r.CERTIFICATE), cwd=tmp_path, env=SECRET_ENV)
        untrusted = cli("send", f"{base}/webhook", cwd=tmp_path, env=SECRET_ENV)
    assert trusted.returncode == 0 and "answer: 200 OK" in trusted.stdout
    assert untrusted.returncode == 1
    assert "no answer: TLS certificate of 127.0.0.1 not trusted: self-signed certificate." in untrusted.stdout
    assert "or a CA bundle given with --horneross-ca-bundle (commands: --ca-bundle)." in untrusted.stdout
    bad = cli("send", f"{base}/webhook", "--ca-bundle", "nowhere.pem", cwd=tmp_path, env=SECRET_ENV)
    assert bad.returncode == 2 and "CA bundle 'nowhere.pem': no such file" in bad.stderr


@pytest.mark.slow
def test_send_finds_the_root_cause_of_a_rejection_as_the_suite_does(
    tmp_path: Path, pytester: pytest.Pytester, go_receiver_binary: Path
) -> None:
    """One voice: `send` runs the suite's controls and says the suite's root cause, with the raw-body fix, in the
    suite's words, to a real Go receiver that verifies json.Marshal of a map; the same Go verifying the raw body is
    acknowledged, with no cause."""
    with go_receiver(go_receiver_binary, "map") as url:
        rejected = cli("send", url, cwd=tmp_path, env=SECRET_ENV)
        run = run_suite(pytester, url, "-k", "RCV-ACK-002")  # the suite, on the type send sends by default
    with go_receiver(go_receiver_binary, "raw") as url:
        acknowledged = cli("send", url, cwd=tmp_path, env=SECRET_ENV)
    [said] = run.report["causes"]
    assert said["id"] == "signature/go-map", said
    assert rejected.returncode == 1, rejected.stdout
    assert "HMAC-SHA256 of the raw request body" in rejected.stdout and "JSON.stringify" not in rejected.stdout
    assert f"\nroot cause: {said['headline']}.\n  {said['fix']}.\n" in rejected.stdout, rejected.stdout
    assert "as Go's encoding/json over a map[string]any does" in rejected.stdout
    assert "\n  Its re-serialization looks like Go's: verify with io.ReadAll(r.Body)." in rejected.stdout
    assert rejected.stdout.count("root cause: ") == 1
    assert acknowledged.returncode == 0 and "root cause" not in acknowledged.stdout, acknowledged.stdout
    assert r.SECRET not in rejected.stdout + rejected.stderr
