"""The families' knob rows in a driver engineer's words (``minifilter.knobs``, ``callout.knobs``).

A scenario, inputs only: the practice problems and the lesson quizzes show a scenario this
way, so every knob that decides it is there and no outcome is. A row's ``words`` turn a value
into a sentence (a dict from value to sentence, one sentence per member for a set knob, or a
function of the scenario where the words need another knob). A knob whose value is the
default says nothing unless the scenario needs it said (the request, what
FilterUnloadCallback returns, the callout driver's model). A row's ``said_with`` names the
rows that also speak for it: a refusal's condition lives in the callback's sentence, a retry
on STATUS_DEVICE_BUSY in the unregister sentence. ``described`` gives, for each knob, the
sentences that say it; ``assumptions`` gives them once each, in row order.

What a value means: ``MISTAKES`` gives, for a knob value that breaks a clean driver, the
cause and the fix as a reviewer would write them ("It calls FwpsCalloutUnregisterById0 while
holding a fast mutex, at APC_LEVEL." / "Unregister at PASSIVE_LEVEL, outside the lock."):
the cause, never the consequence, which the trace tells. ``TRAITS`` says what a clean driver
with a knob value has ("has no communication server port"), for explaining why a call
belongs to another driver. The exercises use only these words, never a knob's name: a value
without an entry is not offered (``tests/test_exercises_texts.py`` lists the values the
generators reach without words, so a knob a model gains gets its entry in its row).

An entry is a (cause, fix) pair, or a function of the scenario giving one; ``{status}`` in a
text stands for the status the knob holds. A status knob is keyed by its severity ("error",
"warning"), a set knob by its one member's value, an enum by its value, a bool by itself.
Pure: no third-party imports, nothing printed; no unload rule is decided here.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Callable, Union

from ..families import families, family_of
from ..windows import NtStatus
from ..windows.family import Knob, default_of
from ..windows.service import request_text

__all__ = ["described", "assumptions", "request_sentence", "non_default_knobs",
           "MISTAKES", "TRAITS", "key_of", "mistake", "trait"]


# --- a scenario in words -----------------------------------------------------------------------------
def request_sentence(scenario: Any) -> str:
    """How the scenario's unload is asked for, in words: 'an administrator types `sc stop X`'.
    Who asks is always the usual requester: the capstone's evidence must not say who lacks rights."""
    f = family_of(scenario)
    return request_text(scenario.trigger, f.service_name, f.requests).removeprefix("The request: ").rstrip(".")


def _differs(sc: Any, knob: str) -> bool:
    return getattr(sc, knob) != default_of(type(sc), knob)


def non_default_knobs(scenario: Any) -> list[str]:
    """The knobs whose value is not the scenario class's default (a knob without one counts)."""
    return [f.name for f in dataclasses.fields(scenario) if _differs(scenario, f.name)]


def _say(row: Knob, sc: Any) -> tuple[str, ...]:
    words = row.words
    if words is None:
        return ()
    if callable(words):
        said = words(sc)
    else:
        value = getattr(sc, row.name)
        if isinstance(value, frozenset):   # a set knob: one sentence per member, in the enum's order
            said = [words[m] for m in type(min(value, key=str)) if m in value] if value else None
        else:
            said = words.get(value)
    if said is None:
        return ()
    return (said,) if isinstance(said, str) else tuple(said)


def described(scenario: Any) -> dict[str, tuple[str, ...]]:
    """Each knob the words speak for, with the sentences that say it. Every knob that is not its
    default is here; a default knob is here only where its row says something."""
    rows = family_of(scenario).knobs
    said = {row.name: _say(row, scenario) for row in rows}
    out = {knob: s for knob, s in said.items() if s}
    for row in rows:
        also = tuple(s for host in row.said_with for s in said[host] if s not in out.get(row.name, ()))
        if also:
            out[row.name] = out.get(row.name, ()) + also
    return out


def assumptions(scenario: Any) -> list[str]:
    """One sentence per knob that shapes this scenario, in the rows' order, each once."""
    return list(dict.fromkeys(s for row in family_of(scenario).knobs for s in _say(row, scenario)))


# --- what a knob value means: its mistake's cause and fix, a clean driver's trait --------------
Words = tuple[str, str]                       # (cause, fix), each one sentence without a final period
Entry = Union[Words, Callable[[Any], Words]]  # or made from the scenario

MISTAKES: dict[str, dict[str, dict[Any, Entry]]] = {
    f.name: {row.name: dict(row.mistakes) for row in f.knobs if row.mistakes} for f in families()}
TRAITS: dict[str, dict[str, dict[Any, str]]] = {
    f.name: {row.name: dict(row.traits) for row in f.knobs if row.traits} for f in families()}


def key_of(value: Any) -> Any:
    """How the tables key a value: a status by its severity, a one-member set by that member."""
    if isinstance(value, NtStatus):
        return value.severity.value
    if isinstance(value, (frozenset, set)):
        return key_of(next(iter(value))) if len(value) == 1 else ("" if not value else None)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _fill(text: str, value: Any) -> str:
    return text.replace("{status}", value.name or value.hex) if isinstance(value, NtStatus) else text


def _sentence(text: str, capital: bool = True) -> str:
    text = text.strip().rstrip(".")
    return (text[0].upper() if capital else text[0]) + text[1:] + "."


def mistake(family: str, knob: str, value: Any, scenario: Any) -> Words | None:
    """(cause, fix) for a knob value that makes a driver go wrong, each ending in a period (the
    fix reads on from "Fix: "); None when the table has no words for it."""
    entry = MISTAKES.get(family, {}).get(knob, {}).get(key_of(value))
    if entry is None:
        return None
    cause, fix = entry(scenario) if callable(entry) else entry
    return _sentence(_fill(cause, value)), _sentence(_fill(fix, value), capital=False)


def trait(family: str, knob: str, value: Any) -> str | None:
    """What a clean driver with this knob value has ("has no communication server port")."""
    return TRAITS.get(family, {}).get(knob, {}).get(key_of(value))
