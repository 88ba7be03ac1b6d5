"""The outcome of one scenario: ordered steps, each citing rules, and the final state.

Pure data. ``Trace.to_dict`` gives it as JSON-able data; ``unloadlab.views.text``
renders it as text. Annotations are evaluated here (no ``from __future__ import
annotations``): a NamedTuple would compile each string annotation at every CLI start.
"""

import enum
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

__all__ = ["Actor", "SHARED_ACTORS", "Kind", "Mark", "Outcome", "Step", "Steps", "Trace", "ScenarioError",
           "parse_choice"]


class ScenarioError(ValueError):
    """A scenario knob with a bad value. ``knob`` names it (or is "" when no one knob is to
    blame), ``reason`` says what is wrong and what is accepted; the message is
    "knob: reason" for a reader of the exception."""

    def __init__(self, reason: str, knob: str = ""):
        super().__init__(f"{knob}: {reason}" if knob else reason)
        self.knob, self.reason = knob, reason


def parse_choice(enum_cls: type[enum.Enum], value: Any, knob: str, hint: str = "") -> Any:
    """A knob's enum member from the member, its value, or a member of another enum with
    the same value (e.g. minifilter.Trigger.SC_STOP for a callout trigger)."""
    if isinstance(value, enum_cls):
        return value
    raw = value.value if isinstance(value, enum.Enum) else value
    for member in enum_cls:
        if raw == member.value:
            return member
    accepted = ", ".join(m.value for m in enum_cls)
    raise ScenarioError(f"{value!r} is not one of: {accepted}{hint}", knob)


class Actor(NamedTuple):
    """Who takes part in an unload: one lifeline each in a sequence diagram. Open, unlike an
    enum: a family brings its own actors (``Family.actors``) by making more of them."""

    name: str    # as a constant is named: "SCM"
    value: str   # as a lifeline and the JSON say it: "service control manager"

    def __repr__(self) -> str:
        return f"Actor.{self.name}"


for _name, _value in (("CALLER", "caller"), ("SCM", "service control manager"), ("IO_MANAGER", "I/O manager"),
                      # the two families' actors (Family.actors orders them on a diagram)
                      ("FILTER_MANAGER", "filter manager"), ("MINIFILTER", "minifilter"), ("INSTANCES", "instances"),
                      ("FRAMEWORK", "KMDF framework"), ("CALLOUT_DRIVER", "callout driver"),
                      ("FILTER_ENGINE", "filter engine")):
    setattr(Actor, _name, Actor(_name, _value))
SHARED_ACTORS: tuple[Actor, ...] = (Actor.CALLER, Actor.SCM, Actor.IO_MANAGER)   # any driver service's


class Kind(enum.Enum):
    """What a step is."""

    CALL = "call"        # actor calls target
    RETURN = "return"    # actor returns to target (status says what)
    ACTION = "action"    # actor does something itself
    NOTE = "note"        # an explanation, or where the documentation is silent


class Mark(enum.Enum):
    """What makes a step stand out; diagrams draw each with its own line style and label."""

    REFUSED = "refused"
    FAILED = "failed"
    IGNORED = "ignored"
    HUNG = "hung"
    HAZARD = "hazard"
    SILENT = "documentation silent"
    BUGCHECK = "bug check"          # the system stops
    PENDING = "unload pending"      # the I/O manager defers the unload


class Outcome(enum.Enum):
    """How the request ended."""

    UNLOADED = "unloaded"
    REFUSED = "refused"
    FAILED = "failed without calling the unload routine"
    HUNG = "hung"
    SHUTDOWN = "not called at shutdown"
    DRIVER_ENTRY_FAILED = "unloaded after DriverEntry failed"
    HAZARD = "callouts still registered; whether the image goes is not documented"
    UNLOAD_PENDING = "unload-pending"   # the request returned, the image stays until its devices are free
    BUGCHECK = "bugcheck"               # the system stopped (at unload or later)


class Step(NamedTuple):
    """One step of a trace. A NamedTuple: immutable, and cheap to make thousands of."""

    actor: Actor
    kind: Kind
    action: str                  # the call or act, in the driver engineer's words
    detail: str                  # one sentence: what happens and why
    rules: tuple[str, ...]       # ids in the rules catalogue
    target: Actor | None = None  # who is called or returned to
    status: str | None = None    # the status on a return
    mark: Mark | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor.value, "target": self.target.value if self.target else None,
            "kind": self.kind.value, "action": self.action, "detail": self.detail,
            "status": self.status, "mark": self.mark.value if self.mark else None,
            "rules": list(self.rules),
        }


class Steps:
    """How a family's simulation adds a step to its trace: each family's run derives from it,
    so both add steps the same way (rules as a tuple of rule ids)."""

    __slots__ = ()
    steps: list[Step]

    def step(self, actor: Actor, kind: Kind, action: str, detail: str, rules: tuple[str, ...],
             target: Actor | None = None, status: str | None = None, mark: Mark | None = None) -> None:
        self.steps.append(Step(actor, kind, action, detail, rules, target, status, mark))


class Trace(NamedTuple):
    """A scenario's trace. A NamedTuple, like Step: immutable, and cheap to make thousands of
    (a decision space). ``trace[key]`` reads the final state by name, never a position."""

    family: str                         # "minifilter" or "callout" (the JSON's "family")
    scenario: Any                       # what was simulated: a scenario, whose knobs() echoes it
    steps: tuple[Step, ...]
    outcome: Outcome
    headline: str                       # the outcome in one sentence
    state: Mapping[str, Any] = MappingProxyType({})   # final state, JSON-able

    @property
    def inputs(self) -> dict[str, Any]:
        """The scenario's knobs, JSON-able, echoed first. Made on demand: most traces
        (a whole decision space of them) are never echoed."""
        return self.scenario.knobs()

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule id cited, in first-cited order."""
        return tuple(dict.fromkeys(r for s in self.steps for r in s.rules))

    def __getitem__(self, key: str) -> Any:
        """trace['unloaded'] reads the final state, then the inputs."""
        return self.state[key] if key in self.state else self.inputs[key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family, **self.inputs, **self.state,
            "outcome": self.outcome.value, "headline": self.headline,
            "rules": list(self.rules), "steps": [s.to_dict() for s in self.steps],
        }
