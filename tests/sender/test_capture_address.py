"""Capture endpoints reachable from another process, host or container: the address they listen on and the host
name subscription URLs carry (--horneross-capture-bind, --horneross-capture-host)."""

from __future__ import annotations

import json
import socket

import pytest
from peers import node_harness
from suite_runner import run_sender_suite

from horneross_conformance.plugin import CAPTURE_BIND, CAPTURE_HOST

RECORDING_SENDER = """
import json
from horneross_conformance.sender.reference import ReferenceSender


class Recording(ReferenceSender):
    def subscribe(self, url, secret, events=None):
        with open("urls.jsonl", "a", encoding="utf-8") as urls:
            urls.write(json.dumps(url) + "\\n")
        super().subscribe(url, secret, events)


def create():
    return Recording(timeout=0.5)
"""
# the preflight, and the check whose endpoints refuse connections until a due time (ports of their own)
CHECKS = "SND-PRE-001 or SND-RTY-014"


def test_urls_carry_the_advertised_host_and_deliveries_arrive(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(recording_sender=RECORDING_SENDER)
    run = run_sender_suite(
        pytester, "recording_sender:create", "-k", CHECKS, f"{CAPTURE_BIND}=127.0.0.1", f"{CAPTURE_HOST}=localhost"
    )
    assert run.passed_its_selection(), run.stdout
    assert run.failed_checks() == set()
    assert "capture endpoints on 127.0.0.1 as localhost" in run.stdout
    urls = [json.loads(line) for line in (pytester.path / "urls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(urls) == 5  # one endpoint for the preflight, four refusing ones
    assert all(url.startswith("http://localhost:") for url in urls), urls
    assert len({url.split("/")[2] for url in urls}) == 5  # each refusing endpoint has a port of its own


def test_by_default_urls_carry_the_loopback_address(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(recording_sender=RECORDING_SENDER)
    run = run_sender_suite(pytester, "recording_sender:create", "-k", "SND-PRE-001")
    assert run.passed_its_selection(), run.stdout
    [url] = [json.loads(line) for line in (pytester.path / "urls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert url.startswith("http://127.0.0.1:")


@pytest.mark.slow
def test_a_sender_in_another_process_reaches_the_advertised_host(pytester: pytest.Pytester) -> None:
    with node_harness() as url:
        run = run_sender_suite(pytester, url, "-k", CHECKS, f"{CAPTURE_HOST}=localhost")
    assert run.passed_its_selection(), run.stdout
    assert run.failed_checks() == set()


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (f"{CAPTURE_BIND}=192.0.2.1", f"{CAPTURE_BIND}: cannot listen on '192.0.2.1'"),
        (f"{CAPTURE_BIND}=no such host", f"{CAPTURE_BIND}: cannot listen on 'no such host'"),
        (f"{CAPTURE_HOST}=evil.example/path", f"{CAPTURE_HOST}: 'evil.example/path' is not a host name or IP address"),
    ],
    ids=["not-an-address-of-this-machine", "not-an-address", "not-a-host"],
)
def test_a_bad_capture_address_is_a_usage_error(pytester: pytest.Pytester, option: str, said: str) -> None:
    run = run_sender_suite(pytester, "horneross_conformance.sender.reference:for_conformance", option)
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    assert said in run.stderr
    assert "Traceback" not in run.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_capture_endpoints_listen_on_the_port_given_and_a_taken_one_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(recording_sender=RECORDING_SENDER)
    port = free_port()
    run = run_sender_suite(pytester, "recording_sender:create", "-k", "SND-PRE-001", f"--horneross-capture-port={port}")
    assert run.passed_its_selection(), run.stdout
    [url] = [json.loads(line) for line in (pytester.path / "urls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert url.startswith(f"http://127.0.0.1:{port}/")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        refused = run_sender_suite(pytester, "recording_sender:create", f"--horneross-capture-port={busy}")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--horneross-capture-port: cannot listen on port {busy} of 127.0.0.1" in refused.stderr
    assert "Traceback" not in refused.stderr
