"""The package layout is the architecture; this test reads every import and fails when a
boundary is crossed.

Layers, bottom to top: ``windows`` (what both families share) < the two families
(``minifilter``, ``callout``), which never import each other < ``catalogue`` < ``symptoms`` < ``views``
< ``exercises`` < ``cli``. A module imports only from its own layer or below; no module
imports another module's underscore names; each package names its public API in
``__all__``; the base and the families use the standard library only.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "unloadlab"
LAYER = {"windows": 0, "minifilter": 1, "callout": 1, "families": 2, "catalogue": 2, "symptoms": 2.5, "views": 3,
         "exercises": 4, "cli": 5, "__main__": 5, "__init__": 0}
PURE = {"windows", "minifilter", "callout", "families", "catalogue", "symptoms"}   # stdlib only, nothing printed


def _modules() -> list[tuple[str, Path]]:
    """(dotted name inside unloadlab, path) for every module."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts) or "__init__", path))
    return out


def _imports(name: str, path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """(absolute module imported, names taken from it, line) for every import in the module,
    wherever it sits (top level or inside a function)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(["unloadlab", *base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append((target, tuple(a.name for a in node.names), node.lineno))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _internal(target: str, names: tuple[str, ...]) -> list[str]:
    """The unloadlab modules an import reaches: `from unloadlab import callout` reaches callout."""
    if target == "unloadlab":
        return list(names)
    if target.startswith("unloadlab."):
        return [target[len("unloadlab."):]]
    return []


def crossings(name: str, path: Path) -> list[str]:
    """Every boundary the module crosses: an upward import, the families importing each other,
    another module's private name or private module."""
    mine, found = _top(name), []
    for target, names, line in _imports(name, path):
        where = f"{path.name}:{line}"
        for reached in _internal(target, names):
            other = _top(reached)
            if other != mine and LAYER[other] > LAYER[mine]:
                found.append(f"{where}: {mine} (layer {LAYER[mine]}) imports {reached} (layer {LAYER[other]})")
            if {mine, other} == {"minifilter", "callout"}:
                found.append(f"{where}: the families import each other ({reached})")
        if target.startswith("unloadlab"):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                found.append(f"{where}: imports private {private} from {target}")
            if any(part.startswith("_") for part in target.split(".")[1:] if part != "__main__"):
                found.append(f"{where}: imports the private module {target}")
    return found


CASES = _modules()


@pytest.mark.parametrize("name,path", CASES, ids=[n for n, _ in CASES])
def test_no_module_crosses_a_boundary(name, path):
    assert crossings(name, path) == []


def test_the_checker_catches_each_kind_of_crossing(tmp_path):
    """Not vacuous: a module written to cross every boundary is caught on every line."""
    bad = tmp_path / "model.py"
    bad.write_text("from ..callout import simulate\n"          # family -> family
                   "from ..views.text import format_trace\n"   # family -> a layer above
                   "from .trace import _arrow\n"               # a private name
                   "def f():\n    from unloadlab.catalogue import RULES\n")  # upward, inside a function
    found = crossings("minifilter.model", bad)
    assert [f.split(":")[1] for f in found] == ["1", "2", "3", "5"], found


@pytest.mark.parametrize("name,path", [c for c in CASES if _top(c[0]) in PURE], ids=lambda c: str(c))
def test_the_base_and_the_families_use_the_standard_library_only(name, path):
    stdlib = sys.stdlib_module_names | {"__future__"}
    for target, _, line in _imports(name, path):
        if target.startswith("unloadlab"):
            continue
        assert _top(target) in stdlib, f"{path.name}:{line}: {target} is not in the standard library"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    assert not calls, f"{path.name}: prints; the core returns traces and text, the shells print"


PACKAGES = sorted(p.parent for p in SRC.rglob("__init__.py") if p.parent != SRC)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_each_package_names_its_public_api(package):
    import importlib
    module = importlib.import_module(f"unloadlab.{package.name}")
    assert isinstance(getattr(module, "__all__", None), list) and module.__all__, f"{package.name}: no __all__"
    if package.name == "views":   # submodules load on demand (widgets pulls in ipywidgets)
        assert all((package / f"{n}.py").exists() for n in module.__all__)
        return
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{package.name}.__all__ names what it does not define: {missing}"


def test_the_checker_sees_a_crossing():
    """The checker is not vacuous: an upward import and a private name are both caught."""
    fake = SRC / "windows" / "ntstatus.py"
    tree_imports = _imports("windows.ntstatus", fake)
    assert all(not t.startswith("unloadlab.callout") for t, _, _ in tree_imports)
    reached = _internal("unloadlab.callout.model", ("simulate",))
    assert reached == ["callout.model"] and LAYER[_top(reached[0])] > LAYER["windows"]
    assert _internal("unloadlab", ("minifilter", "callout")) == ["minifilter", "callout"]


EXERCISE_KINDS = {"find_bug", "teardown", "diagnosis", "predict"}
EXERCISE_MODULES = {p.stem for p in (SRC / "exercises").glob("*.py")}
EXERCISE_ABOVE = EXERCISE_KINDS | {"__init__", "widgets"}   # what a shared module never imports


def _exercise_modules_reached(name: str, path: Path) -> set[str]:
    """The exercises modules an import reaches; a name from the package itself (``from . import
    make``) reaches ``__init__``, which names every kind."""
    out = set()
    for target, names, _ in _imports(name, path):
        if target == "unloadlab.exercises":
            out |= {n if n in EXERCISE_MODULES else "__init__" for n in names}
        elif target.startswith("unloadlab.exercises."):
            out.add(target.split(".")[2])
    return out


@pytest.mark.parametrize("name,path", [c for c in CASES if _top(c[0]) == "exercises"], ids=lambda c: str(c))
def test_exercise_kinds_import_what_the_room_shares_never_each_other(name, path):
    """Each kind reads top to bottom in its own module; the shared modules import no kind;
    only the widgets import ipywidgets."""
    mine = name.split(".")[1] if name.count(".") else "__init__"
    reached = _exercise_modules_reached(name, path) - {mine}
    if mine in EXERCISE_KINDS:
        assert not reached & EXERCISE_KINDS, f"{name} imports another kind: {reached & EXERCISE_KINDS}"
    elif mine not in ("__init__", "widgets"):
        assert not reached & EXERCISE_ABOVE, f"shared {name} imports {reached & EXERCISE_ABOVE}"
    if mine != "widgets":
        assert all(_top(t) != "ipywidgets" for t, _, _ in _imports(name, path)), name
