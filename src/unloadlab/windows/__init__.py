"""What both driver families share: NTSTATUS values, the trace (Step, Trace, Actor, Mark),
rule kinds and sources, the rules of any driver service, and the service control
manager's side of a stop. Pure Python; it imports neither family. Each name below is
imported from its submodule when first used."""
from .lazy import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "example": ("Example",),
    "family": ("Family", "Knob", "Flag"),
    "ntstatus": ("KNOWN_STATUSES", "NtStatus", "Severity", "StatusError", "hresult_for_user_mode", "parse_status",
                 "status", "SUCCESS"),
    "sources": ("Rule", "RuleKind", "Source"),
    "trace": ("Actor", "SHARED_ACTORS", "Kind", "Mark", "Outcome", "ScenarioError", "Step", "Steps", "Trace",
              "parse_choice"),
})
