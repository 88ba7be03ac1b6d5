"""Structure of the renderers' output (no pixel comparisons): what was drawn, for which step,
with which label; the decision grid against minifilter.simulate, cell by cell."""
from __future__ import annotations

import io
import os
import types

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib as mpl  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from unloadlab import minifilter, plots, scenarios  # noqa: E402
from unloadlab.minifilter import MinifilterScenario, RegistrationFlag, Trigger  # noqa: E402
from unloadlab.windows import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace  # noqa: E402

ELLIPSIS = "\u2026"
CATALOGUE = {e.name: e for e in scenarios.CATALOGUE}


def _draw(trace):
    fig = plots.sequence_diagram(trace)
    assert isinstance(fig, Figure)
    return fig, fig.unloadlab


def _is_short_form(label: str, full: str) -> bool:
    """label is full, or full cut down: its text before '(' or the ellipsis starts full."""
    if label == full:
        return True
    if not label.endswith(ELLIPSIS) and "(" + ELLIPSIS not in label and ", " + ELLIPSIS not in label:
        return False
    head = label.split("(")[0] if "(" in label else label.rstrip(ELLIPSIS)
    return bool(head) and full.startswith(head)


# ------------------------------------------------------------------------------------------
# the sequence diagram, over the whole catalogue (both driver families, whatever it holds)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CATALOGUE))
def test_diagram_structure(name):
    trace = CATALOGUE[name].run()
    fig, info = _draw(trace)
    steps = trace.steps

    assert isinstance(info, plots.Diagram)
    assert len(info.steps) == len(steps)
    assert [d.index for d in info.steps] == list(range(len(steps)))

    # one arrow per CALL/RETURN step, a marker per ACTION/NOTE step, nothing else
    calls_returns = tuple(i for i, s in enumerate(steps) if s.kind in (Kind.CALL, Kind.RETURN))
    assert info.arrows == calls_returns
    assert info.markers == tuple(i for i, s in enumerate(steps) if s.kind in (Kind.ACTION, Kind.NOTE))

    labels = info.labels
    for d, s in zip(info.steps, steps):
        assert (d.kind, d.actor, d.target) == (s.kind, s.actor, s.target)
        assert _is_short_form(d.label, " ".join(s.action.split())), (d.label, s.action)
        assert d.label in labels
        # returns carry their status, written on the diagram
        if s.kind is Kind.RETURN and s.status:
            assert d.status is not None and _is_short_form(d.status, " ".join(s.status.split()))
            assert d.status in labels
        else:
            assert d.status is None
        # marks: a text label and a line style of their own (never colour alone)
        if s.mark is not None:
            assert d.mark == plots.MARK_LABELS[s.mark]
            assert f"[{d.mark}]" in labels
            assert "+thick" in d.style
        else:
            assert d.mark is None and "thick" not in d.style
        if d.shape == "arrow":
            base = "dotted" if s.mark is Mark.SILENT else ("dashed" if s.kind is Kind.RETURN else "solid")
            assert d.style.split("+")[0] == base
        else:
            assert d.style.split("+")[0] == ("box-filled" if s.kind is Kind.ACTION else "box-hollow")
        # rule ids beside the step, every one of them
        drawn_rules = " ".join(d.rule_lines)
        for rid in s.rules:
            assert rid in drawn_rules, (rid, d.rule_lines)
        assert all(line in labels for line in d.rule_lines)
        assert str(d.index + 1) in labels       # the step number

    # lifelines: only the actors taking part, in the canonical order
    present = {s.actor for s in steps} | {s.target for s in steps if s.target}
    assert set(info.lifelines) == present
    order = [a for a in plots.ACTOR_ORDER if a in present]
    assert list(info.lifelines) == order
    for actor in info.lifelines:
        assert actor.value.split(" ")[0] in " ".join(labels)

    # the title states the outcome and the headline
    assert trace.outcome.value in info.title
    assert f"Outcome: {trace.outcome.value}" in labels
    assert trace.headline.split(" ")[0] in info.title


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_diagram_size_is_fixed_and_deterministic(name):
    trace = CATALOGUE[name].run()
    fig1, info = _draw(trace)
    fig2, _ = _draw(CATALOGUE[name].run())
    w, h = fig1.get_size_inches()
    assert w == pytest.approx(plots.FIGURE_WIDTH)
    assert fig1.dpi == plots.DPI
    assert tuple(fig2.get_size_inches()) == (w, h)
    assert info.size == (w, h)
    assert abs(h * plots.DPI - round(h * plots.DPI)) < 1e-6          # whole pixels
    assert fig1.unloadlab.labels == fig2.unloadlab.labels


def test_height_grows_with_steps():
    ex = scenarios.example
    short = plots.sequence_diagram(ex("filterunload-no-privilege").run()).get_size_inches()[1]
    long = plots.sequence_diagram(ex("teardown-three-volumes").run()).get_size_inches()[1]
    assert long > short


def test_catalogue_covers_both_families_when_present():
    models = {e.model for e in scenarios.CATALOGUE}
    assert "minifilter" in models
    for e in scenarios.CATALOGUE:        # callout entries, once they exist, draw like the rest
        if e.model == "callout":
            info = plots.sequence_diagram(e.run()).unloadlab
            assert info.lifelines and all(isinstance(a, Actor) for a in info.lifelines)


# ------------------------------------------------------------------------------------------
# any Trace, not only the catalogue's: every kind, every mark, a self call, odd actors
# ------------------------------------------------------------------------------------------
def _synthetic() -> Trace:
    steps = [
        Step(Actor.CALLER, Kind.CALL, "StartIt(" + "x" * 200 + ", y)", "d", ("r-one",), Actor.FILTER_ENGINE),
        Step(Actor.FILTER_ENGINE, Kind.CALL, "Helper()", "a call to itself", ("r-two",), None),
        Step(Actor.FILTER_ENGINE, Kind.CALL, "Again()", "target is the actor", ("r-two",), Actor.FILTER_ENGINE),
        Step(Actor.FRAMEWORK, Kind.ACTION, "does something", "d", ("r-three", "r-four"), mark=Mark.HAZARD),
        Step(Actor.FILTER_ENGINE, Kind.RETURN, "returns", "d", tuple(f"rule-{i:02}" for i in range(30)),
             Actor.CALLER, "STATUS_" + "VERY_LONG_" * 30, Mark.FAILED),
    ]
    steps += [Step(Actor.FRAMEWORK, Kind.NOTE, f"note {m.name}", "d", ("r-five",), mark=m) for m in Mark]
    steps.append(Step(Actor.CALLER, Kind.RETURN, "plain return", "d", (), Actor.FRAMEWORK, None))
    no_knobs = types.SimpleNamespace(knobs=dict)
    return Trace("synthetic", no_knobs, tuple(steps), Outcome.HAZARD, "A made-up trace. " * 20)


def test_any_trace():
    trace = _synthetic()
    fig, info = _draw(trace)
    assert info.lifelines == (Actor.CALLER, Actor.FRAMEWORK, Actor.FILTER_ENGINE)
    assert info.arrows == (0, 1, 2, 4, len(trace.steps) - 1)
    assert {d.mark for d in info.steps if d.mark} == set(plots.MARK_LABELS.values())
    assert ELLIPSIS in info.steps[0].label                  # too long: cut, still readable
    assert info.steps[0].label.startswith("StartIt(")
    assert info.steps[4].status.endswith(ELLIPSIS)
    assert " ".join(info.steps[4].rule_lines).count("rule-") == 30   # rules wrap, none dropped
    assert info.steps[-1].rule_lines == ("(no rule cited)",)
    assert Outcome.HAZARD.value in info.title
    fig.savefig(io.BytesIO(), format="png")


def test_every_mark_and_outcome_has_words():
    assert set(plots.MARK_LABELS) == set(Mark)
    assert all(plots.MARK_LABELS[m] for m in Mark)
    assert set(plots.OUTCOME_WORDS) == set(Outcome)
    assert set(plots.ACTOR_ORDER) == set(Actor)


def test_rejects_non_trace():
    with pytest.raises(TypeError):
        plots.sequence_diagram({"steps": []})


# ------------------------------------------------------------------------------------------
# it renders, and leaks nothing
# ------------------------------------------------------------------------------------------
def test_png_and_notebook_display():
    from PIL import Image

    fig = plots.sequence_diagram(scenarios.example("fltmc-refused").run())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    img = Image.open(io.BytesIO(buf.getvalue()))
    w, h = fig.get_size_inches() * fig.dpi
    assert img.size == (round(w), round(h))
    # the same pixels as matplotlib's own (PIL) PNG writer
    buf2 = io.BytesIO()
    fig.savefig(buf2, format="png", pil_kwargs={})
    import numpy as np
    assert np.array_equal(np.asarray(Image.open(buf2).convert("RGBA")), np.asarray(img.convert("RGBA")))
    # IPython's inline backend shows it (it shows nothing for a figure without axes or lines)
    pylabtools = pytest.importorskip("IPython.core.pylabtools")
    data = pylabtools.print_figure(fig, "png", bbox_inches="tight")
    assert data and data.startswith(b"\x89PNG")
    assert repr(fig) == f"<Figure size {round(w)}x{round(h)} with 0 Axes>"


def test_nothing_leaks():
    import matplotlib.pyplot as plt

    before_rc = dict(mpl.rcParams)
    before_figs = plt.get_fignums()
    with mpl.rc_context({"font.family": ["serif"], "figure.facecolor": "black", "lines.linewidth": 9}):
        fig = plots.sequence_diagram(scenarios.example("sc-stop-success").run())
        grid = plots.decision_grid()
        assert dict(mpl.rcParams)["figure.facecolor"] == "black"
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert grid.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert plt.get_fignums() == before_figs
    assert dict(mpl.rcParams) == before_rc


def test_into_given_axes():
    fig = Figure(figsize=(12, 5))
    ax1, ax2 = fig.subplots(1, 2)
    out = plots.sequence_diagram(scenarios.example("no-callback-sc-stop").run(), ax=ax1)
    assert out is fig
    assert ax1.unloadlab is fig.unloadlab
    assert not ax1.axison
    fig.savefig(io.BytesIO(), format="png")


# ------------------------------------------------------------------------------------------
# the decision grid: data first, then the figure drawn from it
# ------------------------------------------------------------------------------------------
# Built here from the core's own enums and STATUS_CLASSES, independently of plots.GRID_*.
_SC = scenarios.STATUS_CLASSES
EXPECTED_COLUMNS = {
    "no callback": dict(unload_callback=False),
    "success": dict(callback_returns=_SC["success"]),
    "informational": dict(callback_returns=_SC["informational"]),
    "warning": dict(callback_returns=_SC["warning"]),
    "error": dict(callback_returns=_SC["error"]),
    "error only if not mandatory": dict(callback_returns=_SC["error"], refuse_only_if_not_mandatory=True),
}
EXPECTED_PANELS = {
    "DO_NOT_SUPPORT_SERVICE_STOP off": [],
    "DO_NOT_SUPPORT_SERVICE_STOP on": [RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP],
}


def _simulated(knobs):
    return {
        (panel, trig, col): minifilter.simulate(MinifilterScenario(trigger=trig, flags=flags, **cell, **knobs)).outcome
        for panel, flags in EXPECTED_PANELS.items() for trig in Trigger for col, cell in EXPECTED_COLUMNS.items()
    }


@pytest.mark.parametrize("knobs", [{}, {"driver_entry_returns": "STATUS_UNSUCCESSFUL"},
                                   {"server_port": "left-open"}, {"caller_privileged": False}])
def test_decision_table_matches_simulate_cell_by_cell(knobs):
    table = plots.decision_table(**knobs)
    expected = _simulated(knobs)
    assert len(table) == 2 * len(Trigger) * 6 == len(expected)
    for key, outcome in expected.items():
        assert table[key] is outcome, key


@pytest.mark.parametrize("knobs", [{}, {"driver_entry_returns": "STATUS_UNSUCCESSFUL"}])
def test_decision_grid_draws_the_table(knobs):
    fig = plots.decision_grid(**knobs)
    grid = fig.unloadlab
    assert isinstance(grid, plots.Grid)
    assert dict(grid.table) == plots.decision_table(**knobs) == _simulated(knobs)
    assert grid.triggers == tuple(Trigger) and len(grid.columns) == 6 and len(grid.panels) == 2
    assert list(grid.columns) == list(EXPECTED_COLUMNS) and list(grid.panels) == list(EXPECTED_PANELS)
    for key, outcome in grid.table.items():                       # words in every cell
        assert grid.cells[key] == plots.OUTCOME_WORDS[outcome]
        assert grid.cells[key] in grid.labels
    shown = {o for o in grid.table.values()}
    assert {w for w, _ in grid.legend} == {plots.OUTCOME_WORDS[o] for o in shown}
    for o in shown:                                                # the legend says it in full
        assert any(o.value in label for label in grid.labels)
    for trig in Trigger:
        assert any(label.startswith(trig.value) for label in grid.labels)
    assert tuple(fig.get_size_inches()) == pytest.approx(plots.GRID_SIZE)
    assert grid.size == plots.GRID_SIZE
    fig.savefig(io.BytesIO(), format="png")


def test_decision_grid_rejects_its_own_axes_as_knobs():
    for knob in ("trigger", "flags", "callback_returns", "unload_callback", "refuse_only_if_not_mandatory"):
        with pytest.raises(ScenarioError):
            plots.decision_table(**{knob: None})
    with pytest.raises(ScenarioError):
        plots.decision_grid(instances=-1)     # the core's own validation
