"""The shape of the code: no import loops, stages that never reach back, one place for the wiring.

Imports inside functions count: a loop hidden in a function body is still a loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.corpus import ROOT

PACKAGES = ("pipeline", "crawlers", "bench", "tests")
# The data flow; a stage imports only stages before it (and the shared modules below).
STAGES = ("extract", "normalise", "validate", "store", "analysis")
SHARED = {"catalogue", "cells", "model", "formats", "settings", "errors", "interrupts", "locked"}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_loops():
    assert cycles(graph()) == []


def test_the_loop_finder_finds_a_loop_hidden_in_a_function_body(tmp_path):
    known = {"p.a": tmp_path / "a.py", "p.b": tmp_path / "b.py"}
    known["p.a"].write_text("from . import b\n")
    known["p.b"].write_text("def f():\n    from .a import x\n")
    g = {name: imports(name, path, known) for name, path in known.items()}
    assert g == {"p.a": {"p.b"}, "p.b": {"p.a"}} and cycles(g) == [["p.a", "p.b"]]


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "pipeline" and len(parts) > 1 else None


def test_no_stage_reaches_back_and_only_the_wiring_imports_the_facade():
    g = graph()
    backwards = []
    for module, targets in g.items():
        here = stage(module)
        for t in targets:
            there = stage(t)
            if (
                t == "pipeline.api"
                and module.startswith(("pipeline.", "crawlers."))
                and module != "pipeline.cli"
            ):
                backwards.append((module, t))  # the façade is for users, never for the code
            if here in STAGES and there is not None and there not in SHARED:
                if there not in STAGES or STAGES.index(there) > STAGES.index(here):
                    backwards.append((module, t))
    assert backwards == []
