"""The README, the contract page, .ci/run and the catalogue say the same thing."""

from __future__ import annotations

import re
import shutil

import pytest
from documentation import documentation, page
from peers import ROOT, script
from suite_runner import run_sender_suite

from horneross_conformance.core.contract import per_type_checks

RENDER = script("render_docs")
compact_ids, contract_catalogue, requirements_table = (
    RENDER.compact_ids,
    RENDER.contract_catalogue,
    RENDER.requirements_table,
)

README = page("README.md")
DOCUMENTATION = documentation()
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_starts_with_the_two_commands() -> None:
    install_and_run, install_and_test = readme_commands()[:2]
    assert install_and_run == "pip install . && horneross-conformance run"
    assert install_and_test == 'pip install --no-compile -e ".[test]" && npm ci && pytest -n 4'
    assert README.index(install_and_run) < README.index(install_and_test) < README.index("## ")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """CI runs each step of the README's second command, in its order, the tests last (Debian's packages are
    installed beside the first steps, and waited for before the tests)."""
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    steps = readme_commands()[1].split(" && ")
    assert len(steps) == 3, steps
    assert [line for line in lines if line in steps] == steps
    assert lines[-1] == steps[-1]


def test_readme_requirement_table_is_rendered_from_the_catalogue() -> None:
    section = re.search(r"<!-- requirements:receiver -->\n(.+?)\n<!-- /requirements:receiver -->", DOCUMENTATION, re.S)
    assert section is not None
    assert section.group(1) == requirements_table("receiver")


def test_contract_page_catalogue_is_rendered_from_the_catalogue() -> None:
    section = re.search(r"<!-- catalogue -->\n(.+?)\n<!-- /catalogue -->", CONTRACT, re.S)
    assert section is not None
    assert section.group(1) == contract_catalogue()


def test_compact_ids() -> None:
    assert compact_ids(["RCV-SIG-001", "RCV-SIG-002", "RCV-SIG-003", "RCV-OLD-001"]) == "RCV-SIG-001…003, RCV-OLD-001"
    assert compact_ids(["RCV-ACK-001", "RCV-ACK-002", "RCV-ACK-100"]) == "RCV-ACK-001, RCV-ACK-002, RCV-ACK-100"
    assert compact_ids([]) == ""
    # a type documented later puts its check before the examples' in the suite: the numbers are shown in order
    later = ["RCV-PRE-001", "RCV-ACK-001", "RCV-ACK-008", "RCV-ACK-005", "RCV-GEN-001", "RCV-ACK-006"]
    assert compact_ids(later) == "RCV-PRE-001, RCV-ACK-001, RCV-ACK-005, RCV-ACK-006, RCV-ACK-008, RCV-GEN-001"
    assert compact_ids(["RCV-ACK-003", "RCV-ACK-001", "RCV-ACK-002"]) == "RCV-ACK-001…003"


def test_the_suites_pages_read_the_same_whatever_the_number_of_event_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """Their tables name a requirement's checks of each type by family and link to the contract page, which lists
    them: documenting a type changes the contract page alone."""
    receiver, sender = requirements_table("receiver"), requirements_table("sender")
    cell = "RCV-PRE-001, RCV-ACK-005…007, [one RCV-ACK and one RCV-GEN per event type](contract.md#rcv-01)"
    assert f"| {cell} |" in receiver
    assert "SND-PAY-005, SND-WIRE-001, [one SND-PAY and one SND-GEN per event type](contract.md#snd-01)" in sender
    covering = RENDER._covering("receiver")["RCV-01"]
    assert {*per_type_checks("RCV-ACK"), *per_type_checks("RCV-GEN")} <= set(covering)
    assert f"**Acknowledges each event type with 200 in time.** MUST, receiver. Checks: {compact_ids(covering)}." in (
        contract_catalogue()
    )  # where they are listed in full
    fifth = {"RCV-ACK": "RCV-ACK-008", "RCV-GEN": "RCV-GEN-009", "SND-PAY": "SND-PAY-006", "SND-GEN": "SND-GEN-006"}
    monkeypatch.setitem(RENDER.PER_TYPE_CHECKS, "conversation.fifth", fifth)
    checks = [*covering, "RCV-ACK-008", "RCV-GEN-009"]
    assert RENDER.by_family_of_each_type("RCV-01", checks, "contract.md") == cell


def test_readme_documents_every_option() -> None:
    from horneross_conformance import plugin

    options = (plugin.ENDPOINT, plugin.SECRET, plugin.SENDER, plugin.TIMEOUT, plugin.REPORT, plugin.STRICT)
    for option in (*options, plugin.CAPTURE_BIND, plugin.CAPTURE_HOST):
        assert f"`{option}" in page("options.md")


def test_readme_sender_requirement_table_is_rendered_from_the_catalogue() -> None:
    section = re.search(r"<!-- requirements:sender -->\n(.+?)\n<!-- /requirements:sender -->", DOCUMENTATION, re.S)
    assert section is not None
    assert section.group(1) == requirements_table("sender")


@pytest.mark.slow
def test_readme_example_adapter_is_conformant(pytester: pytest.Pytester) -> None:
    """The README's adapter, run as written against a stand-in of the dispatcher it wraps."""
    example = re.search(r"<!-- example:adapter -->\n```python\n(.+?)```", DOCUMENTATION, re.S)
    assert example is not None
    pytester.makepyfile(horneross_adapter=example.group(1))
    shutil.copytree(ROOT / "tests" / "data" / "acme", pytester.path / "acme")
    pytester.syspathinsert()
    run = run_sender_suite(pytester, "horneross_adapter:create", "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert set(run.outcomes().values()) == {"passed"}


def _console_blocks() -> list[tuple[str, str]]:
    """(command, output) of each ``console`` block of the README: ``$ command`` lines and what follows them."""
    blocks = []
    for block in re.findall(r"```console\n(.+?)```", DOCUMENTATION, re.S):
        for command, output in re.findall(r"^\$ (.+)\n((?:(?!\$ ).*\n)*)", block, re.M):
            blocks.append((command, output))
    return blocks


def test_readme_shows_every_subcommand_with_its_output() -> None:
    shown = {command.split()[1] for command, output in _console_blocks() if command.startswith("horneross-conformance")}
    assert {"validate", "sign", "send", "listen"} <= shown
    assert all(output.strip() for command, output in _console_blocks() if command.startswith("horneross-conformance"))


def test_the_readme_is_a_page_a_person_reads_with_three_quickstarts_of_three_commands() -> None:
    """The README is the first screen: the two commands, three quickstarts, and links to docs/ for the rest."""
    assert len(README.splitlines()) <= 300
    for title in ("my endpoint", "my CI gate", "my sender"):
        section = README.split(f"## Quickstart: {title}\n", 1)[1].split("\n## ", 1)[0]
        commands = re.search(r"```sh\n(.+?)\n```", section, re.S)
        assert commands is not None, title
        assert len(commands.group(1).splitlines()) == 3, title
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", README))
    assert linked == {path.name for path in (ROOT / "docs").glob("*.md")}  # every page, from the first screen
