"""How an exercise reads a trace and the C view; everything is read off them, nothing decided.

**The trace.** Who the driver is, where the unload request starts and who made it, the
calls the driver makes to tear itself down (in the model's order, ``teardown_items``), what
DriverEntry set up (``load_items``), the rule that tells what Windows does (``telling_rule``,
``deciding_rule``) and what a mistake does on a real machine (``effect``).

**The C.** ``listing(c)`` turns the C view's text into ``Line`` records, as an exercise
shows it: comments that would give an answer away are taken out, and the rules they cited are
kept beside each line for the feedback. Trailing comments are dropped (they cite rules and
say what is wrong); comment-only lines stay, without their rule citations, because they
stand for code the C view leaves out ("then free what DriverEntry allocated"); a
``/* BUG: ... */`` comment vanishes, its text kept on the line it sits on (or the next one).
``blocks`` splits a listing into top-level pieces: the declarations, then one function or
initializer each.

Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalogue import RULES_BY_ID
from ..windows import Actor, Kind, Mark, RuleKind, StatusError, Step, Trace, parse_status

__all__ = [
    "Item", "driver_actor", "request_index", "call_name", "normalize", "teardown_items", "load_items",
    "telling_rule", "deciding_rule", "distinctive_rules", "marked", "new_marks", "effect", "request",
    "routine_name",
    "Line", "Block", "listing", "blocks", "block_of", "is_option", "cited_rules", "dead_branches", "declarations",
]

_DECIDING_KINDS = (RuleKind.DOC, RuleKind.MECHANISM, RuleKind.FIELD)   # what Windows does, not samples or silence
# Extra final-state keys a model may report about what a mistake did (issues 11 and 12).
_AFTERMATH = ("blocked_on", "bugcheck", "traffic_after_unload")
_NUMBERED = re.compile(r"(?<=[A-Za-z])[0-9]+(?![\w\[])")


@dataclass(frozen=True)
class Item:
    """One call (or act) of the driver, as an exercise shows it."""

    text: str          # normalized: "FwpsCalloutUnregisterById0(CalloutIds[i])"
    name: str          # the function called, or the act: "FwpsCalloutUnregisterById0"
    step: Step         # the first step it stands for


def driver_actor(trace: Trace) -> Actor:
    """The driver's lifeline: whom the I/O manager calls DriverEntry on."""
    return trace.steps[0].target or trace.steps[0].actor


def request_index(trace: Trace) -> int | None:
    """Where the unload request starts: the first step of the caller (None: there is none)."""
    return next((i for i, s in enumerate(trace.steps) if s.actor is Actor.CALLER), None)


def call_name(action: str) -> str:
    """'FltUnregisterFilter' for 'FltUnregisterFilter(Filter)'; an act without a call stays whole."""
    m = re.match(r"\s*([A-Za-z_][\w:]*)\s*\(", action)
    return m.group(1) if m else action.strip()


def normalize(action: str) -> str:
    """One text for repeated calls: per-callout indexes become [i], 'x 3' counts go, and
    argument lists that spell out settings (Flags=...) shrink to (...)."""
    text = re.sub(r"\[\d+\]", "[i]", action)
    text = re.sub(r"\s+x\s+\d+\s*$", "", text)
    m = re.match(r"([A-Za-z_][\w:]*)\((.*)\)$", text)
    if m and "=" in m.group(2):
        return f"{m.group(1)}(...)"
    if m:   # per-callout argument names such as &Callout2 become &Callout[i]
        text = m.group(1) + "(" + _NUMBERED.sub("[i]", m.group(2)) + ")"
    return text


def _items(steps: tuple[Step, ...] | list[Step], actor: Actor, kinds: tuple[Kind, ...]) -> list[Item]:
    """The actor's steps of these kinds, normalized, repeats in a row counted once."""
    out: list[Item] = []
    for s in steps:
        if s.actor is actor and s.kind in kinds:
            text = normalize(s.action)
            if not out or out[-1].text != text:
                out.append(Item(text, call_name(text), s))
    return out


def teardown_items(trace: Trace) -> list[Item]:
    """The driver's own calls and acts after the request, in the model's order."""
    start = request_index(trace)
    if start is None:
        return []
    return _items(trace.steps[start:], driver_actor(trace), (Kind.CALL, Kind.ACTION))


def load_items(trace: Trace) -> list[Item]:
    """The calls the driver makes before any request: what DriverEntry (or AddDevice) set up."""
    end = request_index(trace)
    return _items(trace.steps[:end], driver_actor(trace), (Kind.CALL,))


def telling_rule(rules: tuple[str, ...]) -> str:
    """The first rule of these that says what Windows does (documented, mechanism or observed)."""
    return next((r for r in rules if RULES_BY_ID[r].kind in _DECIDING_KINDS), rules[0])


def deciding_rule(trace: Trace) -> str:
    """The rule a learner most likely missed, read off the trace: the first step with a mark
    (not 'documentation silent'), or the note right after it that explains the same mark;
    without one, the last action or note. Its first documented (or observed) rule."""
    steps = trace.steps
    for i, step in enumerate(steps):
        if step.mark is not None and step.mark is not Mark.SILENT:
            after = steps[i + 1] if i + 1 < len(steps) else None
            if after is not None and after.kind is Kind.NOTE and after.mark is step.mark:
                step = after
            return telling_rule(step.rules)
    for step in reversed(steps):
        if step.kind in (Kind.ACTION, Kind.NOTE) and any(RULES_BY_ID[r].kind in _DECIDING_KINDS for r in step.rules):
            return telling_rule(step.rules)
    return telling_rule(steps[-1].rules)


def distinctive_rules(step: Step, others: list[Step]) -> tuple[str, ...]:
    """The step's rules that not every other step cites too (those say why it is where it is)."""
    shared = set.intersection(*(set(o.rules) for o in others)) if others else set()
    return tuple(r for r in step.rules if r not in shared) or step.rules


def marked(trace: Trace) -> list[tuple[str, Mark]]:
    """(action, mark) for every marked step."""
    return [(s.action, s.mark) for s in trace.steps if s.mark is not None]


def new_marks(trace: Trace, than: Trace) -> list[Step]:
    """The marked steps of a trace that the other trace does not have."""
    seen = set(marked(than))
    return [s for s in trace.steps if s.mark is not None and (s.action, s.mark) not in seen]


def effect(trace: Trace, than: Trace | None = None) -> str:
    """What a mistake does on a real machine, from the trace: the outcome and its headline,
    what the model reports it waited for or crashed with, and the first step that shows it."""
    parts = [f"{trace.outcome.value}: {trace.headline.rstrip('.')}"]
    for key in _AFTERMATH:
        if trace.state.get(key):
            parts.append(f"{key.replace('_', ' ')}: {trace.state[key]}")
    shown = new_marks(trace, than) if than is not None else [s for s in trace.steps if s.mark is not None]
    if shown:
        s = shown[0]
        parts.append(f"the step that shows it: {s.action} ({s.mark.value}): {s.detail.rstrip('.')}")
    return "; ".join(parts)


def request(trace: Trace) -> str:
    """Who asks for the unload, and the call or command: 'sc.exe: sc stop SampleFilter'."""
    calls = [s.action for s in trace.steps if s.actor is Actor.CALLER and s.kind is Kind.CALL]
    who = trace.state.get("caller", "the caller")
    return f"{who}: {calls[0]}" if calls else str(who)


def routine_name(trace: Trace) -> str:
    """The driver's routine the unload runs: the first call into the driver after the request."""
    start = request_index(trace) or 0
    me = driver_actor(trace)
    return next((call_name(s.action) for s in trace.steps[start:] if s.kind is Kind.CALL and s.target is me),
                "unload routine")


# --- the C -----------------------------------------------------------------------------------------
_RULE = re.compile(r"\brules? ([a-z0-9]+(?:-[a-z0-9]+)+)")
_CITATION = re.compile(r"\s*\(rules? [a-z0-9-]+(?:, [a-z0-9-]+)*\)|[:;,]?\s*\brules? [a-z0-9-]+(?:, [a-z0-9-]+)*")
_DECLARATION = re.compile(r"^\s*(?:static\s+|const\s+|CONST\s+)*[A-Z_][A-Z0-9_]*\s+\**\w+(?:\[\w*\])?;\s*$")
_HEAD = re.compile(r"(\w+)\s*(?:\(|(?:\[\w*\])?\s*=)")


@dataclass(frozen=True)
class Line:
    text: str                    # what is shown
    rules: tuple[str, ...] = ()  # rules its comments cited
    bug: str = ""                # the BUG comment on it or right above it, without "BUG:"
    comment: bool = False        # a comment-only line
    continued: bool = False      # the rest of a statement begun on the line above


@dataclass(frozen=True)
class Block:
    name: str                    # the function or variable it defines; "(declarations)" otherwise
    start: int                   # index of its first line in the listing
    end: int                     # one past its last line
    body: int                    # index of its first line after the opening brace (== start: no body)

    @property
    def is_code(self) -> bool:
        return self.body > self.start


def cited_rules(comment: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r in _RULE.findall(comment) if r in RULES_BY_ID))


def _scan(text: str) -> list[tuple[str, list[str], bool, str]]:
    """Per source line: (code, the comments that start on it, whether the line only continues
    a comment begun above, its indent). A comment spanning lines belongs to the line it starts on."""
    out: list[tuple[str, list[str], bool, str]] = []
    opened: tuple[int, list[str]] | None = None
    for i, raw in enumerate(text.split("\n")):
        code, comments, rest = "", [], raw
        continuing = opened is not None
        while True:
            if opened is not None:
                end = rest.find("*/")
                opened[1].append(rest if end < 0 else rest[:end])
                if end < 0:
                    break
                rest = rest[end + 2:]
                where, pieces = opened
                (comments if where == i else out[where][1]).append(" ".join(p.strip() for p in pieces).strip())
                opened = None
                continue
            begin = rest.find("/*")
            if begin < 0:
                code += rest
                break
            code, rest, opened = code + rest[:begin], rest[begin + 2:], (i, [])
        out.append((code.rstrip(), comments, continuing and not code.strip(), raw[: len(raw) - len(raw.lstrip())]))
    return out


def listing(c_text: str) -> list[Line]:
    """The C as an exercise shows it (see "The C" in the module docstring)."""
    lines: list[Line] = []
    bug_above, parens = "", 0
    for code, comments, continuation, indent in _scan(c_text.rstrip("\n")):
        if continuation:
            continue
        bugs = [c[4:].strip() for c in comments if c.startswith("BUG:")]
        kept = [c for c in comments if not c.startswith("BUG:")]
        rules = tuple(dict.fromkeys(r for c in comments for r in cited_rules(c)))
        bug = " ".join([bug_above] + bugs).strip()
        if code.strip():
            lines.append(Line(code, rules, bug, continued=parens > 0))
            parens += code.count("(") - code.count(")")
            bug_above = ""
        elif bugs:
            bug_above = bug
        elif kept:
            words = _CITATION.sub("", " ".join(kept)).strip(" :;,")
            if words:
                lines.append(Line(f"{indent}/* {words} */", rules, bug, comment=True))
                bug_above = ""
        else:
            lines.append(Line(""))
    return lines


def _name(line: str) -> str:
    m = _HEAD.search(line)
    return m.group(1) if m else "(declarations)"


def _starts(lines: list[Line]) -> set[int]:
    """Where a function or a "= {" initializer begins at file level (with the comment lines
    right above it): a column-0 header with "(" that is followed by a line "{", or a line
    ending "= {"."""
    out, depth = set(), 0
    for i, line in enumerate(lines):
        text = line.text
        if depth == 0 and not line.comment and text[:1].isalpha():
            after = next((x.text.strip() for x in lines[i + 1:] if x.text.strip().endswith((";", "{"))
                          or x.text.strip() == "{"), "")
            header = "(" in text and not text.rstrip().endswith(";") and after == "{"
            if header or text.rstrip().endswith("= {"):
                k = i
                while k > 0 and lines[k - 1].comment and not lines[k - 1].text.startswith(" "):
                    k -= 1
                out.add(k)
        if not line.comment:
            depth += text.count("{") - text.count("}")
    return out


def blocks(lines: list[Line]) -> list[Block]:
    """The top-level pieces: split at blank lines outside any braces and where a function or
    initializer begins."""
    out: list[Block] = []
    starts = _starts(lines)
    depth, first, body = 0, None, None

    def close(end: int) -> None:
        if first is None:
            return
        head = next(lines[k].text for k in range(first, end) if not lines[k].comment) if any(
            not lines[k].comment for k in range(first, end)) else lines[first].text
        is_code = first in starts and body is not None
        out.append(Block(_name(head) if is_code else "(declarations)", first, end, body if is_code else first))

    for i, line in enumerate(lines + [Line("")]):
        text = line.text
        if depth == 0 and (not text.strip() or i in starts):
            close(i)
            first, body = (i, None) if text.strip() else (None, None)
            if not text.strip():
                continue
        if first is None:
            first = i
        if not line.comment:
            opened = depth
            depth += text.count("{") - text.count("}")
            if opened == 0 and depth > 0 and body is None:
                body = i + 1
    return out


def block_of(blocks_: list[Block], index: int) -> Block | None:
    return next((b for b in blocks_ if b.start <= index < b.end), None)


def is_option(lines: list[Line], block: Block, index: int) -> bool:
    """Whether a learner may pick this line: a statement or comment inside a code block, or
    the block's closing line (for "a call is missing at the end")."""
    if not block.is_code or not block.body <= index < block.end:
        return False
    text = lines[index].text.strip()
    if index == block.end - 1:
        return True
    if not text or text in ("{", "}", "};") or "UNREFERENCED_PARAMETER" in text or lines[index].continued:
        return False
    return bool(lines[index].comment or not _DECLARATION.match(lines[index].text))


def dead_branches(lines: list[Line], block: Block) -> list[int]:
    """The ``if`` lines of a block whose branch changes nothing, which no one would write: an
    empty body (once comments are left out), or a body that only returns what the code right
    after the branch returns anyway (``if (x) { return S; } return S;``), or another success
    status (an informational status the caller takes as success: rule informational-allows)."""
    code = [(i, lines[i].text.strip()) for i in range(block.body, block.end)
            if lines[i].text.strip() and not lines[i].comment]
    out = []
    for n, (i, text) in enumerate(code):
        if not re.match(r"if\s*\(", text) or not text.endswith("{"):
            continue
        depth, body, k = 1, [], n + 1
        while k < len(code) and depth:
            depth += code[k][1].count("{") - code[k][1].count("}")
            if depth:
                body.append(code[k][1])
            k += 1
        if code[k - 1][1] != "}":          # "} else {": the other branch may differ
            continue
        after = code[k][1] if k < len(code) else ""
        if not body or (len(body) == 1 and body[0].startswith("return") and _same_result(body[0], after)):
            out.append(i)
    return out


def _same_result(one: str, other: str) -> bool:
    """Two return statements the caller acts on alike: the same text, or two statuses that are
    both success ('return STATUS_OBJECT_NAME_EXISTS;' against 'return STATUS_SUCCESS;')."""
    if one == other:
        return True
    statuses = [re.fullmatch(r"return (STATUS_\w+);", s) for s in (one, other)]
    try:
        return all(m and parse_status(m.group(1)).nt_success for m in statuses)
    except StatusError:
        return False


def declarations(lines: list[Line]) -> list[int]:
    """Where the driver's global declarations are (no blank or #include lines)."""
    return [i for b in blocks(lines) if not b.is_code for i in range(b.start, b.end)
            if lines[i].text.strip() and not lines[i].text.startswith("#include")]
