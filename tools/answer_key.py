"""Print the instructor's answer key as Markdown, generated so that it cannot drift.

Read from the lesson notebooks (every ``Quiz("name")`` / ``check_prediction("name", ...)``
call in a code cell), the scenario catalogue (lessons without a notebook yet), the
practice generator (the seeds to hand out) and the capstone's cases. Every answer is
what the model says now.

Usage:
    python tools/answer_key.py                          print the key
    python tools/answer_key.py --write docs/instructor.md   replace the key in the doc
    python tools/answer_key.py --check docs/instructor.md   exit 1 when the doc's key is stale

In the doc the key sits between the lines ``<!-- answer-key:start -->`` and
``<!-- answer-key:end -->``.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from unloadlab.exercises import capstone, practice
from unloadlab.exercises import OUTCOME_CHOICES
from unloadlab.catalogue import CATALOGUE, example

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
START, END = "<!-- answer-key:start -->", "<!-- answer-key:end -->"
PRACTICE_SEEDS = range(1, 13)   # the seeds a workshop hands out (notebook 10 opens on seed 9)
_CALL = re.compile(r"\b(Quiz|check_prediction)\(\s*(?:scenario_name\s*=\s*)?[\"']([\w-]+)[\"']")
_WORD = {outcome: word for word, outcome in OUTCOME_CHOICES.items()}


def exercises(nb_path: Path) -> list[tuple[str, str]]:
    """(kind of check, scenario name) for every checked exercise in a notebook, in order."""
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    found: dict[str, list[str]] = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            for kind, name in _CALL.findall("".join(cell["source"])):
                found.setdefault(name, [])
                if kind not in found[name]:
                    found[name].append(kind)
    return [(" + ".join(kinds), name) for name, kinds in found.items()]


def _answer(name: str) -> tuple[str, str]:
    """The scenario's outcome word and the rule exercises.check names when a learner misses it."""
    ex = example(name)
    return _WORD[ex.run().outcome], ex.rules[0]


def lesson_table() -> list[str]:
    rows = ["| Notebook | Check | Scenario | Answer | Rule named on a wrong answer |", "|---|---|---|---|---|"]
    for nb in sorted(NOTEBOOKS.glob("0[0-9]-*.ipynb")):
        found = exercises(nb)
        if not found:
            rows.append(f"| {nb.stem} | (no checked exercise) | | | |")
        for kind, name in found:
            word, rule = _answer(name)
            rows.append(f"| {nb.stem} | {kind} | `{name}` | **{word}** | `{rule}` |")
    return rows


def unwritten_lessons() -> list[str]:
    """Lessons in the catalogue whose notebook does not exist yet: their scenarios' answers."""
    lessons = sorted({e.lesson for e in CATALOGUE if e.lesson} - {p.stem for p in NOTEBOOKS.glob("*.ipynb")})
    if not lessons:
        return []
    rows = ["### Lessons without a notebook yet", "",
            "Their scenarios, from `scenarios.for_lesson`; the notebook's exercise will be one of these.", "",
            "| Lesson (notebook not written yet) | Scenario | Answer | Deciding rule |", "|---|---|---|---|"]
    for lesson in lessons:
        for e in CATALOGUE:
            if e.lesson == lesson:
                word, rule = _answer(e.name)
                rows.append(f"| {lesson} | `{e.name}` | **{word}** | `{rule}` |")
    return rows + [""]


def practice_table() -> list[str]:
    rows = ["| Seed | Driver | Trigger | Answer | Deciding rule |", "|---|---|---|---|---|"]
    for seed in PRACTICE_SEEDS:
        trace = practice.simulate(practice.problem(seed))
        rows.append(f"| {seed} | {trace.model} | {trace.inputs['trigger']} | **{_WORD[trace.outcome]}** | "
                    f"`{practice.deciding_rule(trace)}` |")
    return rows


def capstone_table() -> list[str]:
    rows = ["| Case | Diagnosis | Scenario | Its rules | Rule named on a wrong answer |", "|---|---|---|---|---|"]
    for c in capstone.CASES:
        rules = ", ".join(f"`{r}`" for r in capstone.DIAGNOSES_BY_KEY[c.diagnosis].rules)
        missed = practice.deciding_rule(example(c.scenario).run())
        rows.append(f"| {c.name} | **{c.diagnosis}** | `{c.scenario}` | {rules} | `{missed}` |")
    return rows


def answer_key() -> str:
    """The whole key, as Markdown."""
    parts = [
        "### Lesson exercises", "",
        "Each notebook's Quiz widget and its `check_prediction` cell ask about the same scenario.", "",
        *lesson_table(), "",
        *unwritten_lessons(),
        "### 10 · Practice: seeds to hand out", "",
        "`python -m unloadlab quiz --seed N --answers` prints any seed's answer and trace.", "",
        *practice_table(), "",
        "### 11 · Why won't my driver stop?", "",
        *capstone_table(),
    ]
    return "\n".join(parts)


def _block(doc: str) -> str:
    if START not in doc or END not in doc:
        raise SystemExit(f"answer_key: the doc has no {START} ... {END} block")
    return doc.split(START, 1)[1].split(END, 1)[0].strip("\n")


def main(argv: list[str]) -> int:
    key = answer_key()
    if not argv:
        print(key)
        return 0
    if len(argv) != 2 or argv[0] not in ("--write", "--check"):
        print("usage: python tools/answer_key.py [--write DOC | --check DOC]", file=sys.stderr)
        return 2
    path = Path(argv[1])
    doc = path.read_text(encoding="utf-8")
    if argv[0] == "--check":
        if _block(doc) != key:
            print(f"{path}: the answer key is stale; run python tools/answer_key.py --write {path}",
                  file=sys.stderr)
            return 1
        return 0
    head, rest = doc.split(START, 1)
    path.write_text(f"{head}{START}\n{key}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
