"""The conversation modules import each other without a cycle, and none hides an import of
another inside a function (the way a cycle used to be dodged). Read from the source with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The conversation: the engine, its flows, and the pure questionnaire package they use.
PACKAGES = ("bot/conversation", "bot/conversation/flows", "dialogues")


def conversation_modules() -> dict[str, Path]:
    paths: list[Path] = []
    for package in PACKAGES:
        paths.extend(sorted((ROOT / package).glob("*.py")))
    return {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
        for p in paths
    }


def imported(tree: ast.AST, known: set[str]) -> list[tuple[str, ast.AST]]:
    """(module, node) for each import in `tree` of a module in `known`."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from bot.conversation.flows import menu" imports bot.conversation.flows.menu.
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        found.extend((n, node) for n in names if n in known)
    return found


def graph() -> dict[str, set[str]]:
    modules = conversation_modules()
    known = set(modules)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = {target for target, _ in imported(tree, known) if target != name}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None (iterative DFS, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(edges[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges[nxt])))
    return None


def test_the_checker_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_covers_the_flows():
    edges = graph()
    assert "bot.conversation.flows.question" in edges["bot.conversation.engine"]
    assert "bot.conversation.turn" in edges["bot.conversation.flows.question"]


def test_no_import_cycle_among_conversation_modules():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle or ())


def test_no_conversation_module_imports_another_inside_a_function():
    modules = conversation_modules()
    hidden = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for target, imp in imported(node, set(modules)):
                    hidden.append(f"{name}:{imp.lineno} imports {target}")
    assert hidden == []
