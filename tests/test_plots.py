"""The pictures, read from what they emit: the SVG's own text (text kept as text,
deterministic, readable sizes, named for screen readers), where each label lands against
the lifelines, loops of per-instance steps, marks in words and line styles, the decision
grid's words and colours cell by cell against minifilter.simulate."""
from __future__ import annotations

import ast
import base64
import hashlib
import html
import os
import re
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from unloadlab import minifilter
from unloadlab.catalogue import CATALOGUE, example
from unloadlab.minifilter import STATUS_CLASSES, MinifilterScenario, RegistrationFlag, Trigger
from unloadlab.views import figures, plots
from unloadlab.windows import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace

SVG = "{http://www.w3.org/2000/svg}"
PLOTS_PY = Path(plots.__file__)
BY_NAME = {e.name: e for e in CATALOGUE}
ELLIPSIS = "\u2026"


def svg_of(fig) -> str:
    return plots.to_svg(fig)


def texts(svg: str) -> list[str]:
    """Every <text> element's content, in document order."""
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def eight_volumes() -> Trace:
    return minifilter.simulate(MinifilterScenario(trigger="sc-stop", instances=8, teardown_callbacks=True))


def synthetic(steps, outcome=Outcome.HAZARD, headline="A made-up trace.") -> Trace:
    return Trace("synthetic", types.SimpleNamespace(knobs=dict), tuple(steps), outcome, headline)


# ------------------------------------------------------------------------------------------------
# the module: plain matplotlib, no second text engine, no PNG writer
# ------------------------------------------------------------------------------------------------
def picture_modules() -> list[Path]:
    """plots.py and every views module it draws on, directly or through another."""
    found, todo = [], [PLOTS_PY]
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.append(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                todo.append(PLOTS_PY.parent / f"{node.module}.py")
    return found


def test_the_picture_modules_are_the_split_of_plots():
    """The walk below is not vacuous: it reaches every module the pictures are made in."""
    names = {p.stem for p in picture_modules()}
    assert names >= {"plots", "figures", "measure", "loops", "diagram", "grid"}, names


@pytest.mark.parametrize("path", picture_modules(), ids=lambda p: p.stem)
def test_plots_imports_no_png_writer_or_glyph_engine(path):
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    parts = {p for name in imported for p in name.split(".")}
    assert not parts & {"zlib", "struct", "ft2font", "pyplot"}, sorted(imported)


def test_tests_run_with_the_matplotlib_that_stored_the_notebooks_svg():
    """nbval compares stored image/svg+xml as text and matplotlib's SVG changes between
    versions: the pin in binder/requirements.txt is the version that must run the tests."""
    pins = (Path(__file__).resolve().parent.parent / "binder" / "requirements.txt").read_text()
    pinned = re.search(r"^matplotlib==([\w.]+)\s*$", pins, re.M)[1]
    assert mpl.__version__ == pinned, f"matplotlib {mpl.__version__} installed; the stored outputs need {pinned}"
    assert f"Matplotlib v{pinned}" in svg_of(plots.decision_grid())


# ------------------------------------------------------------------------------------------------
# SVG: text as text, byte-identical in any process, readable size, named
# ------------------------------------------------------------------------------------------------
_DIGEST = """
import hashlib, sys
from unloadlab.catalogue import example
from unloadlab.minifilter import MinifilterScenario, simulate
from unloadlab.views import figures, plots
svgs = [plots.to_svg(plots.sequence_diagram(example("fltmc-refused").run())),
        plots.to_svg(plots.sequence_diagram(simulate(MinifilterScenario(trigger="sc-stop", instances=8,
                                                                         teardown_callbacks=True)))),
        plots.to_svg(plots.decision_grid())]
print(" ".join(hashlib.sha256(s.encode()).hexdigest() for s in svgs))
"""


def test_svg_is_byte_identical_across_processes_and_hash_seeds():
    digests = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"}
        done = subprocess.run([sys.executable, "-c", _DIGEST], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        digests.append(done.stdout.split())
    assert digests[0] == digests[1] and len(digests[0]) == 3
    here = hashlib.sha256(svg_of(plots.sequence_diagram(example("fltmc-refused").run())).encode()).hexdigest()
    assert here == digests[0][0]


def test_svg_has_no_date_and_keeps_text_as_text():
    trace = example("sc-stop-success").run()
    svg = svg_of(plots.sequence_diagram(trace))
    assert "<dc:date>" not in svg
    assert 'id="DejaVuSans-' not in svg and "<use xlink:href" not in svg   # no glyph outlines
    drawn = texts(svg)
    assert f"Outcome: {trace.outcome.value}" in drawn
    assert "FltUnregisterFilter(Filter)" in drawn and "STATUS_SUCCESS" in drawn
    assert all(ELLIPSIS not in t for t in drawn)


def test_the_users_rcparams_change_nothing():
    trace = example("fltmc-refused").run()
    plain = svg_of(plots.sequence_diagram(trace))
    with mpl.rc_context({"font.family": ["serif"], "figure.facecolor": "black", "lines.linewidth": 9,
                         "font.size": 20, "svg.fonttype": "path", "svg.hashsalt": None, "path.sketch": (1, 100, 1)}):
        fig = plots.sequence_diagram(trace)
        assert svg_of(fig) == plain
        assert mpl.rcParams["figure.facecolor"] == "black"


def test_nothing_leaks_into_pyplot_or_rcparams():
    import matplotlib.pyplot as plt

    before_rc, before_figs = dict(mpl.rcParams), plt.get_fignums()
    fig = plots.sequence_diagram(example("sc-stop-success").run())
    grid = plots.decision_grid()
    svg_of(fig), plots.to_png(grid)
    assert plt.get_fignums() == before_figs
    assert dict(mpl.rcParams) == before_rc
    assert isinstance(fig, Figure) and isinstance(grid, Figure)


def _natural_px_per_unit(svg: str) -> float:
    """CSS px per SVG user unit when the SVG is shown at its natural size (96 px per inch)."""
    root = ET.fromstring(svg)
    width_pt = float(root.get("width").removesuffix("pt"))
    view_w = float(root.get("viewBox").split()[2])
    return width_pt * 96 / 72 / view_w


@pytest.mark.parametrize("make", [lambda: plots.sequence_diagram(example("wfp-wdf-clean-unload").run()),
                                  lambda: plots.sequence_diagram(eight_volumes()), plots.decision_grid])
def test_text_is_at_least_11px_in_a_1280px_window(make):
    """Shown at natural size the figure is 806.4 px wide, so it fits unscaled in a notebook's
    833 px at 1280x720 with the file browser open, and 9 pt text is 12 px; inline it may
    shrink to MIN_SHOWN_PX, where that text is 11 px."""
    svg = svg_of(make())
    k = _natural_px_per_unit(svg)
    width_px = float(ET.fromstring(svg).get("width").removesuffix("pt")) * 96 / 72
    assert 780 <= width_px <= 833 and width_px == pytest.approx(figures.NATURAL_PX)
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert min(sizes) * k == pytest.approx(12.0)
    assert min(sizes) * k * figures.MIN_SHOWN_PX / width_px == pytest.approx(11.0)
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) * k >= 11.0, min(sizes) * k
    assert min(sizes) * k == pytest.approx(12.0)


def test_svg_is_named_for_screen_readers():
    trace = example("port-left-open").run()
    fig = plots.sequence_diagram(trace)
    svg = svg_of(fig)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == fig.alt == plots.diagram_alt(trace)
    first = next(iter(root))
    assert first.tag == f"{SVG}title" and first.text == fig.alt
    # matplotlib's default style rule is scoped to this picture, not every SVG on a page
    assert "*{stroke-linejoin" not in svg.replace(".unloadlab-figure *{", "")


def test_inline_html_for_widgets_carries_the_name_and_no_prolog():
    fig = plots.sequence_diagram(example("fltmc-refused").run())
    markup = plots.to_html(fig, "Sequence diagram")
    assert "<?xml" not in markup and "<!DOCTYPE" not in markup
    assert "role='group' aria-label='Sequence diagram' tabindex='0'" in markup
    svg = markup[markup.index("<svg"):markup.rindex("</svg>") + 6]
    assert ET.fromstring(svg).get("aria-label") == fig.alt
    assert "<text" in svg


# ------------------------------------------------------------------------------------------------
# alt text
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fltmc-refused", "wfp-wdf-pnp-no-evtdriverunload", "sc-stop-success"])
def test_diagram_alt_says_who_how_many_steps_and_the_outcome(name):
    trace = example(name).run()
    alt = plots.diagram_alt(trace)
    assert alt.startswith(f"Sequence diagram of {len(trace.steps)} steps between ")
    actors = {s.actor for s in trace.steps} | {s.target for s in trace.steps if s.target}
    for actor in actors:
        assert f"the {actor.value}" in alt
    assert f"Outcome: {trace.outcome.value}; {trace.headline}" in alt
    assert alt.count(". ") <= 1 + trace.headline.count(". ")      # two sentences, plus the headline's own


def test_grid_alt_counts_every_cell():
    table = plots.decision_table()
    alt = plots.grid_alt(table)
    counts = [int(n) for n in re.findall(r" in (\d+)", alt)]
    from unloadlab.minifilter import Trigger
    assert sum(counts) == len(table) == 12 * len(Trigger)   # each trigger x flag x callback
    assert "without and once with FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP" in alt


# ------------------------------------------------------------------------------------------------
# a notebook shows SVG and PNG and an <img alt>, and a sentence as text/plain
# ------------------------------------------------------------------------------------------------
def test_the_display_bundle():
    from IPython.core.formatters import DisplayFormatter

    fig = plots.sequence_diagram(example("fltmc-refused").run())
    data, _ = DisplayFormatter().format(fig)
    assert {"image/svg+xml", "image/png", "text/html", "text/plain"} <= set(data)
    assert data["text/plain"] == fig.alt and not data["text/plain"].startswith("<Figure")
    assert data["image/svg+xml"] == svg_of(fig)
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert abs(width - plots.FIGURE_WIDTH * 96) < 1             # the same size on screen as the SVG
    img = re.fullmatch(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"/>', data["text/html"])
    assert img and html.unescape(img[1]) == fig.alt
    assert base64.b64decode(img[2]).decode() == data["image/svg+xml"]
    # once the cell has run, JupyterLab prefers the widget: the same SVG inline, text as text
    from ipywidgets.widgets.widget import _instances
    shown = _instances[data["application/vnd.jupyter.widget-view+json"]["model_id"]]
    assert "unloadlab" in shown._dom_classes
    inline = shown.children[-1].value
    assert inline == plots.to_html(fig, "Picture") and "<text" in inline


def test_a_notebook_cell_ending_in_decision_grid_shows_one_picture():
    """In a real kernel with the inline backend: one output, the whole bundle, no second
    copy from the inline backend, the alt sentence as text/plain."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nfrom unloadlab.views.plots import decision_grid"),
                nbformat.v4.new_code_cell("decision_grid()")]
    env_backend = os.environ.pop("MPLBACKEND", None)   # the inline backend needs it unset
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]
    data = outputs[0].data
    assert {"image/svg+xml", "image/png", "text/html", "text/plain"} <= set(data)
    assert data["text/plain"] == plots.decision_grid().alt
    assert data["image/svg+xml"] == svg_of(plots.decision_grid())


# ------------------------------------------------------------------------------------------------
# the sequence diagram, over the whole catalogue
# ------------------------------------------------------------------------------------------------
def _joined(lines) -> str:
    return "".join(lines).replace(" ", "")


@pytest.mark.parametrize("name", list(BY_NAME))
def test_diagram_draws_every_step_once_with_its_words(name):
    trace = BY_NAME[name].run()
    fig = plots.sequence_diagram(trace)
    info = fig.unloadlab
    drawn_steps = sorted(i for row in info.rows for i in row.steps)
    assert drawn_steps == list(range(len(trace.steps)))
    svg = svg_of(fig)
    words = texts(svg)
    blob = "\n".join(words)
    assert ELLIPSIS not in blob
    for row in info.rows:
        step = trace.steps[row.steps[0]]
        assert (row.kind, row.actor, row.target) == (step.kind, step.actor, step.target)
        if len(row.steps) == 1:                            # wrapped, never cut: every character is there
            assert _joined(row.label) == step.action.replace(" ", "")
        if step.kind is Kind.RETURN and step.status:
            assert _joined(row.status) == step.status.replace(" ", "")
        for line in row.label + row.status:
            assert line in words
        assert _joined(row.rules) == ",".join(step.rules).replace(" ", "") or row.rules == ("(no rule cited)",)
        assert str(row.steps[0] + 1) in words               # the step number, as in the Trace tab
        if step.mark is not None:
            assert row.mark == step.mark.value.upper() and row.mark.split()[0] in blob
        own = "self " if step.target in (None, step.actor) else ""
        assert row.style == {Kind.ACTION: "action", Kind.NOTE: "note"}.get(step.kind, own + step.kind.value)
    present = {s.actor for s in trace.steps} | {s.target for s in trace.steps if s.target}
    assert list(info.lifelines) == [a for a in plots.ACTOR_ORDER if a in present]
    assert list(info.xs) == sorted(info.xs)
    assert f"Outcome: {trace.outcome.value}" in words


def _extent(text, renderer, fig):
    """A Text's box in points, y down from the top (the layout's own units)."""
    e = text.get_window_extent(renderer)
    k = 72.0 / fig.dpi
    height = fig.get_size_inches()[1] * 72.0
    return e.x0 * k, height - e.y1 * k, e.x1 * k, height - e.y0 * k


@pytest.mark.parametrize("name", ["sc-stop-success", "wfp-wdf-pnp-no-evtdriverunload", "wfp-flows-busy-doc-retry",
                                  "port-left-open", "eight-volumes", "synthetic"])
def test_no_lifeline_runs_through_a_label(name):
    """Measured on the rendered text: where a lifeline passes behind a label, the label's
    opaque white box (drawn above the lifelines) covers all of the text; a return's label
    and status stay between its two lifelines."""
    trace = {"eight-volumes": eight_volumes, "synthetic": _every_kind}.get(name, lambda: example(name).run())()
    fig = plots.sequence_diagram(trace)
    info = fig.unloadlab
    rows = {row.steps: row for row in info.rows}
    labels = [t for t in fig.texts if getattr(t, "unloadlab_role", ("",))[0] in ("label", "mark")]
    assert len(labels) >= len(info.rows)
    width = plots.FIGURE_WIDTH * 72
    renderer = FigureCanvasAgg(fig).get_renderer()
    with mpl.rc_context({"text.hinting": "no_hinting"}):       # the font's own metrics, as in the SVG
        extents = [_extent(text, renderer, fig) for text in labels]
    for text, (x0, y0, x1, y1) in zip(labels, extents):
        row = rows[text.unloadlab_role[1]]
        assert 0 <= x0 and x1 <= width
        crossed = [x for x in info.xs if x0 - 1 < x < x1 + 1]
        if crossed:
            bx0, by0, bx1, by1 = row.box
            assert bx0 <= x0 and x1 <= bx1 and by0 <= y0 + 0.5 and y1 - 0.5 <= by1, (text.get_text(), row.box)
        if row.style == "return":
            lo, hi = row.span
            assert lo < x0 and x1 < hi, (text.get_text(), row.span, (x0, x1))
    assert all(z.get_zorder() > 1 for z in fig.patches if z.get_facecolor()[:3] == (1.0, 1.0, 1.0))


def _every_kind() -> Trace:
    long_call = "StartIt(" + "FLTFL_" * 12 + "x, " + "y" * 120 + ")"
    steps = [
        Step(Actor.CALLER, Kind.CALL, long_call, "d", ("r-one",), Actor.FILTER_ENGINE),
        Step(Actor.FILTER_ENGINE, Kind.CALL, "Helper()", "a call to itself", ("r-two",), None),
        Step(Actor.FILTER_ENGINE, Kind.CALL, "Again()", "target is the actor", ("r-two",), Actor.FILTER_ENGINE),
        Step(Actor.FRAMEWORK, Kind.ACTION, "does something rather long " * 6, "d", ("r-three", "r-four"),
             mark=Mark.HAZARD),
        Step(Actor.FILTER_ENGINE, Kind.RETURN, "returns", "d", tuple(f"rule-{i:02}" for i in range(30)),
             Actor.FRAMEWORK, "STATUS_" + "VERY_LONG_" * 12, Mark.FAILED),
    ]
    steps += [Step(Actor.FRAMEWORK, Kind.NOTE, f"note {m.name}", "d", ("r-five",), mark=m) for m in Mark]
    steps.append(Step(Actor.CALLER, Kind.RETURN, "plain return", "d", (), Actor.FRAMEWORK, None))
    return synthetic(steps, headline="A made-up trace. " * 12)


def test_any_trace_long_labels_wrap_and_rules_are_all_there():
    trace = _every_kind()
    fig = plots.sequence_diagram(trace)
    info = fig.unloadlab
    words = texts(svg_of(fig))
    assert info.lifelines == (Actor.CALLER, Actor.FRAMEWORK, Actor.FILTER_ENGINE)
    first, ret = info.rows[0], info.rows[4]
    assert len(first.label) > 2 and _joined(first.label) == trace.steps[0].action.replace(" ", "")
    assert len(ret.status) > 1 and _joined(ret.status) == trace.steps[4].status
    assert " ".join(ret.rules).count("rule-") == 30                      # rule ids wrap, none dropped
    assert info.rows[-1].rules == ("(no rule cited)",)
    assert [r.style for r in info.rows[:3]] == ["call", "self call", "self call"]
    assert {r.mark for r in info.rows if r.mark} == {m.value.upper() for m in Mark}
    assert all(ELLIPSIS not in w for w in words)
    plots.to_png(fig)


@pytest.mark.parametrize("text, width", [
    ("FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY)", 100.0),
    (r"NtUnloadDriver(\Registry\Machine\System\CurrentControlSet\Services\SampleCallout)", 90.0),
    ("InstanceTeardownCompleteCallback", 60.0), ("x" * 80, 50.0), ("a short one", 300.0),
])
def test_wrap_keeps_every_character_and_the_width(text, width):
    lines = plots.wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(plots.text_width(line) <= width for line in lines)
    if plots.text_width(text) <= width:
        assert lines == [text]


def test_height_grows_with_steps_and_width_is_fixed():
    short = plots.sequence_diagram(example("filterunload-no-privilege").run())
    long = plots.sequence_diagram(example("wfp-flows-busy-doc-retry").run())
    assert long.get_size_inches()[1] > short.get_size_inches()[1]
    for fig in (short, long, plots.decision_grid()):
        assert fig.get_size_inches()[0] == pytest.approx(plots.FIGURE_WIDTH)
        assert fig.dpi == plots.DPI == 96


def test_rejects_non_trace():
    with pytest.raises(TypeError):
        plots.sequence_diagram({"steps": []})


# ------------------------------------------------------------------------------------------------
# repeated per-instance steps: one loop
# ------------------------------------------------------------------------------------------------
def test_eight_volumes_are_one_loop_and_the_diagram_stays_short():
    trace = eight_volumes()
    fig = plots.sequence_diagram(trace)
    info = fig.unloadlab
    assert len(trace.steps) >= 31
    (loop,) = info.loops
    assert loop.values == ("C:", "D:", "E:", "F:", "G:", "H:", "I:", "J:") and loop.period == 2
    assert all("InstanceTeardown" in trace.steps[i].action for i in loop.steps)
    assert len(info.rows) <= 20                                 # 31+ steps in at most 20 rows
    words = texts(svg_of(fig))
    assert "loop" in words
    guard = " ".join(w for w in words if "once for each of" in w or "J:" in w)
    assert "8 times, once for each of C:, D:, E:" in guard
    body = [r for r in info.rows if len(r.steps) > 1]
    assert [r.steps for r in body] == [tuple(range(loop.first, loop.steps.stop, 2)),
                                       tuple(range(loop.first + 1, loop.steps.stop, 2))]
    assert all("C:\u2013J:" in "".join(r.label) for r in body)
    # three to eight volumes: the same number of rows; two volumes are drawn out in full
    rows = {n: len(plots.sequence_diagram(minifilter.simulate(MinifilterScenario(
        trigger="sc-stop", instances=n, teardown_callbacks=True))).unloadlab.rows) for n in (2, 3, 5, 8)}
    assert rows[3] == rows[5] == rows[8] < rows[2] + 1


def test_loops_are_found_from_the_steps_alone():
    def call(text, rules=("r",)):
        return Step(Actor.CALLOUT_DRIVER, Kind.CALL, text, "d", rules, Actor.FILTER_ENGINE)
    same_index = [call(f"FwpsCalloutRegister0(DeviceObject, &Callout{i}, &CalloutIds[{i}])") for i in range(4)]
    (loop,) = plots.sequence_diagram(synthetic(same_index)).unloadlab.loops
    assert loop.values == ("0", "1", "2", "3") and loop.period == 1
    # two values changing independently, or a rule that differs: drawn out in full
    two_values = [call(f"Remove(Flow{i}, x {3 - i})") for i in range(4)]
    other_rule = [call(f"Remove(Flow{i})", rules=(f"r{i}",)) for i in range(4)]
    too_few = [call(f"Remove(Flow{i})") for i in range(plots.MIN_LOOP - 1)]
    for steps in (two_values, other_rule, too_few):
        assert plots.sequence_diagram(synthetic(steps)).unloadlab.loops == ()


# ------------------------------------------------------------------------------------------------
# marks: words and line styles, never colour alone
# ------------------------------------------------------------------------------------------------
def test_every_mark_has_a_word_and_a_line_style_of_its_own():
    assert set(plots.MARK_STYLES) == set(Mark), "a new Mark needs a MARK_STYLES entry"
    dashes = [repr(plots.MARK_STYLES[m].dashes) for m in Mark]
    assert len(set(dashes)) == len(dashes)
    fig = plots.sequence_diagram(synthetic(
        [Step(Actor.FRAMEWORK, Kind.NOTE, f"note {m.name}", "d", ("r",), mark=m) for m in Mark]))
    svg = svg_of(fig)
    words = texts(svg)
    for m in Mark:
        assert any(m.value.upper() in w for w in words), m       # the word, drawn in the diagram
    # each mark's frame is drawn in its own dash pattern (the SVG's own stroke-dasharray)
    frames = {}
    for style in re.findall(r'style="([^"]*stroke-width: 1\.4[^"]*)"', svg):
        stroke = re.search(r"stroke: (#[0-9a-f]{6})", style)
        frames.setdefault(stroke[1], set()).add(re.search(r"stroke-dasharray: ([\d.,]+)", style)[1]
                                                if "dasharray" in style else "solid")
    patterns = [frozenset(v) for v in frames.values()]
    assert len(set(patterns)) == len(Mark) == len(patterns)


# ------------------------------------------------------------------------------------------------
# the decision grid: data first, then the figure drawn from it, cell by cell
# ------------------------------------------------------------------------------------------------
# Built here from the core's own enums and STATUS_CLASSES, independently of plots.GRID_*.
EXPECTED_COLUMNS = {
    "no callback": dict(unload_callback=False),
    "success": dict(callback_returns=STATUS_CLASSES["success"]),
    "informational": dict(callback_returns=STATUS_CLASSES["informational"]),
    "warning": dict(callback_returns=STATUS_CLASSES["warning"]),
    "error": dict(callback_returns=STATUS_CLASSES["error"]),
    "error only if not mandatory": dict(callback_returns=STATUS_CLASSES["error"], refuse_only_if_not_mandatory=True),
}
EXPECTED_PANELS = {
    "DO_NOT_SUPPORT_SERVICE_STOP off": [],
    "DO_NOT_SUPPORT_SERVICE_STOP on": [RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP],
}
# The colour of each outcome, spelled out here: swapping two fills in plots fails this test.
EXPECTED_FILL = {
    Outcome.UNLOADED: "#cfe8cf", Outcome.REFUSED: "#fbd9a6", Outcome.FAILED: "#f4b6b6",
    Outcome.HUNG: "#d9c2ec", Outcome.SHUTDOWN: "#c9dcf2", Outcome.DRIVER_ENTRY_FAILED: "#dcdcdc",
}
EXPECTED_WORD = {
    Outcome.UNLOADED: "unloaded", Outcome.REFUSED: "refused", Outcome.FAILED: "fails, not called",
    Outcome.HUNG: "hung", Outcome.SHUTDOWN: "not called (shutdown)", Outcome.DRIVER_ENTRY_FAILED: "DriverEntry failed",
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


def _cell_fills(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        gid = g.get("id", "")
        if gid.startswith(("cell-", "legend-")):
            path = g.find(f"{SVG}path")
            out[gid] = re.search(r"fill: (#[0-9a-f]{6})", path.get("style"))[1]
    return out


@pytest.mark.parametrize("knobs", [{}, {"driver_entry_returns": "STATUS_UNSUCCESSFUL"},
                                   {"server_port": "left-open"}])
def test_decision_grid_colours_and_words_per_cell(knobs):
    fig = plots.decision_grid(**knobs)
    grid = fig.unloadlab
    expected = _simulated(knobs)
    assert list(grid.panels) == list(EXPECTED_PANELS) and list(grid.columns) == list(EXPECTED_COLUMNS)
    assert grid.triggers == tuple(Trigger)
    svg = svg_of(fig)
    fills, words = _cell_fills(svg), texts(svg)
    for pi, panel in enumerate(EXPECTED_PANELS):
        for ri, trig in enumerate(Trigger):
            for ci, col in enumerate(EXPECTED_COLUMNS):
                outcome = expected[(panel, trig, col)]
                assert fills[f"cell-{pi}-{ri}-{ci}"] == EXPECTED_FILL[outcome], (panel, trig, col, outcome)
                assert grid.cells[(panel, trig, col)] == EXPECTED_WORD[outcome]
    for outcome in set(expected.values()):                       # the legend: swatch and words
        assert fills[f"legend-{outcome.name.lower()}"] == EXPECTED_FILL[outcome]
        assert any(w.startswith(EXPECTED_WORD[outcome]) and outcome.value in w for w in words)
    for word in {EXPECTED_WORD[o] for o in expected.values()}:
        assert any(word.split(" ")[0] in w for w in words)
    for trig in Trigger:
        assert any(w.startswith(trig.value) for w in words)
    assert ET.fromstring(svg).get("aria-label") == fig.alt == plots.grid_alt(grid.table)


def test_refused_and_unloaded_look_different_in_the_svg():
    fills = _cell_fills(svg_of(plots.decision_grid()))
    assert fills["legend-refused"] == "#fbd9a6" and fills["legend-unloaded"] == "#cfe8cf"


def test_decision_grid_rejects_its_own_axes_as_knobs():
    for knob in ("trigger", "flags", "callback_returns", "unload_callback", "refuse_only_if_not_mandatory"):
        with pytest.raises(ScenarioError):
            plots.decision_table(**{knob: None})
    with pytest.raises(ScenarioError):
        plots.decision_grid(instances=-1)     # the core's own validation


# ------------------------------------------------------------------------------------------------
# the panel shows the diagram as inline SVG, named
# ------------------------------------------------------------------------------------------------
def test_the_panel_diagram_is_inline_svg_with_its_alt_text():
    from unloadlab.views.panel import Panel

    p = Panel("minifilter", trigger="sc-stop")
    p.render_all()
    markup = p.diagram.value
    svg = markup[markup.index("<svg"):markup.rindex("</svg>") + 6]
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == plots.diagram_alt(p.result)
    assert "FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY)" in "".join(texts(svg))   # wrapped lines
