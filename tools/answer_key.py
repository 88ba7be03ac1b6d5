"""Print the instructor's answer key as Markdown, generated so that it cannot drift.

Read from each lesson's quiz (``exercises.lesson_quiz``, generated from the lesson's
catalogue entries), the problems notebook 10's widgets and code cells open (``FindBug(seed=4)``,
``make("order", 11)``, ...), the practice levels (the seeds to hand out) and the capstone's
cases. Every answer is what the model says now.

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

from unloadlab.catalogue import CATALOGUE
from unloadlab.exercises import OUTCOME_CHOICES, lesson_quiz, problem, simulate
from unloadlab.exercises.diagnosis import CASES, DIAGNOSES_BY_KEY, case_exercise
from unloadlab.exercises import make, routine_kind
from unloadlab.exercises.reading import deciding_rule

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
START, END = "<!-- answer-key:start -->", "<!-- answer-key:end -->"
PRACTICE_SEEDS = range(1, 13)   # the seeds a workshop hands out
_WORD = {outcome: word for word, outcome in OUTCOME_CHOICES.items()}


def _cell(text: str) -> str:
    """Text fit for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def lesson_table() -> list[str]:
    """Each lesson notebook's quiz: its questions, the right answer, and the rule it names."""
    rows = ["| Notebook | Question | Scenario | Answer | Rule named on a second wrong answer |",
            "|---|---|---|---|---|"]
    lessons = {e.lesson for e in CATALOGUE}
    for nb in sorted(NOTEBOOKS.glob("0[0-9]*-*.ipynb")):
        if nb.stem not in lessons:
            rows.append(f"| {nb.stem} | (no quiz: no catalogue scenario) | | | |")
            continue
        for n, ex in enumerate(lesson_quiz(nb.stem), 1):
            right = ex.choice(ex.answer[0])
            rows.append(f"| {nb.stem} | {n}. {_cell(ex.prompt)} | `{ex.extra['scenario']}` | "
                        f"**{right.key}) {_cell(right.text)}** | `{ex.rules[0]}` |")
    return rows


def unwritten_lessons() -> list[str]:
    """Lessons in the catalogue whose notebook does not exist yet: their quizzes' answers."""
    lessons = sorted({e.lesson for e in CATALOGUE if e.lesson} - {p.stem for p in NOTEBOOKS.glob("*.ipynb")})
    if not lessons:
        return []
    rows = ["#### Lessons without a notebook yet", "",
            "| Lesson (notebook not written yet) | Question | Scenario | Answer | Rule |", "|---|---|---|---|---|"]
    for lesson in lessons:
        for n, ex in enumerate(lesson_quiz(lesson), 1):
            right = ex.choice(ex.answer[0])
            rows.append(f"| {lesson} | {n}. {_cell(ex.prompt)} | `{ex.extra['scenario']}` | "
                        f"**{right.key}) {_cell(right.text)}** | `{ex.rules[0]}` |")
    return rows + [""]


_WIDGET = re.compile(r"\b(FindBug|Order|Complete|DiagnosisPractice|Practice)\(\s*seed\s*=\s*(\d+)"
                     r"(?:\s*,\s*level\s*=\s*[\"'](\w+)[\"'])?")
_MAKE = re.compile(r"\bmake\(\s*[\"']([\w-]+)[\"']\s*,\s*(\d+)\s*\)")
_KIND_OF = {"FindBug": "find-bug", "Order": "order", "Complete": "complete", "DiagnosisPractice": "diagnosis"}


def opened_problems(nb_path: Path) -> list[tuple[str, int]]:
    """(kind, seed) for every problem a practice notebook's code cells open, in order: its
    widgets (``FindBug(seed=4)``, ``Practice(seed=9, level="rules")``) and ``make("order", 11)``;
    a Practice widget's level is the kind ("rules", "routine" or "diagnosis")."""
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    found: list[tuple[str, int]] = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        hits = [(m.start(), _KIND_OF.get(m.group(1)) or m.group(3) or "rules", int(m.group(2)))
                for m in _WIDGET.finditer(source)]
        hits += [(m.start(), m.group(1), int(m.group(2))) for m in _MAKE.finditer(source)]
        for _, kind, seed in sorted(hits):
            if (kind, seed) not in found:
                found.append((kind, seed))
    return found


def _answer_row(kind: str, seed: int) -> str:
    if kind == "rules":
        trace = simulate(problem(seed))
        return (f"| rules | {seed} | **{_WORD[trace.outcome]}** ({trace.family}, {trace.inputs['trigger']}) | "
                f"`{deciding_rule(trace)}` |")
    shown = routine_kind(seed) if kind == "routine" else kind
    ex = make(shown, seed)
    if ex.ordered:
        answer = f"**{','.join(ex.answer)}**"
    else:
        right = ex.choice(ex.answer[0])
        text = right.text.split(" Fix: ")[0] if shown == "diagnosis" else right.text
        answer = f"**{'line ' if shown == 'find-bug' else ''}{right.key}**: {_cell(text)}"
    label = f"routine ({shown})" if kind == "routine" else kind
    return f"| {label} | {seed} | {answer} | `{ex.rules[0]}` |"


def notebook_problems_table() -> list[str]:
    """The answers of the problems notebook 10 opens on, read from its code cells."""
    nb = NOTEBOOKS / "10-practice.ipynb"
    if not nb.exists():
        return []
    rows = ["| Kind | Seed | Answer | Rule |", "|---|---|---|---|"]
    rows += [_answer_row(kind, seed) for kind, seed in opened_problems(nb)]
    return rows


def practice_table() -> list[str]:
    rows = ["| Seed | rules: answer (deciding rule) | routine: kind, answer | diagnosis: answer (rule) |",
            "|---|---|---|---|"]
    for seed in PRACTICE_SEEDS:
        trace = simulate(problem(seed))
        kind = routine_kind(seed)
        r = make(kind, seed)
        d = make("diagnosis", seed)
        rows.append(f"| {seed} | {trace.family}, {trace.inputs['trigger']}: **{_WORD[trace.outcome]}** "
                    f"(`{deciding_rule(trace)}`) | {kind}: **{','.join(r.answer)}** | "
                    f"**{d.answer[0]}** (`{d.rules[0]}`) |")
    return rows


def capstone_table() -> list[str]:
    rows = ["| Case | Diagnosis | Scenario | Its rules | Rule named on a second wrong answer |",
            "|---|---|---|---|---|"]
    for c in CASES:
        rules = ", ".join(f"`{r}`" for r in DIAGNOSES_BY_KEY[c.diagnosis].rules)
        missed = case_exercise(c.name).rules[0]
        rows.append(f"| {c.name} | **{c.diagnosis}** | `{c.scenario}` | {rules} | `{missed}` |")
    return rows


def answer_key() -> str:
    """The whole key, as Markdown."""
    parts = [
        "### Lesson quizzes", "",
        "Each lesson's quiz is `lesson_quiz(\"<notebook name>\")` (widget: `LessonQuiz`), generated from the "
        "lesson's catalogue scenarios; the letter is the option's key.", "",
        *lesson_table(), "",
        *unwritten_lessons(),
        "### 10 · Practice: the problems the notebook opens on", "",
        "Each widget and code cell of notebook 10 opens one problem (read from the notebook's cells); a "
        "find-the-bug answer is a line number, an order is one right order of the letters (any order that keeps "
        "what the rules require is right: `--answers` lists each pair and its rule).", "",
        *notebook_problems_table(), "",
        "### 10 · Practice: seeds to hand out", "",
        "`python -m unloadlab quiz --seed N --answers` prints a rules-level seed's answer and trace; add "
        "`--kind find-bug`, `order`, `complete` or `diagnosis` for the other kinds. The routine level gives "
        "the kind shown for each seed.", "",
        *practice_table(), "",
        "### 11 · Why won't my driver stop?", "",
        "A first wrong diagnosis is only nudged; the second is told the rule in the last column.", "",
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
