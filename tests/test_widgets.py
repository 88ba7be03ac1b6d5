"""Widget behaviour through the real controls: set .value, read the rendered outcome.

Issue 14's findings each have a test here where no browser is needed (the browser checks
are in tests/browser): 1 panels start as their prose says, 2 a sentence before the kernel
runs, 6 errors, 8 wrapping, 9 links, 10 layout, banner and folded echo, 11 every tab is
re-rendered."""
import json
import re
from pathlib import Path

import ipywidgets as W
import pytest

from unloadlab.catalogue import CATALOGUE
from unloadlab.exercises.widgets import Diagnosis, LessonQuiz, Practice
from unloadlab.minifilter import MinifilterScenario, simulate
from unloadlab.views import panel_html as views
from unloadlab.views.controls import OTHER
from unloadlab.views.panel import TABS, Panel
from unloadlab.views.panel_html import pre
from unloadlab.views.shown import style_sheet
from unloadlab.windows import Outcome, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
REPR = re.compile(r"(VBox|HBox|Tab|Dropdown|Output|GridBox)\(")   # what the fast-check hook refuses


def all_controls(panel):
    out = []

    def walk(w):
        if isinstance(w, W.Box):
            for c in w.children:
                walk(c)
        elif not isinstance(w, W.Label):  # a group's heading, not a control
            out.append(w)
    for ws in panel.controls.values():
        for w in ws:
            walk(w)
    return out


def shown(widget):
    return widget.layout.display != "none"


def test_changing_a_dropdown_rerenders_the_outcome_in_words():
    p = Panel("minifilter", show=("trigger", "callback_returns"))
    p.controls["callback_returns"][0].value = "STATUS_FLT_DO_NOT_DETACH"
    assert p.outcome_text.startswith("Outcome: REFUSED.")
    p.controls["trigger"][0].value = "sc-stop"
    assert p.outcome_text.startswith("Outcome: UNLOADED.") and "mandatory" in p.outcome_text


def test_the_panel_agrees_with_the_model():
    p = Panel("minifilter")
    p.set(trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH", instances=2)
    want = simulate(MinifilterScenario(trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH",
                                       instances=2))
    assert p.result == want
    assert "Unload failed with error: 0x801f0010" in p.outcome_text


def test_checkbox_flag_changes_the_outcome():
    p = Panel("minifilter", show=("trigger", "flags"), trigger="sc-stop")
    box = next(b for b in p.controls["flags"][0].children[1:] if b.description == "DO_NOT_SUPPORT_SERVICE_STOP")
    box.value = True
    assert p.outcome_text.startswith("Outcome: FAILED WITHOUT CALLING THE UNLOAD ROUTINE.")
    assert "1052" in p.outcome_text


# --- finding 6: errors where they belong ----------------------------------------------------------
def test_the_hex_field_appears_with_other_and_says_nothing_before_anything_is_typed():
    p = Panel("minifilter", show=("trigger", "callback_returns"), trigger="FltUnloadFilter",
              callback_returns="STATUS_FLT_DO_NOT_DETACH")
    dropdown, hexbox = p.controls["callback_returns"]
    assert not shown(hexbox)
    before = p.result
    dropdown.value = OTHER
    assert shown(hexbox) and hexbox.value == ""
    assert p.error_text == "" and not shown(p.messages["callback_returns"])   # no error before typing
    assert p.result is before
    assert "type a status in the hex field" in p.notice_text and "STATUS_FLT_DO_NOT_DETACH" in p.notice_text
    assert "role='alert'" not in p.notice.value
    hexbox.value = "0x80001234"
    assert p.error_text == "" and p.notice_text == "" and not shown(p.notice)
    assert p.outcome_text.startswith("Outcome: REFUSED.") and p.result["callback_returned"] == "0x80001234"
    dropdown.value = "STATUS_SUCCESS"
    assert not shown(hexbox) and p.outcome_text.startswith("Outcome: UNLOADED.")


@pytest.mark.parametrize("bad", ["0xNOT-HEX", "0x123456789", "-1", "STATUS_NOPE"])
def test_a_bad_hex_status_is_an_error_beside_its_control(bad):
    p = Panel("minifilter", show=("trigger", "callback_returns"), trigger="fltmc-unload")
    before, before_text = p.result, p.outcome_text
    dropdown, hexbox = p.controls["callback_returns"]
    dropdown.value = OTHER
    hexbox.value = bad
    assert p.error_text.startswith("Callback returns:") and "0x" in p.error_text
    box = p.messages["callback_returns"]
    assert shown(box) and "role='alert'" in box.value and "color:#b91c1c" in box.value
    assert "aria-hidden='true'>✖" in box.value and "Not accepted:" in box.value
    knob_group = next(k for k in p.widget.children[0].children if box in getattr(k, "children", ()))
    assert dropdown in knob_group.children and hexbox in knob_group.children   # beside the control
    assert p.result is before and p.outcome_text == before_text
    assert "Callback returns is not applied: the result uses its last valid value, STATUS_SUCCESS." \
        == p.notice_text
    hexbox.value = "0xC01C0010"  # fixing it clears the message
    assert p.error_text == "" and not shown(box) and not shown(p.notice)
    assert p.outcome_text.startswith("Outcome: REFUSED.")


def test_one_bad_input_does_not_freeze_the_panel():
    p = Panel("minifilter", show=("trigger", "callback_returns"), trigger="fltmc-unload",
              callback_returns="STATUS_FLT_DO_NOT_DETACH")
    p.set(callback_returns="0xNOT-HEX")
    assert p.outcome_text.startswith("Outcome: REFUSED.")
    p.controls["trigger"][0].value = "sc-stop"   # another control still applies
    assert p.result["trigger"] == "sc-stop" and p.outcome_text.startswith("Outcome: UNLOADED.")
    assert p.result["callback_returned"] == "STATUS_FLT_DO_NOT_DETACH"   # the last valid status
    assert p.error_text.startswith("Callback returns: not an NTSTATUS: '0xNOT-HEX'")
    assert "last valid value, STATUS_FLT_DO_NOT_DETACH" in p.notice_text


@pytest.mark.parametrize("model, knob, low, high", [("minifilter", "instances", 0, 8),
                                                    ("callout", "flows_with_context", 0, 8),
                                                    ("callout", "callouts", 1, 8)])
def test_out_of_range_counts_are_reported_never_clamped(model, knob, low, high):
    p = Panel(model, show=(knob,))
    box = p.controls[knob][0]
    assert isinstance(box, W.IntText) and not isinstance(box, W.BoundedIntText)
    assert f"({low} to {high})" in box.description   # what is accepted, said up front
    before = p.result
    for value in (high + 1, 99, low - 1):
        box.value = value
        assert box.value == value   # the control keeps what was typed
        assert p.error_text == f"{Panel(model)._label(knob)}: expected a whole number {low}..{high}, got {value}"
        assert p.result is before and shown(p.messages[knob])
    box.value = high
    assert p.error_text == "" and p.result[knob] == high


def test_an_invalid_combination_is_reported_beside_the_control_just_changed():
    p = Panel("minifilter", show=("trigger", "instances", "pended_io"), trigger="sc-stop", instances=1)
    p.controls["pended_io"][0].value = True
    assert p.result["pended_io"] is True
    before = p.result
    p.controls["instances"][0].value = 0
    assert "needs at least one instance" in p.error_text and p.result == before
    assert shown(p.messages["instances"]) and not shown(p.messages["pended_io"])
    p.controls["trigger"][0].value = "fltmc-unload"   # still not frozen
    assert p.result["trigger"] == "fltmc-unload" and p.result["instances"] == 1
    assert "needs at least one instance" in p.error_text
    p.controls["pended_io"][0].value = False   # the other way out of the conflict
    assert p.error_text == "" and p.result["instances"] == 0


def test_a_conflict_with_a_fixed_knob_keeps_the_last_valid_result_and_says_so():
    p = Panel("minifilter", show=("trigger",), trigger="FltUnloadFilter")
    p.fixed["pended_io"] = True   # a knob the learner cannot see or change, made invalid
    p.fixed["instances"] = 0
    before = p.result
    p.controls["trigger"][0].value = "sc-stop"
    assert p.result is before and "needs at least one instance" in p.error_text
    assert "Not applied:" in p.notice_text and "The result is the last valid one" in p.notice_text
    assert "role='alert'" in p.notice.value


def test_bad_values_given_to_the_api_are_clear_errors():
    with pytest.raises(ScenarioError, match="callback_returns: not an NTSTATUS"):
        Panel("minifilter", callback_returns="0xZZ")
    with pytest.raises(ScenarioError, match=r"instances: expected a whole number 0\.\.8, got 99"):
        Panel("minifilter", instances=99)
    with pytest.raises(ScenarioError, match="trigger: 'nope' is not one of: FilterUnload"):
        Panel("minifilter", show=("trigger",)).set(trigger="nope")


def test_every_control_has_a_description():
    for model in ("minifilter", "callout"):
        p = Panel(model)
        for w in all_controls(p):
            assert isinstance(w, (W.Checkbox, W.Dropdown, W.Text, W.IntText)), w
            assert w.description.strip(), w


# --- finding 10: a panel for 1280x720 ----------------------------------------------------------
def test_the_layout_follows_the_panels_own_width():
    """Beside each other from TWO_COLUMNS px of panel width (a container query, not the
    window's width), the result under the controls below that; the widgets set no width of
    their own that would fight it (the browser tests measure what a learner sees)."""
    p = Panel("minifilter")
    controls, result = p.widget.children
    assert "unloadlab-panel" in p.widget._dom_classes
    assert "unloadlab-controls" in controls._dom_classes and "unloadlab-result" in result._dom_classes
    assert list(result.children) == [p.outcome, p.notice, p.tabs]   # banner first, then the tabs
    css = style_sheet().value
    assert ".unloadlab { container-type: inline-size; }" in css
    assert f"@container (min-width: {views.TWO_COLUMNS}px)" in css and "@media" not in css
    for box in (p.widget, controls, result):
        assert box.layout.flex is None and box.layout.width is None and box.layout.flex_flow is None
    for w in all_controls(p):
        if isinstance(w, (W.Dropdown, W.Text)):   # description above, the field the column's width
            assert w.style.description_width == "initial" and w.layout.width == "100%"


def test_every_outcome_has_its_own_icon_and_colour():
    assert set(views.LOOK) == set(Outcome)
    assert len(set(views.LOOK.values())) == len(Outcome)   # no two outcomes look alike


def _one_example_per_outcome():
    return {e.run().outcome: e for e in reversed(CATALOGUE)}


@pytest.mark.parametrize("ex", list(_one_example_per_outcome().values()), ids=lambda e: e.name)
def test_the_outcome_is_a_banner_with_words_an_icon_and_a_colour(ex):
    trace = ex.run()
    outcome = trace.outcome
    banner = views.outcome_html(trace)
    assert f"unloadlab-outcome-{outcome.name.lower().replace('_', '-')}" in banner and "role='status'" in banner
    icon, colour = views.LOOK[outcome]
    assert f"<span class='unloadlab-icon' aria-hidden='true' style='color:{colour}" in banner and icon in banner
    assert f"border-left:6px solid {colour}" in banner
    text = views.plain(banner)
    assert text.startswith(f"Outcome: {outcome.value.upper()}.") and icon not in text   # the words first


def test_the_panel_shows_its_outcome_as_the_banner():
    p = Panel("callout", model="wdf", flows_with_context=2)   # "model" is a callout knob too
    assert p.result["model"] == "wdf" and p.outcome.value == views.outcome_html(p.result)


def test_the_settings_echo_is_folded_away():
    p = Panel("minifilter", trigger="sc-stop")
    page = p.trace_view.value
    folded = re.search(r"<details><summary>[^<]+</summary>(.*?)</details>", page, re.S)
    assert folded and "callback_returns: STATUS_SUCCESS" in folded.group(1)
    rest = page.replace(folded.group(0), "")
    assert "callback_returns:" not in rest and " 1. [" in rest and "Outcome: unloaded." in rest


def test_dropdowns_keep_their_arrow_keys_and_rejected_fields_are_marked_invalid():
    """No hint asking learners to work round JupyterLab: the front-end script shipped with
    every displayed widget marks a dropdown's arrow keys data-lm-suppress-shortcuts (the
    browser test presses them), and a rejected field gets the class it turns into aria-invalid."""
    p = Panel("minifilter", show=("trigger", "callback_returns", "instances"))
    assert not any("Space or Enter" in getattr(w, "value", "") for w in p.widget.children[0].children)
    shown = p.shown_widget()
    script = shown.children[1].outputs[0]["data"]["application/javascript"]
    assert "data-lm-suppress-shortcuts" in script and "aria-invalid" in script
    hexbox, count = p.controls["callback_returns"][1], p.controls["instances"][0]
    p.set(callback_returns="0xZZ", instances=99)
    assert "unloadlab-invalid" in hexbox._dom_classes and "unloadlab-invalid" in count._dom_classes
    p.set(callback_returns="0xC01C0010", instances=1)
    assert "unloadlab-invalid" not in hexbox._dom_classes + count._dom_classes


def test_the_style_sheet_gives_fields_a_visible_focus_ring():
    css = style_sheet().value
    assert re.search(r"\.unloadlab select:focus, \.unloadlab input:focus[^{]*\{\s*outline: 2px solid #1a56db", css)

    def luminance(hex_colour):
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    assert (1.05) / (luminance("#1a56db") + 0.05) >= 3   # against white
    # the displayed widget carries the sheet and the class it keys on
    view = Panel("minifilter", show=("trigger",)).shown_widget()
    assert "unloadlab" in view._dom_classes and "<style>" in view.children[0].value


# --- findings 8 and 9: text and links ---------------------------------------------------------------
def test_monospace_blocks_wrap_only_between_words():
    block = pre("FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY)")
    for rule in ("white-space:pre-wrap", "word-break:normal", "overflow-wrap:normal"):
        assert rule in block
    p = Panel("minifilter")
    p.render_all()
    for view in (p.trace_view, p.code_view):
        assert "word-break:normal" in view.value and "break-all" not in view.value
        assert "class='unloadlab-scroll' role='region'" in view.value and "tabindex='0'" in view.value
    # region names are unique on a page: each panel numbers its own
    q = Panel("minifilter")
    assert f"aria-label='Trace, panel {p.number}'" in p.trace_view.value
    assert f"aria-label='Trace, panel {q.number}'" in q.trace_view.value and q.number != p.number
    # printed traces in the notebook too: JupyterLab's own output style breaks anywhere
    assert ".jp-Notebook:has(.unloadlab) .jp-OutputArea-output pre" in style_sheet().value


def test_sources_are_links_that_look_like_links_each_listed_once():
    p = Panel("minifilter", trigger="sc-stop")
    p.tabs.selected_index = 3
    page = p.rules_view.value
    hrefs = re.findall(r"<a href='([^']+)'[^>]*style='color:#1a56db; text-decoration:underline'", page)
    assert len(hrefs) == len(re.findall(r"<a ", page)) >= 3   # every link styled as one
    assert len(hrefs) == len(set(hrefs))                       # each source once
    sources = [s for rid in p.result.rules for s in views.RULES_BY_ID[rid].sources]
    assert len(sources) > len(set(sources))   # this trace's rules do share sources
    for rid in p.result.rules:
        assert re.search(rf"<code>{rid}</code>.*?Sources \[\d+\]", page)


# --- finding 2: before the kernel runs -------------------------------------------------------------
@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell
    return InteractiveShell.instance()


@pytest.mark.parametrize("make, start", [
    (lambda: Panel("minifilter", show=("trigger", "callback_returns")),
     "Run this cell to open the panel: Trigger, Callback returns → outcome, Trace, Sequence diagram, C code, Rules."),
    (lambda: LessonQuiz("03-mandatory"), "Run this cell to open the "),
    (lambda: Practice(seed=3), "Run this cell to open the "),
    (lambda: Diagnosis("case-1"), "Run this cell to open the "),
])
def test_a_displayed_widget_reads_as_a_sentence_before_the_kernel_runs(shell, make, start):
    from IPython.utils.capture import capture_output
    shell.user_ns["thing"] = make()
    with capture_output() as captured:
        shell.run_cell("thing", store_history=False)   # the last expression of a cell
    (output,) = captured.outputs
    assert "application/vnd.jupyter.widget-view+json" in output.data
    text = output.data["text/plain"]
    assert text.startswith(start) and not REPR.match(text) and "(" not in text.split(":")[0]


# --- finding 11: every tab is re-rendered after a change --------------------------------------------
def stale_tabs(p, model="minifilter"):
    """The tabs whose content differs from a fresh panel's for the same knobs (each selected,
    as a learner would, before it is read)."""
    fresh = Panel(model, show=p.show, **p.knobs())
    fresh.render_all()
    stale = []
    for i, title in enumerate(TABS):
        p.tabs.selected_index = i
        same = fresh.tabs.children[i].value.replace(f", panel {fresh.number}'", f", panel {p.number}'")
        if p.tabs.children[i].value != same:
            stale.append(title)
    return stale


@pytest.mark.parametrize("shown_first", range(len(TABS)))
def test_every_tab_is_re_rendered_after_a_change(shown_first):
    p = Panel("minifilter", show=("trigger", "unload_callback"), trigger="FilterUnload")
    p.render_all()
    before = [c.value for c in p.tabs.children]
    p.tabs.selected_index = shown_first
    p.set(unload_callback=False)   # changes the trace, the diagram, the C and the rules
    assert stale_tabs(p) == []
    assert all(c.value != old for c, old in zip(p.tabs.children, before))


def test_the_re_render_check_catches_a_tab_left_stale(monkeypatch):
    """The check above is not vacuous: a panel that never re-renders its C code fails it."""
    original = Panel._render

    def forgetful(self, index):
        if index == 2 and self.code_view.value:
            self._stale.discard(2)
            return
        original(self, index)
    monkeypatch.setattr(Panel, "_render", forgetful)
    p = Panel("minifilter", show=("trigger", "unload_callback"), trigger="FilterUnload")
    p.render_all()
    p.set(unload_callback=False)
    assert stale_tabs(p) == ["C code"]


def test_tabs_are_titled_and_rendered_only_when_shown():
    p = Panel("minifilter", trigger="sc-stop")
    assert [p.tabs.get_title(i) for i in range(4)] == ["Trace", "Sequence diagram", "C code", "Rules"]
    assert "FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY)" in p.trace_view.value
    diagram = p.tabs.children[1]
    assert not diagram.value and p.code_view.value == ""
    p.tabs.selected_index = 2
    assert "FltRegisterFilter" in p.code_view.value and not diagram.value
    p.tabs.selected_index = 1
    assert diagram.value
    p.tabs.selected_index = 3
    assert "mandatory-flag" in p.rules_view.value


def test_unknown_knobs_and_models_are_clear_errors():
    with pytest.raises(ValueError, match="unknown knob"):
        Panel("minifilter", show=("trigger", "nope"))
    with pytest.raises(ValueError, match="family 'nope'"):
        Panel("nope")
    with pytest.raises(ValueError, match="not shown"):
        Panel("minifilter", show=("trigger",)).set(instances=3)


# --- finding 1: each "Try it" panel starts in the state its prose describes -------------------------
LEARNER_WIDGETS = r"^(\w+)\s*=\s*(Panel|Quiz|Practice|Diagnosis)\("
DRIVES = r"\b{name}\.(set|update|next_problem|check|reveal|show)\(|\b{name}\.[\w.\[\]\"']+\s*=(?!=)"


def driven_after_display(path):
    """(cell index, source line) of each change to a learner's widget after the cell showing it."""
    cells = [("".join(c["source"]) if c["cell_type"] == "code" else "")
             for c in json.loads(path.read_text())["cells"]]
    found = []
    for i, src in enumerate(cells):
        for name, _ in re.findall(LEARNER_WIDGETS, src, re.M):
            shown_at = next((j for j in range(i, len(cells))
                             if re.search(rf"^(display\()?{name}\)?\s*$", cells[j], re.M)), None)
            if shown_at is None:
                continue
            for j in range(shown_at + 1, len(cells)):
                if re.search(rf"^{name}\s*=", cells[j], re.M):
                    break   # the name now holds another widget
                found += [(j, line.strip()) for line in cells[j].splitlines()
                          if re.search(DRIVES.format(name=name), line)]
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_notebook_drives_the_learners_panel_from_code(path):
    """Code-driven examples use a panel of their own, so the panel the learner is about to use
    is still in the state its prose describes after Run All."""
    assert driven_after_display(path) == []


def test_the_drive_detector_sees_a_driven_panel(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": 'panel = Panel("minifilter")\npanel'},
                    {"cell_type": "code", "source": 'panel.set(trigger="sc-stop")'},
                    {"cell_type": "code", "source": "panel.tabs.selected_index = 2"},
                    {"cell_type": "code", "source": 'other = Panel("minifilter")\nother.set(trigger="sc-stop")'}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    assert driven_after_display(path) == [(1, 'panel.set(trigger="sc-stop")'), (2, "panel.tabs.selected_index = 2")]


def test_every_catalogue_scenario_opens_in_a_panel():
    """Every model knob has a control: a new knob cannot silently miss the panel."""
    for ex in CATALOGUE:
        panel = Panel(ex.family, **ex.knobs)
        assert panel.result is not None and panel.result.outcome == ex.run().outcome, ex.name
