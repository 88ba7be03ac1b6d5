"""The capstone: broken drivers from the catalogue, shown only by their symptoms.

``symptoms`` gives what the requester got and printed, and the calls and returns of the
trace, without rule ids; the learner picks a **diagnosis** from ``DIAGNOSES`` and
``diagnose`` checks it. Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import RULES_BY_ID, example
from ..windows import Kind as StepKind
from ..windows import Step
from .practice import deciding_rule
from .quiz import Feedback

__all__ = [
    "Diagnosis", "DIAGNOSES", "DIAGNOSES_BY_KEY", "Case", "CASES", "CASES_BY_NAME", "case", "format_diagnoses",
    "symptoms", "diagnose", "check_diagnosis",
]


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a driver, as the learner names it."""

    key: str
    explanation: str          # one line, in the driver engineer's words
    rules: tuple[str, ...]    # the rule ids behind it


@dataclass(frozen=True)
class Case:
    """A broken driver from the catalogue; the learner sees only its symptoms."""

    name: str
    scenario: str             # the catalogue scenario it replays
    diagnosis: str            # the key of the right Diagnosis


DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("no-unload-callback", "The minifilter registers no FilterUnloadCallback, so nothing can unload it.",
              ("no-callback-no-unload", "null-driverunload", "fltmgr-owns-driverunload")),
    Diagnosis("opted-out-of-service-stop", "FLT_REGISTRATION.Flags has DO_NOT_SUPPORT_SERVICE_STOP: service "
              "stops fail, fltmc unload works.", ("do-not-support-service-stop", "null-driverunload")),
    Diagnosis("callback-refuses", "FilterUnloadCallback returns an error or warning, which refuses a "
              "non-mandatory unload.", ("nonmandatory-refusal", "do-not-detach-is-error", "fltmc-output")),
    Diagnosis("server-port-left-open", "The unload routine calls FltUnregisterFilter with its server port "
              "still open, and waits forever.", ("port-before-unregister", "fltunregister-blocks")),
    Diagnosis("pended-io-never-completed", "An instance holds a pended operation it never completes, so "
              "instance teardown never finishes.", ("teardown-hang", "teardown-sequence")),
    Diagnosis("caller-lacks-privilege", "The caller does not hold SeLoadDriverPrivilege, so FilterUnload "
              "fails before the filter is asked.", ("filterunload-privilege", "fltmc-calls-filterunload")),
    Diagnosis("flow-contexts-left", "Flows still carry contexts: FwpsCalloutUnregisterById0 returns "
              "STATUS_DEVICE_BUSY and the callout stays registered.",
              ("wfp-unregister-busy", "wfp-device-busy-is-warning", "wfp-busy-recovery")),
    Diagnosis("callouts-never-unregistered", "The unload function never calls FwpsCalloutUnregisterById0, so "
              "the image goes with its callouts registered.", ("wfp-unload-must-unregister", "wfp-unregister-by-id")),
    Diagnosis("driver-entry-failed", "DriverEntry returned a warning or error: the driver never finished "
              "loading, so there is nothing to stop.",
              ("driver-entry-failed", "callout-no-unload-after-failed-entry", "service-not-active")),
)
DIAGNOSES_BY_KEY: dict[str, Diagnosis] = {d.key: d for d in DIAGNOSES}

CASES: tuple[Case, ...] = (
    Case("case-1", "fltmc-refused", "callback-refuses"),
    Case("case-2", "no-callback-sc-stop", "no-unload-callback"),
    Case("case-3", "port-left-open", "server-port-left-open"),
    Case("case-4", "driver-entry-error-sc-stop", "driver-entry-failed"),
    Case("case-5", "opt-out-sc-stop", "opted-out-of-service-stop"),
    Case("case-6", "wfp-ignore-busy-result", "flow-contexts-left"),
)
CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}


def case(name: str) -> Case:
    """The case by name; KeyError lists the names."""
    try:
        return CASES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown case {name!r}; cases: {', '.join(CASES_BY_NAME)}") from None


def _diagnosis(key: str) -> Diagnosis:
    try:
        return DIAGNOSES_BY_KEY[key]
    except (KeyError, TypeError):
        raise ValueError(f"diagnosis {key!r} is not one of: {', '.join(DIAGNOSES_BY_KEY)}") from None


def format_diagnoses() -> str:
    """The diagnosis choices, one per line, with the rules behind each."""
    width = max(len(d.key) for d in DIAGNOSES)
    return "\n".join(f"{d.key:{width}}  {d.explanation}\n{'':{width}}  rules: {', '.join(d.rules)}"
                     for d in DIAGNOSES)


def _observed(step: Step) -> str:
    """A step as a kernel debugger would show it: who called whom, and what came back."""
    who = step.actor.value + (f" -> {step.target.value}" if step.target else "")
    status = f" -> {step.status}" if step.status else ""
    return f"[{who}] {step.action}{status}"


def symptoms(case_name: str) -> str:
    """What the case's engineer saw, generated from its trace: the request and its result,
    then the calls, returns and actions (no notes, no marks, no rule ids)."""
    c = case(case_name)
    trace = example(c.scenario).run()
    lines = [f"{c.name}: a {trace.model} driver",
             f"Requested by: {trace['caller']} (trigger {trace['trigger']})"]
    if trace["printed"]:
        lines.append("It printed:")
        lines += [f"  {line}" for line in trace["printed"]]
    lines.append(f"The requester got: {trace['requester_got'] or '(nothing recorded)'}")
    lines.append("A kernel debugger showed (calls, returns and actions, in order):")
    seen = [s for s in trace.steps if s.kind is not StepKind.NOTE]
    lines += [f"  {n:2}. {_observed(s)}" for n, s in enumerate(seen, 1)]
    return "\n".join(lines)


def diagnose(case_name: str, diagnosis_key: str) -> Feedback:
    """Check a diagnosis of a case. When it is wrong, say which of its rules the trace never
    cites, and name the rule that decides the case (``deciding_rule``)."""
    c, chosen = case(case_name), _diagnosis(diagnosis_key)
    trace = example(c.scenario).run()
    if chosen.key == c.diagnosis:
        return Feedback(True, trace.outcome, f"Right: {chosen.explanation} (rules: {', '.join(chosen.rules)})",
                        None)
    rid = deciding_rule(trace)
    absent = [r for r in chosen.rules if r not in trace.rules]
    why = (f" it rests on {', '.join(absent)}, which {'does' if len(absent) == 1 else 'do'} not apply here."
           if absent else " it does not explain these symptoms.")
    return Feedback(False, trace.outcome,
                    f"Not this one: '{chosen.key}' does not fit {c.name}:{why} "
                    f"The rule that decides {c.name} is {rid}: {RULES_BY_ID[rid].statement}", rid)


def check_diagnosis(case_name: str, diagnosis_key: object) -> str:
    """The code form's answer in words; with no diagnosis yet, how to give one."""
    if diagnosis_key is None:
        return (f"{case_name}: set my_answer to one of: " + ", ".join(repr(k) for k in DIAGNOSES_BY_KEY)
                + "; then run this cell again.")
    try:
        return diagnose(case_name, diagnosis_key).message   # type: ignore[arg-type]
    except ValueError as e:
        return f"Not a diagnosis this lab knows: {e}"
