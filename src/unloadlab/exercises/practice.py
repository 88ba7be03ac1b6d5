"""Practice: seeded problems that check a prediction (the "rules" level of practice).

A **seed** (a whole number from 0 to ``MAX_SEED``) picks a fresh scenario of either driver
family, the same one on every machine (``problem``); a scenario whose outcome a single knob
decides (``knobs.deciding_knob``: a failing DriverEntry, a shutdown) is mostly drawn again, so
few problems are answered by reading one line. ``describe`` puts it in words, inputs first;
``check`` compares a prediction with the model's outcome and, when it is wrong, names the
**deciding rule** (``deciding_rule``: read off the trace, never decided here).

Pure: no third-party imports, nothing printed. No unload rule lives here: the core
(``minifilter``, ``callout``) decides every outcome and validates every knob combination.
"""
from __future__ import annotations

import random
from typing import Any, Sequence, TypeVar, Union

from .. import callout, minifilter
from ..callout import CalloutScenario
from ..catalogue import RULES_BY_ID
from ..minifilter import MinifilterScenario
from ..views.text import format_trace, show_value
from ..windows import Kind as StepKind
from ..windows import Mark, Outcome, RuleKind, ScenarioError, Step, Trace
from .exercise import MAX_SEED, pick, validate_seed
from .knobs import deciding_knob
from .quiz import OUTCOME_CHOICES, Feedback, compare, parse_outcome, prediction_text
from .scenario_words import assumptions, request_sentence

__all__ = [
    "Scenario", "MAX_SEED", "validate_seed", "problem", "simulate", "assumptions", "request_sentence", "describe",
    "question", "answer", "deciding_rule", "check", "check_answer", "KEEP_ONE_KNOB", "RULES_OUTCOMES",
    "RULES_CHOICES",
]

Scenario = Union[MinifilterScenario, CalloutScenario]
T = TypeVar("T")
Weighted = Sequence[tuple[T, int]]   # (value, weight)


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
KEEP_ONE_KNOB = 1 / 3   # the share of one-knob problems kept (about 1 draw in 7 is one): few, not none
# What the rules level asks a learner to predict: the outcomes the knobs above can produce.
# An unload left pending (a handle to a control device) and a bug check (a forgotten timer,
# thread or notify routine) come from knobs this level does not draw, so they are not offered
# here; the routine and diagnosis levels seed them. problem() never gives another outcome.
RULES_OUTCOMES: tuple[Outcome, ...] = tuple(o for o in Outcome if o not in (Outcome.UNLOAD_PENDING,
                                                                          Outcome.BUGCHECK))
RULES_CHOICES: dict[str, Outcome] = {w: o for w, o in OUTCOME_CHOICES.items() if o in RULES_OUTCOMES}


def problem(seed: int) -> Scenario:
    """The practice scenario for this seed: the same one on every OS and Python 3.10+."""
    rng = random.Random(validate_seed(seed))
    for _ in range(_MAX_DRAWS):
        cls, knobs = pick(rng, _FAMILIES)
        drawn = {name: pick(rng, values) for name, values in knobs.items()}
        try:
            scenario = cls(**drawn)
        except ScenarioError:   # knobs that contradict each other (the core says which): draw again
            continue
        # One knob deciding the outcome makes a poor problem; the extra draw happens only
        # then, so every other seed keeps the problem it always had.
        if simulate(scenario).outcome not in RULES_OUTCOMES:   # not one the level offers: draw again
            continue
        if deciding_knob(scenario) is None or rng.random() < KEEP_ONE_KNOB:
            return scenario
    raise RuntimeError(f"seed {seed}: no valid scenario in {_MAX_DRAWS} draws")  # pragma: no cover


def simulate(scenario: Scenario) -> Trace:
    """The core's trace for a scenario of either family."""
    if isinstance(scenario, CalloutScenario):
        return callout.simulate(scenario)
    return minifilter.simulate(scenario)


# --- the problem in words (the sentences come from scenario_words) -----------------------------------------
_FAMILY = {MinifilterScenario: "minifilter", CalloutScenario: "callout"}


def describe(scenario: Scenario, seed: int | None = None) -> str:
    """The problem in words: the seed (when given) and every knob, then the assumptions."""
    if type(scenario) not in _FAMILY:
        raise TypeError(f"describe() needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")
    lines = [f"seed {validate_seed(seed)}"] if seed is not None else []
    lines.append(f"{_FAMILY[type(scenario)]} scenario")
    lines += [f"  {k}: {show_value(v)}" for k, v in scenario.knobs().items()]
    lines += ["", "Assumptions:"]
    lines += [f"  - {sentence}" for sentence in assumptions(scenario)]
    return "\n".join(lines)


# --- the answer ---------------------------------------------------------------------------------------------
_DECIDING_KINDS = (RuleKind.DOC, RuleKind.MECHANISM, RuleKind.FIELD)   # what Windows does, not samples or silence


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
    width = max(map(len, RULES_CHOICES))
    return "\n".join(["What happens? Answer with one of:"]
                     + [f"  {word:{width}}  {outcome.value}" for word, outcome in RULES_CHOICES.items()])


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
    return prediction_text(predicted, lambda p: check(seed, p), "my_answer", RULES_CHOICES)
