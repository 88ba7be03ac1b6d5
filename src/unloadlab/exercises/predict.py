"""Predict what Windows does: the practice's rules level and each lesson's quiz.

**Practice, rules level.** A seed (a whole number from 0 to ``MAX_SEED``) picks a fresh
scenario of either driver family, the same one on every machine (``problem``); a scenario
whose outcome a single knob decides (``space.deciding_knob``: a failing DriverEntry, a
shutdown) is mostly drawn again, so few problems are answered by reading one line.
``describe`` puts it in words, inputs first; ``check`` compares a prediction with the model's
outcome and, when it is wrong, names the deciding rule (``reading.deciding_rule``: read off
the trace, never decided here).

**Lesson quizzes**, generated from that lesson's catalogue entries. An entry states what the
documentation predicts about its scenario (``expected``: the outcome plus final-state keys
such as ``callback_called`` or ``requester_got``), and its trace says how often each callback
was called. The questions ask for those values (a count, a flag, a status, not only an
outcome label), the model's trace gives the answer, and the scenario is shown only through
its knobs in words: never its title, and never a question whose answer is among the words
shown.

Pure: no third-party imports, nothing printed. No unload rule lives here: the core
(``minifilter``, ``callout``) decides every outcome and validates every knob combination.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Sequence, TypeVar

from ..catalogue import CATALOGUE, RULES_BY_ID, for_lesson
from ..views.text import format_trace, show_value
from ..windows import Actor, Example, Kind, Outcome, ScenarioError, Trace
from .exercise import OUTCOME_CHOICES, Choice, Exercise, Feedback, compare, parse_outcome, prediction_text, rule_line
from .reading import call_name, deciding_rule, driver_actor, request_index, telling_rule
from .space import (FAMILIES, FAMILY_WEIGHTS, KEEP_ONE_KNOB, Scenario, choose, deciding_knob, family, index, kept,
                    pick, rng_for, shuffled, simulate, validate_seed)
from .words import assumptions

__all__ = [
    "problem", "describe", "question", "answer", "nudge", "check", "check_answer",
    "RULES_OUTCOMES", "RULES_CHOICES", "lesson_quiz", "lessons", "QUESTIONS_PER_LESSON",
]

T = TypeVar("T")
Weighted = Sequence[tuple[T, int]]   # (value, weight)


# --- practice, the rules level: each knob's values, weighted towards interesting problems --------------
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
_KNOBS: dict[str, dict[str, Weighted[Any]]] = {"minifilter": _MINIFILTER_KNOBS, "callout": _CALLOUT_KNOBS}
_MAX_DRAWS = 100   # redraws after a combination the core rejects; a handful ever happen
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
        name = pick(rng, FAMILY_WEIGHTS)
        drawn = {knob: pick(rng, values) for knob, values in _KNOBS[name].items()}
        try:
            scenario = FAMILIES[name](**drawn)
        except ScenarioError:   # knobs that contradict each other (the core says which): draw again
            continue
        # One knob deciding the outcome makes a poor problem; the extra draw happens only
        # then, so every other seed keeps the problem it always had.
        if simulate(scenario).outcome not in RULES_OUTCOMES:   # not one the level offers: draw again
            continue
        if deciding_knob(scenario) is None or rng.random() < KEEP_ONE_KNOB:
            return scenario
    raise RuntimeError(f"seed {seed}: no valid scenario in {_MAX_DRAWS} draws")  # pragma: no cover


def describe(scenario: Scenario, seed: int | None = None) -> str:
    """The problem in words: the seed (when given) and every knob, then the assumptions."""
    name = family(scenario)   # TypeError for anything else
    lines = [f"seed {validate_seed(seed)}"] if seed is not None else []
    lines.append(f"{name} scenario")
    lines += [f"  {k}: {show_value(v)}" for k, v in scenario.knobs().items()]
    lines += ["", "Assumptions:"]
    lines += [f"  - {sentence}" for sentence in assumptions(scenario)]
    return "\n".join(lines)


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


def nudge(trace: Trace) -> str:
    """Where to look first; it names no rule and no outcome."""
    asked = "a service stop" if trace.state.get("mandatory") else "not a service stop"
    return (f"First ask: is this request mandatory ({asked} here)? Then find the first thing in the list that "
            "could stop the unload.")


def check(seed: int, predicted: object, attempt: int = 1) -> Feedback:
    """Compare a prediction (an outcome word such as 'refused') with the seed's problem. A
    first wrong prediction (attempt 1) is only nudged; a later one is told the outcome and rule."""
    parse_outcome(predicted)  # a bad prediction is reported before any simulation
    trace = simulate(problem(seed))
    return compare(trace, predicted, deciding_rule(trace), nudge(trace) if attempt <= 1 else "")


def check_answer(seed: int, predicted: object, attempt: int = 1) -> str:
    """The code form's answer in words; with no prediction yet, how to make one. A first wrong
    prediction is only nudged; run it again with attempt=2 to be told the outcome and rule."""
    return prediction_text(predicted, lambda p: check(seed, p, attempt), "my_answer", RULES_CHOICES)


# --- lesson quizzes -------------------------------------------------------------------------------
_LESSON = "lesson"
QUESTIONS_PER_LESSON = 3
_KEYS = "abcdefg"
_NOT_CALLED = re.compile(r"^(\w+) (?:is )?(?:not|never) called\b")
_NEGATION = re.compile(r"\b(?:no|not|never|none|without)\b", re.I)

# How to ask for a final-state key; a key a model gains later is asked for by its name.
_ASK = {
    "callback_called": "Is FilterUnloadCallback called?",
    "callback_flags": "With which Flags is FilterUnloadCallback called?",
    "callback_returned": "What status does the filter manager get back from FilterUnloadCallback?",
    "unloaded": "Is the driver's image gone at the end?",
    "mandatory": "Is this a mandatory unload?",
    "requester_got": "What does the requester get back?",
    "printed": "What does the command print?",
    "instances_torn_down": "How many instances are torn down?",
    "shutdown_preop_called": "Is the IRP_MJ_SHUTDOWN pre-operation callback called?",
    "driver_unload_set": "Is DriverObject->DriverUnload set once DriverEntry returns?",
    "driver_unload_called": "Does the kernel call DriverUnload?",
    "unload_function_called": "Does the driver's own unload function run?",
    "callouts_registered": "How many callouts are still registered at the end?",
    "unregister_results": "What do the FwpsCalloutUnregisterById0 calls return, in order?",
    "flow_contexts_remaining": "How many flow contexts are left at the end?",
    "flow_delete_calls": "How many times is flowDeleteFn called?",
    "bugcheck": "Which bug check stops the system, if any?",
    "blocked_on": "What does the unload wait for, if anything?",
    "filters_remaining": "How many of the driver's filters are left in the engine at the end?",
    "traffic_after_unload": "What happens to matching traffic once the driver is gone?",
    "image_unloaded": "Does the driver's image leave memory?",
}
# What a key's None means, where "(none)" would not say it.
_NONE = {
    "bugcheck": "none: the system keeps running",
    "blocked_on": "nothing: the unload does not wait",
    "traffic_after_unload": "nothing changes: none of the driver's filters is left",
    "image_unloaded": "not documented",
}
_QUIET = ("caller",)   # state keys that restate a knob rather than test an idea


@dataclass(frozen=True)
class _Question:
    priority: int                 # higher first: counts of callbacks never called, statuses, counts, flags
    example: Example
    ask: str
    right: str
    others: tuple[str, ...]       # plausible wrong answers
    rule: str


def lessons() -> list[str]:
    """Every lesson id with catalogue entries, in order."""
    return sorted({e.lesson for e in CATALOGUE})


def _worded(value: Any, key: str = "") -> str:
    if value is None and key in _NONE:
        return _NONE[key]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " / ".join(str(v) for v in value if str(v)) or "(none)"
    return "(none)" if value is None else str(value)


def _lesson_shown(ex: Example) -> str:
    return "\n".join([f"A {ex.family} driver:"] + [f"  - {s}" for s in assumptions(ex.scenario())])


def _subject(ask: str) -> str:
    """What a question is about: the first API name in it (FilterUnloadCallback), else the question."""
    m = re.search(r"\b[A-Z][a-z]+[A-Z]\w*|\b[a-z]+[A-Z]\w*", ask)
    return m.group(0) if m else ask


def _gives_away(q: "_Question", shown: str) -> bool:
    """The shown text already says it: a wordy answer it contains, or (for a yes/no or a
    count of none) a sentence that names the subject together with a negation."""
    if len(q.right) > 3 and not q.right.isdigit() and q.right.lower() in shown.lower():
        return True
    if q.right in ("no", "yes", "0"):
        subject = _subject(q.ask)
        return any(subject in line and _NEGATION.search(line) for line in shown.splitlines())
    return False


@kept(None)   # relies on the catalogue (see space.kept)
def _family_values(family: str, key: str) -> tuple[str, ...]:
    """What a key is at the end of every catalogue scenario of the family (plausible answers)."""
    traces = [e.run() for e in CATALOGUE if e.family == family]
    return tuple(dict.fromkeys(_worded(t.state[key], key) for t in traces if key in t.state))


def _state_questions(ex: Example, trace: Trace) -> list[_Question]:
    out = []
    for key in ex.expected:
        if key == "outcome" or key in _QUIET or key not in trace.state:
            continue
        value = trace.state[key]
        right = _worded(value, key)
        if isinstance(value, bool):
            others, priority = ("no" if value else "yes",), 1
        else:
            pool = list(_family_values(ex.family, key))
            if isinstance(value, int):
                pool += [str(value + 1), str(max(value - 1, 0)), "0"]
            others, priority = tuple(v for v in dict.fromkeys(pool) if v != right), 2
        ask = _ASK.get(key, f"What is '{key.replace('_', ' ')}' at the end?")
        out.append(_Question(priority, ex, ask, right, others, ex.rules[0]))
    word = _ANSWER_WORD[trace.outcome]
    out.append(_Question(0, ex, "What happens?", word, tuple(w for w in OUTCOME_CHOICES if w != word), ex.rules[0]))
    return out


def _count_questions(ex: Example, trace: Trace) -> list[_Question]:
    """How often the driver's callbacks are called after the request: those the trace says
    are not called (count 0), and those called more than once."""
    start = request_index(trace)
    if start is None:
        return []
    me = driver_actor(trace)
    counts: dict[str, list[Any]] = {}
    for s in trace.steps[start:]:
        if s.kind is Kind.CALL and s.target in (me, Actor.INSTANCES):
            counts.setdefault(call_name(s.action), []).append(s)
    out = []
    for s in trace.steps[start:]:
        m = _NOT_CALLED.match(s.action) if s.kind is Kind.NOTE else None
        if m and m.group(1) not in counts:
            out.append((m.group(1), 0, s))
    out += [(name, len(steps), steps[0]) for name, steps in counts.items() if len(steps) > 1]
    return [_Question(3 if n == 0 else 2, ex, f"How many times is {name} called?", str(n),
                      tuple(str(v) for v in dict.fromkeys((0, 1, 2, 3, n + 1)) if v != n), telling_rule(step.rules))
            for name, n, step in out]


def _candidates(ex: Example) -> list[_Question]:
    trace = ex.run()
    shown = _lesson_shown(ex)
    return [q for q in _count_questions(ex, trace) + _state_questions(ex, trace)
            if q.rule in ex.rules and q.others and not _gives_away(q, shown)]


def _lesson_exercise(q: _Question, n: int, lesson: str, rng: Any) -> Exercise:
    others = list(q.others)
    wrong = []
    while others and len(wrong) < 3:
        wrong.append(others.pop(index(rng, len(others))))
    texts = shuffled(rng, [q.right] + wrong)
    solution = f"{q.right.rstrip('.')}. {rule_line(q.rule)}."
    more = [r for r in q.example.rules if r != q.rule]
    if more:
        solution += " See also: " + ", ".join(more) + "."
    choices = tuple(Choice(_KEYS[i], t, solution if t == q.right else
                           f"'{t}' is not what happens here: the model says '{q.right}'. {rule_line(q.rule)}.",
                           (q.rule,)) for i, t in enumerate(texts))
    return Exercise(
        kind=_LESSON, seed=None, family=q.example.family, title=f"Lesson {lesson}, question {n}",
        prompt=q.ask, shown=_lesson_shown(q.example), choices=choices,
        answer=(_KEYS[texts.index(q.right)],), solution=solution, rules=(q.rule,),
        hint="Name the rule that decides this before you choose: which step of the unload does it govern?",
        staged=True, extra={"scenario": q.example.name},
    )


def lesson_quiz(lesson: str, seed: int = 0) -> tuple[Exercise, ...]:
    """The quiz for a lesson id, e.g. lesson_quiz("06-shutdown"): up to three questions on
    different scenarios of that lesson, counts of calls first. The same seed gives the same
    quiz; KeyError lists the lessons."""
    examples = for_lesson(lesson)
    rng = rng_for(seed, f"{_LESSON} {lesson}")
    pool = sorted((q for ex in examples for q in _candidates(ex)), key=lambda q: -q.priority)
    chosen: list[_Question] = []
    for q in pool:
        if len(chosen) == QUESTIONS_PER_LESSON:
            break
        if all(q.example is not c.example and _subject(q.ask) != _subject(c.ask) for c in chosen):
            chosen.append(q)
    for q in pool:   # a lesson with fewer scenarios than questions asks twice about one
        if len(chosen) < QUESTIONS_PER_LESSON and q not in chosen and \
                all(_subject(q.ask) != _subject(c.ask) for c in chosen):
            chosen.append(q)
    if not chosen:
        chosen = [choose(rng, pool)] if pool else []
    return tuple(_lesson_exercise(q, n, lesson, rng) for n, q in enumerate(chosen, 1))
