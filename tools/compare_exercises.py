"""Dump every exercise a seed gives, so that two versions of the code can be compared byte for byte.

Reads only what stays the same across a refactor: the CLI (``python -m unloadlab quiz --seed N
--kind K --json --answers`` and its text form, run in-process) and the package-level names of
``unloadlab.exercises`` the notebooks use (the lesson quizzes, the capstone, the practice
checks). For each exercise it also records the verdict of every choice at the first and
second try, so a change in checking shows too.

Usage (one dump per version, then compare):
    PYTHONPATH=<old>/src python tools/compare_exercises.py /tmp/before.txt [SEEDS]
    PYTHONPATH=<new>/src python tools/compare_exercises.py /tmp/after.txt [SEEDS]
    cmp /tmp/before.txt /tmp/after.txt
"""
from __future__ import annotations

import contextlib
import io
import sys

from unloadlab.cli import main as cli
from unloadlab.exercises import (CASES, case_exercise, check, check_answer, check_diagnosis, check_text,
                                 format_diagnoses, lesson_quiz, lessons, make, symptoms)

KINDS = ("find-bug", "order", "complete", "diagnosis")
HIGH = (2**31 - 1, 2**31 - 2, 2**30, 123456789)


def run(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(list(argv))
    return f"[exit {code}]\n{out.getvalue()}"


def verdicts(ex) -> list[str]:
    """Every choice's verdict at the first and second try (an order: the answer and its reverse)."""
    if ex.ordered:
        answers = [list(ex.answer), list(reversed(ex.answer)), list(ex.answer[1:]) + [ex.answer[0]]]
    else:
        answers = list(ex.choice_keys)
    return [f"{a!r} {n}: {check_text(ex, a, n)}" for a in answers for n in (1, 2)] + [check_text(ex, None)]


def dump(seeds: list[int]) -> str:
    parts = []
    for seed in seeds:
        parts.append(f"=== predict {seed}")
        parts += [run("quiz", "--seed", str(seed), "--json", "--answers"), run("quiz", "--seed", str(seed)),
                  run("quiz", "--seed", str(seed), "--answers")]
        parts += [check_answer(seed, w) for w in (None, "unloaded", "refused", "hung", "nonsense")]
        for kind in KINDS:
            parts.append(f"=== {kind} {seed}")
            parts += [run("quiz", "--seed", str(seed), "--kind", kind, "--json", "--answers"),
                      run("quiz", "--seed", str(seed), "--kind", kind),
                      run("quiz", "--seed", str(seed), "--kind", kind, "--answers")]
            parts += verdicts(make(kind, seed))
        for lesson in lessons():
            parts.append(f"=== lesson {lesson} {seed}")
            for ex in lesson_quiz(lesson, seed):
                parts += [repr(ex.to_dict(answers=True)), ex.text(), ex.answer_text(), *verdicts(ex)]
    parts.append("=== capstone")
    parts.append(format_diagnoses())
    for c in CASES:
        ex = case_exercise(c.name)
        parts += [symptoms(c.name), repr(ex.to_dict(answers=True)), ex.text(), ex.answer_text(), *verdicts(ex)]
        parts += [check_diagnosis(c.name, key, n) for key in (None, "nope", *ex.choice_keys) for n in (1, 2)]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write(dump(list(range(n)) + list(HIGH)))
