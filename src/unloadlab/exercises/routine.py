"""What the routine-level kinds (find the bug, put it in order, complete the routine) share:
cached traces and C listings, what counts as a clean driver, and the context a problem shows
(the driver's declarations, who asks for the unload, which routine runs).

Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import functools
from typing import Callable

from ..views.code import driver_c
from ..windows import Actor, Kind, Mark, Outcome, Trace
from .c_listing import Line, blocks, dead_branches, listing
from .knobs import Scenario, simulate
from .steps import call_name, driver_actor, request_index, teardown_items

__all__ = ["trace_of", "listing_of", "has_bug", "clean", "plausible", "with_items", "declarations", "request",
           "routine_name"]


@functools.lru_cache(maxsize=4096)
def trace_of(sc: Scenario) -> Trace:
    """The model's trace, made once per scenario (scenarios are frozen, so hashable)."""
    return simulate(sc)


@functools.lru_cache(maxsize=4096)
def listing_of(sc: Scenario) -> tuple[Line, ...]:
    """The scenario's C as exercises show it (see ``c_listing``)."""
    return tuple(listing(driver_c(sc)))


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


def declarations(sc: Scenario) -> list[str]:
    """The driver's global declarations from its C (no #include lines)."""
    lines = list(listing_of(sc))
    return [lines[i].text for b in blocks(lines) if not b.is_code for i in range(b.start, b.end)
            if lines[i].text.strip() and not lines[i].text.startswith("#include")]


def request(trace: Trace) -> str:
    """Who asks for the unload, and the call or command: 'sc.exe: sc stop SampleFilter'."""
    calls = [s.action for s in trace.steps if s.actor is Actor.CALLER and s.kind is Kind.CALL]
    who = trace.state.get("caller", "the caller")
    return f"{who}: {calls[0]}" if calls else str(who)


def routine_name(trace: Trace) -> str:
    """The driver's routine the unload runs: the first call into the driver after the request."""
    start = request_index(trace) or 0
    me = driver_actor(trace)
    return next((call_name(s.action) for s in trace.steps[start:] if s.kind is Kind.CALL and s.target is me),
                "unload routine")
