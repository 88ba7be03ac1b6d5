"""Small helpers both families' C views write C with: indentation, function blocks,
UNREFERENCED_PARAMETER lines, and the C spelling of an NTSTATUS."""
from __future__ import annotations

from typing import Iterable

from .ntstatus import NtStatus

__all__ = ["IND", "block", "c_status", "unused"]

IND = "    "


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
