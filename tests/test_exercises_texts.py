"""What the exercises say reads as a driver engineer would say it: diagnosis causes and fixes
come from one table of words per knob value (never a knob's name, True/False or a template);
complete-the-routine offers only calls of the routine's own family and never a call the
routine needs; every find-the-bug listing reads as C someone would write."""
import dataclasses
import random
import re

import pytest

from unloadlab.callout import CalloutScenario
from unloadlab.catalogue import CATALOGUE
from unloadlab.exercises import make
from unloadlab.exercises.diagnosis import cause_and_fix, commanded_clean, faults
from unloadlab.exercises.words import MISTAKES, TRAITS, key_of, mistake
from unloadlab.exercises.reading import blocks, dead_branches, listing, load_items, teardown_items
from unloadlab.exercises.space import clean, domain, draw, family, listing_of, start, trace_of, walk
from unloadlab.minifilter import MinifilterScenario

KNOBS = {f.name for cls in (MinifilterScenario, CalloutScenario) for f in dataclasses.fields(cls) if "_" in f.name}
ALL_KNOBS = {f.name for cls in (MinifilterScenario, CalloutScenario) for f in dataclasses.fields(cls)}
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b")


def badly_worded(text):
    """What an engineer would not write: a knob's name (those that are words, such as "callouts",
    are words), snake_case, a Python bool, a template."""
    found = [k for k in KNOBS if re.search(rf"\b{k}\b", text)] + SNAKE.findall(text)
    found += re.findall(r"\b(?:True|False|None)\b", text)
    found += [p for p in ("as a correct driver has it", "{", "}") if p in text]
    return found


# --- diagnosis: causes and fixes ----------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(60))
def test_every_diagnosis_option_reads_as_an_engineer_would_say_it(seed):
    ex = make("diagnosis", seed)
    for c in ex.choices:
        cause, _, fix = c.text.partition(" Fix: ")
        assert cause and fix, c.text
        assert cause[0].isupper() and cause.endswith(".") and fix.endswith("."), c.text
        assert badly_worded(c.text) == [], (seed, c.text)
    assert badly_worded(ex.choice(ex.answer[0]).why.split(" Rule ")[0]) == []


def test_the_table_itself_reads_well():
    """Every entry, for every value it keys: sentences, no knob name, no placeholder left."""
    samples = {"minifilter": MinifilterScenario("sc-stop"), "callout": CalloutScenario(),
               "callout-wdf": CalloutScenario(model="wdf")}
    for fam, knobs in MISTAKES.items():
        for knob, entries in knobs.items():
            for key in entries:
                for name, sc in samples.items():
                    if not name.startswith(fam):
                        continue
                    value = next((v for v in domain(sc, knob) if key_of(v) == key), None)
                    assert value is not None, (fam, knob, key)     # the key is one the knob can take
                    cause, fix = mistake(fam, knob, value, sc)
                    assert badly_worded(cause + " " + fix) == [], (fam, knob, key, cause, fix)
    for fam, knobs in TRAITS.items():
        for knob, entries in knobs.items():
            assert knob in ALL_KNOBS
            assert all(badly_worded(t) == [] for t in entries.values()), (fam, knob)


def test_no_fault_the_generator_reaches_is_left_without_words():
    """The diagnosis level offers only mistakes the table words; this lists any it reaches
    without (a knob a model gains), so that its words get written."""
    ok = commanded_clean
    unworded = set()
    for n in range(40):
        base = draw(random.Random(f"words {n}"), ok)
        for name, value, sc in faults(base, worded_only=False):
            if cause_and_fix(sc, name, value) is None:
                unworded.add((family(base), name, key_of(value)))
    assert unworded == set(), f"give these knob values words in exercises/mistakes.py: {sorted(unworded)}"


# --- complete the routine: same family, never a needed call ----------------------------------------------
def _family_calls():
    names = {"minifilter": set(), "callout": set()}
    for e in CATALOGUE:
        t = e.run()
        names[e.family] |= {i.name for i in teardown_items(t) + load_items(t)}
    for n in range(80):
        rng = random.Random(f"calls {n}")
        for fam in names:
            sc = walk(rng, start(fam, clean), clean)
            names[fam] |= {i.name for i in teardown_items(trace_of(sc)) + load_items(trace_of(sc))}
    return names


def test_complete_offers_only_calls_of_the_routines_family():
    calls = _family_calls()
    other = {"minifilter": "callout", "callout": "minifilter"}
    foreign = {fam: calls[other[fam]] - calls[fam] for fam in calls}
    assert "FltUnregisterFilter" in foreign["callout"] and "FwpsCalloutUnregisterById0" in foreign["minifilter"]
    for seed in range(120):
        ex = make("complete", seed)
        needed = {i.name for i in teardown_items(trace_of(ex.extra["scenario"]))}
        right = ex.choice(ex.answer[0])
        for c in ex.choices:
            name = c.text.split("(")[0]
            assert name in calls[ex.family] and name not in foreign[ex.family], (seed, ex.family, c.text)
            assert not name.startswith("Fwp" if ex.family == "minifilter" else "Flt"), (seed, c.text)
            if c.key != right.key:
                assert name not in needed, (seed, c.text)       # never a call this routine makes
        assert len(ex.choices) == 4, seed


def test_complete_explains_each_distractor_by_what_this_driver_has():
    sources = set()
    for seed in range(40):
        ex = make("complete", seed)
        for c in ex.choices:
            if c.key == ex.answer[0]:
                continue
            sources.add(ex.extra["sources"][c.text])
            assert badly_worded(c.why.split(" (rule ")[0]) == [], c.why
            assert "DriverEntry did" in c.why or ("belongs in the unload of" in c.why and "this driver " in c.why)
    assert sources == {"DriverEntry", "another driver"}


# --- find the bug: plausible C ---------------------------------------------------------------------------
def test_dead_branches_are_found():
    same = "\n".join(["static NTSTATUS Unload(FLT_FILTER_UNLOAD_FLAGS Flags)", "{",
                      "    if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {",
                      "        return STATUS_SUCCESS;  /* does not refuse */", "    }",
                      "    return STATUS_SUCCESS;", "}"])
    lines = listing(same)
    block = next(b for b in blocks(lines) if b.is_code)
    assert [lines[i].text.strip() for i in dead_branches(lines, block)] == [
        "if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {"]
    refusing = same.replace("return STATUS_SUCCESS;  /* does not refuse */", "return STATUS_FLT_DO_NOT_DETACH;")
    lines = listing(refusing)
    assert dead_branches(lines, next(b for b in blocks(lines) if b.is_code)) == []
    empty = same.replace("        return STATUS_SUCCESS;  /* does not refuse */", "        /* BUG: nothing here */")
    lines = listing(empty)
    assert len(dead_branches(lines, next(b for b in blocks(lines) if b.is_code))) == 1


@pytest.mark.parametrize("seed", range(60))
def test_every_find_bug_listing_reads_as_plausible_c(seed):
    """The routine shown has no branch that changes nothing, and its braces balance (nothing
    the exercise took out leaves a statement unfinished)."""
    ex = make("find-bug", seed)
    lines, block = list(listing_of(ex.extra["bad"])), ex.extra["block"]
    assert dead_branches(lines, block) == [], (seed, block.name)
    shown = [line[5:] for line in ex.shown.split("\n")]     # "NNN  text"
    body = [lines[i].text for i in range(block.start, block.end)]
    assert all(text in shown for text in body if text.strip()), seed
    code = " ".join(t for t in body if not t.strip().startswith("/*"))
    assert code.count("{") == code.count("}") and code.count("(") == code.count(")"), seed
