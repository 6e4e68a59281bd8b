"""The package's house: its folders are the stages of the month, and imports only go down.

Every import counts, a function-level one too (a cycle hidden inside a function is still a
cycle). docs/design.md draws the same order."""

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "plantools"
# lowest first: a module may import from its own room and from the rooms before it
ORDER = [
    ("errors", "terminal", "bundled", "text", "options"),
    ("xlsx",),
    ("plan",),
    ("read",),
    ("paper",),
    ("copy",),
    ("packs",),
    ("send",),
    ("returns",),
    ("round",),
    ("format", "template", "history"),
    ("jobs",),
    ("report",),
    ("__init__",),
    ("cli",),
    ("__main__",),
]
RANK = {room: rank for rank, rooms in enumerate(ORDER) for room in rooms}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The plantools modules `path` imports, anywhere in it; 'from plantools.x import y' counts
    as an import of plantools.x.y when y is a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}:{node.lineno}: imports are absolute here"
            if not node.module or not node.module.startswith("plantools"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("plantools")}
    return found - {module_name(path)}


def graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def test_every_room_is_in_the_order():
    rooms = {room(m) for m in graph()}
    assert rooms <= set(RANK), f"a room with no place in ORDER: {sorted(rooms - set(RANK))}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} <= set(RANK)


def test_no_module_imports_a_later_stage():
    upward = [f"{module} imports {target}" for module, targets in graph().items() for target in targets
              if room(target) != "__init__" and RANK[room(target)] > RANK[room(module)]]
    assert upward == []


def test_no_import_cycle():
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        for target in sorted(edges.get(module, ())):
            visit(target, path + [module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_the_checks_themselves_catch_an_upward_import_and_a_cycle(tmp_path, monkeypatch):
    """Fed a made-up house, both checks fail."""
    monkeypatch.setattr(f"{__name__}.graph", lambda: {"plantools.plan.a": {"plantools.read.b"},
                                                      "plantools.read.b": {"plantools.plan.a"}})
    for check in (test_no_module_imports_a_later_stage, test_no_import_cycle):
        try:
            check()
        except AssertionError:
            continue
        raise AssertionError(f"{check.__name__} passed a house it should refuse")


def test_docs_design_draws_this_house():
    """docs/design.md's map names every room and module there is, and nothing else."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    drawn = text.split("## The house", 1)[1].split("```")[1]
    words = set(drawn.replace("/", " ").split())
    modules = {m.rsplit(".", 1)[-1] for m in graph() if m != "plantools"} - {"__main__"}
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert modules - words == set() and rooms - words == set()
    named = {line.split()[0].rstrip("/") for line in drawn.strip().splitlines() if not line.startswith(" ")}
    assert named <= modules | rooms, f"drawn but not there: {sorted(named - modules - rooms)}"
