"""The package's imports against ARCHITECTURE.md: layers, cycles, lazy imports.

Every import is read, function-level ones included; imports under
`if TYPE_CHECKING:` count for the layers but not for cycles.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tracerun"
SHARED = {
    "errors",
    "record",
    "query",
    "timeparse",
    "origin",
    "expression",
    "plain",
    "__init__",
}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    typing_only: bool
    in_function: bool
    text: str


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(name: str) -> str | None:
    """The tracerun module an import names (a module, or its package)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path) -> list[Import]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    me = module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            child_typing = typing_only or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            child_function = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef
            )
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module:
                base = child.module
                names = [f"{base}.{alias.name}" for alias in child.names] or [base]
            for name in names:
                target = resolve(name) if name.startswith("tracerun") else None
                if target is not None and target != me:
                    line = getattr(child, "lineno", 0)
                    found.append(
                        Import(
                            me,
                            target,
                            line,
                            child_typing,
                            in_function,
                            lines[line - 1],
                        )
                    )
            visit(child, child_typing, child_function)

    visit(tree, False, False)
    return found


ALL = [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in imports_of(path)]


def layer_order() -> list[str]:
    doc = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```layers\n(.*?)```", doc, re.DOTALL)
    assert block is not None, "ARCHITECTURE.md lost its ```layers block"
    return block[1].split()


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in SHARED):
        return "shared"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def test_every_package_has_a_layer_and_a_row_in_the_map() -> None:
    layers = layer_order()
    doc = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(layers), packages - set(layers)
    for package in packages:
        assert f"| `{package}/` |" in doc, f"ARCHITECTURE.md's map lacks {package}/"
    shared = {p.stem for p in PACKAGE.glob("*.py")} - {"__main__"}
    assert shared == SHARED, "a new top-level module: a shared noun, or a package?"


def test_no_module_imports_a_higher_layer() -> None:
    rank = {name: i for i, name in enumerate(reversed(layer_order()))}
    upward = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in ALL
        if rank[layer_of(imp.target)] > rank[layer_of(imp.source)]
    ]
    assert upward == []


def test_source_types_never_import_each_other() -> None:
    def source_type(module: str) -> str | None:
        parts = module.split(".")
        is_type = len(parts) > 2 and parts[1] == "sources"
        return (
            parts[2] if is_type and (PACKAGE / "sources" / parts[2]).is_dir() else None
        )

    crossing = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in ALL
        if source_type(imp.source)
        and source_type(imp.target)
        and source_type(imp.source) != source_type(imp.target)
    ]
    assert crossing == []


def test_there_is_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in ALL:
        if not imp.typing_only:
            graph[imp.source].add(imp.target)
    cycles = _cycles(graph)
    assert cycles == []


def test_function_level_imports_say_why() -> None:
    silent = [
        f"{imp.source}:{imp.line}: {imp.text.strip()}"
        for imp in ALL
        if imp.in_function and not re.search(r"# noqa: PLC0415 - \S", imp.text)
    ]
    assert silent == []


def test_the_checks_see_the_imports() -> None:
    """The walker finds top-level, function-level and TYPE_CHECKING imports."""
    kinds = {(imp.in_function, imp.typing_only) for imp in ALL}
    assert {(False, False), (True, False), (False, True)} <= kinds
    assert any(imp.target == "tracerun.sources.base" for imp in ALL)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]


def test_every_package_folder_is_a_regular_package() -> None:
    """setuptools installs only folders with an __init__.py (find_packages)."""
    folders = {
        p
        for p in PACKAGE.rglob("*")
        if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.py"))
    }
    assert sorted(str(f) for f in folders if not (f / "__init__.py").is_file()) == []
