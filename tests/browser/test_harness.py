"""The browser harness tested on itself, with sample notebooks written to the server's
temporary root (never to notebooks/): a good one that passes with example interactions,
and a bad one whose every planted problem must be reported."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import lab

pytestmark = pytest.mark.browser

# A miniature of the lesson panel: Dropdown, Checkbox, ToggleButton, Text (hex status),
# Button, and a Tab (Trace | Sequence diagram | C code | Rules) of Output/HTML areas.
# Handlers write through the Output widget's own state (notebook-testing.md, fix B).
SAMPLE_PANEL = r'''
import ipywidgets as W

trigger = W.Dropdown(description="Trigger", options=["FltUnloadFilter", "sc stop"])
# A second control with the same label and other options: "nth" must pick it, options included.
trigger2 = W.Dropdown(description="Trigger", options=["net stop", "system shutdown"])
refuses = W.Checkbox(description="Callback refuses", value=False)
verbose = W.ToggleButton(description="Verbose", value=False)
status = W.Text(description="Status", value="0x00000000")
unload = W.Button(description="Unload")
trace, seq = W.Output(), W.HTML()
tabs = W.Tab(children=[trace, seq, W.HTML("<pre>FilterUnloadCallback(...)</pre>"), W.HTML("rules")],
             titles=("Trace", "Sequence diagram", "C code", "Rules"))

def render(*_):
    refused = refuses.value
    status.value = "0xC0000001" if refused else "0x00000000"
    lines = [f"{trigger.value}: " + ("unload refused" if refused else "driver unloaded")]
    if verbose.value:
        lines.append("verbose: callback returned " + status.value)
    trace.outputs = ()
    trace.append_stdout("\n".join(lines) + "\n")
    seq.value = f"<pre>{trigger.value} -> I/O manager -> filter manager</pre>"

unload.on_click(render)
trace.append_stdout("state: loaded\n")
W.VBox([trigger, refuses, verbose, status, unload, tabs, trigger2])
'''

SAMPLE_ACTIONS = [
    {"expect_text": "state: loaded"},
    {"select": ("Trigger", "sc stop"), "nth": 0},
    {"select": ("Trigger", "system shutdown"), "nth": 1},
    {"expect_value": ("Trigger", "system shutdown"), "nth": 1},
    {"click_checkbox": "Callback refuses"},
    {"click_button": "Unload"},
    {"expect_text": "sc stop: unload refused"},
    {"expect_value": ("Status", "0xC0000001")},
    {"expect_value": ("Trigger", "sc stop"), "nth": 0},
    {"click_checkbox": "Callback refuses"},
    {"click_toggle": "Verbose"},
    {"click_button": "Unload"},
    {"expect_text": "driver unloaded"},
    {"expect_text": "verbose: callback returned 0x00000000"},
    {"expect_no_text": "state: loaded"},
    {"fill": ("Status", "0xDEADBEEF")},
    {"expect_value": ("Status", "0xDEADBEEF")},
    {"select_tab": "Sequence diagram"},
    {"expect_text": "I/O manager"},
    {"expect_no_text": "driver unloaded"},  # the Trace page is hidden now
    {"check_accessibility": True},
    {"screenshot": "sequence-tab"},
]

BAD_PANEL = r'''
import ipywidgets as W
from IPython.display import display

said = W.HTML()
boom = W.Button(description="Boom")
boom.on_click(lambda _: setattr(said, "value", "boom pressed"))
def explode(_):
    raise RuntimeError("callback exploded")
boom.on_click(explode)
nameless = W.Text()                                   # no description: no label
skipped = W.Button(description="Skipped", tabbable=False)   # Tab never reaches it
display(W.VBox([boom, said, nameless, skipped]))
'''
BAD_WIDGET_VIEW = (
    'display({"application/vnd.jupyter.widget-view+json": '
    '{"version_major": 2, "version_minor": 0, "model_id": "0" * 32}}, raw=True)'
)
BAD_ACTIONS = [
    {"click_button": "Boom"},
    {"expect_text": "boom pressed"},
    {"select": ("No such dropdown", "x")},
    {"expect_text": "never reached"},
]


def test_validate_actions():
    assert lab.validate_actions(SAMPLE_ACTIONS) == []
    errors = lab.validate_actions(
        [
            {"click": "x"},
            {"select": "Trigger"},
            {"expect_text": "a", "click_button": "b"},
            {"click_button": "b", "nth": -1},
            "expect_text",
            {"check_accessibility": "yes"},
        ],
        "nb",
    )
    assert len(errors) == 6, errors


def test_clean_notebook_file(tmp_path):
    path = tmp_path / "n.ipynb"
    lab.write_notebook(path, [("code", "1")])
    nb = json.loads(path.read_text())
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb["cells"][0].update(execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}])
    path.write_text(json.dumps(nb))
    lab.clean_notebook_file(path)
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"]
    assert nb["cells"][0]["outputs"] == [] and nb["cells"][0]["execution_count"] is None


def _selftest(lab_server, page, screenshot_dir, name, cells, actions):
    rel = f"_harness_selftest/{name}.ipynb"
    path = lab_server.root_dir / rel
    lab.write_notebook(path, cells)
    lab.trust([path], lab_server.env)
    return lab.run_notebook(page, lab_server, rel, actions, screenshot_dir)


def test_harness_passes_a_good_notebook(lab_server, page, screenshot_dir, record_screenshots):
    run = _selftest(
        lab_server, page, screenshot_dir, "sample",
        [("markdown", "# Sample"), ("code", "%matplotlib inline\n" + SAMPLE_PANEL), ("code", "")],
        SAMPLE_ACTIONS,
    )
    record_screenshots(run)
    print(run.report(), run.timings)
    assert not run.problems, run.report()
    assert [p.name for p in run.screenshots] == [
        "_harness_selftest_sample.ipynb.png",
        "_harness_selftest_sample.ipynb--sequence-tab.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in run.screenshots)


def test_harness_reports_every_planted_problem(lab_server, page, screenshot_dir, record_screenshots):
    run = _selftest(
        lab_server, page, screenshot_dir, "bad",
        [
            ("code", BAD_PANEL),
            ("code", BAD_WIDGET_VIEW),
            ("code", "1 / 0"),
            ("code", "print('after the error')"),
        ],
        BAD_ACTIONS,
    )
    record_screenshots(run)
    report = run.report()
    print(report)
    expected = {
        "cell error": "ZeroDivisionError",
        "cells after it not run": "cells [3] were not run",
        "widget error": "Error displaying widget",
        "missing label": "widget-text has no visible label",
        "not tabbable": '"Skipped": not reachable with the Tab key',
        "unknown control": "no visible Dropdown/Select labelled 'No such dropdown'",
        "callback exception": "callback exploded",
    }
    missing = {k: v for k, v in expected.items() if v not in report}
    assert not missing, f"not reported: {missing}\n{report}"
    assert "never reached" not in report.replace("'expect_text': 'never reached'", "")
    assert len(run.problems) == len(expected), report
