"""The minifilter scenario catalogue: one named entry per documented unload path, with the
outcome the documentation predicts. Tests replay every entry; notebooks show them.
``decision_space`` enumerates every combination of the original knobs that change an
outcome; ``craft_space`` is the second grid, over the knobs of the unload routine's craft
(what blocks it, what crashes later, the service stop as it really goes).
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator

from ..windows.confirm import (ANALYZE, BREAK_ON_UNLOAD, FLTKD_FILTER, FLTMC_FILTERS, FLTMC_INSTANCES, SC_QUERY,
                               STACKS_SEND_MESSAGE, STACKS_UNREGISTER, VERIFIER_POOL, VERIFIER_QUERY)
from ..windows.example import Diagnosis, Example, diagnosed
from ..windows.family import build
from ..windows.ntstatus import status
from ..windows.trace import Outcome
from .model import BUGCHECK_0XC4, BUGCHECK_0XC7, BUGCHECK_0XCE, BUGCHECK_0XD4, simulate
from .scenario import CleanupMistake, ControlDevice, Leak, MinifilterScenario, RegistrationFlag, ServerPort, Trigger

__all__ = ["MINIFILTER_EXAMPLES", "CRAFT_EXAMPLES", "decision_space", "craft_space", "STATUS_CLASSES"]


def _mf(name: str, title: str, lesson: str, expected: dict, rules: tuple[str, ...], **knobs: Any) -> Example:
    return Example(name, title, "minifilter", knobs, expected, rules, lesson, MinifilterScenario, simulate)


U, R, F, H = Outcome.UNLOADED, Outcome.REFUSED, Outcome.FAILED, Outcome.HUNG
P, B = Outcome.UNLOAD_PENDING, Outcome.BUGCHECK
DNSS = ["DO_NOT_SUPPORT_SERVICE_STOP"]
_NT_INVALID = "NTSTATUS STATUS_INVALID_DEVICE_REQUEST (0xC0000010, error)"
SC_1052 = ["[SC] ControlService FAILED 1052:", "", "The requested control is not valid for this service."]
L_REG, L_NON, L_MAN, L_OPT = "01-register-callback", "02-non-mandatory", "03-mandatory", "04-service-stop-opt-out"
L_DE, L_SHUT, L_ROUTINE = "05-driver-entry-fails", "06-shutdown", "07-unload-routine"
L_CLEANUP = "07b-cleanup-and-crashes"   # lesson 07's second half: global cleanup and the delayed crashes

_ORIGINAL_EXAMPLES: tuple[Example, ...] = (
    _mf("filterunload-success", "FilterUnload with a registered callback", L_REG,
        {"outcome": U, "callback_called": True, "callback_flags": []},
        ("callback-in-registration", "callback-notifies", "otherwise-unloaded"), trigger="FilterUnload"),
    _mf("no-callback-filterunload", "No FilterUnloadCallback: FilterUnload fails", L_REG,
        {"outcome": F, "callback_called": False, "unloaded": False},
        ("no-callback-no-unload", "silent-no-callback-status"), trigger="FilterUnload", unload_callback=False),
    _mf("no-callback-sc-stop", "No FilterUnloadCallback: sc stop fails with 1052", L_REG,
        {"outcome": F, "callback_called": False, "requester_got": "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL)"},
        ("no-callback-no-unload", "null-driverunload", "sc-stop-1052"), trigger="sc-stop", unload_callback=False),
    _mf("fltunloadfilter-success", "FltUnloadFilter from another driver", L_NON,
        {"outcome": U, "callback_flags": [], "requester_got": "NTSTATUS STATUS_SUCCESS (0x00000000)"},
        ("nonmandatory-triggers", "mandatory-flag"), trigger="FltUnloadFilter"),
    _mf("fltmc-unload-success", "fltmc unload, callback returns STATUS_SUCCESS", L_NON,
        {"outcome": U, "callback_returned": "STATUS_SUCCESS"},
        ("fltmc-calls-filterunload", "normally-success"), trigger="fltmc-unload"),
    _mf("fltmc-refused", "fltmc unload refused with STATUS_FLT_DO_NOT_DETACH", L_NON,
        {"outcome": R, "unloaded": False,
         "printed": ["Unload failed with error: 0x801f0010", "Do not detach the filter from the volume at this time."]},
        ("nonmandatory-refusal", "do-not-detach-is-error", "flt-hresult", "fltmc-output"),
        trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH"),
    _mf("filterunload-refused-warning", "A warning status refuses too (STATUS_DEVICE_BUSY)", L_NON,
        {"outcome": R, "callback_returned": "STATUS_DEVICE_BUSY"},
        ("nonmandatory-refusal", "silent-other-hresult"), trigger="FilterUnload", callback_returns="STATUS_DEVICE_BUSY"),
    _mf("fltunloadfilter-refused-error", "FltUnloadFilter gets the callback's error back", L_NON,
        {"outcome": R, "requester_got": "NTSTATUS STATUS_UNSUCCESSFUL (0xC0000001, error)"},
        ("nonmandatory-refusal", "callback-status-propagates"),
        trigger="FltUnloadFilter", callback_returns="STATUS_UNSUCCESSFUL"),
    _mf("informational-allows", "An informational status does not refuse", L_NON,
        {"outcome": U, "callback_returned": "STATUS_OBJECT_NAME_EXISTS"},
        ("informational-allows",), trigger="fltmc-unload", callback_returns="STATUS_OBJECT_NAME_EXISTS"),
    _mf("sc-stop-success", "sc stop: a mandatory unload", L_MAN,
        {"outcome": U, "mandatory": True, "callback_flags": ["FLTFL_FILTER_UNLOAD_MANDATORY"]},
        ("mandatory-triggers", "mandatory-flag", "scm-ntunloaddriver"), trigger="sc-stop"),
    _mf("sc-stop-refusal-ignored", "sc stop: STATUS_FLT_DO_NOT_DETACH is ignored", L_MAN,
        {"outcome": U, "callback_returned": "STATUS_FLT_DO_NOT_DETACH", "unloaded": True},
        ("mandatory-ignores-refusal", "silent-no-unregister"),
        trigger="sc-stop", callback_returns="STATUS_FLT_DO_NOT_DETACH"),
    _mf("net-stop-success", "net stop: also mandatory", L_MAN,
        {"outcome": U, "callback_flags": ["FLTFL_FILTER_UNLOAD_MANDATORY"]},
        ("mandatory-triggers",), trigger="net-stop"),
    _mf("controlservice-success", "ControlService(SERVICE_CONTROL_STOP) from an application", L_MAN,
        {"outcome": U, "mandatory": True}, ("mandatory-triggers",), trigger="ControlService"),
    _mf("conditional-refusal-mandatory", "Refusing whenever not mandatory (a mistake): sc stop still unloads", L_MAN,
        {"outcome": U, "callback_returned": "STATUS_SUCCESS"},
        ("mandatory-ignores-refusal", "refuse-before-teardown"),
        trigger="sc-stop", callback_returns="STATUS_FLT_DO_NOT_DETACH", refuse_only_if_not_mandatory=True),
    _mf("conditional-refusal-non-mandatory", "Refusing whenever not mandatory (a mistake): every fltmc unload is refused",
        L_NON,
        {"outcome": R, "callback_returned": "STATUS_FLT_DO_NOT_DETACH"},
        ("nonmandatory-refusal",),
        trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH", refuse_only_if_not_mandatory=True),
    _mf("opt-out-sc-stop", "DO_NOT_SUPPORT_SERVICE_STOP: sc stop fails, callback not called", L_OPT,
        {"outcome": F, "callback_called": False},
        ("do-not-support-service-stop", "failed-request-no-callback", "null-driverunload"),
        trigger="sc-stop", flags=DNSS),
    _mf("opt-out-controlservice", "DO_NOT_SUPPORT_SERVICE_STOP: ControlService fails with 1052", L_OPT,
        {"outcome": F, "requester_got": "ControlService returns FALSE; GetLastError() = 1052 (ERROR_INVALID_SERVICE_CONTROL)"},
        ("do-not-support-service-stop",), trigger="ControlService", flags=DNSS),
    _mf("opt-out-fltmc", "DO_NOT_SUPPORT_SERVICE_STOP: fltmc unload still works", L_OPT,
        {"outcome": U, "callback_called": True}, ("nonmandatory-triggers",), trigger="fltmc-unload", flags=DNSS),
    _mf("driver-entry-error-fltmc", "DriverEntry failed: fltmc unload finds no filter", L_DE,
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "callback_called": False, "unloaded": True,
         "requester_got": "HRESULT 0x801F0013"},
        ("driver-entry-failed", "fltunloadfilter-lookup"),
        trigger="fltmc-unload", driver_entry_returns="STATUS_INSUFFICIENT_RESOURCES"),
    _mf("driver-entry-error-sc-stop", "DriverEntry failed: sc stop finds the service not running", L_DE,
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "callback_called": False,
         "requester_got": "Win32 error 1062 (ERROR_SERVICE_NOT_ACTIVE)"},
        ("driver-entry-failed", "service-not-active"), trigger="sc-stop", driver_entry_returns="STATUS_UNSUCCESSFUL"),
    _mf("driver-entry-warning", "A warning from DriverEntry is a failure too", L_DE,
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "callback_called": False},
        ("driver-entry-failed", "ntstatus-severity"), trigger="FltUnloadFilter", driver_entry_returns="STATUS_DEVICE_BUSY"),
    _mf("driver-entry-informational", "An informational DriverEntry status still loads", L_DE,
        {"outcome": U, "callback_called": True}, ("ntstatus-severity",),
        trigger="FltUnloadFilter", driver_entry_returns="STATUS_OBJECT_NAME_EXISTS"),
    _mf("shutdown-with-preop", "Shutdown with an IRP_MJ_SHUTDOWN pre-operation", L_SHUT,
        {"outcome": Outcome.SHUTDOWN, "callback_called": False, "shutdown_preop_called": True},
        ("no-callback-at-shutdown", "shutdown-preop"), trigger="shutdown", shutdown_preop=True),
    _mf("shutdown-without-preop", "Shutdown without one: no shutdown work at all", L_SHUT,
        {"outcome": Outcome.SHUTDOWN, "callback_called": False, "shutdown_preop_called": False},
        ("no-callback-at-shutdown",), trigger="shutdown"),
    _mf("port-closed-first", "Server port closed before FltUnregisterFilter", L_ROUTINE,
        {"outcome": U, "instances_torn_down": 2},
        ("port-before-unregister", "unload-routine-order", "teardown-sequence"),
        trigger="sc-stop", server_port="closed-before-unregister", instances=2),
    _mf("port-left-open", "Server port left open: FltUnregisterFilter hangs", L_ROUTINE,
        {"outcome": H, "unloaded": False, "requester_got": "nothing: the request never returns"},
        ("port-before-unregister", "fltunregister-blocks"), trigger="fltmc-unload", server_port="left-open"),
    _mf("teardown-three-volumes", "Instance teardown on three volumes", L_ROUTINE,
        {"outcome": U, "instances_torn_down": 3},
        ("teardown-sequence", "teardown-reason", "query-teardown-manual-only"), trigger="FilterUnload", instances=3),
    _mf("teardown-no-callbacks", "No teardown callbacks: instances are torn down anyway", L_ROUTINE,
        {"outcome": U, "instances_torn_down": 2}, ("teardown-sequence",),
        trigger="net-stop", instances=2, teardown_callbacks=False),
    _mf("pended-io-hangs", "A pended operation never completed: teardown hangs", L_ROUTINE,
        {"outcome": H, "instances_torn_down": 0}, ("teardown-hang",), trigger="FltUnloadFilter", pended_io=True),
    _mf("no-unregister", "The unload routine forgets FltUnregisterFilter", L_ROUTINE,
        {"outcome": U}, ("silent-no-unregister",), trigger="FilterUnload", calls_unregister=False),
    _mf("other-flags-no-effect", "SUPPORT_NPFS_MSFS changes where it attaches, not how it unloads", L_REG,
        {"outcome": U}, ("registration-flags",), trigger="sc-stop", flags=["SUPPORT_NPFS_MSFS"]),
    _mf("filterunload-no-privilege", "FilterUnload without SeLoadDriverPrivilege", L_NON,
        {"outcome": F, "callback_called": False}, ("filterunload-privilege", "silent-privilege-hresult"),
        trigger="FilterUnload", caller_privileged=False),
)


DND = "STATUS_FLT_DO_NOT_DETACH"
CRAFT_EXAMPLES: tuple[Example, ...] = (
    # --- what FltUnregisterFilter (or the unload routine) waits for ------------------------------
    _mf("leak-context-hangs", "A context reference never released: the unload does not finish", L_ROUTINE,
        {"outcome": H, "unloaded": False,
         "blocked_on": "a context reference never released (FltReleaseContext)"},
        ("leaked-context-blocks", "silent-leak-wait-point", "filter-verifier-leaks"),
        trigger="fltmc-unload", leaks=["context"]),
    _mf("leak-name-information-hangs", "File name information never released (documentation silent)",
        L_ROUTINE, {"outcome": H}, ("silent-name-info-wait", "filter-verifier-leaks"),
        trigger="fltmc-unload", leaks=["name-information"]),
    _mf("leak-object-reference-hangs", "FltObjectReference without FltObjectDereference: FltUnregisterFilter waits",
        L_ROUTINE, {"outcome": H, "instances_torn_down": 1, "requester_got": "nothing: the request never returns"},
        ("object-reference-rundown", "fltunregister-blocks", "fltunregister-rundown-stack"),
        trigger="sc-stop", leaks=["object-reference"]),
    _mf("leak-open-file-hangs", "A file from FltCreateFileEx never closed (documentation silent)", L_ROUTINE,
        {"outcome": H}, ("silent-open-file-wait", "silent-leak-wait-point"), trigger="FilterUnload",
        leaks=["open-file"]),
    _mf("work-item-hangs", "A generic work item whose routine has not returned: FltUnregisterFilter waits",
        L_ROUTINE, {"outcome": H, "blocked_on": "a generic work item (FltQueueGenericWorkItem) whose routine has not "
                                               "returned"},
        ("work-item-rundown", "fltunregister-blocks"), trigger="FltUnloadFilter", leaks=["work-item"]),
    _mf("send-message-no-timeout-hangs", "FltSendMessage with no timeout to a service that never replies", L_ROUTINE,
        {"outcome": H, "callback_returned": None, "instances_torn_down": 0},
        ("send-message-no-timeout",), trigger="sc-stop", server_port="closed-before-unregister",
        send_message_wait=True),
    _mf("pended-io-drained", "InstanceTeardownStart disables its queue and completes the pended operation",
        L_ROUTINE, {"outcome": U, "instances_torn_down": 2, "blocked_on": None},
        ("teardown-start-duties", "post-op-draining", "teardown-sequence"),
        trigger="sc-stop", instances=2, pended_io=True, drains_pended_io=True),
    # --- global cleanup, and what follows when it is not done -------------------------------------
    _mf("global-cleanup-in-order", "Global cleanup in order: stop work, timers, threads, notify routines, pool",
        L_CLEANUP, {"outcome": U, "bugcheck": None, "unloaded": True},
        ("stop-new-work-first", "cleanup-order", "wait-system-threads", "remove-notify-routines"),
        trigger="sc-stop", global_resources=True),
    # (the name keeps "0xce": lessons link it; the pages leave 0xD4 and 0xCE both possible for a timer)
    _mf("timer-left-behind-bugcheck", "A timer never cancelled: bug check 0xD4 (or 0xCE) after the unload", L_CLEANUP,
        {"outcome": B, "bugcheck": BUGCHECK_0XD4, "unloaded": True,
         "requester_got": "HRESULT S_OK (0x00000000); fltmc reports no error"},
        ("bugcheck-0xd4", "bugcheck-0xce", "silent-0xce-or-0xd4", "cleanup-order"), trigger="fltmc-unload",
        global_resources=True,
        cleanup_mistakes=["timer-not-cancelled"]),
    _mf("thread-not-waited-0xce", "A system thread never waited for: bug check 0xCE", L_CLEANUP,
        {"outcome": B, "bugcheck": BUGCHECK_0XCE}, ("bugcheck-0xce", "wait-system-threads"),
        trigger="sc-stop", global_resources=True, cleanup_mistakes=["thread-not-waited"]),
    _mf("notify-routine-left-0xce", "A process-notify routine left registered: bug check 0xCE", L_CLEANUP,
        {"outcome": B, "bugcheck": BUGCHECK_0XCE}, ("remove-notify-routines", "unloaded-code-0xce"),
        trigger="net-stop", global_resources=True, cleanup_mistakes=["notify-routine-left"]),
    _mf("pool-not-freed-leak", "Pool never freed, no Driver Verifier: a silent leak", L_CLEANUP,
        {"outcome": U, "bugcheck": None}, ("pool-tracking",), trigger="sc-stop", global_resources=True,
        cleanup_mistakes=["pool-not-freed"]),
    _mf("pool-not-freed-verifier-0xc4", "Pool never freed under Driver Verifier: bug check 0xC4 (0x62) at unload",
        L_CLEANUP, {"outcome": B, "bugcheck": BUGCHECK_0XC4, "unloaded": False,
                    "requester_got": "nothing: the system stopped with bug check 0xC4"},
        ("pool-tracking",), trigger="sc-stop", global_resources=True, cleanup_mistakes=["pool-not-freed"],
        driver_verifier=True),
    _mf("timer-not-cancelled-verifier-0xc7", "A timer left behind under Driver Verifier: bug check 0xC7 at unload",
        L_CLEANUP, {"outcome": B, "bugcheck": BUGCHECK_0XC7, "unloaded": False,
                    "requester_got": "nothing: the system stopped with bug check 0xC7"},
        ("verifier-timer-0xc7",), trigger="sc-stop", global_resources=True, cleanup_mistakes=["timer-not-cancelled"],
        driver_verifier=True),
    _mf("pool-and-timer-verifier", "Pool and a timer left under Driver Verifier: which check runs first is not "
        "documented", L_CLEANUP, {"outcome": B, "bugcheck": BUGCHECK_0XC4, "unloaded": False},
        ("silent-verifier-order", "pool-tracking", "verifier-timer-0xc7"), trigger="sc-stop", global_resources=True,
        cleanup_mistakes=["pool-not-freed", "timer-not-cancelled"], driver_verifier=True),
    _mf("refusal-ignored-skips-cleanup", "Refusing a mandatory unload skips the cleanup: a bug check later",
        L_CLEANUP, {"outcome": B, "callback_returned": DND, "bugcheck": BUGCHECK_0XD4},
        ("mandatory-ignores-refusal", "bugcheck-0xd4", "silent-0xce-or-0xd4"), trigger="sc-stop", callback_returns=DND,
        global_resources=True),
    # --- conditional refusal done right (the cdo sample) ---------------------------------------------
    _mf("cdo-refusal-handle-open", "The cdo pattern: fltmc unload refused while a handle to the CDO is open", L_MAN,
        {"outcome": R, "callback_returned": DND, "instances_torn_down": 0},
        ("cdo-conditional-refusal", "refuse-before-teardown", "nonmandatory-refusal"),
        trigger="fltmc-unload", callback_returns=DND, control_device="handle-open",
        refuse_only_if_control_device_open=True),
    _mf("cdo-refusal-no-handle", "The cdo pattern: no handle open, so fltmc unload goes ahead", L_MAN,
        {"outcome": U, "callback_returned": "STATUS_SUCCESS"}, ("cdo-conditional-refusal",),
        trigger="fltmc-unload", callback_returns=DND, control_device="created",
        refuse_only_if_control_device_open=True),
    _mf("cdo-refusal-mandatory", "The cdo pattern on sc stop: mandatory, so it does not refuse (no handle open "
        "here; with one, the stop first leaves the driver unload pending)", L_MAN,
        {"outcome": U, "callback_returned": "STATUS_SUCCESS", "callback_flags": ["FLTFL_FILTER_UNLOAD_MANDATORY"]},
        ("cdo-conditional-refusal", "mandatory-ignores-refusal"), trigger="sc-stop", callback_returns=DND,
        control_device="created", refuse_only_if_control_device_open=True),
    # --- the service stop as it really goes -----------------------------------------------------------
    _mf("sc-stop-access-denied", "sc stop by a caller who is not an administrator: ERROR_ACCESS_DENIED", L_OPT,
        {"outcome": F, "callback_called": False,
         "requester_got": "Win32 error 5 (ERROR_ACCESS_DENIED); what sc prints for it is not covered by our sources"},
        ("service-stop-access",), trigger="sc-stop", caller_privileged=False),
    _mf("controlservice-dependents-1051", "ControlService while other services depend on it: 1051", L_OPT,
        {"outcome": F, "requester_got": "ControlService returns FALSE; GetLastError() = 1051 "
                                        "(ERROR_DEPENDENT_SERVICES_RUNNING)"},
        ("dependent-services-running",), trigger="ControlService", dependent_services=True),
    _mf("net-stop-dependents", "net stop with dependents running: what net does first is not covered", L_OPT,
        {"outcome": F}, ("silent-net-stop-dependents", "dependent-services-running"), trigger="net-stop",
        dependent_services=True),
    _mf("fltmc-ignores-dependents", "fltmc unload ignores service dependencies", L_OPT,
        {"outcome": U}, ("fltmc-calls-filterunload",), trigger="fltmc-unload", dependent_services=True),
    _mf("sc-stop-handle-open-pending", "sc stop with a handle open to the control device: unload pending", L_OPT,
        {"outcome": P, "unloaded": False, "callback_called": False,
         "requester_got": "success: the service is reported stopped, but the driver stays loaded (unload pending)"},
        ("unload-pending", "unload-pending-returns", "unload-pending-scm-state", "silent-unload-pending-query"),
        trigger="sc-stop", control_device="handle-open"),
    # --- a loader tool's own NtUnloadDriver: the kernel's statuses, no SCM (docs/domain-facts.md #85) ----------
    _mf("ntunload-opt-out", "NtUnloadDriver on a minifilter that opted out: STATUS_INVALID_DEVICE_REQUEST", L_OPT,
        {"outcome": F, "callback_called": False, "unloaded": False, "printed": [], "requester_got": _NT_INVALID},
        ("ntunload-direct", "ntunload-no-scm", "null-driverunload", "do-not-support-service-stop"),
        trigger="NtUnloadDriver", flags=DNSS),
    _mf("ntunload-no-callback", "NtUnloadDriver without a FilterUnloadCallback: STATUS_INVALID_DEVICE_REQUEST", L_OPT,
        {"outcome": F, "callback_called": False, "unloaded": False, "requester_got": _NT_INVALID},
        ("ntunload-direct", "null-driverunload", "no-callback-no-unload"), trigger="NtUnloadDriver",
        unload_callback=False),
    _mf("ntunload-refusal-ignored", "NtUnloadDriver is a mandatory unload too: the refusal is ignored", L_OPT,
        {"outcome": U, "callback_flags": ["FLTFL_FILTER_UNLOAD_MANDATORY"], "unloaded": True,
         "requester_got": "NTSTATUS STATUS_SUCCESS (0x00000000)"},
        ("ntunload-mandatory", "mandatory-ignores-refusal", "ntunload-no-scm"), trigger="NtUnloadDriver",
        callback_returns="STATUS_FLT_DO_NOT_DETACH"),
    _mf("ntunload-no-privilege", "NtUnloadDriver without SeLoadDriverPrivilege: STATUS_PRIVILEGE_NOT_HELD", L_OPT,
        {"outcome": F, "callback_called": False,
         "requester_got": "NTSTATUS STATUS_PRIVILEGE_NOT_HELD (0xC0000061, error)"},
        ("ntunload-privilege",), trigger="NtUnloadDriver", caller_privileged=False),
    _mf("ntunload-after-failed-load", "NtUnloadDriver after DriverEntry failed: STATUS_OBJECT_NAME_NOT_FOUND", L_OPT,
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "callback_called": False,
         "requester_got": "NTSTATUS STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034, error)"},
        ("ntunload-no-driver-object", "failed-load-io-manager"), trigger="NtUnloadDriver",
        driver_entry_returns="STATUS_UNSUCCESSFUL"),
    # --- uninstalling a driver that will not stop: sc delete (docs/domain-facts.md #84) ----------------------
    _mf("uninstall-opt-out-reboot", "sc delete after a failed sc stop: marked for deletion, 1072, gone at restart",
        L_OPT, {"outcome": F, "unloaded": False, "service_deleted": "at restart",
                "printed": [*SC_1052, "[SC] DeleteService FAILED 1072:", "",
                            "The specified service has been marked for deletion."]},
        ("delete-service-marks", "delete-service-at-restart", "delete-service-1072", "sc-delete-1072-output",
         "silent-marked-other-calls"), trigger="sc-stop", flags=DNSS, sc_delete=2),
    _mf("uninstall-hang-reboot", "sc delete while the stop hangs: the service goes only at the restart", L_OPT,
        {"outcome": H, "service_deleted": "at restart"},
        ("delete-service-at-restart", "leaked-context-blocks"), trigger="sc-stop", leaks=["context"], sc_delete=1),
    _mf("uninstall-clean", "sc delete after a clean sc stop: the entry goes at once", L_OPT,
        {"outcome": U, "service_deleted": "now"}, ("delete-service-marks",), trigger="sc-stop", sc_delete=1),
    # --- shutdown -------------------------------------------------------------------------------------
    _mf("shutdown-fast-startup", "Shut down with Fast Startup: the kernel session is hibernated", L_SHUT,
        {"outcome": Outcome.SHUTDOWN, "callback_called": False, "unloaded": False, "shutdown_preop_called": False},
        ("fast-startup-hibernates", "silent-fast-startup-shutdown"), trigger="shutdown", shutdown_preop=True,
        fast_startup=True),
)

# --- what a trace cannot say: the cause in the driver's terms, how to confirm it, the fix, the section ---
# (``unloadlab why`` prints these; tests check each scenario showing a symptom has one, and each section
# is a heading of the lesson)
_SEC_HANG = "Eight ways to hang"
_SEC_CRASH = 'The crash that comes after "unloaded"'
_HANG_CONFIRM = (STACKS_UNREGISTER, FLTKD_FILTER, FLTMC_FILTERS)
_STILL_THERE = (SC_QUERY, FLTMC_FILTERS)
_SEC_NTUNLOAD = "A loader tool's own NtUnloadDriver"
_SEC_UNINSTALL = "Uninstalling a driver that will not stop"
_DIAGNOSES: dict[str, Diagnosis] = {
    "no-callback-filterunload": Diagnosis(
        "FLT_REGISTRATION.FilterUnloadCallback is NULL, so the filter manager cannot unload the minifilter on a "
        "non-mandatory request.", (FLTMC_FILTERS,),
        "Register a FilterUnloadCallback that closes the ports, calls FltUnregisterFilter and returns "
        "STATUS_SUCCESS.", "A minifilter without a FilterUnloadCallback"),
    "no-callback-sc-stop": Diagnosis(
        "No FilterUnloadCallback: the filter manager leaves DriverUnload NULL, NtUnloadDriver refuses with "
        "STATUS_INVALID_DEVICE_REQUEST and sc reports 1052.", _STILL_THERE,
        "Register a FilterUnloadCallback in FLT_REGISTRATION.", "A service stop fails too"),
    "fltmc-refused": Diagnosis(
        "FilterUnloadCallback returns STATUS_FLT_DO_NOT_DETACH on a non-mandatory unload, so the filter manager "
        "keeps the filter and fltmc prints the HRESULT 0x801F0010.", (FLTMC_FILTERS, FLTMC_INSTANCES),
        "Refuse only while the driver really cannot go (e.g. a handle to its control device is open), and "
        "return STATUS_SUCCESS otherwise.", "`fltmc unload`, refused"),
    "filterunload-refused-warning": Diagnosis(
        "FilterUnloadCallback returns a warning (STATUS_DEVICE_BUSY): NT_SUCCESS is false for a warning, so it "
        "refuses the unload just as an error does.", (FLTMC_FILTERS,),
        "Return STATUS_SUCCESS to allow the unload; refuse on purpose with STATUS_FLT_DO_NOT_DETACH.",
        "The two severity bits"),
    "fltunloadfilter-refused-error": Diagnosis(
        "FilterUnloadCallback returns an error, and FltUnloadFilter hands that same status back to the driver "
        "that asked.", (FLTMC_FILTERS,),
        "Return STATUS_SUCCESS unless the minifilter must stay; the caller should check what FltUnloadFilter "
        "returns.", "What each requester gets back"),
    "informational-allows": Diagnosis(
        "FilterUnloadCallback returns an informational status (STATUS_OBJECT_NAME_EXISTS): NT_SUCCESS is true, "
        "so it does not refuse and the minifilter unloads.", (FLTMC_FILTERS,),
        "To refuse, return an error such as STATUS_FLT_DO_NOT_DETACH; to allow, STATUS_SUCCESS says it plainly.",
        "An informational status does not refuse"),
    "sc-stop-refusal-ignored": Diagnosis(
        "sc stop asks for a mandatory unload (FLTFL_FILTER_UNLOAD_MANDATORY): the callback's "
        "STATUS_FLT_DO_NOT_DETACH is ignored and the minifilter is unloaded anyway.", (SC_QUERY, FLTMC_FILTERS),
        "On a mandatory unload never refuse: tear everything down and return STATUS_SUCCESS.",
        "`sc stop`, and a callback that refuses"),
    "conditional-refusal-non-mandatory": Diagnosis(
        "The callback refuses whenever FLTFL_FILTER_UNLOAD_MANDATORY is not set, so every fltmc unload is "
        "refused with 0x801F0010.", (FLTMC_FILTERS,),
        "Refuse only for a real reason (the cdo pattern: a handle to the control device is open), not because "
        "the unload is not mandatory.", "A mistake: refusing because the unload is not mandatory"),
    "opt-out-sc-stop": Diagnosis(
        "FLT_REGISTRATION.Flags has FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP: DriverUnload stays NULL, "
        "NtUnloadDriver refuses and sc reports 1052; the callback is not called.", _STILL_THERE,
        "Unload it with fltmc unload (which still works), or drop the flag if service stop should unload it.",
        "`sc stop` on a minifilter that opted out"),
    "opt-out-controlservice": Diagnosis(
        "DO_NOT_SUPPORT_SERVICE_STOP: ControlService(SERVICE_CONTROL_STOP) returns FALSE and GetLastError() is "
        "1052.", _STILL_THERE,
        "Call FilterUnload (fltmc unload) instead, or drop the flag.", "`sc stop` on a minifilter that opted out"),
    "driver-entry-error-fltmc": Diagnosis(
        "DriverEntry failed, so the I/O manager already unloaded the image: fltmc unload finds no filter of "
        "that name (0x801F0013).", (SC_QUERY, FLTMC_FILTERS),
        "Find why DriverEntry failed (the status it returned) and clean up on its failure path; nothing is "
        "left to unload.", "What every later request gets"),
    "driver-entry-error-sc-stop": Diagnosis(
        "DriverEntry failed, so the service never started: sc stop gets 1062 (ERROR_SERVICE_NOT_ACTIVE).",
        (SC_QUERY,), "Find why DriverEntry failed; the failure path must undo what it did, since no unload "
        "routine runs.", "A failed DriverEntry, then `sc stop`"),
    "driver-entry-warning": Diagnosis(
        "DriverEntry returned a warning (STATUS_DEVICE_BUSY): NT_SUCCESS is false, so the load failed and later "
        "requests find no filter.", (SC_QUERY, FLTMC_FILTERS),
        "Return STATUS_SUCCESS from DriverEntry when it succeeds; a warning is a failure.",
        "Severity decides, not the name"),
    "driver-entry-informational": Diagnosis(
        "DriverEntry returned an informational status: NT_SUCCESS is true, so the driver loaded and unloads "
        "normally.", (FLTMC_FILTERS,), "Nothing to fix; STATUS_SUCCESS says it more plainly.",
        "Severity decides, not the name"),
    "shutdown-with-preop": Diagnosis(
        "At shutdown the filter manager does not call FilterUnloadCallback; only the IRP_MJ_SHUTDOWN "
        "pre-operation the minifilter registered runs.", (BREAK_ON_UNLOAD,),
        "Do shutdown work in an IRP_MJ_SHUTDOWN pre-operation, not in the unload callback.",
        "The same driver, with an IRP_MJ_SHUTDOWN pre-operation"),
    "shutdown-without-preop": Diagnosis(
        "At shutdown FilterUnloadCallback is not called, and without an IRP_MJ_SHUTDOWN pre-operation the "
        "minifilter does no shutdown work at all.", (BREAK_ON_UNLOAD,),
        "Register an IRP_MJ_SHUTDOWN pre-operation for work that must happen at shutdown.",
        "Shutdown without a pre-operation"),
    "port-left-open": Diagnosis(
        "The unload routine calls FltUnregisterFilter while its communication server port is still open, and "
        "FltUnregisterFilter waits for it.", _HANG_CONFIRM,
        "Call FltCloseCommunicationPort before FltUnregisterFilter.", _SEC_HANG),
    "pended-io-hangs": Diagnosis(
        "An operation the minifilter pended is never completed, so instance teardown, and the unload, waits "
        "for it.", _HANG_CONFIRM,
        "In InstanceTeardownStart disable the queue and complete every pended operation.", _SEC_HANG),
    "filterunload-no-privilege": Diagnosis(
        "The caller of FilterUnload lacks SeLoadDriverPrivilege (it is not an elevated administrator); the "
        "HRESULT it gets is not documented (0x80070522 is inferred).", (FLTMC_FILTERS,),
        "Run the unloading tool elevated, as an administrator.", "When the caller is not an administrator"),
    "leak-context-hangs": Diagnosis(
        "A context reference is never released (FltReleaseContext missing on some path), so the unload waits "
        "for it.", (FLTKD_FILTER, STACKS_UNREGISTER, VERIFIER_QUERY),
        "Release every context reference from FltAllocateContext, FltGetXxxContext and FltReferenceContext, on "
        "error paths too.", _SEC_HANG),
    "leak-name-information-hangs": Diagnosis(
        "File name information from FltGetFileNameInformation is never released "
        "(FltReleaseFileNameInformation); whether that keeps the unload waiting is not documented.",
        (FLTKD_FILTER, STACKS_UNREGISTER, VERIFIER_QUERY),
        "Call FltReleaseFileNameInformation for every name information the minifilter got.", _SEC_HANG),
    "leak-object-reference-hangs": Diagnosis(
        "FltObjectReference without FltObjectDereference: FltUnregisterFilter waits for the rundown reference "
        "to be dropped.", _HANG_CONFIRM,
        "Pair every FltObjectReference with FltObjectDereference.", _SEC_HANG),
    "leak-open-file-hangs": Diagnosis(
        "A file opened with FltCreateFileEx is never closed with FltClose; where the unload then waits is not "
        "documented.", _HANG_CONFIRM, "Close every file the minifilter opened (FltClose) before it unloads.",
        _SEC_HANG),
    "work-item-hangs": Diagnosis(
        "A generic work item (FltQueueGenericWorkItem) whose routine has not returned: FltUnregisterFilter "
        "waits for it.", _HANG_CONFIRM,
        "Make queued work finish (or not start) before unloading; do not block in a work item.", _SEC_HANG),
    "send-message-no-timeout-hangs": Diagnosis(
        "The unload routine calls FltSendMessage with no timeout to a user-mode service that never replies, "
        "so it never returns.", (STACKS_SEND_MESSAGE, STACKS_UNREGISTER),
        "Give FltSendMessage a timeout in the unload path, or do not send from it; close the port first.",
        _SEC_HANG),
    "timer-left-behind-bugcheck": Diagnosis(
        "A timer is never cancelled: its DPC fires after the image is gone and the system stops with 0xD4 "
        "(or 0xCE; the pages leave both possible).", (ANALYZE,),
        "In the unload routine cancel the timer (KeCancelTimer) and flush its DPCs before freeing anything.",
        _SEC_CRASH),
    "thread-not-waited-0xce": Diagnosis(
        "The unload routine does not wait for the system thread it created, which then runs unloaded code: "
        "bug check 0xCE.", (ANALYZE,),
        "Tell the thread to stop, then wait on its thread object before returning.", _SEC_CRASH),
    "notify-routine-left-0xce": Diagnosis(
        "A process-notify routine stays registered after the unload; the next process creation calls into "
        "freed code: bug check 0xCE.", (ANALYZE,),
        "Remove every notify routine (PsSetCreateProcessNotifyRoutineEx with Remove TRUE) in the unload "
        "routine.", _SEC_CRASH),
    "pool-not-freed-verifier-0xc4": Diagnosis(
        "Pool the driver allocated is never freed; with Driver Verifier's Pool Tracking on, the unload stops "
        "the system with 0xC4, parameter 1 = 0x62.", (ANALYZE, VERIFIER_QUERY, VERIFIER_POOL),
        "Free every allocation in the unload routine (after the work that uses it has stopped).",
        "Pool: a silent leak, or 0xC4 under Driver Verifier"),
    "timer-not-cancelled-verifier-0xc7": Diagnosis(
        "A timer is never cancelled; with Driver Verifier on, the unload finds the timer still queued in the "
        "image and stops the system with 0xC7 before the DPC can fire.", (ANALYZE, VERIFIER_QUERY),
        "In the unload routine cancel the timer (KeCancelTimer) and flush its DPCs before freeing anything.",
        "Pool: a silent leak, or 0xC4 under Driver Verifier"),
    "pool-and-timer-verifier": Diagnosis(
        "Pool is never freed and a timer is never cancelled; under Driver Verifier either check can stop the "
        "system at unload (0xC4 with 0x62, or 0xC7), and no page says which runs first.",
        (ANALYZE, VERIFIER_QUERY, VERIFIER_POOL),
        "Cancel the timer and flush its DPCs, then free every allocation, in the unload routine.",
        "Pool: a silent leak, or 0xC4 under Driver Verifier"),
    "refusal-ignored-skips-cleanup": Diagnosis(
        "The callback refuses a mandatory unload and skips its cleanup; the refusal is ignored, the image "
        "unloads, and what it left running crashes the system later.", (ANALYZE,),
        "On a mandatory unload always clean up and return STATUS_SUCCESS.", "A refusal the unload ignores"),
    "cdo-refusal-handle-open": Diagnosis(
        "The cdo pattern: the callback refuses a non-mandatory unload while a handle to its control device is "
        "open, so fltmc gets 0x801F0010.", (FLTMC_FILTERS,),
        "Close the application's handle to the control device, then unload again.",
        "Conditional refusal done right: the cdo pattern"),
    "sc-stop-access-denied": Diagnosis(
        "The caller is not an administrator: its handle lacks SERVICE_STOP, so the SCM refuses with "
        "ERROR_ACCESS_DENIED (5) before anything reaches the driver.", (SC_QUERY,),
        "Stop the service from an elevated administrator prompt.", "A caller who may not stop the service"),
    "controlservice-dependents-1051": Diagnosis(
        "Other running services depend on this one, so the SCM does not pass the stop on: 1051.", (SC_QUERY,),
        "Stop the dependent services first (sc enumdepend <service> lists them).",
        "A service that others depend on"),
    "net-stop-dependents": Diagnosis(
        "net stop while dependent services run: the stop itself fails with 1051; what net does first is not "
        "covered by our sources.", (SC_QUERY,), "Stop the dependent services first.",
        "A service that others depend on"),
    "sc-stop-handle-open-pending": Diagnosis(
        "A handle to the minifilter's control device is still open, so the I/O manager marks the unload "
        "pending: the stop reports success but the image stays until the last handle closes.",
        (SC_QUERY, FLTMC_FILTERS), "Close every handle to the control device (the application first), or "
        "refuse a non-mandatory unload while one is open (the cdo pattern).",
        "A handle still open: unload pending"),
    "ntunload-opt-out": Diagnosis(
        "A loader tool calls NtUnloadDriver on a minifilter that set FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP: "
        "DriverUnload is NULL, so the kernel returns STATUS_INVALID_DEVICE_REQUEST to the tool itself (no SCM, "
        "so no 1052).", (FLTMC_FILTERS,), "Unload a minifilter with FltUnloadFilter, FilterUnload or fltmc unload "
        "(the ZwUnloadDriver page says so); or drop the opt-out flag if service stops must work.", _SEC_NTUNLOAD),
    "ntunload-no-callback": Diagnosis(
        "A loader tool calls NtUnloadDriver on a minifilter that registers no FilterUnloadCallback: DriverUnload is "
        "NULL, so the tool gets STATUS_INVALID_DEVICE_REQUEST.", (FLTMC_FILTERS,),
        "Register a FilterUnloadCallback in FLT_REGISTRATION; unload minifilters with FltUnloadFilter or fltmc.",
        _SEC_NTUNLOAD),
    "ntunload-refusal-ignored": Diagnosis(
        "NtUnloadDriver reaches the filter manager's DriverUnload just as sc stop does, so the unload is "
        "mandatory and the callback's STATUS_FLT_DO_NOT_DETACH is ignored (ReactOS's filter manager; the pages "
        "name only service stops).", (FLTMC_FILTERS, BREAK_ON_UNLOAD),
        "On a mandatory unload tear everything down; to let the minifilter refuse, ask with FltUnloadFilter or "
        "fltmc unload, which are not mandatory.", _SEC_NTUNLOAD),
    "ntunload-no-privilege": Diagnosis(
        "The loader tool runs without SeLoadDriverPrivilege (not elevated), so NtUnloadDriver fails with "
        "STATUS_PRIVILEGE_NOT_HELD before the driver is looked up (ReactOS's IopUnloadDriver).", (FLTMC_FILTERS,),
        "Run the tool from an elevated administrator prompt; it must enable SeLoadDriverPrivilege first.",
        _SEC_NTUNLOAD),
    "ntunload-after-failed-load": Diagnosis(
        "DriverEntry failed, so no driver object of that name exists: the loader tool's NtUnloadDriver fails the "
        "lookup with STATUS_OBJECT_NAME_NOT_FOUND (ReactOS's IopUnloadDriver).", (FLTMC_FILTERS, SC_QUERY),
        "Find why DriverEntry fails; there is nothing to unload.", _SEC_NTUNLOAD),
    "uninstall-opt-out-reboot": Diagnosis(
        "The stop failed (the minifilter opted out of service stop, so sc reports 1052) and the uninstaller ran "
        "sc delete anyway: the service is only marked for deletion, a second sc delete gets 1072, and the driver "
        "goes at the next restart.", _STILL_THERE,
        "Unload the driver before deleting its service (for a minifilter that opted out: fltmc unload), or accept "
        "the restart; find why the stop failed first.", _SEC_UNINSTALL),
    "uninstall-hang-reboot": Diagnosis(
        "The stop hangs in FltUnregisterFilter (a leaked context reference), so the service still counts as "
        "running: sc delete only marks it, and the driver goes at the next restart.",
        (STACKS_UNREGISTER, SC_QUERY), "Release every reference before FltUnregisterFilter (here: FltReleaseContext); "
        "the uninstall then needs no restart.", _SEC_UNINSTALL),
    "shutdown-fast-startup": Diagnosis(
        "With Fast Startup, Shut down hibernates the kernel session: the driver stays loaded, no unload runs, "
        "and whether its shutdown pre-operation is called is not documented.", (BREAK_ON_UNLOAD,),
        "Do not rely on shutdown to reset the driver's state; a restart reloads it.",
        'Fast Startup: a "Shut down" that keeps the drivers'),
}

MINIFILTER_EXAMPLES: tuple[Example, ...] = diagnosed(_ORIGINAL_EXAMPLES + CRAFT_EXAMPLES, _DIAGNOSES)

# One representative status per severity class, plus the conventional refusal.
STATUS_CLASSES = {
    "success": status("STATUS_SUCCESS"),
    "informational": status("STATUS_OBJECT_NAME_EXISTS"),
    "warning": status("STATUS_DEVICE_BUSY"),
    "error": status("STATUS_FLT_DO_NOT_DETACH"),
}


def decision_space() -> Iterator[MinifilterScenario]:
    """Every trigger x callback (none, or each status class, refusing always or only when
    not mandatory) x service-stop opt-out x DriverEntry (success, warning, error) x
    shutdown pre-op x caller privilege x server port x instance teardown. A direct NtUnloadDriver
    takes the service stop's path after its own checks, so it is crossed with what decides
    those only (callback, opt-out, DriverEntry, privilege): the grid grows by under 1%."""
    callbacks = [dict(unload_callback=False)] + [
        dict(callback_returns=st, refuse_only_if_not_mandatory=cond)
        for st in STATUS_CLASSES.values() for cond in ((False, True) if not st.nt_success else (False,))]
    driver_entry = [STATUS_CLASSES["success"], STATUS_CLASSES["warning"], status("STATUS_UNSUCCESSFUL")]
    # Teardown without callbacks differs only in step wording; the catalogue and the
    # property tests cover it, so the exhaustive grid leaves it out.
    teardown = [dict(instances=0), dict(instances=2), dict(instances=1, pended_io=True)]
    flag_sets = (frozenset(), frozenset({RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP}))
    for cb, flags, de, priv in itertools.product(callbacks, flag_sets, driver_entry, (True, False)):
        yield build(MinifilterScenario, dict(trigger=Trigger.NT_UNLOAD_DRIVER, flags=flags, driver_entry_returns=de,
                                             caller_privileged=priv, **cb))
    for trig, cb, flags, de, preop, priv, port, td in itertools.product(
            [t for t in Trigger if t is not Trigger.NT_UNLOAD_DRIVER], callbacks, (frozenset(), frozenset({RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP})),
            driver_entry, (False, True), (True, False), ServerPort, teardown):
        yield build(MinifilterScenario, dict(trigger=trig, flags=flags, driver_entry_returns=de,
                                             shutdown_preop=preop, caller_privileged=priv, server_port=port,
                                             **cb, **td))


# The second grid: the craft knobs, each family of them crossed with every request, caller
# and service setting, but not with each other (a hang already stops the cleanup).
_REFUSALS = (  # (callback_returns, control device, the cdo refusal)
    ("STATUS_SUCCESS", ControlDevice.NONE, False), ("STATUS_FLT_DO_NOT_DETACH", ControlDevice.NONE, False),
    ("STATUS_SUCCESS", ControlDevice.CREATED, False), ("STATUS_SUCCESS", ControlDevice.HANDLE_OPEN, False),
    ("STATUS_FLT_DO_NOT_DETACH", ControlDevice.CREATED, True),
    ("STATUS_FLT_DO_NOT_DETACH", ControlDevice.HANDLE_OPEN, True),
)
_CRAFT_VARIANTS = (
    [{}]
    + [dict(leaks=frozenset({leak}), instances=1) for leak in Leak]
    + [dict(leaks=frozenset(Leak), instances=2), dict(leaks=frozenset({Leak.CONTEXT}), server_port=ServerPort.LEFT_OPEN)]
    + [dict(send_message_wait=True, server_port=ServerPort.CLOSED_FIRST)]
    + [dict(pended_io=True, drains_pended_io=True, instances=2), dict(drains_pended_io=True, instances=1)]
    + [dict(global_resources=True, cleanup_mistakes=frozenset(m), driver_verifier=v)
       for m in ((), *({c} for c in CleanupMistake), tuple(CleanupMistake)) for v in (False, True)]
)


def craft_space() -> Iterator[MinifilterScenario]:
    """Every trigger x caller privilege x dependent services x refusal style (plain, the
    cdo sample's, with or without a control device and an open handle) x one craft variant
    (a leak, all leaks, FltSendMessage without timeout, a drained queue, global cleanup with
    each mistake, with and without Driver Verifier), plus Fast Startup at shutdown, plus sc delete
    (once, twice) after every request and each kind of ending."""
    for trig, priv, deps, (returns, device, cdo), variant in itertools.product(
            Trigger, (True, False), (False, True), _REFUSALS, _CRAFT_VARIANTS):
        yield build(MinifilterScenario, dict(trigger=trig, caller_privileged=priv, dependent_services=deps,
                                             callback_returns=status(returns), control_device=device,
                                             refuse_only_if_control_device_open=cdo, **variant))
    for preop in (False, True):
        yield MinifilterScenario(trigger=Trigger.SHUTDOWN, shutdown_preop=preop, fast_startup=True)
    # sc delete afterwards, after each request and each kind of ending (unloaded, refused, failed, hung, crashed)
    endings = ({}, dict(callback_returns=status("STATUS_FLT_DO_NOT_DETACH")), dict(flags=frozenset(
        {RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP})), dict(leaks=frozenset({Leak.CONTEXT})),
        dict(global_resources=True, cleanup_mistakes=frozenset({CleanupMistake.TIMER})),
        dict(control_device=ControlDevice.HANDLE_OPEN), dict(driver_entry_returns=status("STATUS_UNSUCCESSFUL")))
    for trig, ending, times in itertools.product([t for t in Trigger if t is not Trigger.SHUTDOWN], endings, (1, 2)):
        yield build(MinifilterScenario, dict(trigger=trig, sc_delete=times, **ending))
