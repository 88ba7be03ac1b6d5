"""The knobs of both families as the exercises see them, read from the scenario classes
themselves so that a knob a model gains flows into every exercise without a change here.

``domain`` lists the values worth trying for a knob (from its type: a bool, a small whole
number, an enum's members, one status per severity, no flag or one flag); ``variants``
makes every scenario one knob away; ``walk`` draws a random scenario that keeps a property
(for example "a clean unload"); ``deciding_knob`` says whether one knob alone decides an
outcome. Pure: no third-party imports, nothing printed; the models decide every outcome.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import random
import typing
from typing import Any, Callable, Iterator, Union

from .. import callout, minifilter
from ..callout import CalloutScenario
from ..minifilter import MinifilterScenario
from ..windows import NtStatus, Outcome, ScenarioError, Trace, parse_status
from .exercise import pick, shuffled

__all__ = [
    "Scenario", "FAMILIES", "draw", "family", "simulate", "domain", "replaced", "variants", "walk", "start",
    "deciding_knob", "REQUEST_KNOB",
]

Scenario = Union[MinifilterScenario, CalloutScenario]
FAMILIES: dict[str, type] = {"minifilter": MinifilterScenario, "callout": CalloutScenario}
REQUEST_KNOB = "trigger"   # the knob that says who asks for the unload, not how the driver is written
# One status per severity class, for any status knob, and the filter manager's conventional
# refusal for a minifilter's (a callout driver never sees a STATUS_FLT_ status).
_STATUSES = ("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL")
_FAMILY_STATUSES = {MinifilterScenario: ("STATUS_FLT_DO_NOT_DETACH",)}
_COUNTS = (0, 1, 2, 3)     # a whole-number knob: the model rejects what it does not accept


def family(scenario: Scenario) -> str:
    for name, cls in FAMILIES.items():
        if type(scenario) is cls:
            return name
    raise TypeError(f"not a scenario of either family: {type(scenario).__name__}")


def simulate(scenario: Scenario) -> Trace:
    """The core's trace for a scenario of either family."""
    if isinstance(scenario, CalloutScenario):
        return callout.simulate(scenario)
    return minifilter.simulate(scenario)


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.lru_cache(maxsize=None)
def _domain(cls: type, name: str) -> tuple[Any, ...]:
    t = _hints(cls)[name]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if t is bool:
        return (False, True)
    if t is int:
        return _COUNTS
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return tuple(t)
    if t is NtStatus:
        return tuple(parse_status(n) for n in _STATUSES + _FAMILY_STATUSES.get(cls, ()))
    if origin in (frozenset, set) and args and isinstance(args[0], type) and issubclass(args[0], enum.Enum):
        return (frozenset(),) + tuple(frozenset({m}) for m in args[0])
    return ()


def domain(scenario: Scenario, name: str) -> tuple[Any, ...]:
    """The values worth trying for a knob, the current one included."""
    current = getattr(scenario, name)
    values = _domain(type(scenario), name)
    return values if current in values else (current,) + values


def replaced(scenario: Scenario, name: str, value: Any) -> Scenario | None:
    """The scenario with one knob changed, or None when the model rejects the combination."""
    try:
        return dataclasses.replace(scenario, **{name: value})
    except ScenarioError:
        return None


def variants(scenario: Scenario) -> Iterator[tuple[str, Any, Scenario]]:
    """(knob, value, scenario) for every valid scenario one knob away, in field order."""
    for f in dataclasses.fields(scenario):
        current = getattr(scenario, f.name)
        for value in domain(scenario, f.name):
            if value != current:
                other = replaced(scenario, f.name, value)
                if other is not None:
                    yield f.name, value, other


def _defaults(cls: type) -> Iterator[Scenario]:
    """The class's defaults; a knob without a default (the minifilter's trigger) takes each
    of its values in turn."""
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if not required:
        yield cls()
        return
    name = required[0]
    for value in _domain(cls, name):
        try:
            yield cls(**{name: value})
        except (ScenarioError, TypeError):
            continue


def start(family_name: str, ok: Callable[[Scenario], bool]) -> Scenario:
    """The first scenario of a family that has the property: the defaults, else one knob
    away from them, else two. Deterministic; ValueError when none is that close."""
    bases = list(_defaults(FAMILIES[family_name]))
    for base in bases:
        if ok(base):
            return base
    near = [v for base in bases for _, _, v in variants(base)]
    for sc in near:
        if ok(sc):
            return sc
    for sc in near:
        for _, _, v in variants(sc):
            if ok(v):
                return v
    raise ValueError(f"no {family_name} scenario within two knobs of the defaults has that property")


def walk(rng: random.Random, scenario: Scenario, ok: Callable[[Scenario], bool]) -> Scenario:
    """A random scenario that keeps the property: each knob in turn takes a random value
    among those that keep it (the scenario given must have it)."""
    for f in dataclasses.fields(scenario):
        current = getattr(scenario, f.name)
        for value in shuffled(rng, domain(scenario, f.name)):
            if value == current:
                break
            other = replaced(scenario, f.name, value)
            if other is not None and ok(other):
                scenario = other
                break
    return scenario


def draw(rng: random.Random, ok: Callable[[Scenario], bool]) -> Scenario:
    """A scenario for a seeded problem: a family, then a walk from its start among scenarios ``ok``
    accepts (the draw every exercise kind makes first)."""
    family_name = pick(rng, [(name, 1) for name in FAMILIES])   # each family alike
    return walk(rng, start(family_name, ok), ok)


def deciding_knob(scenario: Scenario) -> str | None:
    """The knob that alone decides the scenario's outcome, or None when it takes two or more.

    A knob is *relevant* when changing it alone (to any value ``domain`` offers that the
    model accepts) changes the outcome to anything other than "unloaded after DriverEntry
    failed": a failing DriverEntry overrides every other knob, so it says nothing about
    them. The outcome is *decided by a single knob* when at most one knob is relevant:
    e.g. a failing DriverEntry (nothing else matters) or a shutdown (only the trigger does).
    """
    outcome = simulate(scenario).outcome
    relevant: list[str] = []
    for name, _, other in variants(scenario):
        if name in relevant:
            continue
        got = simulate(other).outcome
        if got is not outcome and got is not Outcome.DRIVER_ENTRY_FAILED:
            relevant.append(name)
            if len(relevant) > 1:
                return None
    return relevant[0] if relevant else "(no knob matters)"
