"""Reading a trace the way the exercises need it: who the driver is, where the unload
request starts, the calls the driver makes to tear itself down (in the model's order),
what DriverEntry set up, and what a mistake does on a real machine.

Pure: no third-party imports, nothing printed; everything is read off the trace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalogue import RULES_BY_ID
from ..windows import Actor, Kind, Mark, RuleKind, Step, Trace

__all__ = [
    "Item", "driver_actor", "request_index", "call_name", "normalize", "teardown_items", "load_items",
    "telling_rule", "distinctive_rules", "marked", "new_marks", "effect", "symptom",
]

_DECIDING_KINDS = (RuleKind.DOC, RuleKind.MECHANISM, RuleKind.FIELD)   # what Windows does
# Extra final-state keys a model may report about what a mistake did (issues 11 and 12).
_AFTERMATH = ("blocked_on", "bugcheck", "traffic_after_unload")
_NUMBERED = re.compile(r"(?<=[A-Za-z])[0-9]+(?![\w\[])")


@dataclass(frozen=True)
class Item:
    """One call (or act) of the driver, as an exercise shows it."""

    text: str          # normalized: "FwpsCalloutUnregisterById0(CalloutIds[i])"
    name: str          # the function called, or the act: "FwpsCalloutUnregisterById0"
    step: Step         # the first step it stands for


def driver_actor(trace: Trace) -> Actor:
    """The driver's lifeline: whom the I/O manager calls DriverEntry on."""
    return trace.steps[0].target or trace.steps[0].actor


def request_index(trace: Trace) -> int | None:
    """Where the unload request starts: the first step of the caller (None: there is none)."""
    return next((i for i, s in enumerate(trace.steps) if s.actor is Actor.CALLER), None)


def call_name(action: str) -> str:
    """'FltUnregisterFilter' for 'FltUnregisterFilter(Filter)'; an act without a call stays whole."""
    m = re.match(r"\s*([A-Za-z_][\w:]*)\s*\(", action)
    return m.group(1) if m else action.strip()


def normalize(action: str) -> str:
    """One text for repeated calls: per-callout indexes become [i], 'x 3' counts go, and
    argument lists that spell out settings (Flags=...) shrink to (...)."""
    text = re.sub(r"\[\d+\]", "[i]", action)
    text = re.sub(r"\s+x\s+\d+\s*$", "", text)
    m = re.match(r"([A-Za-z_][\w:]*)\((.*)\)$", text)
    if m and "=" in m.group(2):
        return f"{m.group(1)}(...)"
    if m:   # per-callout argument names such as &Callout2 become &Callout[i]
        text = m.group(1) + "(" + _NUMBERED.sub("[i]", m.group(2)) + ")"
    return text


def _items(steps: tuple[Step, ...] | list[Step], actor: Actor, kinds: tuple[Kind, ...]) -> list[Item]:
    """The actor's steps of these kinds, normalized, repeats in a row counted once."""
    out: list[Item] = []
    for s in steps:
        if s.actor is actor and s.kind in kinds:
            text = normalize(s.action)
            if not out or out[-1].text != text:
                out.append(Item(text, call_name(text), s))
    return out


def teardown_items(trace: Trace) -> list[Item]:
    """The driver's own calls and acts after the request, in the model's order."""
    start = request_index(trace)
    if start is None:
        return []
    return _items(trace.steps[start:], driver_actor(trace), (Kind.CALL, Kind.ACTION))


def load_items(trace: Trace) -> list[Item]:
    """The calls the driver makes before any request: what DriverEntry (or AddDevice) set up."""
    end = request_index(trace)
    return _items(trace.steps[:end], driver_actor(trace), (Kind.CALL,))


def telling_rule(rules: tuple[str, ...]) -> str:
    """The first rule of these that says what Windows does (documented, mechanism or observed)."""
    return next((r for r in rules if RULES_BY_ID[r].kind in _DECIDING_KINDS), rules[0])


def distinctive_rules(step: Step, others: list[Step]) -> tuple[str, ...]:
    """The step's rules that not every other step cites too (those say why it is where it is)."""
    shared = set.intersection(*(set(o.rules) for o in others)) if others else set()
    return tuple(r for r in step.rules if r not in shared) or step.rules


def marked(trace: Trace) -> list[tuple[str, Mark]]:
    """(action, mark) for every marked step."""
    return [(s.action, s.mark) for s in trace.steps if s.mark is not None]


def new_marks(trace: Trace, than: Trace) -> list[Step]:
    """The marked steps of a trace that the other trace does not have."""
    seen = set(marked(than))
    return [s for s in trace.steps if s.mark is not None and (s.action, s.mark) not in seen]


def symptom(trace: Trace) -> str:
    """What the person who asked saw, in a sentence: the outcome and what came back."""
    got = trace.state.get("requester_got")
    out = f"The outcome on a real machine: {trace.outcome.value}."
    return out + (f" The requester got: {got}." if got else "")


def effect(trace: Trace, than: Trace | None = None) -> str:
    """What a mistake does on a real machine, from the trace: the outcome and its headline,
    what the model reports it waited for or crashed with, and the first step that shows it."""
    parts = [f"{trace.outcome.value}: {trace.headline.rstrip('.')}"]
    for key in _AFTERMATH:
        if trace.state.get(key):
            parts.append(f"{key.replace('_', ' ')}: {trace.state[key]}")
    shown = new_marks(trace, than) if than is not None else [s for s in trace.steps if s.mark is not None]
    if shown:
        s = shown[0]
        parts.append(f"the step that shows it: {s.action} ({s.mark.value}): {s.detail.rstrip('.')}")
    return "; ".join(parts)
