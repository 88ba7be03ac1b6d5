"""What a driver family declares for the shells (the CLI, the catalogue, the panel, the
exercises' words): one ``Knob`` row per scenario field, and one ``Family`` record.

Type and default stay in the family's scenario dataclass and are read from it (``fields``
and ``get_type_hints``); the validation stays in the scenario, where the rules are decided.
A family lists its rows in one ``KNOBS`` tuple beside its scenario class, and its record
(``FAMILY``) after them; ``unloadlab.families`` lists the records, and the shells iterate
them instead of naming a family. The parts of a record that cost an import (the model, the
C view, the examples and rules) are functions that import on first call, so
``python -m unloadlab minifilter`` pays for one family only.

Rows and records are NamedTuples: plain, immutable, and cheap to build at every CLI start.
Their annotations are real objects (no ``from __future__ import annotations``): a
NamedTuple would compile each string annotation.
"""
import dataclasses
import enum
import functools
import typing
from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple

from .ntstatus import NtStatus, parse_status

__all__ = ["Knob", "Flag", "Family", "statuses", "rows_by_name", "field_types", "echo", "default_of", "build"]


# Annotations are plain types and the shapes are in comments: subscripted typing annotations
# cost a NamedTuple more at every CLI start than the rows themselves.
class Flag(NamedTuple):
    """A command-line flag the README documents that is not ``--<knob>`` / ``--no-<knob>``:
    it sets ``value`` (always offered; its help says when that value is the default)."""

    option: str
    value: Any
    help: str


class Knob(NamedTuple):
    """How one scenario knob is shown and said.

    ``choices``: (value, the learner's label) for an enum, a set of flags or a status.
    ``words``: the sentence for a value (a dict; a set knob: one per member) or a function of
    the scenario where the words need other knobs. ``said_with``: rows whose sentences also
    say this knob. ``mistakes``: keyed as ``key_of`` keys a value (a status by its severity,
    a one-member set by the member, an enum by its value), the cause and the fix, never
    the consequence (that comes from the trace). ``traits``: what a clean driver with a
    value has. ``panel``: (low, high, why) where the panel offers fewer counts than the model.
    ``flags``/``option``: the CLI's escape hatch for options the README documents;
    ``join`` makes one value from several of the knob's flags given together.
    ``start``: where the panel starts a knob the scenario class has no default for."""

    name: str
    label: str            # the panel's label
    help: str             # the CLI's one-line help
    choices: tuple = ()   # ((value, label), ...)
    words: Any = None     # {value: sentence} or f(scenario) -> sentence(s) or None
    said_with: tuple = ()  # (row name, ...)
    mistakes: Mapping = MappingProxyType({})   # {key: (cause, fix) or f(scenario) -> (cause, fix)}
    traits: Mapping = MappingProxyType({})     # {key: what a clean driver with that value has}
    limits: Any = None    # (low, high) the model accepts, for a count
    panel: Any = None     # (low, high, why) the panel offers instead
    flags: tuple = ()     # (Flag, ...)
    option: str = ""      # the CLI's option when not --<knob>
    join: Any = None      # f(frozenset of flag values) -> value
    start: Any = None     # the panel's first value for a knob without a default

    @property
    def panel_limits(self) -> tuple[int, int]:
        """The counts the panel offers: the model's limits unless the row says why fewer."""
        assert self.limits is not None, f"{self.name} is not a count"
        return self.panel[:2] if self.panel else self.limits


def statuses(*names: str) -> tuple[tuple[str, str], ...]:
    """Status choices, each labelled with its severity: ("STATUS_SUCCESS", "STATUS_SUCCESS (success)")."""
    return tuple((n, f"{n} ({parse_status(n).severity.value})") for n in names)


def rows_by_name(rows: tuple[Knob, ...]) -> dict[str, Knob]:
    return {r.name: r for r in rows}


@functools.lru_cache(maxsize=None)
def field_types(cls: type) -> dict[str, Any]:
    """Each knob's type, in field order."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def default_of(cls: type, name: str) -> Any:
    """The dataclass default of a knob, or dataclasses.MISSING when every scenario sets it."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    return f.default


@functools.lru_cache(maxsize=None)
def _defaults(cls: type) -> tuple[frozenset, frozenset, dict]:
    """(every knob, the knobs without a default, the defaults) of a scenario class."""
    fs = dataclasses.fields(cls)
    return (frozenset(f.name for f in fs), frozenset(f.name for f in fs if f.default is dataclasses.MISSING),
            {f.name: f.default for f in fs if f.default is not dataclasses.MISSING})


def build(cls: type, knobs: dict) -> Any:
    """``cls(**knobs)`` for a frozen scenario dataclass, a few times faster, for a decision
    space of thousands: the generated ``__init__`` of a frozen dataclass sets each field with
    its own ``object.__setattr__`` call; here the defaults and the knobs fill the new
    instance's ``__dict__`` at once. The same ``__post_init__`` then checks and converts
    them, so the scenario is equal to ``cls(**knobs)`` and a bad knob raises the same error
    (tests/test_families.py compares both over the decision spaces)."""
    names, required, defaults = _defaults(cls)
    if not knobs.keys() <= names or not required <= knobs.keys():
        return cls(**knobs)   # the TypeError __init__ gives, naming the knob
    scenario = object.__new__(cls)
    scenario.__dict__.update(defaults, **knobs)
    scenario.__post_init__()
    return scenario


def _json(value: Any) -> Any:
    if isinstance(value, NtStatus):
        return value.describe()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(_json(v) for v in value)
    return value


def echo(scenario: Any) -> dict[str, Any]:
    """The knobs of a scenario, JSON-able, in field order: a status by its description, an
    enum by its value, a set as its sorted values."""
    return {f.name: _json(getattr(scenario, f.name)) for f in dataclasses.fields(scenario)}


class Family(NamedTuple):
    """A driver family: its scenario class and knob rows, and how to run and show a scenario."""

    name: str             # "minifilter": the CLI subcommand, Example.family, the JSON's "family"
    title: str            # what a learner reads: "minifilter", "WFP callout driver"
    scenario: type        # its frozen scenario dataclass
    knobs: tuple          # (Knob, ...): one row per scenario field
    service_name: str     # the service the lab's driver is installed as
    actors: tuple         # (Actor, ...): its lifelines, left to right after SHARED_ACTORS
    simulate: Callable    # scenario -> Trace
    c_view: Callable      # scenario -> the C the driver would contain
    examples: Callable    # () -> its catalogue of windows.example.Example
    rules: Callable       # () -> its windows.sources.Rule catalogue
    decision_space: Callable   # () -> an iterator of scenarios
    help: str             # the CLI subcommand's one-line help
    requests: Mapping     # {trigger value: how it is asked for, in words ({} the service)}
    cache_clear: Callable = lambda: None   # forgets what its model keeps between runs (for benchmarks)

    def owns(self, scenario: Any) -> bool:
        return type(scenario) is self.scenario
