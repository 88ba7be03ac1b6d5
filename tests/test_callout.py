"""The WFP callout driver model: one test per modelled rule, properties over the whole
decision space (exhaustive) and over arbitrary knobs (hypothesis), and a replay of every
catalogue entry. The teardown's own rules (its order, and what goes wrong) have their
section below; the C's order is checked against the trace in tests/test_c_order.py."""
import json
import time

import pytest
from hypothesis import given, settings, strategies as st

from unloadlab import callout
from unloadlab.callout import (CANONICAL, MAX_CALLOUTS, MAX_FLOWS, NOT_DOCUMENTED, STATUS_NOT_SUPPORTED,
                               CalloutScenario, CalloutTrigger, ContextRemoval, DriverModel, FilterRemoval,
                               FlowRemoval, UnregisterPlace, decision_space, simulate)
from unloadlab.callout import CALLOUT_RULES
from unloadlab.callout import CALLOUT_EXAMPLES
from unloadlab.minifilter import Trigger
from unloadlab.windows import NtStatus, Severity, parse_status, status
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.windows import RuleKind
from unloadlab.windows import Actor, Kind, Mark, Outcome, ScenarioError, Trace

SERVICE_STOPS = (CalloutTrigger.SC_STOP, CalloutTrigger.NET_STOP, CalloutTrigger.CONTROL_SERVICE)
BUSY, OK = "STATUS_DEVICE_BUSY", "STATUS_SUCCESS"


# The knobs of the lab's first callout model, which the tests below set mistakes on: no flow
# context removed, nothing waited for, the callouts taken down in the unload function. The
# defaults are the canonical teardown (test_the_defaults_are_the_canonical_teardown).
FIRST = dict(remove_flow_contexts="none", waits_for_flow_deletes=False, unregister_in="unload-function")


def request_steps(t):
    """The trace's steps up to the sc delete that the sc_delete knob appends after the request."""
    cut = next((i for i, s in enumerate(t.steps) if s.action.startswith(("sc delete ", "no sc delete"))), None)
    return t.steps[:cut]


def run(**knobs) -> Trace:
    return simulate(CalloutScenario(**{**FIRST, **knobs}))


def actions(trace: Trace) -> list[str]:
    return [s.action for s in trace.steps]


def index(trace: Trace, text: str) -> int:
    """Position of the first step whose action starts with text."""
    return next(i for i, s in enumerate(trace.steps) if s.action.startswith(text))


def cites(trace: Trace, rule_id: str) -> list:
    return [s for s in trace.steps if rule_id in s.rules]


def unload_function_steps(trace: Trace) -> list:
    return [s for s in trace.steps if s.action in ("Unload(DriverObject)", "EvtDriverUnload(Driver)")]


# --- the seed: an unload function is required, named the WDM or the WDF way -----------------------
def test_wdm_driver_entry_stores_unload_in_driver_object():
    t = run(model="wdm")
    step = cites(t, "wfp-wdm-driverunload")[0]
    assert step.action == "DriverObject->DriverUnload = Unload" and step.actor is Actor.CALLOUT_DRIVER
    assert t["driver_unload_set"] is True


def test_wdf_driver_entry_names_evtdriverunload_non_pnp_and_calls_wdfdrivercreate():
    t = run(model="wdf")
    config = cites(t, "wfp-wdf-nonpnp")[0]
    assert "WdfDriverInitNonPnpDriver" in config.action and "EvtDriverUnload = EvtDriverUnload" in config.action
    create = t.steps[index(t, "WdfDriverCreate")]
    assert create.kind is Kind.CALL and create.target is Actor.FRAMEWORK
    assert index(t, "WDF_DRIVER_CONFIG") < index(t, "WdfDriverCreate") < index(t, "DriverEntry returns")


@pytest.mark.parametrize("model", ["wdm", "wdf"])
@pytest.mark.parametrize("trigger", [t.value for t in SERVICE_STOPS])
def test_without_an_unload_function_the_driver_cannot_be_unloaded(model, trigger):
    t = run(model=model, trigger=trigger, unload_function=False)
    assert t.outcome is Outcome.FAILED and t["unloaded"] is False
    assert t["driver_unload_set"] is False and t["driver_unload_called"] is False
    assert t["callouts_registered"] == 2 and t["unregister_results"] == []
    refusal = t.steps[index(t, "NtUnloadDriver fails")]
    assert refusal.status == "STATUS_INVALID_DEVICE_REQUEST" and refusal.mark is Mark.FAILED
    assert {"wfp-no-unload-function", "null-driverunload", "sc-stop-1052"} <= set(t.rules)
    request = index(t, "NtUnloadDriver(")
    assert all(s.target is not Actor.CALLOUT_DRIVER for s in t.steps[request:])  # nothing of the driver runs


def test_kmdf_non_pnp_without_evtdriverunload_leaves_driverunload_null():
    t = run(model="wdf", unload_function=False)
    step = cites(t, "callout-kmdf-nonpnp-needs-evt")[0]
    assert step.actor is Actor.FRAMEWORK and step.action == "DriverObject->DriverUnload = NULL"


@pytest.mark.parametrize("evt", [True, False])
def test_kmdf_pnp_always_installs_its_own_driverunload(evt):
    t = run(model="wdf-pnp", unload_function=evt, trigger="device-removal")
    assert t["driver_unload_set"] is True and t["driver_unload_called"] is True
    assert "DriverUnload = FxDriver::Unload" in cites(t, "callout-kmdf-pnp-always-unload")[0].action
    assert t["unload_function_called"] is evt


@pytest.mark.parametrize("trigger", [t.value for t in SERVICE_STOPS])
@pytest.mark.parametrize("evt", [True, False])
def test_a_service_stop_cannot_unload_a_pnp_driver(trigger, evt):
    t = run(model="wdf-pnp", trigger=trigger, unload_function=evt)
    assert t.outcome is Outcome.FAILED and not t["driver_unload_called"] and not t["unload_function_called"]
    assert t.steps[index(t, "NtUnloadDriver fails")].status == "STATUS_INVALID_DEVICE_REQUEST"
    assert {"callout-ntunload-refuses-pnp", "callout-kmdf-pnp-adddevice"} <= set(t.rules)


def test_pnp_driver_unloads_after_its_last_device_is_removed():
    t = run(model="wdf-pnp", trigger="device-removal")
    assert t.outcome is Outcome.UNLOADED and t["mandatory"] is False
    assert t.steps[0].action.startswith("DriverEntry")
    removal = t.steps[index(t, "remove the driver's last device")]
    assert "callout-pnp-unload-after-removal" in removal.rules
    assert index(t, "remove the driver's last device") < index(t, "FxDriver::Unload(")


def test_pnp_driver_registers_its_callouts_in_evtdriverdeviceadd_not_driverentry():
    t = run(model="wdf-pnp", trigger="device-removal", callouts=3)
    registers = [i for i, s in enumerate(t.steps) if s.action.startswith("FwpsCalloutRegister0(")]
    assert len(registers) == 3
    assert index(t, "DriverEntry returns") < index(t, "EvtDriverDeviceAdd(") < index(t, "WdfDeviceCreate(")
    assert index(t, "WdfDeviceCreate(") < registers[0] < registers[-1] < index(t, "EvtDriverDeviceAdd returns")
    assert index(t, "EvtDriverDeviceAdd returns") + 1 == index(t, "AddDevice returns")
    assert all(t.steps[i].rules == ("callout-silent-pnp-registration",) for i in registers)
    assert RULES_BY_ID["callout-silent-pnp-registration"].kind is RuleKind.SILENT
    gone = t.steps[index(t, "remove the driver's last device") + 1]   # unregistered only later, in EvtDriverUnload
    assert gone.mark is Mark.FAILED and "callout-silent-pnp-device-removed" in gone.rules


@pytest.mark.parametrize("model", ["wdm", "wdf"])
def test_non_pnp_drivers_register_in_driverentry_and_have_no_device_add(model):
    t = run(model=model)
    first = next(i for i, s in enumerate(t.steps) if s.action.startswith("FwpsCalloutRegister0("))
    assert first < index(t, "DriverEntry returns")
    assert "wfp-sample-register-in-driverentry" in t.steps[first].rules
    assert not any("DeviceAdd" in a for a in actions(t))


def test_failed_driver_entry_of_a_pnp_driver_has_registered_nothing_to_undo():
    t = run(model="wdf-pnp", trigger="device-removal", driver_entry_returns="STATUS_UNSUCCESSFUL")
    assert t.outcome is Outcome.DRIVER_ENTRY_FAILED and t["callouts_registered"] == 0
    assert t["unregister_results"] == [] and not any("FwpsCallout" in a for a in actions(t))
    assert "FwpsInjectionHandleDestroy0(InjectionHandle)" in actions(t)
    assert "wfp-silent-failed-entry-callouts" not in t.rules and "no callout was registered yet" in t.headline


@pytest.mark.parametrize("model, trigger", [("wdm", "sc-stop"), ("wdf", "net-stop"), ("wdf-pnp", "device-removal")])
def test_a_clean_unload_ends_saying_no_callout_is_left(model, trigger):
    t = run(model=model, trigger=trigger)
    last = t.steps[-1]
    assert t.outcome is Outcome.UNLOADED and last.action == "no callout left registered" and last.mark is None
    assert last.rules == ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered")


def test_kmdf_pnp_without_evtdriverunload_unloads_but_nothing_unregisters():
    t = run(model="wdf-pnp", trigger="device-removal", unload_function=False)
    assert t.outcome is Outcome.HAZARD and t["unloaded"] is None and t["callouts_registered"] == 2
    assert cites(t, "callout-kmdf-pnp-always-unload")[-1].mark is Mark.HAZARD


# --- DriverUnload: who calls what, in which order ----------------------------------------------------
@pytest.mark.parametrize("trigger", [t.value for t in SERVICE_STOPS])
def test_service_stop_goes_through_scm_and_ntunloaddriver(trigger):
    t = run(trigger=trigger)
    assert t.steps[index(t, "NtUnloadDriver(")].actor is Actor.SCM
    assert {"mandatory-triggers", "scm-ntunloaddriver", "unload-in-system-thread"} <= set(t.rules)
    assert t["mandatory"] is True


def test_wdm_io_manager_calls_the_drivers_own_unload():
    t = run(model="wdm")
    step = t.steps[index(t, "Unload(DriverObject)")]
    assert step.actor is Actor.IO_MANAGER and step.target is Actor.CALLOUT_DRIVER
    assert {"wfp-unload-called-on-unload", "callout-driverunload-void"} <= set(step.rules)


def test_kmdf_framework_calls_evtdriverunload_then_deletes_the_wdfdriver():
    t = run(model="wdf")
    fx, evt = t.steps[index(t, "FxDriver::Unload(")], t.steps[index(t, "EvtDriverUnload(Driver)")]
    assert (fx.actor, fx.target, evt.actor, evt.target) == (
        Actor.IO_MANAGER, Actor.FRAMEWORK, Actor.FRAMEWORK, Actor.CALLOUT_DRIVER)
    assert index(t, "EvtDriverUnload returns") < index(t, "deletes the WDFDRIVER") < index(t, "unloads the image")
    assert "callout-kmdf-deletes-control-device" in t.steps[index(t, "deletes the WDFDRIVER")].rules


# --- the unload function: callouts, contexts, device, injection handle --------------------------------
@pytest.mark.parametrize("n", range(1, MAX_CALLOUTS + 1))
def test_unload_function_unregisters_every_callout_before_the_image_goes(n):
    t = run(callouts=n)
    calls = [s for s in t.steps if s.action.startswith("FwpsCalloutUnregisterById0(")]
    assert len(calls) == n and t["unregister_results"] == [OK] * n and t["callouts_registered"] == 0
    last_return = max(i for i, s in enumerate(t.steps) if s.action == "FwpsCalloutUnregisterById0 returns")
    assert last_return < index(t, "unloads the image")


def test_wdm_then_destroys_the_injection_handle_and_deletes_its_device():
    t = run(model="wdm")
    order = [index(t, a) for a in ("FwpsCalloutUnregisterById0(", "FwpsInjectionHandleDestroy0", "IoDeleteDevice",
                                   "Unload returns")]
    assert order == sorted(order)
    assert {"wfp-unload-deletes-device", "wfp-unregister-before-device-delete"} <= set(t.steps[order[2]].rules)
    assert "wfp-injection-destroy-waits" in t.steps[order[1]].rules


def test_wdf_leaves_its_control_device_to_the_framework_like_the_samples():
    t = run(model="wdf")
    assert not any(a.startswith("IoDeleteDevice") for a in actions(t))
    assert {"wfp-sample-keep-device", "callout-kmdf-deletes-control-device"} <= set(t.rules)


def test_flows_with_a_context_make_unregister_return_device_busy():
    t = run(flows_with_context=1, callouts=2, check_unregister_result=False)
    assert t["unregister_results"] == [BUSY, OK]   # flow 0 belongs to callout 0 only
    busy = [s for s in t.steps if s.status == BUSY]
    assert len(busy) == 1 and {"wfp-unregister-busy", "wfp-device-busy-is-warning"} <= set(busy[0].rules)


def test_device_busy_is_a_warning_so_only_nt_success_catches_it():
    st = status(BUSY)
    assert st.code == 0x80000011 and st.severity is Severity.WARNING and not st.nt_success
    assert st.code >> 30 != 3  # NT_ERROR would miss it (open question 12)


def test_documented_recovery_removes_contexts_then_unregisters_again():
    t = run(flows_with_context=3, callouts=2, remove_flow_contexts="on-device-busy")
    assert t.outcome is Outcome.UNLOADED and t["unregister_results"] == [BUSY, OK, BUSY, OK]
    first_busy = next(i for i, s in enumerate(t.steps) if s.status == BUSY)
    removal = index(t, "FwpsFlowRemoveContext0(")
    retry = next(i for i, s in enumerate(t.steps) if i > removal and s.action.startswith("FwpsCalloutUnregisterById0("))
    assert first_busy < removal < retry
    assert t["flow_delete_calls"] == 3 and t["flow_contexts_remaining"] == 0
    assert "wfp-busy-recovery" in t.rules


def test_removing_contexts_first_avoids_device_busy():
    t = run(flows_with_context=5, callouts=3, remove_flow_contexts="before-unregister")
    assert BUSY not in t["unregister_results"] and t["flow_delete_calls"] == 5
    assert index(t, "FwpsFlowRemoveContext0(") < index(t, "FwpsCalloutUnregisterById0(")
    assert "wfp-sample-remove-contexts-first" in t.rules


def test_synchronous_removal_calls_flowdeletefn_before_it_returns_success():
    t = run(flows_with_context=2, remove_flow_contexts="before-unregister")
    i = index(t, "FwpsFlowRemoveContext0(")
    assert actions(t)[i + 1].startswith("flowDeleteFn(") and t.steps[i + 2].status == OK
    assert t.steps[i + 1].actor is Actor.FILTER_ENGINE and t.steps[i + 1].target is Actor.CALLOUT_DRIVER


def test_pending_removal_returns_pending_and_the_retry_result_is_not_documented():
    t = run(flows_with_context=2, callouts=1, remove_flow_contexts="on-device-busy", flow_removal="pending")
    assert any(s.status == "STATUS_PENDING" for s in t.steps)
    assert t["unregister_results"] == [BUSY, NOT_DOCUMENTED]
    silent = [s for s in t.steps if s.status == NOT_DOCUMENTED][0]
    assert silent.mark is Mark.SILENT and silent.rules == ("wfp-silent-pending-unregister",)
    assert "not documented" in t.headline
    assert RULES_BY_ID["wfp-silent-pending-unregister"].kind is RuleKind.SILENT


def test_flowdeletefn_is_called_only_for_flows_with_a_context():
    assert run(flows_with_context=0, remove_flow_contexts="before-unregister")["flow_delete_calls"] == 0
    assert not any(a.startswith("FwpsFlowRemoveContext0(") for a in actions(
        run(flows_with_context=0, remove_flow_contexts="before-unregister")))
    assert run(flows_with_context=7, remove_flow_contexts="before-unregister")["flow_delete_calls"] == 7


def test_filters_naming_an_unregistered_callout_block_unless_they_are_gone_first():
    assert "wfp-filters-after-unregister" not in run().rules   # the session closed first: no filter left
    left = run(filters="left-in-place")
    note = cites(left, "wfp-filters-after-unregister")[0]
    assert note.mark is Mark.FAILED and "BLOCK" in note.detail
    assert "wfp-filters-after-unregister" not in run(filters="left-in-place", unregisters=False).rules


# --- unload functions that let the image go with callouts registered -----------------------------------
def test_forgetting_to_unregister_is_a_hazard_and_the_crash_is_not_documented():
    t = run(unregisters=False)
    assert t.outcome is Outcome.HAZARD and t["unloaded"] is None and t["callouts_registered"] == 2
    hazard = [s for s in t.steps if s.mark is Mark.HAZARD and s.actor is Actor.FILTER_ENGINE][0]
    assert "classifyFn" in hazard.detail and "wfp-unload-must-unregister" in hazard.rules
    silent = t.steps[-1]
    assert silent.mark is Mark.SILENT
    assert {"wfp-silent-registered-at-unload", "callout-bugcheck-0xce"} <= set(silent.rules)
    assert "related" in silent.detail and "not for this one" in silent.detail  # 0xCE is not claimed as the outcome
    image = t.steps[index(t, "unloads the image, or holds it back")]
    assert image.mark is Mark.SILENT and t["image_unloaded"] is None and t["unloaded"] is None
    assert {"wfp-silent-registered-at-unload", "unload-pending"} <= set(image.rules)
    assert "leaves memory" in image.detail and "pending" in image.detail   # both possibilities named


def test_hazard_mentions_flowdeletefn_when_flows_still_carry_contexts():
    t = run(flows_with_context=2, check_unregister_result=False)
    hazard = [s for s in t.steps if s.mark is Mark.HAZARD][0]
    assert "flowDeleteFn" in hazard.detail and t["flow_contexts_remaining"] == 2


def test_ignoring_device_busy_like_inspect_carries_on_and_leaves_callouts():
    t = run(flows_with_context=1, callouts=3, check_unregister_result=False)
    assert t["unregister_results"] == [BUSY, OK, OK] and t["callouts_registered"] == 1
    ignored = [s for s in t.steps if s.mark is Mark.IGNORED]
    assert len(ignored) == 1 and "wfp-sample-ignores-result" in ignored[0].rules
    assert t.outcome is Outcome.HAZARD


def test_checking_without_recovery_stops_at_the_first_failure_like_msnmntr():
    t = run(flows_with_context=1, callouts=3)
    assert t["unregister_results"] == [BUSY] and t["callouts_registered"] == 3
    assert "wfp-sample-stop-at-first-failure" in t.rules and t.outcome is Outcome.HAZARD


# --- no unload function call: failed DriverEntry, shutdown ------------------------------------------
@pytest.mark.parametrize("de", ["STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL", "0xC0000001",
                                "STATUS_INSUFFICIENT_RESOURCES"])
@pytest.mark.parametrize("trigger", [t.value for t in CalloutTrigger if t is not CalloutTrigger.DEVICE_REMOVAL])
def test_failed_driver_entry_unregisters_its_own_callouts_and_no_unload_runs(de, trigger):
    t = run(model="wdf", driver_entry_returns=de, trigger=trigger, flows_with_context=3)
    assert t.outcome is Outcome.DRIVER_ENTRY_FAILED and t["unloaded"] is True
    assert not t["unload_function_called"] and not t["driver_unload_called"] and not unload_function_steps(t)
    assert t["callouts_registered"] == 0 and t["unregister_results"] == [OK, OK]
    assert {"wfp-sample-failed-entry-cleanup", "callout-no-unload-after-failed-entry",
            "wfp-silent-failed-entry-callouts"} <= set(t.rules)
    entry_returns = t.steps[index(t, "DriverEntry returns")]
    assert entry_returns.mark is Mark.FAILED and entry_returns.status == parse_status(de).label


def test_after_failed_driver_entry_a_service_stop_finds_the_service_not_active():
    t = run(driver_entry_returns="STATUS_UNSUCCESSFUL", trigger="ControlService")
    assert t["requester_got"] == "ControlService returns FALSE; GetLastError() = 1062 (ERROR_SERVICE_NOT_ACTIVE)"
    assert t["printed"] == []   # the facts give sc's text only for 1052


def test_an_informational_driver_entry_status_still_loads():
    t = run(driver_entry_returns="STATUS_OBJECT_NAME_EXISTS")
    assert t.outcome is Outcome.UNLOADED and t["unload_function_called"]


@pytest.mark.parametrize("model", [m.value for m in DriverModel])
def test_no_unload_function_at_shutdown_and_callouts_stay_registered(model):
    t = run(model=model, trigger="shutdown", flows_with_context=4)
    assert t.outcome is Outcome.SHUTDOWN and not t["unloaded"] and not t["mandatory"]
    assert not t["driver_unload_called"] and not t["unload_function_called"] and not unload_function_steps(t)
    assert t["callouts_registered"] == 2 and t["flow_contexts_remaining"] == 4
    assert "callout-no-unload-at-shutdown" in t.rules and t.steps[-1].mark is Mark.SILENT
    assert ("callout-kmdf-unload-order" in t.rules) is (model != "wdm")
    note = cites(t, "shutdown-needs-registration")[0]
    assert "IoRegisterShutdownNotification" in note.detail and not any("DispatchShutdown routine" in s.detail
                                                                       and "need" in s.detail for s in t.steps)


def test_the_shutdown_rule_does_not_promise_irp_mj_shutdown():
    """Issue 11 item 6: a WDM driver gets IRP_MJ_SHUTDOWN only after asking for it."""
    statement = RULES_BY_ID["callout-no-unload-at-shutdown"].statement
    assert "DispatchShutdown" not in statement and "IRP_MJ_SHUTDOWN" not in statement
    assert "IoRegisterShutdownNotification" in RULES_BY_ID["shutdown-needs-registration"].statement


# --- the teardown done right, and what goes wrong (domain-facts section 11) ----------------------
def canonical(**knobs) -> Trace:
    return run(**{**CANONICAL, **knobs})


def driver_actions(t: Trace) -> list[str]:
    """The driver's own calls and actions, in order (what the order checks compare with the C)."""
    return [s.action for s in t.steps if s.actor is Actor.CALLOUT_DRIVER and s.kind in (Kind.CALL, Kind.ACTION)]


@pytest.mark.parametrize("model", ["wdm", "wdf"])
def test_canonical_teardown_runs_the_seven_steps_in_order(model):
    t = canonical(model=model, flows_with_context=3, flow_removal="pending", classify_in_progress=True)
    order = [index(t, a) for a in ("Unloading = TRUE", "FwpmEngineClose0(", "ExWaitForRundownProtectionRelease(",
                                   "KeWaitForSingleObject(WorkerThread", "FwpsFlowRemoveContext0(",
                                   "KeWaitForSingleObject(&NoFlowContexts", "FwpsCalloutUnregisterById0(",
                                   "FwpsInjectionHandleDestroy0(")]
    assert order == sorted(order)
    assert t.outcome is Outcome.UNLOADED and t["unregister_results"] == [OK, OK]
    assert t["flow_delete_calls"] == 3 and t["filters_remaining"] == 0 and t["traffic_after_unload"] is None
    assert not any(s.mark for s in t.steps)   # nothing marked: nothing went wrong
    if model == "wdm":
        assert index(t, "FwpsInjectionHandleDestroy0(") < index(t, "IoDeleteDevice(")


def test_stop_new_work_comes_first():
    t = canonical()
    first = next(s for s in t.steps[index(t, "Unload(DriverObject)") + 1:] if s.actor is Actor.CALLOUT_DRIVER)
    assert first.action.startswith("Unloading = TRUE") and first.rules == ("wfp-stop-new-work",)
    assert RULES_BY_ID["wfp-stop-new-work"].kind is RuleKind.SAMPLE


def test_dynamic_session_takes_the_filters_before_the_callouts():
    t = canonical()
    close = t.steps[index(t, "FwpmEngineClose0(")]
    assert {"wfp-dynamic-session-filters", "wfp-filters-before-callouts"} <= set(close.rules)
    assert index(t, "FwpmEngineClose0(") < index(t, "FwpsCalloutUnregisterById0(")
    assert "FWPM_SESSION_FLAG_DYNAMIC" in t.steps[index(t, "FwpmEngineOpen0(")].detail
    assert t["filters_remaining"] == 0 and t["traffic_after_unload"] is None


def test_static_filters_are_deleted_by_key_before_their_callout_objects():
    t = canonical(filters="deleted-by-key")
    order = [index(t, a) for a in ("FwpmFilterDeleteByKey0(", "FwpmCalloutDeleteByKey0(", "FwpmEngineClose0(",
                                   "FwpsCalloutUnregisterById0(")]
    assert order == sorted(order)
    assert t.steps[order[1] + 1].status == OK and "wfp-delete-by-key" in t.rules
    assert t["filters_remaining"] == 0 and t.outcome is Outcome.UNLOADED


def test_deleting_a_callout_object_a_filter_names_fails_with_fwp_in_use():
    t = canonical(filters="left-in-place")
    returned = t.steps[index(t, "FwpmCalloutDeleteByKey0(") + 1]
    assert returned.status == "STATUS_FWP_IN_USE" and returned.mark is Mark.FAILED
    assert returned.rules == ("wfp-callout-object-in-use",)
    assert RULES_BY_ID["wfp-callout-object-in-use"].kind is RuleKind.DOC


@pytest.mark.parametrize("permit, traffic", [(False, "blocked"), (True, "permitted")])
def test_filters_left_behind_fail_closed_unless_they_permit(permit, traffic):
    t = canonical(filters="left-in-place", permit_if_unregistered=permit, callouts=3)
    assert t.outcome is Outcome.UNLOADED and t["callouts_registered"] == 0
    assert t["filters_remaining"] == 3 and t["traffic_after_unload"] == traffic
    note = t.steps[index(t, "filters outlive their callouts")]
    assert traffic in note.action and "wfp-filters-after-unregister" in note.rules
    assert note.mark is (None if permit else Mark.FAILED)
    assert ("wfp-permit-if-unregistered" in note.rules) is permit
    assert ("wfp-fail-closed-observed" in note.rules) is not permit
    assert traffic in t.headline
    assert RULES_BY_ID["wfp-fail-closed-observed"].kind is RuleKind.FIELD


def test_the_permit_flag_is_set_when_the_filters_are_added():
    t = canonical(permit_if_unregistered=True)
    add = t.steps[index(t, "FwpmFilterAdd0(")]
    assert "FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED" in add.detail
    assert "wfp-permit-if-unregistered" in add.rules


def test_closing_the_session_after_unregistering_blocks_traffic_meanwhile():
    t = canonical(filters="after-unregister")
    note = t.steps[index(t, "filters outlive their callouts")]
    assert note.mark is Mark.FAILED and "until the session is closed" in note.detail
    assert index(t, "FwpsCalloutUnregisterById0(") < index(t, "filters outlive") < index(t, "FwpmEngineClose0(")
    assert t["filters_remaining"] == 0 and t["traffic_after_unload"] is None and t.outcome is Outcome.UNLOADED


def test_work_in_flight_is_drained_before_unregistering():
    t = canonical(classify_in_progress=True)
    wait, returns = index(t, "ExWaitForRundownProtectionRelease("), index(t, "classifyFn returns")
    assert wait < returns < index(t, "KeWaitForSingleObject(WorkerThread") < index(t, "FwpsCalloutUnregisterById0(")
    assert {"wfp-rundown-wait", "wfp-drain-before-unregister"} <= set(t.steps[wait].rules)
    assert "wfp-wait-worker-thread" in t.steps[index(t, "KeWaitForSingleObject(WorkerThread")].rules
    assert t["unregister_results"] == [OK, OK] and t.outcome is Outcome.UNLOADED


def test_unregistering_while_a_classify_runs_fails_and_the_status_is_not_documented():
    t = canonical(classify_in_progress=True, drains_before_unregister=False)
    # not STATUS_DEVICE_BUSY as far as anyone documents, so no retry: callout 0 is left, silently
    assert t["unregister_results"] == [NOT_DOCUMENTED, OK]
    left = t.steps[index(t, "callout 0 left registered")]
    assert left.mark is Mark.SILENT and left.rules == ("wfp-silent-unregister-failure",)
    kept = t.steps[index(t, "returns, keeping the device")]
    assert kept.mark is Mark.SILENT and "IoDeleteDevice(DeviceObject)" not in actions(t)
    failed = [s for s in t.steps if s.status == NOT_DOCUMENTED]
    assert all(s.mark is Mark.SILENT and "wfp-silent-classify-unregister-status" in s.rules for s in failed)
    assert t.outcome is Outcome.HAZARD and t["callouts_registered"] == 1
    assert index(t, "FwpsCalloutUnregisterById0(") < index(t, "ExWaitForRundownProtectionRelease(")
    assert RULES_BY_ID["wfp-drain-before-unregister"].kind is RuleKind.FIELD
    assert RULES_BY_ID["wfp-silent-classify-unregister-status"].kind is RuleKind.SILENT


def test_draining_late_is_named_even_when_nothing_is_in_flight():
    t = canonical(drains_before_unregister=False)
    note = t.steps[index(t, "work in flight not drained first")]
    assert note.rules == ("wfp-drain-before-unregister",) and t.outcome is Outcome.UNLOADED


def test_waiting_for_flowdeletefn_makes_the_retry_documented():
    waited = canonical(callouts=1, flows_with_context=2, remove_flow_contexts="on-device-busy",
                       flow_removal="pending")
    assert waited["unregister_results"] == [BUSY, OK]
    wait = index(waited, "KeWaitForSingleObject(&NoFlowContexts")
    retry = max(i for i, s in enumerate(waited.steps) if s.action.startswith("FwpsCalloutUnregisterById0("))
    assert index(waited, "FwpsFlowRemoveContext0(") < wait < index(waited, "flowDeleteFn(") < retry
    assert "wfp-wait-flow-deletes" in waited.steps[wait].rules
    unwaited = run(callouts=1, flows_with_context=2, remove_flow_contexts="on-device-busy", flow_removal="pending")
    assert unwaited["unregister_results"] == [BUSY, NOT_DOCUMENTED]
    assert "wfp-wait-flow-deletes" in unwaited.rules   # the note that nothing waits


def test_unregistering_at_apc_level_returns_status_not_supported():
    t = canonical(unregister_at_apc_level=True)
    assert t["unregister_results"] == [STATUS_NOT_SUPPORTED] * 2 and t.outcome is Outcome.HAZARD
    assert index(t, "ExAcquireFastMutex(") < index(t, "FwpsCalloutUnregisterById0(") < index(t, "ExReleaseFastMutex(")
    returned = [s for s in t.steps if s.status == STATUS_NOT_SUPPORTED]
    assert all({"wfp-unregister-passive-level", "wfp-unregister-at-apc-fails"} <= set(s.rules) for s in returned)
    assert RULES_BY_ID["wfp-unregister-at-apc-fails"].kind is RuleKind.FIELD
    assert RULES_BY_ID["wfp-unregister-passive-level"].kind is RuleKind.DOC


def test_the_injection_handle_goes_after_the_callouts():
    t = canonical()
    destroy = index(t, "FwpsInjectionHandleDestroy0(")
    assert max(i for i, s in enumerate(t.steps) if s.action.startswith("FwpsCalloutUnregisterById0(")) < destroy
    assert "wfp-injection-destroy-waits" in t.steps[destroy].rules


def test_pnp_driver_unregisters_in_self_managed_io_cleanup_before_the_device_goes():
    t = canonical(model="wdf-pnp", trigger="device-removal", unregister_in="self-managed-io-cleanup")
    cleanup = index(t, "EvtDeviceSelfManagedIoCleanup(Device)")
    assert cleanup < index(t, "FwpsCalloutUnregisterById0(") < index(t, "deletes the device") \
        < index(t, "FxDriver::Unload(") < index(t, "EvtDriverUnload(Driver)") < index(t, "FwpsInjectionHandleDestroy0(")
    assert t.steps[index(t, "deletes the device")].mark is None
    assert t.outcome is Outcome.UNLOADED and "callout-kmdf-self-managed-io-cleanup" in t.rules
    assert index(t, "EvtDriverDeviceAdd(") < index(t, "WdfDeviceInitSetPnpPowerEventCallbacks(") \
        < index(t, "WdfDeviceCreate(")


def test_pnp_driver_unregistering_in_evtdriverunload_is_shown_as_the_mistake():
    t = run(model="wdf-pnp", trigger="device-removal")
    gone = t.steps[index(t, "deletes the device, its callouts still registered")]
    assert gone.mark is Mark.FAILED and "wfp-unregister-before-device-delete" in gone.rules
    assert index(t, "deletes the device, its callouts still registered") < index(t, "FwpsCalloutUnregisterById0(")
    assert t.outcome is Outcome.UNLOADED   # the JSON keeps its value; the step shows the broken order


def test_pnp_driver_without_evtdriverunload_leaks_its_injection_handle():
    t = canonical(model="wdf-pnp", trigger="device-removal", unregister_in="self-managed-io-cleanup",
                  unload_function=False)
    assert t.outcome is Outcome.UNLOADED and t["callouts_registered"] == 0
    note = t.steps[index(t, "no EvtDriverUnload to call")]
    assert note.mark is Mark.FAILED and "injection handle" in note.detail


def test_a_flaw_that_does_not_bite_is_still_named():
    """The C shows a BUG line for it, so the trace names it even when nothing failed."""
    assert "wfp-sample-stop-at-first-failure" in run().rules          # checks, but would give up
    assert "wfp-sample-ignores-result" in run(check_unregister_result=False).rules
    assert "wfp-wait-flow-deletes" in run(remove_flow_contexts="before-unregister").rules
    clean = canonical().rules
    assert not {"wfp-sample-stop-at-first-failure", "wfp-sample-ignores-result"} & set(clean)


def test_scm_refusals_reuse_the_service_realities():
    denied = canonical(caller_privileged=False)
    assert denied.outcome is Outcome.FAILED and "service-stop-access" in denied.rules
    assert denied["requester_got"] == "Win32 error 5 (ERROR_ACCESS_DENIED)" and not denied["driver_unload_called"]
    dependents = canonical(trigger="net-stop", dependent_services=True)
    assert dependents.outcome is Outcome.FAILED and "dependent-services-running" in dependents.rules
    assert "1051" in dependents["requester_got"]
    removal = canonical(model="wdf-pnp", trigger="device-removal", caller_privileged=False)
    assert removal.outcome is Outcome.UNLOADED   # the SCM's access check is not on the PnP path


# --- what the requester gets back -------------------------------------------------------------
@pytest.mark.parametrize("trigger, got, printed", [
    ("sc-stop", "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL)",
     ["[SC] ControlService FAILED 1052:", "", "The requested control is not valid for this service."]),
    ("net-stop", "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL); net's exact wording is not documented", []),
    ("ControlService", "ControlService returns FALSE; GetLastError() = 1052 (ERROR_INVALID_SERVICE_CONTROL)", []),
])
def test_refusal_in_the_callers_own_form(trigger, got, printed):
    t = run(trigger=trigger, unload_function=False)
    assert (t["requester_got"], t["printed"]) == (got, printed)


def test_success_in_the_callers_own_form():
    assert run()["requester_got"] == "success: the service is stopped"
    assert run(model="wdf-pnp", trigger="device-removal")["requester_got"] == (
        "the device is removed and the driver unloaded")
    assert run(trigger="shutdown")["requester_got"] == ""


# --- scenario knobs ---------------------------------------------------------------------------
def test_strings_and_members_are_normalised_and_echoed():
    s = CalloutScenario(model="wdf", trigger=Trigger.NET_STOP, remove_flow_contexts="before-unregister",
                        flow_removal="pending", driver_entry_returns="0x0")
    assert (s.model, s.trigger, s.remove_flow_contexts, s.flow_removal) == (
        DriverModel.WDF, CalloutTrigger.NET_STOP, ContextRemoval.BEFORE_UNREGISTER, FlowRemoval.PENDING)
    assert s.knobs()["trigger"] == "net-stop" and s.knobs()["driver_entry_returns"].startswith("STATUS_SUCCESS")
    assert simulate(s).inputs == s.knobs()
    assert {t.value for t in SERVICE_STOPS} | {"shutdown"} <= {t.value for t in Trigger}  # the minifilter's names


def test_defaults():
    s = CalloutScenario()
    assert (s.model, s.trigger, s.callouts, s.flows_with_context) == (DriverModel.WDM, CalloutTrigger.SC_STOP, 2, 0)


@pytest.mark.parametrize("knobs, fragment", [
    (dict(model="kmdf"), "model: 'kmdf'"),
    (dict(trigger="FilterUnload"), "'FilterUnload'"),
    (dict(trigger="device-removal"), "needs model 'wdf-pnp'"),
    (dict(flows_with_context=-1), "flows_with_context: expected a whole number 0..64, got -1"),
    (dict(flows_with_context=MAX_FLOWS + 1), "got 65"),
    (dict(flows_with_context=2.5), "got 2.5"),
    (dict(flows_with_context=True), "got True"),
    (dict(callouts=0), "callouts: expected a whole number 1..8, got 0"),
    (dict(unload_function="yes"), "unload_function: expected True or False, got 'yes'"),
    (dict(driver_entry_returns="0xZZ"), "'0xZZ'"),
    (dict(remove_flow_contexts="later"), "'later'"),
    (dict(remove_flow_contexts="on-device-busy", check_unregister_result=False), "'on-device-busy'"),
    (dict(flow_removal="pending", remove_flow_contexts="none", waits_for_flow_deletes=False), "'pending'"),
])
def test_bad_knobs_raise_scenario_error_naming_the_knob_and_value(knobs, fragment):
    with pytest.raises(ScenarioError, match=None) as e:
        CalloutScenario(**knobs)
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)


def test_simulate_needs_a_callout_scenario():
    with pytest.raises(ScenarioError, match="CalloutScenario"):
        simulate({"model": "wdm"})


def test_contexts_are_dealt_round_robin_over_the_callouts():
    assert CalloutScenario(flows_with_context=5, callouts=3).contexts_per_callout == (2, 2, 1)
    assert CalloutScenario(flows_with_context=0, callouts=3).contexts_per_callout == (0, 0, 0)


# --- the rules catalogue ---------------------------------------------------------------------
def test_callout_rules_are_well_formed_and_in_the_catalogue():
    ids = [r.id for r in CALLOUT_RULES]
    assert len(ids) == len(set(ids))
    for r in CALLOUT_RULES:
        assert r.id.startswith(("wfp-", "callout-")) and r.id == r.id.lower() and " " not in r.id
        assert RULES_BY_ID[r.id] is r and r.sources and "\n" not in r.statement
        assert r.statement[0].isupper() and r.statement.endswith("."), r.id
        if r.kind is RuleKind.SILENT:
            assert "not documented" in r.statement, r.id
        assert len(r.statement) < 240, r.id


def test_silent_rules_cover_the_open_questions():
    silent = {r.id: r for r in CALLOUT_RULES if r.kind is RuleKind.SILENT}
    assert {"wfp-silent-pending-unregister", "wfp-silent-registered-at-unload", "wfp-silent-shutdown",
            "wfp-silent-failed-entry-callouts"} <= set(silent)
    cited = " ".join(s.title for r in silent.values() for s in r.sources)
    assert "open question 10" in cited


def test_the_seed_is_the_source_of_its_rules():
    seeded = {r.id for r in CALLOUT_RULES if any("Specifying an Unload Function" in s.title for s in r.sources)}
    assert {"wfp-unload-required", "wfp-unload-called-on-unload", "wfp-unload-must-unregister",
            "wfp-no-unload-function", "wfp-wdm-driverunload", "wfp-wdf-evtdriverunload", "wfp-wdf-nonpnp"} <= seeded


def test_every_callout_rule_is_cited_somewhere_in_the_decision_space(space_callout):
    cited = {r for _, t in space_callout for r in t.rules}
    assert {r.id for r in CALLOUT_RULES} <= cited


# --- properties over the whole decision space ---------------------------------------------------
@pytest.fixture(scope="module")
def space_callout():
    return [(s, simulate(s)) for s in decision_space()]


def teardown_ran(s: CalloutScenario, t: Trace) -> bool:
    """Whether the driver's teardown (steps 1-5) ran: in its unload function, or for a PnP
    driver that does it right, in EvtDeviceSelfManagedIoCleanup."""
    if s.tears_down_in_cleanup:
        return any(st.action == "EvtDeviceSelfManagedIoCleanup(Device)" for st in t.steps)
    return t["unload_function_called"]


def check_invariants(s: CalloutScenario, t: Trace) -> None:
    """What holds for every callout scenario."""
    loaded = s.driver_entry_returns.nt_success
    hazard_steps = [st for st in t.steps if st.mark is Mark.HAZARD]
    # the image is never said to be gone with a callout registered; where no source says whether
    # it goes, unloaded and image_unloaded are both None (rule wfp-silent-registered-at-unload)
    assert not (t["unloaded"] and t["callouts_registered"]), s
    assert (t.outcome is Outcome.HAZARD) is bool(hazard_steps), s
    if t.outcome is Outcome.HAZARD:
        assert t["unloaded"] is None and t["callouts_registered"] > 0 and request_steps(t)[-1].mark is Mark.SILENT, s
    assert t["image_unloaded"] is t["unloaded"], s
    # no unload function at shutdown or after a failed DriverEntry
    if s.trigger is CalloutTrigger.SHUTDOWN or not loaded:
        assert not t["unload_function_called"] and not t["driver_unload_called"] and not unload_function_steps(t), s
    assert (t.outcome is Outcome.DRIVER_ENTRY_FAILED) is (not loaded), s
    # STATUS_DEVICE_BUSY only for contexts left on, and always then when nothing else fails first
    results = t["unregister_results"]
    if BUSY in results:
        assert s.flows_with_context and not s.removes_first and not s.unregister_at_apc_level, s
    if (loaded and teardown_ran(s, t) and s.unregisters and s.flows_with_context and not s.removes_first
            and not s.unregister_at_apc_level and not s.classify_in_progress and not s.concurrent_registration):
        assert BUSY in results, s
    # STATUS_FWP_IN_USE exactly when another thread (un)registers callout 0 as the teardown unregisters it
    assert ("STATUS_FWP_IN_USE" in results) is (teardown_ran(s, t) and s.unregisters
                                               and s.concurrent_registration), s
    assert (STATUS_NOT_SUPPORTED in results) is (teardown_ran(s, t) and s.unregister_at_apc_level), s
    # who calls whom
    if t["unload_function_called"]:
        assert t["driver_unload_called"] and s.unload_function, s
    if t["driver_unload_called"]:
        assert t["driver_unload_set"] and t["unloaded"] is not False, s
    # a service stop fails exactly when the SCM refuses it, or there is no DriverUnload, or the driver is PnP;
    # a direct NtUnloadDriver the same, with the kernel's privilege check in place of the SCM's
    stop = loaded and s.trigger in SERVICE_STOPS
    direct = loaded and s.trigger is CalloutTrigger.NT_UNLOAD_DRIVER
    refused = (stop or direct) and (not s.caller_privileged or (stop and s.dependent_services)
                                    or not s.driver_unload_set or s.model is DriverModel.WDF_PNP)
    assert (t.outcome is Outcome.FAILED) is refused, s
    if refused:
        assert not t["unloaded"] and t["callouts_registered"] == s.callouts, s
        if stop:
            assert "Win32 error" in t["requester_got"] or "GetLastError" in t["requester_got"], s
        else:
            assert t["requester_got"].startswith("NTSTATUS STATUS_") and not t["printed"], s
    # bookkeeping: callouts and flow contexts are conserved (a PnP driver registers only once its
    # device is added, which a failed DriverEntry never gets to)
    registered_ever = 0 if s.model is DriverModel.WDF_PNP and not loaded else s.callouts
    assert 0 <= t["callouts_registered"] <= registered_ever, s
    if loaded:
        assert t["flow_contexts_remaining"] + t["flow_delete_calls"] == s.flows_with_context, s
    else:
        assert t["flow_contexts_remaining"] == t["flow_delete_calls"] == 0, s
    if t.outcome is Outcome.UNLOADED:
        assert t["callouts_registered"] == 0 and t["flow_contexts_remaining"] == 0, s
    # the headline counts the undocumented results it points to, exactly
    silent = results.count(NOT_DOCUMENTED)
    said = {0: "", 1: " One unregister result is not documented: "}.get(
        silent, f" {silent} unregister results are not documented: ")
    assert (said in t.headline) if silent else ("not documented:" not in t.headline.split(". Its code")[0]), s
    # filters: gone exactly when the teardown (or a failing DriverEntry) took them out; what is left
    # decides the traffic
    # (a failing DriverEntry never adds them: they come last)
    filters_taken_out = not loaded or (teardown_ran(s, t) and s.filters is not FilterRemoval.LEFT_IN_PLACE)
    assert t["filters_remaining"] == (0 if filters_taken_out else registered_ever), s
    traffic = t["traffic_after_unload"]
    if t["filters_remaining"] and not t["callouts_registered"] and t.outcome in (Outcome.UNLOADED,
                                                                                 Outcome.DRIVER_ENTRY_FAILED):
        assert traffic == ("permitted" if s.permit_if_unregistered else "blocked"), s
    else:
        assert traffic is None, s
    # the trace itself
    assert t.family == "callout" and t.inputs == s.knobs() and t["mandatory"] is (s.trigger in SERVICE_STOPS
                                                                              or s.trigger is CalloutTrigger.NT_UNLOAD_DRIVER)
    for st in t.steps:
        assert st.rules and all(r in RULES_BY_ID for r in st.rules), st
        assert (st.target is not None) is (st.kind in (Kind.CALL, Kind.RETURN)), st
        assert st.status is None or st.kind is Kind.RETURN, st
        if st.mark is Mark.SILENT:
            assert any(RULES_BY_ID[r].kind is RuleKind.SILENT for r in st.rules), st


def test_invariants_hold_over_the_whole_decision_space(space_callout):
    for s, t in space_callout:
        check_invariants(s, t)


CALLOUT_OUTCOMES = {Outcome.UNLOADED, Outcome.FAILED, Outcome.SHUTDOWN, Outcome.DRIVER_ENTRY_FAILED, Outcome.HAZARD}


def test_decision_space_size_and_coverage(space_callout):
    assert len(space_callout) < 13000
    assert {t.outcome for _, t in space_callout} == CALLOUT_OUTCOMES
    assert {(s.model, s.trigger) for s, _ in space_callout} >= {(m, t) for m in DriverModel for t in SERVICE_STOPS}
    for knob, values in (("remove_flow_contexts", ContextRemoval), ("filters", FilterRemoval),
                         ("unregister_place", UnregisterPlace), ("flow_removal", FlowRemoval)):
        assert {getattr(s, knob) for s, _ in space_callout} == set(values), knob
    # unregister_in is left unset (None) wherever the place is the model's right one
    assert {s.unregister_in for s, _ in space_callout} == {None, UnregisterPlace.UNLOAD_FUNCTION}
    for knob in ("permit_if_unregistered", "classify_in_progress", "drains_before_unregister",
                 "unregister_at_apc_level", "waits_for_flow_deletes", "caller_privileged", "dependent_services"):
        assert {getattr(s, knob) for s, _ in space_callout} == {False, True}, knob
    assert {t["traffic_after_unload"] for _, t in space_callout} == {None, "blocked", "permitted"}


def test_every_trace_is_json_and_deterministic(space_callout):
    for s, t in space_callout[::37]:
        assert json.loads(json.dumps(t.to_dict()))["unregister_results"] == t["unregister_results"]
        assert simulate(s) == t


def test_simulate_is_pure_and_prints_nothing(capsys):
    s = CalloutScenario(flows_with_context=3, remove_flow_contexts="on-device-busy")
    before = s.knobs()
    assert simulate(s) == simulate(s) and s.knobs() == before
    assert capsys.readouterr() == ("", "")


def test_simulate_is_fast(space_callout):
    scenarios = [s for s, _ in space_callout]
    best = min(_timed(scenarios) for _ in range(3))
    assert best / len(scenarios) < 100e-6, f"{best / len(scenarios) * 1e6:.0f} us per scenario"


def _timed(scenarios) -> float:
    start = time.perf_counter()
    for s in scenarios:
        simulate(s)
    return time.perf_counter() - start


_STATUS_CODES = st.one_of(st.sampled_from([0, 0x103, 0x40000000, 0x80000011, 0xC0000001, 0xC000009A]),
                          st.integers(0, 0xFFFFFFFF))


@settings(max_examples=300, deadline=None)
@given(model=st.sampled_from(DriverModel), trigger=st.sampled_from(CalloutTrigger), fn=st.booleans(),
       unregisters=st.booleans(), check=st.booleans(), flows=st.integers(0, MAX_FLOWS),
       removal=st.sampled_from(ContextRemoval), pending=st.booleans(), waits=st.booleans(),
       callouts=st.integers(1, MAX_CALLOUTS), de=_STATUS_CODES, filters=st.sampled_from(FilterRemoval),
       world=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
       code=st.tuples(st.booleans(), st.booleans(), st.sampled_from(UnregisterPlace)))
def test_invariants_hold_for_arbitrary_knobs(model, trigger, fn, unregisters, check, flows, removal, pending, waits,
                                             callouts, de, filters, world, code):
    permit, classify, privileged, dependents = world
    drains, apc, place = code
    knobs = dict(model=model, trigger=trigger, unload_function=fn, unregisters=unregisters,
                 check_unregister_result=check, flows_with_context=flows, remove_flow_contexts=removal,
                 flow_removal=FlowRemoval.PENDING if pending else FlowRemoval.SYNCHRONOUS,
                 waits_for_flow_deletes=waits, callouts=callouts, driver_entry_returns=NtStatus(de), filters=filters,
                 permit_if_unregistered=permit, classify_in_progress=classify, drains_before_unregister=drains,
                 unregister_at_apc_level=apc, unregister_in=place, caller_privileged=privileged,
                 dependent_services=dependents)
    try:
        s = CalloutScenario(**knobs)
    except ScenarioError:  # the contradictions the scenario refuses
        retries = removal in (ContextRemoval.ON_DEVICE_BUSY, ContextRemoval.BEFORE_AND_ON_BUSY)
        none = removal is ContextRemoval.NONE
        assert ((trigger is CalloutTrigger.DEVICE_REMOVAL and model is not DriverModel.WDF_PNP)
                or (retries and not check) or (pending and none) or (waits and none) or (apc and not unregisters)
                or (place is UnregisterPlace.SELF_MANAGED_IO_CLEANUP and model is not DriverModel.WDF_PNP)
                or (dependents and not NtStatus(de).nt_success))
        return
    check_invariants(s, simulate(s))


# --- the catalogue ------------------------------------------------------------------------------
@pytest.mark.parametrize("example", CALLOUT_EXAMPLES, ids=lambda e: e.name)
def test_catalogue_entry_replays(example):
    assert example.family == "callout" and example.lesson in ("08-wfp-callout", "08b-wfp-teardown")
    assert all(r in RULES_BY_ID for r in example.rules)
    trace = example.run()
    assert example.mismatches(trace) == []
    check_invariants(example.scenario(), trace)


def test_catalogue_names_are_unique_across_families():
    from unloadlab.catalogue import CATALOGUE
    names = [e.name for e in CATALOGUE]
    assert len(names) == len(set(names)) and {e.name for e in CALLOUT_EXAMPLES} <= set(names)


def test_catalogue_covers_every_outcome_and_model():
    assert {e.run().outcome for e in CALLOUT_EXAMPLES} == CALLOUT_OUTCOMES
    assert {e.scenario().model for e in CALLOUT_EXAMPLES} == set(DriverModel)
    assert {e.scenario().trigger for e in CALLOUT_EXAMPLES} == set(CalloutTrigger)


def test_public_names():
    assert set(callout.__all__) >= {"CalloutScenario", "simulate", "decision_space", "DriverModel", "CalloutTrigger"}


def test_a_pnp_device_deleted_before_its_callouts_is_not_headlined_as_clean():
    from unloadlab.catalogue import example
    late, clean = example("wfp-wdf-pnp-unregister-too-late").run(), example("wfp-wdf-pnp-removal-clean").run()
    assert "against the documented order" in late.headline and "every callout was unregistered" not in late.headline
    assert clean.headline.endswith("every callout was unregistered and the driver was unloaded.")
