"""The minifilter family's record (``windows.family.Family``): what the shells need."""
from __future__ import annotations

from typing import Any

from ..windows.family import Family
from ..windows.trace import Actor
from .knobs import KNOBS, REQUESTS
from .scenario import SERVICE_NAME, MinifilterScenario

__all__ = ["FAMILY"]


def _simulate(scenario: Any) -> Any:
    from .model import simulate
    return simulate(scenario)


def _c_view(scenario: Any) -> str:
    from .c_view import minifilter_c
    return minifilter_c(scenario)


def _examples() -> Any:
    from .scenarios import MINIFILTER_EXAMPLES
    return MINIFILTER_EXAMPLES


def _rules() -> Any:
    from .rules import MINIFILTER_RULES
    return MINIFILTER_RULES


def _decision_space() -> Any:
    from .scenarios import decision_space
    return decision_space()


FAMILY = Family("minifilter", "minifilter", MinifilterScenario, KNOBS, SERVICE_NAME,
                (Actor.FILTER_MANAGER, Actor.MINIFILTER, Actor.INSTANCES), _simulate, _c_view, _examples, _rules,
                _decision_space, help="simulate a minifilter unload request", requests=REQUESTS)
