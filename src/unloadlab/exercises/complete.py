"""Complete the routine: a driver's unload with one call missing; the learner picks it.

The calls come from a clean trace (the model's order). The options besides the missing call
are plausible calls of the same driver family, each wrong for a reason the model shows:
calls DriverEntry made (an unload undoes them, it does not make them again), and calls the
same kind of driver makes in its unload when one knob differs, a knob this driver does not
have (a port it never opened, filters a dynamic session deletes for it). The reason names
both drivers in words (``mistakes.TRAITS``). No option has the name of a call this routine
makes, so exactly one option fits, and none belongs to the other family. Pure.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ..windows import Kind
from .exercise import Choice, Exercise, choose, index, rng_for, rule_line, shuffled
from .knobs import Scenario, domain, draw, family, replaced
from .mistakes import trait
from .ordering import context
from .routine import clean, routine_name, trace_of, with_items
from .steps import Item, load_items, teardown_items, telling_rule

__all__ = ["KIND", "complete", "usable", "Distractor", "distractors"]

KIND = "complete"
_DISTRACTORS = 3
_CALL = re.compile(r"^[A-Za-z_]\w*\(")
usable = with_items(3)


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
    rng = rng_for(seed, KIND)
    sc = draw(rng, usable)
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
        kind=KIND, seed=seed, family=fam, title=f"Complete the routine: a {fam} driver's unload",
        prompt=f"{routine_name(trace)} makes these calls in this order, but one is missing. Which one?",
        shown=f"{context(sc, trace)}\n\nIts teardown, in order:\n{steps}",
        choices=tuple(keyed), answer=(answer,), solution=solution, rules=(rid,),
        hint="Look at what is set up and never undone in the steps you see.",
        extra={"scenario": sc, "sources": {d.item.text: d.source for d in wrong}},
    )
