"""The exercises as widgets: one exercise (``ExerciseView``), each lesson's quiz, find the bug,
put it in order, complete the routine, practice at three levels with a running count, and the
capstone's diagnoses. The only exercises module that imports ipywidgets.

Everything shown is widget state (HTML values), never printed output, and no answer is in it
before Check or Show the answer. Every control has a description and a tooltip, works from the
keyboard (Tab, then Space or Enter), and carries a stable CSS class for the browser tests
(``CSS``). A verdict is said in words with an icon; colour only repeats it. A bad seed is shown
next to the seed box as an error; it is never clamped and never swallowed. No rule is decided
here.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as W

from ..views.controls import STYLE, WIDE
from ..views.panel_html import plain, pre
from ..views.shown import Shown
from . import LEVELS, make, predict, routine
from .diagnosis import DIAGNOSES, case, case_exercise
from .exercise import Exercise, Feedback, Verdict, check
from .predict import lesson_quiz
from .space import MAX_SEED, simulate, validate_seed

__all__ = ["ExerciseView", "LessonQuiz", "FindBug", "Order", "Complete", "DiagnosisPractice", "Practice", "Diagnosis",
           "scorecard", "CSS", "verdict_html", "verdict_box", "error_html", "note_html", "button", "LABELS",
           "answer_layout", "short", "OPTION_CHARS"]

# The stable CSS classes, for the browser tests and for anyone styling the lab.
CSS = {
    "exercise": "unloadlab-exercise",          # every exercise's box (plus unloadlab-<kind>)
    "shown": "unloadlab-shown", "prompt": "unloadlab-prompt",
    "choice": "unloadlab-choice",              # the answer Dropdown (a line, an option, a diagnosis)
    "order": "unloadlab-order", "item": "unloadlab-order-item",
    "up": "unloadlab-move-up", "down": "unloadlab-move-down", "reset": "unloadlab-start-over",
    "check": "unloadlab-check", "hint": "unloadlab-hint-button", "reveal": "unloadlab-reveal",
    "feedback": "unloadlab-feedback", "hint_text": "unloadlab-hint-text", "answer": "unloadlab-answer",
    "error": "unloadlab-input-error", "options": "unloadlab-options",
    "seed": "unloadlab-seed", "new": "unloadlab-new-problem", "level": "unloadlab-level",
    "score": "unloadlab-score", "prediction": "unloadlab-prediction", "trace": "unloadlab-show-trace",
    "lesson_quiz": "unloadlab-lesson-quiz", "practice": "unloadlab-practice",
}
_RIGHT, _WRONG, _NOTE, _ERROR = "#15803d", "#b91c1c", "#1d4ed8", "#b91c1c"
# An answer control: its description beside it, the control as wide as the output allows, so
# an option of up to OPTION_CHARS characters shows whole at 1280x720 (a longer one is shortened
# in the drop-down and listed in full above it).
LABELS = {"description_width": "130px"}
OPTION_CHARS = 84


def answer_layout() -> W.Layout:
    return W.Layout(width="100%", max_width="800px")


def short(text: str, limit: int = OPTION_CHARS) -> str:
    """The text, or its start cut at a word and ended with an ellipsis, within limit characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def _box(icon: str, colour: str, head: str, body: str, role: str = "status") -> str:
    """A message: words first (bold), an icon that screen readers skip, colour only repeating it."""
    lines = "<br>".join(html.escape(line) for line in body.split("\n"))
    return (f"<div role='{role}' style='border-left:6px solid {colour}; padding:4px 10px; margin:4px 0; "
            "white-space:pre-wrap'>"   # a fix's diff keeps its indentation
            f"<span aria-hidden='true' style='color:{colour}; margin-right:6px'>{icon}</span>"
            f"<b>{html.escape(head)}</b> {lines}</div>")


_HEADS = ("Right.", "Right:", "Not this one:", "Not this one.", "Not yet:", "Not yet.", "Not quite:", "Not quite.")


def verdict_box(correct: bool, head: str, body: str) -> str:
    """Right or wrong: the words in bold, then the explanation; the icon and colour only repeat it."""
    return _box("✔" if correct else "✖", _RIGHT if correct else _WRONG, head, body)


def verdict_html(verdict: Verdict | Feedback) -> str:
    """The verdict in words ("Right." / "Not this one:" / "Not quite."), bold, with the rest after it."""
    head = next((h for h in _HEADS if verdict.message.startswith(h)), "")
    return verdict_box(verdict.correct, head, verdict.message[len(head):].strip())


def error_html(message: str) -> str:
    """An error shown next to the control it is about: said in words, announced, never swallowed."""
    return (f"<div class='unloadlab-error' role='alert' style='color:{_ERROR}; font-weight:600; margin:2px 0'>"
            f"<span aria-hidden='true'>✖ </span>Not accepted: {html.escape(message)}</div>")


def note_html(head: str, body: str) -> str:
    return _box("ℹ", _NOTE, head, body)


def button(description: str, tooltip: str, css: str, on_click: Callable[[], object]) -> W.Button:
    b = W.Button(description=description, tooltip=tooltip, layout=W.Layout(width="auto"))
    b.add_class(css)
    b.on_click(lambda _: on_click())
    return b


class ExerciseView(Shown):
    """One exercise: the material, the question, an answer control, Check / Hint / Show the
    answer, and the feedback. ``on_checked(exercise, verdict)`` is told every checked answer."""

    NOUN = "exercise"

    def __init__(self, exercise: Exercise, on_checked: Callable[[Exercise, Verdict], None] | None = None):
        self.exercise = ex = exercise
        self.on_checked = on_checked
        self.attempts = 0
        self.result: Verdict | None = None
        self.shown = W.HTML(pre(ex.shown))
        self.shown.add_class(CSS["shown"])
        self.prompt = W.HTML(f"<p><b>{html.escape(ex.title)}.</b> {html.escape(ex.prompt)}</p>")
        self.prompt.add_class(CSS["prompt"])
        self.error, self.feedback, self.hint_text, self.answer = W.HTML(), W.HTML(), W.HTML(), W.HTML()
        self.error.add_class(CSS["error"])
        self.feedback.add_class(CSS["feedback"])
        self.hint_text.add_class(CSS["hint_text"])
        self.answer.add_class(CSS["answer"])
        self.options = W.HTML()            # the options in full, when a drop-down shortens one
        self.options.add_class(CSS["options"])
        self.control = self._order_control() if ex.ordered else self._choice_control()
        self.check_button = button("Check", "Check your answer against the model", CSS["check"], self.check)
        self.hint_button = button("Hint", "A nudge that gives nothing away", CSS["hint"], self.hint)
        self.reveal_button = button("Show the answer", "The answer and why", CSS["reveal"], self.reveal)
        self.widget = W.VBox([self.prompt, self.shown, self.options, self.control, self.error,
                              W.HBox([self.check_button, self.hint_button, self.reveal_button]),
                              self.feedback, self.hint_text, self.answer])
        self.widget.add_class(CSS["exercise"])
        self.widget.add_class(f"unloadlab-{ex.kind}")

    def control_names(self) -> list[str]:
        """The descriptions of its controls, in the order a reader meets them."""
        def walk(w: W.Widget) -> list[str]:
            own = [w.description] if getattr(w, "description", "") else []
            return own + [name for child in getattr(w, "children", ()) for name in walk(child)]
        return walk(self.widget)

    # --- the answer controls ------------------------------------------------------------------------
    def _choice_control(self) -> W.Widget:
        ex = self.exercise
        if ex.lines:   # the listing shows every line in full, numbered
            label, options = "Faulty line", [(f"line {c.key}: {short(c.text)}", c.key) for c in ex.choices]
        else:
            label, options = "Your answer", [(f"{c.key}) {short(c.text)}", c.key) for c in ex.choices]
            if any(short(c.text) != c.text for c in ex.choices):
                items = "".join(f"<li><b>{html.escape(c.key)})</b> {html.escape(c.text)}</li>" for c in ex.choices)
                self.options.value = f"<p><b>The options:</b></p><ul style='list-style:none; padding-left:0'>{items}</ul>"
        self.choice = W.Dropdown(options=[("(choose)", None)] + options, value=None, description=label,
                                 style=LABELS, layout=answer_layout())
        self.choice.add_class(CSS["choice"])
        self.choice.observe(lambda _: self._answer_changed(), names="value")
        return self.choice

    def _order_control(self) -> W.Widget:
        ex = self.exercise
        self.order = [c.key for c in ex.choices]         # as shuffled
        self.item = W.Dropdown(description="Call to move", style=LABELS, layout=answer_layout())
        self.item.add_class(CSS["item"])
        self.up = button("Move up", "Move the chosen call one place earlier", CSS["up"], lambda: self.move(-1))
        self.down = button("Move down", "Move the chosen call one place later", CSS["down"], lambda: self.move(1))
        self.reset = button("Start over", "Put the calls back as they were shuffled", CSS["reset"], self.start_over)
        self.order_view = W.HTML()
        self.order_view.add_class(CSS["order"])
        self._render_order(keep=self.order[0])
        return W.VBox([self.order_view, self.item, W.HBox([self.up, self.down, self.reset])])

    def _render_order(self, keep: str) -> None:
        ex = self.exercise
        text = {c.key: c.text for c in ex.choices}
        self.item.options = [(f"{n}. {short(text[k])}", k) for n, k in enumerate(self.order, 1)]
        self.item.value = keep
        items = "".join(f"<li>{html.escape(text[k])}</li>" for k in self.order)
        self.order_view.value = f"<p><b>Your order</b> (first at the top):</p><ol>{items}</ol>"

    def move(self, step: int, key: str | None = None) -> list[str]:
        """Move a call (the chosen one, or key) one place earlier (-1) or later (+1)."""
        key = key or self.item.value
        i = self.order.index(key)
        j = i + step
        if not 0 <= j < len(self.order):
            self.error.value = error_html(f"'{self.item.label}' is already {'first' if j < 0 else 'last'}.")
            return self.order
        self.order[i], self.order[j] = self.order[j], self.order[i]
        self._answer_changed()
        self._render_order(keep=key)
        return self.order

    def set_order(self, keys: list[str]) -> list[str]:
        """Put the calls in this order at once (for the code form and tests)."""
        if sorted(keys) != sorted(self.order):
            raise ValueError(f"an order uses each of {', '.join(sorted(self.order))} once")
        self.order = list(keys)
        self._answer_changed()
        self._render_order(keep=self.order[0])
        return self.order

    def start_over(self) -> None:
        self.order = [c.key for c in self.exercise.choices]
        self._render_order(keep=self.order[0])
        self.feedback.value = self.answer.value = ""

    def _clear_error(self) -> None:
        self.error.value = ""

    def _answer_changed(self) -> None:
        """A verdict is about the answer it checked: once the answer changes, it goes."""
        self._clear_error()
        self.feedback.value = ""

    # --- the buttons ----------------------------------------------------------------------------------
    def current_answer(self) -> object:
        return list(self.order) if self.exercise.ordered else self.choice.value

    def check(self) -> str:
        answer = self.current_answer()
        if answer is None:
            self.error.value = error_html("choose an answer first, then press Check.")
            return self.error_text
        self.attempts += 1
        try:
            self.result = check(self.exercise, answer, self.attempts)
        except ValueError as e:   # cannot happen through the controls; said all the same
            self.error.value = error_html(str(e))
            return self.error_text
        self._clear_error()
        self.feedback.value = verdict_html(self.result)
        if self.result.correct:   # a hint about a problem already solved would only mislead
            self.hint_text.value = ""
        if self.on_checked:
            self.on_checked(self.exercise, self.result)
        return self.feedback_text

    def hint(self) -> str:
        self.hint_text.value = note_html("Hint:", self.exercise.hint)
        return self.hint_text_text

    def reveal(self) -> str:
        self.answer.value = note_html("The answer:", self.exercise.answer_text())
        return self.answer_text

    # --- text views (tests and notebooks read these) --------------------------------------------------
    @property
    def feedback_text(self) -> str:
        return plain(self.feedback.value)

    @property
    def error_text(self) -> str:
        return plain(self.error.value)

    @property
    def hint_text_text(self) -> str:
        return plain(self.hint_text.value)

    @property
    def answer_text(self) -> str:
        return plain(self.answer.value)


# --- seeds -----------------------------------------------------------------------------------------
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


# --- each lesson's quiz ------------------------------------------------------------------------------
class LessonQuiz(Shown):
    """A lesson's quiz (``predict.lesson_quiz``): its questions, one exercise each."""

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

    # the rules level: predict the outcome of predict.problem(seed)
    def _rules_body(self) -> list[W.Widget]:
        self.problem = W.HTML(pre(predict.describe(predict.problem(self.seed.value), self.seed.value)))
        self.prediction = W.Dropdown(options=[("(choose)", None)] + [(k, k) for k in predict.RULES_CHOICES],
                                     description="Your prediction", style=LABELS, layout=answer_layout())
        self.prediction.add_class(CSS["prediction"])
        self.prediction.observe(lambda _: setattr(self.feedback, "value", ""), names="value")   # no stale verdict
        self.attempts = 0
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
        self.attempts += 1
        fb = predict.check(self.seed.value, self.prediction.value, self.attempts)
        self._counted(None, Verdict(fb.correct, fb.message))   # type: ignore[arg-type]
        self.result = fb
        self.feedback.value = verdict_html(fb)
        if fb.correct:
            self.hint_box.value = ""
        return self.feedback_text

    def hint(self) -> str:
        if self.view is not None:
            return self.view.hint()
        self.hint_box.value = note_html("Hint:", predict.nudge(simulate(predict.problem(self.seed.value))))
        return plain(self.hint_box.value)

    def reveal(self) -> str:
        if self.view is not None:
            return self.view.reveal()
        self.answer.value = pre(predict.answer(self.seed.value))
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
        self.choice.observe(lambda _: setattr(self.feedback, "value", ""), names="value")   # no stale verdict
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
        self.result = check(self.exercise, self.choice.value, self.attempts + 1)
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
