"""The README's CI recipes work as written: the pre-commit hooks and the GitHub Actions job's command."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import receivers as r
import yaml
from command_line import environment
from documentation import documentation
from peers import ROOT, express_receiver
from pre_commit.clientlib import InvalidConfigError, InvalidManifestError, load_config, load_manifest

from horneross_conformance.core.contract import TYPE_ADDED_LATER
from horneross_conformance.core.events import sample_event
from horneross_conformance.transport.server import serve

README = documentation()
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def _yaml_block(title: str) -> str:
    found = re.search(rf"```yaml\n# {re.escape(title)}\n(.+?)```", README, re.S)
    assert found is not None, f"no yaml block for {title} in the README"
    return f"# {title}\n{found.group(1)}"


def test_the_hook_definitions_are_valid_for_pre_commit() -> None:
    hooks = load_manifest(str(MANIFEST))
    assert [hook["id"] for hook in hooks] == ["horneross-validate", "horneross-validate-allow-unknown-types"]
    for hook in hooks:
        assert hook["language"] == "python" and hook["entry"].startswith("horneross-conformance validate")


def test_a_broken_hook_definition_is_refused_by_the_same_validator(tmp_path: Path) -> None:
    hooks = yaml.safe_load(MANIFEST.read_text())
    del hooks[0]["entry"]
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(yaml.safe_dump(hooks))
    with pytest.raises(InvalidManifestError):
        load_manifest(str(broken))


def test_the_readme_pre_commit_configuration_is_valid_and_names_a_defined_hook(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_yaml_block(".pre-commit-config.yaml"))
    loaded = load_config(str(config))
    defined = {hook["id"] for hook in load_manifest(str(MANIFEST))}
    used = [hook["id"] for repo in loaded["repos"] for hook in repo["hooks"]]
    assert used and set(used) <= defined
    config.write_text(config.read_text().replace("hooks:", "hooks: 3\n    x:"))
    with pytest.raises(InvalidConfigError):
        load_config(str(config))


@pytest.mark.slow
def test_each_hook_entry_passes_valid_fixtures_and_fails_an_invalid_one(tmp_path: Path) -> None:
    """What pre-commit runs: the entry, then the staged file names that match ``files``."""
    (tmp_path / "ok.json").write_text(json.dumps(sample_event("lead.captured")))
    (tmp_path / "ok.jsonl").write_text(json.dumps(sample_event("conversation.created")) + "\n")
    future = {**sample_event("conversation.created"), "type": TYPE_ADDED_LATER}
    (tmp_path / "future.json").write_text(json.dumps(future))
    broken = sample_event("lead.captured")
    del broken["data"]["contact"]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    for hook in load_manifest(str(MANIFEST)):
        pattern = re.compile(hook["files"])
        files = sorted(p.name for p in tmp_path.iterdir() if pattern.search(p.name))
        assert files == ["broken.json", "future.json", "ok.json", "ok.jsonl"]

        def run(*names: str, hook: dict[str, Any] = hook) -> subprocess.CompletedProcess[str]:
            command = [*shlex.split(hook["entry"]), *hook["args"], *names]
            return subprocess.run(command, cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60)

        assert run("ok.json", "ok.jsonl").returncode == 0
        failed = run("ok.json", "broken.json")
        assert failed.returncode == 1 and "broken.json:1: /data: 'contact' is a required property" in failed.stdout
        allows_future = hook["id"].endswith("allow-unknown-types")
        assert run("future.json").returncode == (0 if allows_future else 1)


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_yaml_block(".github/workflows/horneross-webhooks.yml"))
    return loaded


def test_the_github_actions_job_is_a_well_formed_workflow() -> None:
    workflow = _workflow()
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on == ["push", "pull_request"]
    job = workflow["jobs"]["receiver-conformance"]
    assert job["runs-on"] == "ubuntu-latest"
    assert "HORNEROSS_WEBHOOK_SECRET" in job["env"]
    for step in job["steps"]:
        assert ("uses" in step) != ("run" in step), step
        assert set(step) <= {"name", "uses", "run", "with", "if", "env"}
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert uses == ["actions/checkout", "actions/setup-node", "actions/setup-python", "actions/upload-artifact"]


def _gate_command(url: str) -> list[str]:
    step = next(
        s for s in _workflow()["jobs"]["receiver-conformance"]["steps"] if s.get("name") == "Receiver conformance"
    )
    command = shlex.split(step["run"])
    endpoint = next(i for i, arg in enumerate(command) if arg.startswith("--horneross-endpoint="))
    command[endpoint] = f"--horneross-endpoint={url}"  # the job's app, here: a real receiver on loopback
    return command


@pytest.mark.slow
def test_the_jobs_command_passes_the_documented_express_receiver_and_writes_its_artifacts(tmp_path: Path) -> None:
    secret = _workflow()["jobs"]["receiver-conformance"]["env"]["HORNEROSS_WEBHOOK_SECRET"]
    with express_receiver(secret) as url:
        command = _gate_command(url)
        result = subprocess.run(
            [*command, "--horneross-examples=10"],
            cwd=tmp_path,
            env=environment({"HORNEROSS_WEBHOOK_SECRET": secret}),
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "verdict: CONFORMANT" in result.stdout
    assert (tmp_path / "horneross.html").read_text().startswith("<!DOCTYPE html>")
    assert '<property name="requirement"' in (tmp_path / "horneross.xml").read_text()


@pytest.mark.slow
def test_the_jobs_command_fails_the_job_for_a_broken_receiver(tmp_path: Path) -> None:
    with serve(r.AcceptsMissingHeader()) as base:
        result = subprocess.run(
            [*_gate_command(f"{base}/webhook"), "--horneross-examples=10"],
            cwd=tmp_path,
            env=environment({"HORNEROSS_WEBHOOK_SECRET": r.SECRET}),
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert result.returncode == 1 and "verdict: NON-CONFORMANT" in result.stdout
    assert (tmp_path / "horneross.html").exists() and (tmp_path / "horneross.xml").exists()
