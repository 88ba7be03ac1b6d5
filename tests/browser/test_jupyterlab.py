"""Every lesson notebook in a real JupyterLab, driven by Debian chromium at 1280x720.

For each notebooks/*.ipynb: open a prepared copy, Run All from the menu, wait for every
cell, fail on tracebacks / "Error displaying widget" / widgets shown as text, check that
every control has a visible label and is reachable with the Tab key, that no control's
text is cut, that the first panel shows its outcome banner and no error or notice (the
state its prose describes), that monospace blocks break only between words and links are
underlined, audit it with axe-core (every tab of every panel selected in turn; 0 critical
and 0 serious violations outside JupyterLab's known chrome), then perform the interactions
declared for it in tests/browser/interactions.py.  One screenshot per notebook, in
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
