"""Catalogue entries of the WFP callout driver family: one named entry per documented
unload path, with the outcome the documentation predicts. ``unloadlab.catalogue`` adds
them to the minifilter entries; tests replay every one.

Two lessons use them: ``LESSON`` (08: the unload function, how a stop reaches it, the
KMDF PnP contrast, shutdown) and ``TEARDOWN_LESSON`` (08b: the teardown done right, in
order, and what goes wrong when a step is missing or moved). Entries that are not about a
mistake in the teardown use the canonical teardown (``CANONICAL``), so the C they show
carries no bug.

``decision_space`` enumerates the knob combinations that matter (the minifilter's is in its
``scenarios`` too; the shells reach either through the family's record).
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator

from ..windows.confirm import BREAK_ON_UNLOAD, NETSH_FILTERS, NETSH_STATE, SC_QUERY
from ..windows.example import Diagnosis, Example, diagnosed
from ..windows.ntstatus import status
from ..windows.trace import Outcome
from .model import NOT_DOCUMENTED, STATUS_NOT_SUPPORTED, simulate
from .scenario import (CANONICAL, CalloutScenario, CalloutTrigger, ContextRemoval, DriverModel, FilterRemoval,
                       FlowRemoval, UnregisterPlace)

__all__ = ["CALLOUT_EXAMPLES", "LESSON", "TEARDOWN_LESSON", "decision_space"]

LESSON = "08-wfp-callout"
TEARDOWN_LESSON = "08b-wfp-teardown"
U, F, HZ = Outcome.UNLOADED, Outcome.FAILED, Outcome.HAZARD
OK, BUSY = "STATUS_SUCCESS", "STATUS_DEVICE_BUSY"
STOPPED = "success: the service is stopped"
REMOVED = "the device is removed and the driver unloaded"
ERR_1052 = "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL)"
NT_INVALID = "NTSTATUS STATUS_INVALID_DEVICE_REQUEST (0xC0000010, error)"
SC_1052 = ["[SC] ControlService FAILED 1052:", "", "The requested control is not valid for this service."]


def _co(name: str, title: str, expected: dict, rules: tuple[str, ...], lesson: str = LESSON,
        **knobs: Any) -> Example:
    return Example(name, title, "callout", knobs, expected, rules, lesson, CalloutScenario, simulate)


def _canon(name: str, title: str, expected: dict, rules: tuple[str, ...], lesson: str = LESSON,
           **knobs: Any) -> Example:
    """An entry whose teardown is the canonical one, whatever else it shows."""
    return _co(name, title, expected, rules, lesson, **{**CANONICAL, **knobs})


_BASICS: tuple[Example, ...] = (
    # --- the seed: an unload function, named the WDM way or the WDF way -----------------------
    _canon("wfp-wdm-clean-unload", "WDM: sc stop calls Unload, which unregisters every callout",
           {"outcome": U, "unloaded": True, "unload_function_called": True, "callouts_registered": 0,
            "unregister_results": [OK, OK], "requester_got": STOPPED, "traffic_after_unload": None},
           ("wfp-wdm-driverunload", "wfp-unload-called-on-unload", "wfp-unregister-by-id",
            "wfp-unload-deletes-device", "scm-ntunloaddriver"), model="wdm"),
    _canon("wfp-wdf-clean-unload", "WDF non-PnP: the framework's DriverUnload calls EvtDriverUnload",
           {"outcome": U, "driver_unload_called": True, "unload_function_called": True, "callouts_registered": 0},
           ("wfp-wdf-evtdriverunload", "wfp-wdf-nonpnp", "callout-kmdf-nonpnp-needs-evt",
            "callout-kmdf-unload-order", "callout-kmdf-deletes-control-device"), model="wdf"),
    _canon("wfp-wdm-no-unload-function", "WDM without an Unload routine: sc stop fails with 1052",
           {"outcome": F, "unloaded": False, "driver_unload_set": False, "unload_function_called": False,
            "callouts_registered": 2, "requester_got": ERR_1052, "printed": SC_1052},
           ("wfp-no-unload-function", "null-driverunload", "sc-stop-1052", "mandatory-triggers"),
           model="wdm", unload_function=False),
    _canon("wfp-wdf-no-evtdriverunload", "WDF non-PnP without EvtDriverUnload: DriverUnload stays NULL, 1052",
           {"outcome": F, "driver_unload_set": False, "driver_unload_called": False, "requester_got": ERR_1052},
           ("callout-kmdf-nonpnp-needs-evt", "wfp-no-unload-function", "null-driverunload"),
           model="wdf", unload_function=False),
    _canon("wfp-controlservice-no-unload", "ControlService on a driver without Unload: FALSE and 1052",
           {"outcome": F, "requester_got": "ControlService returns FALSE; GetLastError() = 1052 "
                                           "(ERROR_INVALID_SERVICE_CONTROL)", "printed": []},
           ("null-driverunload", "sc-stop-1052"), model="wdm", unload_function=False, trigger="ControlService"),
    _canon("wfp-net-stop-clean", "net stop takes the same path as sc stop",
           {"outcome": U, "mandatory": True, "caller": "net.exe"},
           ("mandatory-triggers", "scm-ntunloaddriver"), model="wdf", trigger="net-stop"),
    _canon("wfp-sc-stop-access-denied", "sc stop from a user without SERVICE_STOP access: error 5, nothing runs",
           {"outcome": F, "driver_unload_called": False, "callouts_registered": 2,
            "requester_got": "Win32 error 5 (ERROR_ACCESS_DENIED)"},
           ("service-stop-access",), model="wdm", caller_privileged=False),
    _canon("wfp-dependents-running", "ControlService while other services depend on the driver: 1051",
           {"outcome": F, "driver_unload_called": False,
            "requester_got": "ControlService returns FALSE; GetLastError() = 1051 "
                             "(ERROR_DEPENDENT_SERVICES_RUNNING)"},
           ("dependent-services-running",), model="wdf", trigger="ControlService", dependent_services=True),
    _canon("wfp-ntunload-no-unload-function", "WDM without an Unload routine: NtUnloadDriver gets "
           "STATUS_INVALID_DEVICE_REQUEST", {"outcome": F, "unload_function_called": False, "callouts_registered": 2,
                                             "printed": [], "requester_got": NT_INVALID},
           ("ntunload-direct", "null-driverunload", "wfp-no-unload-function"), model="wdm", unload_function=False,
           trigger="NtUnloadDriver"),
    # --- the KMDF PnP contrast (domain-facts #39, #80, open question 11) ------------------------
    _canon("wfp-wdf-pnp-sc-stop", "KMDF PnP: a service stop cannot unload a PnP driver",
           {"outcome": F, "driver_unload_set": True, "driver_unload_called": False, "requester_got": ERR_1052},
           ("callout-kmdf-pnp-always-unload", "callout-kmdf-pnp-adddevice", "callout-ntunload-refuses-pnp"),
           model="wdf-pnp", unregister_in="self-managed-io-cleanup"),
    _canon("wfp-ntunload-pnp", "KMDF PnP: a loader tool's NtUnloadDriver gets STATUS_INVALID_DEVICE_REQUEST",
           {"outcome": F, "driver_unload_called": False, "printed": [], "requester_got": NT_INVALID},
           ("ntunload-direct", "ntunload-no-scm", "callout-ntunload-refuses-pnp"),
           model="wdf-pnp", unregister_in="self-managed-io-cleanup", trigger="NtUnloadDriver"),
    _canon("wfp-uninstall-pnp-reboot", "KMDF PnP: sc delete after sc stop fails: marked for deletion, 1072",
           {"outcome": F, "service_deleted": "at restart",
            "printed": SC_1052 + ["[SC] DeleteService FAILED 1072:", "", "The specified service has been marked for "
                                  "deletion."]},
           ("delete-service-marks", "delete-service-at-restart", "delete-service-1072"),
           model="wdf-pnp", unregister_in="self-managed-io-cleanup", sc_delete=2),
    _canon("wfp-wdf-pnp-no-evtdriverunload", "KMDF PnP without EvtDriverUnload still unloads, but nothing "
           "unregisters", {"outcome": HZ, "unloaded": None, "image_unloaded": None, "driver_unload_called": True,
                           "unload_function_called": False, "callouts_registered": 2},
           ("callout-kmdf-pnp-always-unload", "callout-pnp-unload-after-removal", "wfp-unload-must-unregister"),
           model="wdf-pnp", unload_function=False, trigger="device-removal", unregister_in="unload-function"),
    _canon("wfp-wdf-pnp-removal-clean", "KMDF PnP: EvtDeviceSelfManagedIoCleanup unregisters before the device "
           "goes", {"outcome": U, "unload_function_called": True, "callouts_registered": 0, "requester_got": REMOVED},
           ("callout-kmdf-self-managed-io-cleanup", "wfp-unregister-before-device-delete",
            "callout-pnp-unload-after-removal", "callout-kmdf-unload-order"),
           model="wdf-pnp", trigger="device-removal", unregister_in="self-managed-io-cleanup"),
    _canon("wfp-wdf-pnp-unregister-too-late", "KMDF PnP unregistering in EvtDriverUnload: the device is gone first",
           {"outcome": U, "unload_function_called": True, "callouts_registered": 0},
           ("wfp-unregister-before-device-delete", "callout-silent-pnp-device-removed",
            "callout-pnp-unload-after-removal"), model="wdf-pnp", trigger="device-removal",
           unregister_in="unload-function"),
    # --- no unload function call at all --------------------------------------------------------
    _canon("wfp-driver-entry-fails", "DriverEntry fails: it unregisters its own callouts; no unload function runs",
           {"outcome": Outcome.DRIVER_ENTRY_FAILED, "unloaded": True, "unload_function_called": False,
            "callouts_registered": 0, "requester_got": "Win32 error 1062 (ERROR_SERVICE_NOT_ACTIVE)"},
           ("callout-no-unload-after-failed-entry", "wfp-sample-failed-entry-cleanup",
            "wfp-silent-failed-entry-callouts", "service-not-active"),
           model="wdf", driver_entry_returns="STATUS_INSUFFICIENT_RESOURCES"),
    _canon("wfp-driver-entry-warning", "A warning from DriverEntry is a failure too",
           {"outcome": Outcome.DRIVER_ENTRY_FAILED, "unload_function_called": False},
           ("ntstatus-severity", "callout-no-unload-after-failed-entry"),
           model="wdm", trigger="net-stop", driver_entry_returns="STATUS_DEVICE_BUSY"),
    _canon("wfp-shutdown-wdm", "Shutdown: no Unload, no IRP_MJ_SHUTDOWN unless asked for; callouts stay",
           {"outcome": Outcome.SHUTDOWN, "unloaded": False, "unload_function_called": False,
            "callouts_registered": 2, "mandatory": False},
           ("callout-no-unload-at-shutdown", "shutdown-needs-registration", "wfp-silent-shutdown"),
           model="wdm", trigger="shutdown"),
    _canon("wfp-shutdown-wdf", "Shutdown under KMDF: no EvtDriverUnload either",
           {"outcome": Outcome.SHUTDOWN, "driver_unload_called": False, "unload_function_called": False},
           ("callout-no-unload-at-shutdown", "callout-kmdf-unload-order"), model="wdf", trigger="shutdown"),
)

T = TEARDOWN_LESSON
_TEARDOWN: tuple[Example, ...] = (
    # --- the canonical teardown, everything in flight -------------------------------------------
    _canon("wfp-wdm-unload-done-right", "WDM: the whole teardown, in order, with work and flows in flight",
           {"outcome": U, "unregister_results": [OK, OK], "flow_contexts_remaining": 0, "flow_delete_calls": 3,
            "filters_remaining": 0, "traffic_after_unload": None, "image_unloaded": True},
           ("wfp-stop-new-work", "wfp-filters-before-callouts", "wfp-dynamic-session-filters", "wfp-rundown-wait",
            "wfp-wait-worker-thread", "wfp-wait-flow-deletes", "wfp-unregister-success",
            "wfp-injection-destroy-waits", "wfp-unregister-before-device-delete"), T,
           model="wdm", flows_with_context=3, flow_removal="pending", classify_in_progress=True),
    _canon("wfp-wdf-unload-done-right", "KMDF non-PnP: the same teardown in EvtDriverUnload",
           {"outcome": U, "unregister_results": [OK, OK, OK], "flow_delete_calls": 4},
           ("wfp-stop-new-work", "wfp-filters-before-callouts", "wfp-wait-flow-deletes",
            "callout-kmdf-deletes-control-device"), T, model="wdf", callouts=3, flows_with_context=4),
    # --- flow contexts -------------------------------------------------------------------------
    _canon("wfp-flows-busy-doc-retry", "Flows keep contexts: STATUS_DEVICE_BUSY, remove them, unregister again",
           {"outcome": U, "unregister_results": [BUSY, OK, BUSY, OK], "flow_contexts_remaining": 0,
            "flow_delete_calls": 3, "callouts_registered": 0},
           ("wfp-unregister-busy", "wfp-device-busy-is-warning", "wfp-busy-recovery", "wfp-flow-remove-context",
            "wfp-flow-delete-fn"), T, model="wdm", flows_with_context=3, remove_flow_contexts="on-device-busy"),
    _canon("wfp-flows-removed-first", "Contexts removed before unregistering, as ddproxy and msnmntr do",
           {"outcome": U, "unregister_results": [OK, OK], "flow_delete_calls": 3},
           ("wfp-sample-remove-contexts-first", "wfp-flow-remove-context", "wfp-unregister-success"), T,
           model="wdf", flows_with_context=3),
    _canon("wfp-pending-removal", "The removal pends and nothing waits: what the retry returns is not documented",
           {"outcome": U, "unregister_results": [BUSY, NOT_DOCUMENTED], "flow_delete_calls": 2},
           ("wfp-silent-pending-unregister", "wfp-flow-remove-context", "wfp-busy-recovery",
            "wfp-wait-flow-deletes"), T, model="wdm", callouts=1, flows_with_context=2,
           remove_flow_contexts="on-device-busy", flow_removal="pending", waits_for_flow_deletes=False),
    _canon("wfp-pending-removal-waited", "The removal pends, the driver waits for flowDeleteFn: the retry succeeds",
           {"outcome": U, "unregister_results": [BUSY, OK], "flow_delete_calls": 2},
           ("wfp-wait-flow-deletes", "wfp-flow-remove-context", "wfp-busy-recovery"), T,
           model="wdm", callouts=1, flows_with_context=2, remove_flow_contexts="on-device-busy",
           flow_removal="pending"),
    # --- the filters ---------------------------------------------------------------------------
    _canon("wfp-filters-deleted-by-key", "Static filters deleted by key, then the callout objects",
           {"outcome": U, "filters_remaining": 0, "traffic_after_unload": None},
           ("wfp-delete-by-key", "wfp-static-objects-stay", "wfp-callout-object-in-use"), T,
           model="wdm", filters="deleted-by-key"),
    _canon("wfp-filters-left-fail-closed", "Filters left in the engine: the callouts go, the traffic is blocked",
           {"outcome": U, "callouts_registered": 0, "filters_remaining": 2, "traffic_after_unload": "blocked"},
           ("wfp-callout-object-in-use", "wfp-static-objects-stay", "wfp-filters-after-unregister",
            "wfp-fail-closed-observed"), T, model="wdm", filters="left-in-place"),
    _canon("wfp-filters-left-permit", "Filters left, but added with PERMIT_IF_CALLOUT_UNREGISTERED: traffic flows",
           {"outcome": U, "filters_remaining": 2, "traffic_after_unload": "permitted"},
           ("wfp-permit-if-unregistered", "wfp-filters-after-unregister"), T,
           model="wdf", filters="left-in-place", permit_if_unregistered=True),
    _canon("wfp-filters-removed-after-unregister", "Session closed only after unregistering: blocked meanwhile",
           {"outcome": U, "filters_remaining": 0, "traffic_after_unload": None},
           ("wfp-filters-after-unregister", "wfp-fail-closed-observed", "wfp-filters-before-callouts"), T,
           model="wdm", filters="after-unregister"),
    # --- work in flight, and the IRQL ------------------------------------------------------------
    _canon("wfp-classify-drained", "A classifyFn still running: the teardown waits for it, then unregisters",
           {"outcome": U, "unregister_results": [OK, OK]},
           ("wfp-rundown-wait", "wfp-drain-before-unregister"), T, model="wdm", classify_in_progress=True),
    _canon("wfp-classify-in-progress", "Unregistering while a classifyFn still runs: it fails, the callout stays",
           {"outcome": HZ, "unloaded": None, "callouts_registered": 1, "unregister_results": [NOT_DOCUMENTED, OK]},
           ("wfp-drain-before-unregister", "wfp-silent-classify-unregister-status", "wfp-silent-unregister-failure",
            "wfp-silent-registered-at-unload"), T,
           model="wdm", classify_in_progress=True, drains_before_unregister=False),
    _canon("wfp-unregister-at-apc-level", "Unregistering under a fast mutex (APC_LEVEL): STATUS_NOT_SUPPORTED",
           {"outcome": HZ, "callouts_registered": 2,
            "unregister_results": [STATUS_NOT_SUPPORTED] * 2},
           ("wfp-unregister-passive-level", "wfp-unregister-at-apc-fails", "wfp-silent-registered-at-unload"), T,
           model="wdm", unregister_at_apc_level=True),
    # --- unload functions that let DriverUnload return with callouts registered -------------------
    _canon("wfp-skip-unregister", "The unload function forgets to unregister: whether the image goes is not "
           "documented", {"outcome": HZ, "unloaded": None, "image_unloaded": None, "unload_function_called": True,
                          "callouts_registered": 2, "unregister_results": []},
           ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered", "wfp-silent-registered-at-unload",
            "unload-pending", "callout-bugcheck-0xce"), T, model="wdm", unregisters=False),
    _canon("wfp-persistent-filters-at-boot", "Persistent filters left behind: after sc delete and a restart, "
           "traffic blocked at boot", {"outcome": U, "service_deleted": "now", "traffic_at_boot": "blocked",
                                       "filters_remaining": 2},
           ("wfp-persistent-filters-stay", "wfp-silent-persistent-filter-at-boot", "wfp-static-objects-stay"), T,
           model="wdm", filters="left-in-place", persistent_filters=True, sc_delete=1),
    _co("wfp-ignore-busy-result", "STATUS_DEVICE_BUSY ignored, as the inspect sample does: callouts stay",
        {"outcome": HZ, "callouts_registered": 2, "unregister_results": [BUSY, BUSY], "flow_contexts_remaining": 2},
        ("wfp-sample-ignores-result", "wfp-device-busy-is-warning", "wfp-silent-registered-at-unload"), T,
        model="wdf", flows_with_context=2, check_unregister_result=False, remove_flow_contexts="none",
        waits_for_flow_deletes=False),
    _co("wfp-give-up-on-busy", "The result is checked but not recovered from: it stops at the first failure",
        {"outcome": HZ, "callouts_registered": 3, "unregister_results": [BUSY]},
        ("wfp-sample-stop-at-first-failure", "wfp-unregister-busy"), T, model="wdm", callouts=3,
        flows_with_context=1, remove_flow_contexts="none", waits_for_flow_deletes=False),
    _canon("wfp-unregister-in-use", "Another thread (un)registers callout 0: STATUS_FWP_IN_USE, recovery undocumented",
           {"outcome": HZ, "callouts_registered": 1, "unregister_results": ["STATUS_FWP_IN_USE", OK]},
           ("wfp-unregister-in-use", "wfp-silent-in-use-recovery", "wfp-silent-unregister-failure"), T, model="wdm",
           concurrent_registration=True),
)

# --- what a trace cannot say: the cause in the driver's terms, how to confirm it, the fix, the section ---
# (``unloadlab why`` prints these; tests check each scenario showing a symptom has one, and each section
# is a heading of the lesson)
_NO_UNLOAD = "Without an unload function"
_NO_RUN = "When no unload function runs at all"
_RESULT = "The unregister result: checked, and recovered from"
_FILTERS = "The filters: before the callouts, or the traffic stops"
_LOADED = (SC_QUERY, NETSH_STATE)
_DIAGNOSES: dict[str, Diagnosis] = {
    "wfp-wdm-no-unload-function": Diagnosis(
        "DriverEntry never sets DriverObject->DriverUnload, so NtUnloadDriver refuses with "
        "STATUS_INVALID_DEVICE_REQUEST and sc reports 1052; the callouts stay registered.", _LOADED,
        "Set DriverUnload to an Unload routine that unregisters every callout.", _NO_UNLOAD),
    "wfp-wdf-no-evtdriverunload": Diagnosis(
        "A KMDF non-PnP driver without EvtDriverUnload: the framework leaves DriverUnload NULL, so the stop "
        "fails with 1052.", _LOADED,
        "Set WDF_DRIVER_CONFIG.EvtDriverUnload for a non-PnP driver.", _NO_UNLOAD),
    "wfp-controlservice-no-unload": Diagnosis(
        "No Unload routine: ControlService(SERVICE_CONTROL_STOP) returns FALSE with GetLastError() 1052.",
        _LOADED, "Set DriverUnload (or EvtDriverUnload under KMDF).", _NO_UNLOAD),
    "wfp-sc-stop-access-denied": Diagnosis(
        "The caller lacks SERVICE_STOP access (not an administrator): the SCM refuses with 5 and the driver "
        "never hears of it.", (SC_QUERY,), "Stop the service from an elevated administrator prompt.",
        "Stops that never reach the driver"),
    "wfp-dependents-running": Diagnosis(
        "Other running services depend on the callout driver's service, so the SCM refuses the stop with "
        "1051.", (SC_QUERY,), "Stop the dependent services first (sc enumdepend <service> lists them).",
        "Stops that never reach the driver"),
    "wfp-wdf-pnp-sc-stop": Diagnosis(
        "A KMDF PnP driver is not unloaded by a service stop: NtUnloadDriver refuses a PnP driver, so sc "
        "reports 1052; it goes when its device is removed.", _LOADED,
        "Remove (or disable) the device to unload a PnP driver; unregister the callouts in "
        "EvtDeviceSelfManagedIoCleanup.", "Why the PnP driver is different"),
    "wfp-ntunload-pnp": Diagnosis(
        "A loader tool calls NtUnloadDriver on a KMDF PnP driver: the kernel does not unload PnP drivers by name and "
        "returns STATUS_INVALID_DEVICE_REQUEST to the tool itself (no SCM, so no 1052).", _LOADED,
        "Remove (or disable) the device to unload a PnP driver.", "Why the PnP driver is different"),
    "wfp-ntunload-no-unload-function": Diagnosis(
        "A loader tool calls NtUnloadDriver on a callout driver whose DriverEntry names no Unload routine: "
        "DriverUnload is NULL, so the tool gets STATUS_INVALID_DEVICE_REQUEST.", _LOADED,
        "Name an unload function in DriverEntry that unregisters every callout.", "Without an unload function"),
    "wfp-uninstall-pnp-reboot": Diagnosis(
        "sc stop cannot unload a KMDF PnP driver (1052), so sc delete only marks its service for deletion; a "
        "second sc delete gets 1072 and the driver goes at the next restart.", _LOADED,
        "Remove the device first (a PnP driver goes with its last device), then delete the service.",
        "Why the PnP driver is different"),
    "wfp-wdf-pnp-no-evtdriverunload": Diagnosis(
        "A KMDF PnP driver without EvtDriverUnload (and no other teardown) unloads after device removal with "
        "its callouts still registered.", (NETSH_STATE,),
        "Unregister the callouts in EvtDeviceSelfManagedIoCleanup (or EvtDriverUnload).",
        "Why the PnP driver is different"),
    "wfp-driver-entry-fails": Diagnosis(
        "DriverEntry failed, so no unload function will ever run: the driver must unregister what it "
        "registered on its own failure path; later stops get 1062.", (SC_QUERY, NETSH_STATE),
        "On DriverEntry's failure path unregister the callouts it registered, as the samples do.", _NO_RUN),
    "wfp-driver-entry-warning": Diagnosis(
        "DriverEntry returned a warning (STATUS_DEVICE_BUSY): NT_SUCCESS is false, so the load failed; later "
        "stops get 1062.", (SC_QUERY,), "Return STATUS_SUCCESS from DriverEntry when it succeeds.", _NO_RUN),
    "wfp-shutdown-wdm": Diagnosis(
        "At shutdown Unload is never called, and a driver gets IRP_MJ_SHUTDOWN only if it registered for it; "
        "its callouts stay registered.", (BREAK_ON_UNLOAD,),
        "Register with IoRegisterShutdownNotification if shutdown work is needed; do not expect Unload.",
        _NO_RUN),
    "wfp-shutdown-wdf": Diagnosis(
        "At shutdown KMDF does not call EvtDriverUnload either.", (BREAK_ON_UNLOAD,),
        "Do shutdown work in a shutdown notification, not in EvtDriverUnload.", _NO_RUN),
    "wfp-wdm-unload-done-right": Diagnosis(
        "FwpsFlowRemoveContext0 returns STATUS_PENDING while a flow is in use: flowDeleteFn runs later, and the "
        "teardown waits for it before unregistering (done right).", (NETSH_STATE,),
        "Nothing to fix: count the pending removals and wait until every flowDeleteFn has run.",
        "Running it, with everything in flight"),
    "wfp-flows-busy-doc-retry": Diagnosis(
        "FwpsCalloutUnregisterById0 returns STATUS_DEVICE_BUSY while flows still carry the callout's "
        "contexts; removing them and unregistering again succeeds.", (NETSH_STATE,),
        "On STATUS_DEVICE_BUSY remove the flow contexts (FwpsFlowRemoveContext0) and unregister again.",
        _RESULT),
    "wfp-pending-removal": Diagnosis(
        "The flow-context removal pends (STATUS_PENDING) and the driver unregisters again without waiting "
        "for flowDeleteFn; what that retry returns is not documented.", (NETSH_STATE,),
        "Wait until every flowDeleteFn has run (a count and an event) before unregistering again.",
        "Waiting for every flowDeleteFn"),
    "wfp-pending-removal-waited": Diagnosis(
        "The flow-context removal pends (STATUS_PENDING); the driver waits for flowDeleteFn, then the retry "
        "succeeds.", (NETSH_STATE,), "Nothing to fix: this is the wait done right.",
        "Waiting for every flowDeleteFn"),
    "wfp-filters-left-fail-closed": Diagnosis(
        "The driver unregisters its callouts but leaves its filters in the engine (a static session, not "
        "deleted): the filters still name the callouts, FwpmCalloutDeleteByKey0 gets STATUS_FWP_IN_USE, and "
        "the traffic they match is blocked.", (NETSH_FILTERS, NETSH_STATE),
        "Delete the filters first (FwpmFilterDeleteByKey0, or close a dynamic session), then the callouts.",
        _FILTERS),
    "wfp-filters-left-permit": Diagnosis(
        "Filters left in the engine name the callouts, so deleting the callout objects fails with "
        "STATUS_FWP_IN_USE; with FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED the traffic still flows.",
        (NETSH_FILTERS,), "Delete the filters before the callout objects.", _FILTERS),
    "wfp-classify-in-progress": Diagnosis(
        "The driver unregisters while a classifyFn is still running, without draining first: the unregister "
        "fails (the status is not documented) and a callout stays registered.", (NETSH_STATE,),
        "Stop new work and wait for classifyFn calls in flight (rundown protection) before unregistering.",
        "A classify still running"),
    "wfp-unregister-at-apc-level": Diagnosis(
        "FwpsCalloutUnregisterById0 is called under a fast mutex (APC_LEVEL) and returns STATUS_NOT_SUPPORTED: "
        "it must run at PASSIVE_LEVEL.", (NETSH_STATE,),
        "Release the fast mutex before unregistering; call it at PASSIVE_LEVEL.", "Unregistering at APC_LEVEL"),
    "wfp-skip-unregister": Diagnosis(
        "The unload function never calls FwpsCalloutUnregisterById0, so DriverUnload returns with callouts "
        "registered; whether the image then goes is not documented.", (NETSH_STATE,),
        "Unregister every callout in the unload function, after removing the filters and draining.",
        "The hazard: the documentation is silent"),
    "wfp-ignore-busy-result": Diagnosis(
        "The unload function ignores FwpsCalloutUnregisterById0's STATUS_DEVICE_BUSY (as the inspect sample "
        "does), so callouts stay registered while flows hold contexts.", (NETSH_STATE,),
        "Check the result; on STATUS_DEVICE_BUSY remove the flow contexts and unregister again.", _RESULT),
    "wfp-unregister-in-use": Diagnosis(
        "Another thread registers or unregisters callout 0 while the unload function unregisters it: "
        "FwpsCalloutUnregisterById0 returns STATUS_FWP_IN_USE and, as far as that call goes, the callout stays "
        "registered; what to do next is not documented.", (NETSH_STATE,),
        "Let nothing else register or unregister the driver's callouts once the teardown starts (stop those "
        "threads and wait for them first); the pages give no recovery for STATUS_FWP_IN_USE itself.", _RESULT),
    "wfp-persistent-filters-at-boot": Diagnosis(
        "The driver adds its filters with FWPM_FILTER_FLAG_PERSISTENT and never deletes them: after the uninstall "
        "they come back at every boot with no callout registered, and block the traffic they match (the pages "
        "give each part; the combination is the lab's inference).", (NETSH_FILTERS,),
        "Delete the filters (FwpmFilterDeleteByKey0) before the callout objects at unload or uninstall, or add "
        "them with FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED; on an affected machine delete them by key.",
        _FILTERS),
    "wfp-give-up-on-busy": Diagnosis(
        "The unload function checks the result but stops at the first STATUS_DEVICE_BUSY, leaving that callout "
        "and the ones after it registered.", (NETSH_STATE,),
        "Recover from STATUS_DEVICE_BUSY (remove the contexts, unregister again) and go on to every callout.",
        _RESULT),
}

CALLOUT_EXAMPLES: tuple[Example, ...] = diagnosed(_BASICS + _TEARDOWN, _DIAGNOSES)


# --- the decision space -----------------------------------------------------------------------
_DRIVER_ENTRY_CLASSES = (status("STATUS_SUCCESS"), status("STATUS_OBJECT_NAME_EXISTS"),
                         status("STATUS_DEVICE_BUSY"), status("STATUS_UNSUCCESSFUL"))


def _removals() -> Iterator[dict[str, Any]]:
    """Every way of removing flow contexts: none, or (first, on failure, both) x how the
    removal returns x waiting for flowDeleteFn or not."""
    yield dict(remove_flow_contexts=ContextRemoval.NONE, waits_for_flow_deletes=False)
    removals = (ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.ON_DEVICE_BUSY, ContextRemoval.BEFORE_AND_ON_BUSY)
    for removal in removals:
        for flow_removal, waits in itertools.product(FlowRemoval, (False, True)):
            yield dict(remove_flow_contexts=removal, flow_removal=flow_removal, waits_for_flow_deletes=waits)


def _unload_functions() -> Iterator[dict[str, Any]]:
    """Every unload function worth telling apart: none; one that forgets to unregister (with
    or without removing contexts first); one that unregisters, checking the result or not,
    with each way of removing contexts it can have."""
    yield dict(unload_function=False)
    for rm in _removals():
        retries = rm["remove_flow_contexts"] in (ContextRemoval.ON_DEVICE_BUSY, ContextRemoval.BEFORE_AND_ON_BUSY)
        if not retries:   # without unregistering, or ignoring the result, there is nothing to retry on
            yield dict(unregisters=False, **rm)
            yield dict(check_unregister_result=False, **rm)
        yield dict(check_unregister_result=True, **rm)


def _model_triggers() -> list[tuple[DriverModel, CalloutTrigger]]:
    """Each model x trigger it accepts, but a direct NtUnloadDriver (part four covers it)."""
    return [(m, t) for m in DriverModel for t in CalloutTrigger if t is not CalloutTrigger.NT_UNLOAD_DRIVER
            if t is not CalloutTrigger.DEVICE_REMOVAL or m is DriverModel.WDF_PNP]


def _model_trigger_places() -> list[tuple[DriverModel, CalloutTrigger, UnregisterPlace]]:
    """Each model x trigger, with every place its callouts can be taken down in."""
    return [(m, t, p) for m, t in _model_triggers() for p in UnregisterPlace
            if m is DriverModel.WDF_PNP or p is UnregisterPlace.UNLOAD_FUNCTION]


def _what_goes_wrong() -> Iterator[dict[str, Any]]:
    """The teardown's other knobs, each value against the canonical unload and inspect's."""
    inspect_like = dict(check_unregister_result=False, remove_flow_contexts=ContextRemoval.BEFORE_UNREGISTER,
                        waits_for_flow_deletes=False)
    teardowns = [dict(CANONICAL), inspect_like]
    for teardown, filters, permit, classify, drains, apc in itertools.product(
            teardowns, FilterRemoval, (False, True), (False, True), (False, True), (False, True)):
        yield {**teardown, "filters": filters, "permit_if_unregistered": permit, "classify_in_progress": classify,
               "drains_before_unregister": drains, "unregister_at_apc_level": apc}
    # another thread (un)registering callout 0: against each way of meeting a failed unregister
    for teardown in (dict(CANONICAL), inspect_like, dict(CANONICAL, remove_flow_contexts=ContextRemoval.NONE,
                                                         waits_for_flow_deletes=False)):
        yield {**teardown, "concurrent_registration": True}


def decision_space() -> Iterator[CalloutScenario]:
    """Part one: every model x trigger it accepts x place it unregisters in x unload function
    (see _unload_functions) x flows with a context (none, one, three) x callouts (one, three) x DriverEntry (each
    severity class), the newer knobs at their defaults. Part two: the canonical and the
    inspect-like teardown x filters x permit flag x classify in flight x drain order x
    APC_LEVEL, for each model's own unload request (and both places a PnP driver can take its
    callouts down), with flows (none, two) and callouts (one, three). Part three: the SCM's
    refusals (no SERVICE_STOP access, dependents running) for each service stop. Part four: a
    direct NtUnloadDriver for each model, with and without an unload function, privilege and
    dependents. Part five: sc delete afterwards, once and twice."""
    right = {m: CalloutScenario(model=m).unregister_place for m in DriverModel}   # left unset there: the default
    for (model, trig, place), fn, flows, callouts, de in itertools.product(
            _model_trigger_places(), list(_unload_functions()), (0, 1, 3), (1, 3), _DRIVER_ENTRY_CLASSES):
        yield CalloutScenario(model=model, trigger=trig, unregister_in=None if place is right[model] else place,
                              flows_with_context=flows, callouts=callouts, driver_entry_returns=de, **fn)
    places = [(DriverModel.WDM, CalloutTrigger.SC_STOP, UnregisterPlace.UNLOAD_FUNCTION),
              (DriverModel.WDF, CalloutTrigger.SC_STOP, UnregisterPlace.UNLOAD_FUNCTION),
              (DriverModel.WDF_PNP, CalloutTrigger.DEVICE_REMOVAL, UnregisterPlace.UNLOAD_FUNCTION),
              (DriverModel.WDF_PNP, CalloutTrigger.DEVICE_REMOVAL, UnregisterPlace.SELF_MANAGED_IO_CLEANUP)]
    for (model, trig, place), knobs, flows, callouts in itertools.product(
            places, list(_what_goes_wrong()), (0, 2), (1, 3)):
        yield CalloutScenario(model=model, trigger=trig, unregister_in=None if place is right[model] else place,
                              flows_with_context=flows, callouts=callouts, **knobs)
    for model, trig in _model_triggers():
        if trig.facts.mandatory:
            yield CalloutScenario(model=model, trigger=trig, caller_privileged=False)
            yield CalloutScenario(model=model, trigger=trig, dependent_services=True)
    # part four: a direct NtUnloadDriver takes the service stop's path after the kernel's own checks
    direct = CalloutTrigger.NT_UNLOAD_DRIVER
    for model, fn, de in itertools.product(DriverModel, ({}, dict(unload_function=False)), _DRIVER_ENTRY_CLASSES):
        yield CalloutScenario(model=model, trigger=direct, driver_entry_returns=de, flows_with_context=1, **fn)
    for model, priv, deps in itertools.product(DriverModel, (True, False), (False, True)):
        yield CalloutScenario(model=model, trigger=direct, caller_privileged=priv, dependent_services=deps)
    # part five: sc delete afterwards (once, twice), after each model's request ending each way
    endings = ({}, dict(unload_function=False), dict(unregisters=False), dict(driver_entry_returns=status(
        "STATUS_UNSUCCESSFUL")))
    for (model, trig), ending, times in itertools.product(_model_triggers(), endings, (1, 2)):
        if trig is not CalloutTrigger.SHUTDOWN:
            yield CalloutScenario(model=model, trigger=trig, sc_delete=times, **ending)
    # persistent filters, deleted or left behind, with and without the permit flag, uninstalled or not
    for filters, permit, times in itertools.product((FilterRemoval.DELETED_BY_KEY, FilterRemoval.LEFT_IN_PLACE),
                                                    (False, True), (0, 1)):
        yield CalloutScenario(filters=filters, permit_if_unregistered=permit, persistent_filters=True, sc_delete=times)
