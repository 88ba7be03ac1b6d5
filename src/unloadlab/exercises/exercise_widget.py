"""One exercise as a widget: what is shown, the question, a control to answer with, Check,
Hint and Show the answer, and the feedback. Everything shown is widget state, never printed
output, and no answer is in it before Check or Show the answer.

Every control has a description and a tooltip, works from the keyboard (Tab, then Space or
Enter), and carries a stable CSS class for the browser tests (``CSS``). A verdict is said in
words with an icon; colour only repeats it. Pure ipywidgets; no rule is decided here.
"""
from __future__ import annotations

import html
from typing import Callable

import ipywidgets as W

from ..views.widgets import Shown, plain, pre
from .exercise import Exercise, Verdict, check

__all__ = ["ExerciseView", "CSS", "verdict_html", "verdict_box", "error_html", "note_html", "button", "LABELS",
           "answer_layout", "short"]

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
    return (f"<div role='{role}' style='border-left:6px solid {colour}; padding:4px 10px; margin:4px 0'>"
            f"<span aria-hidden='true' style='color:{colour}; margin-right:6px'>{icon}</span>"
            f"<b>{html.escape(head)}</b> {lines}</div>")


_HEADS = ("Right.", "Not this one:", "Not this one.", "Not yet:")


def verdict_box(correct: bool, head: str, body: str) -> str:
    """Right or wrong: the words in bold, then the explanation; the icon and colour only repeat it."""
    return _box("✔" if correct else "✖", _RIGHT if correct else _WRONG, head, body)


def verdict_html(verdict: Verdict) -> str:
    """The verdict in words ("Right." / "Not this one:"), bold, with the rest after it."""
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
        if ex.kind == "find-bug":   # the listing shows every line in full, numbered
            label, options = "Faulty line", [(f"line {c.key}: {short(c.text)}", c.key) for c in ex.choices]
        else:
            label, options = "Your answer", [(f"{c.key}) {short(c.text)}", c.key) for c in ex.choices]
            if any(short(c.text) != c.text for c in ex.choices):
                items = "".join(f"<li><b>{html.escape(c.key)})</b> {html.escape(c.text)}</li>" for c in ex.choices)
                self.options.value = f"<p><b>The options:</b></p><ul style='list-style:none; padding-left:0'>{items}</ul>"
        self.choice = W.Dropdown(options=[("(choose)", None)] + options, value=None, description=label,
                                 style=LABELS, layout=answer_layout())
        self.choice.add_class(CSS["choice"])
        self.choice.observe(lambda _: self._clear_error(), names="value")
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
        self._clear_error()
        self._render_order(keep=key)
        return self.order

    def set_order(self, keys: list[str]) -> list[str]:
        """Put the calls in this order at once (for the code form and tests)."""
        if sorted(keys) != sorted(self.order):
            raise ValueError(f"an order uses each of {', '.join(sorted(self.order))} once")
        self.order = list(keys)
        self._render_order(keep=self.order[0])
        return self.order

    def start_over(self) -> None:
        self.order = [c.key for c in self.exercise.choices]
        self._render_order(keep=self.order[0])
        self.feedback.value = self.answer.value = ""

    def _clear_error(self) -> None:
        self.error.value = ""

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
