"""Pictures of traces: a sequence diagram of one trace, and the minifilter decision grid.

Renderers only. Every outcome, status, mark and rule id drawn here is read from a
``Trace`` (or from ``minifilter.simulate``); nothing about unloading is decided here.

Public API
----------
``sequence_diagram(trace, ax=None) -> Figure``
    One lifeline per actor taking part, one arrow per CALL/RETURN step, a box marker per
    ACTION/NOTE step, rule ids beside every step. ``fig.unloadlab`` is a ``Diagram``.
``decision_table(**knobs) -> dict[(panel, Trigger, column), Outcome]``
    The data the grid draws: ``minifilter.simulate`` over trigger x callback column x
    service-stop opt-out, other knobs at their defaults (or as given).
``decision_grid(**knobs) -> Figure``
    That table drawn: outcome in words in every cell, colour as a second channel, a legend.
    ``fig.unloadlab`` is a ``Grid``.

How text is drawn, and why
--------------------------
Measured here (matplotlib 3.11, 2 cores): Agg text costs about 0.19 ms per *glyph*
(shaping plus a per-glyph render loop), whatever the number of Text artists, so a
diagram with ~1,500 characters took ~300 ms. Text is therefore drawn as filled glyph
outlines (DejaVu Sans from matplotlib's own data directory, no hinting, like
``TextPath``), all strings in one ``PathCollection``: a few ms per diagram. Outlines are
looked up once per figure (no global cache). The figure holds no ``Text`` artists and
no Axes (an Axes costs ~15-20 ms to create); one ``Line2D`` rule sits in ``fig.lines``
because IPython's inline backend shows nothing for a figure with neither. Every artist
is out of layout, so ``bbox_inches="tight"`` keeps the whole, fixed page. The drawn
strings are recorded in ``fig.unloadlab.labels`` for tests.

PNG: the figure's canvas writes PNGs with zlib level 1 and no row filters instead of
PIL's encoder (which took longer than drawing the diagram); pass ``pil_kwargs`` to
``savefig`` to get matplotlib's own writer. Same pixels either way.

Sizes are fixed: 9.6 in wide at 100 dpi; a diagram's height is a deterministic function
of its steps (whole pixels); the grid is always ``GRID_SIZE``.
"""
from __future__ import annotations

import math
import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import get_font
from matplotlib.ft2font import Kerning, LoadFlags
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from .. import minifilter
from ..minifilter import STATUS_CLASSES, MinifilterScenario, RegistrationFlag, Trigger
from ..windows import Actor, Kind, Mark, Outcome, ScenarioError, Trace

__all__ = [
    "sequence_diagram", "decision_grid", "decision_table", "Diagram", "DrawnStep", "Grid",
    "ACTOR_ORDER", "MARK_LABELS", "OUTCOME_WORDS", "GRID_PANELS", "GRID_COLUMNS",
    "FIGURE_WIDTH", "DPI", "GRID_SIZE",
]

DPI = 100
FIGURE_WIDTH = 9.6          # inches, every figure

# Lifelines, left to right; actors the enum gains later are appended in enum order.
ACTOR_ORDER: tuple[Actor, ...] = (
    Actor.CALLER, Actor.SCM, Actor.IO_MANAGER, Actor.FILTER_MANAGER, Actor.MINIFILTER,
    Actor.INSTANCES, Actor.FRAMEWORK, Actor.CALLOUT_DRIVER, Actor.FILTER_ENGINE,
)

# The text label every mark gets (never colour alone), its colour and line style.
MARK_LABELS: dict[Mark, str] = {
    Mark.REFUSED: "REFUSED", Mark.FAILED: "FAILED", Mark.IGNORED: "IGNORED",
    Mark.HUNG: "HUNG", Mark.HAZARD: "HAZARD", Mark.SILENT: "DOC SILENT",
}
_MARK_COLOURS: dict[Mark, str] = {
    Mark.REFUSED: "#a65000", Mark.FAILED: "#b71c1c", Mark.IGNORED: "#1f5fa8",
    Mark.HUNG: "#6a1b9a", Mark.HAZARD: "#ad1457", Mark.SILENT: "#555555",
}

# Outcome words for the grid cells (the legend gives ``Outcome.value`` in full).
OUTCOME_WORDS: dict[Outcome, str] = {
    Outcome.UNLOADED: "unloaded",
    Outcome.REFUSED: "refused",
    Outcome.FAILED: "fails, not called",
    Outcome.HUNG: "hung",
    Outcome.SHUTDOWN: "not called (shutdown)",
    Outcome.DRIVER_ENTRY_FAILED: "DriverEntry failed",
    Outcome.HAZARD: "callouts left",
}
_OUTCOME_FILL: dict[Outcome, str] = {
    Outcome.UNLOADED: "#cfe8cf", Outcome.REFUSED: "#fbd9a6", Outcome.FAILED: "#f4b6b6",
    Outcome.HUNG: "#d9c2ec", Outcome.SHUTDOWN: "#c9dcf2", Outcome.DRIVER_ENTRY_FAILED: "#dcdcdc",
    Outcome.HAZARD: "#f6c3da",
}

# Fixed style: only keys that the artists below read; the rest is explicit per artist.
_STYLE = {
    "figure.facecolor": "white", "figure.edgecolor": "white", "figure.frameon": True,
    "figure.autolayout": False, "figure.constrained_layout.use": False,
    "font.family": ["DejaVu Sans"], "font.size": 10.0,
    "lines.antialiased": True, "patch.antialiased": True, "lines.scale_dashes": True,
    "path.simplify": True, "path.snap": True, "path.sketch": None, "path.effects": [],
    "agg.path.chunksize": 0,
}

_INK = "#111111"
_GREY = "#444444"
_LIFELINE = "#9a9a9a"


# =====================================================================================
# Text as glyph outlines
# =====================================================================================
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_UNITS = 100.0   # glyphs are loaded at 100 px/em, 72 dpi, then scaled to the size in points
_NO_HINTING, _UNSCALED = LoadFlags.NO_HINTING, Kerning.UNSCALED


class _Face:
    """One font's glyph outlines, advances and kerning, loaded as needed (for one figure)."""

    def __init__(self, bold: bool) -> None:
        self.font = get_font(os.path.join(mpl.get_data_path(), "fonts", "ttf", _FONT_FILES[bold]))
        self.glyphs: dict[str, tuple[np.ndarray, np.ndarray, float, int]] = {}
        self.kerning: dict[tuple[int, int], float] = {}
        self.kern_scale = _UNITS / self.font.units_per_EM   # font units -> our units, any size

    def glyph(self, ch: str) -> tuple[np.ndarray, np.ndarray, float, int]:
        g = self.glyphs.get(ch)
        if g is None:
            font = self.font
            font.clear()
            font.set_size(_UNITS, 72)
            index = font.get_char_index(ord(ch)) or font.get_char_index(ord("?"))
            loaded = font.load_glyph(index, flags=_NO_HINTING)
            verts, codes = font.get_path()
            g = (np.asarray(verts, float).reshape(-1, 2), np.asarray(codes, np.uint8),
                 loaded.linearHoriAdvance / 65536.0, index)
            self.glyphs[ch] = g
        return g

    def pens(self, s: str) -> tuple[list[float], float]:
        """Where each glyph of s starts, and the total advance (font units)."""
        pens, pen, prev, kerning, glyph = [], 0.0, 0, self.kerning, self.glyph
        for ch in s:
            _, _, adv, idx = glyph(ch)
            if prev:
                k = kerning.get((prev, idx))
                if k is None:
                    k = kerning[(prev, idx)] = self.font.get_kerning(prev, idx, _UNSCALED) * self.kern_scale
                pen += k
            pens.append(pen)
            pen += adv
            prev = idx
        return pens, pen


class _Ink:
    """Collects strings as outline paths; ``collection()`` makes the one artist."""

    def __init__(self) -> None:
        self.faces: dict[bool, _Face] = {}
        self.paths: list[Path] = []
        self.colours: list[str] = []
        self.strings: list[str] = []
        self.widths: dict[tuple[str, bool], float] = {}

    def face(self, bold: bool) -> _Face:
        f = self.faces.get(bold)
        if f is None:
            f = self.faces[bold] = _Face(bold)
        return f

    def width(self, s: str, size: float, bold: bool = False) -> float:
        w = self.widths.get((s, bold))
        if w is None:
            w = self.widths[(s, bold)] = self.face(bold).pens(s)[1]
        return w * size / _UNITS

    def text(self, s: str, x: float, y: float, size: float, *, bold: bool = False,
             colour: str = _INK, ha: str = "left") -> float:
        """Draw s with its baseline at y (points, y up); returns its width."""
        if not s:
            return 0.0
        face = self.face(bold)
        pens, total = face.pens(s)
        k = size / _UNITS
        width = total * k
        if ha == "center":
            x -= width / 2
        elif ha == "right":
            x -= width
        verts, codes, shifts, counts = [], [], [], []
        for ch, pen in zip(s, pens):
            v, c, _, _ = face.glyph(ch)
            if len(c):
                verts.append(v)
                codes.append(c)
                shifts.append(pen)
                counts.append(len(c))
        if verts:
            v = np.concatenate(verts)
            v[:, 0] += np.repeat(shifts, counts)
            v *= k
            v += (x, y)
            self.paths.append(Path(v, np.concatenate(codes), readonly=True))
            self.colours.append(colour)
        self.strings.append(s)
        return width

    def fit(self, s: str, size: float, max_w: float, bold: bool = False) -> str:
        """s, or its longest prefix that fits with an ellipsis."""
        if self.width(s, size, bold) <= max_w:
            return s
        room = max_w - self.width("\u2026", size, bold)
        pens, total = self.face(bold).pens(s)
        k, cut = size / _UNITS, 0
        for i, ch in enumerate(s):
            end = pens[i + 1] if i + 1 < len(s) else total
            if end * k > room:
                break
            cut = i + 1
        return s[:cut].rstrip(" ,;:(") + "\u2026"

    def wrap(self, pieces: Iterable[str], sep: str, size: float, max_w: float,
             bold: bool = False) -> list[str]:
        """Join pieces with sep into lines no wider than max_w (a piece too wide is cut)."""
        lines: list[str] = []
        current = ""
        for piece in pieces:
            trial = f"{current}{sep}{piece}" if current else piece
            if self.width(trial + sep.rstrip(), size, bold) <= max_w or not current:
                current = trial
            else:
                lines.append(current + sep.rstrip())
                current = piece
        if current:
            lines.append(current)
        return [self.fit(line, size, max_w, bold) for line in lines]

    def collection(self, transform: Any) -> PathCollection:
        coll = PathCollection(self.paths, facecolors=self.colours, edgecolors="none",
                              linewidths=0.0, transform=transform, zorder=5)
        return coll


# =====================================================================================
# Shapes gathered into a few collections
# =====================================================================================
@dataclass
class _Layer:
    """Polylines or polygons with per-item style, drawn as one collection."""

    items: list[np.ndarray] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    faces: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    styles: list[Any] = field(default_factory=list)

    def line(self, pts: Any, colour: str = _INK, width: float = 1.0, style: Any = "solid") -> None:
        self.items.append(np.asarray(pts, float))
        self.colours.append(colour)
        self.widths.append(width)
        self.styles.append(style)

    def poly(self, pts: Any, face: str, edge: str = "none", width: float = 0.0) -> None:
        self.items.append(np.asarray(pts, float))
        self.faces.append(face)
        self.colours.append(edge)
        self.widths.append(width)

    def rect(self, x0: float, y0: float, x1: float, y1: float, face: str, edge: str = "none",
             width: float = 0.0) -> None:
        self.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], face, edge, width)

    def lines(self, transform: Any, zorder: float) -> LineCollection:
        return LineCollection(self.items, colors=self.colours, linewidths=self.widths,
                              linestyles=self.styles, transform=transform, zorder=zorder,
                              capstyle="butt", joinstyle="miter")

    def polys(self, transform: Any, zorder: float) -> PolyCollection:
        return PolyCollection(self.items, facecolors=self.faces, edgecolors=self.colours,
                              linewidths=self.widths, transform=transform, zorder=zorder,
                              closed=True, joinstyle="miter")


class _Canvas(FigureCanvasAgg):
    """Agg whose PNG writer skips PIL unless ``pil_kwargs`` are given.

    Measured here, PIL spends 60-80 ms on a 960x1000 diagram (it tries every PNG row
    filter, even at compression level 0), more than drawing it; zlib level 1 over
    unfiltered rows takes ~20-30 ms and the file is no larger. The notebook's inline
    backend and ``fig.savefig(..., format="png")`` both go through this canvas."""

    def print_png(self, filename_or_obj: Any, *, metadata: Any = None, pil_kwargs: Any = None,
                  **_print_figure_extras: Any) -> None:
        # print_figure also passes dpi, facecolor, ... to print methods outside matplotlib;
        # they are already in effect on the figure, as for Agg's own print_png.
        if pil_kwargs is not None:
            return super().print_png(filename_or_obj, metadata=metadata, pil_kwargs=pil_kwargs)
        FigureCanvasAgg.draw(self)
        data = _png_bytes(np.asarray(self.buffer_rgba()), self.figure.dpi,
                          {"Software": f"Matplotlib version{mpl.__version__}, https://matplotlib.org/",
                           **(metadata or {})})
        if hasattr(filename_or_obj, "write"):
            filename_or_obj.write(data)
        else:
            with open(os.fspath(filename_or_obj), "wb") as f:
                f.write(data)
        return None


def _png_bytes(rgba: np.ndarray, dpi: float, text: Mapping[str, Any]) -> bytes:
    """An RGBA PNG: unfiltered rows, zlib level 1, pHYs from dpi, tEXt per metadata key."""
    h, w = rgba.shape[:2]
    rows = np.empty((h, 1 + 4 * w), np.uint8)
    rows[:, 0] = 0                                   # filter type None on every row
    rows[:, 1:] = rgba.reshape(h, 4 * w)

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ppm = int(round(dpi / 0.0254))
    parts = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)),
             chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))]
    for key, value in text.items():
        if value is not None:
            parts.append(chunk(b"tEXt", key.encode("latin-1", "replace") + b"\0"
                               + str(value).encode("latin-1", "replace")))
    parts += [chunk(b"IDAT", zlib.compress(rows, 1)), chunk(b"IEND", b"")]
    return b"".join(parts)


def _page(width_pt: float, height_pt: float, ax: Any) -> tuple[Figure, Any]:
    """A new fixed-size figure (or the given Axes) and the points->display transform,
    with y up from the bottom of the drawing."""
    if ax is None:
        fig = Figure(figsize=(width_pt / 72.0, height_pt / 72.0), dpi=DPI)
        _Canvas(fig)
        return fig, Affine2D().scale(1 / 72.0) + fig.dpi_scale_trans
    fig = ax.figure
    ax.set_axis_off()
    fw, fh = fig.get_size_inches() * 72.0
    pos = ax.get_position()
    aw, ah = pos.width * fw, pos.height * fh
    k = min(aw / width_pt, ah / height_pt)          # uniform: outlines keep their shape
    t = Affine2D().scale(k / aw, k / ah).translate(0.0, 1.0 - height_pt * k / ah) + ax.transAxes
    return fig, t


def _rule(fig: Figure, ax: Any, tr: Any, x0: float, x1: float, y: float) -> None:
    """A thin horizontal rule under the title, as a figure-level Line2D. IPython's inline
    backend displays nothing for a figure with neither Axes nor ``fig.lines``, so the
    rule goes into ``fig.lines`` (the route the matplotlib Artist tutorial shows)."""
    line = Line2D([x0, x1], [y, y], color="#bbbbbb", linewidth=0.6, transform=tr,
                  solid_capstyle="butt")
    line.set_in_layout(False)
    if ax is None:
        line.set_figure(fig)
        fig.lines.append(line)
    else:
        line.set_clip_on(False)
        ax.add_artist(line)


def _add(fig: Figure, ax: Any, artists: Iterable[Any]) -> None:
    for a in artists:
        a.set_in_layout(False)
        a.set_clip_on(False)
        if ax is None:
            fig.add_artist(a)
        else:
            ax.add_artist(a)


def _pixels(points: float) -> float:
    """Round a length up to whole pixels at DPI (deterministic figure heights)."""
    return math.ceil(points / 72.0 * DPI - 1e-9) * 72.0 / DPI


# =====================================================================================
# Sequence diagram
# =====================================================================================
@dataclass(frozen=True)
class DrawnStep:
    """What was drawn for one step of the trace."""

    index: int                   # position in trace.steps (0-based; the diagram numbers from 1)
    kind: Kind
    shape: str                   # "arrow" (CALL, RETURN) or "marker" (ACTION, NOTE)
    style: str                   # "solid"/"dashed" arrows, "box-filled"/"box-hollow" markers;
                                 # marked steps: "+thick" added, or "dotted+thick" (SILENT)
    actor: Actor
    target: Actor | None
    label: str                   # the short form of step.action that was drawn
    status: str | None           # drawn under a return arrow
    mark: str | None             # the mark's text label, e.g. "REFUSED" (drawn beside the label)
    rule_lines: tuple[str, ...]  # the rule ids, as drawn in the rules column


@dataclass(frozen=True)
class Diagram:
    """``fig.unloadlab`` of a sequence diagram: its structure, for tests and readers."""

    title: str                       # both title lines, "\n"-joined
    lifelines: tuple[Actor, ...]     # left to right
    steps: tuple[DrawnStep, ...]     # one per trace step, in order
    labels: tuple[str, ...]          # every string drawn, in drawing order
    size: tuple[float, float]        # inches

    @property
    def arrows(self) -> tuple[int, ...]:
        """Step indices drawn as arrows (one arrow each)."""
        return tuple(s.index for s in self.steps if s.shape == "arrow")

    @property
    def markers(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.steps if s.shape == "marker")


# Layout, in points (1/72 in); y grows downwards until the final flip.
_W = FIGURE_WIDTH * 72.0
_PAD = 8.0
_NUM_RIGHT = 24.0
_AREA = (30.0, 474.0)                  # lifelines live here
_RULES = (486.0, _W - _PAD)            # the rules column
_LABEL_MAX = 216.0
_F_TITLE, _F_HEAD, _F_HEADER, _F_LABEL, _F_SMALL = 10.5, 8.0, 7.2, 7.0, 6.3
_RULE_PITCH = 7.5
_HEADER_PITCH = 8.5


def _lifelines(trace: Trace) -> tuple[Actor, ...]:
    present = {s.actor for s in trace.steps} | {s.target for s in trace.steps if s.target}
    order = ACTOR_ORDER + tuple(a for a in Actor if a not in ACTOR_ORDER)
    return tuple(a for a in order if a in present)


_CALL_FORM = re.compile(r"^(?P<name>[^()]*?)\((?P<args>.*)\)$")


def _short(ink: _Ink, action: str, max_w: float) -> str:
    """A short form of step.action: whole if it fits, else name(first arg, ...), else cut."""
    action = " ".join(action.split())
    if ink.width(action, _F_LABEL) <= max_w:
        return action
    m = _CALL_FORM.match(action)
    if m:
        name, args = m["name"], m["args"]
        first = args.split(",")[0].strip()
        for candidate in ((f"{name}({first}, \u2026)" if "," in args else ""), f"{name}(\u2026)"):
            if candidate and ink.width(candidate, _F_LABEL) <= max_w:
                return candidate
    return ink.fit(action, _F_LABEL, max_w)


def sequence_diagram(trace: Trace, ax: Any = None) -> Figure:
    """Draw one trace as a sequence diagram and return its Figure.

    Lifelines for the actors taking part (canonical order, ``ACTOR_ORDER``); per step, in
    order top to bottom: a solid arrow (CALL) or a dashed one with the status under it
    (RETURN), or a box on the actor's lifeline (ACTION filled, NOTE hollow); its short
    action label; a marked step drawn thick (dotted for SILENT), in its colour, with its
    label from ``MARK_LABELS``; the step number on the left and its rule ids on the right.
    The title gives ``trace.outcome.value`` and the headline.

    With ``ax``, the drawing is fitted (uniform scale) into that Axes, which is turned
    off; the returned Figure is ``ax.figure``. ``fig.unloadlab`` (and ``ax.unloadlab``)
    is a ``Diagram``.
    """
    if not isinstance(trace, Trace):
        raise TypeError(f"sequence_diagram() needs a Trace, got {type(trace).__name__}")
    with mpl.rc_context(_STYLE):
        return _draw_sequence(trace, ax)


def _draw_sequence(trace: Trace, ax: Any) -> Figure:
    ink = _Ink()
    lifelines = _lifelines(trace)
    n = max(len(lifelines), 1)
    spacing = (_AREA[1] - _AREA[0]) / n
    xs = {a: _AREA[0] + spacing * (i + 0.5) for i, a in enumerate(lifelines)}
    rules_w = _RULES[1] - _RULES[0]

    # --- measure: title, header, rows (all in points, y down) -----------------------
    title1 = f"Outcome: {trace.outcome.value}"
    head_lines = ink.wrap(trace.headline.split(), " ", _F_HEAD, _W - 2 * _PAD)
    if len(head_lines) > 2:
        head_lines = [head_lines[0], ink.fit(" ".join(head_lines[1:]), _F_HEAD, _W - 2 * _PAD)]
    box_w = min(spacing - 6.0, 112.0)
    names = {a: ink.wrap(a.value.split(" "), " ", _F_HEADER, box_w - 4.0) for a in lifelines}
    header_h = 5.0 + _HEADER_PITCH * max((len(v) for v in names.values()), default=1)

    rows = []
    for i, step in enumerate(trace.steps):
        arrow = step.kind in (Kind.CALL, Kind.RETURN)
        tag = MARK_LABELS.get(step.mark, step.mark.name) if step.mark else None
        tag_w = ink.width(f"[{tag}]", _F_SMALL, True) + 4.0 if tag else 0.0
        label = _short(ink, step.action, _LABEL_MAX - tag_w)
        status = step.status if step.kind is Kind.RETURN and step.status else None
        if status:
            status = ink.fit(" ".join(status.split()), _F_SMALL, _LABEL_MAX)
        rule_lines = tuple(ink.wrap(step.rules, ", ", _F_SMALL, rules_w)) or ("(no rule cited)",)
        height = 24.0 if status else 16.0
        height = max(height, 12.5 + _RULE_PITCH * (len(rule_lines) - 1))
        rows.append((i, step, arrow, tag, tag_w, label, status, rule_lines, height))

    top = _PAD + 14.0 + 10.0 * len(head_lines) + 6.0
    rows_top = top + header_h + 6.0
    rows_bottom = rows_top + sum(r[-1] for r in rows)
    legend_top = rows_bottom + 10.0
    height_pt = _pixels(legend_top + 14.0 + _PAD)

    fig, tr = _page(_W, height_pt, ax)
    Y = lambda y: height_pt - y  # noqa: E731  (y down -> y up)

    life = _Layer()       # lifelines (under everything)
    backs = _Layer()      # header boxes and white label backgrounds
    shafts = _Layer()     # arrow shafts, open heads, self loops
    solids = _Layer()     # filled heads, step markers

    # --- title and header ---------------------------------------------------------------
    ink.text(title1, _PAD, Y(_PAD + 10.5), _F_TITLE, bold=True)
    _rule(fig, ax, tr, _PAD, _W - _PAD, Y(top - 3.0))
    for j, line in enumerate(head_lines):
        ink.text(line, _PAD, Y(_PAD + 14.0 + 10.0 * (j + 1) - 1.5), _F_HEAD)
    for a in lifelines:
        x = xs[a]
        backs.rect(x - box_w / 2, Y(top), x + box_w / 2, Y(top + header_h), "#eeeeee", "#333333", 0.8)
        lines = names[a]
        first = top + (header_h - _HEADER_PITCH * len(lines)) / 2 + 6.8
        for j, line in enumerate(lines):
            ink.text(line, x, Y(first + _HEADER_PITCH * j), _F_HEADER, ha="center")
        life.line([(x, Y(top + header_h)), (x, Y(rows_bottom + 4.0))], _LIFELINE, 0.8)
    ink.text("rule ids", _RULES[0], Y(top + header_h / 2 + 2.5), _F_HEADER, colour=_GREY)

    # --- the steps --------------------------------------------------------------------------
    def background(x0: float, x1: float, baseline: float, size: float) -> None:
        backs.rect(x0 - 1.0, Y(baseline - 0.78 * size), x1 + 1.0, Y(baseline + 0.26 * size), "white")

    def labelled(text: str, tag: str | None, tag_w: float, colour: str, x0: float, baseline: float) -> None:
        w = ink.text(text, x0, Y(baseline), _F_LABEL)
        if tag:
            ink.text(f"[{tag}]", x0 + w + 4.0, Y(baseline), _F_SMALL, bold=True, colour=colour)

    def clamp(x0: float, w: float) -> float:
        return min(max(x0, _AREA[0] - 4.0), _AREA[1] + 8.0 - w)

    drawn = []
    y = rows_top
    for i, step, arrow, tag, tag_w, label, status, rule_lines, height in rows:
        mark = step.mark
        colour = _MARK_COLOURS.get(mark, "#b71c1c") if mark else _INK
        thick = mark is not None
        ink.text(str(i + 1), _NUM_RIGHT, Y(y + 8.5), _F_SMALL, colour=_GREY, ha="right")
        for j, line in enumerate(rule_lines):
            ink.text(line, _RULES[0], Y(y + 8.5 + _RULE_PITCH * j), _F_SMALL, colour=_GREY)
        x = xs[step.actor]
        label_w = ink.width(label, _F_LABEL) + tag_w
        if arrow:
            dashed = step.kind is Kind.RETURN
            if mark is Mark.SILENT:
                style_name, dash = "dotted", (0, (1.0, 1.5))
            elif dashed:
                style_name, dash = "dashed", (0, (5.0, 2.5) if thick else (4.0, 2.5))
            else:
                style_name, dash = "solid", "solid"
            width = 2.2 if thick else 1.0
            ay = y + 12.0
            target = step.target
            if target is None or target is step.actor:       # a self call: a small loop
                xt = x + 16.0
                shafts.line([(x, Y(ay - 5.0)), (xt, Y(ay - 5.0)), (xt, Y(ay)), (x + 6.0, Y(ay))],
                            colour, width, dash)
                mid, lx = x, x + 20.0
                tip, d = x, -1.0
                label_x = min(lx, _AREA[1] + 8.0 - label_w)
            else:
                xt = xs[target]
                d = 1.0 if xt > x else -1.0
                tip = xt
                end = xt - d * (5.0 if not dashed else 0.0)
                shafts.line([(x, Y(ay)), (end, Y(ay))], colour, width, dash)
                mid = (x + xt) / 2
                label_x = clamp(mid - label_w / 2, label_w)
            if dashed:   # open head
                shafts.line([(tip - d * 6.0, Y(ay - 3.0)), (tip, Y(ay)), (tip - d * 6.0, Y(ay + 3.0))],
                            colour, 1.2 if not thick else 1.8, "solid")
            else:        # filled head
                solids.poly([(tip, Y(ay)), (tip - d * 7.0, Y(ay - 3.0)), (tip - d * 7.0, Y(ay + 3.0))],
                            colour)
            background(label_x, label_x + label_w, y + 8.5, _F_LABEL)
            labelled(label, tag, tag_w, colour, label_x, y + 8.5)
            if status:
                sw = ink.width(status, _F_SMALL)
                sx = clamp(mid - sw / 2, sw) if target not in (None, step.actor) else label_x
                background(sx, sx + sw, y + 20.0, _F_SMALL)
                ink.text(status, sx, Y(y + 20.0), _F_SMALL, colour=colour if thick else _INK)
            style = style_name + ("+thick" if thick else "")
            shape = "arrow"
        else:
            cy = y + 8.0
            filled = step.kind is Kind.ACTION
            face = colour if filled else "white"
            solids.rect(x - 3.5, Y(cy - 3.5), x + 3.5, Y(cy + 3.5), face, colour, 1.8 if thick else 0.9)
            label_x = x + 7.0 if x + 7.0 + label_w <= _AREA[1] + 8.0 else x - 7.0 - label_w
            background(label_x, label_x + label_w, y + 10.5, _F_LABEL)
            labelled(label, tag, tag_w, colour, label_x, y + 10.5)
            style = ("box-filled" if filled else "box-hollow") + ("+thick" if thick else "")
            shape = "marker"
        drawn.append(DrawnStep(i, step.kind, shape, style, step.actor, step.target, label, status,
                               tag, rule_lines))
        y += height

    # --- legend: every style named in words --------------------------------------------------
    ly = legend_top + 8.0
    x = _PAD
    def sample(draw: Any, text: str, w: float = 30.0) -> None:
        nonlocal x
        draw(x)
        x += w
        x += ink.text(text, x, Y(ly + 2.5), _F_SMALL, colour=_GREY) + 14.0
    sample(lambda x0: (shafts.line([(x0, Y(ly)), (x0 + 19, Y(ly))], _INK, 1.0),
                       solids.poly([(x0 + 25, Y(ly)), (x0 + 18, Y(ly - 3)), (x0 + 18, Y(ly + 3))], _INK)),
           "call")
    sample(lambda x0: (shafts.line([(x0, Y(ly)), (x0 + 25, Y(ly))], _INK, 1.0, (0, (4.0, 2.5))),
                       shafts.line([(x0 + 19, Y(ly - 3)), (x0 + 25, Y(ly)), (x0 + 19, Y(ly + 3))], _INK, 1.2)),
           "return (status under it)")
    sample(lambda x0: solids.rect(x0, Y(ly - 3.5), x0 + 7, Y(ly + 3.5), _INK, _INK, 0.9), "action", 11.0)
    sample(lambda x0: solids.rect(x0, Y(ly - 3.5), x0 + 7, Y(ly + 3.5), "white", _INK, 0.9), "note", 11.0)
    sample(lambda x0: shafts.line([(x0, Y(ly)), (x0 + 25, Y(ly))], _INK, 2.2),
           "marked step: thick line or box, its mark in [CAPITALS]")

    _add(fig, ax, (life.lines(tr, 1), backs.polys(tr, 2), shafts.lines(tr, 3), solids.polys(tr, 4),
                   ink.collection(tr)))
    info = Diagram(title=f"{title1}\n" + " ".join(head_lines), lifelines=lifelines, steps=tuple(drawn),
                   labels=tuple(ink.strings), size=tuple(float(v) for v in fig.get_size_inches()))
    fig.unloadlab = info
    if ax is not None:
        ax.unloadlab = info
    return fig


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
    cells: Mapping[tuple[str, Trigger, str], str]   # the word drawn in each cell
    legend: tuple[tuple[str, str], ...]             # (word, Outcome.value) per outcome shown
    labels: tuple[str, ...]                          # every string drawn
    size: tuple[float, float]


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


def decision_grid(**knobs: Any) -> Figure:
    """Draw ``decision_table(**knobs)``: one panel per opt-out setting, a row per trigger,
    a column per callback behaviour; each cell names its outcome in words (``OUTCOME_WORDS``)
    on a colour fill; a legend gives each word's full outcome. ``fig.unloadlab`` is a ``Grid``."""
    traces = _grid_traces(knobs)
    with mpl.rc_context(_STYLE):
        return _draw_grid(traces, knobs)


_G_TOP, _G_PANEL_TITLE, _G_HEAD, _G_CELL, _G_GAP, _G_LEGEND_LINE = 42.0, 14.0, 30.0, 16.0, 12.0, 14.0
_G_ROW_LABEL = 112.0


def _grid_height() -> float:
    panel = _G_PANEL_TITLE + _G_HEAD + _G_CELL * len(Trigger) + _G_GAP
    return _pixels(_G_TOP + panel * len(GRID_PANELS) + 4.0 + 2 * _G_LEGEND_LINE + _PAD)


GRID_SIZE = (FIGURE_WIDTH, _grid_height() / 72.0)


def _draw_grid(traces: Mapping[tuple[str, Trigger, str], Trace], knobs: Mapping[str, Any]) -> Figure:
    ink = _Ink()
    width_pt, height_pt = GRID_SIZE[0] * 72.0, GRID_SIZE[1] * 72.0
    fig, tr = _page(width_pt, height_pt, None)
    Y = lambda y: height_pt - y  # noqa: E731
    cells_l = _Layer()
    panels, triggers, columns = tuple(GRID_PANELS), tuple(Trigger), tuple(GRID_COLUMNS)

    ink.text("How the unload request ends: trigger \u00d7 what FilterUnloadCallback returns",
             _PAD, Y(_PAD + 10.5), _F_TITLE, bold=True)
    other = ", ".join(f"{k}={v}" for k, v in sorted(knobs.items())) or "all at their defaults"
    ink.text(ink.fit(f"Each cell is minifilter.simulate's outcome; other knobs: {other}.",
                     _F_HEAD, width_pt - 2 * _PAD), _PAD, Y(_PAD + 23.0), _F_HEAD, colour=_GREY)

    _rule(fig, None, tr, _PAD, width_pt - _PAD, Y(_PAD + 28.0))
    cell_w = (width_pt - 2 * _PAD - _G_ROW_LABEL) / len(columns)
    x0 = _PAD + _G_ROW_LABEL
    y = _G_TOP
    words: dict[tuple[str, Trigger, str], str] = {}
    for panel in panels:
        ink.text(f"FLTFL_REGISTRATION_{panel}", _PAD, Y(y + 10.0), 8.0, bold=True)
        y += _G_PANEL_TITLE
        for c, column in enumerate(columns):
            cx = x0 + cell_w * (c + 0.5)
            lines = [(line, _F_HEADER, _INK) for line in
                     ink.wrap(column.split(" "), " ", _F_HEADER, cell_w - 4.0)[:2]]
            st = GRID_COLUMNS[column].get("callback_returns")
            if st is not None:
                lines.append((st.name, 5.8, _GREY))
            base = y + _G_HEAD - 4.0 - 8.0 * (len(lines) - 1)
            for j, (line, size, colour) in enumerate(lines):
                ink.text(ink.fit(line, size, cell_w - 2.0), cx, Y(base + 8.0 * j), size, ha="center",
                         colour=colour)
        y += _G_HEAD
        for r, trigger in enumerate(triggers):
            sample = traces[(panel, trigger, columns[0])]
            row = trigger.value + (" (mandatory)" if sample.state.get("mandatory") else "")
            ink.text(ink.fit(row, _F_LABEL, _G_ROW_LABEL - 4.0), _PAD, Y(y + _G_CELL * r + 11.0), _F_LABEL)
            for c, column in enumerate(columns):
                outcome = traces[(panel, trigger, column)].outcome
                word = OUTCOME_WORDS.get(outcome, outcome.value)
                words[(panel, trigger, column)] = word
                cx0, cy0 = x0 + cell_w * c, y + _G_CELL * r
                cells_l.rect(cx0, Y(cy0), cx0 + cell_w, Y(cy0 + _G_CELL),
                             _OUTCOME_FILL.get(outcome, "#ffffff"), "white", 1.5)
                ink.text(ink.fit(word, _F_LABEL, cell_w - 4.0), cx0 + cell_w / 2, Y(cy0 + 11.0),
                         _F_LABEL, ha="center")
        y += _G_CELL * len(triggers) + _G_GAP

    shown = [o for o in Outcome if o in {t.outcome for t in traces.values()}]
    legend = tuple((OUTCOME_WORDS.get(o, o.value), o.value) for o in shown)
    x, ly = _PAD, y + 4.0
    for o, (word, meaning) in zip(shown, legend):
        text = f"{word} = {meaning}" if word != meaning else word
        w = ink.width(text, _F_SMALL) + 34.0
        if x + w > width_pt - _PAD:
            x, ly = _PAD, ly + _G_LEGEND_LINE
        cells_l.rect(x, Y(ly), x + 14.0, Y(ly + 10.0), _OUTCOME_FILL.get(o, "#ffffff"), "#666666", 0.6)
        ink.text(text, x + 18.0, Y(ly + 8.0), _F_SMALL)
        x += w
    _add(fig, None, (cells_l.polys(tr, 2), ink.collection(tr)))
    fig.unloadlab = Grid(table={k: t.outcome for k, t in traces.items()}, panels=panels,
                         triggers=triggers, columns=columns, cells=words, legend=legend,
                         labels=tuple(ink.strings), size=GRID_SIZE)
    return fig
