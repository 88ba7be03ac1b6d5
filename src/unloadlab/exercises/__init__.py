"""Exercises generated from the models: each lesson's quiz, find the bug, put it in order,
complete the routine, diagnosis on realistic evidence, seeded practice at three levels and
the capstone. They read traces and the C view; no unload rule is decided here.

Shared: ``space`` (the seeded draw: seeds, draws, the scenarios drawn from, their traces
and listings), ``reading`` (a trace and its C listing, read), ``exercise`` (the exercise, its
check and feedback), ``words`` (the knob rows' sentences, mistakes and traits) and ``widgets``.
The kinds, each read top to bottom: ``find_bug``, ``teardown`` (put in order, complete),
``diagnosis`` (the level and the capstone), ``predict`` (practice's rules level, the lesson
quizzes). This module names them all: ``make(kind, seed)`` gives the problem of one kind for a
seed; ``LEVELS`` are practice's levels: "rules" (predict what Windows does), "routine" (find the
bug, put it in order or complete the routine, one of the three by seed) and "diagnosis" (name the
cause from the evidence). The kinds never import each other, nor this module. The widgets live in
``unloadlab.exercises.widgets`` (it imports ipywidgets).
"""
from typing import Callable

from .diagnosis import (CASES, DIAGNOSES, TAKEAWAYS, case_exercise, check_diagnosis, diagnose, diagnosis, evidence,
                        format_diagnoses, symptoms)
from .exercise import OUTCOME_CHOICES, Choice, Exercise, Feedback, Verdict, check, check_text
from .find_bug import find_bug
from .predict import check_answer, describe, lesson_quiz, lessons, problem
from . import space
from .space import MAX_SEED, cache_clear, deciding_knob, simulate, validate_seed
from .teardown import complete, order

__all__ = [
    "CASES", "DIAGNOSES", "TAKEAWAYS", "case_exercise", "check_diagnosis", "diagnose", "format_diagnoses", "symptoms",
    "complete", "diagnosis", "evidence", "find_bug", "order", "lesson_quiz", "lessons",
    "MAX_SEED", "Choice", "Exercise", "Verdict", "check", "check_text", "validate_seed",
    "KINDS", "LEVELS", "ROUTINE_KINDS", "make", "routine", "routine_kind",
    "check_answer", "describe", "problem", "simulate", "deciding_knob", "cache_clear",
    "OUTCOME_CHOICES", "Feedback",
]

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
    return space.choose(space.rng_for(seed, "routine"), ROUTINE_KINDS)


def routine(seed: int) -> Exercise:
    return make(routine_kind(seed), seed)
