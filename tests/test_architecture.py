"""The structure ARCHITECTURE.md describes, checked: no import cycles between modules, no imports
hidden inside functions, and the document naming every area package there is.

import-linter (`make lint`) checks the direction of imports; these check what its contracts
cannot say."""

import ast
import re
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "groups", "papers")


def _modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_it_has_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def test_it_finds_a_cycle_when_there_is_one() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == [["a.one", "a.two"]]


def _function_imports(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    lines.append(inner.lineno)
    return lines


def test_it_imports_at_the_top_of_modules_only() -> None:
    """An import inside a function hides a dependency (and often dodges a cycle). The one
    exception is AppConfig.ready(), where Django wants app wiring to happen."""
    hidden = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules()
        if path.name != "apps.py"
        for line in _function_imports(path.read_text())
    ]
    assert hidden == []


def test_it_sees_an_import_inside_a_function() -> None:
    assert _function_imports("import os\n\ndef f():\n    from x import y\n    return y\n") == [4]


def test_it_documents_every_area_package() -> None:
    """ARCHITECTURE.md names each package under groups/ (as `groups/<area>/`), and nothing
    that is not there."""
    document = (ROOT / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`groups/(\w+)/`", document))
    packages = {
        path.parent.name
        for path in (ROOT / "groups").glob("*/__init__.py")
        if path.parent.name != "migrations"
    }
    assert named == packages


def _private_imports(source: str) -> list[str]:
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
        if node.module.split(".")[0] in PACKAGES
        for alias in node.names
        if alias.name.startswith("_")
    ]


def test_it_imports_no_private_name_from_another_module() -> None:
    """A `_name` is its module's own: a second user means it wants a public name."""
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules()
        for name in _private_imports(path.read_text())
    ]
    assert found == []


def test_it_sees_a_private_import() -> None:
    assert _private_imports("from groups.views import _group_context\nfrom os import _exit\n") == [
        "groups.views._group_context"
    ]


def test_it_gives_every_type_ignore_its_code_and_reason() -> None:
    """`# type: ignore[code]  # why`: a silenced checker says what it misses and why."""
    pattern = re.compile(r"#\s*type:\s*ignore(?!\[[\w, -]+\]\s+#\s*\S)")
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _modules()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert bare == []
