"""The teardown, two ways: put it in order, and complete the routine.

Both take the calls from a clean trace of either family (``reading.teardown_items``: the
driver's own calls and acts after the request, in the order the model makes them), so the
order checked against is the model's.

**Put it in order**: the calls, shuffled; the learner orders them. Each call is explained by
the rule that puts it where it is: the rule its step cites that the other steps do not.

**Complete the routine**: one call is missing; the learner picks it. The options besides the
missing call are plausible calls of the same driver family, each wrong for a reason the model
shows: calls DriverEntry made (an unload undoes them, it does not make them again), and calls
the same kind of driver makes in its unload when one knob differs, a knob this driver does
not have (a port it never opened, filters a dynamic session deletes for it). The reason names
both drivers in words (``mistakes.TRAITS``). No option has the name of a call this routine
makes, so exactly one option fits, and none belongs to the other family.

Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ..windows import Kind, Trace
from .exercise import Choice, Exercise, rule_line
from .mistakes import trait
from .reading import Item, distinctive_rules, load_items, request, routine_name, teardown_items, telling_rule
from .space import (Scenario, choose, clean, domain, draw, family, index, introduction, replaced, rng_for, shuffled,
                    trace_of, with_items)

__all__ = ["order", "complete", "context", "Distractor", "distractors"]

_usable = with_items(3)   # both kinds: a clean driver whose teardown has three calls or more, no two alike


# --- put it in order ---------------------------------------------------------------------------------
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if n <= len(_ORDINALS) else f"number {n}"


def context(sc: Scenario, trace: Trace) -> str:
    """What the problem shows besides the calls: the driver, its globals, what DriverEntry
    set up, and who asks for the unload. Nothing of it says in which order to tear down."""
    set_up = ", ".join(i.text for i in load_items(trace)) or "(nothing traced)"
    return "\n".join([
        *introduction(sc),
        f"DriverEntry called: {set_up}.",
        f"The unload is asked for by {request(trace)}; then {routine_name(trace)} runs.",
    ])


def _why(items: list[Item], k: int) -> tuple[str, tuple[str, ...]]:
    """Why the k-th item (0-based) is where it is, and the rule that puts it there."""
    item = items[k]
    rules = distinctive_rules(item.step, [o.step for o in items if o is not item])
    rid = telling_rule(rules)
    place = "first" if k == 0 else f"{_ordinal(k + 1)}, after {items[k - 1].text}"
    return f"it comes {place}: {rule_line(rid)}.", (rid,)


def order(seed: int) -> Exercise:
    """The put-it-in-order problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, "order")
    sc = draw(rng, _usable)
    fam = family(sc)
    trace = trace_of(sc)
    items = teardown_items(trace)
    shown = shuffled(rng, items)
    while shown == items:                  # a shuffle that changed nothing would be no problem
        shown = shuffled(rng, items)
    key = {id(item): string.ascii_uppercase[n] for n, item in enumerate(shown)}
    choices = []
    for item in shown:
        why, rules = _why(items, items.index(item))
        choices.append(Choice(key[id(item)], item.text, why, rules))
    answer = tuple(key[id(item)] for item in items)
    listed = "\n".join(f"  {key[id(item)]}) {item.text}" for item in shown)
    rules = tuple(dict.fromkeys(r for c in choices for r in c.rules))
    return Exercise(
        kind="order", seed=seed, family=fam, title=f"Put it in order: a {fam} driver's unload",
        prompt=(f"These are the calls and acts of {routine_name(trace)} (and what runs inside it), shuffled. "
                "Put them in the order the driver must make them."),
        shown=f"{context(sc, trace)}\n\nShuffled:\n{listed}",
        choices=tuple(choices), answer=answer, ordered=True, staged=True, rules=rules,
        solution="The order: " + "; ".join(f"{n}. {item.text}" for n, item in enumerate(items, 1)) + ".",
        hint="Work backwards from what DriverEntry set up: what must be gone before the next thing can go?",
        extra={"scenario": sc},
    )


# --- complete the routine ------------------------------------------------------------------------
_DISTRACTORS = 3
_CALL = re.compile(r"^[A-Za-z_]\w*\(")


@dataclass(frozen=True)
class Distractor:
    """A wrong option: the call, and why it is not the missing one."""

    item: Item
    why: str
    rule: str
    source: str        # "DriverEntry" or "another driver"


def _calls(items: list[Item]) -> list[Item]:
    """The items that are calls (a step that calls, or an act written as a call)."""
    return [i for i in items if i.step.kind is Kind.CALL or _CALL.match(i.text)]


def _from_driver_entry(sc: Scenario, names: set[str]) -> list[Distractor]:
    out = []
    for item in load_items(trace_of(sc)):
        if item.name in names:
            continue
        r = telling_rule(item.step.rules)
        out.append(Distractor(item, f"{item.text} is what DriverEntry did to set the driver up ({rule_line(r)}); "
                                    "an unload routine undoes that work, it does not do it again.", r, "DriverEntry"))
    return out


def _from_neighbours(sc: Scenario, names: set[str]) -> list[Distractor]:
    """Calls a clean driver one knob away makes in its unload and this one does not, explained
    by that knob in words; a knob without words gives none."""
    fam, out, seen = family(sc), [], set(names)
    for knob in sc.__dataclass_fields__:
        mine = trait(fam, knob, getattr(sc, knob))
        if mine is None:
            continue
        for value in domain(sc, knob):
            other = replaced(sc, knob, value)
            theirs = trait(fam, knob, value)
            if other is None or other == sc or theirs is None or theirs == mine or not clean(other):
                continue
            for item in _calls(teardown_items(trace_of(other))):
                if item.name in seen:
                    continue
                seen.add(item.name)
                r = telling_rule(item.step.rules)
                out.append(Distractor(item, f"{item.text} belongs in the unload of a {fam} driver that {theirs}; "
                                            f"this driver {mine}, so it has nothing for {item.name} to do "
                                            f"({rule_line(r)}).", r, "another driver"))
    return out


def distractors(sc: Scenario, rng=None) -> list[Distractor]:
    """Up to three wrong options for this driver's unload, taking turns between the calls a
    driver one knob away makes and those of DriverEntry (all of them, in order, without rng)."""
    names = {i.name for i in teardown_items(trace_of(sc))}
    pools = [_from_neighbours(sc, names), _from_driver_entry(sc, names)]
    if rng is None:
        return pools[0] + pools[1]
    out: list[Distractor] = []
    turn = 0
    while len(out) < _DISTRACTORS and any(pools):
        pool = pools[turn % 2] or pools[(turn + 1) % 2]
        d = pool.pop(index(rng, len(pool)))
        if d.item.name not in {o.item.name for o in out}:
            out.append(d)
        turn += 1
    return out


def complete(seed: int) -> Exercise:
    """The complete-the-routine problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, "complete")
    sc = draw(rng, _usable)
    fam = family(sc)
    trace = trace_of(sc)
    items = teardown_items(trace)
    missing = choose(rng, [n for n, i in enumerate(items) if i.step.kind is Kind.CALL])
    right = items[missing]
    rid = telling_rule(right.step.rules)
    solution = f"{right.text} is step {missing + 1} of {len(items)}: {rule_line(rid)}."
    options = [Choice("", right.text, solution, (rid,))]
    wrong = distractors(sc, rng)
    options += [Choice("", d.item.text, d.why, (d.rule,)) for d in wrong]
    keyed = [Choice(string.ascii_lowercase[n], c.text, c.why, c.rules) for n, c in enumerate(shuffled(rng, options))]
    answer = next(c.key for c in keyed if c.text == right.text)
    steps = "\n".join(f"  {n}. {'________  <- which call goes here?' if n - 1 == missing else i.text}"
                      for n, i in enumerate(items, 1))
    return Exercise(
        kind="complete", seed=seed, family=fam, title=f"Complete the routine: a {fam} driver's unload",
        prompt=f"{routine_name(trace)} makes these calls in this order, but one is missing. Which one?",
        shown=f"{context(sc, trace)}\n\nIts teardown, in order:\n{steps}",
        choices=tuple(keyed), answer=(answer,), solution=solution, rules=(rid,),
        hint="Look at what is set up and never undone in the steps you see.",
        extra={"scenario": sc, "sources": {d.item.text: d.source for d in wrong}},
    )
