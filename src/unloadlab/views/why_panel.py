"""Lesson 11's "What are you seeing?" panel: type what you saw (a code, a line sc or fltmc
printed, plain words), press Enter or the button, and get the answer ``python -m unloadlab
why`` prints, from the same index. An input it cannot answer is said next to the field."""
from __future__ import annotations

import html

import ipywidgets as W

from ..symptoms.answers import Answer, SymptomError, why
from .why_text import format_answer
from .panel_html import plain, pre
from .shown import Shown

__all__ = ["WhyPanel"]

_ERROR = "#b91c1c"
_HINT = ("<p class='unloadlab-hint'>Type or paste what you saw, then press Enter (or Tab to the button and "
         "press Space). Examples: <code>1052</code>, <code>Unload failed with error: 0x801f0010</code>, "
         "<code>bugcheck 0xC4 0x62</code>, <code>never returns</code>.</p>")


class WhyPanel(Shown):
    """A text field, a button, the error beside the field, and the answer below."""

    NOUN = "symptom panel"
    _last: Answer | None = None

    def __init__(self, symptom: str = ""):
        self.field = W.Text(value=symptom, description="What did you see?", continuous_update=False,
                            placeholder="e.g. 1052, 0xC0000010, never returns", layout=W.Layout(width="100%"))
        self.button = W.Button(description="Why?", tooltip="the causes the lab knows for what you typed")
        self.error = W.HTML(layout=W.Layout(display="none"))
        self.answer = W.HTML()
        self.button.add_class("unloadlab-why-button")
        self.error.add_class("unloadlab-why-error")
        self.answer.add_class("unloadlab-why-answer")
        controls = W.VBox([self.field, self.button, self.error])
        controls.add_class("unloadlab-controls")
        self.widget = W.VBox([W.HTML(_HINT), controls, self.answer])
        self.field.observe(lambda _: self.ask(), "value")    # Enter (or leaving the field) commits the text
        self.button.on_click(lambda _: self.ask())
        if symptom:
            self.ask()

    def ask(self, text: str | None = None) -> Answer | None:
        """Answer what the field holds (or ``text``, put in the field first); None when it cannot."""
        if text is not None and text != self.field.value:
            self.field.value = text          # the observer answers it
            return self._last
        try:
            self._last = why(self.field.value)
        except SymptomError as e:
            self._last = None
            self.error.value = (f"<div role='alert' style='color:{_ERROR}; font-weight:600; margin:2px 0 6px 0'>"
                                f"<span aria-hidden='true'>✖ </span>{html.escape(str(e))}</div>")
            self.error.layout.display = None
            self.answer.value = ""
            return None
        self.error.value, self.error.layout.display = "", "none"
        self.answer.value = (f"<div role='region' aria-label='The causes the lab knows' tabindex='0' "
                             f"style='max-height:480px; overflow:auto'>{pre(format_answer(self._last))}</div>")
        return self._last

    def answer_text(self) -> str:
        """The answer as plain text: what the CLI prints for the same input."""
        return plain(self.answer.value)

    def error_text(self) -> str:
        return plain(self.error.value)
