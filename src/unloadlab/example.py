"""A named scenario with the outcome the documentation predicts, for either driver family.

Its own module so that scenarios.py and callout_scenarios.py can both build catalogues
of examples without importing each other at load time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from . import minifilter
from .minifilter import MinifilterScenario
from .trace import Trace

__all__ = ["Example"]


@dataclass(frozen=True)
class Example:
    """A named scenario with the outcome the documentation predicts."""

    name: str
    title: str
    model: str                          # "minifilter" or "callout"
    knobs: Mapping[str, Any]            # keyword arguments of the model's scenario class
    expected: Mapping[str, Any]         # "outcome" plus final-state keys the trace must match
    rules: tuple[str, ...]              # rule ids the trace must cite
    lesson: str = ""                    # the notebook that shows it
    extra: Mapping[str, Any] = field(default_factory=dict)

    def scenario(self) -> Any:
        if self.model == "minifilter":
            return MinifilterScenario(**self.knobs)
        from .callout import CalloutScenario
        return CalloutScenario(**self.knobs)

    def run(self) -> Trace:
        if self.model == "minifilter":
            return minifilter.simulate(self.scenario())
        from .callout import simulate
        return simulate(self.scenario())

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
