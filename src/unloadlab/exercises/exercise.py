"""The exercise and its check, shared by every kind: the exercise itself (``Exercise``: what
is shown, the choices, the one right answer), checking an answer (``check`` gives a
``Verdict``), checking a predicted outcome (``compare`` gives a ``Feedback``), and rules in
words for the feedback.

Pure: no third-party imports, nothing printed. No unload rule is decided here: the kinds
(``find_bug``, ``teardown``, ``diagnosis``, ``predict``) build exercises from traces the
models made.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..catalogue import RULES_BY_ID
from ..windows import Outcome, Trace

__all__ = [
    "rule_line", "rules_named", "Choice", "Exercise", "Verdict", "check", "check_text", "broken",
    "OUTCOME_CHOICES", "parse_outcome", "Feedback", "compare", "prediction_text",
]

# --- rules in words ------------------------------------------------------------------------------------
def rule_line(rule_id: str) -> str:
    """'rule rule-id: statement' (no final period), for feedback."""
    return f"rule {rule_id}: {RULES_BY_ID[rule_id].statement.rstrip('.')}"


def rules_named(text: str) -> list[str]:
    """The catalogue rule ids a text names, in order (for tests and for the answer key)."""
    found = re.findall(r"(?<![\w-])([a-z0-9]+(?:-[a-z0-9]+)+)(?![\w-])", text)
    return list(dict.fromkeys(r for r in found if r in RULES_BY_ID))


# --- the exercise ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """One thing the learner may answer: a line, an option, or an item to put in order."""

    key: str                        # what the learner answers with: "7", "b", "C"
    text: str                       # what the learner reads
    why: str = ""                   # right: the solution; wrong: why not (revealed only after Check)
    rules: tuple[str, ...] = ()     # the rules behind why; every wrong choice names at least one
    nudge: str = ""                 # staged exercises: the first wrong answer's nudge, naming no rule


@dataclass(frozen=True)
class Exercise:
    """One problem with exactly one right answer: the key of the right Choice or, when
    ``ordered``, every Choice's key in the right order."""

    kind: str                       # "find-bug", "order", "complete", "diagnosis", "lesson", "capstone", ...
    seed: int | None
    title: str                      # says what kind of problem it is, never the answer
    prompt: str                     # the question
    shown: str                      # the material: a listing, calls, evidence (plain text)
    choices: tuple[Choice, ...]
    answer: tuple[str, ...]
    solution: str                   # what a right answer (or Show the answer) is told
    rules: tuple[str, ...]          # the rules behind the right answer
    hint: str                       # a nudge that reveals neither the answer nor a rule
    ordered: bool = False
    staged: bool = False            # the first wrong answer only nudges; the second names the rule and answer
    family: str = ""
    lines: bool = False             # the choices are numbered lines of ``shown`` (find the bug), not listed
    # an order: (earlier key, later key, rule) for what the rules require; any order keeping them is right
    before: tuple[tuple[str, str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.choices]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.kind}: two choices share a key")
        if self.ordered and sorted(self.answer) != sorted(keys):
            raise ValueError(f"{self.kind}: the answer is not an order of every choice")
        if self.ordered and broken(self, self.answer):
            raise ValueError(f"{self.kind}: the answer breaks what the rules require: {broken(self, self.answer)}")
        if not self.ordered and (len(self.answer) != 1 or self.answer[0] not in keys):
            raise ValueError(f"{self.kind}: the answer is not exactly one of the choices")

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.choices)

    def choice(self, key: str) -> Choice:
        for c in self.choices:
            if c.key == key:
                return c
        raise KeyError(key)

    def text(self) -> str:
        """The problem in words, with nothing that gives the answer away."""
        head = f"{self.title}" + (f" (seed {self.seed})" if self.seed is not None else "")
        parts = [head, "", self.shown, "", self.prompt]
        if self.ordered:
            parts.append("Answer with the keys in order, e.g. " + ",".join(sorted(self.choice_keys)) + ".")
        elif not self.lines:
            parts += [f"  {c.key}) {c.text}" for c in self.choices]
        return "\n".join(parts)

    def answer_text(self) -> str:
        """The answer: the right key(s), then the solution and, for an order, each item's place."""
        if self.ordered:
            lines = ["Answer: " + ",".join(self.answer), self.solution]
            lines += [f"  {n}. {self.choice(k).text}: {self.choice(k).why}" for n, k in enumerate(self.answer, 1)]
            return "\n".join(lines)
        right = self.choice(self.answer[0])
        label = f"line {right.key}" if self.lines else right.key
        return f"Answer: {label}: {right.text}\n{self.solution}"

    def to_dict(self, answers: bool = False) -> dict[str, Any]:
        """JSON-able: the problem; with answers, the right answer and every explanation too."""
        data: dict[str, Any] = {
            "kind": self.kind, "seed": self.seed, "family": self.family, "title": self.title,
            "prompt": self.prompt, "shown": self.shown, "ordered": self.ordered,
            "choices": [{"key": c.key, "text": c.text} for c in self.choices], "hint": self.hint,
        }
        if answers:
            if self.ordered:
                data.update(before=[list(pair) for pair in self.before])
            data.update(answer=list(self.answer), solution=self.solution, rules=list(self.rules),
                        explanations={c.key: {"why": c.why, "rules": list(c.rules)} for c in self.choices})
        return data


@dataclass(frozen=True)
class Verdict:
    """The result of checking an answer."""

    correct: bool
    message: str                     # what to tell the learner, in words
    rules: tuple[str, ...] = ()      # the rules the message names
    misplaced: tuple[str, ...] = ()  # an order: the keys of the calls in a pair the rules order, not kept


def _parse(ex: Exercise, answer: object) -> tuple[str, ...]:
    """The answer as keys; ValueError names what was wrong and what is accepted."""
    keys = ex.choice_keys
    if ex.ordered:
        items = answer.replace(" ", "").split(",") if isinstance(answer, str) else answer
        if not isinstance(items, (list, tuple)) or not all(isinstance(k, str) for k in items):
            raise ValueError(f"an order is the keys {', '.join(keys)} in some order, e.g. {','.join(keys)}")
        got = tuple(k.strip().upper() for k in items)
        if sorted(got) != sorted(keys):
            raise ValueError(f"an order must use each of {', '.join(keys)} exactly once; got {','.join(got)}")
        return got
    text = str(answer).strip() if isinstance(answer, (str, int)) and not isinstance(answer, bool) else None
    if text is None or text not in keys:
        shown = ", ".join(keys) if len(keys) <= 12 else f"{keys[0]} ... {keys[-1]} (the numbered lines)"
        raise ValueError(f"{answer!r} is not one of: {shown}")
    return (text,)


def check(ex: Exercise, answer: object, attempt: int = 1) -> Verdict:
    """Check an answer. A wrong one is told why, naming the rule; a staged exercise's first
    wrong answer (attempt 1) is only nudged: what to look at, naming no rule and not the answer."""
    got = _parse(ex, answer)
    if got == ex.answer or ex.ordered and not broken(ex, got):
        return Verdict(True, f"Right. {ex.solution}", ex.rules)
    if ex.ordered:
        return _check_order(ex, got, attempt)
    chosen = ex.choice(got[0])
    if ex.staged and attempt <= 1:
        return Verdict(False, f"Not this one. {chosen.nudge or ex.hint}")
    return Verdict(False, f"Not this one: {chosen.why}", chosen.rules)


def broken(ex: Exercise, order: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The pairs the rules order that this order does not keep, the call placed too early first."""
    place = {k: n for n, k in enumerate(order)}
    return sorted((p for p in ex.before if place[p[0]] > place[p[1]]), key=lambda p: (place[p[1]], place[p[0]]))


def _check_order(ex: Exercise, got: tuple[str, ...], attempt: int) -> Verdict:
    wrong = broken(ex, got)
    first, then, rule = wrong[0]
    n, m = got.index(then) + 1, got.index(first) + 1
    if ex.staged and attempt <= 1:   # where to look, not what goes where
        return Verdict(False, f"Not yet. Your number {n}, {ex.choice(then).text}, comes before something it has to "
                              f"wait for. {ex.hint}")
    left = len(wrong) - 1
    more = f" ({left} more pair{'s' if left != 1 else ''} the rules order not kept.)" if left else ""
    return Verdict(False, f"Not yet: {ex.choice(then).text} (your number {n}) must come after "
                          f"{ex.choice(first).text} (your number {m}): {rule_line(rule)}.{more}",
                   (rule,), tuple(dict.fromkeys(k for p in wrong for k in p[:2])))


def check_text(ex: Exercise, answer: object, attempt: int = 1) -> str:
    """The code form's check, in words: how to answer when there is no answer yet, a clear
    message for an answer that is not a choice, else the verdict's message."""
    if answer is None:
        how = ("set my_answer to the keys in order, e.g. " + repr(",".join(ex.choice_keys)) if ex.ordered
               else "set my_answer to a line number, e.g. " + repr(ex.choice_keys[0]) if ex.lines
               else "set my_answer to one of: " + ", ".join(repr(k) for k in ex.choice_keys))
        return f"Answer first: {how}; then run this cell again."
    try:
        return check(ex, answer, attempt).message
    except ValueError as e:
        return f"Not an answer this exercise accepts: {e}"


# --- a predicted outcome ---------------------------------------------------------------------------------
# What a learner may predict: a short word per Outcome ("failed" for "failed without calling
# the unload routine"); the long wording is accepted too.
OUTCOME_CHOICES: dict[str, Outcome] = {o.name.lower().replace("_", "-"): o for o in Outcome}
_ACCEPTED = {**OUTCOME_CHOICES, **{o.value: o for o in Outcome}}


def parse_outcome(value: object) -> Outcome:
    """An Outcome from its value text (e.g. 'refused'); ValueError lists the choices."""
    if isinstance(value, Outcome):
        return value
    if isinstance(value, str) and value.strip().lower() in _ACCEPTED:
        return _ACCEPTED[value.strip().lower()]
    raise ValueError(f"prediction {value!r} is not one of: {', '.join(OUTCOME_CHOICES)}")


@dataclass(frozen=True)
class Feedback:
    """The result of checking a predicted outcome."""

    correct: bool
    actual: Outcome
    message: str                 # what to tell the learner, in words
    missed_rule: str | None      # the deciding rule, when the prediction was wrong


def compare(trace: Trace, predicted: object, deciding_rule: str, nudge: str = "") -> Feedback:
    """A prediction against a trace; a wrong one is told the deciding rule or, given a nudge
    (a first try), only the nudge: what to look at, not the outcome."""
    guess = parse_outcome(predicted)
    if guess is trace.outcome:
        return Feedback(True, trace.outcome, f"Right: {trace.outcome.value}. {trace.headline}", None)
    if nudge:
        return Feedback(False, trace.outcome, f"Not quite. {nudge}", None)
    return Feedback(False, trace.outcome,
                    f"Not quite: you said '{guess.value}', the model says '{trace.outcome.value}'. "
                    f"The rule you missed is {deciding_rule}: {RULES_BY_ID[deciding_rule].statement}",
                    deciding_rule)


def prediction_text(prediction: object, run: Callable[[object], Feedback], variable: str,
                    choices: Iterable[str]) -> str:
    """A code-form check cell's answer in words; with no prediction yet, how to make one."""
    if prediction is None:
        return (f"Make your prediction first: set {variable} to one of: " + ", ".join(repr(c) for c in choices)
                + "; then run this cell again.")
    try:
        return run(prediction).message
    except ValueError as e:
        return f"Not a prediction this lab knows: {e}"
