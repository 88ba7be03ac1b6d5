"""The symptom index as text: what ``python -m unloadlab why`` prints and the lesson 11 panel
shows, so both give the same answer."""
from __future__ import annotations

from ..symptoms.answers import WORDS, Answer, Cause, listing, why

__all__ = ["format_answer", "format_listing", "format_cause", "symptom_table", "SymptomTable"]

_PAD = " " * 13


def format_cause(n: int, c: Cause) -> str:
    confirm = f"\n{_PAD}".join(c.confirm) or "(no command: see the lesson)"
    rules = ", ".join(f"{r} [{k}]" for r, k in c.rules)
    return "\n".join([
        f"{n}. {c.cause}",
        f"   family:   {c.family} (request: {c.trigger})",
        f"   seen:     {c.seen}",
        f"   replay:   {c.command}",
        f"   lesson:   notebooks/{c.lesson}.ipynb, section \"{c.section}\"",
        f"   confirm:  {confirm}",
        f"   fix:      {c.fix}",
        f"   rules:    {rules}",
    ])


def format_answer(a: Answer) -> str:
    lines = [f"Symptom: {a.symptom.strip()}", f"Read as: {a.label}"]
    if a.decoded:
        d = a.decoded
        lines.append(f"What it is: {d.kind} {d.code} = {d.name}: {d.meaning}")
    lines += ["", f"The causes the lab knows ({len(a.causes)}):" if a.causes else
              "The causes the lab knows: none (no scenario in the lab shows it)"]
    lines += [f"\n{format_cause(n, c)}" for n, c in enumerate(a.causes, 1)]
    if a.not_modelled:
        lines += ["", "What the lab does not model:"] + [f"- {note}" for note in a.not_modelled]
    return "\n".join(lines)


def format_listing() -> str:
    """Every symptom the index knows, grouped, with what to type and how many causes it has."""
    out = []
    for group, rows in listing().items():
        out.append(f"{group}:")
        width = max(len(r[0]) for r in rows)
        out += [f"  {typed:{width}}  {what} ({n} {'cause' if n == 1 else 'causes'})" for typed, what, n in rows]
        out.append("")
    out.append("Ask: python -m unloadlab why <one of the above, or what you saw>")
    return "\n".join(out)


class SymptomTable:
    """00's "What are you seeing?" table, computed from the index: each symptom the lab can
    replay, the lessons that teach its causes, and the command that answers it. Shown as
    Markdown in a notebook; its plain-text form is the same Markdown."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, tuple[str, ...], str]] = []
        for group, entries in listing().items():
            for typed, what, n in entries:
                if n:
                    lessons = tuple(sorted({c.lesson for c in why(typed).causes}))
                    name = what.split(":")[0]
                    seen = what if group == WORDS else f"`{typed}`" + ("" if name == typed else f" {name}")
                    self.rows.append((seen, lessons, f"python -m unloadlab why {typed}"))

    def markdown(self) -> str:
        lines = ["| what you see | lessons | command |", "|---|---|---|"]
        for seen, lessons, command in self.rows:
            links = ", ".join(f"[{lesson.split('-')[0]}]({lesson}.ipynb)" for lesson in lessons)
            lines.append(f"| {seen} | {links} | `{command}` |")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return self.markdown()


def symptom_table() -> SymptomTable:
    return SymptomTable()
