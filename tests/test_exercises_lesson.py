"""Each lesson's quiz tests that lesson's idea, is generated from its catalogue entries, and
shows nothing that gives the answer away (no scenario title, no knob that is the answer, no
answer among the text shown)."""
import re

import pytest

from unloadlab.catalogue import RULES_BY_ID, example, for_lesson
from unloadlab.exercises import check, lesson_quiz, lessons
from unloadlab.exercises.predict import QUESTIONS_PER_LESSON

LESSONS = lessons()


def lesson(prefix):
    """The lesson id that starts with a number, e.g. lesson("07-"): ids may be renamed."""
    return next(name for name in LESSONS if name.startswith(prefix))


def test_every_catalogue_lesson_has_a_quiz():
    assert lesson("01-") and lesson("07-") and lesson("08-")
    for name in LESSONS:
        quiz = lesson_quiz(name)
        assert 1 <= len(quiz) <= QUESTIONS_PER_LESSON
        assert len({q.prompt for q in quiz}) == len(quiz)
    with pytest.raises(KeyError, match="no scenarios for lesson"):
        lesson_quiz("99-nothing")


@pytest.mark.parametrize("name", LESSONS)
def test_questions_come_from_the_lessons_scenarios_and_rules(name):
    names = {e.name for e in for_lesson(name)}
    for q in lesson_quiz(name):
        assert q.extra["scenario"] in names
        assert q.rules[0] in example(q.extra["scenario"]).rules       # the lesson's own rule
        right = q.choice(q.answer[0])
        assert check(q, right.key).correct
        for c in q.choices:
            if c.key != right.key:
                first, v = check(q, c.key), check(q, c.key, attempt=2)
                assert not first.correct and first.rules == () and right.text not in first.message   # a nudge
                assert not v.correct and c.rules and set(c.rules) <= set(RULES_BY_ID) and c.rules[0] in v.message


@pytest.mark.parametrize("name", LESSONS)
def test_nothing_shown_gives_the_answer_away(name):
    for q in lesson_quiz(name):
        ex = example(q.extra["scenario"])
        right = q.choice(q.answer[0]).text
        shown = q.shown + " " + q.prompt + " " + q.title
        assert ex.title not in shown and ex.name not in shown
        if len(right) > 3 and not right.isdigit():
            assert right.lower() not in q.shown.lower()
        assert not re.search(r"\b[a-z]+_[a-z_]+\s*[=:]", q.shown)        # no knob = value lines
        assert len({c.text for c in q.choices}) == len(q.choices)         # no duplicate options


def test_lesson_01_is_about_registering_the_callback_not_shutdown():
    quiz = lesson_quiz(lesson("01-"))
    text = " ".join(q.shown + q.prompt for q in quiz)
    assert "shut" not in text.lower()
    assert any("FilterUnloadCallback" in q.shown + q.prompt for q in quiz)
    assert {q.extra["scenario"] for q in quiz} <= {e.name for e in for_lesson(lesson("01-"))}
    assert lesson_quiz(lesson("01-")) != lesson_quiz(lesson("06-"))


def test_lesson_07_checks_how_often_instance_query_teardown_is_called():
    """The count is the answer, not an outcome label."""
    q = next(q for q in lesson_quiz(lesson("07-")) if "InstanceQueryTeardownCallback" in q.prompt)
    assert q.prompt.startswith("How many times")
    assert q.choice(q.answer[0]).text == "0"
    assert q.rules == ("query-teardown-manual-only",)
    assert all(c.text.isdigit() for c in q.choices)


def test_questions_ask_more_than_outcome_labels():
    prompts = [q.prompt for name in LESSONS for q in lesson_quiz(name)]
    assert sum(p.startswith("How many") for p in prompts) >= 3
    assert any("requester get back" in p for p in prompts)
    assert sum(p == "What happens?" for p in prompts) <= len(LESSONS) // 2


def test_the_same_quiz_every_time():
    for name in LESSONS:
        assert [q.to_dict(True) for q in lesson_quiz(name)] == [q.to_dict(True) for q in lesson_quiz(name)]
