"""One row per knob: what the shells (the CLI, the panel, the exercises' words) say about a
scenario field. Type and default stay in the family's scenario dataclass and are read from
it (``fields`` and ``get_type_hints``); the validation stays in the scenario, where the
rules are decided. A family lists its rows in one ``KNOBS`` tuple beside its scenario class.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Union

from .ntstatus import NtStatus, parse_status

__all__ = ["Knob", "Flag", "statuses", "rows_by_name", "field_types", "echo", "default_of"]

Words = Union[Mapping[Any, str], Callable[[Any], Any], None]   # value -> sentence, or f(scenario)
Mistake = Union[tuple[str, str], Callable[[Any], tuple[str, str]]]   # (cause, fix), or f(scenario)


@dataclass(frozen=True)
class Flag:
    """A command-line flag the README documents that is not ``--<knob>`` / ``--no-<knob>``:
    it sets ``value``. Offered only while ``value`` is not the knob's default."""

    option: str
    value: Any
    help: str


@dataclass(frozen=True)
class Knob:
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
    label: str
    help: str
    choices: tuple[tuple[Any, str], ...] = ()
    words: Words = None
    said_with: tuple[str, ...] = ()
    mistakes: Mapping[Any, Mistake] = dataclasses.field(default_factory=dict)
    traits: Mapping[Any, str] = dataclasses.field(default_factory=dict)
    limits: tuple[int, int] | None = None
    panel: tuple[int, int, str] | None = None
    flags: tuple[Flag, ...] = ()
    option: str = ""
    join: Callable[[frozenset], Any] | None = None
    start: Any = None

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
