"""Notebook 10 in JupyterLab at 1280x720, answered with the keyboard only (issue 13): after
Run All, one exercise of each kind (predict, find the bug, put it in order with Move up and
Move down, complete the routine, diagnosis) is answered with Tab / Shift+Tab to reach a
control, Space or Enter to press a button or open a drop-down, and the arrow keys inside an
open drop-down; each verdict is read from the widget's feedback.

Where to start is the one thing not done with keys: focus is put on the output of the
exercise's cell, as a click on it would (a learner does not Tab through all of JupyterLab
first). The right answers come from the same generator the notebook runs (the seeds are
read from the notebook's cells), so the test follows the model as it grows."""
from __future__ import annotations

import json
import re
import time

import pytest

import lab

pytestmark = pytest.mark.browser

NOTEBOOK = "10-practice.ipynb"
WIDGETS = {  # kind: (the constructor in the notebook, the CSS class of its box)
    "rules": ("Practice", "unloadlab-practice"),
    "find-bug": ("FindBug", "unloadlab-find-bug-practice"),
    "order": ("Order", "unloadlab-order-practice"),
    "complete": ("Complete", "unloadlab-complete-practice"),
    "diagnosis": ("DiagnosisPractice", "unloadlab-diagnosis-practice"),
}

JS_FOCUSED = r"""
(box) => {
  const a = document.activeElement;
  if (!a) return null;
  const norm = s => (s || '').replace(/[\u200b\u00a0\s]+/g, ' ').trim();
  const w = a.closest('.jupyter-widgets');
  let label = '';
  if (a.tagName === 'BUTTON') label = norm(a.innerText);
  else if (w) {
    const l = w.querySelector(':scope > .widget-label');
    label = l ? norm(l.textContent) : '';
  }
  const options = a.tagName === 'SELECT' ? [...a.options].map(o => norm(o.textContent)) : [];
  return {tag: a.tagName, label, options, index: a.tagName === 'SELECT' ? a.selectedIndex : -1,
          inside: !!a.closest(box)};
}
"""

JS_TEXT = r"""
([box, part]) => {
  const b = document.querySelectorAll(box)[0];
  const e = b && b.querySelector(part);
  return e ? e.innerText.replace(/[\u200b\u00a0\s]+/g, ' ').trim() : '';
}
"""


def _seeds() -> dict[str, int]:
    """The seed each exercise widget of notebook 10 opens on, read from its cells."""
    cells = json.loads((lab.NOTEBOOKS / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    seeds = {}
    for kind, (name, _) in WIDGETS.items():
        level = r"\s*,\s*level\s*=\s*[\"']rules[\"']" if kind == "rules" else ""
        m = re.search(rf"\b{name}\(\s*seed\s*=\s*(\d+){level}\s*\)", source)
        assert m, f"notebook 10 has no {name}(seed=N) cell" + (" at the rules level" if level else "")
        seeds[kind] = int(m.group(1))
    return seeds


class Keys:
    """The keyboard, inside one exercise's box."""

    def __init__(self, page, box: str):
        self.page, self.box = page, f".{box}"

    def start(self) -> None:
        """Focus the output that holds the box, as a click on it would."""
        self.page.locator(f".jp-OutputArea-output:has({self.box})").first.evaluate(
            "o => { o.setAttribute('tabindex', '-1'); o.focus(); }")

    def focused(self) -> dict:
        return self.page.evaluate(JS_FOCUSED, self.box)

    def tab_to(self, label: str, back: bool = False, most: int = 25) -> dict:
        """Tab (or Shift+Tab) until the control labelled so has focus, never leaving the box."""
        for _ in range(most):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            f = self.focused()
            assert f and f["inside"], f"focus left the exercise while looking for {label!r}: {f}"
            if f["label"] == label:
                return f
        raise AssertionError(f"{label!r} not reached with {'Shift+Tab' if back else 'Tab'} in {most} presses")

    def choose(self, label: str, option: str | re.Pattern, back: bool = False) -> str:
        """Reach a drop-down, open it with Space, arrow to the option, confirm with Enter."""
        f = self.focused()
        if not (f and f["tag"] == "SELECT" and f["label"] == label):
            f = self.tab_to(label, back)
        match = [i for i, o in enumerate(f["options"])
                 if (option.search(o) if isinstance(option, re.Pattern) else o == option)]
        assert len(match) == 1, f"{label!r}: {len(match)} options match {option!r}: {f['options']}"
        self.page.keyboard.press("Space")
        step = match[0] - f["index"]
        for _ in range(abs(step)):
            self.page.keyboard.press("ArrowDown" if step > 0 else "ArrowUp")
        self.page.keyboard.press("Enter")
        self.until(lambda: self.focused()["index"] == match[0], f"{label!r} did not take {option!r}")
        return f["options"][match[0]]

    def press(self, label: str, key: str = "Space", back: bool = False) -> None:
        f = self.focused()
        if not (f and f["tag"] == "BUTTON" and f["label"] == label):
            self.tab_to(label, back)
        self.page.keyboard.press(key)

    def text(self, part: str) -> str:
        """The text of a part of the box, without the icon a verdict starts with."""
        return re.sub(r"^[✔✖ℹ⚠]\s*", "", self.page.evaluate(JS_TEXT, [self.box, part]))

    def until(self, ok, what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not ok():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} (waited {timeout:.0f}s)")
            time.sleep(0.2)

    def feedback(self, starts: str, timeout: float = 20) -> str:
        """Wait for the feedback to start with these words; return it."""
        self.until(lambda: self.text(".unloadlab-feedback").startswith(starts),
                   f"feedback never started {starts!r}; it reads {self.text('.unloadlab-feedback')!r}", timeout)
        return self.text(".unloadlab-feedback")


@pytest.fixture(scope="module")
def seeds():
    return _seeds()


@pytest.fixture
def notebook(lab_server, page, screenshot_dir, record_screenshots):
    run = lab.run_notebook(page, lab_server, NOTEBOOK, [], screenshot_dir)
    record_screenshots(run)
    assert not [p for p in run.problems if p.startswith(("harness", "cell"))], run.report()
    return page


def test_one_exercise_of_each_kind_by_keyboard(notebook, seeds, screenshot_dir):
    from unloadlab.exercises import make, predict, problem, simulate

    page = notebook
    # --- predict (the rules level): choose a prediction, Check ---------------------------------------
    k = Keys(page, WIDGETS["rules"][1])
    k.start()
    word = next(w for w, o in predict.RULES_CHOICES.items()
                if o is simulate(problem(seeds["rules"])).outcome)
    k.choose("Your prediction", next(w for w in predict.RULES_CHOICES if w != word))
    k.press("Check")
    assert "The rule you missed is" not in k.feedback("Not quite.")   # a first wrong try: a nudge
    k.press("Check")
    assert "The rule you missed is" in k.feedback("Not quite:")
    k.choose("Your prediction", word, back=True)
    k.press("Check", key="Enter")
    k.feedback(f"Right: {predict.RULES_CHOICES[word].value}.")
    assert k.text(".unloadlab-score").startswith("This session: 1 of 1 problem answered right")

    # --- find the bug: the faulty line -----------------------------------------------------------------
    ex = make("find-bug", seeds["find-bug"])
    k = Keys(page, WIDGETS["find-bug"][1])
    k.start()
    k.choose("Faulty line", re.compile(rf"^line {ex.answer[0]}: "))
    k.press("Check")
    text = k.feedback("Right.")
    assert "Fix:" in text and "On a real machine:" in text

    # --- put it in order: Move down, then Move up, until the order is the model's ----------------------
    ex = make("order", seeds["order"])
    k = Keys(page, WIDGETS["order"][1])
    k.start()
    text_of = {c.key: c.text for c in ex.choices}
    order = [c.key for c in ex.choices]                       # as shuffled
    moves = {"Move up": 0, "Move down": 0}

    def pick_item(key: str) -> None:
        k.choose("Call to move", re.compile(rf"^{order.index(key) + 1}\. "), back=True)

    def move(key: str, to: int) -> None:
        """Move Down (or Up) pressed until the call is at place ``to``; focus stays on the button."""
        label = "Move down" if to > order.index(key) else "Move up"
        k.press(label)
        while True:
            i = order.index(key)
            j = i + (1 if label == "Move down" else -1)
            order[i], order[j] = order[j], order[i]
            moves[label] += 1
            k.until(lambda: _order_in_page(k, text_of) == order, f"the order shown did not become {order}")
            if order.index(key) == to:
                return
            k.page.keyboard.press("Space")

    k.tab_to("Call to move")
    last = ex.answer[-1]
    if order.index(last) != len(order) - 1:
        pick_item(last)
        move(last, len(order) - 1)                            # the last call, down to the bottom
    else:
        first = order[0]
        pick_item(first)
        move(first, 1)                                        # Move down once; Move up mends it
    for place, key in enumerate(ex.answer):
        if order.index(key) != place:
            pick_item(key)
            move(key, place)                                  # then each call up into its place
    assert order == list(ex.answer) and moves["Move up"] and moves["Move down"], moves
    k.press("Check", key="Enter")
    k.feedback("Right.")

    # --- complete the routine: the missing call --------------------------------------------------------
    ex = make("complete", seeds["complete"])
    k = Keys(page, WIDGETS["complete"][1])
    k.start()
    right = ex.choice(ex.answer[0])
    k.choose("Your answer", re.compile(rf"^{right.key}\) "))
    k.press("Check")
    assert right.text in k.feedback("Right.")

    # --- diagnosis: a wrong answer is nudged (no rule), the right one passes ---------------------------
    ex = make("diagnosis", seeds["diagnosis"])
    k = Keys(page, WIDGETS["diagnosis"][1])
    k.start()
    wrong = next(c for c in ex.choices if c.key != ex.answer[0])
    k.choose("Your answer", re.compile(rf"^{wrong.key}\) "))      # long options are shortened
    k.press("Check")
    nudge = k.feedback("Not this one.")
    assert "rule " not in nudge and ex.hint in nudge
    k.press("Hint")
    k.until(lambda: k.text(".unloadlab-hint-text").startswith("Hint:"), "Hint showed nothing")
    right = ex.choice(ex.answer[0])
    k.choose("Your answer", re.compile(rf"^{right.key}\) "), back=True)
    k.press("Check")
    assert f"Rule {ex.rules[0]}:" in k.feedback("Right.")
    page.screenshot(path=str(screenshot_dir / "10-practice--keyboard.png"), full_page=True)


def _order_in_page(k: Keys, text_of: dict[str, str]) -> list[str]:
    """The order the widget shows under "Your order", as keys."""
    items = k.page.evaluate(
        "(box) => [...document.querySelectorAll(box)[0].querySelectorAll('.unloadlab-order li')]"
        ".map(li => li.innerText.trim())", k.box)
    key_of = {t: key for key, t in text_of.items()}
    return [key_of.get(t, t) for t in items]
