"""Small helpers both families' C views write C with: indentation, function blocks,
UNREFERENCED_PARAMETER lines, the C spelling of an NTSTATUS, and the one way a listing
marks a mistake (``bug``) and reads the marks back (``bugs``)."""
from __future__ import annotations

import re
import textwrap
from typing import Iterable

from .ntstatus import NtStatus

__all__ = ["IND", "block", "c_status", "unused", "bug", "bugs", "BUG_WIDTH"]

IND = "    "
BUG_WIDTH = 100   # a BUG comment wraps before this column
_BUG = re.compile(r"/\*\s*BUG:\s*(.*?)\s*\*/", re.S)
_BUG_RULE = re.compile(r"\(rule ([a-z0-9]+(?:-[a-z0-9]+)+)\)")


def c_status(st: NtStatus) -> str:
    """The C spelling of a status: its name when known, else a cast hex literal."""
    return st.name or f"((NTSTATUS){st.hex}L)"


def unused(*names: str) -> list[str]:
    """UNREFERENCED_PARAMETER for each name, packed into lines of at most 96 characters."""
    lines = [""]
    for call in (f"UNREFERENCED_PARAMETER({n});" for n in names):
        if lines[-1] and len(IND + lines[-1] + " " + call) > 96:
            lines.append("")
        lines[-1] = f"{lines[-1]} {call}".lstrip()
    return [IND + line for line in lines]


def block(head: str, body: Iterable[str]) -> list[str]:
    """A function definition: header, braces, body, blank line after."""
    return [*head.split("\n"), "{", *body, "}", ""]


def bug(what: str, rule: str, right: str = "", ind: str = IND, trailing: str = "") -> list[str]:
    """A marked mistake as one C comment, ``/* BUG: what (rule x); right: ... */``, wrapped
    at BUG_WIDTH. With ``trailing`` (a line of code) the comment follows that code."""
    lead = f"{ind}{trailing}  " if trailing else ind
    note = f"BUG: {what} (rule\u00a0{rule})" + (f"; right: {right}" if right else "")   # "(rule x)" unbroken
    text = f"/* {note} */"
    lines = textwrap.wrap(text, BUG_WIDTH, initial_indent=lead, subsequent_indent=" " * (len(lead) + 3),
                          break_long_words=False, break_on_hyphens=False)
    return [line.replace("\u00a0", " ") for line in lines]


def bugs(c_text: str) -> list[tuple[str, str]]:
    """Every marked mistake of a listing, in order: (its words after "BUG:" on one line, the
    rule it names; "" when it names none)."""
    out = []
    for m in _BUG.finditer(c_text):
        words = " ".join(m.group(1).split())
        rule = _BUG_RULE.search(words)
        out.append((words, rule.group(1) if rule else ""))
    return out
