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
fix in a driver engineer's words (``words.MISTAKES``, one entry per knob value), every
other option a mistake whose evidence would look different.

**The capstone** "Why won't my driver stop?": broken drivers from the catalogue, shown only
by ``evidence``. Each case is a catalogue scenario, with knobs added where they make the cases
look alike from outside (every minifilter case has a communication port, so that "the port
was left open" cannot be found by elimination). The learner names the cause and its fix from
``DIAGNOSES``; the first wrong answer is nudged toward the idea, only the second is told the
rule.

Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..catalogue import RULES_BY_ID, example
from ..windows import Actor, Kind, Mark, Outcome, Trace
from .exercise import Choice, Exercise, Feedback, check, rule_line
from .reading import call_name, deciding_rule, driver_actor, new_marks, request_index, routine_name, telling_rule
from .space import (KEEP_ONE_KNOB, REQUEST_KNOB, Scenario, choose, clean, deciding_knob, domain, draw, family, has_bug,
                    introduction, kept, listing_of, replaced, rng_for, shuffled, trace_of, variants)
from .words import key_of, mistake, request_sentence

__all__ = [
    "evidence", "debugger_excerpt", "stacks", "event_log", "nudge", "ILLUSTRATION",
    "diagnosis", "faults", "cause_and_fix", "commanded_clean",
    "Diagnosis", "DIAGNOSES", "DIAGNOSES_BY_KEY", "Case", "CASES", "CASES_BY_NAME", "case", "case_scenario",
    "case_exercise", "format_diagnoses", "symptoms", "diagnose", "check_diagnosis", "TAKEAWAYS",
]

ILLUSTRATION = "(illustration, not real output)"
_OPTIONS = 4
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
    if trace.state.get("unloaded") is None:   # the trace marks the image's fate as undocumented
        out.append("Still loaded afterwards: not documented (the unload routine returned with callouts still "
                   "registered)")
    elif trace.state.get("bugcheck") and not trace.state.get("unloaded"):
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
    if trace.state.get("unloaded") is None:
        return "STOPPED as reported to the requester; whether the driver is still loaded is not documented"
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


@kept(2048)
def evidence(sc: Scenario) -> str:
    """What an engineer at a real machine has (see the module docstring)."""
    trace = trace_of(sc)
    lines = [*introduction(sc), "",
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
        s.mark is not None and s.mark is not Mark.SILENT for s in trace.steps)


def faults(base: Scenario, worded_only: bool = True) -> list[tuple[str, object, Scenario]]:
    """Every way one knob (not the request) breaks a clean driver: the driver's code differs
    a little (its C changes, but not into another kind of driver), something goes wrong, the
    evidence shows it, and ``words`` has the words for it. A value without words is left
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
    """The mistake in words and its fix ("Fix: ..."), from ``words``; None without words."""
    words = mistake(family(sc), name, value, sc)
    return None if words is None else (words[0], f"Fix: {words[1]}")


def _rule(base: Scenario, sc: Scenario) -> str:
    """The rule behind a fault: that of the first step its trace marks and the clean trace does
    not, else the deciding rule of its trace."""
    marked = new_marks(trace_of(sc), trace_of(base))
    return telling_rule(marked[0].rules) if marked else deciding_rule(trace_of(sc))


def diagnosis(seed: int) -> Exercise:
    """The diagnosis problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, "diagnosis")
    for _ in range(_TRIES):
        base = draw(rng, commanded_clean)
        found = faults(base)
        if not found:
            continue
        knob = choose(rng, list(dict.fromkeys(n for n, _, _ in found)))   # each knob alike, whatever its values
        right = choose(rng, [f for f in found if f[0] == knob])
        if deciding_knob(right[2]) is not None and rng.random() >= KEEP_ONE_KNOB:
            continue
        return _diagnosis_exercise(seed, rng, base, right, found)
    raise RuntimeError(f"seed {seed}: no diagnosis problem in {_TRIES} draws")  # pragma: no cover


def _diagnosis_exercise(seed: int, rng, base: Scenario, right, found) -> Exercise:
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
        kind="diagnosis", seed=seed, family=family(right[2]), title=f"What went wrong? A {family(right[2])} driver",
        prompt="One thing is wrong with this driver. Which cause, and which fix, fit the evidence?",
        shown=shown, choices=tuple(keyed), answer=(answer,), solution=solution, rules=(rid,),
        hint=nudge(trace_of(right[2])), staged=True,
        extra={"knob": right[0], "scenario": right[2], "base": base},
    )


# --- the capstone --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a driver, as the learner names it, and how to fix it."""

    key: str
    explanation: str          # the cause, in the driver engineer's words
    fix: str                  # what to change
    rules: tuple[str, ...]    # the rule ids behind it


@dataclass(frozen=True)
class Case:
    """A broken driver from the catalogue; the learner sees only the evidence."""

    name: str
    scenario: str             # the catalogue scenario it replays
    diagnosis: str            # the key of the right Diagnosis
    knobs: Mapping[str, Any] = field(default_factory=dict)   # added so that the cases look alike


DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("no-unload-callback", "The minifilter registers no FilterUnloadCallback, so nothing can unload it.",
              "Register a FilterUnloadCallback in FLT_REGISTRATION.",
              ("no-callback-no-unload", "null-driverunload", "fltmgr-owns-driverunload")),
    Diagnosis("opted-out-of-service-stop", "FLT_REGISTRATION.Flags has DO_NOT_SUPPORT_SERVICE_STOP: service "
              "stops fail, fltmc unload works.",
              "Drop FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, or unload the driver with fltmc unload.",
              ("do-not-support-service-stop", "null-driverunload")),
    Diagnosis("callback-refuses", "FilterUnloadCallback returns an error or warning, which refuses a "
              "non-mandatory unload.",
              "Refuse only when there is a reason and the unload is not mandatory; otherwise tear down and return "
              "STATUS_SUCCESS.", ("nonmandatory-refusal", "do-not-detach-is-error", "fltmc-output")),
    Diagnosis("server-port-left-open", "The unload routine calls FltUnregisterFilter with its server port "
              "still open, and waits forever.",
              "Close the server port with FltCloseCommunicationPort before calling FltUnregisterFilter.",
              ("port-before-unregister", "fltunregister-blocks")),
    Diagnosis("reference-never-released", "The minifilter took a reference (FltObjectReference, a context, "
              "file name information) and never gave it back, so FltUnregisterFilter waits for it forever.",
              "Pair every reference with its release on every path (FltObjectDereference, FltReleaseContext, "
              "FltReleaseFileNameInformation) before the unload calls FltUnregisterFilter.",
              ("object-reference-rundown", "fltunregister-blocks")),
    Diagnosis("pended-io-never-completed", "An instance holds a pended operation it never completes, so "
              "instance teardown never finishes.",
              "Complete or cancel pended operations in InstanceTeardownStart.", ("teardown-hang", "teardown-sequence")),
    Diagnosis("caller-lacks-privilege", "The caller does not hold SeLoadDriverPrivilege, so FilterUnload "
              "fails before the filter is asked.",
              "Run the request as an elevated administrator, who holds SeLoadDriverPrivilege.",
              ("filterunload-privilege", "fltmc-calls-filterunload")),
    Diagnosis("flow-contexts-left", "Flows still carry contexts: FwpsCalloutUnregisterById0 returns "
              "STATUS_DEVICE_BUSY and the callout stays registered.",
              "Check every unregister result; on STATUS_DEVICE_BUSY remove the flows' contexts with "
              "FwpsFlowRemoveContext0 and unregister again.",
              ("wfp-unregister-busy", "wfp-device-busy-is-warning", "wfp-busy-recovery")),
    Diagnosis("callouts-never-unregistered", "The unload function never calls FwpsCalloutUnregisterById0, so "
              "the image goes with its callouts registered.",
              "Call FwpsCalloutUnregisterById0 for every callout in the unload function, and check each result.",
              ("wfp-unload-must-unregister", "wfp-unregister-by-id")),
    Diagnosis("driver-entry-failed", "DriverEntry returned a warning or error: the driver never finished "
              "loading, so there is nothing to stop.",
              "Find why DriverEntry fails (it must undo its own registrations before it returns the error).",
              ("driver-entry-failed", "callout-no-unload-after-failed-entry", "service-not-active")),
)
DIAGNOSES_BY_KEY: dict[str, Diagnosis] = {d.key: d for d in DIAGNOSES}

_PORT = {"server_port": "closed-before-unregister"}   # every minifilter case talks to a user-mode service
CASES: tuple[Case, ...] = (
    Case("case-1", "fltmc-refused", "callback-refuses", _PORT),
    Case("case-2", "no-callback-sc-stop", "no-unload-callback", _PORT),
    Case("case-3", "port-left-open", "server-port-left-open"),
    Case("case-4", "driver-entry-error-sc-stop", "driver-entry-failed", _PORT),
    Case("case-5", "opt-out-sc-stop", "opted-out-of-service-stop", _PORT),
    Case("case-6", "wfp-ignore-busy-result", "flow-contexts-left"),
    Case("case-7", "leak-object-reference-hangs", "reference-never-released", _PORT),
)
CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}

# What to remember, for the capstone's last cell. A service stop gets 1052 whenever the
# kernel will not unload the driver by name: no DriverUnload, or a PnP driver, which
# ZwUnloadDriver refuses too (domain-facts #4; rule callout-ntunload-refuses-pnp).
TAKEAWAYS: tuple[str, ...] = (
    "1052 from `sc stop` means the kernel would not unload the driver by name: it has no DriverUnload (no "
    "FilterUnloadCallback, DO_NOT_SUPPORT_SERVICE_STOP, no Unload or EvtDriverUnload), or it is a PnP driver, "
    "which ZwUnloadDriver refuses too.",
    "A refusal needs a non-mandatory request; a request that never returns is a wait inside FltUnregisterFilter, "
    "or before it FltSendMessage with no timeout (lesson 07); 1062 means the SCM does not count the service as "
    "running: DriverEntry failed, the service was already stopped, or a first `sc stop` left the driver unload "
    "pending (lesson 04).",
    "A callout driver that \"stopped\" may have left callouts registered: check every FwpsCalloutUnregisterById0 "
    "result.",
)


def case(name: str) -> Case:
    """The case by name; KeyError lists the names."""
    try:
        return CASES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown case {name!r}; cases: {', '.join(CASES_BY_NAME)}") from None


def case_scenario(name: str) -> Scenario:
    """The case's scenario: its catalogue entry's knobs plus the case's own."""
    c = case(name)
    ex = example(c.scenario)
    return ex.make(**{**ex.knobs, **c.knobs})


def _diagnosis_of(key: object) -> Diagnosis:
    try:
        return DIAGNOSES_BY_KEY[key]   # type: ignore[index]
    except (KeyError, TypeError):
        raise ValueError(f"diagnosis {key!r} is not one of: {', '.join(DIAGNOSES_BY_KEY)}") from None


def format_diagnoses() -> str:
    """The diagnosis choices, one per line with its fix (no rule ids: they would narrow it down)."""
    width = max(len(d.key) for d in DIAGNOSES)
    return "\n".join(f"{d.key:{width}}  {d.explanation}\n{'':{width}}  fix: {d.fix}" for d in DIAGNOSES)


def symptoms(case_name: str) -> str:
    """What the case's engineer has: the evidence, generated from the model's traces."""
    return f"{case(case_name).name}: " + evidence(case_scenario(case_name))


def case_exercise(case_name: str) -> Exercise:
    """The case as an exercise: choose a diagnosis; staged (nudge first, then the rule)."""
    c = case(case_name)
    trace = trace_of(case_scenario(case_name))
    rid = deciding_rule(trace)
    right = DIAGNOSES_BY_KEY[c.diagnosis]
    solution = f"{right.explanation} Fix: {right.fix} ({rule_line(rid)}.)"
    hint = nudge(trace)
    choices = []
    for d in DIAGNOSES:
        if d.key == c.diagnosis:
            choices.append(Choice(d.key, f"{d.explanation} Fix: {d.fix}", solution, (rid,), hint))
            continue
        absent = [r for r in d.rules if r not in trace.rules]
        why = (f"it rests on {', '.join(absent)}, which {'does' if len(absent) == 1 else 'do'} not apply here."
               if absent else "it does not explain this evidence.")
        choices.append(Choice(d.key, f"{d.explanation} Fix: {d.fix}",
                              f"'{d.key}' does not fit {c.name}: {why} The rule that decides {c.name} is "
                              f"{rid}: {RULES_BY_ID[rid].statement}", (rid, *absent), hint))
    return Exercise(kind="capstone", seed=None, family=trace.family, title=f"Why won't my driver stop? {c.name}",
                    prompt="Which diagnosis (the cause and its fix) fits this evidence?",
                    shown=symptoms(case_name), choices=tuple(choices), answer=(c.diagnosis,), solution=solution,
                    rules=(rid,), hint=hint, staged=True)


def diagnose(case_name: str, diagnosis_key: object, attempt: int = 2) -> Feedback:
    """Check a diagnosis of a case. Wrong on the first attempt: a nudge that names no rule;
    wrong later: which of its rules the trace never cites, and the rule that decides the case."""
    _diagnosis_of(diagnosis_key)
    ex = case_exercise(case_name)
    verdict = check(ex, diagnosis_key, attempt)
    trace = trace_of(case_scenario(case_name))
    missed = None if verdict.correct or not verdict.rules else verdict.rules[0]
    return Feedback(verdict.correct, trace.outcome, verdict.message, missed)


def check_diagnosis(case_name: str, diagnosis_key: object, attempt: int = 1) -> str:
    """The code form's answer in words; with no diagnosis yet, how to give one. A first wrong
    answer is only nudged; run it again with attempt=2 to be told the rule."""
    if diagnosis_key is None:
        return (f"{case_name}: set my_answer to one of: " + ", ".join(repr(k) for k in DIAGNOSES_BY_KEY)
                + "; then run this cell again.")
    try:
        return diagnose(case_name, diagnosis_key, attempt).message
    except ValueError as e:
        return f"Not a diagnosis this lab knows: {e}"
