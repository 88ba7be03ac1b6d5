"""Exercises generated from the models: predict-then-check quizzes, seeded practice and the
capstone. They read traces; no unload rule is decided here."""
from .capstone import CASES, DIAGNOSES, check_diagnosis, diagnose, format_diagnoses, symptoms
from .practice import check_answer, describe, problem, simulate
from .quiz import OUTCOME_CHOICES, Feedback, check, check_prediction

__all__ = [
    "CASES", "DIAGNOSES", "check_diagnosis", "diagnose", "format_diagnoses", "symptoms",
    "check_answer", "describe", "problem", "simulate",
    "OUTCOME_CHOICES", "Feedback", "check", "check_prediction",
]
