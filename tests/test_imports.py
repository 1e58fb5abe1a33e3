"""The layers hold: the import graph of macros/ (read with ast, nothing imported) has no cycle,
and core/ — pure functions — imports nothing from adapters/, app/ or the shells."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "macros"
SHELLS = ("macros.adapters", "macros.app", "macros.commands", "macros.cli", "macros.ribbon", "macros.actions",
          "macros.console", "macros.argparse_zh", "macros.addin_install")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ours that ``import name`` loads last (a.b.c -> a.b.c or its package)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _walk(node: ast.AST):
    """Every node below ``node`` except the bodies of ``if TYPE_CHECKING:`` (never run)."""
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            continue
        yield child
        yield from _walk(child)


def _imports(module: str, top_level_only: bool) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(_walk(tree))
    found: set[str] = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                root = package.split(".")
                root = root[: len(root) - (node.level - 1)]
                base = ".".join(root + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for n in names:
            target = _resolve(n)
            if target and target != module:
                found.add(target)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_module_import_graph_has_no_cycle():
    graph = {m: _imports(m, top_level_only=True) for m in MODULES}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


# Deferred imports (inside functions) that still close a circle: file_engine's cell helpers,
# which the table and report writers use. Remove an entry when its circle is taken apart.
KNOWN_DEFERRED: set[tuple[str, str]] = set()  # (module, deferred import) pairs allowed to close a cycle


def test_deferred_imports_hide_no_other_cycle():
    graph = {m: {t for t in _imports(m, top_level_only=False) if (m, t) not in KNOWN_DEFERRED} for m in MODULES}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_core_imports_no_adapter_app_or_shell():
    bad = []
    for module in MODULES:
        if module == "macros.core" or module.startswith("macros.core."):
            for target in _imports(module, top_level_only=False):
                if target.startswith(SHELLS):
                    bad.append(f"{module} -> {target}")
    assert not bad, bad


def test_the_walker_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
