"""A scenario in words (exercises.words): every knob that is not its default is said,
in a driver engineer's words (no knob names, no True/False), by the sentence the table maps it
to; the lesson quizzes and the practice problems show exactly those sentences."""
import dataclasses
import re

import pytest

from unloadlab.callout import CalloutScenario
from unloadlab.catalogue import CATALOGUE
from unloadlab.exercises import describe, lesson_quiz, lessons, problem
from unloadlab.exercises.space import variants
from unloadlab.exercises.words import assumptions, described, non_default_knobs, request_sentence
from unloadlab.minifilter import MinifilterScenario
from unloadlab.windows import ScenarioError

ENTRIES = sorted(CATALOGUE, key=lambda e: (e.lesson, e.name))
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")   # a knob name such as caller_privileged
PYTHON_BOOL = re.compile(r"\b(?:True|False)\b")


DEFAULTS = (MinifilterScenario("sc-stop"), CalloutScenario())   # the minifilter's trigger has no default


@pytest.mark.parametrize("base", DEFAULTS, ids=lambda sc: type(sc).__name__)
def test_non_default_knobs_names_exactly_the_knob_changed(base):
    """Behaviour, not a copy of the code: the defaults name only what has no default, and
    changing one knob (to any value the model accepts) adds exactly that knob."""
    assert non_default_knobs(base) == (["trigger"] if isinstance(base, MinifilterScenario) else [])
    for knob, value, other in variants(base):
        assert set(non_default_knobs(other)) == set(non_default_knobs(base)) | {knob}, (knob, value)


def shown_in_lesson(entry):
    """The words a lesson question on this entry shows (the lesson module's own text)."""
    return describe(entry.scenario()).split("Assumptions:\n")[1]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_knob_off_its_default_is_described(entry):
    sc = entry.scenario()
    words = described(sc)
    changed = non_default_knobs(sc)
    missing = [k for k in changed if not words.get(k)]
    assert not missing, f"{entry.name}: no sentence for {missing}"
    shown = assumptions(sc)
    for knob in changed:
        assert all(s in shown for s in words[knob]), knob
        assert all(f"  - {s}" in shown_in_lesson(entry) for s in words[knob]), knob


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_each_sentence_is_there_because_of_its_knob(entry):
    """Putting a knob back to its default changes what is said for it (the mapping does not
    claim a sentence that ignores the knob)."""
    sc = entry.scenario()
    words = described(sc)
    fields = {f.name: f for f in dataclasses.fields(sc)}
    for knob in non_default_knobs(sc):
        f = fields[knob]
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        try:
            back = dataclasses.replace(sc, **{knob: default})
        except ScenarioError:
            continue   # that knob cannot go back alone (another knob needs it)
        assert described(back).get(knob, ()) != words[knob], knob


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_one_knob_away_every_value_is_described(entry):
    """Every value the exercises try for a knob (each enum member, each flag, each leak) has words."""
    for knob, value, other in variants(entry.scenario()):
        assert set(non_default_knobs(other)) <= set(described(other)), (knob, value)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_words_not_code(entry):
    text = "\n".join(assumptions(entry.scenario()))
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert not PYTHON_BOOL.search(text)
    assert all(s.endswith(".") and "\n" not in s for s in assumptions(entry.scenario()))


@pytest.mark.parametrize("name", lessons())
def test_lesson_questions_show_these_words(name):
    for q in lesson_quiz(name):
        entry = next(e for e in CATALOGUE if e.name == q.extra["scenario"])
        assert all(f"  - {s}" in q.shown for s in assumptions(entry.scenario()))
        assert not SNAKE.findall(q.shown) and not PYTHON_BOOL.search(q.shown)


def test_practice_problems_are_words_too():
    for seed in range(300):
        sc = problem(seed)
        text = "\n".join(assumptions(sc))
        assert set(non_default_knobs(sc)) <= set(described(sc)), seed
        assert not SNAKE.findall(text) and not PYTHON_BOOL.search(text), seed


def test_what_an_unprivileged_caller_lacks_depends_on_whom_it_asks():
    stop = assumptions(MinifilterScenario("sc-stop", caller_privileged=False))
    assert any("SERVICE_STOP access" in s for s in stop)
    assert not any("SeLoadDriverPrivilege" in s for s in stop)
    assert "a user who is not an administrator types `sc stop SampleFilter`" in stop[0]
    unload = assumptions(MinifilterScenario("fltmc-unload", caller_privileged=False))
    assert any("does not hold SeLoadDriverPrivilege" in s for s in unload)
    callout_stop = assumptions(CalloutScenario(trigger="ControlService", caller_privileged=False))
    assert any("SERVICE_STOP access" in s for s in callout_stop)
    # the capstone's evidence names the usual requester, whoever lacks rights
    assert request_sentence(MinifilterScenario("sc-stop", caller_privileged=False)) == \
        "an administrator types `sc stop SampleFilter`"


def test_the_deciding_knobs_the_lesson_writers_missed_are_said():
    words = {e.name: "\n".join(assumptions(e.scenario())) for e in CATALOGUE}
    assert "handle to it open" in words["cdo-refusal-handle-open"]
    assert "control device open" in words["cdo-refusal-handle-open"]
    assert "handle to it open" in words["sc-stop-handle-open-pending"]
    assert "Fast Startup" in words["shutdown-fast-startup"]
    assert "Driver Verifier" in words["pool-not-freed-verifier-0xc4"]
    done_right = words["wfp-wdm-unload-done-right"]
    assert "removes every flow context" in done_right and "waits until flowDeleteFn has run" in done_right


def test_teardown_code_no_routine_runs_is_said_only_where_it_differs():
    plain = assumptions(CalloutScenario(unload_function=False))
    assert not any("FwpsCalloutUnregisterById0" in s for s in plain)
    forgets = assumptions(CalloutScenario(unload_function=False, unregisters=False))
    assert any("never calls FwpsCalloutUnregisterById0" in s for s in forgets)


def test_other_objects_are_refused():
    with pytest.raises(TypeError, match="MinifilterScenario or CalloutScenario"):
        described("sc-stop")
