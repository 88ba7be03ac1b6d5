"""The minifilter decision grid: ``minifilter.simulate`` over trigger x what
FilterUnloadCallback does x the service-stop opt-out, drawn as a table of outcomes.

The outcome is named in words in every cell (``OUTCOME_WORDS``), with colour
(``OUTCOME_FILLS``) as a second channel and a legend; nothing is decided here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from matplotlib.patches import Rectangle

from ..families import family
from ..minifilter import STATUS_CLASSES, RegistrationFlag, Trigger
from ..windows import Outcome, ScenarioError, Trace
from .figures import (BODY_TOP, FIGURE_WIDTH, GREY, PAD, PAGE_WIDTH, Page, Picture, picture_style,
                      pixel_height)
from .measure import line_metrics, text_width, wrap

__all__ = [
    "decision_grid", "decision_table", "grid_alt", "outcome_word", "Grid",
    "OUTCOME_WORDS", "OUTCOME_FILLS", "GRID_PANELS", "GRID_COLUMNS",
]

# Outcome words for the grid cells (the legend gives ``Outcome.value`` in full).
# An outcome the enum gains later is drawn with its value as the word, on white.
OUTCOME_WORDS: dict[Outcome, str] = {
    Outcome.UNLOADED: "unloaded", Outcome.REFUSED: "refused", Outcome.FAILED: "fails, not called",
    Outcome.HUNG: "hung", Outcome.SHUTDOWN: "not called (shutdown)",
    Outcome.DRIVER_ENTRY_FAILED: "DriverEntry failed", Outcome.HAZARD: "callouts left",
    Outcome.UNLOAD_PENDING: "unload pending", Outcome.BUGCHECK: "bug check",
}
OUTCOME_FILLS: dict[Outcome, str] = {
    Outcome.UNLOADED: "#cfe8cf", Outcome.REFUSED: "#fbd9a6", Outcome.FAILED: "#f4b6b6",
    Outcome.HUNG: "#d9c2ec", Outcome.SHUTDOWN: "#c9dcf2", Outcome.DRIVER_ENTRY_FAILED: "#dcdcdc",
    Outcome.HAZARD: "#f6c3da", Outcome.UNLOAD_PENDING: "#fff3b0", Outcome.BUGCHECK: "#bdbdbd",
}

_MINIFILTER = family("minifilter")   # the grid draws this family's decision space
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
        (panel, trigger, column): _MINIFILTER.simulate(
            _MINIFILTER.scenario(trigger=trigger, flags=flags, **cell, **knobs))
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
    """The words a grid cell gives for an outcome (``OUTCOME_WORDS``, else its value)."""
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
    with picture_style():
        return _draw_grid(traces, knobs)


_G_LABEL_W = 140.0          # the trigger column


def _draw_grid(traces: Mapping[tuple[str, Trigger, str], Trace], knobs: Mapping[str, Any]) -> Picture:
    line, _ = line_metrics()
    panels, triggers, columns = tuple(GRID_PANELS), tuple(Trigger), tuple(GRID_COLUMNS)
    table = {k: t.outcome for k, t in traces.items()}
    cell_w = (PAGE_WIDTH - 2 * PAD - _G_LABEL_W) / len(columns)
    other = ", ".join(f"{k}={v}" for k, v in sorted(knobs.items())) or "all at their defaults"
    sub = wrap(f"Each cell is minifilter.simulate's outcome; other knobs: {other}.", PAGE_WIDTH - 2 * PAD)
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

    top = BODY_TOP + line * len(sub) + 8.0
    panel_h = line + 4.0 + head_h + sum(row_h.values()) + 12.0
    height = pixel_height(top + panel_h * len(panels) + line * 1.4 * len(legend) + PAD)
    page = Page(PAGE_WIDTH, height)
    fig = page.fig
    fig.alt = grid_alt(table)
    page.title("How the unload request ends: trigger \u00d7 what FilterUnloadCallback returns")
    page.block(PAD, BODY_TOP, sub, colour=GREY, role=("subtitle",))
    y = top
    for pi, panel in enumerate(panels):
        page.block(PAD, y, [f"FLTFL_REGISTRATION_{panel}"], bold=True, role=("panel", panel))
        y += line + 4.0
        for c, head in enumerate(heads):
            name_lines = len(wrap(columns[c], cell_w - 6.0))
            cx = PAD + _G_LABEL_W + cell_w * (c + 0.5)
            page.block(cx, y, head[:name_lines], ha="center", role=("column", columns[c]))
            page.block(cx, y + line * name_lines, head[name_lines:], ha="center", colour=GREY,
                       role=("column-status", columns[c]))
        y += head_h
        for ri, trigger in enumerate(triggers):
            h = row_h[trigger]
            page.block(PAD, y + 4.0, row_labels[trigger], role=("trigger", trigger))
            for c, column in enumerate(columns):
                key = (panel, trigger, column)
                x0 = PAD + _G_LABEL_W + cell_w * c
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


def _draw_grid_legend(page: Page, legend: list[list[tuple[float, Outcome, str]]], top: float) -> None:
    """A swatch of each outcome's colour with its word and, where they differ, its value."""
    line, _ = line_metrics()
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
    x = PAD
    for outcome in shown:
        text = _legend_text(outcome)
        w = 21.0 + text_width(text) + 18.0
        if lines[-1] and x + w > PAGE_WIDTH - PAD:
            lines.append([])
            x = PAD
        lines[-1].append((x, outcome, text))
        x += w
    return lines
