"""Exercises generated from the models: each lesson's quiz, find the bug, put it in order,
complete the routine, diagnosis on realistic evidence, seeded practice at three levels and
the capstone. They read traces and the C view; no unload rule is decided here.

Shared: ``space`` (the seeded draw: seeds, draws, the scenarios drawn from, their traces
and listings), ``reading`` (a trace and its C listing, read), ``exercise`` (the exercise, its
check and feedback), ``words`` (the knob rows' sentences, mistakes and traits) and ``widgets``.
The kinds, each read top to bottom: ``find_bug``, ``teardown`` (put in order, complete),
``diagnosis`` (the level and the capstone), ``predict`` (practice's rules level, the lesson
quizzes); ``kinds`` names them all. The widgets live in ``unloadlab.exercises.widgets`` (it
imports ipywidgets).
"""
from .diagnosis import (CASES, DIAGNOSES, TAKEAWAYS, case_exercise, check_diagnosis, diagnose, diagnosis, evidence,
                        format_diagnoses, symptoms)
from .exercise import OUTCOME_CHOICES, Choice, Exercise, Feedback, Verdict, check, check_text
from .find_bug import find_bug
from .kinds import KINDS, LEVELS, ROUTINE_KINDS, make, routine, routine_kind
from .predict import check_answer, describe, lesson_quiz, lessons, problem
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
