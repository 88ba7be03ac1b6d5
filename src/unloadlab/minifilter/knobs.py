"""Each minifilter knob declared once: its label, help, choices, words, and where a value is
a mistake, its cause and fix; then the family's record (``FAMILY``). Type and default live
in ``MinifilterScenario``. The shells (the CLI, the panel, the exercises) read these rows;
``tests/test_knobs.py`` checks that they name exactly the scenario's fields. Words that
read several knobs are functions here.
"""
from __future__ import annotations

from typing import Any

from ..windows.family import Family, Flag, Knob, statuses
from ..windows.service import (SC_DELETE_MAX, caller, deletes, dependents, driver_entry, driver_entry_mistakes,
                               request_text)
from ..windows.trace import Actor
from .scenario import (SERVICE_NAME, VOLUMES, CleanupMistake, ControlDevice, Leak, MinifilterScenario, RegistrationFlag,
                       ServerPort, TRIGGERS, Trigger)

__all__ = ["KNOBS", "FAMILY", "REQUESTS", "request"]

# trigger value: how the request is made, in words (read from the trigger facts)
REQUESTS = {value: facts.words for value, facts in TRIGGERS.items()}
_ENTRY_STATUSES = statuses("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY",
                           "STATUS_INSUFFICIENT_RESOURCES", "STATUS_FLT_NOT_INITIALIZED", "STATUS_UNSUCCESSFUL")


# --- words that read several knobs --------------------------------------------------------------
def request(sc: MinifilterScenario) -> str:
    return request_text(sc.trigger, SERVICE_NAME, REQUESTS, sc.caller_privileged)


def _callback(sc: MinifilterScenario) -> str:
    if not sc.unload_callback:
        return "The minifilter registers no FilterUnloadCallback (FLT_REGISTRATION.FilterUnloadCallback is NULL)."
    status = sc.callback_returns.describe()
    if sc.refuse_only_if_not_mandatory and not sc.callback_returns.nt_success:
        return (f"Its FilterUnloadCallback returns {status} when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY, and "
                "STATUS_SUCCESS when Flags has it.")
    if sc.refuse_only_if_control_device_open:
        return (f"Its FilterUnloadCallback returns {status} when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY and an "
                "application has its control device open; otherwise it tears down and returns STATUS_SUCCESS.")
    return f"Its FilterUnloadCallback returns {status}."


def _flags(sc: MinifilterScenario) -> str | None:
    return f"FLT_REGISTRATION.Flags is {' | '.join(sorted(f.value for f in sc.flags))}." if sc.flags else None


def _instances(sc: MinifilterScenario) -> str | None:
    if sc.instances == 1:
        return None
    volumes = ", ".join(VOLUMES[: sc.instances])
    return f"It is attached to {sc.instances} volumes ({volumes})." if sc.instances else "It is attached to no volume."


def _pended_io(sc: MinifilterScenario) -> str | None:
    if not sc.pended_io:
        return None
    if sc.drains_pended_io:
        return "One instance holds a pended I/O operation in the minifilter's cancel-safe queue."
    return "One instance holds a pended I/O operation that the minifilter never completes."


def _server_port(sc: MinifilterScenario) -> str | None:
    if sc.server_port is ServerPort.NONE:
        return None
    when = "closes it" if sc.server_port is ServerPort.CLOSED_FIRST else "does not close it"
    return f"It has a communication server port; its unload routine {when} before calling FltUnregisterFilter."


_REFUSE_FIX = ("tear down and return STATUS_SUCCESS; refuse (STATUS_FLT_DO_NOT_DETACH) only for a reason, and "
               "only when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY")
_PENDED = ("An instance holds a pended I/O operation that InstanceTeardownStart never completes, so instance "
           "teardown never finishes and FltUnregisterFilter waits forever",
           "in InstanceTeardownStart disable the cancel-safe queue (FltCbdqDisable) and complete every queued "
           "operation")


# --- the rows, in the order the words say them (the request first) ---------------------------------
KNOBS: tuple[Knob, ...] = (
    Knob("trigger", "Trigger", "who asks for the unload",
         choices=tuple((t.value, t.facts.label) for t in Trigger), words=request,
         start=Trigger.FILTER_UNLOAD.value),
    Knob("sc_delete", "sc delete afterwards", "times an uninstaller runs sc delete after the request (0-2)",
         limits=(0, SC_DELETE_MAX), words=lambda sc: deletes(sc, SERVICE_NAME)),
    Knob("dependent_services", "Another service depends on it", "another running service depends on this one",
         words=lambda sc: dependents(sc, SERVICE_NAME)),
    Knob("callback_returns", "Callback returns", "what FilterUnloadCallback returns",
         choices=statuses("STATUS_SUCCESS", "STATUS_FLT_DO_NOT_DETACH", "STATUS_OBJECT_NAME_EXISTS",
                          "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL", "STATUS_ACCESS_DENIED"),
         words=_callback,
         mistakes={
             "error": ("Its FilterUnloadCallback returns {status}, an error, which refuses the unload", _REFUSE_FIX),
             "warning": ("Its FilterUnloadCallback returns {status}: a warning is not NT_SUCCESS, so it refuses "
                         "the unload", _REFUSE_FIX)}),
    Knob("flags", "FLT_REGISTRATION.Flags", "FLT_REGISTRATION.Flags (the part after FLTFL_REGISTRATION_ is enough)",
         choices=tuple((f.value, f.name) for f in RegistrationFlag), words=_flags,
         mistakes={"FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP": (
             "FLT_REGISTRATION.Flags has FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, so a service stop "
             "(sc stop, net stop) cannot unload it; only fltmc unload can",
             "drop FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, or unload the driver with fltmc unload")}),
    Knob("driver_entry_returns", "DriverEntry returns", "what DriverEntry returns", choices=_ENTRY_STATUSES,
         words=driver_entry, mistakes=driver_entry_mistakes("FltUnregisterFilter")),
    Knob("control_device", "Control device", "a control device object, and whether a handle to it is open",
         choices=((ControlDevice.NONE.value, "none"), (ControlDevice.CREATED.value, "created, no handle open"),
                  (ControlDevice.HANDLE_OPEN.value, "a handle is open")),
         words={
             ControlDevice.CREATED: "DriverEntry also creates a control device object (IoCreateDevice); no "
                                    "application has a handle to it open.",
             ControlDevice.HANDLE_OPEN: "DriverEntry also creates a control device object (IoCreateDevice), and an "
                                        "application holds a handle to it open.",
         },
         mistakes={"handle-open": (
             "An application still holds a handle to its control device object, so the driver stays loaded, "
             "unload pending, until that handle is closed",
             "have the application close its handle to the control device; the unload then completes")},
         traits={"none": "creates no control device object", "created": "creates a control device object",
                 "handle-open": "creates a control device object"}),
    Knob("global_resources", "Timer, thread, notify routine, pool",
         "the driver runs a timer with a DPC, a system thread, a process-notify routine and pool",
         words={True: "DriverEntry also starts global work: a periodic timer with a DPC, a system thread, a "
                      "process-notify routine and a pool buffer; when FilterUnloadCallback tears down, it cleans "
                      "them up at the end."},
         traits={False: "runs no timer, system thread or notify routine and allocates no pool of its own",
                 True: "runs a timer, a system thread and a process-notify routine, and allocates pool"}),
    Knob("cleanup_mistakes", "Global cleanup forgets", "what global cleanup forgets (needs --global-resources)",
         choices=((CleanupMistake.TIMER.value, "to cancel the timer"),
                  (CleanupMistake.THREAD.value, "to wait for the thread"),
                  (CleanupMistake.NOTIFY.value, "to remove the notify routine"),
                  (CleanupMistake.POOL.value, "to free the pool")),
         words={
             CleanupMistake.TIMER: "Its global cleanup never cancels the timer (no KeCancelTimer, no "
                                   "KeFlushQueuedDpcs).",
             CleanupMistake.THREAD: "Its global cleanup tells the system thread to stop but never waits for it to "
                                    "exit.",
             CleanupMistake.NOTIFY: "Its global cleanup never removes the process-notify routine (no "
                                    "PsSetCreateProcessNotifyRoutineEx call with Remove set to TRUE).",
             CleanupMistake.POOL: "Its global cleanup never frees the pool buffer (no ExFreePoolWithTag).",
         },
         # causes only: which bug check follows, if any, the trace says
         mistakes={
             "timer-not-cancelled": ("The unload routine never cancels its timer, so the timer's DPC can still "
                                     "run after the driver is gone",
                                     "cancel the timer with KeCancelTimer and flush queued DPCs with "
                                     "KeFlushQueuedDpcs before freeing anything"),
             "thread-not-waited": ("The unload routine never waits for its system thread, which may still run "
                                   "after the image is gone",
                                   "tell the thread to stop, wait on its thread object with KeWaitForSingleObject, "
                                   "then ObDereferenceObject it"),
             "notify-routine-left": ("The unload routine never removes its process-notify routine, which the "
                                     "kernel then calls in unloaded code",
                                     "remove it with PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE) "
                                     "before the unload routine returns"),
             "pool-not-freed": ("The unload routine never frees its pool buffer",
                                "free it with ExFreePoolWithTag, last in global cleanup")}),
    Knob("driver_verifier", "Driver Verifier on", "Driver Verifier watches the minifilter; modelled: its checks at unload for pool never freed "
         "(0xC4) and for a timer left behind (0xC7), no others",
         words={True: f"Driver Verifier's standard checks are on for the minifilter (verifier /standard /driver "
                      f"{SERVICE_NAME}.sys)."}),
    Knob("shutdown_preop", "IRP_MJ_SHUTDOWN pre-operation", "register an IRP_MJ_SHUTDOWN pre-operation",
         words={True: "It registers an IRP_MJ_SHUTDOWN pre-operation callback."}),
    Knob("fast_startup", "Fast Startup (hybrid shutdown)",
         "shutdown with Fast Startup: a hybrid shutdown (trigger shutdown only)",
         words={True: "Fast Startup is turned on when the user chooses Shut down."}),
    Knob("instances", "Instances", "volumes the filter is attached to", limits=(0, len(VOLUMES)), words=_instances),
    Knob("teardown_callbacks", "Instance teardown callbacks", "register InstanceTeardownStart/Complete callbacks",
         words={False: "It registers no InstanceTeardownStart/InstanceTeardownComplete callbacks."}),
    Knob("pended_io", "Pended I/O never completed", "an instance holds a pended operation never completed",
         words=_pended_io, mistakes={True: _PENDED}),
    Knob("drains_pended_io", "TeardownStart drains pended I/O",
         "InstanceTeardownStart disables its cancel-safe queue and completes the pended operations",
         words={True: "Its InstanceTeardownStartCallback disables the instance's cancel-safe queue (FltCbdqDisable) "
                      "and completes every operation still in it."},
         mistakes={False: _PENDED}),
    Knob("server_port", "Server port", "a communication server port and when the unload routine closes it",
         choices=((ServerPort.NONE.value, "none"), (ServerPort.CLOSED_FIRST.value, "closed before FltUnregisterFilter"),
                  (ServerPort.LEFT_OPEN.value, "left open")),
         words=_server_port,
         mistakes={"left-open": (
             "The unload routine calls FltUnregisterFilter while its communication server port is still open, "
             "and FltUnregisterFilter waits forever",
             "close the server port with FltCloseCommunicationPort before calling FltUnregisterFilter")},
         traits={"none": "has no communication server port",
                 "closed-before-unregister": "has a communication server port"}),
    Knob("send_message_wait", "FltSendMessage without a timeout",
         "the unload routine calls FltSendMessage with no timeout; the service never replies (needs --server-port)",
         words={True: "First, FilterUnloadCallback tells its user-mode service that it is unloading with "
                      "FltSendMessage, passing a reply buffer and a NULL Timeout; the service does not reply."},
         mistakes={True: (
             "FilterUnloadCallback calls FltSendMessage with a NULL Timeout to a service that never replies, so "
             "it waits forever",
             "give FltSendMessage a timeout (a relative time, such as 10 seconds), and go on when it expires")}),
    Knob("calls_unregister", "Calls FltUnregisterFilter", "the unload routine calls FltUnregisterFilter",
         flags=(Flag("--skip-unregister", False, "the unload routine never calls FltUnregisterFilter"),),
         words={False: "Its unload routine never calls FltUnregisterFilter."},
         mistakes={False: (
             "The unload routine never calls FltUnregisterFilter, so the filter stays registered with the "
             "filter manager while the image goes",
             "call FltUnregisterFilter in the unload routine, after closing the port and before global cleanup")}),
    Knob("leaks", "Never given back", "references the minifilter never gives back",
         choices=((Leak.CONTEXT.value, "context reference"), (Leak.NAME_INFORMATION.value, "file name information"),
                  (Leak.OBJECT_REFERENCE.value, "FltObjectReference"), (Leak.OPEN_FILE.value, "FltCreateFileEx handle"),
                  (Leak.WORK_ITEM.value, "queued generic work item")),
         words={
             Leak.CONTEXT: "It gets a context with an FltGetXxxContext call and never releases it with "
                           "FltReleaseContext.",
             Leak.NAME_INFORMATION: "It gets file name information with FltGetFileNameInformation and never releases "
                                    "it with FltReleaseFileNameInformation.",
             Leak.OBJECT_REFERENCE: "It takes a rundown reference with FltObjectReference and never drops it with "
                                    "FltObjectDereference.",
             Leak.OPEN_FILE: "It opens a file with FltCreateFileEx and never closes it with FltClose.",
             Leak.WORK_ITEM: "A generic work item it queued with FltQueueGenericWorkItem is still running, and its "
                             "routine does not return.",
         },
         mistakes={
             "context": ("A stream context from FltGetStreamContext is never released on one path, so the unload "
                         "cannot finish", "release every context it gets with FltReleaseContext, on every path"),
             "name-information": ("Name information from FltGetFileNameInformation is never released",
                                  "release it with FltReleaseFileNameInformation as soon as it is used"),
             "object-reference": ("A FltObjectReference on the filter is never dropped, so FltUnregisterFilter "
                                  "waits for it forever", "drop every reference with FltObjectDereference"),
             "open-file": ("A file opened with FltCreateFileEx is never closed",
                           "close it with FltClose, at the latest in InstanceTeardownComplete"),
             "work-item": ("A work item queued with FltQueueGenericWorkItem never returns, so FltUnregisterFilter "
                           "waits for it", "let queued work items finish, and queue no new ones once the unload "
                           "starts")}),
    Knob("unload_callback", "FilterUnloadCallback registered", "register a FilterUnloadCallback",
         said_with=("callback_returns",),
         mistakes={False: (
             "FLT_REGISTRATION has no FilterUnloadCallback, so the filter manager leaves DriverUnload NULL and "
             "nothing can unload the minifilter",
             "register a FilterUnloadCallback that unregisters the filter and returns STATUS_SUCCESS")}),
    Knob("refuse_only_if_not_mandatory", "Refuse only if not mandatory",
         "the callback returns --callback-returns only when Flags lacks MANDATORY", said_with=("callback_returns",)),
    Knob("refuse_only_if_control_device_open", "Refuse only while a handle is open",
         "the cdo sample's refusal: --callback-returns only when a handle to the control device is open and the "
         "unload is not mandatory", said_with=("callback_returns",),
         mistakes={True: (
             "FilterUnloadCallback refuses a non-mandatory unload while an application holds a handle to its "
             "control device object",
             "close the application's handle first, or stop the driver with a service stop")}),
    Knob("caller_privileged", "Caller is an administrator", "the caller is an administrator",
         flags=(Flag("--no-privilege", False, "the caller is not an administrator: no SeLoadDriverPrivilege, and "
                     "no SERVICE_STOP access under a service's default security"),),
         words=caller, said_with=("trigger",)),
)


# --- the family's record (windows.family.Family): what the shells need ---------------------------
def _simulate(scenario: Any) -> Any:
    from .model import simulate
    return simulate(scenario)


def _c_view(scenario: Any) -> str:
    from .c_view import minifilter_c
    return minifilter_c(scenario)


def _examples() -> Any:
    from .scenarios import MINIFILTER_EXAMPLES
    return MINIFILTER_EXAMPLES


def _rules() -> Any:
    from .rules import MINIFILTER_RULES
    return MINIFILTER_RULES


def _decision_space() -> Any:
    from .scenarios import decision_space
    return decision_space()


def _cache_clear() -> None:
    from .model import cache_clear
    cache_clear()


FAMILY = Family("minifilter", "minifilter", MinifilterScenario, KNOBS, SERVICE_NAME,
                (Actor.FILTER_MANAGER, Actor.MINIFILTER, Actor.INSTANCES), _simulate, _c_view, _examples, _rules,
                _decision_space, help="simulate a minifilter unload request", requests=REQUESTS,
                cache_clear=_cache_clear)
