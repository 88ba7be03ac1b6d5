"""Diagnosis on realistic evidence: what an engineer at a real machine has, and no more.

``evidence(scenario)`` gives, from the model's traces: the command that was run, what it
printed and what came back; what the other commands an engineer would try do; whether the
driver is still loaded and, for a service stop, the service's state; the calls a debugger
would catch at the driver's edge (breakpoints on its routines and on the calls it makes,
labelled as an illustration); a ``!stacks`` illustration when the request never returns;
and an event-log line only where one is on record (the BugCheck entry after a crash).
Nothing in it names a rule, a knob or the cause.

``diagnosis(seed)`` is the practice level's problem: a clean driver with one thing wrong
(one knob away, drawn from the model), the evidence, and options naming a cause and its
fix in a driver engineer's words (``mistakes.MISTAKES``, one entry per knob value), every
other option a mistake whose evidence would look different.
Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import difflib
import functools
import re

from ..windows import Actor, Kind, Outcome, Trace
from .exercise import Choice, Exercise, choose, rng_for, rule_line, shuffled
from .knobs import REQUEST_KNOB, Scenario, deciding_knob, domain, draw, family, replaced, variants
from .mistakes import key_of, mistake
from .practice import deciding_rule, request_sentence
from .routine import clean, declarations, has_bug, listing_of, routine_name, trace_of
from .steps import call_name, driver_actor, new_marks, request_index, telling_rule

__all__ = ["KIND", "evidence", "debugger_excerpt", "stacks", "event_log", "nudge", "diagnosis", "faults",
           "cause_and_fix", "commanded_clean", "ILLUSTRATION"]

KIND = "diagnosis"
ILLUSTRATION = "(illustration, not real output)"
_OPTIONS = 4
_KEEP_ONE_KNOB = 1 / 3
_TRIES = 50
_SAME_DRIVER = 0.85  # a fault changes a few lines of the C, not the kind of driver it is


# --- the evidence -------------------------------------------------------------------------------------------
def _is_command(trace: Trace) -> bool:
    """A request an engineer types at a prompt (sc, net, fltmc), not one a program makes."""
    return str(trace.state.get("caller", "")).endswith(".exe")


def _result(trace: Trace) -> list[str]:
    """What came back to the requester, and whether the driver is still loaded."""
    out = []
    if trace.state.get("printed"):
        out.append("It printed: " + " | ".join(line for line in trace.state["printed"] if line))
    if trace.state.get("requester_got"):
        out.append(f"The requester got: {trace.state['requester_got']}")
    if trace.state.get("bugcheck") and not trace.state.get("unloaded"):
        out.append("Still loaded afterwards: the system stopped with a bug check before the driver was gone")
    else:
        out.append(f"Still loaded afterwards: {'no' if trace.state.get('unloaded') else 'yes'}")
    if trace.state.get("mandatory"):    # a service stop: the service control manager's view
        out.append(f"Service state afterwards (sc query): {_service_state(trace)}")
    return out


def _service_state(trace: Trace) -> str:
    got = str(trace.state.get("requester_got", ""))
    if trace.outcome is Outcome.HUNG:
        return "not settled by the lab's sources (the stop never returned)"
    if trace.outcome is Outcome.DRIVER_ENTRY_FAILED:
        return "STOPPED (it never started)"
    if re.search(r"service is (?:reported )?stopped", got):
        return "STOPPED (as reported to the requester)"
    if trace.state.get("bugcheck"):
        return "not settled by the lab's sources (the system stopped with a bug check)"
    return "RUNNING" if not trace.state.get("unloaded") else "STOPPED"


def _side(trace: Trace) -> set:
    """The lifelines that run the driver's code: the driver, and a minifilter's instances."""
    return {driver_actor(trace), Actor.INSTANCES}


def _crossings(trace: Trace) -> list:
    """The calls and returns at the driver's edge after the request."""
    start = request_index(trace)
    side = _side(trace)
    if start is None:
        return []
    return [s for s in trace.steps[start:] if s.kind in (Kind.CALL, Kind.RETURN) and (s.actor in side) != (
        s.target in side)]


def debugger_excerpt(trace: Trace) -> list[str]:
    """Breakpoints on the driver's routines and on the calls it makes, in order."""
    side = _side(trace)
    lines = [f"Debugger {ILLUSTRATION}: breakpoints on the driver's routines and on the calls it makes:"]
    seen = _crossings(trace)
    for s in seen:
        if s.kind is Kind.CALL:
            who = "the driver calls" if s.actor in side else "the driver's routine is called:"
            lines.append(f"  {who} {s.action}")
        else:
            back = f" -> {s.status}" if s.status else ""
            lines.append(f"  {s.action}{back}")
    if not seen:
        lines.append("  (no breakpoint in the driver was hit)")
    return lines


def stacks(trace: Trace) -> list[str]:
    """For a request that never returns: where a thread waits, as !stacks would point to it."""
    if trace.outcome is not Outcome.HUNG:
        return []
    side = _side(trace)
    waiting = None
    for s in _crossings(trace):
        if s.kind is Kind.CALL and s.actor in side:
            waiting = call_name(s.action)
        elif s.kind is Kind.RETURN and s.target in side and waiting and call_name(s.action) == waiting:
            waiting = None
    if waiting is None:
        return [f"!stacks {ILLUSTRATION}: a thread is blocked inside the driver's {routine_name(trace)}"]
    return [f"!stacks {ILLUSTRATION}: a thread is blocked:",
            f"  {waiting}      <- called by the driver, never returned",
            f"  {routine_name(trace)}      <- the driver's routine that called it"]


def event_log(trace: Trace) -> list[str]:
    """The System log's BugCheck entry (event 1001, source BugCheck) after a crash: its wording
    is what many public reports show, so it appears only when the model says a bug check
    followed; the parameters are left out."""
    code = trace.state.get("bugcheck")
    if not code:
        return []
    number = str(code).split()[0]
    try:
        number = f"0x{int(number, 16):08X}"
    except ValueError:
        pass
    return [f"System event log after the restart {ILLUSTRATION}: event 1001, source BugCheck: "
            f"\"The computer has rebooted from a bugcheck. The bugcheck was: {number} (...).\""]


def _other_commands(sc: Scenario) -> list[Scenario]:
    """The same driver asked to unload by the other commands an engineer would type, one of
    each kind of result."""
    out, results = [], {_result_key(trace_of(sc))}
    for value in domain(sc, REQUEST_KNOB):
        other = replaced(sc, REQUEST_KNOB, value)
        if other is None or other == sc or not _is_command(trace_of(other)):
            continue
        key = _result_key(trace_of(other))
        if key not in results:
            results.add(key)
            out.append(other)
    return out


def _result_key(trace: Trace) -> tuple:
    return (trace.outcome, trace.state.get("requester_got"), tuple(trace.state.get("printed", ())))


@functools.lru_cache(maxsize=2048)
def evidence(sc: Scenario) -> str:
    """What an engineer at a real machine has (see the module docstring)."""
    trace = trace_of(sc)
    lines = [f"A {family(sc)} driver" + (f" ({trace.inputs['model']})" if "model" in trace.inputs else "")
             + ". Its globals:", *(f"    {d.strip()}" for d in declarations(sc)), "",
             f"What was done: {request_sentence(sc)}.", *(f"  {r}" for r in _result(trace))]
    for other in _other_commands(sc):
        lines += [f"Also tried, after a restart: {request_sentence(other)}.",
                  *(f"  {r}" for r in _result(trace_of(other)))]
    lines += ["", *debugger_excerpt(trace), *stacks(trace), *event_log(trace)]
    return "\n".join(lines)


def nudge(trace: Trace) -> str:
    """A nudge toward the idea behind a case, from its evidence; it names no rule and no cause."""
    if trace.outcome is Outcome.DRIVER_ENTRY_FAILED:
        return "Look at what the stop request says about the service: was the driver running when it came?"
    if not _crossings(trace):
        return ("No breakpoint in the driver was hit: what must a driver give the system, when it loads, for a "
                "stop request to reach it at all?")
    if trace.outcome is Outcome.HUNG:
        return "Find the call that never returned. What does it wait for before it can return?"
    if trace.outcome is Outcome.REFUSED:
        return ("Compare the request that failed with the one that worked: what differs between them, and what "
                "did the driver's routine return?")
    if trace.state.get("unloaded"):
        return "The stop looked fine from outside. Read what the driver's own calls got back during the unload."
    return "Read the evidence from the end: what is the last thing the driver did, and what came back?"


# --- the practice level: one thing wrong with a clean driver -------------------------------------------------
def commanded_clean(sc: Scenario) -> bool:
    """A clean driver asked to unload by a command an engineer types (the diagnosis level's base)."""
    return clean(sc) and _is_command(trace_of(sc))


def _broken(sc: Scenario) -> bool:
    trace = trace_of(sc)
    return trace.outcome is not Outcome.UNLOADED or has_bug(sc) or any(
        s.mark is not None and s.mark.value != "documentation silent" for s in trace.steps)


def faults(base: Scenario, worded_only: bool = True) -> list[tuple[str, object, Scenario]]:
    """Every way one knob (not the request) breaks a clean driver: the driver's code differs
    a little (its C changes, but not into another kind of driver), something goes wrong, the
    evidence shows it, and ``mistakes`` has the words for it. A value without words is left
    out (never described by its knob's name); ``worded_only=False`` keeps it, for the test
    that lists them. One value per wording: DriverEntry failing with either error reads alike."""
    seen = evidence(base)
    code = _code(base)
    out, worded = [], set()
    for name, value, sc in variants(base):
        if name == REQUEST_KNOB or (name, key_of(value)) in worded:
            continue
        if worded_only and cause_and_fix(sc, name, value) is None:
            continue
        if not _broken(sc) or _code(sc) == code:
            continue
        if difflib.SequenceMatcher(None, code, _code(sc), autojunk=False).ratio() < _SAME_DRIVER:
            continue
        if evidence(sc) != seen:
            out.append((name, value, sc))
            worded.add((name, key_of(value)))
    return out


def _code(sc: Scenario) -> list[str]:
    return [line.text for line in listing_of(sc)]


def cause_and_fix(sc: Scenario, name: str, value: object) -> tuple[str, str] | None:
    """The mistake in words and its fix ("Fix: ..."), from ``mistakes``; None without words."""
    words = mistake(family(sc), name, value, sc)
    return None if words is None else (words[0], f"Fix: {words[1]}")


def _rule(base: Scenario, sc: Scenario) -> str:
    """The rule behind a fault: that of the first step its trace marks and the clean trace does
    not, else the deciding rule of its trace."""
    marked = new_marks(trace_of(sc), trace_of(base))
    return telling_rule(marked[0].rules) if marked else deciding_rule(trace_of(sc))


def diagnosis(seed: int) -> Exercise:
    """The diagnosis problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, KIND)
    for _ in range(_TRIES):
        base = draw(rng, commanded_clean)
        found = faults(base)
        if not found:
            continue
        knob = choose(rng, list(dict.fromkeys(n for n, _, _ in found)))   # each knob alike, whatever its values
        right = choose(rng, [f for f in found if f[0] == knob])
        if deciding_knob(right[2]) is not None and rng.random() >= _KEEP_ONE_KNOB:
            continue
        return _exercise(seed, rng, base, right, found)
    raise RuntimeError(f"seed {seed}: no diagnosis problem in {_TRIES} draws")  # pragma: no cover


def _exercise(seed: int, rng, base: Scenario, right, found) -> Exercise:
    shown = evidence(right[2])
    causes = {id(f): cause_and_fix(f[2], f[0], f[1]) for f in found}
    others, seen_causes, seen_knobs = [], {causes[id(right)][0]}, {right[0]}
    for f in shuffled(rng, found):
        if f[0] in seen_knobs or causes[id(f)][0] in seen_causes or evidence(f[2]) == shown:
            continue
        others.append(f)
        seen_causes.add(causes[id(f)][0])
        seen_knobs.add(f[0])
        if len(others) == _OPTIONS - 1:
            break
    rid = _rule(base, right[2])
    cause, fix = causes[id(right)]
    solution = f"{cause} {fix} R{rule_line(rid)[1:]}."
    choices = [Choice("", f"{cause} {fix}", solution, (rid,), nudge(trace_of(right[2])))]
    for f in others:
        t = trace_of(f[2])
        r = _rule(base, f[2])
        c, x = causes[id(f)]
        why = (f"'{c}' would look different: {request_sentence(f[2])} would end '{t.outcome.value}'"
               + (f" and the requester would get: {t.state['requester_got']}" if t.state.get("requester_got") else "")
               + f". That mistake is about {rule_line(r)}.")
        choices.append(Choice("", f"{c} {x}", why, (r,), nudge(trace_of(right[2]))))
    keyed = [Choice("abcdefgh"[n], c.text, c.why, c.rules, c.nudge) for n, c in enumerate(shuffled(rng, choices))]
    answer = next(c.key for c in keyed if c.why == solution)
    return Exercise(
        kind=KIND, seed=seed, family=family(right[2]), title=f"What went wrong? A {family(right[2])} driver",
        prompt="One thing is wrong with this driver. Which cause, and which fix, fit the evidence?",
        shown=shown, choices=tuple(keyed), answer=(answer,), solution=solution, rules=(rid,),
        hint=nudge(trace_of(right[2])), staged=True,
        extra={"knob": right[0], "scenario": right[2], "base": base},
    )
