"""The WFP callout driver family's record (``windows.family.Family``): what the shells need."""
from __future__ import annotations

from typing import Any

from ..windows.family import Family
from ..windows.trace import Actor
from .knobs import KNOBS, REQUESTS
from .scenario import SERVICE_NAME, CalloutScenario

__all__ = ["FAMILY"]


def _simulate(scenario: Any) -> Any:
    from .model import simulate
    return simulate(scenario)


def _c_view(scenario: Any) -> str:
    from .c_view import callout_c
    return callout_c(scenario)


def _examples() -> Any:
    from .scenarios import CALLOUT_EXAMPLES
    return CALLOUT_EXAMPLES


def _rules() -> Any:
    from .rules import CALLOUT_RULES
    return CALLOUT_RULES


def _decision_space() -> Any:
    from .model import decision_space
    return decision_space()


FAMILY = Family("callout", "WFP callout driver", CalloutScenario, KNOBS, SERVICE_NAME,
                (Actor.FRAMEWORK, Actor.CALLOUT_DRIVER, Actor.FILTER_ENGINE), _simulate, _c_view, _examples, _rules,
                _decision_space, help="simulate a WFP callout driver unload", requests=REQUESTS)
