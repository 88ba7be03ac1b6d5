"""The driver's C for any family: the views' one entry point to the families' C views."""
from __future__ import annotations

from ..families import family_of

__all__ = ["driver_c", "c_function"]


def driver_c(scenario: object) -> str:
    """The C for a scenario of any family (its record's C view)."""
    return family_of(scenario).c_view(scenario)


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
