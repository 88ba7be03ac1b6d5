"""One record per family (issue 20): the shells iterate ``families()`` instead of naming a
family, so a third family is one more folder and one more line in ``families.py``.

``test_no_shell_names_a_family_scenario_class`` reads every module outside the families'
own folders and fails where one names a family's scenario class (an import, a name or an
attribute) instead of reaching it through the record; it covers every shell, exercises/
included.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from unloadlab.families import NAMES, families, family, family_of
from unloadlab.windows import SHARED_ACTORS, Trace

SRC = Path(__file__).resolve().parent.parent / "src" / "unloadlab"
FAMILIES = families()


def _names(path: Path) -> set[str]:
    """Every identifier a module uses: names, attributes and imported names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found |= {a.name for a in node.names}
    return found


def _shell_modules() -> list[Path]:
    own = {f.name for f in FAMILIES}
    return [p for p in sorted(SRC.rglob("*.py"))
            if p.relative_to(SRC).parts[0] not in own]


@pytest.mark.parametrize("path", _shell_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_shell_names_a_family_scenario_class(path):
    named = _names(path) & {f.scenario.__name__ for f in FAMILIES}
    assert not named, f"{path.name} names {named}; reach it through the family's record (families.family)"


def test_the_check_sees_a_name(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ..minifilter import MinifilterScenario\nx = callout.CalloutScenario\n")
    assert _names(bad) >= {"MinifilterScenario", "CalloutScenario"}


def test_the_scope_covers_the_shells():
    tops = {p.relative_to(SRC).parts[0] for p in _shell_modules()}
    assert {"exercises", "views", "cli.py", "catalogue.py", "symptoms"} <= tops


@pytest.mark.parametrize("f", FAMILIES, ids=lambda f: f.name)
def test_a_record_is_its_family(f):
    """Each part of the record belongs to its family's folder and works with its scenarios."""
    assert f.scenario.__module__ == f"unloadlab.{f.name}.scenario"
    assert family(f.name) is f and f.name in NAMES
    examples = f.examples()
    assert examples and all(e.family == f.name and type(e.scenario()) is f.scenario for e in examples)
    first = next(iter(f.decision_space()))
    assert family_of(first) is f
    trace = f.simulate(first)
    assert isinstance(trace, Trace) and trace.family == f.name
    assert "DriverEntry" in f.c_view(first)
    assert f.rules() and f.service_name and f.help
    actors = {a for e in examples for s in e.run().steps for a in (s.actor, s.target) if a}
    assert actors <= set(SHARED_ACTORS + f.actors)


def test_the_families_bring_their_own_actors():
    seen = [a for f in FAMILIES for a in f.actors]
    assert len(seen) == len(set(seen)) and not set(seen) & set(SHARED_ACTORS)


def test_family_of_rejects_a_stranger():
    with pytest.raises(TypeError, match="MinifilterScenario or CalloutScenario, got str"):
        family_of("sc-stop")


def test_a_record_is_plain_data():
    assert all(isinstance(f, tuple) and hasattr(type(f), "_fields") for f in FAMILIES)   # a NamedTuple


def test_build_is_the_scenario_class_faster():
    """windows.family.build(cls, knobs) equals cls(**knobs) over the minifilter spaces, and a bad
    or unknown knob raises the same error."""
    from unloadlab.minifilter import craft_space, decision_space
    from unloadlab.windows import ScenarioError
    from unloadlab.windows.family import build
    cls = family("minifilter").scenario
    for sc in [*decision_space(), *craft_space()]:
        knobs = {f.name: getattr(sc, f.name) for f in dataclasses.fields(sc)}
        again = cls(**knobs)
        assert sc == again and hash(sc) == hash(again) and repr(sc) == repr(again)
    for bad in ({"trigger": "sc-stop", "instances": 9}, {"trigger": "nope"}, {"trigger": "sc-stop", "flags": "X"}):
        with pytest.raises(ScenarioError) as built:
            build(cls, bad)
        with pytest.raises(ScenarioError) as made:
            cls(**bad)
        assert str(built.value) == str(made.value)
    for bad in ({"trigger": "sc-stop", "no_such_knob": 1}, {}):
        with pytest.raises(TypeError):
            build(cls, bad)
    assert build(cls, {"trigger": "sc-stop", "flags": "DO_NOT_SUPPORT_SERVICE_STOP"}) == cls(
        "sc-stop", flags="DO_NOT_SUPPORT_SERVICE_STOP")
