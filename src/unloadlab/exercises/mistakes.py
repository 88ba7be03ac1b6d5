"""What a knob value means, in a driver engineer's words: one table, one entry per knob value.

``MISTAKES`` gives, for a knob value that breaks a clean driver, the cause and the fix as a
reviewer would write them ("It calls FwpsCalloutUnregisterById0 while holding a fast mutex,
at APC_LEVEL." / "Unregister at PASSIVE_LEVEL, outside the lock."). ``TRAITS`` says what a
clean driver with a knob value has ("has no communication server port"), for explaining why
a call belongs to another driver. The exercises use only these words, never a knob's name:
a value without an entry is not offered (``tests/test_exercises_texts.py`` lists the values
the generators reach without words, so a knob a model gains gets its entry here).

An entry is a (cause, fix) pair, or a function of the scenario giving one; ``{status}`` in a
text stands for the status the knob holds. A status knob is keyed by its severity ("error",
"warning"), a set knob by its one member's value, an enum by its value, a bool by itself.
Pure: no third-party imports, nothing printed; no rule is decided here.
"""
from __future__ import annotations

import enum
from typing import Any, Callable, Union

from ..windows import NtStatus

__all__ = ["MISTAKES", "TRAITS", "key_of", "mistake", "trait"]

Words = tuple[str, str]                       # (cause, fix), each one sentence without a final period
Entry = Union[Words, Callable[[Any], Words]]  # or made from the scenario

_UNREGISTER_ALL = "call FwpsCalloutUnregisterById0 for every callout in the unload function, and check each result"


def _callout_unload_function(sc: Any) -> Words:
    if sc.model.value == "wdm":
        return ("DriverEntry never sets DriverObject->DriverUnload, so the kernel has no routine to call and a "
                "service stop cannot unload the driver",
                "set DriverObject->DriverUnload to the Unload routine in DriverEntry")
    return ("WDF_DRIVER_CONFIG names no EvtDriverUnload: for a non-PnP driver KMDF then leaves DriverUnload NULL, "
            "so a service stop cannot unload the driver",
            "set config.EvtDriverUnload before calling WdfDriverCreate")


def _driver_entry(undo: str) -> dict[Any, Entry]:
    return {
        "error": ("DriverEntry fails with {status}: the driver never finished loading, so there is nothing to "
                  "stop",
                  f"find why DriverEntry fails; before it returns the error it must undo what it set up ({undo})"),
        "warning": ("DriverEntry returns {status}, a warning: that is not NT_SUCCESS, so the load failed and "
                    "there is nothing to stop",
                    "return STATUS_SUCCESS once everything is set up; a warning status counts as a failure"),
    }


_REFUSE_FIX = ("tear down and return STATUS_SUCCESS; refuse (STATUS_FLT_DO_NOT_DETACH) only for a reason, and "
               "only when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY")
_PENDED = ("An instance holds a pended I/O operation that InstanceTeardownStart never completes, so instance "
           "teardown never finishes and FltUnregisterFilter waits forever",
           "in InstanceTeardownStart disable the cancel-safe queue (FltCbdqDisable) and complete every queued "
           "operation")

MISTAKES: dict[str, dict[str, dict[Any, Entry]]] = {
    "minifilter": {
        "unload_callback": {False: (
            "FLT_REGISTRATION has no FilterUnloadCallback, so the filter manager leaves DriverUnload NULL and "
            "nothing can unload the minifilter",
            "register a FilterUnloadCallback that unregisters the filter and returns STATUS_SUCCESS")},
        "callback_returns": {
            "error": ("Its FilterUnloadCallback returns {status}, an error, which refuses the unload", _REFUSE_FIX),
            "warning": ("Its FilterUnloadCallback returns {status}: a warning is not NT_SUCCESS, so it refuses "
                        "the unload", _REFUSE_FIX)},
        "flags": {"FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP": (
            "FLT_REGISTRATION.Flags has FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, so a service stop "
            "(sc stop, net stop) cannot unload it; only fltmc unload can",
            "drop FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, or unload the driver with fltmc unload")},
        "driver_entry_returns": _driver_entry("FltUnregisterFilter"),
        "pended_io": {True: _PENDED},
        "drains_pended_io": {False: _PENDED},
        "server_port": {"left-open": (
            "The unload routine calls FltUnregisterFilter while its communication server port is still open, "
            "and FltUnregisterFilter waits forever",
            "close the server port with FltCloseCommunicationPort before calling FltUnregisterFilter")},
        "calls_unregister": {False: (
            "The unload routine never calls FltUnregisterFilter, so the filter stays registered with the "
            "filter manager while the image goes",
            "call FltUnregisterFilter in the unload routine, after closing the port and before global cleanup")},
        "leaks": {
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
                          "starts")},
        "send_message_wait": {True: (
            "FilterUnloadCallback calls FltSendMessage with a NULL Timeout to a service that never replies, so "
            "it waits forever",
            "give FltSendMessage a timeout (a relative time, such as 10 seconds), and go on when it expires")},
        "control_device": {"handle-open": (
            "An application still holds a handle to its control device object, so the driver stays loaded, "
            "unload pending, until that handle is closed",
            "have the application close its handle to the control device; the unload then completes")},
        "refuse_only_if_control_device_open": {True: (
            "FilterUnloadCallback refuses a non-mandatory unload while an application holds a handle to its "
            "control device object",
            "close the application's handle first, or stop the driver with a service stop")},
        "cleanup_mistakes": {
            "timer-not-cancelled": ("The unload routine never cancels its timer: the timer's DPC runs after the "
                                    "driver is gone, and the system stops with bug check 0xCE",
                                    "cancel the timer with KeCancelTimer and flush queued DPCs with "
                                    "KeFlushQueuedDpcs before freeing anything"),
            "thread-not-waited": ("The unload routine never waits for its system thread, which may still run "
                                  "after the image is gone (bug check 0xCE)",
                                  "tell the thread to stop, wait on its thread object with KeWaitForSingleObject, "
                                  "then ObDereferenceObject it"),
            "notify-routine-left": ("The unload routine never removes its process-notify routine, which the "
                                    "kernel then calls in unloaded code (bug check 0xCE)",
                                    "remove it with PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE) "
                                    "before the unload routine returns"),
            "pool-not-freed": ("The unload routine never frees its pool buffer: a leak, and bug check 0xC4 "
                               "(0x62) under Driver Verifier",
                               "free it with ExFreePoolWithTag, last in global cleanup")},
    },
    "callout": {
        "model": {"wdf-pnp": (
            "It is a KMDF driver that does not set WdfDriverInitNonPnpDriver, so it is a PnP driver, which a "
            "service stop cannot unload",
            "set WdfDriverInitNonPnpDriver in WDF_DRIVER_CONFIG.DriverInitFlags and name an EvtDriverUnload")},
        "unload_function": {False: _callout_unload_function},
        "unregisters": {False: (
            "The unload function never calls FwpsCalloutUnregisterById0, so the image goes while its callouts "
            "are still registered", _UNREGISTER_ALL)},
        "check_unregister_result": {False: (
            "The unload function ignores what FwpsCalloutUnregisterById0 returns, so a callout that returns "
            "STATUS_DEVICE_BUSY stays registered",
            "check each result; on STATUS_DEVICE_BUSY remove that callout's flow contexts with "
            "FwpsFlowRemoveContext0 and unregister it again")},
        "remove_flow_contexts": {
            "none": ("It never removes the contexts its flows still carry, so FwpsCalloutUnregisterById0 "
                     "returns STATUS_DEVICE_BUSY and the callout stays registered",
                     "remove each flow's context with FwpsFlowRemoveContext0 before unregistering, and again on "
                     "STATUS_DEVICE_BUSY before trying once more"),
            "before-unregister": ("It removes the flow contexts first, but when FwpsCalloutUnregisterById0 still "
                                  "returns STATUS_DEVICE_BUSY it gives up and leaves the remaining callouts "
                                  "registered",
                                  "on STATUS_DEVICE_BUSY remove that callout's flow contexts again and unregister "
                                  "it once more, then go on with the next callout"),
            "on-device-busy": ("It removes a callout's flow contexts only after FwpsCalloutUnregisterById0 has "
                               "returned STATUS_DEVICE_BUSY, not before unregistering",
                               "remove every flow context before unregistering, and keep the retry on "
                               "STATUS_DEVICE_BUSY")},
        "waits_for_flow_deletes": {False: (
            "After removing the flow contexts it does not wait until every flowDeleteFn has run "
            "(FwpsFlowRemoveContext0 can leave them pending), and unregisters at once",
            "wait, on an event the last flowDeleteFn sets, until every flowDeleteFn has run, then unregister")},
        "driver_entry_returns": _driver_entry("unregister its callouts and close the engine handle"),
        "filters": {
            "after-unregister": ("It unregisters the callouts first and removes its filters only afterwards, so "
                                 "for a while filters name callouts that are gone and block matching traffic",
                                 "remove the filters first (close the dynamic session), then unregister the "
                                 "callouts"),
            "left-in-place": ("Its filters were added in a static session and are never deleted, so they stay in "
                              "the engine after the driver is gone and block matching traffic",
                              "delete each filter with FwpmFilterDeleteByKey0 before the callout objects, or add "
                              "them in a dynamic session")},
        "drains_before_unregister": {False: (
            "It unregisters the callouts before waiting for the classifyFn calls and queued work still in "
            "flight, so an unregister fails while a callout is still in use",
            "wait for work in flight first (ExWaitForRundownProtectionRelease, stop the worker thread), then "
            "unregister")},
        "unregister_at_apc_level": {True: (
            "It calls FwpsCalloutUnregisterById0 while holding a fast mutex, at APC_LEVEL",
            "unregister at PASSIVE_LEVEL, outside the lock")},
    },
}

TRAITS: dict[str, dict[str, dict[Any, str]]] = {
    "minifilter": {
        "server_port": {"none": "has no communication server port",
                        "closed-before-unregister": "has a communication server port"},
        "control_device": {"none": "creates no control device object",
                           "created": "creates a control device object",
                           "handle-open": "creates a control device object"},
        "global_resources": {False: "runs no timer, system thread or notify routine and allocates no pool of "
                                    "its own",
                             True: "runs a timer, a system thread and a process-notify routine, and allocates "
                                   "pool"},
    },
    "callout": {
        "filters": {"dynamic-session": "adds its filters in a dynamic session, which FwpmEngineClose0 ends, "
                                       "deleting its filters and callout objects with it",
                    "deleted-by-key": "adds its filters in a static session, so it deletes them and its callout "
                                      "objects by key"},
        "model": {"wdm": "is a WDM driver that created its device object with IoCreateDevice",
                  "wdf": "is a KMDF driver, whose framework deletes the device it created",
                  "wdf-pnp": "is a KMDF driver, whose framework deletes the device it created"},
        "remove_flow_contexts": {"none": "removes no flow context",
                                 "before-unregister": "removes its flows' contexts before unregistering",
                                 "on-device-busy": "removes a callout's flow contexts when unregistering it "
                                                   "returns STATUS_DEVICE_BUSY",
                                 "before-and-on-busy": "removes its flows' contexts before unregistering and "
                                                       "again on STATUS_DEVICE_BUSY"},
        "waits_for_flow_deletes": {False: "waits for no flowDeleteFn",
                                   True: "waits until every flowDeleteFn has run"},
    },
}


def key_of(value: Any) -> Any:
    """How the tables key a value: a status by its severity, a one-member set by that member."""
    if isinstance(value, NtStatus):
        return value.severity.value
    if isinstance(value, (frozenset, set)):
        return key_of(next(iter(value))) if len(value) == 1 else ("" if not value else None)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _fill(text: str, value: Any) -> str:
    return text.replace("{status}", value.name or value.hex) if isinstance(value, NtStatus) else text


def _sentence(text: str, capital: bool = True) -> str:
    text = text.strip().rstrip(".")
    return (text[0].upper() if capital else text[0]) + text[1:] + "."


def mistake(family: str, knob: str, value: Any, scenario: Any) -> Words | None:
    """(cause, fix) for a knob value that makes a driver go wrong, each ending in a period (the
    fix reads on from "Fix: "); None when the table has no words for it."""
    entry = MISTAKES.get(family, {}).get(knob, {}).get(key_of(value))
    if entry is None:
        return None
    cause, fix = entry(scenario) if callable(entry) else entry
    return _sentence(_fill(cause, value)), _sentence(_fill(fix, value), capital=False)


def trait(family: str, knob: str, value: Any) -> str | None:
    """What a clean driver with this knob value has ("has no communication server port")."""
    return TRAITS.get(family, {}).get(knob, {}).get(key_of(value))
