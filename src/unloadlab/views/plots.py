"""Pictures of traces: a sequence diagram of one trace, and the minifilter decision grid.

Renderers only. Every outcome, status, mark and rule id drawn here is read from a
``Trace`` (or from ``minifilter.simulate``); nothing about unloading is decided here.
This module is the public entry point; the work is done in ``diagram`` (the sequence
diagram), ``loops`` (repeated steps), ``grid`` (the decision grid), ``measure`` (text
widths and wrapping) and ``figures`` (style, export, display).

Public API
----------
``sequence_diagram(trace) -> Picture``
    One lifeline per actor taking part; per step an arrow (CALL solid, RETURN dashed, its
    status above it) or a box on the lifeline (ACTION filled, NOTE hollow), its label
    wrapped (never cut) on a white box that hides the lifelines behind it, a return's label
    always between its two lifelines; the step number on the left and its rule ids on the
    right. A marked step is drawn thick, its label framed in the mark's own line style under
    the mark's name. Steps that repeat once per instance (they differ only in one value,
    such as the volume) are drawn once inside a "loop" frame. ``fig.unloadlab`` is a
    ``Diagram``.
``diagram_alt(trace) -> str``  the diagram's text alternative.
``decision_table(**knobs) -> dict[(panel, Trigger, column), Outcome]``
    The data the grid draws: ``minifilter.simulate`` over trigger x callback column x
    service-stop opt-out, other knobs at their defaults (or as given).
``decision_grid(**knobs) -> Picture``
    That table drawn: the outcome in words in every cell, colour as a second channel, a
    legend. ``fig.unloadlab`` is a ``Grid``.
``to_svg(fig)``, ``to_png(fig)``, ``to_html(fig)``
    SVG with text kept as text, deterministic (same bytes in any process), with a
    ``<title>`` and ``role="img" aria-label`` from the alt text; a PNG of the same size;
    the SVG inline for an HTML widget.

A ``Picture`` is a matplotlib ``Figure`` that displays itself in a notebook as SVG, PNG and
an ``<img>`` with its alt text, and whose text/plain form is the alt sentence.

Sizes: every figure is ``FIGURE_WIDTH`` inches wide, 921.6 px at its natural size
(96 px per inch); all text is at least ``FONT_SIZE`` = 9 pt, 12 px at natural size.
"""
from __future__ import annotations

from .diagram import (ACTOR_ORDER, MARK_STYLES, Diagram, DrawnRow, MarkStyle, diagram_alt,
                      mark_word, sequence_diagram)
from .figures import DPI, FIGURE_WIDTH, FONT_SIZE, Picture, to_html, to_png, to_svg
from .grid import (GRID_COLUMNS, GRID_PANELS, OUTCOME_FILLS, OUTCOME_WORDS, Grid, decision_grid,
                   decision_table, grid_alt, outcome_word)
from .loops import MIN_LOOP, Loop
from .measure import text_width, wrap

__all__ = [
    "sequence_diagram", "diagram_alt", "decision_grid", "decision_table", "grid_alt",
    "to_svg", "to_png", "to_html", "wrap", "text_width", "mark_word", "outcome_word",
    "Picture", "Diagram", "DrawnRow", "Loop", "Grid", "MarkStyle",
    "ACTOR_ORDER", "MARK_STYLES", "OUTCOME_WORDS", "OUTCOME_FILLS",
    "GRID_PANELS", "GRID_COLUMNS", "FIGURE_WIDTH", "DPI", "FONT_SIZE", "MIN_LOOP",
]
