"""Every lesson notebook in a real JupyterLab, driven by Debian chromium at 1280x720.

For each notebooks/*.ipynb: open a prepared copy, Run All from the menu, wait for every
cell, fail on tracebacks / "Error displaying widget" / widgets shown as text, check that
every control has a visible label and is reachable with the Tab key, that no control's
text is cut, that the first panel shows its outcome banner and no error or notice (the
state its prose describes), that monospace blocks break only between words and links are
underlined, audit it with axe-core (every tab of every panel selected in turn; 0 critical
and 0 serious violations outside JupyterLab's known chrome, landmark-unique included), measure
what a learner sees with each tab of every panel selected (the file browser open, scrollbars
shown: pictures no wider than their box unless their text would drop under 11 px, and then
their scrollbar in view; no sideways scrollbar in a lab widget; no text under 12 px;
dropdowns keep their arrow keys), then perform the interactions declared for it in
tests/browser/interactions.py.  One screenshot per notebook, in
tests/browser/artifacts/; paths are printed and listed at the end of the run.
"""
from __future__ import annotations

import pytest

import lab
from interactions import INTERACTIONS

pytestmark = pytest.mark.browser

LESSONS = lab.list_notebooks(lab.NOTEBOOKS)


def test_interactions_file():
    """Schema of interactions.py, and every key names an existing notebook (no browser)."""
    problems = []
    for name, actions in INTERACTIONS.items():
        if name not in LESSONS:
            problems.append(f"{name!r} is not a notebook in notebooks/ (have: {LESSONS})")
        problems += lab.validate_actions(actions, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "relpath",
    LESSONS or [pytest.param(None, marks=pytest.mark.skip(reason="no notebooks/*.ipynb yet"))],
)
def test_notebook_in_jupyterlab(relpath, lab_server, page, screenshot_dir, record_screenshots, axe_script):
    run = lab.run_notebook(page, lab_server, relpath, INTERACTIONS.get(relpath, []), screenshot_dir,
                           axe_script=axe_script)
    record_screenshots(run)
    print(run.report())
    if relpath not in INTERACTIONS:
        print(f"note: no interactions declared for {relpath} in tests/browser/interactions.py")
    assert not run.problems, run.report()


JS_PANEL_COLUMNS = r"""
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .unloadlab-panel')].map(p => {
  const c = p.querySelector('.unloadlab-controls').getBoundingClientRect();
  const r = p.querySelector('.unloadlab-result').getBoundingClientRect();
  return {beside: r.left >= c.right - 1, under: r.top >= c.bottom - 1, result: Math.round(r.width),
          panel: Math.round(p.getBoundingClientRect().width)};
})
"""


@pytest.mark.parametrize("viewport, beside", [((1280, 720), False), ((1920, 1080), True)],
                         ids=["1280x720", "1920x1080"])
def test_the_playground_fits_the_width_it_gets(viewport, beside, browser, lab_server, screenshot_dir,
                                               record_screenshots, axe_script):
    """09 (seven panels) with every check above, at a laptop's 1280x720 and at 1920x1080, the
    file browser open both times: controls beside the result only where the panel is wide
    enough (1920), the result under them at full width where it is not (1280)."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        rel = "09-playground.ipynb"
        run = lab.run_notebook(page, lab_server, rel, INTERACTIONS.get(rel, []), screenshot_dir / f"{width}x{height}",
                               axe_script=axe_script)
        record_screenshots(run)
        panels = page.evaluate(JS_PANEL_COLUMNS)
    finally:
        context.close()
        lab_server.shutdown_sessions()
    print(run.report(), panels)
    assert not run.problems, run.report()
    assert len(panels) == 7 and all(p["beside"] == beside and p["under"] != beside for p in panels), panels
    assert all(p["result"] >= (0.5 if beside else 0.95) * p["panel"] for p in panels), panels
