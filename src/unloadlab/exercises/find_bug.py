"""Find the bug: a routine from the C view with one mistake, and the learner names the line.

The mistake is seeded from the models' knobs, never listed here: from a clean scenario
(the driver unloads, no step is marked except "documentation silent", no ``/* BUG */`` in
its C) every knob value that puts a ``/* BUG: ... */`` line into the C view and makes the
trace show something new (a hang, a refusal, callouts left registered, ...) is a candidate.
Its clean counterpart is the value of the same knob whose C differs least. The faulty line
is where the two C texts differ; the fix is the clean text; the rule and what happens on a
real machine are read off the trace. Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..windows import NtStatus, Trace
from .exercise import Choice, Exercise, rule_line
from .reading import (Block, Line, block_of, blocks, call_name, cited_rules, dead_branches, declarations, effect,
                      is_option, new_marks, request, telling_rule)
from .space import (Scenario, choose, clean, domain, draw, family, has_bug, listing_of, plausible, replaced, rng_for,
                    trace_of)

__all__ = ["find_bug", "candidates", "Bug"]

KIND = "find-bug"
_TRIES = 50
_NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof"}
_MIN_OPTIONS = 3


@dataclass(frozen=True)
class Bug:
    """One seeded mistake: the scenario with it, its clean counterpart, and where it shows."""

    knob: str
    bad: Scenario
    good: Scenario
    block: Block                  # the piece of the bad C that holds it
    answer: int                   # index in the bad listing of the faulty line
    fix: tuple[str, ...]          # the clean lines for that place (empty: remove the line)
    removes: bool                 # the fix is to remove lines, not to add or change them


def _substantive(text: str) -> bool:
    t = text.strip()
    return bool(t) and t not in ("{", "}", "};") and "UNREFERENCED_PARAMETER" not in t and not (
        t.endswith(";") and len(t.split()) == 2 and t.split()[0].isupper())


def _locate(bad: Scenario, good: Scenario) -> tuple[Block, int, tuple[str, ...], bool] | None:
    """Where the bad C differs from the good one, when it differs in exactly one place that a
    learner can point at: (block, faulty line, fix lines, fix removes lines)."""
    b_lines, g_lines = list(listing_of(bad)), list(listing_of(good))
    matcher = difflib.SequenceMatcher(None, [x.text for x in g_lines], [x.text for x in b_lines], autojunk=False)
    hunks = [op for op in matcher.get_opcodes() if op[0] != "equal"
             and any(_substantive(t.text) for t in g_lines[op[1]:op[2]] + b_lines[op[3]:op[4]])]
    if len(hunks) != 1:
        return None
    _, i1, i2, j1, j2 = hunks[0]
    bs = blocks(b_lines)
    block = block_of(bs, j1)
    if block is None or not block.is_code or (j2 > j1 and block_of(bs, j2 - 1) != block):
        return None
    if dead_branches(b_lines, block):      # shown, it must read as C someone would write
        return None
    options = [i for i in range(block.start, block.end) if is_option(b_lines, block, i)]
    answer = next((i for i in options if i >= j1), None)
    if answer is None or len(options) < _MIN_OPTIONS:
        return None
    fix = tuple(x.text.strip() for x in g_lines[i1:i2] if x.text.strip())
    return block, answer, fix, not fix


def _shown_clean(sc: Scenario) -> bool:
    """Clean C someone would write and copy: plausible, and every status it returns for success
    is STATUS_SUCCESS (not an informational status that only happens to count as success)."""
    statuses = [getattr(sc, f) for f in sc.__dataclass_fields__ if isinstance(getattr(sc, f), NtStatus)]
    return clean(sc) and plausible(sc) and not any(s.nt_success and s.code for s in statuses)


def candidates(base: Scenario) -> list[Bug]:
    """Every mistake one knob away from a clean scenario, in knob order."""
    found = []
    for name in (f for f in base.__dataclass_fields__):
        values = [replaced(base, name, v) for v in domain(base, name)]
        scenarios = [sc for sc in values if sc is not None]
        goods = [sc for sc in scenarios if clean(sc)]
        for bad in scenarios:
            if not goods or not has_bug(bad):
                continue
            good = min(goods, key=lambda g: _distance(bad, g))
            where = _locate(bad, good) if new_marks(trace_of(bad), trace_of(good)) else None
            if where:
                found.append(Bug(name, bad, good, *where))
    return found


def _distance(a: Scenario, b: Scenario) -> int:
    x, y = [t.text for t in listing_of(a)], [t.text for t in listing_of(b)]
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in
               difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes() if op != "equal")


def find_bug(seed: int) -> Exercise:
    """The find-the-bug problem for a seed: the same one on every OS and Python 3.10+."""
    rng = rng_for(seed, KIND)
    for _ in range(_TRIES):
        base = draw(rng, _shown_clean)
        bugs = candidates(base)
        if bugs:
            return _exercise(seed, choose(rng, bugs))
    raise RuntimeError(f"seed {seed}: no find-the-bug problem in {_TRIES} draws")  # pragma: no cover


# --- the exercise -----------------------------------------------------------------------------------------
def _shown(lines: list[Line], block: Block) -> list[int]:
    """The listing indexes shown: the declarations (without #include lines), then the block."""
    decls = declarations(lines)
    return decls + ([-1] if decls else []) + list(range(block.start, block.end))


def _line_rules(line: Line, traces: tuple[Trace, ...], fallback: tuple[str, ...]) -> tuple[str, ...]:
    """Why a line is right: the rules its comment cited, else those of the trace step that
    makes the call it makes, else the rules cited around it."""
    if line.rules:
        return line.rules
    for trace in traces:
        for s in trace.steps:
            name = call_name(s.action)
            if name != s.action and f"{name}(" in line.text:
                return (telling_rule(s.rules),)
    return fallback[:1]


def _exercise(seed: int, bug: Bug) -> Exercise:
    lines = list(listing_of(bug.bad))
    shown = _shown(lines, bug.block)
    number = {i: n for n, i in enumerate(shown, 1)}
    bad_t, good_t = trace_of(bug.bad), trace_of(bug.good)
    first = new_marks(bad_t, good_t)[0]
    rule = telling_rule(first.rules)
    bug_line = lines[bug.answer]
    bug_rules = tuple(r for r in cited_rules(bug_line.bug) if r != rule)
    rules = (rule,) + bug_rules
    n = number[bug.answer]
    what = bug_line.bug.split(" (rule")[0].split(": rule")[0] if bug_line.bug else "this line is where it goes wrong"
    solution = (f"The mistake is at line {n}: {what}. "
                + " ".join(f"R{rule_line(r)[1:]}." for r in rules)
                + f" On a real machine: {effect(bad_t, good_t)}."
                + f"\nFix: change {bug.block.name} as below (- as it is, + as it should be):\n"
                + "\n".join(_diff(bug, lines, number)))
    block_rules = tuple(r for i in range(bug.block.start, bug.block.end) for r in lines[i].rules if r not in rules)
    every = tuple(r for x in lines for r in x.rules if r not in rules)
    fallback = block_rules + every + (rule,)
    choices = []
    for i in shown:
        if i < 0 or not is_option(lines, bug.block, i):
            continue
        if i == bug.answer:
            choices.append(Choice(str(number[i]), lines[i].text.strip(), solution, rules))
            continue
        why_rules = _line_rules(lines[i], (good_t, bad_t), fallback)
        text = lines[i].text.strip()
        choices.append(Choice(str(number[i]), text,
                              f"line {number[i]} is not the mistake: {text} is right where it is "
                              f"({rule_line(why_rules[0])}).", why_rules))
    fam = family(bug.bad)
    model = bad_t.inputs.get("model")
    listing_text = f"DriverEntry calls: {', '.join(_set_up(lines)) or '(nothing)'}.\n\n" + "\n".join(
        f"{number[i]:3}  {'' if i < 0 else lines[i].text}".rstrip() for i in shown)
    return Exercise(
        kind=KIND, seed=seed, family=fam,
        title=f"Find the bug: a {fam} driver" + (f" ({model})" if model else ""),
        prompt=(f"Above: {bug.block.name} from a {fam} driver, with the declarations it uses and what its "
                f"DriverEntry set up. The unload is "
                f"asked for by {request(bad_t)}. The code has one mistake. Which line is wrong? If a call is "
                "missing, pick the line it should come right before."),
        shown=listing_text, choices=tuple(choices), answer=(str(n),), solution=solution, rules=rules, lines=True,
        hint=(f"What a real machine shows: the outcome is '{bad_t.outcome.value}'"
              + (f", and the requester got: {bad_t.state['requester_got']}" if bad_t.state.get("requester_got")
                 else "") + ". Which line makes that happen?"),
        extra={"knob": bug.knob, "bad": bug.bad, "good": bug.good, "block": bug.block},
    )


def _set_up(lines: list[Line]) -> list[str]:
    """The functions DriverEntry calls when all goes well, in order, read from its C: what the
    routine shown has to undo is visible next to it (a port it created, a thread it started)."""
    entry = next((b for b in blocks(lines) if b.name == "DriverEntry"), None)
    if entry is None:
        return []
    code, failing = [], 0   # the lines of a failure branch (if (!NT_SUCCESS(...)) { ... }) are left out
    for i in range(entry.body, entry.end):
        text = lines[i].text
        if lines[i].comment:
            continue
        if failing or re.search(r"if \(!NT_SUCCESS\(", text):
            failing += text.count("{") - text.count("}")
            continue
        code.append(text)
    names = re.findall(r"\b([A-Za-z_]\w*)\s*\(", " ".join(code))
    return list(dict.fromkeys(n for n in names if not n.isupper() and n not in _NOT_CALLS))


def _diff(bug: Bug, lines: list[Line], number: dict[int, int]) -> list[str]:
    """The fix as a small diff of the shown routine against the clean driver's: the learner's
    line numbers, one line of context, '-' for a line as it is and '+' for one as it should be.
    Both sides are the C views' own code, so the fixed routine is the clean driver's."""
    good_lines = list(listing_of(bug.good))
    good_block = next(b for b in blocks(good_lines) if b.name == bug.block.name)
    bad = [lines[i].text for i in range(bug.block.start, bug.block.end)]
    good = [good_lines[i].text for i in range(good_block.start, good_block.end)]
    out: list[str] = []
    for group in difflib.SequenceMatcher(None, bad, good, autojunk=False).get_grouped_opcodes(1):
        out += ["  ..."] if out else []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [f"  {number[bug.block.start + i]:3}  {bad[i]}" for i in range(i1, i2)]
                continue
            out += [f"- {number[bug.block.start + i]:3}  {bad[i]}" for i in range(i1, i2)]
            out += [f"+      {good[j]}" for j in range(j1, j2)]
    return out
