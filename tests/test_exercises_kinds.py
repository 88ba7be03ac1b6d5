"""The seeded exercise kinds (find the bug, put it in order, complete the routine, diagnosis):
every seed gives a solvable problem with exactly one right answer; the right answer passes,
every wrong answer fails with an explanation that names existing rules; problems come from
the models (not hard-coded), reproduce in another process, and show nothing that gives the
answer away."""
import itertools
import os
import re
import subprocess
import sys

import pytest

from unloadlab.catalogue import RULES_BY_ID
from unloadlab.exercises import MAX_SEED, check, check_text
from unloadlab.exercises.exercise import rules_named
from unloadlab.exercises.find_bug import candidates
from unloadlab.exercises import KINDS, make, routine_kind
from unloadlab.exercises.reading import listing, teardown_items
from unloadlab.exercises.space import clean, listing_of, simulate
from unloadlab.views.code import driver_c

# A loop over many seeds (the property): the first ones, and some near the top of the range.
SEEDS = {"find-bug": 60, "order": 120, "complete": 120, "diagnosis": 50}
HIGH = [MAX_SEED, MAX_SEED - 1, 2**30, 123456789]


def seeds(kind):
    return list(range(SEEDS[kind])) + HIGH


def keeps(order, pairs):
    """The definition of a right order: every (earlier, later) pair the rules state is kept."""
    return all(order.index(a) < order.index(b) for a, b, _ in pairs)


def assert_one_right_answer(ex):
    """Exactly one answer is right (an order: exactly the orders that keep what the rules
    require), and every other one is wrong with a rule-naming reason."""
    if ex.ordered:
        keys = ex.choice_keys
        perms = itertools.permutations(keys) if len(keys) <= 6 else [ex.answer, tuple(reversed(ex.answer))] + [
            ex.answer[1:] + ex.answer[:1], (ex.answer[1], ex.answer[0], *ex.answer[2:])]
        assert ex.before and set(r for *_, r in ex.before) <= set(RULES_BY_ID)
        assert check(ex, list(ex.answer)).correct                     # the model's order keeps them all
        for p in perms:
            assert check(ex, list(p)).correct == keeps(p, ex.before), p
        wrong = check(ex, list(reversed(ex.answer)), attempt=2)
        assert not wrong.correct and len(wrong.rules) == 1 and wrong.rules[0] in wrong.message
        assert "must come after" in wrong.message
        return
    right = [k for k in ex.choice_keys if check(ex, k, attempt=2).correct]
    assert right == list(ex.answer)
    assert check(ex, ex.answer[0]).message.startswith("Right.")
    assert len(ex.choices) >= 2
    for c in ex.choices:
        if c.key == ex.answer[0]:
            continue
        v = check(ex, c.key, attempt=2)
        assert not v.correct and c.rules and set(c.rules) <= set(RULES_BY_ID), (ex.kind, ex.seed, c)
        assert c.rules[0] in v.message and c.why in v.message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_seed_gives_a_solvable_problem_with_one_right_answer(kind):
    for seed in seeds(kind):
        ex = make(kind, seed)
        assert ex.kind == kind and ex.seed == seed and ex.family in ("minifilter", "callout")
        assert ex.rules and set(ex.rules) <= set(RULES_BY_ID) and ex.hint and ex.solution
        assert_one_right_answer(ex)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_seed_same_problem_and_kinds_differ(kind):
    for seed in (0, 5, MAX_SEED):
        assert make(kind, seed).to_dict(answers=True) == make(kind, seed).to_dict(answers=True)
    assert len({make(kind, s).text() for s in range(12)}) > 4


def test_same_problems_in_another_process():
    code = ("from unloadlab.exercises import KINDS, make\n"
            "for k in sorted(KINDS):\n    for s in (0, 1, 7):\n        print(make(k, s).text()); print('=====')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONHASHSEED": "4242"})
    here = "".join(make(k, s).text() + "\n=====\n" for k in sorted(KINDS) for s in (0, 1, 7))
    assert run.returncode == 0, run.stderr
    assert run.stdout == here


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_seeds_and_answers_are_clear_errors(kind):
    for bad in (-1, MAX_SEED + 1, "3", 1.5, None):
        with pytest.raises(ValueError, match="a seed is a whole number from 0 to 2147483647"):
            make(kind, bad)
    ex = make(kind, 0)
    with pytest.raises(ValueError, match="not one of|an order"):
        check(ex, "zz")
    assert check_text(ex, None).startswith("Answer first:")
    assert check_text(ex, "zz").startswith("Not an answer this exercise accepts:")
    with pytest.raises(ValueError, match="kind 'nope' is not one of"):
        make("nope", 0)


def test_answers_stay_out_of_the_problem_text():
    """What is printed before --answers holds no explanation and, but for find the bug (whose
    faulty line is in the listing), not the right answer's text beside the material."""
    for kind in KINDS:
        for seed in range(8):
            ex = make(kind, seed)
            text = ex.text()
            assert ex.solution not in text and "Answer:" not in text
            assert all(c.why not in text for c in ex.choices)
            if kind == "complete":
                assert ex.choice(ex.answer[0]).text not in ex.shown
            d = ex.to_dict()
            assert "answer" not in d and "explanations" not in d and "solution" not in d


# --- find the bug -------------------------------------------------------------------------------------------
def test_find_bug_comes_from_the_models_bug_lines_and_traces():
    """Seeded from the knobs whose C view marks a BUG line: the shown listing has no BUG
    comment and no rule citation, the bad C marks a BUG the good one does not, and the trace
    of the bad scenario differs from the clean one's."""
    knobs = set()
    for seed in range(SEEDS["find-bug"]):
        ex = make("find-bug", seed)
        knobs.add(ex.extra["knob"])
        assert "BUG" not in ex.shown and not re.search(r"\brule [a-z]", ex.shown)
        assert rules_named(ex.shown) == []
        bad, good = ex.extra["bad"], ex.extra["good"]
        assert "BUG:" in driver_c(bad) and "BUG:" not in driver_c(good) and clean(good)
        assert simulate(bad).steps != simulate(good).steps
        assert ex.choice(ex.answer[0]).text in ex.shown
        assert "On a real machine:" in ex.solution and "Fix:" in ex.solution
    assert len(knobs) >= 3, knobs


def test_find_bug_candidates_follow_a_new_bug_line():
    """Generic: a knob value whose C gains a BUG line and whose trace shows a new mark is found
    without being named anywhere in the exercise code."""
    from unloadlab.minifilter import MinifilterScenario
    base = MinifilterScenario("fltmc-unload", server_port="closed-before-unregister")
    assert clean(base)
    found = {(b.knob, getattr(b.bad, b.knob)) for b in candidates(base)}
    assert ("server_port", base.server_port.__class__("left-open")) in found
    assert ("calls_unregister", False) in found


def test_the_listing_drops_bug_comments_and_rule_citations():
    from unloadlab.minifilter import MinifilterScenario
    lines = listing(driver_c(MinifilterScenario("sc-stop", server_port="left-open")))
    text = "\n".join(line.text for line in lines)
    assert "BUG" not in text and not re.search(r"\brule [a-z]", text)
    marked = [line for line in lines if line.bug]
    assert len(marked) == 1 and "FltUnregisterFilter" in marked[0].text and "port" in marked[0].bug


# --- put it in order / complete the routine --------------------------------------------------------------
def test_order_offers_the_models_calls_in_its_order_and_nothing_else():
    """The items are the driver's teardown in the model's order, less what is not a statement of
    its C: never a heading ("global cleanup"), a decision ("...: go ahead") or "stop new work"."""
    for seed in range(120):
        ex = make("order", seed)
        model_order = [i.text for i in teardown_items(simulate(ex.extra["scenario"]))]
        texts = [ex.choice(k).text for k in ex.answer]
        assert texts == [t for t in model_order if t in texts]           # a subsequence, in order
        assert [c.key for c in ex.choices] != list(ex.answer)            # shuffled
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert not [t for t in texts if t in ("global cleanup", "stop new work") or t.endswith("go ahead")], seed
        assert "go ahead" not in ex.shown and "global cleanup" not in ex.shown


def test_order_is_partial_where_the_rules_leave_it_free():
    """Some problems accept an order other than the model's (e.g. the timer, the thread and the
    notify routine in any order before the pool), and every pair names a rule the model's order keeps."""
    other = 0
    for seed in range(60):
        ex = make("order", seed)
        a = list(ex.answer)
        for i in range(len(a) - 1):
            swapped = a[:i] + [a[i + 1], a[i]] + a[i + 2:]
            if check(ex, swapped).correct:
                other += 1
                assert keeps(swapped, ex.before)
    assert other > 10


def test_a_wrong_order_names_the_first_pair_it_breaks_and_its_rule():
    for seed in range(40):
        ex = make("order", seed)
        a, b, rule = ex.before[0]
        order = [b, a] + [k for k in ex.answer if k not in (a, b)]
        v = check(ex, order, attempt=2)
        assert not v.correct and v.rules == (rule,), seed
        assert v.message.startswith(f"Not yet: {ex.choice(b).text} (your number 1) must come after "
                                    f"{ex.choice(a).text} (your number 2): rule {rule}:"), v.message


def test_a_first_wrong_order_says_where_to_look_not_what_goes_where():
    for seed in range(20):
        ex = make("order", seed)
        wrong = list(reversed(ex.answer))
        first, second = check(ex, wrong), check(ex, wrong, attempt=2)
        assert first.message.startswith("Not yet.") and first.rules == () and first.misplaced == ()
        assert "rule " not in first.message and ex.hint in first.message
        assert sum(ex.choice(k).text in first.message for k in ex.choice_keys) == 1   # what to look at
        assert second.rules and second.misplaced


def test_complete_offers_plausible_wrong_calls_from_elsewhere_in_the_model():
    """Wrong options are calls DriverEntry made, or calls a driver of the same family one knob
    away makes in its unload (tests/test_exercises_texts.py checks the family)."""
    sources = set()
    for seed in range(40):
        ex = make("complete", seed)
        missing = ex.choice(ex.answer[0])
        assert "________" in ex.shown and missing.text not in ex.shown.split("Its teardown")[1]
        for c in ex.choices:
            if c.key != ex.answer[0]:
                sources.add(ex.extra["sources"][c.text])
                assert c.text != missing.text
    assert sources == {"DriverEntry", "another driver"}


# --- the routine level and the diagnosis level ------------------------------------------------------------
def test_routine_level_uses_all_three_kinds():
    assert {routine_kind(s) for s in range(30)} == {"find-bug", "order", "complete"}


def test_diagnosis_evidence_names_no_rule_knob_or_cause():
    for seed in range(20):
        ex = make("diagnosis", seed)
        assert rules_named(ex.shown) == [] and "BUG" not in ex.shown and "=NULL" not in ex.shown
        knobs = ex.extra["scenario"].knobs()
        assert [k for k in knobs if "_" in k and k in ex.shown] == []
        assert "illustration, not real output" in ex.shown
        right = ex.choice(ex.answer[0])
        assert right.text not in ex.shown
        assert check(ex, next(k for k in ex.choice_keys if k != ex.answer[0]), 1).rules == ()   # staged


# --- what the room keeps once per scenario -----------------------------------------------------------------
def test_a_cached_trace_cannot_be_changed_by_a_caller():
    from unloadlab.exercises.space import trace_of
    from unloadlab.minifilter import MinifilterScenario
    sc = MinifilterScenario("sc-stop", server_port="left-open")
    trace = trace_of(sc)
    with pytest.raises(TypeError):
        trace.state["unloaded"] = True
    with pytest.raises(AttributeError):
        trace.state["printed"].append("changed")
    assert trace_of(sc).state == {k: tuple(v) if isinstance(v, list) else v for k, v in simulate(sc).state.items()}


def test_cache_clear_forgets_the_exercises_caches_too():
    from unloadlab.exercises import cache_clear, evidence
    from unloadlab.exercises.space import listing_of, trace_of
    from unloadlab.minifilter import MinifilterScenario
    evidence(MinifilterScenario("sc-stop"))
    assert trace_of.cache_info().currsize and listing_of.cache_info().currsize and evidence.cache_info().currsize
    cache_clear()
    assert [f.cache_info().currsize for f in (trace_of, listing_of, evidence)] == [0, 0, 0]


def _apply(ex):
    """The shown routine with the solution's diff applied, as stripped lines."""
    shown = {int(line[:3]): line[5:] for line in ex.shown.splitlines() if line[:3].strip().isdigit()}
    head = ex.extra["block"]
    start = next(n for n, text in shown.items() if text == listing_of(ex.extra["bad"])[head.start].text)
    numbers = [n for n in shown if n >= start]
    out, done = [], start - 1
    for line in ex.solution.split("should be):\n", 1)[1].splitlines():
        mark, rest = line[:1], line[2:]
        if line.strip() == "...":
            continue
        if mark == "+":
            out.append(rest.strip())
            continue
        k = int(rest[:3])
        out += [shown[n].strip() for n in numbers if done < n < k]
        if mark == " ":
            out.append(shown[k].strip())
        done = k
    out += [shown[n].strip() for n in numbers if n > done]
    return [t for t in out if t]


def test_every_find_bug_fix_is_a_diff_that_gives_the_clean_drivers_routine():
    """Issue 19 item 17: the fix is the change to the shown routine, as a diff with the learner's
    line numbers; applied, it gives the clean driver's routine line for line (C the lab compiles)."""
    from unloadlab.exercises.reading import blocks
    for seed in range(40):
        ex = make("find-bug", seed)
        good = list(listing_of(ex.extra["good"]))
        block = next(b for b in blocks(good) if b.name == ex.extra["block"].name)
        want = [good[i].text.strip() for i in range(block.start, block.end) if good[i].text.strip()]
        assert _apply(ex) == want, seed
        assert " / " not in ex.solution.split("Fix:")[0], seed


def test_find_bug_shows_what_driver_entry_set_up_and_plain_success():
    """The mistake is visible in what the learner sees: DriverEntry's calls (a port it created)
    are listed beside the routine; the routine returns STATUS_SUCCESS, not an informational status."""
    ex = make("find-bug", 1)
    assert ex.extra["knob"] == "server_port"
    assert ex.shown.startswith("DriverEntry calls: ") and "FltCreateCommunicationPort" in ex.shown.split("\n")[0]
    assert "FltCloseCommunicationPort" not in ex.shown            # only failure paths close it in DriverEntry
    for seed in range(30):
        assert "return STATUS_OBJECT_NAME_EXISTS" not in make("find-bug", seed).shown
