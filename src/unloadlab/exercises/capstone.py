"""The capstone "Why won't my driver stop?": broken drivers, shown only by the evidence an
engineer at a real machine would have (``diagnosis.evidence``): what sc, net or fltmc printed,
the service's state, what other commands did, and a debugger excerpt labelled as an
illustration. Nothing shown names a rule, a knob or the cause.

Each case is a catalogue scenario, with knobs added where they make the cases look alike
from outside (every minifilter case has a communication port, so that "the port was left
open" cannot be found by elimination). The learner names the cause and its fix from
``DIAGNOSES``; the first wrong answer is nudged toward the idea, only the second is told
the rule. Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..catalogue import RULES_BY_ID, example
from .diagnosis import evidence, nudge
from .exercise import Choice, Exercise, check, rule_line
from .knobs import Scenario
from .practice import deciding_rule
from .quiz import Feedback
from .routine import trace_of

__all__ = [
    "Diagnosis", "DIAGNOSES", "DIAGNOSES_BY_KEY", "Case", "CASES", "CASES_BY_NAME", "case", "case_scenario",
    "case_exercise", "format_diagnoses", "symptoms", "diagnose", "check_diagnosis", "TAKEAWAYS",
]


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
)
CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}

# What to remember, for the capstone's last cell. A service stop gets 1052 whenever the
# kernel will not unload the driver by name: no DriverUnload, or a PnP driver, which
# ZwUnloadDriver refuses too (domain-facts #4; rule callout-ntunload-refuses-pnp).
TAKEAWAYS: tuple[str, ...] = (
    "1052 from `sc stop` means the kernel would not unload the driver by name: it has no DriverUnload (no "
    "FilterUnloadCallback, DO_NOT_SUPPORT_SERVICE_STOP, no Unload or EvtDriverUnload), or it is a PnP driver, "
    "which ZwUnloadDriver refuses too.",
    "A refusal needs a non-mandatory request; a request that never returns is a wait inside FltUnregisterFilter; "
    "1062 means the driver never finished loading.",
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


def _diagnosis(key: object) -> Diagnosis:
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
    return Exercise(kind="capstone", seed=None, family=trace.model, title=f"Why won't my driver stop? {c.name}",
                    prompt="Which diagnosis (the cause and its fix) fits this evidence?",
                    shown=symptoms(case_name), choices=tuple(choices), answer=(c.diagnosis,), solution=solution,
                    rules=(rid,), hint=hint, staged=True)


def diagnose(case_name: str, diagnosis_key: object, attempt: int = 2) -> Feedback:
    """Check a diagnosis of a case. Wrong on the first attempt: a nudge that names no rule;
    wrong later: which of its rules the trace never cites, and the rule that decides the case."""
    _diagnosis(diagnosis_key)
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
