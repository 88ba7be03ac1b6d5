"""What both driver families share: NTSTATUS values, the trace (Step, Trace, Actor, Mark),
rule kinds and sources, the rules of any driver service, and the service control
manager's side of a stop. Pure Python; it imports neither family."""
from .example import Example
from .ntstatus import KNOWN_STATUSES, NtStatus, Severity, StatusError, hresult_for_user_mode, parse_status, status
from .sources import Rule, RuleKind, Source
from .trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace, parse_choice

__all__ = [
    "Example", "KNOWN_STATUSES", "NtStatus", "Severity", "StatusError", "hresult_for_user_mode", "parse_status",
    "status", "Rule", "RuleKind", "Source", "Actor", "Kind", "Mark", "Outcome", "ScenarioError", "Step", "Trace",
    "parse_choice",
]
