"""The package's shape: folders by concern, small modules, no import cycle, and a README tree that matches it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from documentation import documentation
from peers import ROOT

PACKAGE = ROOT / "horneross_conformance"
MAX_LINES = 450
MAX_ROOT_MODULES = 4


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, lazily or not: ``from a.b import c`` counts as a.b.c when c is a
    module, as a.b otherwise."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE.name):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith(PACKAGE.name)}
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


# The layers, lowest first: a module imports from its own package, or from a package of a lower layer, never up and
# never sideways (the receiver and the sender roles know nothing of each other).
LAYERS = {
    "core": 0,
    "transport": 1,
    "checks": 2,
    "receiver": 3,
    "sender": 3,
    "logs": 3,
    "encoder": 3,
    "reporting": 4,
    "api": 5,
    "inspector": 5,
    "cli": 6,
    "plugin": 6,
}


def _package(module: str) -> str:
    """``horneross_conformance.sender.suite.retries`` is in ``sender``; the package's own ``__init__`` in none."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _against_the_layers(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in sorted(graph.items()):
        source = _package(module)
        for target in sorted(targets):
            to = _package(target)
            if not source or not to or to == source:
                continue
            if LAYERS[to] >= LAYERS[source]:
                wrong.append(f"{module} -> {target}")
    return wrong


def test_imports_point_down_the_layers() -> None:
    modules = _modules()
    assert {_package(name) for name in modules} - {""} == set(LAYERS)  # every package has its layer
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _against_the_layers(graph) == []


def test_no_cycle_between_packages() -> None:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {_package(t) for t in _imports(path, modules)} - {_package(name), ""}
        graph.setdefault(_package(name), set()).update(targets)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_layer_checks_find_what_they_look_for() -> None:
    up = {"horneross_conformance.core.canonical": {"horneross_conformance.reporting.write"}}
    sideways = {"horneross_conformance.sender.run": {"horneross_conformance.receiver.run"}}
    down = {"horneross_conformance.cli.run": {"horneross_conformance.core.contract"}}
    assert _against_the_layers(up) and _against_the_layers(sideways) and not _against_the_layers(down)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_at_most_four_modules_at_the_package_root() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(root) <= MAX_ROOT_MODULES, root


def test_every_module_says_what_it_is_for() -> None:
    for path in PACKAGE.rglob("*.py"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring and docstring.split("\n")[0].strip(), f"{path.relative_to(ROOT)} has no docstring"


def _readme_tree() -> list[str]:
    readme = documentation()
    section = readme.split("\n### Layout\n", 1)[1]
    return section.split("```text\n", 1)[1].split("\n```", 1)[0].splitlines()


def _tree_entries(lines: list[str]) -> dict[str, str]:
    """``a/`` and, below it, ``├── b/`` as ``a/b``, each with its description (continuation lines included)."""
    entries: dict[str, str] = {}
    parents: list[str] = []
    current = ""
    for line in lines:
        match = re.match(r"^((?:[│ ]   )*)(?:[├└]── )?([\w.-]+/?)(.*)$", line)
        if match is None or (not match.group(2).endswith("/") and "──" not in line):
            entries[current] += " " + line.strip("│ ")  # a description's next line
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        parents = [*parents[:depth], match.group(2).rstrip("/")]
        current = "/".join(parents)
        entries[current] = match.group(3).strip()
    return entries


def test_the_readme_layout_tree_names_every_folder_of_the_package_and_no_other() -> None:
    actual = {path.parent.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("__init__.py")}
    named = {entry for entry in _tree_entries(_readme_tree()) if entry.startswith(PACKAGE.name) and "." not in entry}
    assert named == actual


def test_from_the_tree_alone_one_can_say_where_things_live() -> None:
    entries = _tree_entries(_readme_tree())

    def home_of(words: str) -> str:
        return next(folder for folder, description in entries.items() if words in description)

    assert home_of("retry schedule") == "horneross_conformance/core"
    assert home_of("signature verification") == "horneross_conformance/core"
    assert home_of("HTML report") == "horneross_conformance/reporting"
    assert home_of("listen") == "horneross_conformance/cli"


# The contract's success status, event-id prefix, signature header and secret variable, written as literals where
# code decides by them. The harness
# protocol's own 200 (sender/harness.py, sender/bridge.py) is the protocol's, not the webhook contract's.
CONTRACT_LITERAL = re.compile(
    r"""(?:==|!=)\s*200\b|Answer\(200\b|startswith\(["']evt_["']\)|f["']evt_\{"""
    r"""|["'](?:HTTP_)?X[-_]HORNEROSS[-_]SIGNATURE["']|["']HORNEROSS_WEBHOOK_SECRET["']""",
    re.IGNORECASE,
)
PROTOCOL_MODULES = {"contract.py", "harness.py", "bridge.py"}


def contract_literals(source: str) -> list[str]:
    return [match.group(0) for match in CONTRACT_LITERAL.finditer(source)]


def test_code_decides_by_the_contract_s_constants_not_by_literals() -> None:
    found = {
        str(path.relative_to(PACKAGE)): contract_literals(path.read_text(encoding="utf-8"))
        for path in PACKAGE.rglob("*.py")
        if path.name not in PROTOCOL_MODULES
    }
    assert {module: literals for module, literals in found.items() if literals} == {}


def test_the_literal_finder_finds_the_literals() -> None:
    source = 'if status == 200:\n    x = Answer(200)\nok = i.startswith("evt_")\ni = f"evt_{n}"\n'
    assert contract_literals(source) == ["== 200", "Answer(200", 'startswith("evt_")', 'f"evt_{']
    assert contract_literals(
        'h = environ.get("HTTP_X_HORNEROSS_SIGNATURE") or os.environ["HORNEROSS_WEBHOOK_SECRET"]'
    ) == [
        '"HTTP_X_HORNEROSS_SIGNATURE"',
        '"HORNEROSS_WEBHOOK_SECRET"',
    ]
    assert contract_literals('{"x-horneross-signature": s}') == ['"x-horneross-signature"']
    assert contract_literals("if status == SUCCESS_STATUS or code == 2001:") == []
