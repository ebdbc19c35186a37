"""The layering, read from the source with `ast`: `index/` has no import cycle, and no layer imports one above
it (index < qa < eval, web). Imports inside functions count too: a lazy import is still a dependency."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"index": set(), "qa": {"index"}, "eval": {"index", "qa"}, "web": {"index", "qa"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that the file at `path` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` packages up
                package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from index import doctor` imports the module index.doctor; `from index.ids import x`, index.ids
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:  # `import index.speakers.extract` also runs index.speakers
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    files = sorted((ROOT / package).rglob("*.py"))
    known = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, known) - {module_name(f)} for f in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, nodes coloured as they are left)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"d"}}, ["d", "d"]),
])
def test_find_cycle_by_hand(graph, cycle):
    assert find_cycle(graph) == cycle


def test_the_graph_sees_lazy_and_package_imports(tmp_path):
    known = {"index.a", "index.b", "index.c", "index"}
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from index import b\n    import index.c.deep\n")
    assert imports_of(source, known) == {"index.b", "index.c"}


def test_index_has_no_import_cycle():
    graph = import_graph("index")
    assert {"index.ingest", "index.doctor", "index.writer"} <= set(graph)
    assert "index.writer" in graph["index.doctor"] and "index.ingest" not in graph["index.doctor"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_no_layer_imports_one_above_it(package):
    above = set(LAYERS) - LAYERS[package] - {package}
    known = {module_name(f) for layer in LAYERS for f in (ROOT / layer).rglob("*.py")}
    reaching_up = {f"{module_name(f)} -> {name}" for f in sorted((ROOT / package).rglob("*.py"))
                   for name in imports_of(f, known) if name.split(".")[0] in above}
    assert not reaching_up
