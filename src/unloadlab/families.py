"""The driver families, each by its record (``windows.family.Family``). The shells iterate
``families()`` instead of naming a family; a third family is one more folder and one more
line in ``_LOADERS``. A record is imported when first asked for, so the CLI pays for the
one family it runs (its scenario class and knob rows, nothing more)."""
from __future__ import annotations

import functools
from typing import Any, Callable

from .windows.family import Family

__all__ = ["NAMES", "family", "families", "family_of"]


def _minifilter() -> Family:
    from .minifilter.knobs import FAMILY
    return FAMILY


def _callout() -> Family:
    from .callout.knobs import FAMILY
    return FAMILY


_LOADERS: dict[str, Callable[[], Family]] = {"minifilter": _minifilter, "callout": _callout}
NAMES: tuple[str, ...] = tuple(_LOADERS)


def family(name: str) -> Family:
    """A family's record by name; KeyError lists the names."""
    if name not in _LOADERS:
        raise KeyError(f"unknown family {name!r}; known: {', '.join(NAMES)}")
    return _LOADERS[name]()


@functools.lru_cache(maxsize=None)
def families() -> tuple[Family, ...]:
    return tuple(load() for load in _LOADERS.values())


def family_of(scenario: Any) -> Family:
    """The family whose scenario class ``scenario`` is; TypeError names the classes accepted."""
    for f in families():
        if f.owns(scenario):
            return f
    names = " or ".join(f.scenario.__name__ for f in families())
    raise TypeError(f"needs a {names}, got {type(scenario).__name__}")
