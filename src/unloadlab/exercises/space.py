"""The seeded draw: seeds, reproducible random draws, and the space of both families'
scenarios the exercises draw from.

The knobs are read from the scenario classes themselves, so that a knob a model gains flows
into every exercise without a change here. ``domain`` lists the values worth trying for a knob
(from its type: a bool, a small whole number, an enum's members, one status per severity, no
flag or one flag); ``variants`` makes every scenario one knob away; ``walk`` draws a random
scenario that keeps a property (for example ``clean``: a driver shown as correct); ``draw``
is the seeded draw every kind makes first; ``deciding_knob`` says whether one knob alone
decides an outcome. Traces and listings are made once per scenario (``trace_of``,
``listing_of``). Pure: no third-party imports, nothing printed; the models decide every outcome.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import random
import types
import typing
from typing import Any, Callable, Iterator, Sequence, TypeVar

from ..families import families, family_of
from ..windows import Mark, NtStatus, Outcome, ScenarioError, Trace, parse_status
from ..windows.family import field_types
from .reading import Line, blocks, dead_branches, declarations, listing, teardown_items

__all__ = [
    "MAX_SEED", "validate_seed", "rng_for", "index", "choose", "pick", "shuffled",
    "Scenario", "FAMILIES", "FAMILY_WEIGHTS", "REQUEST_KNOB", "family", "simulate",
    "trace_of", "listing_of", "cache_clear", "kept", "has_bug", "clean", "plausible", "with_items", "introduction",
    "domain", "replaced", "variants", "start", "walk", "draw", "deciding_knob", "KEEP_ONE_KNOB",
]

Scenario = Any   # a scenario of any family (its record: families.family_of)
T = TypeVar("T")
MAX_SEED = 2**31 - 1   # what a browser's number box holds exactly; the CLI and the widgets share it
_SEED_RANGE = f"a seed is a whole number from 0 to {MAX_SEED}, e.g. 7"


# --- seeds and draws that are the same on every OS and Python 3.10+ -----------------------------------
def validate_seed(seed: object) -> int:
    """The seed as an int; ValueError says what a seed is otherwise (nothing is clamped)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed: {seed!r} is not a whole number; {_SEED_RANGE}")
    if seed < 0:
        raise ValueError(f"seed: {seed} is negative; {_SEED_RANGE}")
    if seed > MAX_SEED:
        raise ValueError(f"seed: {seed} is too large; {_SEED_RANGE}")
    return seed


def rng_for(seed: object, kind: str) -> random.Random:
    """The random source of one kind's problem for a seed: the same draws everywhere, and
    different kinds draw independently (a string seed is hashed with SHA-512, not hash())."""
    return random.Random(f"{kind}:{validate_seed(seed)}")


def index(rng: random.Random, n: int) -> int:
    """A whole number 0..n-1 from exactly one rng.random() (stable across Python versions)."""
    if n < 1:
        raise ValueError("index() needs at least one thing to choose from")
    return min(int(rng.random() * n), n - 1)


def choose(rng: random.Random, items: Sequence[T]) -> T:
    return items[index(rng, len(items))]


def pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    """A weighted choice of (value, weight) pairs from exactly one rng.random()."""
    x = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def shuffled(rng: random.Random, items: Sequence[T]) -> list[T]:
    """A Fisher-Yates shuffle on rng.random() alone (random.shuffle's draws are not promised
    to stay the same between Python versions)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = index(rng, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


# --- the families ----------------------------------------------------------------------------------------
FAMILIES: dict[str, type] = {f.name: f.scenario for f in families()}   # name: scenario class
# How often each family is drawn, by every seeded kind and practice level alike: the minifilter
# three times in five, about its share of the catalogue's scenarios and of the lessons.
FAMILY_WEIGHTS: tuple[tuple[str, int], ...] = (("minifilter", 3), ("callout", 2))
REQUEST_KNOB = "trigger"   # the knob that says who asks for the unload, not how the driver is written
# One status per severity class, for any status knob, and the filter manager's conventional
# refusal for a minifilter's (a callout driver never sees a STATUS_FLT_ status).
_STATUSES = ("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL")
_FAMILY_STATUSES = {"minifilter": ("STATUS_FLT_DO_NOT_DETACH",)}
_COUNTS = (0, 1, 2, 3)     # a whole-number knob: the model rejects what it does not accept


def family(scenario: Scenario) -> str:
    """The scenario's family name; TypeError for anything else."""
    return family_of(scenario).name


def simulate(scenario: Scenario) -> Trace:
    """The core's trace for a scenario of any family (made afresh: see ``trace_of``)."""
    return family_of(scenario).simulate(scenario)


# --- what the exercises keep once per scenario ------------------------------------------------------------
# Every cache here and in the kinds relies on the scenario being frozen (hashable, never
# changed), on the families' simulate and C view being pure functions of it, and on the
# catalogue not changing while the process runs. A cached value is shared by every caller,
# so it is immutable. ``cache_clear`` forgets them all, the families' own caches included.
_KEPT: list[Any] = []


def kept(maxsize: int | None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """functools.lru_cache, remembered so that ``cache_clear`` forgets it too."""
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _KEPT.append(cached)
        return cached
    return wrap


@kept(4096)
def trace_of(sc: Scenario) -> Trace:
    """The model's trace, made once per scenario. Shared between callers, so it is read-only:
    its final state is a read-only mapping whose lists are tuples."""
    trace = simulate(sc)
    state = {k: tuple(v) if isinstance(v, list) else v for k, v in trace.state.items()}
    return trace._replace(state=types.MappingProxyType(state))


@kept(4096)
def listing_of(sc: Scenario) -> tuple[Line, ...]:
    """The scenario's C as exercises show it (``reading.listing``); Lines are frozen."""
    return tuple(listing(family_of(sc).c_view(sc)))


def cache_clear() -> None:
    """Forget every value the exercises keep, and the families' own caches (for benchmarks)."""
    for cached in _KEPT:
        cached.cache_clear()
    for f in families():
        f.cache_clear()


def has_bug(sc: Scenario) -> bool:
    """Whether the C view marks a mistake in this driver."""
    return any(line.bug for line in listing_of(sc))


def clean(sc: Scenario) -> bool:
    """A driver shown as correct: it unloads, nothing but documentation silence is marked,
    and its C carries no BUG line."""
    trace = trace_of(sc)
    return (trace.outcome is Outcome.UNLOADED and not has_bug(sc)
            and all(s.mark in (None, Mark.SILENT) for s in trace.steps))


def plausible(sc: Scenario) -> bool:
    """Its C, as an exercise shows it, reads as code someone would write: no branch that
    changes nothing (e.g. a refusal branch that returns STATUS_SUCCESS like the code after it)."""
    lines = list(listing_of(sc))
    return not any(dead_branches(lines, b) for b in blocks(lines) if b.is_code)


def with_items(least: int) -> Callable[[Scenario], bool]:
    """Clean, and its teardown has at least this many calls and acts, no two alike."""
    def ok(sc: Scenario) -> bool:
        if not clean(sc):
            return False
        texts = [i.text for i in teardown_items(trace_of(sc))]
        return len(texts) >= least and len(set(texts)) == len(texts)
    ok.__name__ = f"clean_with_{least}_items"
    return ok


def introduction(sc: Scenario) -> list[str]:
    """The driver as a problem introduces it: its family (and model), then its globals."""
    model = trace_of(sc).inputs.get("model")
    lines = list(listing_of(sc))
    return [f"A {family(sc)} driver" + (f" ({model})" if model else "") + ". Its globals:",
            *(f"    {lines[i].text.strip()}" for i in declarations(lines))]


# --- the values worth trying, and walks among them ----------------------------------------------------------


@kept(None)
def _domain(family_name: str, name: str) -> tuple[Any, ...]:
    t = field_types(FAMILIES[family_name])[name]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if t is bool:
        return (False, True)
    if t is int:
        return _COUNTS
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return tuple(t)
    if t is NtStatus:
        return tuple(parse_status(n) for n in _STATUSES + _FAMILY_STATUSES.get(family_name, ()))
    if origin in (frozenset, set) and args and isinstance(args[0], type) and issubclass(args[0], enum.Enum):
        return (frozenset(),) + tuple(frozenset({m}) for m in args[0])
    return ()


def domain(scenario: Scenario, name: str) -> tuple[Any, ...]:
    """The values worth trying for a knob, the current one included."""
    current = getattr(scenario, name)
    values = _domain(family(scenario), name)
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


def _defaults(family_name: str) -> Iterator[Scenario]:
    """The class's defaults; a knob without a default (the minifilter's trigger) takes each
    of its values in turn."""
    cls = FAMILIES[family_name]
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if not required:
        yield cls()
        return
    name = required[0]
    for value in _domain(family_name, name):
        try:
            yield cls(**{name: value})
        except (ScenarioError, TypeError):
            continue


def start(family_name: str, ok: Callable[[Scenario], bool]) -> Scenario:
    """The first scenario of a family that has the property: the defaults, else one knob
    away from them, else two. Deterministic; ValueError when none is that close."""
    bases = list(_defaults(family_name))
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
    family_name = pick(rng, FAMILY_WEIGHTS)
    return walk(rng, start(family_name, ok), ok)


KEEP_ONE_KNOB = 1 / 3   # the share of problems a single knob decides that a draw keeps: few, not none


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
