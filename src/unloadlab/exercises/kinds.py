"""Every seeded exercise kind by name, and the practice levels built from them.

``make(kind, seed)`` gives the problem of one kind for a seed; ``LEVELS`` are the practice
levels: "rules" (predict what Windows does: ``predict.problem``), "routine" (find the bug,
put it in order, complete the routine, one of the three by seed) and "diagnosis" (name the
cause from the evidence). The kinds never import each other; only this module names them all.
Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

from typing import Callable

from .diagnosis import diagnosis
from .exercise import Exercise
from .find_bug import find_bug
from .space import choose, rng_for, validate_seed
from .teardown import complete, order

__all__ = ["KINDS", "ROUTINE_KINDS", "LEVELS", "make", "routine_kind", "routine"]

KINDS: dict[str, Callable[[int], Exercise]] = {
    "find-bug": find_bug, "order": order, "complete": complete, "diagnosis": diagnosis,
}
ROUTINE_KINDS = ("find-bug", "order", "complete")
LEVELS = ("rules", "routine", "diagnosis")


def make(kind: str, seed: int) -> Exercise:
    """The problem of this kind for this seed; ValueError names the kinds."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of: {', '.join(KINDS)}")
    return KINDS[kind](validate_seed(seed))


def routine_kind(seed: int) -> str:
    """Which routine-level kind a practice seed gives (the same everywhere)."""
    return choose(rng_for(seed, "routine"), ROUTINE_KINDS)


def routine(seed: int) -> Exercise:
    return make(routine_kind(seed), seed)
