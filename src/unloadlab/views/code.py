"""The driver's C for either family: the views' one entry point to the two C views."""
from __future__ import annotations

from ..callout import CalloutScenario, callout_c
from ..minifilter import MinifilterScenario, minifilter_c

__all__ = ["driver_c", "c_function"]


def driver_c(scenario: MinifilterScenario | CalloutScenario) -> str:
    """The C for either family, dispatching on the scenario's type."""
    if isinstance(scenario, MinifilterScenario):
        return minifilter_c(scenario)
    if isinstance(scenario, CalloutScenario):
        return callout_c(scenario)
    raise TypeError(f"driver_c() needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")


def c_function(c_text: str, name: str) -> str:
    """One function of the driver's C, from its header line to its closing brace, for a
    lesson that shows only the unload routine, say."""
    lines = c_text.splitlines()
    heads = [i for i, line in enumerate(lines)
             if not line.startswith((" ", "/*", "#")) and f" {name}(" in line and not line.rstrip().endswith(";")]
    if not heads:
        raise ValueError(f"no function {name!r} in this C")
    end = lines.index("}", heads[0])
    return "\n".join(lines[heads[0]:end + 1])
