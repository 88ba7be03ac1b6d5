"""How a lab widget is displayed: with the lab's style sheet and its few lines of front-end
script, and with a sentence saying what the cell opens for a reader without a kernel."""
from __future__ import annotations

import ipywidgets as W

from .controls import watched
from .panel_html import CSS, FRONT_END

__all__ = ["Shown", "style_sheet", "front_end", "picture_widget"]


def style_sheet() -> W.HTML:
    """An invisible widget holding the lab's CSS (focus ring, links, the panel's layout)."""
    return W.HTML(f"<style>{CSS}</style>", layout=W.Layout(display="none"))


def front_end() -> W.Output:
    """An invisible widget whose output is the lab's front-end script (panel_html.FRONT_END):
    JupyterLab runs it in a trusted output, once per page. Held in the widget's state, not in
    the cell's outputs."""
    out = W.Output(layout=W.Layout(display="none"))
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {"application/javascript": FRONT_END, "text/plain": ""}},)
    return out


def _displayed(widget: W.Widget) -> W.VBox:
    """``widget`` with the style sheet and the script, under the class the CSS keys on."""
    box = W.VBox([style_sheet(), front_end(), widget])
    box.add_class("unloadlab")
    return box


def picture_widget(markup: str) -> W.VBox:
    """An inline picture (figures.to_html) as a widget, under the lab's style sheet."""
    return _displayed(W.HTML(markup))


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
        """What is displayed: the widget, the style sheet and the script (see _displayed)."""
        if getattr(self, "_shown_widget", None) is None:
            self._shown_widget = _displayed(self.widget)
        return self._shown_widget

    def _ipython_display_(self) -> None:
        from IPython.display import display
        bundle = self.shown_widget()._repr_mimebundle_()
        bundle["text/plain"] = self.sentence()
        display(bundle, raw=True)
