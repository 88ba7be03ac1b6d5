"""Practice problems, the quiz command, the capstone's cases, the Practice widget and the
instructor's guide: seeds reproduce, text echoes inputs first, checks name the missed rule,
symptoms come from the model, and the answer key cannot drift."""
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from unloadlab.exercises import predict, simulate
from unloadlab.exercises.diagnosis import (CASES, DIAGNOSES, DIAGNOSES_BY_KEY, TAKEAWAYS, case_exercise,
                                          case_scenario, check_diagnosis, diagnose, symptoms)
from unloadlab.exercises.reading import deciding_rule
from unloadlab.exercises.words import assumptions
from unloadlab.cli import main
from unloadlab.exercises import OUTCOME_CHOICES
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.catalogue import BY_NAME, example
from unloadlab.windows import Outcome
from unloadlab.views.text import format_trace
from unloadlab.exercises.widgets import Diagnosis, Practice
from unloadlab.exercises import check
from unloadlab.exercises.exercise import rules_named as exercise_rules
from unloadlab.views.panel_html import plain

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTOR = ROOT / "docs" / "instructor.md"
WORD = {outcome: word for word, outcome in OUTCOME_CHOICES.items()}
SEEDS = range(60)


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def wrong_word(outcome):
    return next(w for w, o in OUTCOME_CHOICES.items() if o is not outcome)


class TestProblem:
    def test_same_seed_same_problem(self):
        """A seed always gives the same scenario and the same text."""
        for seed in SEEDS:
            assert predict.problem(seed) == predict.problem(seed)
            assert predict.describe(predict.problem(seed), seed) == predict.describe(predict.problem(seed), seed)

    def test_same_problem_in_another_process(self):
        """A fresh interpreter (another hash seed) draws the very same problems."""
        code = ("from unloadlab.exercises import describe, problem\n"
                "for s in range(40): print(describe(problem(s), s)); print('=====')")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONHASHSEED": "12345"})
        here = "".join(predict.describe(predict.problem(s), s) + "\n=====\n" for s in range(40))
        assert run.returncode == 0, run.stderr
        assert run.stdout == here

    def test_pinned_problems(self):
        """The draw itself is pinned: these seeds must keep their problems on every platform."""
        seed9 = predict.problem(9)
        assert (seed9.trigger.value, seed9.callback_returns.name, seed9.driver_entry_returns.name) == (
            "fltmc-unload", "STATUS_UNSUCCESSFUL", "STATUS_OBJECT_NAME_EXISTS")
        assert simulate(predict.problem(16)).outcome is Outcome.REFUSED   # used by the browser test

    def test_different_seeds_vary(self):
        """Seeds give many different problems, of both families and most outcomes."""
        problems = [predict.problem(s) for s in range(300)]
        assert len(set(problems)) > 250
        assert {type(p).__name__ for p in problems} == {"MinifilterScenario", "CalloutScenario"}
        outcomes = Counter(simulate(p).outcome for p in problems)
        # The rules level draws the knobs it always drew (so a seed keeps its problem); the
        # outcomes later knobs add (unload pending, bug check) are the routine and diagnosis
        # levels' to seed.
        assert len(outcomes) >= 7

    def test_every_offered_prediction_is_reachable(self):
        """The rules level offers only outcomes it can produce: each within the first 500 seeds,
        and no seed gives one it does not offer (the widget, the code form and the terminal
        offer the same words)."""
        outcomes = Counter(simulate(predict.problem(s)).outcome for s in range(500))
        assert set(outcomes) == set(predict.RULES_OUTCOMES), outcomes
        assert set(predict.RULES_CHOICES.values()) == set(predict.RULES_OUTCOMES)
        assert [k for k, _ in Practice(0).prediction.options[1:]] == list(predict.RULES_CHOICES)
        told = predict.check_answer(0, None)
        assert all(repr(w) in told for w in predict.RULES_CHOICES) and "'bugcheck'" not in told
        assert all(simulate(predict.problem(s)).outcome in predict.RULES_OUTCOMES
                   for s in range(500, 1500, 7))

    def test_most_problems_are_not_a_failed_driver_entry(self):
        outcomes = Counter(simulate(predict.problem(s)).outcome for s in range(500))
        assert outcomes[Outcome.DRIVER_ENTRY_FAILED] < 0.15 * 500
        assert outcomes[Outcome.UNLOADED] < 0.6 * 500

    @pytest.mark.parametrize("bad", [-1, -100, 1.5, "3", None, True, [1], 2**31, 10**30])
    def test_bad_seeds_are_clear_errors(self, bad):
        """One seed range everywhere (API, widget, CLI): 0 to 2**31-1, what a browser's number
        box holds exactly. Nothing outside it is clamped."""
        with pytest.raises(ValueError, match="a seed is a whole number from 0 to 2147483647"):
            predict.problem(bad)
        with pytest.raises(ValueError, match="seed"):
            predict.check(bad, "unloaded")

    def test_the_largest_seed_works(self):
        assert predict.problem(2**31 - 1) == predict.problem(2**31 - 1)


class TestDescribe:
    @pytest.mark.parametrize("seed", [0, 2, 9, 15, 23])
    def test_inputs_are_echoed_first(self, seed):
        """seed N, then the family, then every knob in order, before any assumption."""
        sc = predict.problem(seed)
        lines = predict.describe(sc, seed).splitlines()
        knobs = sc.knobs()
        assert lines[0] == f"seed {seed}"
        assert lines[1] == f"{simulate(sc).family} scenario"
        assert [line.split(":")[0].strip() for line in lines[2:2 + len(knobs)]] == list(knobs)
        assert lines[2 + len(knobs):4 + len(knobs)] == ["", "Assumptions:"]

    def test_the_echo_matches_the_traces_echo(self):
        sc = predict.problem(9)
        echo = predict.describe(sc).split("\n\n")[0]
        assert format_trace(simulate(sc)).startswith(echo + "\n")

    def test_one_sentence_per_assumption_built_from_the_scenario(self):
        for seed in SEEDS:
            sc = predict.problem(seed)
            sentences = assumptions(sc)
            assert sentences and all(s.endswith(".") and "\n" not in s for s in sentences)
            text = predict.describe(sc, seed)
            assert all(f"  - {s}" in text for s in sentences)

    def test_assumptions_follow_the_knobs(self):
        """Changing a knob changes the sentence that restates it; defaults say nothing."""
        from unloadlab.minifilter import MinifilterScenario
        plain = assumptions(MinifilterScenario("sc-stop"))
        assert len(plain) == 2 and "`sc stop SampleFilter`" in plain[0]
        open_port = assumptions(MinifilterScenario("sc-stop", server_port="left-open"))
        assert any("does not close it before calling FltUnregisterFilter" in s for s in open_port)
        assert any("registers no FilterUnloadCallback" in s
                   for s in assumptions(MinifilterScenario("fltmc-unload", unload_callback=False)))

    def test_describe_refuses_other_things(self):
        with pytest.raises(TypeError):
            predict.describe("sc-stop")


class TestDecidingRule:
    def test_it_is_a_rule_the_trace_cites(self):
        for seed in range(200):
            trace = simulate(predict.problem(seed))
            assert deciding_rule(trace) in trace.rules

    @pytest.mark.parametrize("name, rule", [
        ("fltmc-refused", "nonmandatory-refusal"),
        ("sc-stop-refusal-ignored", "mandatory-ignores-refusal"),
        ("port-left-open", "port-before-unregister"),
        ("pended-io-hangs", "teardown-hang"),
        ("driver-entry-error-sc-stop", "driver-entry-failed"),
        ("shutdown-with-preop", "no-callback-at-shutdown"),
        ("wfp-give-up-on-busy", "wfp-unregister-busy"),
        ("wfp-skip-unregister", "wfp-unload-must-unregister"),
        ("wfp-wdm-clean-unload", "wfp-unload-must-unregister"),
        ("wfp-flows-busy-doc-retry", "wfp-unload-must-unregister"),
    ])
    def test_it_agrees_with_the_catalogue_where_one_rule_decides(self, name, rule):
        assert deciding_rule(example(name).run()) == rule


class TestCheck:
    def test_right_and_wrong(self):
        for seed in range(40):
            trace = simulate(predict.problem(seed))
            right = predict.check(seed, WORD[trace.outcome])
            assert right.correct and right.missed_rule is None and right.message.startswith("Right:")
            nudged = predict.check(seed, wrong_word(trace.outcome))
            assert not nudged.correct and nudged.missed_rule is None and nudged.message.startswith("Not quite. ")
            assert trace.outcome.value not in nudged.message and exercise_rules(nudged.message) == []
            wrong = predict.check(seed, wrong_word(trace.outcome), attempt=2)
            rid = deciding_rule(trace)
            assert not wrong.correct and wrong.actual is trace.outcome and wrong.missed_rule == rid
            assert f"The rule you missed is {rid}: {RULES_BY_ID[rid].statement}" in wrong.message

    def test_long_wording_and_case_are_accepted(self):
        assert predict.check(9, "REFUSED").correct and predict.check(9, Outcome.REFUSED).correct

    def test_code_form(self):
        assert predict.check_answer(9, None).startswith("Make your prediction first")
        assert predict.check_answer(9, "maybe").startswith("Not a prediction this lab knows")
        assert predict.check_answer(9, "refused").startswith("Right:")
        assert predict.check_answer(9, "hung").startswith("Not quite. First ask:")
        assert predict.check_answer(9, "hung", attempt=2).startswith("Not quite: you said 'hung'")


class TestQuizCommand:
    def test_the_problem_and_the_question(self, capsys):
        code, out, err = cli(capsys, "quiz", "--seed", "9")
        scenario = predict.problem(9)
        assert code == 0 and err == ""
        assert out.startswith(predict.describe(scenario, 9) + "\n\nWhat happens?")
        assert all(f"  {word} " in out for word in predict.RULES_CHOICES)
        assert "unload-pending" not in out and "bugcheck" not in out   # the rules level never gives them
        assert "python -m unloadlab quiz --seed 9 --answers" in out
        assert "Answer:" not in out and "Rules cited:" not in out

    def test_answers_reveal_the_outcome_trace_and_rules(self, capsys):
        code, out, _ = cli(capsys, "quiz", "--seed", "9", "--answers")
        trace = simulate(predict.problem(9))
        assert code == 0 and out.startswith("seed 9\n")
        assert f"Answer: refused. {trace.headline}" in out
        assert "Deciding rule: nonmandatory-refusal:" in out
        assert format_trace(trace) in out and "Rules cited:" in out

    def test_json(self, capsys):
        _, out, _ = cli(capsys, "quiz", "--seed", "2", "--json")
        data = json.loads(out)
        assert data["seed"] == 2 and data["inputs"] == predict.problem(2).knobs()
        assert data["choices"] == list(OUTCOME_CHOICES) and "outcome" not in data
        _, out, _ = cli(capsys, "quiz", "--seed", "2", "--json", "--answers")
        data = json.loads(out)
        trace = simulate(predict.problem(2))
        assert data["outcome"] == trace.outcome.value and data["trace"] == json.loads(json.dumps(trace.to_dict()))
        assert data["deciding_rule"] == deciding_rule(trace)

    def test_default_seed_is_zero(self, capsys):
        _, out, _ = cli(capsys, "quiz")
        assert out.startswith("seed 0\n")

    @pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "", "0x10", "2147483648"])
    def test_bad_seed_exits_2_with_one_line(self, bad):
        run = subprocess.run([sys.executable, "-m", "unloadlab", "quiz", "--seed", bad],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2 and run.stdout == ""
        assert run.stderr.startswith("unloadlab: error: --seed: ") and run.stderr.count("\n") == 1
        assert "Traceback" not in run.stderr and "whole number from 0 to 2147483647" in run.stderr


class TestCapstone:
    def test_cases_are_catalogue_scenarios_with_known_diagnoses(self):
        assert len(CASES) >= 6 and len({c.name for c in CASES}) == len(CASES)
        for c in CASES:
            assert c.scenario in BY_NAME and c.diagnosis in DIAGNOSES_BY_KEY
        assert {BY_NAME[c.scenario].family for c in CASES} == {"minifilter", "callout"}
        for d in DIAGNOSES:
            assert d.explanation and d.fix and "\n" not in d.explanation + d.fix
            assert all(r in RULES_BY_ID for r in d.rules), d

    @pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
    def test_added_knobs_keep_the_catalogue_story(self, c):
        """The knobs a case adds (a port for every minifilter) change how it looks, not how it ends."""
        ours, theirs = simulate(case_scenario(c.name)), example(c.scenario).run()
        assert ours.outcome is theirs.outcome and ours["requester_got"] == theirs["requester_got"]

    @pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
    def test_the_evidence_names_no_rule_knob_or_cause(self, c):
        trace = simulate(case_scenario(c.name))
        text = symptoms(c.name)
        assert [r for r in RULES_BY_ID if re.search(rf"(?<![\w-]){re.escape(r)}(?![\w-])", text)] == []
        assert [k for k in trace.inputs if "_" in k and k in text] == []   # no knob name (server_port, ...)
        assert "=NULL" not in text and "DO_NOT_SUPPORT" not in text and "BUG" not in text
        assert c.scenario not in text and c.diagnosis not in text and "<<" not in text
        assert f"The requester got: {trace['requester_got']}" in text
        assert "illustration, not real output" in text               # the debugger excerpt says what it is

    def test_every_minifilter_case_shows_a_server_port(self):
        """No case is solved by elimination because only one driver has a port."""
        for c in CASES:
            if BY_NAME[c.scenario].family == "minifilter":
                assert "gServerPort" in symptoms(c.name), c.name

    @pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
    def test_first_wrong_answer_nudges_second_names_the_rule(self, c):
        trace = simulate(case_scenario(c.name))
        rid = deciding_rule(trace)
        for d in DIAGNOSES:
            first, second = diagnose(c.name, d.key, 1), diagnose(c.name, d.key, 2)
            assert first.correct == second.correct == (d.key == c.diagnosis)
            if d.key == c.diagnosis:
                assert first.message.startswith("Right.") and d.fix in first.message
                continue
            assert first.message.startswith("Not this one.") and first.missed_rule is None
            assert exercise_rules(first.message) == []                   # the nudge names no rule
            assert second.missed_rule == rid and f"The rule that decides {c.name} is {rid}" in second.message

    @pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
    def test_the_right_diagnosis_names_the_rule_that_decides(self, c):
        """The diagnosis's rules include the rule a second wrong answer is told about."""
        rid = deciding_rule(simulate(case_scenario(c.name)))
        assert rid in DIAGNOSES_BY_KEY[c.diagnosis].rules

    def test_exactly_one_diagnosis_fits_each_case(self):
        for c in CASES:
            ex = case_exercise(c.name)
            assert [d.key for d in DIAGNOSES if check(ex, d.key).correct] == [c.diagnosis]

    def test_the_1052_takeaway_includes_pnp_drivers(self):
        first = TAKEAWAYS[0]
        assert "1052" in first and "PnP" in first and "ZwUnloadDriver" in first
        assert "callout-ntunload-refuses-pnp" in RULES_BY_ID

    def test_lookups_and_the_code_form(self):
        with pytest.raises(KeyError, match="unknown case"):
            diagnose("case-99", "driver-entry-failed")
        with pytest.raises(ValueError, match="not one of"):
            diagnose("case-1", "gremlins")
        assert check_diagnosis("case-1", None).startswith("case-1: set my_answer to one of:")
        assert check_diagnosis("case-1", "gremlins").startswith("Not a diagnosis this lab knows")
        assert check_diagnosis("case-1", "no-unload-callback").startswith("Not this one.")
        assert "nonmandatory-refusal" in check_diagnosis("case-1", "no-unload-callback", attempt=2)


class TestWidgets:
    def test_practice_through_its_controls(self):
        p = Practice(seed=3)
        assert p.problem_text.startswith("seed 3\n")
        p.seed.box.value = "9"
        assert p.problem_text.startswith("seed 9\n") and p.feedback_text == ""
        p.check_button.click()
        assert p.feedback_text == "Not accepted: choose a prediction first."
        p.prediction.value = "unloaded"
        p.check_button.click()
        assert p.feedback_text.startswith("Not quite. First ask:")    # a first wrong prediction: a nudge
        assert "refused" not in p.feedback_text and exercise_rules(p.feedback_text) == []
        p.prediction.value = "hung"
        assert p.feedback_text == ""                                    # a verdict goes with its answer
        p.check_button.click()
        assert p.feedback_text.startswith("Not quite: you said 'hung', the model says 'refused'.")
        assert "The rule you missed is nonmandatory-refusal" in p.feedback_text
        assert p.score_text.startswith("This session: 0 of 1 problem answered right")
        p.prediction.value = "refused"
        p.check_button.click()
        assert p.feedback_text.startswith("Right: refused.")
        assert p.score_text.startswith("This session: 1 of 1 problem answered right")
        p.reveal_button.click()
        assert p.answer_text.startswith("Answer: refused.") and "FilterUnloadCallback returns" in p.answer_text
        p.seed.new.click()
        assert p.seed.value == 10 and p.problem_text.startswith("seed 10\n")
        assert p.prediction.value is None and p.feedback_text == "" and p.answer_text == ""

    def test_practice_hint_nudges_without_revealing(self):
        p = Practice(seed=9)
        p.hint_button.click()
        hint = plain(p.hint_box.value)
        assert hint.startswith("Hint:") and "refused" not in hint and exercise_rules(hint) == []
        assert p.answer_text == "" and p.feedback_text == ""

    def test_practice_seed_errors_are_shown_not_clamped(self):
        with pytest.raises(ValueError):
            Practice(seed=-1)
        p = Practice(seed=Practice.MAX_SEED)
        p.seed.new.click()
        assert p.seed.value == 0
        for bad in ("-3", "abc", str(Practice.MAX_SEED + 1)):
            p.seed.box.value = bad
            assert plain(p.seed.error.value).startswith("Not accepted: seed:"), bad
            assert p.seed.value == 0 and p.problem_text.startswith("seed 0\n")   # the last good problem stays
        p.seed.box.value = "5"
        assert p.seed.error.value == "" and p.seed.value == 5

    def test_practice_levels_and_the_running_count(self):
        p = Practice(seed=4, level="diagnosis")
        ex = p.view.exercise
        wrong = next(k for k in ex.choice_keys if k != ex.answer[0])
        p.view.choice.value = wrong
        p.view.check_button.click()
        assert p.score_text.startswith("This session: 0 of 1")
        p.view.choice.value = ex.answer[0]
        p.view.check_button.click()
        assert p.feedback_text.startswith("Right.") and p.score_text.startswith("This session: 1 of 1")
        p.level.value = "routine"
        assert p.view.exercise.kind in ("find-bug", "order", "complete") and p.feedback_text == ""
        assert p.score_text.startswith("This session: 1 of 1")      # the count is the session's
        with pytest.raises(ValueError, match="level"):
            Practice(level="expert")

    def test_diagnosis_through_its_controls(self):
        d = Diagnosis("case-6")
        assert d.choice.description == "Diagnosis for case-6" and d.button.description == "Check case-6"
        d.button.click()
        assert d.feedback_text == "Not accepted: choose a diagnosis first."
        d.choice.value = "callouts-never-unregistered"
        d.button.click()
        assert d.feedback_text.startswith("Not this one.") and "wfp-unregister-busy" not in d.feedback_text
        d.button.click()
        assert d.feedback_text.startswith("Not this one:") and "wfp-unregister-busy" in d.feedback_text
        d.choice.value = "flow-contexts-left"
        d.button.click()
        assert d.feedback_text.startswith("Right.")

    def test_diagnosis_records_each_check_for_the_scorecard(self):
        """Per case: the checks made, and the check at which the learner was first right (kept
        when a later check is wrong); the scorecard line explains nothing."""
        from unloadlab.exercises.widgets import scorecard
        d, other = Diagnosis("case-1"), Diagnosis("case-2")
        assert d.score_line == "case-1: not checked yet" and d.first_right is None and d.attempts == 0
        d.choice.value = "no-unload-callback"
        d.button.click()
        assert d.score_line == "case-1: not right yet; 1 check made" and d.first_right is None
        d.choice.value = "callback-refuses"
        d.button.click()
        assert d.first_right == 2 and d.attempts == 2 and d.result.correct
        d.choice.value = "driver-entry-failed"
        d.button.click()
        assert not d.result.correct and d.first_right == 2
        assert d.checks == [("no-unload-callback", False), ("callback-refuses", True), ("driver-entry-failed", False)]
        assert d.score_line == "case-1: right at check 2 (callback-refuses); 3 checks made"
        assert scorecard([d, other]) == d.score_line + "\ncase-2: not checked yet"
        assert exercise_rules(d.score_line) == [] and "Fix" not in d.score_line


class TestNotebooks:
    @pytest.mark.parametrize("name", ["10-practice.ipynb", "11-why-wont-my-driver-stop.ipynb"])
    def test_stored_outputs_spoil_no_answer(self, name):
        nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        stored = "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                           for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
        assert not re.search(r"RIGHT|Right:|Not quite|Not this one|Answer:|Deciding rule", stored)
        assert "my_answer = None" in "".join("".join(c["source"]) for c in nb["cells"])

    def test_every_case_has_its_section_in_the_capstone(self):
        nb = json.loads((ROOT / "notebooks" / "11-why-wont-my-driver-stop.ipynb").read_text(encoding="utf-8"))
        sources = "\n".join("".join(c["source"]) for c in nb["cells"])
        for c in CASES:
            assert f'symptoms("{c.name}")' in sources and f'Diagnosis("{c.name}")' in sources
            assert f'check_diagnosis("{c.name}", my_answer)' in sources


class TestInstructorGuide:
    def doc(self):
        return INSTRUCTOR.read_text(encoding="utf-8")

    def test_the_answer_key_is_the_scripts_output(self):
        run = subprocess.run([sys.executable, str(ROOT / "tools" / "answer_key.py")], capture_output=True,
                             text=True, timeout=120, cwd=ROOT)
        assert run.returncode == 0, run.stderr
        block = self.doc().split("<!-- answer-key:start -->\n", 1)[1].split("\n<!-- answer-key:end -->", 1)[0]
        assert block == run.stdout.rstrip("\n"), (
            "docs/instructor.md's answer key is stale: run python tools/answer_key.py --write docs/instructor.md")

    def test_the_key_covers_every_exercise_and_case(self):
        text = self.doc()
        for c in CASES:
            assert f"| {c.name} | **{c.diagnosis}** |" in text
        for nb in sorted((ROOT / "notebooks").glob("0[0-9]-*.ipynb")):
            assert f"| {nb.stem} |" in text

    def test_it_has_its_sections(self):
        text = self.doc()
        for heading in ("## The 90-minute workshop", "## Pre-flight checklist", "### When Binder is slow",
                        "## Common learner questions", "## Answer key"):
            assert f"\n{heading}\n" in text, heading

    def test_the_schedule_fills_90_minutes_and_names_every_notebook(self):
        schedule = self.doc().split("## The 90-minute workshop")[1].split("## Pre-flight checklist")[0]
        slots = re.findall(r"^\| (\d):(\d\d)–(\d):(\d\d) \|", schedule, re.M)
        minutes = [(int(a) * 60 + int(b), int(c) * 60 + int(d)) for a, b, c, d in slots]
        assert minutes[0][0] == 0 and minutes[-1][1] == 90
        assert all(end == start for (_, end), (start, _) in zip(minutes, minutes[1:]))
        for n in range(12):
            assert f"{n:02d} ·" in schedule, n

    def test_pre_flight_has_the_tag_binder_limit_and_readme_commands(self):
        preflight = self.doc().split("## Pre-flight checklist")[1].split("## Common learner questions")[0]
        assert "tag" in preflight and "mybinder.org/v2/gh/" in preflight
        assert "100 concurrent users per" in preflight and "Launch Binder once beforehand" in preflight
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        readme_commands = re.findall(r"```\n(python3? -m venv \.venv[^\n]*pip install[^\n]*)\n```", readme)
        assert len(readme_commands) >= 2
        assert all(f"```\n  {cmd}\n  ```" in preflight for cmd in readme_commands), readme_commands

    def test_learner_questions_cite_real_rules(self):
        questions = self.doc().split("## Common learner questions")[1].split("## Answer key")[0]
        cited = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", questions))
        assert len(cited) >= 15 and sorted(cited - set(RULES_BY_ID)) == []
