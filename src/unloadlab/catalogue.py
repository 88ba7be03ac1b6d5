"""The one catalogue of both driver families: every rule a trace may cite, and every named
scenario the tests replay and the notebooks show.

It sits above the families (each by its record, ``families``) and the shared ``windows``
base, which never import it: a family decides, the catalogue only lists.
"""
from __future__ import annotations

from .families import families
from .windows.example import Example
from .windows.rules import WINDOWS_RULES
from .windows.sources import Rule

__all__ = [
    "RULES", "RULES_BY_ID", "rule", "UnknownRuleError",
    "CATALOGUE", "BY_NAME", "example", "for_lesson", "format_lesson",
]

RULES: tuple[Rule, ...] = WINDOWS_RULES + tuple(r for f in families() for r in f.rules())
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
if len(RULES_BY_ID) != len(RULES):  # an id used twice would make citations ambiguous
    raise RuntimeError("duplicate rule id in the catalogue")


class UnknownRuleError(KeyError):
    """A rule id that is not in the catalogue."""

    def __str__(self) -> str:
        return str(self.args[0])


def rule(rule_id: str) -> Rule:
    """Look a rule up by id; UnknownRuleError names the id and how to list them."""
    try:
        return RULES_BY_ID[rule_id]
    except KeyError:
        raise UnknownRuleError(
            f"unknown rule id {rule_id!r}; 'python -m unloadlab rules' lists all {len(RULES)}") from None


CATALOGUE: tuple[Example, ...] = tuple(e for f in families() for e in f.examples())
BY_NAME: dict[str, Example] = {e.name: e for e in CATALOGUE}


def example(name: str) -> Example:
    """A catalogue scenario by name; KeyError lists the names."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(BY_NAME)}") from None


def for_lesson(lesson: str) -> tuple[Example, ...]:
    """The catalogue entries a lesson notebook demonstrates, e.g. for_lesson('02-non-mandatory')."""
    found = tuple(e for e in CATALOGUE if e.lesson == lesson)
    if not found:
        lessons = sorted({e.lesson for e in CATALOGUE})
        raise KeyError(f"no scenarios for lesson {lesson!r}; lessons: {', '.join(lessons)}")
    return found


def format_lesson(lesson: str) -> str:
    """A text table: each of the lesson's scenarios, its outcome, and the rule that decides it."""
    rows = [(e.name, e.run().outcome.value, e.rules[0]) for e in for_lesson(lesson)]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{n:{width}}  {o:42}  {r}" for n, o, r in rows)
