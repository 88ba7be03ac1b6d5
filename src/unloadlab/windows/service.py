"""The service control manager's side of an unload, shared by both driver families:
the Win32 errors a stop request can end in, and the names of the requests.

A driver service is stopped the same way whatever the driver is: ``sc stop``,
``net stop`` or ControlService(SERVICE_CONTROL_STOP) reach the SCM, which calls
NtUnloadDriver (rules scm-ntunloaddriver, mandatory-triggers). The filter manager's own
requests (FilterUnload, FltUnloadFilter, ``fltmc unload``) exist for minifilters only.
"""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple

from .ntstatus import parse_status
from .trace import Actor, Kind, Mark, Step

__all__ = [
    "ERROR_INVALID_SERVICE_CONTROL", "ERROR_SERVICE_NOT_ACTIVE", "WIN32_MESSAGE_TEXT",
    "SC_STOP", "NET_STOP", "CONTROL_SERVICE", "SHUTDOWN", "SERVICE_STOPS", "FILTER_MANAGER_REQUESTS",
    "ERROR_ACCESS_DENIED", "ERROR_DEPENDENT_SERVICES_RUNNING", "access_denied_steps", "dependents_running_steps",
    "unload_pending_steps", "WIN32_ERRORS", "WIN32_ERRORS_SOURCE", "NT_UNLOAD_DRIVER", "REGISTRY_PATH", "scm_unload_call",
    "TriggerFacts", "triggers", "nt_unload_call", "nt_unload_fails", "nt_unload_not_loaded", "nt_status_got",
    "ERROR_SERVICE_MARKED_FOR_DELETE", "SC_DELETE_MAX", "delete_steps", "delete_problem", "bugcheck_before_delete",
    "deletes",
    "request_text", "caller", "dependents", "driver_entry", "driver_entry_mistakes", "NtUnloadRequest",
]

# Win32 errors (winerror.h) and the message texts the facts record (domain-facts #4, #14).
ERROR_INVALID_SERVICE_CONTROL = 1052
ERROR_SERVICE_NOT_ACTIVE = 1062
ERROR_ACCESS_DENIED = 5                     # ControlService / OpenService (domain-facts #64)
ERROR_DEPENDENT_SERVICES_RUNNING = 1051     # ControlService, "Stopping a Service" (domain-facts #65)
ERROR_SERVICE_MARKED_FOR_DELETE = 1072      # DeleteService (domain-facts #84)
WIN32_MESSAGE_TEXT = {
    ERROR_INVALID_SERVICE_CONTROL: "The requested control is not valid for this service.",
    ERROR_SERVICE_MARKED_FOR_DELETE: "The specified service has been marked for deletion.",  # sc's line (#84, U1)
}

# Every Win32 error the lab decodes (``unloadlab why``): name and meaning, in our words. Values from
# winerror.h (domain-facts constants table); meanings paraphrase Microsoft's System Error Codes pages
# (WIN32_ERRORS_SOURCE).
WIN32_ERRORS: dict[int, tuple[str, str]] = {
    1: ("ERROR_INVALID_FUNCTION", "the function is not valid for this object"),
    ERROR_ACCESS_DENIED: ("ERROR_ACCESS_DENIED", "access is denied: the caller's handle lacks the access it needs"),
    ERROR_DEPENDENT_SERVICES_RUNNING: ("ERROR_DEPENDENT_SERVICES_RUNNING",
                                       "a stop was sent to a service that other running services depend on"),
    ERROR_INVALID_SERVICE_CONTROL: ("ERROR_INVALID_SERVICE_CONTROL",
                                    "the service does not accept this control; for a driver service, the stop "
                                    "could not unload the driver"),
    1061: ("ERROR_SERVICE_CANNOT_ACCEPT_CTRL", "the service cannot accept control messages at this time"),
    ERROR_SERVICE_NOT_ACTIVE: ("ERROR_SERVICE_NOT_ACTIVE", "the service has not been started"),
    ERROR_SERVICE_MARKED_FOR_DELETE: ("ERROR_SERVICE_MARKED_FOR_DELETE", "the service has been marked for deletion"),
    1314: ("ERROR_PRIVILEGE_NOT_HELD", "the caller does not hold a privilege the request needs"),
}
WIN32_ERRORS_SOURCE = ("https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-; "
                       "https://learn.microsoft.com/windows/win32/debug/system-error-codes--1000-1299-; "
                       "https://learn.microsoft.com/windows/win32/debug/system-error-codes--1300-1699-")

# Request names, as the CLI and the scenarios spell them.
SC_STOP, NET_STOP, CONTROL_SERVICE, SHUTDOWN = "sc-stop", "net-stop", "ControlService", "shutdown"
NT_UNLOAD_DRIVER = "NtUnloadDriver"       # a loader tool's direct call, without the SCM
REGISTRY_PATH = r"\Registry\Machine\System\CurrentControlSet\Services\{}"
SERVICE_STOPS = (SC_STOP, NET_STOP, CONTROL_SERVICE)
FILTER_MANAGER_REQUESTS = ("FilterUnload", "FltUnloadFilter", "fltmc-unload")


# --- the stop as it really goes, for any driver service (domain-facts #64-#66) ----------------------
# Each function returns the steps; the family's model appends them and records what the caller got.

def access_denied_steps() -> tuple[Step, ...]:
    """The SCM refuses a caller whose handle lacks SERVICE_STOP: nothing reaches the kernel."""
    return (Step(Actor.SCM, Kind.RETURN, "the stop is refused: no SERVICE_STOP access",
                 "The caller is not an administrator: a service's default security gives SERVICE_STOP to "
                 "administrators and LocalSystem only, so the SCM refuses before anything reaches the driver.",
                 ("service-stop-access",), Actor.CALLER, f"ERROR_ACCESS_DENIED ({ERROR_ACCESS_DENIED})",
                 Mark.FAILED),)


def dependents_running_steps(request: str) -> tuple[Step, ...]:
    """Other running services depend on this one: the SCM does not pass the stop on."""
    steps = ()
    if request == NET_STOP:
        steps = (Step(Actor.CALLER, Kind.NOTE, "net stop and the dependent services",
                      "How net stop handles running dependents (whether it asks to stop them first) is not "
                      "covered by our sources; shown here is the stop request itself, sent while they run.",
                      ("silent-net-stop-dependents",), mark=Mark.SILENT),)
    return steps + (Step(
        Actor.SCM, Kind.RETURN, "the stop is refused: services that depend on it are running",
        "Other running services depend on this one, so the SCM does not pass the stop on; they must be "
        "stopped first.", ("dependent-services-running",), Actor.CALLER,
        f"ERROR_DEPENDENT_SERVICES_RUNNING ({ERROR_DEPENDENT_SERVICES_RUNNING})", Mark.FAILED),)


def unload_pending_steps(device: str, to: Actor = Actor.SCM) -> tuple[Step, ...]:
    """NtUnloadDriver meets a device object still referenced (a handle open to ``device``): the
    I/O manager defers the unload and returns to ``to`` (the SCM, or a caller that called it
    directly); the image stays loaded."""
    scm = to is Actor.SCM
    steps = (
        Step(Actor.IO_MANAGER, Kind.ACTION, "device object still referenced: unload pending",
             f"A handle to {device} is still open, so the I/O manager marks the driver and its device "
             "objects Unload Pending and does not call DriverUnload yet.", ("unload-pending",),
             mark=Mark.PENDING),
        Step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver returns",
             "It returns without unloading anything (ReactOS's IopUnloadDriver); the image stays loaded.",
             ("unload-pending-returns",), to, "STATUS_SUCCESS", Mark.PENDING),
    )
    if scm:
        steps += (Step(Actor.SCM, Kind.RETURN, "the service is reported stopped",
                       "The SCM records the service as stopped although the driver is still loaded (ReactOS's SCM; "
                       "a field report agrees).", ("unload-pending-scm-state", "silent-sc-output"), Actor.CALLER,
                       "success", Mark.PENDING),)
    return steps + (
        Step(Actor.IO_MANAGER, Kind.NOTE, "the unload finishes when the last handle closes",
             "Once no reference to the device remains, the I/O manager calls DriverUnload"
             + ("; what 'sc query' shows in the meantime is not documented." if scm else "."),
             ("unload-pending", "silent-unload-pending-query") if scm else ("unload-pending",),
             mark=Mark.SILENT if scm else Mark.PENDING),
    )


# --- a direct NtUnloadDriver: the kernel's answers to a caller without the SCM (rules ntunload-*) ---
def scm_unload_call(service: str) -> Step:
    """The service control manager's own NtUnloadDriver call for a service stop."""
    return Step(Actor.SCM, Kind.CALL, f"NtUnloadDriver({REGISTRY_PATH.format(service)})",
                "The SCM enables SeLoadDriverPrivilege in its own process and asks the kernel to unload the driver.",
                ("scm-ntunloaddriver",), Actor.IO_MANAGER)


def nt_unload_call(service: str, privileged: bool, dependents: bool = False) -> tuple[Step, ...]:
    """A loader tool calls NtUnloadDriver itself; without SeLoadDriverPrivilege it fails at once
    (the last step then has the status), and services that depend on it are not consulted."""
    steps = (Step(Actor.CALLER, Kind.CALL, f"NtUnloadDriver({REGISTRY_PATH.format(service)})",
                  "The tool enables SeLoadDriverPrivilege and asks the kernel to unload the driver itself: no "
                  "service control manager in between, so no SERVICE_STOP or dependency check and no Win32 error.",
                  ("ntunload-direct", "ntunload-no-scm"), Actor.IO_MANAGER),)
    if privileged:
        return steps + ((Step(Actor.IO_MANAGER, Kind.NOTE, "dependent services not consulted",
                              "Other services depend on this one, but only the SCM checks that, and this call does "
                              "not go through it.", ("ntunload-no-scm",)),) if dependents else ())
    return steps + (nt_unload_fails("STATUS_PRIVILEGE_NOT_HELD", "The caller does not hold SeLoadDriverPrivilege "
                                    "(it is not an administrator), so the kernel refuses before it looks the driver "
                                    "up; nothing of the driver is called.", ("ntunload-privilege",)),)


def nt_unload_fails(name: str, why: str, rules: tuple[str, ...]) -> Step:
    return Step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver fails", why, rules, Actor.CALLER, name, Mark.FAILED)


def nt_unload_not_loaded() -> Step:
    return nt_unload_fails("STATUS_OBJECT_NAME_NOT_FOUND", "DriverEntry failed, so there is no driver object of "
                           "that name any more: the lookup fails (ReactOS's IopUnloadDriver).",
                           ("ntunload-no-driver-object", "failed-load-io-manager"))


def nt_status_got(name: str) -> str:
    """What a direct NtUnloadDriver caller got, as requester_got says it (success as FltUnloadFilter's)."""
    st = parse_status(name)
    return f"NTSTATUS {st.describe() if st.code else 'STATUS_SUCCESS (0x00000000)'}"


class NtUnloadRequest:
    """How a request reaches NtUnloadDriver, in any family's run (which brings ``sc``,
    ``steps``, ``returned`` and its own ``ask_scm``, what the SCM checks first)."""

    __slots__ = ()

    def reach_nt_unload_driver(self, service: str, direct: bool) -> bool:
        """A loader tool's own call (rules ntunload-*), or the SCM's for a service stop (rule
        scm-ntunloaddriver); False when the request ends before the kernel looks the driver up."""
        sc = self.sc
        if not direct:
            if not self.ask_scm():
                return False
            self.steps.append(scm_unload_call(service))
            return True
        self.steps.extend(nt_unload_call(service, sc.caller_privileged, sc.dependent_services))
        if not sc.caller_privileged:
            self.returned = nt_status_got("STATUS_PRIVILEGE_NOT_HELD")
            return False
        return True

    def nt_unload_driver_after_failed_load(self, service: str) -> None:
        """A loader tool's own call once DriverEntry failed: refused for privilege, or no driver
        object of that name to find."""
        self.steps.extend(nt_unload_call(service, self.sc.caller_privileged))
        if self.sc.caller_privileged:
            self.steps.append(nt_unload_not_loaded())
        self.returned = nt_status_got(self.steps[-1].status)


# --- sc delete after the request: uninstalling a driver (docs/domain-facts.md #84, U1) ---------------
SC_DELETE_MAX = 2   # the second run shows 1072; a third would show nothing new


def delete_steps(service: str, times: int, running: bool) -> tuple[tuple[Step, ...], str, tuple[str, ...]]:
    """``sc delete`` run ``times`` times once the request is over: (steps, when the service entry
    goes, "now" or "at restart", the lines sc printed). ``running``: the SCM still counts the
    service as running (the stop failed, was refused or hangs), so DeleteService only marks it."""
    call = Step(Actor.CALLER, Kind.CALL, f"sc delete {service}",
                "An uninstaller (as an administrator) deletes the driver's service: DeleteService.",
                ("delete-service-marks",), Actor.SCM)
    if not running:
        steps = (call, Step(Actor.SCM, Kind.RETURN, "the service entry is removed",
                            "The service is not running and sc closes its handle, so the SCM removes the entry and "
                            "its registry key at once.", ("delete-service-marks",), Actor.CALLER, "success"))
        if times > 1:
            steps += (call, Step(Actor.SCM, Kind.NOTE, "a second sc delete finds no service",
                                 "What it gets once the entry is gone is not covered by our sources.",
                                 ("silent-delete-after-removal",), mark=Mark.SILENT))
        return steps, "now", ()
    steps = (call, Step(Actor.SCM, Kind.RETURN, "marked for deletion; the driver stays",
                        "The driver is still loaded, so DeleteService only marks the service for deletion and sets its "
                        "Start to SERVICE_DISABLED: the entry goes, and the driver with it, when the system restarts.",
                        ("delete-service-marks", "delete-service-at-restart", "silent-uninstaller-reboot"),
                        Actor.CALLER, "success"),
             Step(Actor.SCM, Kind.NOTE, "other calls while it is marked",
                  "Which other calls (a new CreateService of the same name, OpenService, a stop) also get 1072 "
                  "meanwhile is not documented.", ("silent-marked-other-calls",), mark=Mark.SILENT))
    printed: tuple[str, ...] = ()
    if times > 1:
        steps += (call, Step(Actor.SCM, Kind.RETURN, "DeleteService fails: already marked",
                             "The service is already marked for deletion, so the second DeleteService fails.",
                             ("delete-service-1072", "sc-delete-1072-output"), Actor.CALLER,
                             f"ERROR_SERVICE_MARKED_FOR_DELETE ({ERROR_SERVICE_MARKED_FOR_DELETE})", Mark.FAILED))
        printed = (f"[SC] DeleteService FAILED {ERROR_SERVICE_MARKED_FOR_DELETE}:", "",
                   WIN32_MESSAGE_TEXT[ERROR_SERVICE_MARKED_FOR_DELETE])
    return steps, "at restart", printed


def delete_problem(sc: Any) -> str | None:
    """Why sc_delete cannot go with the other knobs (None when it can)."""
    n = sc.sc_delete
    if type(n) is not int or not 0 <= n <= SC_DELETE_MAX:
        return f"expected a whole number 0..{SC_DELETE_MAX}, got {n!r}"
    if n and sc.trigger.value == SHUTDOWN:
        return "the system shuts down: no uninstaller runs afterwards (trigger is shutdown)"
    if n and not sc.caller_privileged:
        return "the lab shows sc delete typed by an administrator (caller_privileged is False)"
    return None


def bugcheck_before_delete() -> Step:
    return Step(Actor.CALLER, Kind.NOTE, "no sc delete: the system stopped",
                "The system stopped with a bug check before the uninstaller could run sc delete; the service is still "
                "installed when it starts again.", ("delete-service-marks",))


def deletes(sc: Any, service: str) -> str | None:
    """The sc_delete knob's words."""
    if not sc.sc_delete:
        return None
    twice = f", and runs `sc delete {service}` a second time" if sc.sc_delete > 1 else ""
    return f"Afterwards an uninstaller deletes the service with `sc delete {service}`{twice}."


# --- the triggers, one shape for every family ------------------------------------------------


class TriggerFacts(NamedTuple):
    """What a family knows of one way an unload is asked for; ``{}`` stands for the service name.
    Each family maps its trigger values to these (``<family>.scenario.TRIGGERS``); its enum's
    ``facts`` reads them, and the knob rows and the exercises' words are read from them."""

    label: str        # the learner's label: "sc stop"
    mandatory: bool   # a mandatory unload (for a minifilter: Flags has FLTFL_FILTER_UNLOAD_MANDATORY)
    via_scm: bool     # the service control manager handles it (a service stop)
    caller: str       # the caller's lifeline
    who: str          # who starts it, in words
    call_name: str    # the API whose result the caller gets
    request: str      # the call or command as the requester writes it
    words: str        # how it is asked for, in a driver engineer's words

    def named(self, service: str) -> "TriggerFacts":
        return self._replace(request=self.request.format(service), words=self.words.format(service))


_SHARED_TRIGGERS = {
    SC_STOP: TriggerFacts("sc stop", True, True, "sc.exe", "an administrator at a command prompt", "ControlService",
                          "sc stop {}", "an administrator types `sc stop {}`"),
    NET_STOP: TriggerFacts("net stop", True, True, "net.exe", "an administrator at a command prompt",
                           "ControlService", "net stop {}", "an administrator types `net stop {}`"),
    CONTROL_SERVICE: TriggerFacts("ControlService(SERVICE_CONTROL_STOP)", True, True, "application (advapi32)",
                                  "a user-mode application", "ControlService",
                                  "ControlService(hService, SERVICE_CONTROL_STOP, &Status)",
                                  "an application calls ControlService(SERVICE_CONTROL_STOP) on the {} service"),
    # no SCM in between: the caller gets the NTSTATUS itself (docs/domain-facts.md #85)
    NT_UNLOAD_DRIVER: TriggerFacts("NtUnloadDriver (loader tool)", True, False, "loader tool",
                                   "an administrator running a loader tool", NT_UNLOAD_DRIVER,
                                   f"NtUnloadDriver({REGISTRY_PATH})",
                                   "an administrator runs a loader tool that calls NtUnloadDriver on the {} "
                                   "service's registry key, without the service control manager"),
    SHUTDOWN: TriggerFacts("system shutdown", False, False, "system", "the system", "shutdown", "system shutdown",
                           "the system shuts down"),
}


def triggers(service: str, **own: TriggerFacts) -> dict[str, TriggerFacts]:
    """A family's triggers by value: the shared ones, and its own (keyword: the value, "_" for "-"),
    which may also restate a shared one in its own terms."""
    found = {name.replace("_", "-"): f for name, f in own.items()}
    return {v: f.named(service) for v, f in {**_SHARED_TRIGGERS, **found}.items()}


_ADMIN, _USER = "an administrator", "a user who is not an administrator"


def request_text(trigger: Any, service: str, requests: Mapping[str, str], privileged: bool = True) -> str:
    """'The request: an administrator types `sc stop X`.' (or the shutdown's sentence).
    ``requests``: a family's {trigger value: words} (``Family.requests``, read from its TRIGGERS)."""
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
