"""Put it in order: the calls a driver's unload makes, shuffled; the learner orders them.

The calls come from a clean trace of either family (``steps.teardown_items``: the driver's
own calls and acts after the request, in the order the model makes them), so the order
checked against is the model's. Each call is explained by the rule that puts it where it is:
the rule its step cites that the other steps do not. Pure: no third-party imports.
"""
from __future__ import annotations

import string

from .exercise import Choice, Exercise, rng_for, rule_line, shuffled
from .knobs import draw, family
from .routine import declarations, request, routine_name, trace_of, with_items
from .steps import Item, distinctive_rules, load_items, teardown_items, telling_rule

__all__ = ["KIND", "order", "usable", "context"]

KIND = "order"
usable = with_items(3)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _ordinal(n: int) -> str:
    return _ORDINALS[n - 1] if n <= len(_ORDINALS) else f"number {n}"


def context(sc, trace) -> str:
    """What the problem shows besides the calls: the driver, its globals, what DriverEntry
    set up, and who asks for the unload. Nothing of it says in which order to tear down."""
    model = trace.inputs.get("model")
    set_up = ", ".join(i.text for i in load_items(trace)) or "(nothing traced)"
    return "\n".join([
        f"A {family(sc)} driver" + (f" ({model})" if model else "") + ". Its globals:",
        *(f"    {line.strip()}" for line in declarations(sc)),
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
    rng = rng_for(seed, KIND)
    sc = draw(rng, usable)
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
        kind=KIND, seed=seed, family=fam, title=f"Put it in order: a {fam} driver's unload",
        prompt=(f"These are the calls and acts of {routine_name(trace)} (and what runs inside it), shuffled. "
                "Put them in the order the driver must make them."),
        shown=f"{context(sc, trace)}\n\nShuffled:\n{listed}",
        choices=tuple(choices), answer=answer, ordered=True, rules=rules,
        solution="The order: " + "; ".join(f"{n}. {item.text}" for n, item in enumerate(items, 1)) + ".",
        hint="Work backwards from what DriverEntry set up: what must be gone before the next thing can go?",
        extra={"scenario": sc},
    )
