"""Widget behaviour through the real controls: set .value, read the rendered outcome."""
import ipywidgets as W
import pytest

from unloadlab.minifilter import MinifilterScenario, simulate
from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import OTHER, Panel


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


def test_other_hex_status_through_the_text_field():
    p = Panel("minifilter", show=("trigger", "callback_returns"), trigger="FltUnloadFilter")
    dropdown, hexbox = p.controls["callback_returns"]
    assert hexbox.disabled
    dropdown.value = OTHER
    hexbox.value = "0x80001234"
    assert not hexbox.disabled and p.error_text == ""
    assert p.outcome_text.startswith("Outcome: REFUSED.") and p.result["callback_returned"] == "0x80001234"


@pytest.mark.parametrize("bad", ["0xNOT-HEX", "0x123456789", "-1", "STATUS_NOPE", ""])
def test_bad_hex_shows_a_message_and_keeps_the_previous_result(bad):
    p = Panel("minifilter", show=("trigger", "callback_returns"), trigger="fltmc-unload")
    before, before_text = p.result, p.outcome_text
    dropdown, hexbox = p.controls["callback_returns"]
    dropdown.value = OTHER
    hexbox.value = bad
    assert p.error_text.startswith("Input not accepted. Callback returns:")
    assert p.result is before and p.outcome_text == before_text
    hexbox.value = "0xC01C0010"  # fixing it clears the message
    assert p.error_text == "" and p.outcome_text.startswith("Outcome: REFUSED.")


def test_an_invalid_combination_is_reported_not_half_applied():
    p = Panel("minifilter", show=("instances", "pended_io"), trigger="sc-stop", instances=1)
    p.controls["pended_io"][0].value = True
    assert p.result["pended_io"] is True
    before = p.result
    p.controls["instances"][0].value = 0
    assert "needs at least one instance" in p.error_text and p.result is before


def test_every_control_has_a_description():
    for model in ("minifilter", "callout"):
        p = Panel(model)
        for w in all_controls(p):
            assert isinstance(w, (W.Checkbox, W.Dropdown, W.Text, W.BoundedIntText)), w
            assert w.description.strip(), w


def test_tabs_are_titled_and_rendered_only_when_shown():
    p = Panel("minifilter", trigger="sc-stop")
    assert [p.tabs.get_title(i) for i in range(4)] == ["Trace", "Sequence diagram", "C code", "Rules"]
    assert "FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY)" in p.trace_view.value
    assert bytes(p.diagram.value) == b"" and p.code_view.value == ""
    p.tabs.selected_index = 2
    assert "FltRegisterFilter" in p.code_view.value and bytes(p.diagram.value) == b""
    p.tabs.selected_index = 1
    assert bytes(p.diagram.value).startswith(b"\x89PNG")
    p.tabs.selected_index = 3
    assert "mandatory-flag" in p.rules_view.value


def test_a_hidden_tab_is_re_rendered_after_a_change():
    p = Panel("minifilter", show=("trigger",))
    p.tabs.selected_index = 2
    first = p.code_view.value
    p.tabs.selected_index = 0
    p.set(trigger="shutdown")
    assert p.code_view.value == first  # hidden: not rendered yet
    p.tabs.selected_index = 2
    assert p.code_view.value != first or "shutdown" in p.trace_view.value


def test_unknown_knobs_and_models_are_clear_errors():
    with pytest.raises(ValueError, match="unknown knob"):
        Panel("minifilter", show=("trigger", "nope"))
    with pytest.raises(ValueError, match="model 'nope'"):
        Panel("nope")
    with pytest.raises(ValueError, match="not shown"):
        Panel("minifilter", show=("trigger",)).set(instances=3)


def test_quiz_says_right_or_names_the_missed_rule():
    q = Quiz("sc-stop-refusal-ignored")
    assert q.check() == "Choose a prediction first."
    q.prediction.value = "refused"
    assert q.check().startswith("Not quite:") and "mandatory-ignores-refusal" in q.feedback_text
    q.button.click()
    q.prediction.value = "unloaded"
    q.button.click()
    assert q.feedback_text.startswith("Right:")
