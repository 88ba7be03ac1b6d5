"""How a lab widget is displayed: with the lab's style sheet, and with a sentence saying
what the cell opens for a reader without a kernel."""
from __future__ import annotations

import ipywidgets as W

from .controls import watched
from .panel_html import CSS

__all__ = ["Shown", "style_sheet"]


def style_sheet() -> W.HTML:
    """An invisible widget holding the lab's CSS (focus ring, links, the panel's layout)."""
    return W.HTML(f"<style>{CSS}</style>", layout=W.Layout(display="none"))


class Shown:
    """Displaying the object in a notebook displays its widget, with the lab's style sheet.

    Before a kernel has run the cell (GitHub, nbviewer, a fresh Binder) a reader sees the
    stored text/plain, so that is a sentence saying what the cell opens, never a repr."""

    widget: W.Widget
    NOUN = "widget"   # "Run this cell to open the <NOUN>: ..."

    def sentence(self) -> str:
        """What the cell opens, for readers without a kernel."""
        names = [w.description for w in watched([self.widget]) if getattr(w, "description", "")]
        return f"Run this cell to open the {self.NOUN}" + (f": {', '.join(names)}." if names else ".")

    def shown_widget(self) -> W.Widget:
        """What is displayed: the widget and the style sheet, with the class the CSS keys on."""
        if getattr(self, "_shown_widget", None) is None:
            self._shown_widget = W.VBox([style_sheet(), self.widget])
            self._shown_widget.add_class("unloadlab")
        return self._shown_widget

    def _ipython_display_(self) -> None:
        from IPython.display import display
        bundle = self.shown_widget()._repr_mimebundle_()
        bundle["text/plain"] = self.sentence()
        display(bundle, raw=True)

