"""A named scenario with the outcome the documentation predicts, for either driver family.

Each family builds its catalogue of examples from this class (``minifilter.scenarios``,
``callout.scenarios``) and hands it the family's scenario class and ``simulate``, so an
example runs without knowing which family it belongs to.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from .trace import Trace

__all__ = ["Example", "Diagnosis", "diagnosed"]


@dataclass(frozen=True)
class Diagnosis:
    """What a trace cannot say about a scenario that shows a symptom: the cause in the driver's
    terms, how to confirm it on a real machine, the fix, and the section of the example's lesson
    that teaches it (a heading of that notebook). ``unloadlab why`` prints them."""

    cause: str
    confirm: tuple[str, ...]
    fix: str
    section: str


@dataclass(frozen=True)
class Example:
    """A named scenario with the outcome the documentation predicts."""

    name: str
    title: str
    family: str                         # "minifilter" or "callout" (its record: families.family)
    knobs: Mapping[str, Any]            # keyword arguments of the family's scenario class
    expected: Mapping[str, Any]         # "outcome" plus final-state keys the trace must match
    rules: tuple[str, ...]              # rule ids the trace must cite
    lesson: str                         # the notebook that shows it
    make: Callable[..., Any] = field(repr=False, compare=False)   # the family's scenario class
    simulate: Callable[[Any], Trace] = field(repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict)
    diagnosis: Diagnosis | None = field(default=None, compare=False)

    def scenario(self) -> Any:
        return self.make(**self.knobs)

    def run(self) -> Trace:
        return self.simulate(self.scenario())

    def mismatches(self, trace: Trace) -> list[str]:
        """What in the trace differs from the expectation (empty when it matches)."""
        problems = []
        for key, want in self.expected.items():
            got = trace.outcome if key == "outcome" else trace[key]
            if got != want:
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        missing = [r for r in self.rules if r not in trace.rules]
        if missing:
            problems.append(f"rules not cited: {', '.join(missing)}")
        return problems


def diagnosed(examples: tuple[Example, ...], diagnoses: Mapping[str, Diagnosis]) -> tuple[Example, ...]:
    """The examples with their diagnoses; a diagnosis naming no example is a mistake in the table."""
    unknown = set(diagnoses) - {e.name for e in examples}
    if unknown:
        raise KeyError(f"diagnoses for no scenario: {', '.join(sorted(unknown))}")
    return tuple(replace(e, diagnosis=diagnoses[e.name]) if e.name in diagnoses else e for e in examples)
