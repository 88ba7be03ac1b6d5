"""The teardown, two ways: put it in order, and complete the routine.

Both take the calls from a clean trace of either family (``reading.teardown_items``: the
driver's own calls and acts after the request, in the order the model makes them).

**Put it in order**: the calls that are statements of the driver's C (``offered``), shuffled;
the learner orders them. Any order that keeps every pair the rules order (``before``) is
right, the model's among them; each call is explained by what it must come after and the
rule that says so.

**Complete the routine**: one call is missing; the learner picks it. The options besides the
missing call are plausible calls of the same driver family, each wrong for a reason the model
shows: calls DriverEntry made (an unload undoes them, it does not make them again), and calls
the same kind of driver makes in its unload when one knob differs, a knob this driver does
not have (a port it never opened, filters a dynamic session deletes for it). The reason names
both drivers in words (``words.TRAITS``). No option has the name of a call this routine
makes, so exactly one option fits, and none belongs to the other family.

Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ..windows import Kind, Trace
from .exercise import Choice, Exercise, rule_line
from .reading import Item, distinctive_rules, load_items, request, routine_name, teardown_items, telling_rule
from .space import (Scenario, choose, clean, domain, draw, family, index, introduction, listing_of, replaced,
                    rng_for, shuffled, trace_of, with_items)
from .words import trait

__all__ = ["order", "offered", "before", "complete", "context", "Distractor", "distractors"]

_usable = with_items(3)   # a clean driver whose teardown has three calls or more, no two alike


# --- put it in order ---------------------------------------------------------------------------------
# What must come before what, as the rules state it: (the earlier item, the later item, the
# rule), each item a pattern matched at the start of its text. Any order that keeps every pair
# that applies is right; the pairs no rule states are left free. The model's own order keeps
# them all (an Exercise refuses an answer that breaks one). A fourth element names an item
# whose presence lifts the pair: a closed dynamic session deletes the filters only when they
# were not deleted by key first. Deleting by key comes before FwpmEngineClose0 because those
# calls take the engine handle it closes.
_CLEANUP = (r"(IoDeleteDevice\(ControlDeviceObject|KeCancelTimer|KeFlushQueuedDpcs|KeWaitForSingleObject\(Thread\b"
            r"|PsSetCreateProcessNotifyRoutineEx|ExFreePoolWithTag)")
_UNREGISTER = r"FwpsCalloutUnregisterById0\("
_BEFORE: tuple[tuple[str, ...], ...] = (
    (r"FltCloseCommunicationPort\(", r"FltUnregisterFilter\(", "port-before-unregister"),
    (r"FltUnregisterFilter\(", _CLEANUP, "unload-routine-order"),
    (r"KeCancelTimer\(", r"KeFlushQueuedDpcs\(", "cleanup-order"),
    (_CLEANUP, r"ExFreePoolWithTag\(", "cleanup-order"),
    (r"Unloading = TRUE", r".", "wfp-stop-new-work"),
    (r"FwpmFilterDeleteByKey0\(", r"Fwpm(CalloutDeleteByKey0|EngineClose0)\(", "wfp-delete-by-key"),
    (r"FwpmCalloutDeleteByKey0\(", r"FwpmEngineClose0\(", "wfp-delete-by-key"),
    (r"FwpmFilterDeleteByKey0\(", _UNREGISTER, "wfp-filters-before-callouts"),
    (r"FwpmEngineClose0\(", _UNREGISTER, "wfp-filters-before-callouts", r"FwpmFilterDeleteByKey0\("),
    (r"ExWaitForRundownProtectionRelease\(", _UNREGISTER, "wfp-drain-before-unregister"),
    (r"KeWaitForSingleObject\(WorkerThread", _UNREGISTER, "wfp-wait-worker-thread"),
    (r"KeWaitForSingleObject\(&NoFlowContexts", _UNREGISTER, "wfp-drain-before-unregister"),
    (_UNREGISTER, r"(FwpsInjectionHandleDestroy0|IoDeleteDevice)\(", "wfp-unload-deletes-device"),
)


def context(sc: Scenario, trace: Trace) -> str:
    """What the problem shows besides the calls: the driver, its globals, what DriverEntry
    set up, and who asks for the unload. Nothing of it says in which order to tear down."""
    set_up = ", ".join(i.text for i in load_items(trace)) or "(nothing traced)"
    return "\n".join([
        *introduction(sc),
        f"DriverEntry called: {set_up}.",
        f"The unload is asked for by {request(trace)}; then {routine_name(trace)} runs.",
    ])


def offered(sc: Scenario) -> list[Item]:
    """The teardown items a learner orders: those that are a statement of the driver's C. A
    heading ("global cleanup"), a decision ("Flags has ...: go ahead") or an act the C writes
    another way ("stop new work") is not one."""
    code = [line.text for line in listing_of(sc) if not line.comment]
    def in_code(item: Item) -> bool:
        needle = f"{item.name}(" if item.name != item.text else item.text.split(" (")[0]
        return any(needle in line for line in code)
    return [i for i in teardown_items(trace_of(sc)) if in_code(i)]


def _orderable(sc: Scenario) -> bool:
    """Clean, with at least three items to order, no two alike."""
    if not clean(sc):
        return False
    texts = [i.text for i in offered(sc)]
    return len(texts) >= 3 and len(set(texts)) == len(texts)


def before(items: list[Item]) -> list[tuple[int, int, str]]:
    """(earlier, later, rule) for every pair of items (indexes) the rules order."""
    def matches(pattern: str, item: Item) -> bool:
        return re.match(pattern, item.text) is not None
    out = []
    for earlier, later, rule, *unless in _BEFORE:
        if unless and any(matches(unless[0], i) for i in items):
            continue
        out += [(a, b, rule) for a, x in enumerate(items) for b, y in enumerate(items)
                if a != b and matches(earlier, x) and matches(later, y) and (a, b, rule) not in out]
    return out


def _why(items: list[Item], k: int, pairs: list[tuple[int, int, str]]) -> tuple[str, tuple[str, ...]]:
    """Why the k-th item goes where it goes: what must come before it, and the rules that say so."""
    after = [(a, r) for a, b, r in pairs if b == k]
    if not after:
        item = items[k]
        rid = telling_rule(distinctive_rules(item.step, [o.step for o in items if o is not item]))
        return f"nothing here has to come before it ({rule_line(rid)}).", (rid,)
    rules = tuple(dict.fromkeys(r for _, r in after))
    names = ", ".join(items[a].text for a in dict.fromkeys(a for a, _ in after))
    return f"it comes after {names}: " + "; ".join(rule_line(r) for r in rules) + ".", rules


def order(seed: int) -> Exercise:
    """The put-it-in-order problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, "order")
    sc = draw(rng, _orderable)
    fam = family(sc)
    trace = trace_of(sc)
    items = offered(sc)
    shown = shuffled(rng, items)
    while shown == items:                  # a shuffle that changed nothing would be no problem
        shown = shuffled(rng, items)
    key = {id(item): string.ascii_uppercase[n] for n, item in enumerate(shown)}
    pairs = before(items)
    choices = []
    for item in shown:
        why, rules = _why(items, items.index(item), pairs)
        choices.append(Choice(key[id(item)], item.text, why, rules))
    answer = tuple(key[id(item)] for item in items)
    listed = "\n".join(f"  {key[id(item)]}) {item.text}" for item in shown)
    rules = tuple(dict.fromkeys(r for c in choices for r in c.rules))
    return Exercise(
        kind="order", seed=seed, family=fam, title=f"Put it in order: a {fam} driver's unload",
        prompt=(f"These are the calls of {routine_name(trace)} (and what runs inside it), shuffled. "
                "Put them in an order the driver may make them: any order that keeps what the rules require "
                "is right."),
        shown=f"{context(sc, trace)}\n\nShuffled:\n{listed}",
        choices=tuple(choices), answer=answer, ordered=True, staged=True, rules=rules,
        before=tuple((key[id(items[a])], key[id(items[b])], r) for a, b, r in pairs),
        solution=("One right order: " + "; ".join(f"{n}. {item.text}" for n, item in enumerate(items, 1))
                  + ". Any order that keeps each call after those listed for it below is right too."),
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
