"""Words any driver service shares, for the families' knob rows: who asks for the stop, who
lacks rights, who depends on it, what DriverEntry returned. Pure: nothing decided here."""
from __future__ import annotations

from typing import Any, Mapping

from .service import SERVICE_STOPS

__all__ = ["SERVICE_REQUESTS", "SERVICE_TRIGGER_LABELS", "request_text", "caller", "dependents", "driver_entry", "driver_entry_mistakes"]

# trigger value: how the request is made (the service name goes in {}); a family adds its own
SERVICE_REQUESTS = {
    "sc-stop": "an administrator types `sc stop {}`",
    "net-stop": "an administrator types `net stop {}`",
    "ControlService": "an application calls ControlService(SERVICE_CONTROL_STOP) on the {} service",
}
# trigger value: the learner's label for it
SERVICE_TRIGGER_LABELS = {"sc-stop": "sc stop", "net-stop": "net stop",
                          "ControlService": "ControlService(SERVICE_CONTROL_STOP)", "shutdown": "system shutdown"}
_ADMIN, _USER = "an administrator", "a user who is not an administrator"


def request_text(trigger: Any, service: str, requests: Mapping[str, str], privileged: bool = True) -> str:
    """'The request: an administrator types `sc stop X`.' (or the shutdown's sentence)."""
    if trigger.value == "shutdown":
        return "Nobody asks for an unload: the system shuts down."
    text = requests[trigger.value].format(service) if trigger.value in requests else f"{trigger.value} ({service})"
    if not privileged and text.startswith(_ADMIN):   # the same command, typed by someone else
        text = _USER + text[len(_ADMIN):]
    return f"The request: {text}."


def caller(sc: Any) -> str | None:
    """What an unprivileged caller lacks depends on whom it asks (domain-facts #64)."""
    if sc.caller_privileged:
        return None
    if sc.trigger.value in SERVICE_STOPS:
        return "The caller has no SERVICE_STOP access to the service: it is not an administrator."
    if sc.trigger.value in ("shutdown", "device-removal"):
        return "The caller is not an administrator."
    return "The caller does not hold SeLoadDriverPrivilege."


def dependents(sc: Any, service: str) -> str | None:
    return (f"Another running service depends on {service} (its DependOnService lists {service})."
            if sc.dependent_services else None)


def driver_entry(sc: Any) -> str | None:
    de = sc.driver_entry_returns
    return f"DriverEntry returns {de.describe()}." if de.code else None   # anything but STATUS_SUCCESS


def driver_entry_mistakes(undo: str) -> dict[str, tuple[str, str]]:
    """DriverEntry's status as a mistake, keyed by severity; ``undo`` is what it must take down."""
    return {
        "error": ("DriverEntry fails with {status}: the driver never finished loading, so there is nothing to "
                  "stop",
                  f"find why DriverEntry fails; before it returns the error it must undo what it set up ({undo})"),
        "warning": ("DriverEntry returns {status}, a warning: that is not NT_SUCCESS, so the load failed and "
                    "there is nothing to stop",
                    "return STATUS_SUCCESS once everything is set up; a warning status counts as a failure"),
    }
