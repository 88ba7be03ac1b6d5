"""The sequence diagram of one trace: lifelines, a row per step, repeated steps drawn
once in a "loop" frame, and a legend.

One lifeline per actor taking part; per step an arrow (CALL solid, RETURN dashed, its
status above it) or a box on the lifeline (ACTION filled, NOTE hollow), its label wrapped
(never cut) on a white box that hides the lifelines behind it, a return's label always
between its two lifelines; the step number on the left and its rule ids on the right. A
marked step is drawn thick, its label framed in the mark's own line style under the mark's
name. Everything drawn is read from the ``Trace``; nothing is decided here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from matplotlib.patches import PathPatch
from matplotlib.path import Path

from ..families import families
from ..windows import SHARED_ACTORS, Actor, Kind, Mark, Step, Trace
from .figures import (BODY_TOP, FIGURE_WIDTH, GREY, INK, PAD, PAGE_WIDTH, Page, Picture, picture_style,
                      pixel_height)
from .loops import Loop, find_loops, loop_label
from .measure import block_width, line_metrics, text_width, wrap

__all__ = [
    "sequence_diagram", "diagram_alt", "mark_word", "Diagram", "DrawnRow", "MarkStyle",
    "ACTOR_ORDER", "MARK_STYLES",
]

_LIFELINE = "#9a9a9a"

# Lifelines, left to right: any driver service's actors, then each family's, in its order.
ACTOR_ORDER: tuple[Actor, ...] = SHARED_ACTORS + tuple(a for f in families() for a in f.actors)


@dataclass(frozen=True)
class MarkStyle:
    """How a marked step is drawn besides its colour: the label's frame line style."""

    dashes: Any           # matplotlib linestyle of the frame round the label
    colour: str           # a second channel only; the word says it


# The word every mark gets is its value in capitals (never colour alone); the frame round
# the label has a line style of its own per mark, and the arrow or box is drawn thick.
MARK_STYLES: dict[Mark, MarkStyle] = {
    Mark.REFUSED: MarkStyle("solid", "#a65000"),
    Mark.FAILED: MarkStyle((0, (5.0, 2.0)), "#b71c1c"),
    Mark.IGNORED: MarkStyle((0, (1.0, 1.6)), "#1f5fa8"),
    Mark.HUNG: MarkStyle((0, (6.0, 2.0, 1.2, 2.0)), "#6a1b9a"),
    Mark.HAZARD: MarkStyle((0, (6.0, 1.6, 1.2, 1.6, 1.2, 1.6)), "#ad1457"),
    Mark.SILENT: MarkStyle((0, (2.6, 2.6)), "#555555"),
    Mark.BUGCHECK: MarkStyle((0, (10.0, 2.5)), "#7a0019"),
    Mark.PENDING: MarkStyle((0, (1.2, 1.8, 1.2, 1.8, 5.0, 1.8)), "#00695c"),
}
_UNSTYLED_MARK = MarkStyle("solid", "#b71c1c")     # a mark the enum gains later: words, thick, solid


def mark_word(mark: Mark) -> str:
    """The words drawn for a mark: its value in capitals, e.g. "DOCUMENTATION SILENT"."""
    return mark.value.upper()


class _Layer:
    """Polylines or polygons, gathered by style into one compound path each and drawn as
    one PathPatch per style (a few artists rather than one per shape)."""

    def __init__(self, zorder: float) -> None:
        self.zorder = zorder
        self.paths: dict[tuple, tuple[list, list]] = {}

    def add(self, pts: Sequence[tuple[float, float]], edge: str = INK, width: float = 1.0,
            style: Any = "solid", face: str = "none") -> None:
        closed = face != "none"
        verts, codes = self.paths.setdefault((face, edge, width, style), ([], []))
        verts += list(pts) + ([pts[0]] if closed else [])
        codes += [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + ([Path.CLOSEPOLY] if closed else [])

    def rect(self, x0: float, y0: float, x1: float, y1: float, **kw: Any) -> None:
        self.add([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], **kw)

    def add_to(self, page: Page) -> None:
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

    def add_to(self, page: Page) -> None:
        for layer in (self.life, self.frames, self.boxes, self.shafts, self.solids):
            layer.add_to(page)


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
class Diagram:
    """``fig.unloadlab`` of a sequence diagram: what was drawn, for tests and readers."""

    title: str                    # the outcome line and the headline, "\n"-joined
    alt: str
    lifelines: tuple[Actor, ...]  # left to right
    xs: tuple[float, ...]         # their x (points)
    rows: tuple[DrawnRow, ...]
    loops: tuple[Loop, ...]
    size: tuple[float, float]     # inches


_NUM_RIGHT = 24.0                  # step numbers end here
_RULES_W = 140.0                   # the rule-id column, on the right
_RULES_X = PAGE_WIDTH - PAD - _RULES_W
_AREA = (32.0, _RULES_X - 10.0)    # lifelines and their labels live here
_EDGE = 44.0                       # from the area's edge to the outer lifelines
_MIN_GAP = 70.0
_MARGIN = 5.0                      # between a return's label and its two lifelines
_CALL_MAX = 190.0                  # a call's label may be this wide, over its neighbours
_NOTE_MAX = 230.0                  # widest note or self-call label
_BOX_PAD = 2.0


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
    with picture_style():
        return _draw_sequence(trace)


def _lifelines(trace: Trace) -> tuple[Actor, ...]:
    present = {s.actor for s in trace.steps} | {s.target for s in trace.steps if s.target}
    unknown = sorted(present - set(ACTOR_ORDER), key=lambda a: a.value)   # a family's record forgot one
    return tuple(a for a in ACTOR_ORDER + tuple(unknown) if a in present)


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
            label = loop_label(steps[i + j], steps[i + lp.period + j], lp.values)
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
        w = max(block_width(tag, bold=True), block_width(label + status))
        mid = min(max((lo + hi) / 2, _AREA[0] + w / 2), _AREA[1] - w / 2)
        x0, x1, ha, anchor = mid - w / 2, mid + w / 2, "center", mid
    else:
        gap = 20.0 if style.startswith("self") else 11.0
        right_room, left_room = _AREA[1] - x - gap, x - _AREA[0] - gap
        room = min(_NOTE_MAX, max(right_room, left_room))
        tag = wrap(mark_word(step.mark), room, bold=True) if step.mark else []
        label = wrap(text, room)
        w = max(block_width(tag, bold=True), block_width(label))
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
    line, _ = line_metrics()
    lifelines = _lifelines(trace)
    xs = _positions(lifelines, trace.steps)
    loops = find_loops(trace.steps)
    plans = _plans(trace, loops, xs)

    title = f"Outcome: {trace.outcome.value}"
    headline = wrap(trace.headline, PAGE_WIDTH - 2 * PAD)
    box_w = [_header_width(i, lifelines, xs) for i in range(len(lifelines))]
    names = [wrap(a.value, w - 6.0) for a, w in zip(lifelines, box_w)]
    header_top = BODY_TOP + line * len(headline) + 4.0
    header_h = 6.0 + line * max(len(v) for v in names)
    rows_top = header_top + header_h + 8.0
    rows_bottom = rows_top + line * sum(p.slots for p in plans)
    legend = _legend_lines(_legend_items(trace, loops))
    legend_top = rows_bottom + 10.0
    height = pixel_height(legend_top + line * 1.4 * len(legend) + PAD)

    page = Page(PAGE_WIDTH, height)
    fig = page.fig
    fig.alt = diagram_alt(trace)
    layers = _Layers()
    page.title(title)
    page.block(PAD, BODY_TOP, headline, role=("headline",))
    page.block(_RULES_X, header_top + (header_h - line) / 2, ["rule ids"], colour=GREY, role=("rules-head",))
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


def _draw_rows(page: Page, plans: Sequence[_Plan], rows_top: float, xs: Mapping[Actor, float],
               layers: _Layers) -> list[DrawnRow]:
    """Every row, top to bottom; the step numbers and the rule ids as one Text each, on
    the rows' line slots, a thin rule under each row's ids."""
    line, _ = line_metrics()
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
            layers.life.add([(_RULES_X - 4.0, bottom), (PAGE_WIDTH - PAD, bottom)], "#d0d0d0", 0.6)
        top += line * p.slots
    page.block(_NUM_RIGHT, rows_top, numbers, ha="right", colour=GREY, role=("numbers",))
    page.block(_RULES_X, rows_top, rules, colour=GREY, role=("rules",))
    return drawn


def _draw_row(page: Page, p: _Plan, top: float, xs: Mapping[Actor, float], layers: _Layers) -> DrawnRow:
    line, _ = line_metrics()
    step = p.step
    ms = MARK_STYLES.get(step.mark, _UNSTYLED_MARK) if step.mark else None
    colour, lw = (ms.colour, 2.2) if ms else (INK, 1.0)
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


def _draw_loop(page: Page, p: _Plan, top: float, bottom: float, layers: _Layers) -> None:
    """A UML "loop" frame round a loop's body, its guard text in the header row."""
    line, _ = line_metrics()
    x0, x1, y0 = _AREA[0] - 4.0, _AREA[1] + 4.0, top + 1.0
    tag_w = text_width("loop", bold=True) + 14.0
    layers.frames.rect(x0, y0, x1, bottom - 2.0, edge="#555555", width=1.0)
    layers.frames.add([(x0, y0), (x0 + tag_w, y0), (x0 + tag_w, y0 + line - 2.0), (x0 + tag_w - 5.0, y0 + line + 2.0),
                       (x0, y0 + line + 2.0)], edge="#555555", width=1.0, face="#eeeeee")
    page.block(x0 + 5.0, top + 1.5, ["loop"], bold=True, role=("loop", p.steps))
    gx = x0 + tag_w + 8.0
    layers.boxes.rect(gx - _BOX_PAD, top + 1.5, gx + block_width(p.label) + _BOX_PAD, top + 1.5 + line * len(p.label),
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
        if lines[-1] and used + w > PAGE_WIDTH - 2 * PAD:
            lines.append([])
            used = 0.0
        lines[-1].append((kind, arg, words, w))
        used += w
    return lines


def _draw_legend(page: Page, lines: list[list[tuple[str, Any, str, float]]], top: float, layers: _Layers) -> None:
    line, ascent = line_metrics()
    for n, items in enumerate(lines):
        y = top + line * 1.4 * n
        mid = y + ascent - 3.0
        x = PAD
        for kind, arg, words, w in items:
            if kind in ("call", "return"):
                _arrow(layers, x, x + 24.0, mid, kind == "return", INK, 1.0)
            elif kind in ("action", "note"):
                layers.solids.rect(x, mid - 4.0, x + 8.0, mid + 4.0, face=INK if kind == "action" else "white",
                                   edge=INK, width=1.0)
            elif kind == "loop":
                layers.frames.rect(x, y - 1.0, x + 22.0, y + line + 1.0, edge="#555555", width=1.0)
            if kind == "mark":
                ms = MARK_STYLES.get(arg, _UNSTYLED_MARK)
                layers.boxes.rect(x - 1.0, y - 2.0, x + text_width(words, bold=True) + 9.0, y + line + 1.0,
                                  face="white", edge=ms.colour, width=1.4, style=ms.dashes)
                page.block(x + _SAMPLE_W[kind], y, [words], bold=True, colour=ms.colour, role=("legend", words))
            else:
                page.block(x + _SAMPLE_W[kind], y, [words], colour=GREY, role=("legend", words))
            x += w
