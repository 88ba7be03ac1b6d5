"""The panel's controls: how each scenario knob is shown (a dropdown, a checkbox, a count,
a set of checkboxes, a status with a hex field) and the widgets that read it back."""
from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import ipywidgets as W

from ..windows import NtStatus, ScenarioError, parse_status
from ..windows.family import Knob, field_types, rows_by_name, statuses

if TYPE_CHECKING:
    from ..windows.family import Family

__all__ = ["OTHER", "STYLE", "WIDE", "Choice", "Flag", "FlagSet", "Count", "StatusChoice", "specs", "chosen_flags",
           "control", "watched"]

OTHER = "other (hex)"

# --- knob specifications: how each scenario field is shown ---------------------------------
@dataclass(frozen=True)
class Choice:
    label: str
    options: tuple[tuple[str, Any], ...]   # (what the learner reads, the knob value)


@dataclass(frozen=True)
class Flag:
    label: str


@dataclass(frozen=True)
class FlagSet:
    label: str
    options: tuple[tuple[str, str], ...]   # (checkbox description, flag name)


@dataclass(frozen=True)
class Count:
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class StatusChoice:
    label: str
    names: tuple[str, ...]                 # common statuses offered by name; OTHER adds a hex field


def specs(family: Family) -> dict[str, Any]:
    """How each of the family's knobs is shown, in field order, derived from its type (the
    scenario class) and its row (label, choices, the panel's limits)."""
    rows = rows_by_name(family.knobs)
    return {name: _spec(rows[name], kind) for name, kind in field_types(family.scenario).items()}


def _spec(row: Knob, kind: Any) -> Any:
    if kind is bool:
        return Flag(row.label)
    if kind is int:
        return Count(row.label, *row.panel_limits)
    if kind is NtStatus:
        return StatusChoice(row.label, tuple(name for name, _ in row.choices))
    if typing.get_origin(kind) is frozenset:
        return FlagSet(row.label, tuple((label, value) for value, label in row.choices))
    return Choice(row.label, tuple((label, value) for value, label in row.choices))


# --- the controls ---------------------------------------------------------------------------------
STYLE = {"description_width": "210px"}   # exercises: a description beside its control
WIDE = W.Layout(width="460px")
_ABOVE = {"description_width": "initial"}   # panel: the description above its control (CSS stacks it)


def _full() -> W.Layout:
    return W.Layout(width="100%")


class _StatusControl:
    """A Dropdown of common statuses plus 'other (hex)', which shows a text field for the code."""

    def __init__(self, spec: StatusChoice, initial: Any):
        st = parse_status(initial)
        known = st.name in spec.names
        self.dropdown = W.Dropdown(options=[*((label, n) for n, label in statuses(*spec.names)), (OTHER, OTHER)],
                                   value=st.name if known else OTHER, description=spec.label,
                                   style=_ABOVE, layout=_full())
        self.hex = W.Text(value="" if known else st.hex, description=f"{spec.label} (hex)",
                          placeholder="e.g. 0xC01C0010", continuous_update=False, style=_ABOVE,
                          layout=_full())
        self.widgets = (self.dropdown, self.hex)
        self.dropdown.observe(self._toggle_hex, names="value")
        self._toggle_hex()

    def _toggle_hex(self, change: Any = None) -> None:
        self.hex.layout.display = None if self.dropdown.value == OTHER else "none"

    def value(self) -> str:
        """The chosen name, or what the hex field holds ("" before anything is typed)."""
        return self.hex.value.strip() if self.dropdown.value == OTHER else self.dropdown.value


def chosen_flags(spec: FlagSet, values: Any) -> set[str]:
    """Flag names from full names, short names (the checkbox text) or enum members;
    an unknown one raises ScenarioError rather than being dropped."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    chosen = set()
    for v in values:
        v = getattr(v, "value", v)
        match = [name for text, name in spec.options if v in (text, name)]
        if not match:
            raise ScenarioError(f"unknown flag {v!r}; accepted: {', '.join(n for _, n in spec.options)}")
        chosen.add(match[0])
    return chosen


def control(spec: Any, initial: Any) -> tuple[tuple[W.Widget, ...], Callable[[], Any]]:
    """The widgets for one knob, and a function reading the knob's value from them."""
    if isinstance(spec, Choice):
        w = W.Dropdown(options=list(spec.options), value=getattr(initial, "value", initial),
                       description=spec.label, style=_ABOVE, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, Flag):
        w = W.Checkbox(value=initial, description=spec.label, indent=False, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, Count):
        # IntText, not BoundedIntText: that one clamps silently; the panel says what is accepted.
        w = W.IntText(value=initial, description=f"{spec.label} ({spec.low} to {spec.high})",
                      style=_ABOVE, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, FlagSet):
        chosen = chosen_flags(spec, initial)
        boxes = [W.Checkbox(value=name in chosen, description=text, indent=False, layout=_full())
                 for text, name in spec.options]
        names = [name for _, name in spec.options]
        box = W.VBox([W.Label(spec.label)] + boxes)
        return (box,), lambda: [n for n, b in zip(names, boxes) if b.value]
    if isinstance(spec, StatusChoice):
        c = _StatusControl(spec, initial)
        return c.widgets, c.value
    raise TypeError(f"no control for {spec!r}")


def watched(widgets: Sequence[W.Widget]) -> list[W.Widget]:
    """The controls inside boxes (tabs' pages and headings left out)."""
    out = []
    for w in widgets:
        if isinstance(w, W.Tab):
            continue
        out += watched(w.children) if isinstance(w, W.Box) else [w]
    return [w for w in out if not isinstance(w, (W.Label, W.HTML, W.Output, W.Image))]

