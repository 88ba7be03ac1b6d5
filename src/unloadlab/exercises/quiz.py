"""Predict, then check: compare a learner's prediction with what the model says.

Pure: takes a catalogue scenario name and a predicted outcome, returns feedback that names
the rule the learner missed when the prediction is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..catalogue import RULES_BY_ID, example
from ..windows import Outcome, Trace

__all__ = ["Feedback", "compare", "check", "check_prediction", "prediction_text", "OUTCOME_CHOICES", "parse_outcome"]

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
    correct: bool
    actual: Outcome
    message: str                 # what to tell the learner, in words
    missed_rule: str | None      # the deciding rule, when the prediction was wrong


def compare(trace: Trace, predicted: object, deciding_rule: str) -> Feedback:
    """A prediction against a trace; a wrong one is told the deciding rule."""
    guess = parse_outcome(predicted)
    if guess is trace.outcome:
        return Feedback(True, trace.outcome, f"Right: {trace.outcome.value}. {trace.headline}", None)
    return Feedback(False, trace.outcome,
                    f"Not quite: you said '{guess.value}', the model says '{trace.outcome.value}'. "
                    f"The rule you missed is {deciding_rule}: {RULES_BY_ID[deciding_rule].statement}",
                    deciding_rule)


def check(scenario_name: str, predicted: object) -> Feedback:
    """Run the named catalogue scenario and compare its outcome with the prediction."""
    ex = example(scenario_name)
    return compare(ex.run(), predicted, ex.rules[0])


def prediction_text(prediction: object, run: Callable[[object], Feedback],
                    variable: str = "my_prediction", choices: Iterable[str] | None = None) -> str:
    """A code-form check cell's answer in words; with no prediction yet, how to make one (from
    ``choices``, every outcome word by default)."""
    if prediction is None:
        return (f"Make your prediction first: set {variable} to one of: "
                + ", ".join(repr(c) for c in (OUTCOME_CHOICES if choices is None else choices))
                + "; then run this cell again.")
    try:
        return run(prediction).message
    except ValueError as e:
        return f"Not a prediction this lab knows: {e}"


def check_prediction(scenario_name: str, prediction: object) -> str:
    """check(), in words, for the notebooks' 'predict, then check' cells."""
    return prediction_text(prediction, lambda p: check(scenario_name, p))
