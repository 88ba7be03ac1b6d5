"""The knob contract (issue 20): each family declares each knob once, in its ``knobs``
module, and the shells read the declarations.

- each family's rows name exactly its scenario's fields, once each;
- every declared knob appears in the CLI's --help, in the panel, and in the words;
- nothing in the shells names a knob that is not declared: the panel's controls, the
  mistakes and traits, the notebooks' panels, and the CLI commands the README, docs and
  notebooks show;
- the CLI's bool flags follow the scenario class's defaults, whatever they are.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import json
import re
from pathlib import Path

import pytest

from unloadlab.cli import _parser, main
from unloadlab.families import NAMES, families, family
from unloadlab.windows import ScenarioError
from unloadlab.windows.family import default_of, field_types

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = families()


def _fields(f) -> list[str]:
    return [x.name for x in dataclasses.fields(f.scenario)]


def _help(name: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([name, "--help"])
    return out.getvalue()


@pytest.mark.parametrize("f", FAMILIES, ids=lambda f: f.name)
def test_each_family_declares_exactly_its_fields_once(f):
    names = [row.name for row in f.knobs]
    assert len(names) == len(set(names)), "a knob declared twice"
    assert sorted(names) == sorted(_fields(f))


@pytest.mark.parametrize("f", FAMILIES, ids=lambda f: f.name)
def test_every_row_is_complete(f):
    """A label and a help line; choices for every choice-valued knob; limits for a count; words
    of its own or another row that says it."""
    rows = {row.name: row for row in f.knobs}
    for name, kind in field_types(f.scenario).items():
        row = rows[name]
        assert row.label and row.help and not row.help.endswith("."), name
        assert row.words is not None or row.said_with, f"{name}: no words say it"
        assert set(row.said_with) <= set(rows), name
        if kind is int:
            assert row.limits and (row.panel is None or row.panel[2]), f"{name}: limits, or a panel limit without why"
        elif kind is not bool:
            assert row.choices, f"{name}: no choices"


@pytest.mark.parametrize("f", FAMILIES, ids=lambda f: f.name)
def test_every_knob_appears_in_help_in_the_panel_and_in_the_words(f):
    from unloadlab.views.controls import specs
    text = _help(f.name)
    rows = {row.name: row for row in f.knobs}
    for name in _fields(f):
        option = rows[name].option or "--" + name.replace("_", "-")
        assert re.search(rf"{re.escape(option)}\b", text), f"{name}: {option} not in --help"
        assert rows[name].help.split()[0] in text
    assert list(specs(f)) == _fields(f)
    from unloadlab.views.panel import Panel
    assert set(Panel(f.name).controls) == set(_fields(f))


def test_a_mistake_names_a_cause_never_a_bug_check():
    """The consequence comes from the trace: a row that says '0xCE' would contradict a model
    that stops with 0xD4 (a timer)."""
    for f in FAMILIES:
        for row in f.knobs:
            for entry in row.mistakes.values():
                words = entry if isinstance(entry, tuple) else ()
                assert not any(re.search(r"bug check|0x[CD][0-9A-F]\b", w) for w in words), row.name


def test_nothing_in_the_shells_names_an_undeclared_knob():
    from unloadlab.exercises.words import MISTAKES, TRAITS
    declared = {f.name: set(_fields(f)) for f in FAMILIES}
    for table in (MISTAKES, TRAITS):
        for name, knobs in table.items():
            assert set(knobs) <= declared[name]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for call in _panel_calls("".join(cell["source"])):
                name, knobs = call
                assert knobs <= declared[name], f"{nb.name}: Panel({name!r}) names {knobs - declared[name]}"


def _panel_calls(source: str) -> list[tuple[str, set[str]]]:
    """(family, knobs named in show= and as keywords) for each Panel(...) call in a cell."""
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Panel" and node.args:
            knobs = {k.arg for k in node.keywords if k.arg not in (None, "show")}
            for k in node.keywords:
                if k.arg == "show":
                    knobs |= {e.value for e in getattr(k.value, "elts", ())}
            out.append((node.args[0].value, knobs))
    return out


def _shown_commands() -> list[list[str]]:
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "notebooks").glob("*.ipynb"))]
    found = []
    for path in texts:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"unloadlab ((?:minifilter|callout)(?: --?[\w-]+(?: [\w.-]+)?)+)", text):
            argv = m.group(1).split()
            if "--help" not in argv:
                found.append(argv)
    return found


@pytest.mark.parametrize("argv", _shown_commands(), ids=" ".join)
def test_every_command_the_docs_show_runs(argv, capsys):
    assert main(argv) == 0, capsys.readouterr().err


def test_the_docs_show_commands():
    assert len(_shown_commands()) >= 15


# --- the CLI follows the defaults, whatever they are --------------------------------------------
def _run(name: str, *argv: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([name, *argv, "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("f", FAMILIES, ids=lambda f: f.name)
def test_each_bool_knob_can_be_set_either_way(f):
    """--<knob> and --no-<knob> exist for every bool, so a default that changes (issue 19) needs
    no CLI change; the README's flags (--skip-unregister, ...) set their value."""
    base = [] if default_of(f.scenario, "trigger") is not dataclasses.MISSING else ["--trigger", "sc-stop"]
    for row in f.knobs:
        if field_types(f.scenario)[row.name] is not bool:
            continue
        option = row.option or "--" + row.name.replace("_", "-")
        for value, flag in ((True, option), (False, "--no-" + option[2:])):
            try:
                got = _run(f.name, *base, flag)
            except AssertionError:   # a value that cannot meet the other defaults
                continue
            assert got[row.name] is value, flag
        for flag in row.flags:
            with contextlib.suppress(AssertionError):
                assert _run(f.name, *base, flag.option)[row.name] == flag.value, flag.option


def test_the_flow_context_flags_work_for_any_default():
    """--[no-]remove-flow-contexts and --[no-]retry-on-busy each change one part of the default
    (the canonical teardown: both); --flow-contexts names any value."""
    assert _run("callout", "--remove-flow-contexts", "--retry-on-busy")["remove_flow_contexts"] == "before-and-on-busy"
    assert _run("callout", "--remove-flow-contexts")["remove_flow_contexts"] == "before-and-on-busy"
    assert _run("callout", "--no-retry-on-busy")["remove_flow_contexts"] == "before-unregister"
    assert _run("callout", "--no-remove-flow-contexts")["remove_flow_contexts"] == "on-device-busy"
    assert _run("callout", "--no-remove-flow-contexts", "--no-retry-on-busy",
                "--no-wait-for-flow-deletes")["remove_flow_contexts"] == "none"
    for value in ("none", "before-unregister", "on-device-busy", "before-and-on-busy"):
        waits = "--no-wait-for-flow-deletes" if value == "none" else "--wait-for-flow-deletes"   # nothing to wait for
        assert _run("callout", "--flow-contexts", value, waits)["remove_flow_contexts"] == value


def test_an_error_names_the_option_the_learner_typed(capsys):
    assert main(["callout", "--flows-with-context", "65"]) == 2
    assert capsys.readouterr().err == "unloadlab: error: --flows-with-context: expected a whole number 0..64, got 65\n"
    assert main(["callout", "--retry-on-busy", "--ignore-unregister-result"]) == 2
    assert capsys.readouterr().err.startswith("unloadlab: error: --retry-on-busy: 'before-and-on-busy' cannot go with")


def test_scenario_error_carries_the_knob():
    with pytest.raises(ScenarioError) as e:
        family("minifilter").scenario("sc-stop", instances=9)
    assert (e.value.knob, e.value.reason) == ("instances", "expected a whole number 0..8, got 9")
    assert str(e.value) == "instances: expected a whole number 0..8, got 9"


def test_the_parser_builds_only_the_family_asked_for():
    assert set(_parser(["minifilter"])._subparsers._group_actions[0].choices) == {"minifilter"}
    assert set(_parser([])._subparsers._group_actions[0].choices) >= set(NAMES)
