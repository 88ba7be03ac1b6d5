"""`python -m unloadlab quiz --seed N --kind KIND`: each kind in the terminal, --answers to
reveal, --json for scripts; bad input exits 2 with one line; no --kind is the prediction
problem exactly as before (the JSON contract)."""
import json
import subprocess
import sys

import pytest

from unloadlab.cli import main
from unloadlab.exercises import make, problem
from unloadlab.exercises import KINDS


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_prints_the_problem_without_the_answer(capsys, kind):
    code, out, err = cli(capsys, "quiz", "--seed", "3", "--kind", kind)
    ex = make(kind, 3)
    assert code == 0 and err == ""
    assert out.startswith(ex.text()) and f"quiz --seed 3 --kind {kind} --answers" in out
    assert "Answer:" not in out and ex.solution not in out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_answers_reveal(capsys, kind):
    _, out, _ = cli(capsys, "quiz", "--seed", "3", "--kind", kind, "--answers")
    ex = make(kind, 3)
    assert out.startswith(ex.text()) and ex.answer_text() in out and "Answer: " in out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_json(capsys, kind):
    _, out, _ = cli(capsys, "quiz", "--seed", "4", "--kind", kind, "--json")
    data = json.loads(out)
    assert data["kind"] == kind and data["seed"] == 4 and data["choices"] and "answer" not in data
    _, out, _ = cli(capsys, "quiz", "--seed", "4", "--kind", kind, "--json", "--answers")
    data = json.loads(out)
    ex = make(kind, 4)
    assert data["answer"] == list(ex.answer) and data["rules"] == list(ex.rules)
    assert set(data["explanations"]) == set(ex.choice_keys)


def test_predict_is_the_default_and_unchanged(capsys):
    _, default, _ = cli(capsys, "quiz", "--seed", "9", "--json")
    _, predict, _ = cli(capsys, "quiz", "--seed", "9", "--kind", "predict", "--json")
    assert default == predict
    data = json.loads(default)
    assert set(data) == {"seed", "model", "inputs", "assumptions", "question", "choices"}
    assert data["inputs"] == problem(9).knobs()


@pytest.mark.parametrize("argv, says", [
    (["--seed", "2147483648", "--kind", "order"], "--seed: 2147483648 is too large"),
    (["--seed", "-5", "--kind", "find-bug"], "--seed: -5 is negative"),
    (["--seed", "x", "--kind", "complete"], "--seed: 'x' is not a whole number"),
    (["--kind", "nope"], "argument --kind: invalid choice: 'nope'"),
])
def test_bad_input_exits_2_with_one_line(argv, says):
    run = subprocess.run([sys.executable, "-m", "unloadlab", "quiz", *argv], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and says in run.stderr, run.stderr


def test_the_largest_seed_works(capsys):
    code, out, _ = cli(capsys, "quiz", "--seed", "2147483647", "--kind", "order")
    assert code == 0 and "(seed 2147483647)" in out
