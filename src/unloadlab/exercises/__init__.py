"""Exercises generated from the models: each lesson's quiz, find the bug, put it in order,
complete the routine, diagnosis on realistic evidence, seeded practice at three levels and
the capstone. They read traces and the C view; no unload rule is decided here. The widgets
live in ``unloadlab.exercises.widgets`` (it imports ipywidgets)."""
from .capstone import (CASES, DIAGNOSES, TAKEAWAYS, case_exercise, check_diagnosis, diagnose, format_diagnoses,
                       symptoms)
from .complete import complete
from .diagnosis import diagnosis, evidence
from .exercise import MAX_SEED, Choice, Exercise, Verdict, check, check_text, validate_seed
from .find_bug import find_bug
from .kinds import KINDS, LEVELS, ROUTINE_KINDS, make, routine
from .lesson import lesson_quiz, lessons
from .ordering import order
from .practice import check_answer, describe, problem, simulate
from .quiz import OUTCOME_CHOICES, Feedback, check_prediction

__all__ = [
    "CASES", "DIAGNOSES", "TAKEAWAYS", "case_exercise", "check_diagnosis", "diagnose", "format_diagnoses", "symptoms",
    "complete", "diagnosis", "evidence", "find_bug", "order", "lesson_quiz", "lessons",
    "MAX_SEED", "Choice", "Exercise", "Verdict", "check", "check_text", "validate_seed",
    "KINDS", "LEVELS", "ROUTINE_KINDS", "make", "routine",
    "check_answer", "describe", "problem", "simulate",
    "OUTCOME_CHOICES", "Feedback", "check_prediction",
]
