"""Each lesson's quiz, generated from that lesson's catalogue entries.

A catalogue entry states what the documentation predicts about its scenario (``expected``:
the outcome plus final-state keys such as ``callback_called`` or ``requester_got``), and its
trace says how often each callback was called. The questions ask for those values (a count,
a flag, a status, not only an outcome label), the model's trace gives the answer, and the
scenario is shown only through its knobs in words: never its title, and never a question
whose answer is among the words shown. Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ..catalogue import CATALOGUE, for_lesson
from ..windows import Actor, Example, Kind, Trace
from .exercise import Choice, Exercise, choose, index, rng_for, rule_line, shuffled
from .practice import assumptions
from .quiz import OUTCOME_CHOICES
from .steps import call_name, driver_actor, request_index, telling_rule

__all__ = ["KIND", "lesson_quiz", "lessons", "QUESTIONS_PER_LESSON"]

KIND = "lesson"
QUESTIONS_PER_LESSON = 3
_KEYS = "abcdefg"
_NOT_CALLED = re.compile(r"^(\w+) (?:is )?(?:not|never) called\b")
_NEGATION = re.compile(r"\b(?:no|not|never|none|without)\b", re.I)
_WORD = {outcome: word for word, outcome in OUTCOME_CHOICES.items()}

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


def _show(value: Any, key: str = "") -> str:
    if value is None and key in _NONE:
        return _NONE[key]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return " / ".join(str(v) for v in value if str(v)) or "(none)"
    return "(none)" if value is None else str(value)


def _shown(ex: Example) -> str:
    return "\n".join([f"A {ex.model} driver:"] + [f"  - {s}" for s in assumptions(ex.scenario())])


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


@functools.lru_cache(maxsize=None)
def _family_values(model: str, key: str) -> tuple[str, ...]:
    """What a key is at the end of every catalogue scenario of the family (plausible answers)."""
    traces = [e.run() for e in CATALOGUE if e.model == model]
    return tuple(dict.fromkeys(_show(t.state[key], key) for t in traces if key in t.state))


def _state_questions(ex: Example, trace: Trace) -> list[_Question]:
    out = []
    for key in ex.expected:
        if key == "outcome" or key in _QUIET or key not in trace.state:
            continue
        value = trace.state[key]
        right = _show(value, key)
        if isinstance(value, bool):
            others, priority = ("no" if value else "yes",), 1
        else:
            pool = list(_family_values(ex.model, key))
            if isinstance(value, int):
                pool += [str(value + 1), str(max(value - 1, 0)), "0"]
            others, priority = tuple(v for v in dict.fromkeys(pool) if v != right), 2
        ask = _ASK.get(key, f"What is '{key.replace('_', ' ')}' at the end?")
        out.append(_Question(priority, ex, ask, right, others, ex.rules[0]))
    word = _WORD[trace.outcome]
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
    shown = _shown(ex)
    return [q for q in _count_questions(ex, trace) + _state_questions(ex, trace)
            if q.rule in ex.rules and q.others and not _gives_away(q, shown)]


def _exercise(q: _Question, n: int, lesson: str, rng: Any) -> Exercise:
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
        kind=KIND, seed=None, family=q.example.model, title=f"Lesson {lesson}, question {n}",
        prompt=q.ask, shown=_shown(q.example), choices=choices,
        answer=(_KEYS[texts.index(q.right)],), solution=solution, rules=(q.rule,),
        hint="Name the rule that decides this before you choose: which step of the unload does it govern?",
        extra={"scenario": q.example.name},
    )


def lesson_quiz(lesson: str, seed: int = 0) -> tuple[Exercise, ...]:
    """The quiz for a lesson id, e.g. lesson_quiz("06-shutdown"): up to three questions on
    different scenarios of that lesson, counts of calls first. The same seed gives the same
    quiz; KeyError lists the lessons."""
    examples = for_lesson(lesson)
    rng = rng_for(seed, f"{KIND} {lesson}")
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
    return tuple(_exercise(q, n, lesson, rng) for n, q in enumerate(chosen, 1))
