"""Practice: seeded problems that check a prediction, and the capstone's broken drivers.

A **seed** (a whole number, 0 or more) picks a fresh scenario of either driver family,
the same one on every machine (``problem``). ``describe`` puts it in words, inputs
first; ``check`` compares a prediction with the model's outcome and, when it is wrong,
names the **deciding rule** (``deciding_rule``: read off the trace, never decided here).

The capstone's **cases** are catalogue scenarios shown only by their **symptoms**
(``symptoms``: what the requester got and printed, and the calls and returns of the
trace, without rule ids); the learner picks a **diagnosis** from ``DIAGNOSES`` and
``diagnose`` checks it.

Pure: no third-party imports, nothing printed. No unload rule lives here: the core
(minifilter.py, callout.py) decides every outcome and validates every knob combination.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Sequence, TypeVar, Union

from . import callout, minifilter
from .callout import CalloutScenario
from .exercises import OUTCOME_CHOICES, Feedback, compare, parse_outcome, prediction_text
from .minifilter import MinifilterScenario
from .rules import RULES_BY_ID, Kind
from .scenarios import example
from .trace import Kind as StepKind
from .trace import Mark, ScenarioError, Step, Trace, _show, format_trace

__all__ = [
    "Scenario", "validate_seed", "problem", "simulate", "assumptions", "describe", "question", "answer",
    "deciding_rule", "check", "check_answer",
    "Diagnosis", "DIAGNOSES", "DIAGNOSES_BY_KEY", "Case", "CASES", "CASES_BY_NAME", "case", "format_diagnoses",
    "symptoms", "diagnose", "check_diagnosis",
]

Scenario = Union[MinifilterScenario, CalloutScenario]
T = TypeVar("T")
Weighted = Sequence[tuple[T, int]]   # (value, weight)


# --- seeds -------------------------------------------------------------------------------------------
def validate_seed(seed: object) -> int:
    """The seed as an int; ValueError says what a seed is otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed: {seed!r} is not a whole number; a seed is a whole number 0 or more, e.g. 7")
    if seed < 0:
        raise ValueError(f"seed: {seed} is negative; a seed is a whole number 0 or more, e.g. 7")
    return seed


def _pick(rng: random.Random, choices: Weighted[T]) -> T:
    """A weighted choice that costs exactly one rng.random() (stable across Python versions)."""
    x = rng.random() * sum(w for _, w in choices)
    for value, weight in choices:
        x -= weight
        if x < 0:
            return value
    return choices[-1][0]


# --- what a problem is drawn from: each knob's values, weighted towards interesting problems -------------
# A failing DriverEntry ends every story the same way, so it is rare; refusals, opt-outs,
# open ports and flow contexts are common. Knobs are drawn in this order, one draw each.
_DRIVER_ENTRY: Weighted[str] = (("STATUS_SUCCESS", 24), ("STATUS_OBJECT_NAME_EXISTS", 1),
                                ("STATUS_DEVICE_BUSY", 1), ("STATUS_INSUFFICIENT_RESOURCES", 1))
_MINIFILTER_KNOBS: dict[str, Weighted[Any]] = {
    "trigger": (("FilterUnload", 2), ("FltUnloadFilter", 2), ("fltmc-unload", 4), ("sc-stop", 4),
                ("net-stop", 1), ("ControlService", 2), ("shutdown", 1)),
    "unload_callback": ((True, 9), (False, 1)),
    "callback_returns": (("STATUS_SUCCESS", 5), ("STATUS_FLT_DO_NOT_DETACH", 4), ("STATUS_DEVICE_BUSY", 1),
                         ("STATUS_UNSUCCESSFUL", 1), ("STATUS_OBJECT_NAME_EXISTS", 1)),
    "refuse_only_if_not_mandatory": ((False, 3), (True, 1)),
    "flags": (((), 6), (("DO_NOT_SUPPORT_SERVICE_STOP",), 2), (("SUPPORT_NPFS_MSFS",), 1)),
    "driver_entry_returns": _DRIVER_ENTRY,
    "shutdown_preop": ((False, 2), (True, 1)),
    "instances": ((0, 1), (1, 3), (2, 2), (3, 1)),
    "teardown_callbacks": ((True, 4), (False, 1)),
    "pended_io": ((False, 11), (True, 1)),
    "server_port": (("none", 6), ("closed-before-unregister", 3), ("left-open", 1)),
    "calls_unregister": ((True, 19), (False, 1)),
    "caller_privileged": ((True, 11), (False, 1)),
}
_CALLOUT_KNOBS: dict[str, Weighted[Any]] = {
    "model": (("wdm", 2), ("wdf", 2), ("wdf-pnp", 1)),
    "trigger": (("sc-stop", 4), ("net-stop", 1), ("ControlService", 1), ("shutdown", 1), ("device-removal", 1)),
    "unload_function": ((True, 8), (False, 1)),
    "unregisters": ((True, 5), (False, 1)),
    "check_unregister_result": ((True, 3), (False, 1)),
    "flows_with_context": ((0, 2), (1, 1), (3, 2), (5, 1)),
    "remove_flow_contexts": (("none", 2), ("before-unregister", 2), ("on-device-busy", 2)),
    "flow_removal": (("synchronous", 3), ("pending", 1)),
    "callouts": ((1, 1), (2, 2), (3, 2)),
    "driver_entry_returns": _DRIVER_ENTRY,
}
_FAMILIES: Weighted[tuple[type, dict[str, Weighted[Any]]]] = (
    ((MinifilterScenario, _MINIFILTER_KNOBS), 3), ((CalloutScenario, _CALLOUT_KNOBS), 2))
_MAX_DRAWS = 100   # redraws after a combination the core rejects; a handful ever happen


def problem(seed: int) -> Scenario:
    """The practice scenario for this seed: the same one on every OS and Python 3.10+."""
    rng = random.Random(validate_seed(seed))
    for _ in range(_MAX_DRAWS):
        cls, knobs = _pick(rng, _FAMILIES)
        drawn = {name: _pick(rng, values) for name, values in knobs.items()}
        try:
            return cls(**drawn)
        except ScenarioError:   # knobs that contradict each other (the core says which): draw again
            continue
    raise RuntimeError(f"seed {seed}: no valid scenario in {_MAX_DRAWS} draws")  # pragma: no cover


def simulate(scenario: Scenario) -> Trace:
    """The core's trace for a scenario of either family."""
    if isinstance(scenario, CalloutScenario):
        return callout.simulate(scenario)
    return minifilter.simulate(scenario)


# --- the problem in words ---------------------------------------------------------------------------------
_FAMILY = {MinifilterScenario: "minifilter", CalloutScenario: "callout"}

_REQUESTS = {  # trigger value: how the request is made (the service name goes in {})
    "FilterUnload": 'a user-mode application calls FilterUnload(L"{}")',
    "FltUnloadFilter": 'another kernel-mode driver calls FltUnloadFilter for "{}"',
    "fltmc-unload": "an administrator types `fltmc unload {}`",
    "sc-stop": "an administrator types `sc stop {}`",
    "net-stop": "an administrator types `net stop {}`",
    "ControlService": "an application calls ControlService(SERVICE_CONTROL_STOP) on the {} service",
    "device-removal": "an administrator removes the last device of {}",
}


def _request(trigger: Any, service: str) -> str:
    if trigger.value == "shutdown":
        return "Nobody asks for an unload: the system shuts down."
    text = _REQUESTS[trigger.value].format(service)
    return f"The request: {text}."


def _minifilter_assumptions(sc: MinifilterScenario) -> list[str]:
    out = [_request(sc.trigger, minifilter.SERVICE_NAME)]
    if not sc.unload_callback:
        out.append("The minifilter registers no FilterUnloadCallback (FLT_REGISTRATION.FilterUnloadCallback "
                   "is NULL).")
    elif sc.refuse_only_if_not_mandatory and not sc.callback_returns.nt_success:
        out.append(f"Its FilterUnloadCallback returns {sc.callback_returns.describe()} when Flags lacks "
                   "FLTFL_FILTER_UNLOAD_MANDATORY, and STATUS_SUCCESS when Flags has it.")
    else:
        out.append(f"Its FilterUnloadCallback returns {sc.callback_returns.describe()}.")
    if sc.flags:
        out.append(f"FLT_REGISTRATION.Flags is {' | '.join(sorted(f.value for f in sc.flags))}.")
    if sc.driver_entry_returns.code:   # anything but STATUS_SUCCESS
        out.append(f"DriverEntry returns {sc.driver_entry_returns.describe()}.")
    if sc.shutdown_preop:
        out.append("It registers an IRP_MJ_SHUTDOWN pre-operation callback.")
    if sc.instances != 1:
        volumes = ", ".join(minifilter.VOLUMES[: sc.instances])
        out.append(f"It is attached to {sc.instances} volumes ({volumes})." if sc.instances
                   else "It is attached to no volume.")
    if not sc.teardown_callbacks:
        out.append("It registers no InstanceTeardownStart/InstanceTeardownComplete callbacks.")
    if sc.pended_io:
        out.append("One instance holds a pended I/O operation that the minifilter never completes.")
    if sc.server_port.value != "none":
        when = "closes it" if sc.server_port.value == "closed-before-unregister" else "does not close it"
        out.append(f"It has a communication server port; its unload routine {when} before calling "
                   "FltUnregisterFilter.")
    if not sc.calls_unregister:
        out.append("Its unload routine never calls FltUnregisterFilter.")
    if not sc.caller_privileged:
        out.append("The caller does not hold SeLoadDriverPrivilege.")
    return out


_CALLOUT_MODELS = {
    "wdm": "A WDM callout driver.",
    "wdf": "A KMDF callout driver that sets WdfDriverInitNonPnpDriver.",
    "wdf-pnp": "A KMDF callout driver that does not set WdfDriverInitNonPnpDriver.",
}


def _callout_assumptions(sc: CalloutScenario) -> list[str]:
    wdm = sc.model.value == "wdm"
    fn = "Unload routine (DriverObject->DriverUnload)" if wdm else "EvtDriverUnload (WDF_DRIVER_CONFIG)"
    out = [_CALLOUT_MODELS[sc.model.value], _request(sc.trigger, callout.SERVICE_NAME),
           f"DriverEntry names an {fn}." if sc.unload_function
           else f"DriverEntry names no {fn}.",
           f"DriverEntry registers {sc.callouts} callout{'s' if sc.callouts != 1 else ''}."]
    if sc.driver_entry_returns.code:   # anything but STATUS_SUCCESS
        out.append(f"DriverEntry returns {sc.driver_entry_returns.describe()}.")
    flows = sc.flows_with_context
    out.append(f"{flows} flow{'s carry' if flows != 1 else ' carries'} a context at unload time." if flows
               else "No flow carries a context at unload time.")
    if sc.unload_function:
        out += _unload_function_assumptions(sc)
    return out


def _unload_function_assumptions(sc: CalloutScenario) -> list[str]:
    out = []
    removal = sc.remove_flow_contexts.value
    if removal == "before-unregister":
        out.append("Before unregistering, the unload function removes every flow context with "
                   "FwpsFlowRemoveContext0.")
    if not sc.unregisters:
        out.append("The unload function never calls FwpsCalloutUnregisterById0.")
    elif not sc.check_unregister_result:
        out.append("The unload function calls FwpsCalloutUnregisterById0 for each callout but never looks at "
                   "what it returns.")
    else:
        out.append("The unload function calls FwpsCalloutUnregisterById0 for each callout and checks the result"
                   + (": on STATUS_DEVICE_BUSY it removes that callout's flow contexts and tries again."
                      if removal == "on-device-busy" else "."))
    if removal != "none" and sc.flow_removal.value == "pending":
        out.append("A classify is in progress on those flows, so FwpsFlowRemoveContext0 returns STATUS_PENDING.")
    return out


def assumptions(scenario: Scenario) -> list[str]:
    """One sentence per knob that shapes this scenario, built from its values."""
    if isinstance(scenario, CalloutScenario):
        return _callout_assumptions(scenario)
    return _minifilter_assumptions(scenario)


def describe(scenario: Scenario, seed: int | None = None) -> str:
    """The problem in words: the seed (when given) and every knob, then the assumptions."""
    if type(scenario) not in _FAMILY:
        raise TypeError(f"describe() needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")
    lines = [f"seed {validate_seed(seed)}"] if seed is not None else []
    lines.append(f"{_FAMILY[type(scenario)]} scenario")
    lines += [f"  {k}: {_show(v)}" for k, v in scenario.knobs().items()]
    lines += ["", "Assumptions:"]
    lines += [f"  - {sentence}" for sentence in assumptions(scenario)]
    return "\n".join(lines)


# --- the answer ---------------------------------------------------------------------------------------------
_DECIDING_KINDS = (Kind.DOC, Kind.MECHANISM, Kind.FIELD)   # what Windows does, not samples or silence


def _telling_rule(step: Step) -> str:
    return next((r for r in step.rules if RULES_BY_ID[r].kind in _DECIDING_KINDS), step.rules[0])


def deciding_rule(trace: Trace) -> str:
    """The rule a learner most likely missed, read off the trace: the first step with a mark
    (not 'documentation silent'), or the note right after it that explains the same mark;
    without one, the last action or note. Its first documented (or observed) rule."""
    steps = trace.steps
    for i, step in enumerate(steps):
        if step.mark is not None and step.mark is not Mark.SILENT:
            after = steps[i + 1] if i + 1 < len(steps) else None
            if after is not None and after.kind is StepKind.NOTE and after.mark is step.mark:
                step = after
            return _telling_rule(step)
    for step in reversed(steps):
        if step.kind in (StepKind.ACTION, StepKind.NOTE) and \
                any(RULES_BY_ID[r].kind in _DECIDING_KINDS for r in step.rules):
            return _telling_rule(step)
    return _telling_rule(steps[-1])


_ANSWER_WORD = {outcome: word for word, outcome in OUTCOME_CHOICES.items()}


def question() -> str:
    """What the learner is asked, with every accepted answer and what it means."""
    width = max(map(len, OUTCOME_CHOICES))
    return "\n".join(["What happens? Answer with one of:"]
                     + [f"  {word:{width}}  {outcome.value}" for word, outcome in OUTCOME_CHOICES.items()])


def answer(seed: int) -> str:
    """The seed's answer: the outcome, the deciding rule, then the whole trace."""
    trace = simulate(problem(seed))
    rid = deciding_rule(trace)
    word, meaning = _ANSWER_WORD[trace.outcome], trace.outcome.value
    said = word if word == meaning else f"{word} ({meaning})"
    return "\n".join([f"Answer: {said}. {trace.headline}",
                      f"Deciding rule: {rid}: {RULES_BY_ID[rid].statement}", "", "The trace:",
                      format_trace(trace)])


def check(seed: int, predicted: object) -> Feedback:
    """Compare a prediction (an outcome word such as 'refused') with the seed's problem."""
    parse_outcome(predicted)  # a bad prediction is reported before any simulation
    trace = simulate(problem(seed))
    return compare(trace, predicted, deciding_rule(trace))


def check_answer(seed: int, predicted: object) -> str:
    """The code form's answer in words; with no prediction yet, how to make one."""
    return prediction_text(predicted, lambda p: check(seed, p), "my_answer")


# --- the capstone: broken drivers, shown by their symptoms ------------------------------------------------
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
