"""Traces and rules as plain text: what the CLI prints and the notebooks show."""
from __future__ import annotations

from typing import Any

from ..catalogue import RULES_BY_ID
from ..windows.trace import Step, Trace

__all__ = ["format_trace", "show_value"]


def _arrow(step: Step) -> str:
    if step.target is None:
        return f"[{step.actor.value}]"
    return f"[{step.actor.value} -> {step.target.value}]"


def format_trace(trace: Trace, *, with_rules: bool = True) -> str:
    """A readable trace: inputs, numbered steps with their rules, outcome, the rules cited."""
    lines = [f"{trace.model} scenario"]
    lines += [f"  {k}: {show_value(v)}" for k, v in trace.inputs.items()]
    lines.append("")
    for n, step in enumerate(trace.steps, 1):
        mark = f"  << {step.mark.value.upper()} >>" if step.mark else ""
        status = f" -> {step.status}" if step.status else ""
        lines.append(f"{n:2}. {_arrow(step)} {step.action}{status}{mark}")
        lines.append(f"    {step.detail}")
        lines.append(f"    rules: {', '.join(step.rules)}")
    lines += ["", f"Outcome: {trace.outcome.value}. {trace.headline}"]
    if with_rules:
        lines += ["", "Rules cited:"]
        for rid in trace.rules:
            r = RULES_BY_ID[rid]
            lines.append(f"  {rid} [{r.kind.value}]: {r.statement}")
    return "\n".join(lines)


def show_value(value: Any) -> str:
    """A knob's value as the trace echoes it: lists joined, None as (none)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "(none)"
    if value is None:
        return "(none)"
    return str(value)
