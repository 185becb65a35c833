"""The Python API: check_endpoint and check_sender certify from code, their options are checked before anything is
sent, and the README's two scripts (one endpoint and one sender; a fleet of endpoints on Dask) work as printed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import receivers as r
import senders as s
from command_line import environment
from documentation import documentation
from peers import node_harness
from suite_runner import FEW_EXAMPLES, SEED

from horneross_conformance import check_endpoint, check_sender
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

README = documentation()


def readme_example(name: str) -> str:
    found = re.search(rf"<!-- example:{name} -->\n```python\n(.+?)```", README, re.S)
    assert found is not None, f"no {name} example in the README"
    return found.group(1)


def run_script(path: Path, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path), *arguments],
        cwd=path.parent,
        env=environment(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_broken_receiver_gets_its_verdict_from_code_with_the_requirement_at_fault() -> None:
    with serve(r.AcceptsMissingHeader()) as base:
        report = check_endpoint(f"{base}/webhook", secret=r.SECRET, examples=FEW_EXAMPLES, seed=SEED)
    assert report.status == "NON-CONFORMANT" and not report.conformant
    failed = {v.requirement.id for v in report.requirements if v.outcome == "failed"}
    assert failed == {"RCV-03"}
    assert "RCV-03" in report.summary and str(report) == report.summary
    assert report.to_json()["verdict"] == "non-conformant"


@pytest.mark.slow
def test_a_sender_factory_is_certified_in_process_and_a_broken_one_is_not() -> None:
    broken = check_sender(s.UppercaseHex, seed=SEED, examples=FEW_EXAMPLES)
    assert broken.status == "NON-CONFORMANT"
    assert {v.requirement.id for v in broken.requirements if v.outcome == "failed"} == {"SND-03"}
    assert broken.to_json()["target"].endswith(":UppercaseHex")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"timeout": 0}, "timeout"),
        ({"examples": -1}, "examples"),
        ({"in_flight": 0}, "in_flight"),
        ({"reports": "verdict.txt"}, "reports"),
    ],
)
def test_an_option_that_cannot_be_used_raises_value_error_naming_it_before_anything_is_sent(
    options: dict[str, object], named: str
) -> None:
    hits: list[str] = []

    def counting(environ: dict[str, object], start_response: object) -> list[bytes]:
        hits.append(str(environ["PATH_INFO"]))
        return ReferenceReceiver(r.SECRET)(environ, start_response)  # type: ignore[arg-type]

    with serve(counting) as base, pytest.raises(ValueError, match=named):
        check_endpoint(f"{base}/webhook", secret=r.SECRET, **options)
    assert hits == []


def test_an_unreachable_endpoint_is_a_verdict_not_an_exception(tmp_path: Path) -> None:
    report = check_endpoint(r.closed_port(), secret=r.SECRET, examples=0, reports=[str(tmp_path / "r.md")])
    assert report.status == "NON-CONFORMANT"
    assert "NON-CONFORMANT" in (tmp_path / "r.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="extension"):
        report.write(tmp_path / "r.txt")


@pytest.mark.slow
def test_the_readme_script_certifies_the_reference_receiver_and_the_node_reference_sender(tmp_path: Path) -> None:
    script = tmp_path / "certify.py"
    with serve(ReferenceReceiver(r.SECRET)) as base, node_harness() as harness:
        text = readme_example("api")
        for printed, real in (
            ('"http://127.0.0.1:8080/webhook"', json.dumps(f"{base}/webhook")),
            ('"whsec_..."', json.dumps(r.SECRET)),
            ('"http://127.0.0.1:9000"', json.dumps(harness)),
        ):
            assert printed in text
            text = text.replace(printed, real)
        script.write_text(text, encoding="utf-8")
        ran = run_script(script)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.count("CONFORMANT - CONFORMANT") == 2, ran.stdout
    assert "  SND-05 passed" in ran.stdout and "  RCV-03 passed" in ran.stdout
    assert '<p class="verdict ok">CONFORMANT</p>' in (tmp_path / "endpoint.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_readme_dask_recipe_certifies_a_fleet_of_endpoints(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    script = tmp_path / "fleet.py"
    recipe = readme_example("dask-endpoints")
    # as the README gives it, with the self-tests' few generated events per check: the fleet is the subject here,
    # and each worker's suite run is the one tests/receiver/test_receiver_suite.py judges in depth
    assert recipe.count("seed=1)") == 1
    script.write_text(recipe.replace("seed=1)", f"seed=1, examples={FEW_EXAMPLES})"), encoding="utf-8")
    with serve(ReferenceReceiver(r.SECRET)) as good, serve(r.AcceptsMissingHeader()) as bad:
        urls = [f"{good}/webhook", f"{bad}/webhook"]
        ran = run_script(script, *urls, env={"HORNEROSS_WEBHOOK_SECRET": r.SECRET})
    assert ran.returncode == 1, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert len(lines) == 2, ran.stdout
    assert lines[0].startswith("CONFORMANT ") and urls[0] in lines[0]
    assert lines[1].startswith("NON-CONFORMANT ") and urls[1] in lines[1]
    assert lines[1].endswith("NON-CONFORMANT: 1 requirement failed (RCV-03)"), lines[1]  # the one at fault
