"""The C view as an exercise shows it: comments that would give an answer away are taken
out, and the rules they cited are kept beside each line for the feedback.

``listing(c)`` turns the C view's text into ``Line`` records. Trailing comments are dropped
(they cite rules and say what is wrong); comment-only lines stay, without their rule
citations, because they stand for code the C view leaves out ("then free what DriverEntry
allocated"); a ``/* BUG: ... */`` comment vanishes, its text kept on the line it sits on
(or the next one). ``blocks`` splits a listing into top-level pieces: the declarations,
then one function or initializer each. Pure: no third-party imports, nothing printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalogue import RULES_BY_ID

__all__ = ["Line", "Block", "listing", "blocks", "block_of", "is_option", "cited_rules", "code_lines",
           "dead_branches"]

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
    """The C as an exercise shows it (see the module docstring)."""
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


def code_lines(c_text: str) -> list[str]:
    return [line.text for line in listing(c_text)]


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
    after the branch returns anyway (``if (x) { return S; } return S;``)."""
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
        if not body or (len(body) == 1 and body[0].startswith("return") and body[0] == after):
            out.append(i)
    return out
