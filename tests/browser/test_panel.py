"""The lab's panel itself in JupyterLab at 1280x720, on a sample notebook written to the
server's temporary root (so it does not depend on the lessons' state): the issue 14 checks
(nothing cut, banner, errors beside their control, focus ring, axe-core) and one walk
through the panel with the keyboard only."""
from __future__ import annotations

import re
import time

import pytest

import lab

pytestmark = pytest.mark.browser

REL = "_panel_selftest/panel.ipynb"
CELLS = [
    ("code", "%matplotlib inline\nfrom unloadlab.views.panel import Panel\n"
             "from unloadlab.exercises.widgets import LessonQuiz"),
    ("markdown", "## Try it"),
    ("code", 'panel = Panel("minifilter", show=("trigger", "callback_returns", "unload_callback", "instances"),\n'
             '              trigger="fltmc-unload")\npanel'),
    ("code", 'print("FilterUnloadCallback(Flags=FLTFL_FILTER_UNLOAD_MANDATORY) " * 12)'),
    ("code", 'LessonQuiz("03-mandatory")'),
    ("code", 'Panel("callout", flows_with_context=2)'),
]


@pytest.fixture
def opened(lab_server, page, screenshot_dir, record_screenshots, axe_script):
    path = lab_server.root_dir / REL
    lab.write_notebook(path, CELLS)
    lab.trust([path], lab_server.env)
    run = lab.run_notebook(page, lab_server, REL, [], screenshot_dir, axe_script=axe_script)
    record_screenshots(run)
    return run


def test_a_panel_at_1280x720(opened):
    """No control cut, the first panel on its banner with no error, words broken only between
    words, links underlined, 0 critical / serious axe violations in the outputs."""
    print(opened.report())
    assert not opened.problems, opened.report()


# --- the keyboard walk -------------------------------------------------------------------------------
def _luminance(rgb):
    lin = [c / 255 for c in rgb]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in lin]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a, b):
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css):
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


JS_FOCUSED = r"""
() => {
  const a = document.activeElement;
  if (!a) return null;
  const w = a.closest('.jupyter-widgets');
  const norm = e => e ? e.textContent.replace(/[\u200b\s]+/g, ' ').trim() : '';
  const label = w && [w.querySelector(':scope > .widget-label'), w.querySelector('.widget-label-basic')]
      .find(e => norm(e));
  const cs = getComputedStyle(a);
  let bg = 'rgb(255, 255, 255)';
  for (let e = a.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*, 0\)$/.test(c)) { bg = c; break; }
  }
  return {tag: a.tagName, label: norm(label), value: a.value ?? '',
          checked: !!a.checked, outline: [cs.outlineStyle, parseFloat(cs.outlineWidth), cs.outlineColor], bg};
}
"""

JS_PANEL_STATE = r"""
() => {
  const p = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .unloadlab-panel');
  const shown = e => e && e.checkVisibility();
  const text = sel => [...p.querySelectorAll(sel)].filter(shown).map(e => e.innerText.trim());
  const err = [...p.querySelectorAll('.unloadlab-error')].find(shown);
  return {
    banner: text('.unloadlab-result .unloadlab-banner[class*="unloadlab-outcome-"]').join(' '),
    notice: text('.unloadlab-notice').join(' '),
    errors: text('.unloadlab-error'),
    error: err ? {role: err.getAttribute('role'), colour: getComputedStyle(err).color,
                  beside: err.closest('.unloadlab-knob').querySelector('.widget-label').textContent.trim()} : null,
  };
}
"""


def test_keyboard_only_walk_through_a_panel(opened, page, screenshot_dir):
    """Tab to each control, change it with the keyboard, read the outcome. An arrow key on a
    closed dropdown changes its value and the focus stays (JupyterLab does not move to the
    next cell); Space or Enter opens it; a rejected field is marked aria-invalid."""
    assert not [p for p in opened.problems if p.startswith("harness")], opened.report()

    def state(timeout=10.0, until=lambda s: True):
        deadline = time.monotonic() + timeout
        while True:
            s = page.evaluate(JS_PANEL_STATE)
            if until(s) or time.monotonic() > deadline:
                return s
            time.sleep(0.2)

    def focused():
        return page.evaluate(JS_FOCUSED)

    start = state()
    assert page.locator(".unloadlab-hint").count() == 0   # no hint asking to work round JupyterLab
    assert "Outcome: UNLOADED. fltmc-unload" in start["banner"], start
    # keyboard from the top of the panel's output (as after clicking it)
    page.locator(".jp-OutputArea-output:has(.unloadlab-panel)").first.evaluate(
        "o => { o.setAttribute('tabindex', '-1'); o.focus(); }")

    page.keyboard.press("Tab")
    f = focused()
    assert (f["tag"], f["label"], f["value"]) == ("SELECT", "Trigger", "fltmc unload"), f
    style, width, colour = f["outline"]
    assert style == "solid" and width >= 2, f                       # a visible focus indicator
    assert _contrast(_rgb(colour), _rgb(f["bg"])) >= 3, f           # 3:1 against the page
    page.keyboard.press("ArrowUp")     # closed: fltmc unload -> FltUnloadFilter (driver)
    s = state(until=lambda s: "FltUnloadFilter" in s["banner"])
    assert "FltUnloadFilter (non-mandatory): the minifilter was unloaded" in s["banner"], s
    f = focused()
    assert (f["tag"], f["label"], f["value"]) == ("SELECT", "Trigger", "FltUnloadFilter (driver)"), f   # still here

    page.keyboard.press("Tab")
    f = focused()
    assert (f["tag"], f["label"]) == ("SELECT", "Callback returns"), f
    page.keyboard.press("Enter")       # Enter opens it too
    page.keyboard.press("End")         # the last option: other (hex)
    page.keyboard.press("Enter")
    s = state(until=lambda s: s["notice"])
    assert s["errors"] == [] and "type a status in the hex field" in s["notice"], s   # nothing typed yet

    page.keyboard.press("Tab")
    f = focused()
    assert (f["tag"], f["label"]) == ("INPUT", "Callback returns (hex)"), f
    page.keyboard.type("0xZZ")
    page.keyboard.press("Enter")
    s = state(until=lambda s: s["errors"])
    assert s["errors"] and "Not accepted: not an NTSTATUS: '0xZZ'" in s["errors"][0], s
    assert s["error"] == {"role": "alert", "colour": "rgb(185, 28, 28)", "beside": "Callback returns"}, s
    page.wait_for_function("() => document.activeElement.getAttribute('aria-invalid') === 'true'", timeout=5000)
    assert "Callback returns is not applied" in s["notice"] and "STATUS_SUCCESS" in s["notice"], s
    page.screenshot(path=str(screenshot_dir / "_panel_selftest--bad-hex.png"))

    page.keyboard.press("Tab")
    f = focused()
    assert f["tag"] == "INPUT" and f["label"] == "FilterUnloadCallback registered" and f["checked"], f
    page.keyboard.press("Space")       # untick: the panel is not frozen by the bad hex field
    s = state(until=lambda s: "FAILED" in s["banner"])
    assert "Outcome: FAILED WITHOUT CALLING THE UNLOAD ROUTINE" in s["banner"] and s["errors"], s
    page.keyboard.press("Space")
    state(until=lambda s: "UNLOADED" in s["banner"])

    page.keyboard.press("Shift+Tab")   # back to the hex field: mend it
    assert focused()["label"] == "Callback returns (hex)"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("0xC01C0010")
    page.keyboard.press("Enter")
    s = state(until=lambda s: "REFUSED" in s["banner"] and not s["notice"])   # two updates: banner, notice
    assert "Outcome: REFUSED" in s["banner"] and s["errors"] == [] and s["notice"] == "", s
    page.wait_for_function("() => !document.activeElement.hasAttribute('aria-invalid')", timeout=5000)

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    f = focused()
    assert f["tag"] == "INPUT" and f["label"] == "Instances (0 to 8)", f
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("99")
    page.keyboard.press("Enter")
    s = state(until=lambda s: s["errors"])
    assert s["errors"] and "expected a whole number 0..8, got 99" in s["errors"][0], s
    assert focused()["value"] == "99"   # never clamped
    assert "Outcome: REFUSED" in s["banner"], s


PLANTED = r'''
import ipywidgets as W
from unloadlab.views.panel import Panel
first = Panel("minifilter", show=("trigger", "callback_returns"))
first.set(callback_returns="0xZZ")       # the first panel opens on an error
display(first)
display(W.Dropdown(description="Narrow", options=["STATUS_OBJECT_NAME_EXISTS (informational)", "B"],
                   layout=W.Layout(width="160px")))
display(W.HTML("<div class='unloadlab'><pre style='word-break:break-all'>FilterUnloadCallback</pre>"
               "<a href='https://example.org/' style='text-decoration:none'>plain link</a>"
               "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>"
               "<div style='overflow-x:auto; width:300px'><pre style='white-space:pre' tabindex='0' aria-label='listing'>" + "FltUnloadFilter " * 30 +
               "</pre></div><p style='font-size:10.8px'>Sources [1]</p>"
               "<div style='overflow-x:auto' role='group' tabindex='0' aria-label='a'><svg width='900' height='200' viewBox='0 0 900 200'>"
               "<text x='10' y='40' style='font-size:16px'>shrinkable</text></svg></div>"
               "<div style='overflow-x:auto' role='group' tabindex='0' aria-label='b'><svg width='1800' height='1500' viewBox='0 0 1800 1500'>"
               "<text x='10' y='40' style='font-size:12px'>too tall to reach</text></svg></div>"
               "<div role='region' aria-label='Trace'>one</div><div role='region' aria-label='Trace'>two</div>"
               "<div class='unloadlab-banner' style='width:200px; overflow-wrap:normal'>"
               "KERNEL_APC_PENDING_DURING_EXIT_DRIVER_UNLOADED_WITHOUT_CANCELLING</div></div>"))
'''


def test_the_lab_checks_report_planted_problems(lab_server, page, screenshot_dir, axe_script):
    """The checks above can fail: each planted problem is reported, and nothing else."""
    rel = "_panel_selftest/planted.ipynb"
    lab.write_notebook(lab_server.root_dir / rel, [("code", PLANTED)])
    lab.trust([lab_server.root_dir / rel], lab_server.env)
    run = lab.run_notebook(page, lab_server, rel, [], screenshot_dir, axe_script=axe_script)
    report = run.report()
    print(report)
    expected = {
        "first panel error": "the first panel does not start as its prose says: it shows \"✖ Not accepted",
        "first panel notice": "the first panel does not start as its prose says: it shows '⚠Callback returns",
        "cut option": 'dropdown option "STATUS_OBJECT_NAME_EXISTS (informational)" is cut',
        "mid-word break": "a monospace block can break inside a word (word-break: break-all",
        "plain link": 'link "plain link" is not underlined',
        "image without text": "axe image-alt (critical) in cell 0",
        "scrollbar in a lab widget": "a horizontal scrollbar in <div",
        "small text": 'text "Sources [1]" is 10.8 px (under 12 px)',
        "picture that could shrink": "a picture 900 px wide in a",
        "its scrollbar": "px of content in",
        "scrollbar out of reach": "whose horizontal scrollbar is out of view",
        "region names": "axe landmark-unique (moderate) in cell 0",
        "cut banner": 'text runs out of <div class="unloadlab-banner">',
    }
    missing = {k: v for k, v in expected.items() if v not in report}
    assert not missing, f"not reported: {missing}\n{report}"
    assert len(run.problems) == len(expected), report
    assert sum("a horizontal scrollbar in" in p for p in run.problems) == 2, report   # the listing, the picture


PLANTED_KEYS = r'''
import ipywidgets as W
box = W.VBox([W.Dropdown(description="Trigger", options=["sc stop", "net stop"])])
box.add_class("unloadlab")   # looks like the lab's, without its front-end script
display(box)
'''


def test_the_key_check_reports_a_dropdown_whose_arrow_keys_leave_it(lab_server, page, screenshot_dir):
    """Without the lab's front-end script an arrow key on a dropdown moves JupyterLab to the
    next cell; the check says so (a notebook of its own: the script, once loaded, serves the
    whole page)."""
    rel = "_panel_selftest/planted_keys.ipynb"
    lab.write_notebook(lab_server.root_dir / rel, [("code", PLANTED_KEYS), ("code", "x = 1")])
    lab.trust([lab_server.root_dir / rel], lab_server.env)
    run = lab.run_notebook(page, lab_server, rel, [], screenshot_dir)
    print(run.report())
    assert run.problems == ["cell 0: dropdown 'Trigger': ArrowDown left it (the focus went to JupyterLab; "
                            "active cell 0 -> 1)"], run.report()
