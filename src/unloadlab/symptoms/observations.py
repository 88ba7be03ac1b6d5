"""What an engineer would observe in one trace: the codes the requester got, the lines the
tools print, the statuses calls return, a bug check, a hang, an unload left pending, a
driver still loaded, traffic blocked after the unload.

It reads the trace's JSON form (``Trace.to_dict``, what ``--json`` prints), so a test can
check an answer against the CLI's own output.
"""
from typing import Any, Iterator, Mapping, NamedTuple

from ..windows.ntstatus import KNOWN_STATUSES, NtStatus
from ..windows.trace import Mark, Outcome
from .codes import BUGCHECK, Code, codes_in

__all__ = ["Observation", "observe", "HANG", "PENDING", "STAYS_LOADED", "FAILED", "TRAFFIC_BLOCKED",
           "CALLOUTS_LEFT", "SHUTDOWN", "REFUSAL_IGNORED", "ANY_BUGCHECK", "REMOVED_AT_RESTART"]

# The keys of what a trace shows beyond its codes (codes are keyed by codes.Code.key).
HANG, PENDING, STAYS_LOADED, FAILED = "hang", "unload-pending", "stays-loaded", "request-failed"
TRAFFIC_BLOCKED, CALLOUTS_LEFT, SHUTDOWN = "traffic-blocked", "callouts-left-registered", "no-unload-at-shutdown"
REFUSAL_IGNORED, ANY_BUGCHECK = "refusal-ignored", "bugcheck"
REMOVED_AT_RESTART = "removed-at-restart"


class Observation(NamedTuple):
    key: str
    seen: str                      # where the trace shows it, in words
    code: Code | None = None       # the code, for a code's key


def _codes(text: str, seen: str) -> Iterator[Observation]:
    for code in codes_in(text):
        if code.key != "success":
            yield Observation(code.key, seen, code)
            if code.kind == BUGCHECK:
                plain = codes_in(code.code.split(" ")[0])[0]     # 0xC4 for 0xC4 (parameter 1 = 0x62)
                yield Observation(plain.key, seen, plain)
                yield Observation(ANY_BUGCHECK, seen)


def _failed_status(name: Any) -> bool:
    return name in KNOWN_STATUSES and not NtStatus(KNOWN_STATUSES[name]).nt_success


def _states(t: Mapping[str, Any]) -> Iterator[Observation]:
    outcome, got = Outcome(t["outcome"]), t.get("requester_got") or ""
    if outcome is Outcome.HUNG:
        yield Observation(HANG, f"the request never returns; blocked on {t.get('blocked_on') or 'the teardown'}")
    if outcome is Outcome.UNLOAD_PENDING:
        yield Observation(PENDING, f"the requester got: {got}")
    if t.get("unloaded") is False and outcome not in (Outcome.SHUTDOWN, Outcome.BUGCHECK):
        yield Observation(STAYS_LOADED, f"after {t['trigger']} the driver is still loaded ({outcome.value})")
    if outcome in (Outcome.REFUSED, Outcome.FAILED):
        yield Observation(FAILED, f"{t['trigger']} fails; the requester got: {got}")
    if t.get("traffic_after_unload") == "blocked":
        yield Observation(TRAFFIC_BLOCKED, f"{t.get('filters_remaining')} filters stay in the engine and block "
                                           "the traffic they match")
    if t.get("traffic_at_boot") == "blocked":
        yield Observation(TRAFFIC_BLOCKED, "after the uninstall and a restart, the persistent filters are back with "
                                           "no callout registered: they block the traffic they match at boot")
    if outcome is Outcome.HAZARD and t.get("callouts_registered"):
        yield Observation(CALLOUTS_LEFT, f"{t['callouts_registered']} callouts still registered as the driver "
                                         "unloads")
    if t.get("service_deleted") == "at restart":
        yield Observation(REMOVED_AT_RESTART, f"after {t['trigger']} the driver is still loaded, so sc delete only "
                                              "marks its service: it goes at the next restart")
    if outcome is Outcome.SHUTDOWN:
        yield Observation(SHUTDOWN, "at shutdown no unload routine runs"
                          + ("" if t.get("shutdown_preop_called") else ", and no shutdown work at all"))
    if t.get("mandatory") and _failed_status(t.get("callback_returned")) and outcome in (
            Outcome.UNLOADED, Outcome.BUGCHECK):
        yield Observation(REFUSAL_IGNORED, f"the callback returned {t['callback_returned']}, and {t['trigger']} "
                                           "unloaded the driver anyway")


def observe(trace: Mapping[str, Any]) -> tuple[Observation, ...]:
    """Every symptom the trace (as ``Trace.to_dict`` gives it) shows, each once, with where."""
    found: list[Observation] = []
    if trace.get("requester_got"):
        found += _codes(trace["requester_got"], f"the requester got: {trace['requester_got']}")
    for line in trace.get("printed") or ():
        found += _codes(line, f"printed: {line}")
    for step in trace["steps"]:
        if step["status"]:
            found += _codes(step["status"], f"{step['action']}: {step['status']}")
        if step["mark"] == Mark.BUGCHECK.value:    # names the alternative when the pages leave two possible
            found += _codes(step["detail"], f"{step['action']}: {step['detail']}")
    if trace.get("bugcheck"):
        found += _codes(trace["bugcheck"], f"the system stops: bug check {trace['bugcheck']}")
    found += _states(trace)
    first: dict[str, Observation] = {}
    for o in found:
        first.setdefault(o.key, o)
    return tuple(first.values())
