"""The minifilter scenario catalogue: one named entry per documented unload path, with the
outcome the documentation predicts. Tests replay every entry; notebooks show them.
``decision_space`` enumerates every combination of the knobs that change an outcome.
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator

from ..windows.example import Example
from ..windows.ntstatus import status
from ..windows.trace import Outcome
from .model import MinifilterScenario, RegistrationFlag, ServerPort, Trigger, simulate

__all__ = ["MINIFILTER_EXAMPLES", "decision_space", "STATUS_CLASSES"]


def _mf(name: str, title: str, lesson: str, expected: dict, rules: tuple[str, ...], **knobs: Any) -> Example:
    return Example(name, title, "minifilter", knobs, expected, rules, lesson, MinifilterScenario, simulate)


U, R, F, H = Outcome.UNLOADED, Outcome.REFUSED, Outcome.FAILED, Outcome.HUNG
DNSS = ["DO_NOT_SUPPORT_SERVICE_STOP"]
L_REG, L_NON, L_MAN, L_OPT = "01-register-callback", "02-non-mandatory", "03-mandatory", "04-service-stop-opt-out"
L_DE, L_SHUT, L_ROUTINE = "05-driver-entry-fails", "06-shutdown", "07-unload-routine"

MINIFILTER_EXAMPLES: tuple[Example, ...] = (
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
    _mf("conditional-refusal-mandatory", "Refusing only when not mandatory: sc stop still unloads cleanly", L_MAN,
        {"outcome": U, "callback_returned": "STATUS_SUCCESS"},
        ("mandatory-ignores-refusal", "refuse-before-teardown"),
        trigger="sc-stop", callback_returns="STATUS_FLT_DO_NOT_DETACH", refuse_only_if_not_mandatory=True),
    _mf("conditional-refusal-non-mandatory", "Refusing only when not mandatory: fltmc unload is refused", L_NON,
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
    shutdown pre-op x caller privilege x server port x instance teardown."""
    callbacks = [dict(unload_callback=False)] + [
        dict(callback_returns=st, refuse_only_if_not_mandatory=cond)
        for st in STATUS_CLASSES.values() for cond in ((False, True) if not st.nt_success else (False,))]
    driver_entry = [STATUS_CLASSES["success"], STATUS_CLASSES["warning"], status("STATUS_UNSUCCESSFUL")]
    # Teardown without callbacks differs only in step wording; the catalogue and the
    # property tests cover it, so the exhaustive grid leaves it out.
    teardown = [dict(instances=0), dict(instances=2), dict(instances=1, pended_io=True)]
    for trig, cb, flags, de, preop, priv, port, td in itertools.product(
            Trigger, callbacks, (frozenset(), frozenset({RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP})),
            driver_entry, (False, True), (True, False), ServerPort, teardown):
        yield MinifilterScenario(trigger=trig, flags=flags, driver_entry_returns=de, shutdown_preop=preop,
                                 caller_privileged=priv, server_port=port, **cb, **td)
