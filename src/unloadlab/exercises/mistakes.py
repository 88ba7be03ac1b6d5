"""What a knob value means, in a driver engineer's words, read from the families' knob rows
(``minifilter.knobs``, ``callout.knobs``).

``MISTAKES`` gives, for a knob value that breaks a clean driver, the cause and the fix as a
reviewer would write them ("It calls FwpsCalloutUnregisterById0 while holding a fast mutex,
at APC_LEVEL." / "Unregister at PASSIVE_LEVEL, outside the lock."): the cause, never the
consequence, which the trace tells. ``TRAITS`` says what a clean driver with a knob value
has ("has no communication server port"), for explaining why a call belongs to another
driver. The exercises use only these words, never a knob's name: a value without an entry
is not offered (``tests/test_exercises_texts.py`` lists the values the generators reach
without words, so a knob a model gains gets its entry in its row).

An entry is a (cause, fix) pair, or a function of the scenario giving one; ``{status}`` in a
text stands for the status the knob holds. A status knob is keyed by its severity ("error",
"warning"), a set knob by its one member's value, an enum by its value, a bool by itself.
Pure: no third-party imports, nothing printed; no rule is decided here.
"""
from __future__ import annotations

import enum
from typing import Any, Callable, Union

from ..families import families
from ..windows import NtStatus

__all__ = ["MISTAKES", "TRAITS", "key_of", "mistake", "trait"]

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
