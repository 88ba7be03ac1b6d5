"""The driver's C for either family: the views' one entry point to the two C views."""
from __future__ import annotations

from ..callout import CalloutScenario, callout_c
from ..minifilter import MinifilterScenario, minifilter_c

__all__ = ["driver_c"]


def driver_c(scenario: MinifilterScenario | CalloutScenario) -> str:
    """The C for either family, dispatching on the scenario's type."""
    if isinstance(scenario, MinifilterScenario):
        return minifilter_c(scenario)
    if isinstance(scenario, CalloutScenario):
        return callout_c(scenario)
    raise TypeError(f"driver_c() needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")
