"""The exercises as widgets: each lesson's quiz, find the bug, put it in order, complete the
routine, practice at three levels with a running count, and the capstone's diagnoses.

Everything shown is widget state (HTML values), never printed output, and no answer is in it
before Check or Show the answer. Every control has a description (and every button a
tooltip), works from the keyboard, and carries a stable CSS class (``CSS``). A bad seed is
shown next to the seed box as an error; it is never clamped and never swallowed.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as W

from ..catalogue import example
from ..views.widgets import STYLE, WIDE, Shown, plain, pre
from . import practice, quiz
from .capstone import DIAGNOSES, case, case_exercise
from .exercise import MAX_SEED, Exercise, Verdict, validate_seed
from .exercise import check as check_answer
from .exercise_widget import (CSS, LABELS, ExerciseView, answer_layout, button, error_html, note_html, verdict_box,
                              verdict_html)
from .kinds import LEVELS, make, routine
from .lesson import lesson_quiz
from .quiz import OUTCOME_CHOICES

__all__ = ["Quiz", "LessonQuiz", "FindBug", "Order", "Complete", "DiagnosisPractice", "Practice", "Diagnosis",
           "scorecard", "ExerciseView", "CSS"]

CSS.update({
    "seed": "unloadlab-seed", "new": "unloadlab-new-problem", "level": "unloadlab-level",
    "score": "unloadlab-score", "prediction": "unloadlab-prediction", "trace": "unloadlab-show-trace",
    "lesson_quiz": "unloadlab-lesson-quiz", "practice": "unloadlab-practice",
})


def _feedback_html(feedback: Any) -> str:
    """A prediction's Feedback ('Right: ...' / 'Not quite: ...'), the verdict in words and bold."""
    verdict, _, rest = feedback.message.partition(": ")
    return verdict_box(feedback.correct, f"{verdict}:", rest)


def parse_seed(text: object) -> int:
    """A seed from what the seed box holds; ValueError says what a seed is."""
    raw = str(text).strip()
    if not raw.lstrip("-").isdigit():
        raise ValueError(f"seed: {raw!r} is not a whole number; a seed is a whole number from 0 to {MAX_SEED}, e.g. 7")
    return validate_seed(int(raw))


class _SeedBox:
    """A seed box (text, so nothing is clamped), its error line, and New problem."""

    def __init__(self, seed: int, on_seed: Callable[[int], None]):
        validate_seed(seed)
        self.value = seed
        self.on_seed = on_seed
        self.box = W.Text(value=str(seed), description="Seed", continuous_update=False, style=LABELS,
                          placeholder=f"0 to {MAX_SEED}", layout=W.Layout(width="330px"))
        self.box.add_class(CSS["seed"])
        self.error = W.HTML()
        self.error.add_class(CSS["error"])
        self.new = button("New problem", "The next seed's problem", CSS["new"], self.next)
        self.box.observe(lambda change: self.typed(change["new"]), names="value")
        self.widget = W.VBox([W.HBox([self.box, self.new]), self.error])

    def typed(self, text: str) -> None:
        try:
            seed = parse_seed(text)
        except ValueError as e:
            self.error.value = error_html(f"{e}. The problem below is still seed {self.value}'s.")
            return
        self.error.value = ""
        self.value = seed
        self.on_seed(seed)

    def set(self, seed: int) -> None:
        self.box.value = str(seed)

    def next(self) -> None:
        """The next seed (wrapping to 0 after MAX_SEED)."""
        self.set(0 if self.value >= MAX_SEED else self.value + 1)


# --- predict, then check (the lessons' old quiz; kept for notebooks that still use it) ---------------
class Quiz(Shown):
    """Predict, then check: a catalogue scenario's knobs, a prediction, a Check button."""

    NOUN = "quiz"

    def __init__(self, scenario_name: str, question: str = "What happens?"):
        self.name = scenario_name
        ex = example(scenario_name)
        knobs = "<br>".join(f"<code>{html.escape(k)} = {html.escape(repr(v))}</code>" for k, v in ex.knobs.items())
        self.title = ex.title   # it names the outcome, so it is shown only after Check
        self.question = W.HTML(f"<p><b>A {ex.model} scenario:</b><br>{knobs}<br>{html.escape(question)}</p>")
        self.prediction = W.Dropdown(options=[("(choose)", None)] + [(k, k) for k in OUTCOME_CHOICES],
                                     description="Your prediction", style=STYLE, layout=WIDE)
        self.prediction.add_class(CSS["prediction"])
        self.button = button("Check", "Compare your prediction with the model", CSS["check"], self.check)
        self.feedback = W.HTML()
        self.feedback.add_class(CSS["feedback"])
        self.widget = W.VBox([self.question, self.prediction, self.button, self.feedback])
        self.widget.add_class(CSS["exercise"])
        self.result = None

    def check(self) -> str:
        if self.prediction.value is None:
            self.feedback.value = error_html("choose a prediction first.")
            return self.feedback_text
        self.result = quiz.check(self.name, self.prediction.value)
        self.feedback.value = _feedback_html(self.result) + f"<p>(This was: {html.escape(self.title)}.)</p>"
        return self.feedback_text

    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)


class LessonQuiz(Shown):
    """A lesson's quiz (``lesson.lesson_quiz``): its questions, one exercise each."""

    NOUN = "quiz"

    def __init__(self, lesson: str, seed: int = 0):
        self.lesson = lesson
        self.questions = [ExerciseView(ex) for ex in lesson_quiz(lesson, seed)]
        self.widget = W.VBox([q.widget for q in self.questions])
        self.widget.add_class(CSS["lesson_quiz"])

    def sentence(self) -> str:
        """How many questions and their controls, said once (not once per question)."""
        n = len(self.questions)
        if not n:
            return "Run this cell to open the quiz: it has no questions."
        kinds = list(dict.fromkeys(tuple(q.control_names()) for q in self.questions))
        names = list(dict.fromkeys(name for kind in kinds for name in kind))
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        count = f"{n} question{'s' if n != 1 else ''}"
        each = "each with" if n > 1 and len(kinds) == 1 else "with"
        return f"Run this cell to open the quiz: {count}, {each} {listed}."


# --- seeded exercises of one kind ----------------------------------------------------------------------
class _Seeded(Shown):
    """A seed box, New problem, and the seed's problem of one kind."""

    KIND = ""
    NOUN = "exercise"

    def __init__(self, seed: int = 0):
        self.seed = _SeedBox(seed, self.show)
        self.body = W.VBox()
        self.widget = W.VBox([self.seed.widget, self.body])
        self.widget.add_class(f"unloadlab-{self.KIND}-practice")
        self.show(seed)

    def make(self, seed: int) -> Exercise:
        return make(self.KIND, seed)

    def show(self, seed: int) -> None:
        self.view = ExerciseView(self.make(seed))
        self.body.children = (self.view.widget,)

    def __getattr__(self, name: str) -> Any:
        # check(), hint(), reveal(), move(), feedback_text ... are the current exercise's
        if name in ("view", "seed", "body", "widget"):
            raise AttributeError(name)
        return getattr(self.view, name)


class FindBug(_Seeded):
    """Find the bug: pick the faulty line of a routine from the C view."""
    KIND = "find-bug"


class Order(_Seeded):
    """Put it in order: move the teardown calls up and down until they are in order."""
    KIND = "order"


class Complete(_Seeded):
    """Complete the routine: choose the missing call."""
    KIND = "complete"


class DiagnosisPractice(_Seeded):
    """Name the cause and the fix from realistic evidence."""
    KIND = "diagnosis"


# --- practice: three levels and a running count ----------------------------------------------------------
class Practice(Shown):
    """Seeded practice at three levels (rules, routine, diagnosis), with a hint before anything
    is revealed and a running count of what the learner got right this session."""

    NOUN = "practice"
    MAX_SEED = MAX_SEED

    def __init__(self, seed: int = 0, level: str = "rules"):
        if level not in LEVELS:
            raise ValueError(f"level {level!r} is not one of: {', '.join(LEVELS)}")
        self.right: set[tuple[str, int]] = set()
        self.tried: set[tuple[str, int]] = set()
        self.level = W.Dropdown(options=[("rules: predict what Windows does", "rules"),
                                         ("routine: find the bug, put it in order, complete it", "routine"),
                                         ("diagnosis: name the cause from the evidence", "diagnosis")],
                                value=level, description="Level", style=LABELS, layout=answer_layout())
        self.level.add_class(CSS["level"])
        self.score = W.HTML()
        self.score.add_class(CSS["score"])
        self.body = W.VBox()
        self.seed = _SeedBox(seed, lambda _: self.show())
        self.level.observe(lambda _: self.show(), names="value")
        self.widget = W.VBox([self.level, self.seed.widget, self.score, self.body])
        self.widget.add_class(CSS["practice"])
        self.view: ExerciseView | None = None
        self.show()

    # the rules level: predict the outcome of practice.problem(seed)
    def _rules_body(self) -> list[W.Widget]:
        self.problem = W.HTML(pre(practice.describe(practice.problem(self.seed.value), self.seed.value)))
        self.prediction = W.Dropdown(options=[("(choose)", None)] + [(k, k) for k in practice.RULES_CHOICES],
                                     description="Your prediction", style=LABELS, layout=answer_layout())
        self.prediction.add_class(CSS["prediction"])
        self.check_button = button("Check", "Compare your prediction with the model", CSS["check"], self.check)
        self.hint_button = button("Hint", "A nudge that gives nothing away", CSS["hint"], self.hint)
        self.reveal_button = button("Show the trace", "The answer, step by step", CSS["trace"], self.reveal)
        self.feedback, self.hint_box, self.answer = W.HTML(), W.HTML(), W.HTML()
        self.feedback.add_class(CSS["feedback"])
        self.hint_box.add_class(CSS["hint_text"])
        self.answer.add_class(CSS["answer"])
        return [self.problem, self.prediction, W.HBox([self.check_button, self.hint_button, self.reveal_button]),
                self.feedback, self.hint_box, self.answer]

    def show(self) -> str:
        """Show the current level's problem for the current seed, clearing the last answer."""
        seed, level = self.seed.value, self.level.value
        self.result = None
        if level == "rules":
            self.view = None
            self.body.children = tuple(self._rules_body())
        else:
            ex = routine(seed) if level == "routine" else make("diagnosis", seed)
            self.view = ExerciseView(ex, on_checked=self._counted)
            self.body.children = (self.view.widget,)
        self._score()
        return self.problem_text

    def next_problem(self) -> str:
        self.seed.next()
        return self.problem_text

    def _counted(self, ex: Exercise, verdict: Verdict) -> None:
        key = (self.level.value, self.seed.value)
        self.tried.add(key)
        if verdict.correct:
            self.right.add(key)
        self.result = verdict
        self._score()

    def _score(self) -> None:
        n, m = len(self.right), len(self.tried)
        self.score.value = (f"<p><b>This session:</b> {n} of {m} problem{'s' if m != 1 else ''} answered right "
                            "(a problem counts once, when it is first got right).</p>")

    def check(self) -> str:
        if self.view is not None:
            return self.view.check()
        if self.prediction.value is None:
            self.feedback.value = error_html("choose a prediction first.")
            return self.feedback_text
        fb = practice.check(self.seed.value, self.prediction.value)
        self._counted(None, Verdict(fb.correct, fb.message))   # type: ignore[arg-type]
        self.result = fb
        self.feedback.value = _feedback_html(fb)
        return self.feedback_text

    def hint(self) -> str:
        if self.view is not None:
            return self.view.hint()
        trace = practice.simulate(practice.problem(self.seed.value))
        asked = "a service stop" if trace.state.get("mandatory") else "not a service stop"
        self.hint_box.value = note_html("Hint:", f"First ask: is this request mandatory ({asked} here)? Then "
                                        "find the first thing in the list that could stop the unload.")
        return plain(self.hint_box.value)

    def reveal(self) -> str:
        if self.view is not None:
            return self.view.reveal()
        self.answer.value = pre(practice.answer(self.seed.value))
        return self.answer_text

    @property
    def problem_text(self) -> str:
        if self.view is not None:
            return f"seed {self.seed.value}\n" + self.view.exercise.text()
        return plain(self.problem.value)

    @property
    def feedback_text(self) -> str:
        return self.view.feedback_text if self.view is not None else plain(self.feedback.value)

    @property
    def answer_text(self) -> str:
        return self.view.answer_text if self.view is not None else plain(self.answer.value)

    @property
    def score_text(self) -> str:
        return plain(self.score.value)


# --- the capstone ---------------------------------------------------------------------------------------
class Diagnosis(Shown):
    """A capstone case: a diagnosis Dropdown, a Check button and the feedback (widget state only).
    The first wrong answer is nudged; the second is told the rule. The evidence is printed by
    the notebook's own cell, so it reads without widgets too.

    Every check is recorded for the scorecard: ``checks`` (each diagnosis checked and whether
    it was right), ``first_right`` (the check at which the learner was first right, or None),
    and ``score_line`` (the case's line of the scorecard, which explains nothing)."""

    NOUN = "diagnosis"

    def __init__(self, case_name: str):
        self.case = case(case_name)
        self.exercise = case_exercise(case_name)
        self.choice = W.Dropdown(options=[("(choose)", None)] + [(d.key, d.key) for d in DIAGNOSES],
                                 description=f"Diagnosis for {self.case.name}", style=STYLE, layout=WIDE)
        self.choice.add_class(CSS["choice"])
        self.button = button(f"Check {self.case.name}", "Check your diagnosis", CSS["check"], self.check)
        self.feedback = W.HTML()
        self.feedback.add_class(CSS["feedback"])
        self.checks: list[tuple[str, bool]] = []
        self.first_right: int | None = None
        self.result: Verdict | None = None
        self.widget = W.VBox([self.choice, self.button, self.feedback])
        self.widget.add_class(CSS["exercise"])
        self.widget.add_class("unloadlab-capstone")

    @property
    def attempts(self) -> int:
        """How many checks were made."""
        return len(self.checks)

    def check(self) -> str:
        if self.choice.value is None:
            self.feedback.value = error_html("choose a diagnosis first.")
            return self.feedback_text
        self.result = check_answer(self.exercise, self.choice.value, self.attempts + 1)
        self.checks.append((self.choice.value, self.result.correct))
        if self.result.correct and self.first_right is None:
            self.first_right = self.attempts
        self.feedback.value = verdict_html(self.result)
        return self.feedback_text

    @property
    def score_line(self) -> str:
        """'case-1: right at check 2 (callback-refuses); 3 checks made', or not right yet."""
        n = self.attempts
        made = f"{n} check{'s' if n != 1 else ''} made"
        if not n:
            return f"{self.case.name}: not checked yet"
        if self.first_right is None:
            return f"{self.case.name}: not right yet; {made}"
        key = next(k for k, right in self.checks if right)
        return f"{self.case.name}: right at check {self.first_right} ({key}); {made}"

    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)


def scorecard(cases: list[Diagnosis]) -> str:
    """The capstone's scorecard: one line per case (checks made, the check first right)."""
    return "\n".join(c.score_line for c in cases)
