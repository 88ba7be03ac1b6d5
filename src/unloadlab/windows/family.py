"""One record per driver family: what the shells (the CLI, the catalogue, the views, the
exercises) need to know about it, so that they iterate the families instead of naming them.
A family's record lives in its own ``family`` module; ``catalogue.FAMILIES`` lists them.

The parts that cost an import (the model, the C view, the examples and rules) are functions
that import on first call, so ``python -m unloadlab minifilter`` pays for one family only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:   # annotations only: a record costs no import of these
    from .example import Example
    from .knob import Knob
    from .sources import Rule
    from .trace import Actor, Trace

__all__ = ["Family"]


@dataclass(frozen=True)
class Family:
    """A driver family: its scenario class and knob rows, and how to run and show a scenario."""

    name: str                                   # "minifilter": the CLI subcommand, Example.model, JSON "model"
    title: str                                  # what a learner reads: "minifilter", "WFP callout driver"
    scenario: type                              # its frozen scenario dataclass
    knobs: tuple[Knob, ...]                     # one row per scenario field (windows.knob)
    service_name: str                           # the service the lab's driver is installed as
    actors: tuple[Actor, ...]                   # its lifelines, left to right after the shared ones
    simulate: Callable[[Any], Trace]
    c_view: Callable[[Any], str]                # the C the driver would contain
    examples: Callable[[], tuple[Example, ...]]
    rules: Callable[[], tuple[Rule, ...]]
    decision_space: Callable[[], Iterator[Any]]
    help: str                                   # the CLI subcommand's one-line help
    requests: Mapping[str, str]                 # trigger value: how it is asked for, in words ({} the service)

    def owns(self, scenario: Any) -> bool:
        return type(scenario) is self.scenario
