"""The exercises as widgets: predict-then-check quizzes, seeded practice and the capstone's
diagnoses. Everything shown is widget state (HTML values), never printed output."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from ..catalogue import example
from ..views.widgets import STYLE, WIDE, Shown, plain, pre
from . import practice, quiz
from .capstone import DIAGNOSES, case, diagnose
from .quiz import OUTCOME_CHOICES

__all__ = ["Quiz", "Practice", "Diagnosis"]


def _feedback_html(feedback: Any) -> str:
    """'Right: ...' or 'Not quite: ...' with the verdict in bold."""
    verdict, _, rest = feedback.message.partition(": ")
    return f"<p><b>{html.escape(verdict)}:</b> {html.escape(rest)}</p>"



class Quiz(Shown):
    """Predict, then check: a catalogue scenario's knobs, a prediction, a Check button."""

    def __init__(self, scenario_name: str, question: str = "What happens?"):
        self.name = scenario_name
        ex = example(scenario_name)
        knobs = "<br>".join(f"<code>{html.escape(k)} = {html.escape(repr(v))}</code>" for k, v in ex.knobs.items())
        # The title would give the answer away (it names the outcome); it is shown after Check.
        self.title = ex.title
        self.question = W.HTML(f"<p><b>A {ex.model} scenario:</b><br>{knobs}<br>{html.escape(question)}</p>")
        self.prediction = W.Dropdown(options=[("(choose)", None)] + [(k, k) for k in OUTCOME_CHOICES],
                                     description="Your prediction", style=STYLE, layout=WIDE)
        self.button = W.Button(description="Check", tooltip="Compare your prediction with the model")
        self.feedback = W.HTML()
        self.button.on_click(lambda _: self.check())
        self.widget = W.VBox([self.question, self.prediction, self.button, self.feedback])
        self.result = None

    def check(self) -> str:
        if self.prediction.value is None:
            self.feedback.value = "<p>Choose a prediction first.</p>"
            return self.feedback_text
        self.result = quiz.check(self.name, self.prediction.value)
        self.feedback.value = _feedback_html(self.result) + f"<p>(This was: {html.escape(self.title)}.)</p>"
        return self.feedback_text

    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)


class Practice(Shown):
    """Seeded practice: a seed, New problem, the problem in words, a prediction, Check, and
    Show the trace. Everything shown is widget state (HTML values), never printed output."""

    MAX_SEED = 2**31 - 1   # what a browser's number box holds exactly

    def __init__(self, seed: int = 0):
        practice.validate_seed(seed)
        self.seed = W.BoundedIntText(value=seed, min=0, max=self.MAX_SEED, description="Seed",
                                     style=STYLE, layout=W.Layout(width="330px"))
        self.new_button = W.Button(description="New problem", tooltip="The next seed's problem")
        self.problem = W.HTML()
        self.prediction = W.Dropdown(options=[("(choose)", None)] + [(k, k) for k in OUTCOME_CHOICES],
                                     description="Your prediction", style=STYLE, layout=WIDE)
        self.check_button = W.Button(description="Check", tooltip="Compare your prediction with the model")
        self.feedback = W.HTML()
        self.reveal_button = W.Button(description="Show the trace", tooltip="The answer, step by step")
        self.answer = W.HTML()
        self.result = None
        self.seed.observe(lambda _: self.show(), names="value")
        self.new_button.on_click(lambda _: self.next_problem())
        self.check_button.on_click(lambda _: self.check())
        self.reveal_button.on_click(lambda _: self.reveal())
        self.widget = W.VBox([W.HBox([self.seed, self.new_button]), self.problem, self.prediction,
                              W.HBox([self.check_button, self.reveal_button]), self.feedback, self.answer])
        self.show()

    def show(self) -> str:
        """Show the current seed's problem and clear the previous answer."""
        self.problem.value = pre(practice.describe(practice.problem(self.seed.value), self.seed.value))
        self.prediction.value = None
        self.feedback.value = self.answer.value = ""
        self.result = None
        return self.problem_text

    def next_problem(self) -> str:
        """The next seed (wrapping to 0 after MAX_SEED)."""
        self.seed.value = 0 if self.seed.value >= self.MAX_SEED else self.seed.value + 1
        return self.problem_text

    def check(self) -> str:
        if self.prediction.value is None:
            self.feedback.value = "<p>Choose a prediction first.</p>"
            return self.feedback_text
        self.result = practice.check(self.seed.value, self.prediction.value)
        self.feedback.value = _feedback_html(self.result)
        return self.feedback_text

    def reveal(self) -> str:
        self.answer.value = pre(practice.answer(self.seed.value))
        return self.answer_text

    @property
    def problem_text(self) -> str:
        return plain(self.problem.value)

    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)

    @property
    def answer_text(self) -> str:
        return plain(self.answer.value)


class Diagnosis(Shown):
    """A capstone case: a diagnosis Dropdown, a Check button and the feedback (widget state only).
    The symptoms are printed by the notebook's own cell, so they read without widgets too."""

    def __init__(self, case_name: str):
        self.case = case(case_name)
        self.choice = W.Dropdown(options=[("(choose)", None)] + [(d.key, d.key) for d in DIAGNOSES],
                                 description=f"Diagnosis for {self.case.name}", style=STYLE, layout=WIDE)
        self.button = W.Button(description=f"Check {self.case.name}", tooltip="Check your diagnosis")
        self.feedback = W.HTML()
        self.result = None
        self.button.on_click(lambda _: self.check())
        self.widget = W.VBox([self.choice, self.button, self.feedback])

    def check(self) -> str:
        if self.choice.value is None:
            self.feedback.value = "<p>Choose a diagnosis first.</p>"
            return self.feedback_text
        self.result = diagnose(self.case.name, self.choice.value)
        self.feedback.value = _feedback_html(self.result)
        return self.feedback_text

    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)


