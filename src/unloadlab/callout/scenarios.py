"""Catalogue entries of the WFP callout driver family: one named entry per documented
unload path, with the outcome the documentation predicts. ``unloadlab.catalogue`` adds
them to the minifilter entries; tests replay every one.
"""
from __future__ import annotations

from typing import Any

from ..windows.example import Example
from ..windows.trace import Outcome
from .model import CalloutScenario, simulate

__all__ = ["CALLOUT_EXAMPLES", "LESSON"]

LESSON = "08-wfp-callout"
U, F, HZ = Outcome.UNLOADED, Outcome.FAILED, Outcome.HAZARD
OK, BUSY, UNKNOWN = "STATUS_SUCCESS", "STATUS_DEVICE_BUSY", "(not documented)"
STOPPED = "success: the service is stopped"
ERR_1052 = "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL)"
SC_1052 = ["[SC] ControlService FAILED 1052:", "", "The requested control is not valid for this service."]


def _co(name: str, title: str, expected: dict, rules: tuple[str, ...], **knobs: Any) -> Example:
    return Example(name, title, "callout", knobs, expected, rules, LESSON, CalloutScenario, simulate)


CALLOUT_EXAMPLES: tuple[Example, ...] = (
    # --- the seed: an unload function, named the WDM way or the WDF way -----------------------
    _co("wfp-wdm-clean-unload", "WDM: sc stop calls Unload, which unregisters every callout",
        {"outcome": U, "unloaded": True, "unload_function_called": True, "callouts_registered": 0,
         "unregister_results": [OK, OK], "requester_got": STOPPED},
        ("wfp-wdm-driverunload", "wfp-unload-called-on-unload", "wfp-unregister-by-id", "wfp-unload-deletes-device",
         "scm-ntunloaddriver"), model="wdm"),
    _co("wfp-wdf-clean-unload", "WDF non-PnP: the framework's DriverUnload calls EvtDriverUnload",
        {"outcome": U, "driver_unload_called": True, "unload_function_called": True, "callouts_registered": 0},
        ("wfp-wdf-evtdriverunload", "wfp-wdf-nonpnp", "callout-kmdf-nonpnp-needs-evt", "callout-kmdf-unload-order",
         "callout-kmdf-deletes-control-device"), model="wdf"),
    _co("wfp-wdm-no-unload-function", "WDM without an Unload routine: sc stop fails with 1052",
        {"outcome": F, "unloaded": False, "driver_unload_set": False, "unload_function_called": False,
         "callouts_registered": 2, "requester_got": ERR_1052, "printed": SC_1052},
        ("wfp-no-unload-function", "null-driverunload", "sc-stop-1052", "mandatory-triggers"),
        model="wdm", unload_function=False),
    _co("wfp-wdf-no-evtdriverunload", "WDF non-PnP without EvtDriverUnload: DriverUnload stays NULL, 1052",
        {"outcome": F, "driver_unload_set": False, "driver_unload_called": False, "requester_got": ERR_1052},
        ("callout-kmdf-nonpnp-needs-evt", "wfp-no-unload-function", "null-driverunload"),
        model="wdf", unload_function=False),
    _co("wfp-controlservice-no-unload", "ControlService on a driver without Unload: FALSE and 1052",
        {"outcome": F, "requester_got": "ControlService returns FALSE; GetLastError() = 1052 "
                                        "(ERROR_INVALID_SERVICE_CONTROL)", "printed": []},
        ("null-driverunload", "sc-stop-1052"), model="wdm", unload_function=False, trigger="ControlService"),
    _co("wfp-net-stop-clean", "net stop takes the same path as sc stop", {"outcome": U, "mandatory": True,
                                                                          "caller": "net.exe"},
        ("mandatory-triggers", "scm-ntunloaddriver"), model="wdf", trigger="net-stop"),
    # --- the KMDF PnP contrast (domain-facts #39, open question 11) ----------------------------
    _co("wfp-wdf-pnp-sc-stop", "KMDF PnP: a service stop cannot unload a PnP driver",
        {"outcome": F, "driver_unload_set": True, "driver_unload_called": False, "requester_got": ERR_1052},
        ("callout-kmdf-pnp-always-unload", "callout-kmdf-pnp-adddevice", "callout-ntunload-refuses-pnp"),
        model="wdf-pnp"),
    _co("wfp-wdf-pnp-no-evtdriverunload", "KMDF PnP without EvtDriverUnload still unloads, but nothing unregisters",
        {"outcome": HZ, "unloaded": True, "driver_unload_called": True, "unload_function_called": False,
         "callouts_registered": 2},
        ("callout-kmdf-pnp-always-unload", "callout-pnp-unload-after-removal", "wfp-unload-must-unregister"),
        model="wdf-pnp", unload_function=False, trigger="device-removal"),
    _co("wfp-wdf-pnp-removal-clean", "KMDF PnP with EvtDriverUnload: removing its last device unloads it",
        {"outcome": U, "unload_function_called": True, "callouts_registered": 0,
         "requester_got": "the device is removed and the driver unloaded"},
        ("callout-pnp-unload-after-removal", "callout-kmdf-unload-order"), model="wdf-pnp", trigger="device-removal"),
    # --- flow contexts -------------------------------------------------------------------------
    _co("wfp-flows-busy-doc-retry", "Flows keep contexts: STATUS_DEVICE_BUSY, remove them, unregister again",
        {"outcome": U, "unregister_results": [BUSY, OK, BUSY, OK], "flow_contexts_remaining": 0,
         "flow_delete_calls": 3, "callouts_registered": 0},
        ("wfp-unregister-busy", "wfp-device-busy-is-warning", "wfp-busy-recovery", "wfp-flow-remove-context",
         "wfp-flow-delete-fn"), model="wdm", flows_with_context=3, remove_flow_contexts="on-device-busy"),
    _co("wfp-flows-removed-first", "Contexts removed before unregistering, as ddproxy and msnmntr do",
        {"outcome": U, "unregister_results": [OK, OK], "flow_delete_calls": 3},
        ("wfp-sample-remove-contexts-first", "wfp-flow-remove-context", "wfp-unregister-success"),
        model="wdf", flows_with_context=3, remove_flow_contexts="before-unregister"),
    _co("wfp-pending-removal", "The removal pends: what the retry returns is not documented",
        {"outcome": U, "unregister_results": [BUSY, UNKNOWN], "flow_delete_calls": 2},
        ("wfp-silent-pending-unregister", "wfp-flow-remove-context", "wfp-busy-recovery"),
        model="wdm", callouts=1, flows_with_context=2, remove_flow_contexts="on-device-busy", flow_removal="pending"),
    # --- unload functions that let the image go with callouts registered ----------------------
    _co("wfp-skip-unregister", "The unload function forgets to unregister: the image goes, callouts stay",
        {"outcome": HZ, "unloaded": True, "unload_function_called": True, "callouts_registered": 2,
         "unregister_results": []},
        ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered", "wfp-silent-registered-at-unload",
         "callout-bugcheck-0xce"), model="wdm", unregisters=False),
    _co("wfp-ignore-busy-result", "STATUS_DEVICE_BUSY ignored, as the inspect sample does: callouts stay",
        {"outcome": HZ, "callouts_registered": 2, "unregister_results": [BUSY, BUSY], "flow_contexts_remaining": 2},
        ("wfp-sample-ignores-result", "wfp-device-busy-is-warning", "wfp-silent-registered-at-unload"),
        model="wdf", flows_with_context=2, check_unregister_result=False),
    _co("wfp-give-up-on-busy", "The result is checked but not recovered from: it stops at the first failure",
        {"outcome": HZ, "callouts_registered": 3, "unregister_results": [BUSY]},
        ("wfp-sample-stop-at-first-failure", "wfp-unregister-busy"), model="wdm", callouts=3, flows_with_context=1),
    # --- no unload function call at all --------------------------------------------------------
    _co("wfp-driver-entry-fails", "DriverEntry fails: it unregisters its own callouts; no unload function runs",
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "unloaded": True, "unload_function_called": False,
         "callouts_registered": 0, "requester_got": "Win32 error 1062 (ERROR_SERVICE_NOT_ACTIVE)"},
        ("callout-no-unload-after-failed-entry", "wfp-sample-failed-entry-cleanup", "wfp-silent-failed-entry-callouts",
         "service-not-active"), model="wdf", driver_entry_returns="STATUS_INSUFFICIENT_RESOURCES"),
    _co("wfp-driver-entry-warning", "A warning from DriverEntry is a failure too",
        {"outcome": Outcome.DRIVER_ENTRY_FAILED, "unload_function_called": False},
        ("ntstatus-severity", "callout-no-unload-after-failed-entry"),
        model="wdm", trigger="net-stop", driver_entry_returns="STATUS_DEVICE_BUSY"),
    _co("wfp-shutdown-wdm", "Shutdown: no Unload is called and the callouts stay registered",
        {"outcome": Outcome.SHUTDOWN, "unloaded": False, "unload_function_called": False, "callouts_registered": 2,
         "mandatory": False},
        ("callout-no-unload-at-shutdown", "wfp-silent-shutdown"), model="wdm", trigger="shutdown"),
    _co("wfp-shutdown-wdf", "Shutdown under KMDF: no EvtDriverUnload either",
        {"outcome": Outcome.SHUTDOWN, "driver_unload_called": False, "unload_function_called": False},
        ("callout-no-unload-at-shutdown", "callout-kmdf-unload-order"), model="wdf", trigger="shutdown"),
)
