"""Traces and rules as plain text: what the CLI prints and the notebooks show."""
from __future__ import annotations

from typing import Any

from ..catalogue import RULES_BY_ID
from ..windows.trace import Step, Trace

__all__ = ["format_trace", "format_steps", "show_value"]


def _arrow(step: Step) -> str:
    if step.target is None:
        return f"[{step.actor.value}]"
    return f"[{step.actor.value} -> {step.target.value}]"


def _step_lines(trace: Trace, first: int, detail: bool) -> list[str]:
    lines = []
    for n, step in enumerate(trace.steps[first - 1:], first):
        mark = f"  << {step.mark.value.upper()} >>" if step.mark else ""
        status = f" -> {step.status}" if step.status else ""
        lines.append(f"{n:2}. {_arrow(step)} {step.action}{status}{mark}")
        if detail:
            lines.append(f"    {step.detail}")
            lines.append(f"    rules: {', '.join(step.rules)}")
    return lines


def format_trace(trace: Trace, *, with_rules: bool = True) -> str:
    """A readable trace: inputs, numbered steps with their rules, outcome, the rules cited."""
    lines = [f"{trace.family} scenario"]
    lines += [f"  {k}: {show_value(v)}" for k, v in trace.inputs.items()]
    lines.append("")
    lines += _step_lines(trace, 1, detail=True)
    lines += ["", f"Outcome: {trace.outcome.value}. {trace.headline}"]
    if with_rules:
        lines += ["", "Rules cited:"]
        for rid in trace.rules:
            r = RULES_BY_ID[rid]
            lines.append(f"  {rid} [{r.kind.value}]: {r.statement}")
    return "\n".join(lines)


def format_steps(trace: Trace, first: int | str = 1, *, detail: bool = False) -> str:
    """The steps from ``first`` on (a step number, or the start of a step's action such as
    "FilterUnloadCallback("), one line each (``detail`` adds what happens and the rules),
    then the outcome: the part of a trace a lesson reads, without the echo of every knob."""
    if isinstance(first, str):
        found = [n for n, s in enumerate(trace.steps, 1) if s.action.startswith(first)]
        if not found:
            raise ValueError(f"no step of this trace starts with {first!r}")
        first = found[0]
    if not 1 <= first <= len(trace.steps):
        raise ValueError(f"first: step {first} is not in this trace (1..{len(trace.steps)})")
    lines = _step_lines(trace, first, detail)
    return "\n".join([*lines, "", f"Outcome: {trace.outcome.value}. {trace.headline}"])


def show_value(value: Any) -> str:
    """A knob's value as the trace echoes it: lists joined, None as (none)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "(none)"
    if value is None:
        return "(none)"
    return str(value)
