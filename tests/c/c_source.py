"""Read generated driver C the way the order checks need it: a function's body, the calls
it makes in order (following calls into the file's own static helpers), and whether each
call sits under a condition. Works on the layout the lab's C views write (one statement a
line, braces on the statement's line, a function's closing brace at column 0); it is not a
C parser.
"""
from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["strip_comments", "function", "Call", "calls_in_order"]


def strip_comments(c: str) -> str:
    return re.sub(r"/\*.*?\*/", "", c, flags=re.S)


def function(c: str, name: str) -> str:
    """The text of function `name` (header to closing brace at column 0), or '' if absent."""
    m = re.search(rf"^[A-Za-z_][^\n;]*\b{name}\(.*?^}}$", c, re.M | re.S)
    return m.group(0) if m else ""


class Call(NamedTuple):
    line: str            # the statement, comments removed
    conditional: bool    # under an if, else, while or a for whose bound is not `unconditional_loop`


_OPEN = re.compile(r"^\s*(if|else|while|for|do)\b|^\s*}\s*else\b")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def calls_in_order(c: str, entry: str, unconditional_loop: str = "CALLOUT_COUNT") -> list[Call]:
    """Every statement of `entry`'s body in order, with the bodies of the file's own functions
    it calls spliced in where they are called. A statement is conditional when some enclosing
    block is an if/else/while/do, or a for loop whose condition does not name
    `unconditional_loop` (a loop over the callouts always runs), or when it follows a return
    inside such a block."""
    code = strip_comments(c)
    own = {name for name in re.findall(r"^[A-Za-z_][^\n;(]*\b([A-Za-z_]\w*)\(", code, re.M)}
    return _walk(code, entry, own, unconditional_loop, outer=False, seen=frozenset())


def _body_lines(code: str, name: str) -> list[str]:
    text = function(code, name)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "{")
    return lines[start + 1:-1]


def _walk(code: str, name: str, own: set[str], loop_bound: str, outer: bool,
          seen: frozenset[str]) -> list[Call]:
    out: list[Call] = []
    stack: list[bool] = []          # per open block: does it make its contents conditional?
    escaped = False                 # a conditional return came before: the rest may not run
    for raw in _body_lines(code, name):
        line = raw.strip()
        if not line:
            continue
        conditional = outer or any(stack) or escaped
        opened = line.endswith("{")
        closes = line.startswith("}")
        if closes and stack:
            stack.pop()
        if opened:
            kind = _OPEN.match(raw)
            if kind is None:
                stack.append(False)
            elif kind.group(1) == "for" and loop_bound in line:
                stack.append(False)
            else:
                stack.append(True)
            continue
        out.append(Call(line, conditional))
        escaped = escaped or (line.startswith("return") and any(stack))
        for callee in _CALL.findall(line):
            if callee in own and callee != name and callee not in seen:
                out += _walk(code, callee, own, loop_bound, conditional, seen | {name})
    return out
