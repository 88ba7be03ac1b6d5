"""Pictures of traces: a sequence diagram of one trace, and the minifilter decision grid.

Renderers only. Every outcome, status, mark and rule id drawn here is read from a
``Trace`` (or from ``minifilter.simulate``); nothing about unloading is decided here.

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
an ``<img>`` with its alt text (JupyterLab's own image renderers set no ``alt``), and whose
text/plain form is the alt sentence.

Sizes: every figure is ``FIGURE_WIDTH`` inches wide, 921.6 px at its natural size
(96 px per inch); all text is at least ``FONT_SIZE`` = 9 pt, 12 px at natural size.
Layout is in points (SVG user units), y growing downwards.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import math
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from .. import minifilter
from ..minifilter import STATUS_CLASSES, MinifilterScenario, RegistrationFlag, Trigger
from ..windows import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace

__all__ = [
    "sequence_diagram", "diagram_alt", "decision_grid", "decision_table", "grid_alt",
    "to_svg", "to_png", "to_html", "wrap", "text_width", "mark_word", "outcome_word",
    "Picture", "Diagram", "DrawnRow", "Loop", "Grid", "MarkStyle",
    "ACTOR_ORDER", "MARK_LABELS", "MARK_STYLES", "OUTCOME_WORDS", "OUTCOME_FILLS",
    "GRID_PANELS", "GRID_COLUMNS", "FIGURE_WIDTH", "DPI", "FONT_SIZE", "MIN_LOOP",
]

DPI = 96                 # one pixel per CSS px: PNG and SVG show at the same size
FIGURE_WIDTH = 9.6       # inches: 921.6 px, 691.2 pt
FONT_SIZE = 9.0          # pt, the smallest text: 12 px at natural size
TITLE_SIZE = 11.0

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

_INK, _GREY, _LIFELINE = "#111111", "#4a4a4a", "#9a9a9a"

# Lifelines, left to right; actors the enum gains later are appended in enum order.
ACTOR_ORDER: tuple[Actor, ...] = (
    Actor.CALLER, Actor.SCM, Actor.IO_MANAGER, Actor.FILTER_MANAGER, Actor.MINIFILTER,
    Actor.INSTANCES, Actor.FRAMEWORK, Actor.CALLOUT_DRIVER, Actor.FILTER_ENGINE,
)


@dataclass(frozen=True)
class MarkStyle:
    """How a marked step is drawn besides its colour: the label's frame line style."""

    dashes: Any           # matplotlib linestyle of the frame round the label
    colour: str           # a second channel only; the word says it


def _by_name(enum_cls: Any, table: Mapping[str, Any]) -> dict[Any, Any]:
    """{member: value} for the names the enum has (the enums grow as the models do)."""
    return {enum_cls[name]: value for name, value in table.items() if name in enum_cls.__members__}


# The word every mark gets is its value in capitals (never colour alone); the frame round
# the label has a line style of its own per mark, and the arrow or box is drawn thick.
MARK_STYLES: dict[Mark, MarkStyle] = _by_name(Mark, {
    "REFUSED": MarkStyle("solid", "#a65000"),
    "FAILED": MarkStyle((0, (5.0, 2.0)), "#b71c1c"),
    "IGNORED": MarkStyle((0, (1.0, 1.6)), "#1f5fa8"),
    "HUNG": MarkStyle((0, (6.0, 2.0, 1.2, 2.0)), "#6a1b9a"),
    "HAZARD": MarkStyle((0, (6.0, 1.6, 1.2, 1.6, 1.2, 1.6)), "#ad1457"),
    "SILENT": MarkStyle((0, (2.6, 2.6)), "#555555"),
    "BUGCHECK": MarkStyle((0, (10.0, 2.5)), "#7a0019"),
    "PENDING": MarkStyle((0, (1.2, 1.8, 1.2, 1.8, 5.0, 1.8)), "#00695c"),
})
_UNSTYLED_MARK = MarkStyle("solid", "#b71c1c")     # a mark the enum gains later: words, thick, solid


def mark_word(mark: Mark) -> str:
    """The words drawn for a mark: its value in capitals, e.g. "DOCUMENTATION SILENT"."""
    return mark.value.upper()


MARK_LABELS: dict[Mark, str] = {m: mark_word(m) for m in Mark}

# Outcome words for the grid cells (the legend gives ``Outcome.value`` in full).
# An outcome the enum gains later is drawn with its value as the word, on white.
OUTCOME_WORDS: dict[Outcome, str] = _by_name(Outcome, {
    "UNLOADED": "unloaded", "REFUSED": "refused", "FAILED": "fails, not called", "HUNG": "hung",
    "SHUTDOWN": "not called (shutdown)", "DRIVER_ENTRY_FAILED": "DriverEntry failed",
    "HAZARD": "callouts left", "UNLOAD_PENDING": "unload pending", "BUGCHECK": "bug check",
})
OUTCOME_FILLS: dict[Outcome, str] = _by_name(Outcome, {
    "UNLOADED": "#cfe8cf", "REFUSED": "#fbd9a6", "FAILED": "#f4b6b6", "HUNG": "#d9c2ec",
    "SHUTDOWN": "#c9dcf2", "DRIVER_ENTRY_FAILED": "#dcdcdc", "HAZARD": "#f6c3da",
    "UNLOAD_PENDING": "#fff3b0", "BUGCHECK": "#bdbdbd",
})


# =====================================================================================
# Pictures: a Figure that shows itself with its alt text, and its SVG / PNG / HTML
# =====================================================================================
class Picture(Figure):
    """A Figure with a text alternative (``alt``). In a notebook it shows as SVG, PNG and
    an ``<img alt=...>`` (text/html), and its text/plain form is the alt sentence."""

    alt: str = ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg = to_svg(self)
        return {
            "text/html": _img_tag(svg, self.alt),
            "image/svg+xml": svg,
            "image/png": base64.b64encode(to_png(self)).decode("ascii"),
            "text/plain": self.alt or "A picture without a description.",
        }


@contextlib.contextmanager
def _style() -> Iterator[None]:
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
    with _style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _accessible(buf.getvalue(), getattr(fig, "alt", ""))


def to_png(fig: Figure) -> bytes:
    """The figure as a PNG at ``DPI`` (the same size on screen as the SVG)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png")
    return buf.getvalue()


def to_html(fig: Figure) -> str:
    """The SVG inline, for an HTML widget: text stays text and the root carries the alt
    text. Shown at its natural size; a narrower container scrolls rather than shrinks it
    (focusable, so the keyboard can scroll it too)."""
    svg = to_svg(fig)
    return ("<div class='unloadlab-picture' tabindex='0' style='overflow-x:auto; max-width:100%'>"
            + svg[svg.index("<svg"):] + "</div>")


_ROOT = "unloadlab-figure"


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


class _Page:
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
              colour: str = _INK, role: tuple = ()) -> Any:
        """Lines as one Text whose first line's top is at ``top``, each line one line
        height (``_metrics``) below the last. ``role`` says what the Text shows (kept on
        the artist as ``unloadlab_role``, for tests that measure where it landed)."""
        if not lines:
            return None
        t = self.fig.text(x, top, "\n".join(lines), fontproperties=_fontprops(FONT_SIZE, bold), color=colour,
                          ha=ha, va="top", multialignment=ha, linespacing="normal", zorder=5,
                          transform=self.tr, parse_math=False)
        t.unloadlab_role = role
        return t

    def title(self, title: str) -> None:
        t = self.fig.text(_PAD, _PAD + 11.0, title, fontproperties=_fontprops(TITLE_SIZE, True), color=_INK,
                          va="baseline", zorder=5, transform=self.tr, parse_math=False)
        t.unloadlab_role = ("title",)


def _height(points: float) -> float:
    """Round a height up to whole pixels at ``DPI`` (0.75 pt each)."""
    return math.ceil(points * DPI / 72.0 - 1e-6) * 72.0 / DPI


# =====================================================================================
# Measuring and wrapping text (the layout needs widths before anything is drawn)
# =====================================================================================
@functools.lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    weight = "bold" if bold else "normal"
    return get_font(findfont(FontProperties(family="DejaVu Sans", weight=weight)))


@functools.lru_cache(maxsize=4096)
def _advance(ch: str, bold: bool) -> float:
    """The advance of one character, in points at 1 pt (unhinted, no kerning)."""
    font = _font(bold)
    font.set_size(100.0, 72.0)
    return font.load_char(ord(ch)).linearHoriAdvance / 65536.0 / 100.0


@functools.lru_cache(maxsize=1)
def _metrics() -> tuple[float, float]:
    """(line height, first baseline below a block's top) in points at ``FONT_SIZE``: what
    matplotlib's "normal" line spacing gives from the font's OS/2 typographic metrics.
    Every line of a multi-line Text then sits exactly one line height below the last,
    so whole columns can be one Text on a grid of line slots."""
    font = _font(False)
    os2 = font.get_sfnt_table("OS/2")
    k = FONT_SIZE / font.get_sfnt_table("head")["unitsPerEm"]
    gap = os2["sTypoLineGap"]
    return ((os2["sTypoAscender"] - os2["sTypoDescender"] + gap) * k,
            (os2["sTypoAscender"] + gap / 2) * k)


def text_width(s: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of s in points: the sum of its advances, never less than matplotlib's ink box
    (kerning only narrows DejaVu Sans)."""
    return size * sum(_advance(ch, bold) for ch in s)


_STRONG_BREAK = re.compile(r"(?<=[ ,\\/])|(?<=\w\()")                       # after space , \ / name(
_WEAK_BREAK = re.compile(r"(?<=[-_=.|:])|(?<=->)|(?<=[a-z0-9])(?=[A-Z])")   # inside a name


def wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """text in lines no wider than width (points). Breaks after a space, comma, slash,
    backslash or a call's "("; a piece still too wide breaks inside the name (after "-",
    "_", "=", "." or at a camelCase join), and only then between characters. Nothing is
    cut or elided. (textwrap counts characters; a proportional font needs widths.)"""
    text = " ".join(text.split())
    pieces: list[str] = []
    for piece in _STRONG_BREAK.split(text):
        if text_width(piece.rstrip(), size, bold) > width:
            pieces += [p for p in _WEAK_BREAK.split(piece) if p]
        elif piece:
            pieces.append(piece)
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and text_width((current + piece).rstrip(), size, bold) > width:
            lines.append(current.rstrip())
            current = piece
        else:
            current += piece
        while len(current) > 1 and text_width(current.rstrip(), size, bold) > width:
            cut = max(1, _fitting(current, width, size, bold))
            lines.append(current[:cut].rstrip())
            current = current[cut:].lstrip()
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _fitting(s: str, width: float, size: float, bold: bool) -> int:
    total, n = 0.0, 0
    for ch in s:
        total += size * _advance(ch, bold)
        if total > width:
            break
        n += 1
    return n


def _block_width(lines: Sequence[str], bold: bool = False) -> float:
    return max((text_width(line, bold=bold) for line in lines), default=0.0)


# =====================================================================================
# Drawing: text blocks, and shapes gathered per layer into a few collections
# =====================================================================================
@functools.lru_cache(maxsize=8)
def _fontprops(size: float, bold: bool) -> FontProperties:
    """Shared by many Text artists (each keeps its own copy), so none parses font kwargs."""
    return FontProperties(family=["sans-serif"], size=size, weight="bold" if bold else "normal")


class _Layer:
    """Polylines or polygons, gathered by style into one compound path each and drawn as
    one PathPatch per style (a few artists rather than one per shape)."""

    def __init__(self, zorder: float) -> None:
        self.zorder = zorder
        self.paths: dict[tuple, tuple[list, list]] = {}

    def add(self, pts: Sequence[tuple[float, float]], edge: str = _INK, width: float = 1.0,
            style: Any = "solid", face: str = "none") -> None:
        closed = face != "none"
        verts, codes = self.paths.setdefault((face, edge, width, style), ([], []))
        verts += list(pts) + ([pts[0]] if closed else [])
        codes += [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + ([Path.CLOSEPOLY] if closed else [])

    def rect(self, x0: float, y0: float, x1: float, y1: float, **kw: Any) -> None:
        self.add([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], **kw)

    def add_to(self, page: _Page) -> None:
        for (face, edge, width, style), (verts, codes) in self.paths.items():
            page.add(PathPatch(Path(verts, codes), facecolor=face, edgecolor=edge, linewidth=width,
                               linestyle=style, capstyle="butt", joinstyle="miter", zorder=self.zorder))


class _Layers:
    """A diagram's shapes, bottom to top: lifelines and rules, loop frames, white label
    boxes, arrow shafts and open heads, filled heads and step boxes. Text is above all."""

    def __init__(self) -> None:
        self.life = _Layer(1)
        self.frames = _Layer(1.5)
        self.boxes = _Layer(2.5)
        self.shafts = _Layer(3)
        self.solids = _Layer(4)

    def add_to(self, page: _Page) -> None:
        for layer in (self.life, self.frames, self.boxes, self.shafts, self.solids):
            layer.add_to(page)


# =====================================================================================
# Sequence diagram
# =====================================================================================
@dataclass(frozen=True)
class DrawnRow:
    """One row of a sequence diagram: one step, or one step of a loop's body."""

    steps: tuple[int, ...]        # the trace steps (0-based) it stands for (several in a loop)
    kind: Kind
    style: str                    # "call", "return", "self call", "self return", "action", "note"
    actor: Actor
    target: Actor | None
    label: tuple[str, ...]        # the label's lines as drawn (wrapped, never cut)
    status: tuple[str, ...]       # a return's status lines, between the label and the arrow
    mark: str | None              # the mark's word drawn above the label, e.g. "REFUSED"
    rules: tuple[str, ...]        # the rule-id lines in the right-hand column
    box: tuple[float, float, float, float]   # the label's white box x0, y0, x1, y1 (points)
    span: tuple[float, float]     # x of the two lifelines an arrow joins; else its lifeline twice


@dataclass(frozen=True)
class Loop:
    """Steps that repeat once per value (a volume, an index): drawn once, in a frame."""

    first: int                    # first trace step (0-based)
    period: int                   # steps per repetition
    values: tuple[str, ...]       # each repetition's value, in order

    @property
    def steps(self) -> range:
        return range(self.first, self.first + self.period * len(self.values))


@dataclass(frozen=True)
class Diagram:
    """``fig.unloadlab`` of a sequence diagram: what was drawn, for tests and readers."""

    title: str                    # the outcome line and the headline, "\n"-joined
    alt: str
    lifelines: tuple[Actor, ...]  # left to right
    xs: tuple[float, ...]         # their x (points)
    rows: tuple[DrawnRow, ...]
    loops: tuple[Loop, ...]
    size: tuple[float, float]     # inches


_PAD = 8.0
_W = FIGURE_WIDTH * 72.0
_NUM_RIGHT = 24.0                  # step numbers end here
_RULES_W = 140.0                   # the rule-id column, on the right
_RULES_X = _W - _PAD - _RULES_W
_AREA = (32.0, _RULES_X - 10.0)    # lifelines and their labels live here
_EDGE = 44.0                       # from the area's edge to the outer lifelines
_MIN_GAP = 70.0
_MARGIN = 5.0                      # between a return's label and its two lifelines
_CALL_MAX = 190.0                  # a call's label may be this wide, over its neighbours
_NOTE_MAX = 230.0                  # widest note or self-call label
_BOX_PAD = 2.0
MIN_LOOP = 3                       # repetitions before steps are drawn once, as a loop
_MAX_PERIOD = 4                    # most steps in one repetition


def diagram_alt(trace: Trace) -> str:
    """The diagram's text alternative: who takes part, how many steps, the outcome."""
    names = [f"the {a.value}" for a in _lifelines(trace)]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    n = len(trace.steps)
    return (f"Sequence diagram of {n} step{'s' if n != 1 else ''} between {who}. "
            f"Outcome: {trace.outcome.value}; {trace.headline}")


def sequence_diagram(trace: Trace) -> Picture:
    """Draw one trace as a sequence diagram (see the module docstring)."""
    if not isinstance(trace, Trace):
        raise TypeError(f"sequence_diagram() needs a Trace, got {type(trace).__name__}")
    with _style():
        return _draw_sequence(trace)


def _lifelines(trace: Trace) -> tuple[Actor, ...]:
    present = {s.actor for s in trace.steps} | {s.target for s in trace.steps if s.target}
    order = ACTOR_ORDER + tuple(a for a in Actor if a not in ACTOR_ORDER)
    return tuple(a for a in order if a in present)


# --- loops: runs of steps that differ only in one value --------------------------------------------
_TOKEN = re.compile(r"[A-Za-z]:(?![\w\\])|\d+|[A-Za-z_]+|\s+|.")   # "C:" alone is one token


def _tokens(s: str) -> list[str]:
    return _TOKEN.findall(s)


def _difference(a: Step, b: Step, ta: list[str], tb: list[str]) -> set[tuple[str, str]] | None:
    """The (a token, b token) pairs where two steps' actions differ, or None if the steps
    differ in anything else (actor, kind, target, status, mark, rules, shape of the text)."""
    if (a.actor, a.kind, a.target, a.status, a.mark, a.rules) != (b.actor, b.kind, b.target, b.status, b.mark, b.rules):
        return None
    if len(ta) != len(tb):
        return None
    return {(x, y) for x, y in zip(ta, tb) if x != y}


def _loop_at(steps: Sequence[Step], toks: Sequence[list[str]], i: int) -> Loop | None:
    """The longest run from step i of period 1.._MAX_PERIOD whose repetitions differ from
    the first in exactly one value (the same token everywhere it changes), MIN_LOOP or more."""
    best: Loop | None = None
    for k in range(1, _MAX_PERIOD + 1):
        values: list[str] = []
        reps = 1
        while i + (reps + 1) * k <= len(steps):
            pairs: set[tuple[str, str]] = set()
            for j in range(k):
                d = _difference(steps[i + j], steps[i + reps * k + j], toks[i + j], toks[i + reps * k + j])
                if d is None:
                    pairs = set()
                    break
                pairs |= d
            if len(pairs) != 1:
                break
            (first, value), = pairs
            if (values and first != values[0]) or value in values:
                break
            values = values or [first]
            values.append(value)
            reps += 1
        if reps >= MIN_LOOP and (best is None or reps * k > len(best.values) * best.period):
            best = Loop(i, k, tuple(values))
    return best


def _loops(steps: Sequence[Step]) -> list[Loop]:
    toks = [_tokens(s.action) for s in steps]
    out, i = [], 0
    while i < len(steps):
        loop = _loop_at(steps, toks, i)
        out += [loop] if loop else []
        i = loop.steps.stop if loop else i + 1
    return out


def _value_range(values: Sequence[str]) -> str:
    """C:, D:, ... J: as "C:–J:" when consecutive (letters or numbers), else "C:|E:|G:"."""
    def key(v: str) -> int | None:
        if v.isdigit():
            return int(v)
        return ord(v[0].upper()) if len(v) <= 2 and v[0].isalpha() else None
    keys = [key(v) for v in values]
    if None not in keys and keys == list(range(keys[0], keys[0] + len(keys))):
        return f"{values[0]}\u2013{values[-1]}"
    return "|".join(values)


def _loop_label(step: Step, other: Step, values: Sequence[str]) -> str:
    """step's action with the token that changes between repetitions shown as the range."""
    span = _value_range(values)
    return "".join(span if x != y else x for x, y in zip(_tokens(step.action), _tokens(other.action)))


# --- layout: rows on a grid of line slots ------------------------------------------------------------
@dataclass
class _Plan:
    """One row, measured before drawing. Heights are whole line slots, so the step
    numbers and the rule ids can each be one Text down the page."""

    steps: tuple[int, ...]
    step: Step
    style: str               # as DrawnRow.style, or "loop" for a loop's header row
    tag: list[str]           # the mark's word (bold), above the label
    label: list[str]         # the label's lines (a loop header: its guard text)
    status: list[str]
    rules: list[str]
    x0: float                # the text's left and right edges
    x1: float
    ha: str
    anchor: float            # the x the lines are aligned on
    slots: int
    loop: Loop | None = None


def _style_of(step: Step) -> str:
    if step.kind in (Kind.CALL, Kind.RETURN):
        own = step.target is None or step.target is step.actor
        return ("self " if own else "") + step.kind.value
    return step.kind.value


def _plans(trace: Trace, loops: Sequence[Loop], xs: Mapping[Actor, float]) -> list[_Plan]:
    steps, by_first = trace.steps, {lp.first: lp for lp in loops}
    plans: list[_Plan] = []
    i = 0
    while i < len(steps):
        lp = by_first.get(i)
        if lp is None:
            plans.append(_plan((i,), steps[i], steps[i].action, xs))
            i += 1
            continue
        plans.append(_loop_plan(lp, steps[i]))
        for j in range(lp.period):
            label = _loop_label(steps[i + j], steps[i + lp.period + j], lp.values)
            plans.append(_plan(tuple(range(i + j, lp.steps.stop, lp.period)), steps[i + j], label, xs))
        i = lp.steps.stop
    return plans


def _loop_plan(lp: Loop, step: Step) -> _Plan:
    guard = wrap(f"{len(lp.values)} times, once for each of {', '.join(lp.values)}, in this order "
                 f"(steps {lp.steps.start + 1}\u2013{lp.steps.stop})", _AREA[1] - _AREA[0] - 60.0)
    return _Plan(tuple(lp.steps), step, "loop", [], guard, [], [], _AREA[0], _AREA[1], "left", _AREA[0],
                 len(guard) + 1, lp)


def _plan(indices: tuple[int, ...], step: Step, text: str, xs: Mapping[Actor, float]) -> _Plan:
    rules = wrap(", ".join(step.rules), _RULES_W) if step.rules else ["(no rule cited)"]
    style = _style_of(step)
    x = xs[step.actor]
    status: list[str] = []
    if style in ("call", "return"):
        lo, hi = sorted((x, xs[step.target]))
        room = hi - lo - 2 * _MARGIN            # a return stays between its two lifelines
        if step.kind is Kind.CALL:             # a call may spread over its neighbours, on a white box
            room = max(room, min(_CALL_MAX, _AREA[1] - _AREA[0]))
        tag = wrap(mark_word(step.mark), room, bold=True) if step.mark else []
        label = wrap(text, room)
        if step.kind is Kind.RETURN and step.status:
            status = wrap(step.status, room)
        w = max(_block_width(tag, bold=True), _block_width(label + status))
        mid = min(max((lo + hi) / 2, _AREA[0] + w / 2), _AREA[1] - w / 2)
        x0, x1, ha, anchor = mid - w / 2, mid + w / 2, "center", mid
    else:
        gap = 20.0 if style.startswith("self") else 11.0
        right_room, left_room = _AREA[1] - x - gap, x - _AREA[0] - gap
        room = min(_NOTE_MAX, max(right_room, left_room))
        tag = wrap(mark_word(step.mark), room, bold=True) if step.mark else []
        label = wrap(text, room)
        w = max(_block_width(tag, bold=True), _block_width(label))
        if w <= right_room or right_room >= left_room:
            x0, x1, ha, anchor = x + gap, x + gap + w, "left", x + gap
        else:
            x0, x1, ha, anchor = x - gap - w, x - gap, "right", x - gap
    # text lines, then the arrow's slot (an arrow) or a blank slot (a box on the lifeline)
    slots = max(len(tag) + len(label) + len(status) + 1, len(rules))
    return _Plan(indices, step, style, tag, label, status, rules, x0, x1, ha, anchor, slots)


def _positions(lifelines: Sequence[Actor], steps: Sequence[Step]) -> dict[Actor, float]:
    """x of each lifeline: the outer ones _EDGE in from the area, the gaps between them
    sized by the labels of the arrows that cross them: a return's label and status must
    fit between its two lifelines; a call's label may spread over its neighbours."""
    n = len(lifelines)
    left, right = _AREA[0] + _EDGE, _AREA[1] - _EDGE
    if n == 1:
        return {lifelines[0]: (left + right) / 2}
    index = {a: i for i, a in enumerate(lifelines)}
    demand = [_MIN_GAP] * (n - 1)
    for s in steps:
        if s.target is None or s.target is s.actor:
            continue
        a, b = sorted((index[s.actor], index[s.target]))
        if s.kind is Kind.RETURN:
            width = max(text_width(s.action) / 2, text_width(s.status or "")) + 2 * _MARGIN + 6
        else:
            width = min(text_width(s.action) / 2, _CALL_MAX) + 2 * _MARGIN
        for g in range(a, b):
            demand[g] = max(demand[g], min(width / (b - a), 260.0))
    total, wanted, floor = right - left, sum(demand), _MIN_GAP * (n - 1)
    if wanted <= total:
        gaps = [d + (total - wanted) / (n - 1) for d in demand]
    elif total > floor:
        gaps = [_MIN_GAP + (d - _MIN_GAP) * (total - floor) / (wanted - floor) for d in demand]
    else:
        gaps = [total / (n - 1)] * (n - 1)
    xs, x = {}, left
    for i, a in enumerate(lifelines):
        xs[a] = x
        x += gaps[i] if i < n - 1 else 0.0
    return xs


def _header_width(i: int, lifelines: Sequence[Actor], xs: Mapping[Actor, float]) -> float:
    room = [2 * _EDGE]
    room += [xs[lifelines[i]] - xs[lifelines[i - 1]]] if i > 0 else []
    room += [xs[lifelines[i + 1]] - xs[lifelines[i]]] if i < len(lifelines) - 1 else []
    return min(min(room) - 8.0, 120.0)


# --- drawing ------------------------------------------------------------------------------------------
def _draw_sequence(trace: Trace) -> Picture:
    line, _ = _metrics()
    lifelines = _lifelines(trace)
    xs = _positions(lifelines, trace.steps)
    loops = _loops(trace.steps)
    plans = _plans(trace, loops, xs)

    title = f"Outcome: {trace.outcome.value}"
    headline = wrap(trace.headline, _W - 2 * _PAD)
    box_w = [_header_width(i, lifelines, xs) for i in range(len(lifelines))]
    names = [wrap(a.value, w - 6.0) for a, w in zip(lifelines, box_w)]
    header_top = _PAD + 17.0 + line * len(headline) + 4.0
    header_h = 6.0 + line * max(len(v) for v in names)
    rows_top = header_top + header_h + 8.0
    rows_bottom = rows_top + line * sum(p.slots for p in plans)
    legend = _legend_lines(_legend_items(trace, loops))
    legend_top = rows_bottom + 10.0
    height = _height(legend_top + line * 1.4 * len(legend) + _PAD)

    page = _Page(_W, height)
    fig = page.fig
    fig.alt = diagram_alt(trace)
    layers = _Layers()
    page.title(title)
    page.block(_PAD, _PAD + 17.0, headline, role=("headline",))
    page.block(_RULES_X, header_top + (header_h - line) / 2, ["rule ids"], colour=_GREY, role=("rules-head",))
    for a, w, name in zip(lifelines, box_w, names):
        x = xs[a]
        layers.boxes.rect(x - w / 2, header_top, x + w / 2, header_top + header_h, face="#eeeeee",
                          edge="#333333", width=0.8)
        page.block(x, header_top + (header_h - line * len(name)) / 2, name, ha="center", role=("actor", a))
        layers.life.add([(x, header_top + header_h), (x, rows_bottom + 4.0)], _LIFELINE, 0.8)
    drawn = _draw_rows(page, plans, rows_top, xs, layers)
    _draw_legend(page, legend, legend_top, layers)
    layers.add_to(page)
    fig.unloadlab = Diagram(
        title=title + "\n" + " ".join(headline), alt=fig.alt, lifelines=lifelines,
        xs=tuple(xs[a] for a in lifelines), rows=tuple(drawn), loops=tuple(loops),
        size=(FIGURE_WIDTH, height / 72.0))
    return fig


def _draw_rows(page: _Page, plans: Sequence[_Plan], rows_top: float, xs: Mapping[Actor, float],
               layers: _Layers) -> list[DrawnRow]:
    """Every row, top to bottom; the step numbers and the rule ids as one Text each, on
    the rows' line slots, a thin rule under each row's ids."""
    line, _ = _metrics()
    numbers: list[str] = []
    rules: list[str] = []
    drawn: list[DrawnRow] = []
    top = rows_top
    for n, p in enumerate(plans):
        if p.loop is not None:
            body = sum(q.slots for q in plans[n + 1:n + 1 + p.loop.period])
            _draw_loop(page, p, top, top + line * (p.slots + body), layers)
            numbers += [""] * p.slots
            rules += [""] * p.slots
        else:
            drawn.append(_draw_row(page, p, top, xs, layers))
            numbers += [f"{p.steps[0] + 1}"] + [""] * (p.slots - 1)
            rules += p.rules + [""] * (p.slots - len(p.rules))
            bottom = top + line * p.slots
            layers.life.add([(_RULES_X - 4.0, bottom), (_W - _PAD, bottom)], "#d0d0d0", 0.6)
        top += line * p.slots
    page.block(_NUM_RIGHT, rows_top, numbers, ha="right", colour=_GREY, role=("numbers",))
    page.block(_RULES_X, rows_top, rules, colour=_GREY, role=("rules",))
    return drawn


def _draw_row(page: _Page, p: _Plan, top: float, xs: Mapping[Actor, float], layers: _Layers) -> DrawnRow:
    line, _ = _metrics()
    step = p.step
    ms = MARK_STYLES.get(step.mark, _UNSTYLED_MARK) if step.mark else None
    colour, lw = (ms.colour, 2.2) if ms else (_INK, 1.0)
    x = xs[step.actor]
    n_text = len(p.tag) + len(p.label) + len(p.status)
    is_return = step.kind is Kind.RETURN
    if p.style in ("call", "return"):
        xt = xs[step.target]
        _arrow(layers, x, xt, top + line * n_text + 3.5, is_return, colour, lw)
        span = (min(x, xt), max(x, xt))
    elif p.style.startswith("self"):
        _self_arrow(layers, x, top + 2.5, 1.0 if p.ha == "left" else -1.0, is_return, colour, lw)
        span = (x, x)
    else:
        cy = top + line / 2 - 0.5
        layers.solids.rect(x - 4.0, cy - 4.0, x + 4.0, cy + 4.0, face=colour if step.kind is Kind.ACTION else "white",
                           edge=colour, width=1.8 if ms else 1.0)
        span = (x, x)
    pad = _BOX_PAD + (1.5 if ms else 0.0)           # a frame keeps clear of the text
    box = (p.x0 - pad, top - 0.5 - pad / 2, p.x1 + pad, top + line * n_text + pad / 2)
    layers.boxes.rect(*box, face="white", edge=ms.colour if ms else "none", width=1.4 if ms else 0.0,
                      style=ms.dashes if ms else "solid")
    page.block(p.anchor, top, p.tag, ha=p.ha, bold=True, colour=colour, role=("mark", p.steps))
    page.block(p.anchor, top + line * len(p.tag), p.label + p.status, ha=p.ha, role=("label", p.steps))
    return DrawnRow(steps=p.steps, kind=step.kind, style=p.style, actor=step.actor, target=step.target,
                    label=tuple(p.label), status=tuple(p.status), mark=mark_word(step.mark) if step.mark else None,
                    rules=tuple(p.rules), box=box, span=span)


_RETURN_DASHES = (0, (4.0, 2.5))


def _arrow(layers: _Layers, x0: float, x1: float, y: float, is_return: bool, colour: str, lw: float) -> None:
    """A call (solid, filled head) or a return (dashed, open head) from x0 to x1 at y."""
    d = 1.0 if x1 > x0 else -1.0
    if is_return:
        layers.shafts.add([(x0, y), (x1, y)], colour, lw, _RETURN_DASHES)
        layers.shafts.add([(x1 - d * 8.0, y - 3.5), (x1, y), (x1 - d * 8.0, y + 3.5)], colour, max(lw, 1.2))
    else:
        layers.shafts.add([(x0, y), (x1 - d * 6.0, y)], colour, lw)
        layers.solids.add([(x1, y), (x1 - d * 8.0, y - 3.5), (x1 - d * 8.0, y + 3.5)], colour, 0.5, face=colour)


def _self_arrow(layers: _Layers, x: float, y: float, d: float, is_return: bool, colour: str, lw: float) -> None:
    """A small loop out of the lifeline and back, on side d (+1 right, -1 left)."""
    layers.shafts.add([(x, y), (x + d * 14.0, y), (x + d * 14.0, y + 8.0), (x + d * 7.0, y + 8.0)], colour, lw,
                      _RETURN_DASHES if is_return else "solid")
    layers.solids.add([(x, y + 8.0), (x + d * 8.0, y + 4.5), (x + d * 8.0, y + 11.5)], colour, 0.5, face=colour)


def _draw_loop(page: _Page, p: _Plan, top: float, bottom: float, layers: _Layers) -> None:
    """A UML "loop" frame round a loop's body, its guard text in the header row."""
    line, _ = _metrics()
    x0, x1, y0 = _AREA[0] - 4.0, _AREA[1] + 4.0, top + 1.0
    tag_w = text_width("loop", bold=True) + 14.0
    layers.frames.rect(x0, y0, x1, bottom - 2.0, edge="#555555", width=1.0)
    layers.frames.add([(x0, y0), (x0 + tag_w, y0), (x0 + tag_w, y0 + line - 2.0), (x0 + tag_w - 5.0, y0 + line + 2.0),
                       (x0, y0 + line + 2.0)], edge="#555555", width=1.0, face="#eeeeee")
    page.block(x0 + 5.0, top + 1.5, ["loop"], bold=True, role=("loop", p.steps))
    gx = x0 + tag_w + 8.0
    layers.boxes.rect(gx - _BOX_PAD, top + 1.5, gx + _block_width(p.label) + _BOX_PAD, top + 1.5 + line * len(p.label),
                      face="white", edge="none", width=0.0)
    page.block(gx, top + 1.5, p.label, role=("guard", p.steps))


# --- legend: every shape and every mark shown, in words -----------------------------------------------
def _legend_items(trace: Trace, loops: Sequence[Loop]) -> list[tuple[str, Any, str]]:
    """(sample, its parameter, the words) for each entry, in reading order."""
    items: list[tuple[str, Any, str]] = [
        ("call", None, "call"), ("return", None, "return (its status above the arrow)"),
        ("action", None, "action"), ("note", None, "note"),
    ]
    if loops:
        items.append(("loop", None, "loop: steps that repeat once per value, drawn once"))
    marks = [m for m in Mark if any(s.mark is m for s in trace.steps)]
    if marks:
        items.append(("text", None, "marked steps: a thick line; the label framed, under the mark's name:"))
        items += [("mark", m, mark_word(m)) for m in marks]
    return items


_SAMPLE_W = {"call": 28.0, "return": 28.0, "action": 12.0, "note": 12.0, "loop": 28.0, "text": 0.0, "mark": 4.0}


def _legend_lines(items: list[tuple[str, Any, str]]) -> list[list[tuple[str, Any, str, float]]]:
    """Items flowed into lines across the page, each with its width."""
    lines: list[list[tuple[str, Any, str, float]]] = [[]]
    used = 0.0
    for kind, arg, words in items:
        w = _SAMPLE_W[kind] + text_width(words, bold=kind == "mark") + (18.0 if kind == "mark" else 14.0)
        if lines[-1] and used + w > _W - 2 * _PAD:
            lines.append([])
            used = 0.0
        lines[-1].append((kind, arg, words, w))
        used += w
    return lines


def _draw_legend(page: _Page, lines: list[list[tuple[str, Any, str, float]]], top: float, layers: _Layers) -> None:
    line, ascent = _metrics()
    for n, items in enumerate(lines):
        y = top + line * 1.4 * n
        mid = y + ascent - 3.0
        x = _PAD
        for kind, arg, words, w in items:
            if kind in ("call", "return"):
                _arrow(layers, x, x + 24.0, mid, kind == "return", _INK, 1.0)
            elif kind in ("action", "note"):
                layers.solids.rect(x, mid - 4.0, x + 8.0, mid + 4.0, face=_INK if kind == "action" else "white",
                                   edge=_INK, width=1.0)
            elif kind == "loop":
                layers.frames.rect(x, y - 1.0, x + 22.0, y + line + 1.0, edge="#555555", width=1.0)
            if kind == "mark":
                ms = MARK_STYLES.get(arg, _UNSTYLED_MARK)
                layers.boxes.rect(x - 1.0, y - 2.0, x + text_width(words, bold=True) + 9.0, y + line + 1.0,
                                  face="white", edge=ms.colour, width=1.4, style=ms.dashes)
                page.block(x + _SAMPLE_W[kind], y, [words], bold=True, colour=ms.colour, role=("legend", words))
            else:
                page.block(x + _SAMPLE_W[kind], y, [words], colour=_GREY, role=("legend", words))
            x += w


# =====================================================================================
# Decision grid
# =====================================================================================
_DNSS = RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP
GRID_PANELS: dict[str, frozenset[RegistrationFlag]] = {
    "DO_NOT_SUPPORT_SERVICE_STOP off": frozenset(),
    "DO_NOT_SUPPORT_SERVICE_STOP on": frozenset({_DNSS}),
}
GRID_COLUMNS: dict[str, dict[str, Any]] = {
    "no callback": dict(unload_callback=False),
    "success": dict(callback_returns=STATUS_CLASSES["success"]),
    "informational": dict(callback_returns=STATUS_CLASSES["informational"]),
    "warning": dict(callback_returns=STATUS_CLASSES["warning"]),
    "error": dict(callback_returns=STATUS_CLASSES["error"]),
    "error only if not mandatory": dict(callback_returns=STATUS_CLASSES["error"],
                                        refuse_only_if_not_mandatory=True),
}
_GRID_AXES = {"trigger", "flags", "unload_callback", "callback_returns", "refuse_only_if_not_mandatory"}


@dataclass(frozen=True)
class Grid:
    """``fig.unloadlab`` of a decision grid."""

    table: Mapping[tuple[str, Trigger, str], Outcome]
    panels: tuple[str, ...]
    triggers: tuple[Trigger, ...]
    columns: tuple[str, ...]
    cells: Mapping[tuple[str, Trigger, str], str]   # the words drawn in each cell
    legend: tuple[tuple[str, str], ...]             # (word, Outcome.value) per outcome shown
    alt: str
    size: tuple[float, float]                        # inches


def _grid_traces(knobs: Mapping[str, Any]) -> dict[tuple[str, Trigger, str], Trace]:
    clash = sorted(_GRID_AXES & set(knobs))
    if clash:
        raise ScenarioError(f"{', '.join(clash)}: set by the grid's rows, columns and panels; "
                            "pass only the other MinifilterScenario knobs")
    return {
        (panel, trigger, column): minifilter.simulate(
            MinifilterScenario(trigger=trigger, flags=flags, **cell, **knobs))
        for panel, flags in GRID_PANELS.items()
        for trigger in Trigger
        for column, cell in GRID_COLUMNS.items()
    }


def decision_table(**knobs: Any) -> dict[tuple[str, Trigger, str], Outcome]:
    """{(panel, trigger, column): Outcome} from ``minifilter.simulate``: panels are
    ``GRID_PANELS`` (the service-stop opt-out flag off/on), rows every ``Trigger``, columns
    ``GRID_COLUMNS`` (no callback, or what it returns). Other ``MinifilterScenario`` knobs
    may be given (e.g. ``driver_entry_returns="STATUS_UNSUCCESSFUL"``); defaults otherwise."""
    return {key: t.outcome for key, t in _grid_traces(knobs).items()}


def outcome_word(outcome: Outcome) -> str:
    return OUTCOME_WORDS.get(outcome, outcome.value)


def grid_alt(table: Mapping[tuple[str, Trigger, str], Outcome]) -> str:
    """The grid's text alternative: what its axes are and how many cells give each outcome."""
    counts = {o: sum(1 for v in table.values() if v is o) for o in Outcome}
    shown = ", ".join(f"{outcome_word(o)} in {n}" for o, n in counts.items() if n)
    return (f"Decision grid: how the unload request ends for each of {len(Trigger)} triggers (rows) and "
            f"{len(GRID_COLUMNS)} FilterUnloadCallback behaviours (columns), once without and once with "
            f"FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP; each cell names its outcome in words. "
            f"Of the {len(table)} cells: {shown}.")


def decision_grid(**knobs: Any) -> Picture:
    """Draw ``decision_table(**knobs)``: one panel per opt-out setting, a row per trigger,
    a column per callback behaviour; each cell names its outcome in words (``OUTCOME_WORDS``)
    on a colour fill (``OUTCOME_FILLS``); a legend gives each word's full outcome.
    ``fig.unloadlab`` is a ``Grid``."""
    traces = _grid_traces(knobs)
    with _style():
        return _draw_grid(traces, knobs)


_G_LABEL_W = 140.0          # the trigger column


def _draw_grid(traces: Mapping[tuple[str, Trigger, str], Trace], knobs: Mapping[str, Any]) -> Picture:
    line, _ = _metrics()
    panels, triggers, columns = tuple(GRID_PANELS), tuple(Trigger), tuple(GRID_COLUMNS)
    table = {k: t.outcome for k, t in traces.items()}
    cell_w = (_W - 2 * _PAD - _G_LABEL_W) / len(columns)
    other = ", ".join(f"{k}={v}" for k, v in sorted(knobs.items())) or "all at their defaults"
    sub = wrap(f"Each cell is minifilter.simulate's outcome; other knobs: {other}.", _W - 2 * _PAD)
    heads = []
    for column in columns:
        st = GRID_COLUMNS[column].get("callback_returns")
        heads.append(wrap(column, cell_w - 6.0) + (wrap(st.name, cell_w - 6.0) if st is not None else []))
    head_h = line * max(len(h) for h in heads) + 4.0
    words = {k: wrap(outcome_word(o), cell_w - 8.0) for k, o in table.items()}
    row_labels = {}
    for trigger in triggers:
        mandatory = traces[(panels[0], trigger, columns[0])].state.get("mandatory")
        row_labels[trigger] = wrap(trigger.value + (" (mandatory)" if mandatory else ""), _G_LABEL_W - 8.0)
    row_h = {t: line * max([len(row_labels[t])] + [len(words[(p, t, c)]) for p in panels for c in columns]) + 8.0
             for t in triggers}
    shown = [o for o in Outcome if o in set(table.values())]
    legend = _grid_legend_lines(shown)

    top = _PAD + 17.0 + line * len(sub) + 8.0
    panel_h = line + 4.0 + head_h + sum(row_h.values()) + 12.0
    height = _height(top + panel_h * len(panels) + line * 1.4 * len(legend) + _PAD)
    page = _Page(_W, height)
    fig = page.fig
    fig.alt = grid_alt(table)
    page.title("How the unload request ends: trigger \u00d7 what FilterUnloadCallback returns")
    page.block(_PAD, _PAD + 17.0, sub, colour=_GREY, role=("subtitle",))
    y = top
    for pi, panel in enumerate(panels):
        page.block(_PAD, y, [f"FLTFL_REGISTRATION_{panel}"], bold=True, role=("panel", panel))
        y += line + 4.0
        for c, head in enumerate(heads):
            name_lines = len(wrap(columns[c], cell_w - 6.0))
            cx = _PAD + _G_LABEL_W + cell_w * (c + 0.5)
            page.block(cx, y, head[:name_lines], ha="center", role=("column", columns[c]))
            page.block(cx, y + line * name_lines, head[name_lines:], ha="center", colour=_GREY,
                   role=("column-status", columns[c]))
        y += head_h
        for ri, trigger in enumerate(triggers):
            h = row_h[trigger]
            page.block(_PAD, y + 4.0, row_labels[trigger], role=("trigger", trigger))
            for c, column in enumerate(columns):
                key = (panel, trigger, column)
                x0 = _PAD + _G_LABEL_W + cell_w * c
                cell = Rectangle((x0, y), cell_w, h, facecolor=OUTCOME_FILLS.get(table[key], "#ffffff"),
                                 edgecolor="white", linewidth=1.5, zorder=1)
                cell.set_gid(f"cell-{pi}-{ri}-{c}")
                page.add(cell)
                page.block(x0 + cell_w / 2, y + (h - line * len(words[key])) / 2, words[key], ha="center",
                       role=("cell", key))
            y += h
        y += 12.0
    _draw_grid_legend(page, legend, y)
    fig.unloadlab = Grid(table=table, panels=panels, triggers=triggers, columns=columns,
                         cells={k: " ".join(v) for k, v in words.items()},
                         legend=tuple((outcome_word(o), o.value) for o in shown), alt=fig.alt,
                         size=(FIGURE_WIDTH, height / 72.0))
    return fig


def _draw_grid_legend(page: _Page, legend: list[list[tuple[float, Outcome, str]]], top: float) -> None:
    """A swatch of each outcome's colour with its word and, where they differ, its value."""
    line, _ = _metrics()
    for n, items in enumerate(legend):
        y = top + line * 1.4 * n
        for x, outcome, text in items:
            swatch = Rectangle((x, y), 16.0, line - 1.0, facecolor=OUTCOME_FILLS.get(outcome, "#ffffff"),
                               edgecolor="#666666", linewidth=0.6, zorder=1)
            swatch.set_gid(f"legend-{outcome.name.lower()}")
            page.add(swatch)
            page.block(x + 21.0, y - 0.5, [text], role=("legend", outcome))


def _legend_text(outcome: Outcome) -> str:
    word = outcome_word(outcome)
    return f"{word} = {outcome.value}" if word != outcome.value else word


def _grid_legend_lines(shown: Sequence[Outcome]) -> list[list[tuple[float, Outcome, str]]]:
    lines: list[list[tuple[float, Outcome, str]]] = [[]]
    x = _PAD
    for outcome in shown:
        text = _legend_text(outcome)
        w = 21.0 + text_width(text) + 18.0
        if lines[-1] and x + w > _W - _PAD:
            lines.append([])
            x = _PAD
        lines[-1].append((x, outcome, text))
        x += w
    return lines
