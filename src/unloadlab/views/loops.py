"""Loops in a trace: runs of steps that repeat once per value (a volume, an index) and
differ only in that value, so a diagram can draw them once, in a "loop" frame."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..windows import Step

__all__ = ["Loop", "find_loops", "loop_label", "MIN_LOOP"]

MIN_LOOP = 3                       # repetitions before steps are drawn once, as a loop
_MAX_PERIOD = 4                    # most steps in one repetition


@dataclass(frozen=True)
class Loop:
    """Steps that repeat once per value (a volume, an index): drawn once, in a frame."""

    first: int                    # first trace step (0-based)
    period: int                   # steps per repetition
    values: tuple[str, ...]       # each repetition's value, in order

    @property
    def steps(self) -> range:
        return range(self.first, self.first + self.period * len(self.values))


_TOKEN = re.compile(r"[A-Za-z]:(?![\w\\])|\d+|[A-Za-z_]+|\s+|.")   # "C:" alone is one token


def _tokens(s: str) -> list[str]:
    return _TOKEN.findall(s)


def _difference(a: Step, b: Step, ta: list[str], tb: list[str]) -> set[tuple[str, str]] | None:
    """The (a token, b token) pairs where two steps' actions differ, or None if the steps
    differ in anything else (actor, kind, target, status, mark, rules, shape of the text)."""
    if (a.actor, a.kind, a.target, a.status, a.mark, a.rules) != (b.actor, b.kind, b.target, b.status, b.mark, b.rules):
        return None
    if len(ta) != len(tb):
        return None
    return {(x, y) for x, y in zip(ta, tb) if x != y}


def _loop_at(steps: Sequence[Step], toks: Sequence[list[str]], i: int) -> Loop | None:
    """The longest run from step i of period 1.._MAX_PERIOD whose repetitions differ from
    the first in exactly one value (the same token everywhere it changes), MIN_LOOP or more."""
    best: Loop | None = None
    for k in range(1, _MAX_PERIOD + 1):
        values: list[str] = []
        reps = 1
        while i + (reps + 1) * k <= len(steps):
            pairs: set[tuple[str, str]] = set()
            for j in range(k):
                d = _difference(steps[i + j], steps[i + reps * k + j], toks[i + j], toks[i + reps * k + j])
                if d is None:
                    pairs = set()
                    break
                pairs |= d
            if len(pairs) != 1:
                break
            (first, value), = pairs
            if (values and first != values[0]) or value in values:
                break
            values = values or [first]
            values.append(value)
            reps += 1
        if reps >= MIN_LOOP and (best is None or reps * k > len(best.values) * best.period):
            best = Loop(i, k, tuple(values))
    return best


def find_loops(steps: Sequence[Step]) -> list[Loop]:
    """Every loop in steps, first to last; a step is in one loop at most."""
    toks = [_tokens(s.action) for s in steps]
    out, i = [], 0
    while i < len(steps):
        loop = _loop_at(steps, toks, i)
        out += [loop] if loop else []
        i = loop.steps.stop if loop else i + 1
    return out


def _value_range(values: Sequence[str]) -> str:
    """C:, D:, ... J: as "C:–J:" when consecutive (letters or numbers), else "C:|E:|G:"."""
    def key(v: str) -> int | None:
        if v.isdigit():
            return int(v)
        return ord(v[0].upper()) if len(v) <= 2 and v[0].isalpha() else None
    keys = [key(v) for v in values]
    if None not in keys and keys == list(range(keys[0], keys[0] + len(keys))):
        return f"{values[0]}\u2013{values[-1]}"
    return "|".join(values)


def loop_label(step: Step, other: Step, values: Sequence[str]) -> str:
    """step's action with the token that changes between repetitions shown as the range."""
    span = _value_range(values)
    return "".join(span if x != y else x for x, y in zip(_tokens(step.action), _tokens(other.action)))
