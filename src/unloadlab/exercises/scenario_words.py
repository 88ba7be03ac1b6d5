"""A scenario in a driver engineer's words, inputs only: the practice problems and the lesson
quizzes show a scenario this way, so every knob that decides it is there and no outcome is.

The words are the families' knob rows (``minifilter.knobs``, ``callout.knobs``): a row's
``words`` turn a value into a sentence (a dict from value to sentence, one sentence per
member for a set knob, or a function of the scenario where the words need another knob). A
knob whose value is the default says nothing unless the scenario needs it said (the request,
what FilterUnloadCallback returns, the callout driver's model). A row's ``said_with`` names
the rows that also speak for it: a refusal's condition lives in the callback's sentence, a
retry on STATUS_DEVICE_BUSY in the unregister sentence. ``described`` gives, for each knob,
the sentences that say it; ``assumptions`` gives them once each, in row order. Pure:
nothing printed; no unload rule is decided here.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ..families import family_of
from ..windows.family import Knob, default_of
from ..windows.service import request_text

__all__ = ["described", "assumptions", "request_sentence", "non_default_knobs"]


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
