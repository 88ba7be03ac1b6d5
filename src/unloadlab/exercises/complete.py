"""Complete the routine: a driver's unload with one call missing; the learner picks it.

The calls come from a clean trace (the model's order). The options besides the missing call
are plausible and wrong, each for a reason the model shows: calls DriverEntry made (an unload
undoes them, it does not make them again) and calls the other family makes when it unloads.
None has the name of a call this routine makes, so exactly one option fits. Pure.
"""
from __future__ import annotations

import string

from ..windows import Kind
from .exercise import Choice, Exercise, choose, pick, rng_for, rule_line, shuffled
from .knobs import start, walk
from .ordering import context
from .routine import routine_name, trace_of, with_items
from .steps import Item, load_items, teardown_items, telling_rule

__all__ = ["KIND", "complete", "usable"]

KIND = "complete"
_FAMILIES = (("minifilter", 1), ("callout", 1))
_OTHER = {"minifilter": "callout", "callout": "minifilter"}
_DISTRACTORS = 3
usable = with_items(3)
_any_clean = with_items(1)


def _distractors(rng, items: list[Item], loaded: list[Item], foreign: list[Item]) -> list[tuple[Item, str]]:
    """Up to three wrong options, taking turns between the other family and DriverEntry."""
    names = {i.name for i in items}
    pools = [[(i, "foreign") for i in foreign if i.name not in names and i.step.kind is Kind.CALL],
             [(i, "load") for i in loaded if i.name not in names]]
    out: list[tuple[Item, str]] = []
    turn = 0
    while len(out) < _DISTRACTORS and any(pools):
        pool = pools[turn % 2] or pools[(turn + 1) % 2]
        item, source = pool.pop(int(rng.random() * len(pool)) if len(pool) > 1 else 0)
        if item.name not in {o.name for o, _ in out}:
            out.append((item, source))
        turn += 1
    return out


def complete(seed: int) -> Exercise:
    """The complete-the-routine problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, KIND)
    fam = pick(rng, _FAMILIES)
    sc = walk(rng, start(fam, usable), usable)
    trace = trace_of(sc)
    items = teardown_items(trace)
    missing = choose(rng, [n for n, i in enumerate(items) if i.step.kind is Kind.CALL])
    other_fam = _OTHER[fam]
    other = walk(rng, start(other_fam, _any_clean), _any_clean)
    wrong = _distractors(rng, items, load_items(trace), teardown_items(trace_of(other)))
    right = items[missing]
    rid = telling_rule(right.step.rules)
    solution = f"{right.text} is step {missing + 1} of {len(items)}: {rule_line(rid)}."
    options = [Choice("", right.text, solution, (rid,))]
    for item, source in wrong:
        r = telling_rule(item.step.rules)
        why = (f"{item.text} is what DriverEntry did to set the driver up ({rule_line(r)}); an unload routine "
               "undoes that work, it does not do it again." if source == "load" else
               f"{item.text} is a call a {other_fam} driver makes when it unloads ({rule_line(r)}); "
               f"this is a {fam} driver.")
        options.append(Choice("", item.text, why, (r,)))
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
        extra={"scenario": sc},
    )
