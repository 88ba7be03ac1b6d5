"""The exercise widgets: every control has a description (every button a tooltip), state is
said in words (never colour alone), errors sit next to their control, nothing is revealed
before Check or Show the answer, an order is made with buttons (no dragging), and every
widget carries the stable CSS classes the browser test keys on."""
import ipywidgets as W
import pytest

from unloadlab.exercises import lessons, make
from unloadlab.exercises.widgets import (CSS, Complete, Diagnosis, DiagnosisPractice, ExerciseView, FindBug,
                                         LessonQuiz, Order, Practice)
from unloadlab.views.panel_html import plain


def lesson(prefix):
    return next(name for name in lessons() if name.startswith(prefix))


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def controls(widget):
    return [w for w in walk(widget) if isinstance(w, (W.Button, W.Dropdown, W.Text, W.Select, W.Checkbox))]


def classes(widget):
    return {c for w in walk(widget) for c in w._dom_classes}


WIDGETS = [lambda: FindBug(2), lambda: Order(0), lambda: Complete(1), lambda: DiagnosisPractice(3),
           lambda: LessonQuiz(lesson("07-")), lambda: Practice(9), lambda: Practice(4, level="routine"),
           lambda: Practice(4, level="diagnosis"), lambda: Diagnosis("case-3")]


@pytest.mark.parametrize("make_widget", WIDGETS)
def test_every_control_has_a_description_and_every_button_a_tooltip(make_widget):
    w = make_widget()
    for c in controls(w.widget):
        assert c.description, c
        if isinstance(c, W.Button):
            assert c.tooltip, c.description


@pytest.mark.parametrize("make_widget", WIDGETS)
def test_nothing_is_revealed_before_check(make_widget):
    w = make_widget()
    text = " ".join(plain(x.value) for x in walk(w.widget) if isinstance(x, W.HTML)
                    and CSS["options"] not in x._dom_classes)   # the options are the question: each has a fix
    for word in ("Right", "Not this one", "Not yet", "The answer:", "Answer:", "Deciding rule", "Fix:"):
        assert word not in text or word == "Fix:" and isinstance(w, Diagnosis), word


def test_stable_css_classes():
    assert {CSS["exercise"], "unloadlab-find-bug", CSS["choice"], CSS["check"], CSS["hint"], CSS["reveal"],
            CSS["feedback"], CSS["seed"], CSS["new"]} <= classes(FindBug(0).widget)
    assert {"unloadlab-order", CSS["order"], CSS["item"], CSS["up"], CSS["down"], CSS["reset"]} <= classes(
        Order(0).widget)
    assert {"unloadlab-complete", CSS["choice"]} <= classes(Complete(0).widget)
    assert {"unloadlab-diagnosis", CSS["choice"]} <= classes(DiagnosisPractice(0).widget)
    assert {CSS["lesson_quiz"], "unloadlab-lesson"} <= classes(LessonQuiz(lesson("01-")).widget)
    assert {CSS["practice"], CSS["level"], CSS["score"], CSS["seed"], CSS["prediction"], CSS["trace"]} <= classes(
        Practice(0).widget)
    assert {"unloadlab-capstone", CSS["choice"], CSS["check"], CSS["feedback"]} <= classes(Diagnosis("case-1").widget)


def test_find_bug_by_its_controls():
    f = FindBug(2)
    ex = f.exercise
    f.check_button.click()
    assert f.error_text.startswith("Not accepted: choose an answer first") and f.feedback_text == ""
    wrong = next(k for k in ex.choice_keys if k != ex.answer[0])
    f.choice.value = wrong
    assert f.error_text == ""
    f.check_button.click()
    assert f.feedback_text.startswith("Not this one:") and ex.choice(wrong).rules[0] in f.feedback_text
    f.hint_button.click()
    assert plain(f.hint_text.value).startswith("Hint:") and f.answer_text == ""
    f.choice.value = ex.answer[0]
    f.check_button.click()
    assert f.feedback_text.startswith("Right.") and "Fix:" in f.feedback_text
    f.reveal_button.click()
    assert f.answer_text.startswith("The answer:")


def test_order_by_buttons_only():
    o = Order(0)
    ex = o.exercise
    # move each call into place with Move up / Move down, as a keyboard user would
    for place, key in enumerate(ex.answer):
        o.item.value = key
        while o.order.index(key) > place:
            o.up.click()
    assert o.order == list(ex.answer) and o.item.value == ex.answer[-1]
    o.check_button.click()
    assert o.feedback_text.startswith("Right.")
    o.item.value = o.order[0]
    o.up.click()
    assert o.error_text.startswith("Not accepted:") and "already first" in o.error_text
    o.down.click()
    assert o.error_text == "" and o.order[1] == ex.answer[0]
    o.check_button.click()
    assert o.feedback_text.startswith("Not yet:") and "rule " in o.feedback_text
    o.reset.click()
    assert o.order == [c.key for c in ex.choices] and o.feedback_text == ""
    assert "<ol>" in o.order_view.value


def test_complete_and_diagnosis_practice_by_their_controls():
    for w in (Complete(3), DiagnosisPractice(3)):
        ex = w.exercise
        w.choice.value = ex.answer[0]
        w.check_button.click()
        assert w.feedback_text.startswith("Right.")


def test_diagnosis_practice_nudges_first():
    d = DiagnosisPractice(5)
    wrong = next(k for k in d.exercise.choice_keys if k != d.exercise.answer[0])
    d.choice.value = wrong
    d.check_button.click()
    first = d.feedback_text
    d.check_button.click()
    assert first.startswith("Not this one.") and d.feedback_text.startswith("Not this one:")
    assert d.exercise.choice(wrong).rules[0] in d.feedback_text and d.exercise.choice(wrong).rules[0] not in first


def test_seed_box_errors_next_to_it_never_clamped():
    f = FindBug(4)
    before = f.exercise
    for bad in ("x", "-1", "2147483648", "1.5"):
        f.seed.box.value = bad
        error = plain(f.seed.error.value)
        assert error.startswith("Not accepted: seed:") and "still seed 4's" in error, bad
        assert f.exercise is before and f.seed.value == 4
    assert f.seed.error in f.seed.widget.children          # shown beside the box, in its own widget
    assert "role='alert'" in f.seed.error.value
    f.seed.box.value = "6"
    assert f.seed.error.value == "" and f.exercise.seed == 6
    f.seed.new.click()
    assert f.exercise.seed == 7


def test_lesson_quiz_widget():
    q = LessonQuiz(lesson("06-"))
    assert len(q.questions) >= 2
    first = q.questions[0]
    first.choice.value = first.exercise.answer[0]
    first.check_button.click()
    assert first.feedback_text.startswith("Right.")


def test_lesson_quiz_says_its_controls_once_before_the_kernel_runs():
    """The stored text/plain (what GitHub shows) counts the questions and names each control once."""
    q = LessonQuiz(lesson("03-"))
    n = len(q.questions)
    assert n == 3
    assert q.sentence() == ("Run this cell to open the quiz: 3 questions, each with Your answer, Check, Hint and "
                            "Show the answer.")
    assert q.questions[0].control_names() == ["Your answer", "Check", "Hint", "Show the answer"]


@pytest.mark.parametrize("make_widget", WIDGETS)
def test_no_control_is_named_twice_before_the_kernel_runs(make_widget):
    words = make_widget().sentence().split(": ", 1)[-1].rstrip(".")
    names = [n.strip() for part in words.split(", ") for n in part.split(" and ")]
    assert len(names) == len(set(names)), names


def test_long_options_are_shortened_in_the_dropdown_and_listed_in_full():
    """A drop-down shows an option whole up to OPTION_CHARS characters (what fits at 1280x720);
    a longer one is cut at a word with an ellipsis, and every option is listed in full above it."""
    from unloadlab.exercises.widgets import OPTION_CHARS
    d = DiagnosisPractice(12)
    labels = [label for label, _ in d.choice.options[1:]]
    assert all(len(label) <= OPTION_CHARS + 3 for label in labels), labels
    assert any(label.endswith("…") for label in labels)
    full = plain(d.view.options.value)
    assert all(f"{c.key}) {c.text}" in full for c in d.exercise.choices)
    f = FindBug(4)
    assert f.view.options.value == ""                       # the listing shows every line in full
    assert all(len(label) <= OPTION_CHARS + 10 for label, _ in f.choice.options[1:])


def test_verdicts_are_words_with_an_icon_screen_readers_skip():
    v = ExerciseView(make("complete", 2))
    v.choice.value = v.exercise.answer[0]
    v.check_button.click()
    assert "<b>Right.</b>" in v.feedback.value and "aria-hidden='true'" in v.feedback.value


# --- feedback that stays honest (issue 18, item 5) ------------------------------------------------------------
def test_a_verdict_goes_as_soon_as_its_answer_changes():
    o = Order(0)
    o.check_button.click()                                  # the shuffle, checked: not yet
    assert o.feedback_text.startswith("Not yet")
    o.item.value = o.order[1]
    o.up.click()
    assert o.feedback_text == ""                            # moving an item takes the verdict away
    o.check_button.click()
    o.set_order(list(o.exercise.answer))
    assert o.feedback_text == ""
    f = FindBug(2)
    wrong = next(k for k in f.exercise.choice_keys if k != f.exercise.answer[0])
    f.choice.value = wrong
    f.check_button.click()
    f.hint_button.click()
    assert f.feedback_text.startswith("Not this one") and f.hint_text_text.startswith("Hint:")
    f.choice.value = f.exercise.answer[0]
    assert f.feedback_text == ""
    f.check_button.click()
    assert f.feedback_text.startswith("Right.") and f.hint_text_text == ""   # no old hint under "Right."
    d = Diagnosis("case-1")
    d.choice.value = "no-unload-callback"
    d.check()
    assert d.feedback_text.startswith("Not this one.")
    d.choice.value = "callback-refuses"
    assert d.feedback_text == ""


def test_a_first_wrong_answer_nudges_the_second_gives_the_answer():
    """Predict, a lesson quiz and put it in order: the first wrong try says what to look at,
    not what is right; the second (or Show the answer) gives it, as diagnosis does."""
    p = Practice(9)                                          # the model says 'refused'
    p.prediction.value = "unloaded"
    p.check_button.click()
    assert p.feedback_text.startswith("Not quite.") and "refused" not in p.feedback_text
    p.check_button.click()
    assert "the model says 'refused'" in p.feedback_text
    q = LessonQuiz(lesson("02-")).questions[0]
    right = q.exercise.choice(q.exercise.answer[0])
    q.choice.value = next(k for k in q.exercise.choice_keys if k != right.key)
    q.check_button.click()
    assert q.feedback_text.startswith("Not this one.") and f"'{right.text}'" not in q.feedback_text
    q.check_button.click()
    assert f"the model says '{right.text}'" in q.feedback_text
    o = Order(0)
    o.check_button.click()
    first = o.feedback_text
    assert "rule " not in first and sum(c.text in first for c in o.exercise.choices) == 1
    o.check_button.click()
    assert "must come after" in o.feedback_text and f"rule {o.result.rules[0]}:" in o.feedback_text
    o.reveal_button.click()
    assert o.answer_text.startswith("The answer:") and "Answer: " + ",".join(o.exercise.answer) in o.answer_text
