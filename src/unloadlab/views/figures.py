"""What every picture shares: its size and style, the page it is drawn on, and its export
as SVG, PNG and inline HTML with its text alternative.

A ``Picture`` is a matplotlib ``Figure`` that displays itself in a notebook as SVG, PNG and
an ``<img>`` with its alt text (JupyterLab's own image renderers set no ``alt``), and whose
text/plain form is the alt sentence. ``to_svg`` keeps text as text and gives the same bytes
in any process, with a ``<title>`` and ``role="img" aria-label`` from the alt text.

Sizes: every figure is ``FIGURE_WIDTH`` inches wide, 806.4 px at its natural size
(96 px per inch), so it fits unscaled in a notebook at 1280x720 with the file browser open
(833 px); all text is at least ``FONT_SIZE`` = 9 pt, 12 px at natural size. Inline
(``to_html``) a figure shrinks with its box down to ``MIN_SHOWN_PX``, where that text is
11 px; a narrower box scrolls.
A ``Page`` lays out in points (SVG user units), y growing downwards.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import math
from typing import Any, Iterator, Sequence

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Affine2D

__all__ = [
    "Picture", "Page", "picture_style", "to_svg", "to_png", "to_html", "pixel_height",
    "DPI", "FIGURE_WIDTH", "NATURAL_PX", "MIN_SHOWN_PX", "FONT_SIZE", "TITLE_SIZE", "PAGE_WIDTH", "PAD", "BODY_TOP",
    "INK", "GREY",
]

DPI = 96                 # one pixel per CSS px: PNG and SVG show at the same size
FIGURE_WIDTH = 8.4       # inches: 806.4 px, 604.8 pt
FONT_SIZE = 9.0          # pt, the smallest text: 12 px at natural size
NATURAL_PX = FIGURE_WIDTH * DPI                        # a figure's width on screen, unscaled
MIN_SHOWN_PX = NATURAL_PX * 11.0 / (FONT_SIZE * DPI / 72.0)   # its smallest text at 11 px
TITLE_SIZE = 11.0
PAGE_WIDTH = FIGURE_WIDTH * 72.0   # points
PAD = 8.0                          # points round the page's content
BODY_TOP = PAD + 17.0              # under the title: where a headline or subtitle starts
INK, GREY = "#111111", "#4a4a4a"

# Everything that decides how a picture looks, set around drawing and saving. Starts from
# matplotlib's defaults (a notebook's own rcParams change nothing); SVG text stays text and
# the SVG is the same bytes in every process (fixed hash salt, no date: see to_svg).
_STYLE = {
    "svg.fonttype": "none", "svg.hashsalt": "unloadlab",
    "font.family": ["sans-serif"],
    # DejaVu Sans is what the layout is measured with (matplotlib ships it); a browser
    # without it falls back to narrower faces, so text never outgrows its box.
    "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Arial", "Helvetica"],
    "font.size": FONT_SIZE, "text.parse_math": False, "text.usetex": False,
    "figure.facecolor": "white", "figure.edgecolor": "white", "figure.dpi": DPI,
    "savefig.facecolor": "white", "savefig.edgecolor": "white", "savefig.dpi": DPI,
    "savefig.transparent": False, "savefig.bbox": None,
    # Unhinted PNG text has the font's own metrics, so multi-line text keeps the same line
    # height in the PNG as in the SVG (hinting rounds some lines' ascent up a pixel).
    "text.hinting": "no_hinting",
}
_ROOT = "unloadlab-figure"


class Picture(Figure):
    """A Figure with a text alternative (``alt``). In a notebook it shows as SVG, PNG and
    an ``<img alt=...>`` (text/html), and its text/plain form is the alt sentence. In a
    kernel it also carries a widget with the SVG inline (``to_html``), which JupyterLab
    prefers once the cell has run: text stays text and the picture fits its box; a reader
    without a kernel (GitHub, an untrusted notebook) gets the image."""

    alt: str = ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from .shown import picture_widget
        svg = to_svg(self)
        return {
            **picture_widget(to_html(self, "Picture"))._repr_mimebundle_(),
            "text/html": _img_tag(svg, self.alt),
            "image/svg+xml": svg,
            "image/png": base64.b64encode(to_png(self)).decode("ascii"),
            "text/plain": self.alt or "A picture without a description.",
        }


@contextlib.contextmanager
def picture_style() -> Iterator[None]:
    """matplotlib's defaults plus ``_STYLE`` while drawing or saving; the caller's
    rcParams are back afterwards (a notebook's own settings change no picture)."""
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(_STYLE)
        yield


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document: text as ``<text>``, deterministic, with a ``<title>``
    and ``role="img" aria-label`` from ``fig.alt``."""
    buf = io.StringIO()
    with picture_style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _accessible(buf.getvalue(), getattr(fig, "alt", ""))


def to_png(fig: Figure) -> bytes:
    """The figure as a PNG at ``DPI`` (the same size on screen as the SVG)."""
    buf = io.BytesIO()
    with picture_style():
        fig.savefig(buf, format="png")
    return buf.getvalue()


def to_html(fig: Figure, label: str) -> str:
    """The SVG inline, for an HTML widget under the lab's style sheet: text stays text and
    the root carries the alt text. It shrinks with its box (the viewBox scales it) down to
    ``MIN_SHOWN_PX``, then keeps that size and its box, named ``label``, scrolls: no taller
    than most of the window, so its scrollbar is in view (CSS .unloadlab-picture-box);
    focusable, so the keyboard can scroll it too."""
    svg = to_svg(fig)
    return (f"<div class='unloadlab-picture'><div class='unloadlab-picture-box' role='group' "
            f"aria-label='{html.escape(label)}' tabindex='0'>{svg[svg.index('<svg'):]}</div></div>")


def _accessible(svg: str, alt: str) -> str:
    """Name the picture: ``role="img" aria-label`` and a ``<title>`` on the root element,
    and scope matplotlib's ``*{...}`` default style to this picture (inline in a page, a
    bare ``*`` rule would reach every SVG on it)."""
    label = html.escape(alt, quote=True)
    start = svg.index("<svg ")
    end = svg.index(">", start)
    root = svg[start:end].replace("<svg ", f'<svg class="{_ROOT}" role="img" aria-label="{label}" ', 1)
    svg = f"{svg[:start]}{root}>\n <title>{label}</title>{svg[end + 1:]}"
    return svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">.{_ROOT} *{{", 1)


def _img_tag(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{html.escape(alt, quote=True)}" src="data:image/svg+xml;base64,{data}"/>'


@functools.lru_cache(maxsize=8)
def _fontprops(size: float, bold: bool) -> FontProperties:
    """Shared by many Text artists (each keeps its own copy), so none parses font kwargs."""
    return FontProperties(family=["sans-serif"], size=size, weight="bold" if bold else "normal")


class Page:
    """A Picture of width x height points, drawn in points from its top-left corner (y
    down) with figure-level artists: text, patches. No Axes: nothing here has ticks or
    data limits, and an Axes costs more to make and draw than some whole diagrams."""

    def __init__(self, width: float, height: float) -> None:
        self.fig = Picture(figsize=(width / 72.0, height / 72.0), dpi=DPI)
        self.tr = Affine2D().scale(1.0, -1.0).translate(0.0, height).scale(1 / 72.0) + self.fig.dpi_scale_trans

    def add(self, artist: Any) -> Any:
        artist.set_transform(self.tr)
        return self.fig.add_artist(artist)

    def block(self, x: float, top: float, lines: Sequence[str], *, ha: str = "left", bold: bool = False,
              colour: str = INK, role: tuple = ()) -> Any:
        """Lines as one Text whose first line's top is at ``top``, each line one line
        height (``measure.line_metrics``) below the last. ``role`` says what the Text shows
        (kept on the artist as ``unloadlab_role``, for tests that measure where it landed)."""
        if not lines:
            return None
        t = self.fig.text(x, top, "\n".join(lines), fontproperties=_fontprops(FONT_SIZE, bold), color=colour,
                          ha=ha, va="top", multialignment=ha, linespacing="normal", zorder=5,
                          transform=self.tr, parse_math=False)
        t.unloadlab_role = role
        return t

    def title(self, title: str) -> None:
        t = self.fig.text(PAD, PAD + 11.0, title, fontproperties=_fontprops(TITLE_SIZE, True), color=INK,
                          va="baseline", zorder=5, transform=self.tr, parse_math=False)
        t.unloadlab_role = ("title",)


def pixel_height(points: float) -> float:
    """Round a height up to whole pixels at ``DPI`` (0.75 pt each)."""
    return math.ceil(points * DPI / 72.0 - 1e-6) * 72.0 / DPI
