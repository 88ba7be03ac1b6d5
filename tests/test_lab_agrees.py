"""Issue 19: prose, evidence or C that says something the trace does not. Exhaustive over
both families' decision spaces (the minifilter's craft grid and both catalogues included):

  - every BUG line of the C names a mistake the headline names, and the headline names none
    the C does not mark;
  - a step that says the image goes belongs to a trace whose ``unloaded`` is True, and
    ``unloaded`` is None exactly where a step says the documentation is silent about it;
  - the headline's count of undocumented unregister results is the count in the results;
  - a "What to remember" line names no code that no scenario of its lesson shows;
  - diagnosis evidence never asserts what the trace marks as documentation silent.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from unloadlab import callout, minifilter
from unloadlab.callout.flaws import flaws as callout_flaws
from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter.flaws import flaws as minifilter_flaws
from unloadlab.views.code import driver_c
from unloadlab.windows import Mark, Trace
from unloadlab.windows.c_text import bugs

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def _everything() -> list:
    scenarios = [*callout.decision_space(), *minifilter.decision_space(), *minifilter.craft_space(),
                 *(e.scenario() for e in CATALOGUE)]
    return [(sc, sc_trace) for sc in scenarios for sc_trace in [_simulate(sc)]]


def _simulate(sc) -> Trace:
    return callout.simulate(sc) if isinstance(sc, callout.CalloutScenario) else minifilter.simulate(sc)


def _flaws(sc) -> list[tuple[str, str]]:
    return callout_flaws(sc) if isinstance(sc, callout.CalloutScenario) else minifilter_flaws(sc)


@pytest.fixture(scope="module")
def everything():
    return _everything()


def test_every_bug_line_is_named_in_the_headline(everything):
    """Item 3: a latent mistake is named even when this run does not trigger it; and the
    headline accuses the code of nothing the C does not mark."""
    seen = set()
    by_code: dict[str, set[str]] = {}
    for sc, t in everything:
        c = by_code.setdefault(driver_c(sc), {rule for _, rule in bugs(driver_c(sc))})
        named = {rule for rule, phrase in _flaws(sc) if phrase in t.headline}
        assert "" not in c, (sc.knobs(), bugs(driver_c(sc)))     # every BUG line names its rule
        assert c == named, (sc.knobs(), c, named, t.headline)
        seen |= c
    assert len(seen) >= 24   # both families' mistakes, not a vacuous pass


_IMAGE_GOES = re.compile(r"so the image goes|image leaves memory\.|image was simply unloaded|"
                         r"^unloads the image$|image unloaded")


def test_a_step_says_the_image_goes_only_when_it_does(everything):
    """Items 6 and 7: no step says the image goes where ``unloaded`` is False or None; None is
    where (and only where) a step says no source settles it."""
    for sc, t in everything:
        claims = [s for s in t.steps if _IMAGE_GOES.search(s.action) or _IMAGE_GOES.search(s.detail)]
        if claims:
            assert t["unloaded"] is True, (sc.knobs(), claims[0])
        silent_image = any(s.mark is Mark.SILENT and "wfp-silent-registered-at-unload" in s.rules
                           and "image" in s.action for s in t.steps)
        assert (t["unloaded"] is None) is silent_image, sc.knobs()


def test_the_headline_counts_the_undocumented_results_it_points_to(everything):
    """Item 10: 'One unregister result is not documented' only when exactly one is."""
    for sc, t in everything:
        if not isinstance(sc, callout.CalloutScenario):
            continue
        n = t["unregister_results"].count(callout.NOT_DOCUMENTED)
        said = re.search(r"(One|\d+) unregister results? (?:is|are) not documented", t.headline)
        assert (said.group(1) if said else None) == ({0: None, 1: "One"}.get(n, str(n))), sc.knobs()


def test_every_pending_removal_left_unwaited_is_said_for_each_callout(everything):
    """Item 10: 'not waited for' is said wherever flowDeleteFn calls were left pending, per
    callout that retried, not once per trace."""
    for sc, t in everything:
        if not isinstance(sc, callout.CalloutScenario) or sc.waits_for_flow_deletes:
            continue
        retries = sum(1 for s in t.steps if s.action == "STATUS_DEVICE_BUSY: recover")
        notes = sum(1 for s in t.steps if s.action == "flowDeleteFn calls not waited for")
        assert notes >= retries, sc.knobs()


def _remember(lesson: str) -> str:
    nb = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("## What to remember"):
            return text
    return ""


_CODE = re.compile(r"\b(0x[0-9A-Fa-f]{2,8}|10[56]\d)\b")


def _trace_text(t: Trace) -> str:
    parts = [t.headline, str(t["requester_got"]), str(t.state.get("bugcheck")), *map(str, t["printed"])]
    parts += [f"{s.action} {s.detail} {s.status}" for s in t.steps]
    return " ".join(parts)


@pytest.mark.parametrize("lesson", sorted({e.lesson for e in CATALOGUE}))
def test_what_to_remember_names_only_codes_its_scenarios_show(lesson):
    """A code (bug check, HRESULT, Win32 error) in a lesson's summary is shown by a scenario of it."""
    text = _remember(lesson)
    shown = " ".join(_trace_text(e.run()) for e in CATALOGUE if e.lesson == lesson)
    for code in set(_CODE.findall(text)):
        assert code.lower() in shown.lower(), (lesson, code)


def test_diagnosis_evidence_never_asserts_what_the_trace_marks_silent():
    from unloadlab.exercises.diagnosis import evidence
    silent = [sc for sc in callout.decision_space() if callout.simulate(sc)["unloaded"] is None][:200]
    assert silent
    for sc in silent:
        text = evidence(sc)
        assert not re.search(r"Still loaded afterwards: (yes|no)\b", text), sc.knobs()
        assert "not documented" in text, sc.knobs()
