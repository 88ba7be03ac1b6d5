"""One test class per documented rule the minifilter model uses; each asserts behaviour."""
import pytest

from unloadlab.minifilter import FLTFL_FILTER_UNLOAD_MANDATORY, MinifilterScenario, Trigger, simulate
from unloadlab.windows import Actor, Kind, Mark, Outcome

NON_MANDATORY = ["FilterUnload", "FltUnloadFilter", "fltmc-unload"]
MANDATORY = ["sc-stop", "net-stop", "ControlService"]
ALL = NON_MANDATORY + MANDATORY + ["shutdown"]


def run(**knobs):
    return simulate(MinifilterScenario(**knobs))


def actions(trace):
    return [s.action for s in trace.steps]


def called(trace, name):
    return any(s.kind is Kind.CALL and s.action.startswith(name) for s in trace.steps)


class TestCallbackOptionalButNeededToUnload:
    """Seeds 000/001: the callback is optional; without it the driver cannot be unloaded."""

    @pytest.mark.parametrize("trigger", NON_MANDATORY + MANDATORY)
    def test_no_callback_means_no_unload_by_any_request(self, trigger):
        t = run(trigger=trigger, unload_callback=False)
        assert t.outcome is Outcome.FAILED and not t["unloaded"] and not t["callback_called"]
        assert "no-callback-no-unload" in t.rules

    def test_loading_without_a_callback_works(self):
        t = run(trigger="shutdown", unload_callback=False)
        assert "FilterUnloadCallback=NULL" in actions(t)[1] and "callback-optional" in t.rules


class TestRegistration:
    """The callback goes in FLT_REGISTRATION, passed to FltRegisterFilter from DriverEntry."""

    def test_driver_entry_registers_before_anything_else(self):
        t = run(trigger="FilterUnload")
        assert actions(t)[0].startswith("DriverEntry") and actions(t)[1].startswith("FltRegisterFilter")
        assert "FilterUnloadCallback=FilterUnloadCallback" in actions(t)[1]

    def test_flags_are_shown_in_the_registration(self):
        t = run(trigger="FilterUnload", flags=["SUPPORT_NPFS_MSFS", "DO_NOT_SUPPORT_SERVICE_STOP"])
        assert ("Flags=FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP | FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS"
                in actions(t)[1])
        assert "registration-flags" in t.rules

    @pytest.mark.parametrize("flag", ["SUPPORT_NPFS_MSFS", "SUPPORT_DAX_VOLUME", "SUPPORT_WCOS"])
    @pytest.mark.parametrize("trigger", ALL)
    def test_other_flags_do_not_change_unloading(self, flag, trigger):
        assert run(trigger=trigger, flags=[flag]).outcome is run(trigger=trigger).outcome


class TestNonMandatory:
    """FilterUnload, FltUnloadFilter and fltmc unload: Flags=0; a warning or error refuses."""

    @pytest.mark.parametrize("trigger", NON_MANDATORY)
    def test_flags_are_zero(self, trigger):
        t = run(trigger=trigger)
        assert not t["mandatory"] and t["callback_flags"] == [] and "FilterUnloadCallback(Flags=0)" in actions(t)

    @pytest.mark.parametrize("trigger", NON_MANDATORY)
    @pytest.mark.parametrize("st", ["STATUS_FLT_DO_NOT_DETACH", "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL",
                                    "0xC0001234", "0x80000001"])
    def test_warning_or_error_refuses(self, trigger, st):
        t = run(trigger=trigger, callback_returns=st)
        assert t.outcome is Outcome.REFUSED and not t["unloaded"]
        assert "nonmandatory-refusal" in t.rules
        assert any(s.mark is Mark.REFUSED for s in t.steps)

    @pytest.mark.parametrize("trigger", NON_MANDATORY)
    @pytest.mark.parametrize("st", ["STATUS_SUCCESS", "STATUS_PENDING", "STATUS_OBJECT_NAME_EXISTS", "0x40001234"])
    def test_success_or_informational_unloads(self, trigger, st):
        t = run(trigger=trigger, callback_returns=st)
        assert t.outcome is Outcome.UNLOADED and t["unloaded"]

    def test_informational_cites_its_rule(self):
        assert "informational-allows" in run(trigger="fltmc-unload", callback_returns="0x40000000").rules

    def test_refusing_callback_tears_nothing_down(self):
        t = run(trigger="FilterUnload", callback_returns="STATUS_FLT_DO_NOT_DETACH", instances=2,
                server_port="closed-before-unregister")
        assert not called(t, "FltUnregisterFilter") and not called(t, "FltCloseCommunicationPort")
        assert t["instances_torn_down"] == 0 and "refuse-before-teardown" in t.rules

    def test_fltunloadfilter_gets_the_callbacks_status(self):
        t = run(trigger="FltUnloadFilter", callback_returns="STATUS_FLT_DO_NOT_DETACH")
        assert t["requester_got"] == "NTSTATUS STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)"

    def test_filterunload_gets_the_filter_hresult(self):
        t = run(trigger="FilterUnload", callback_returns="STATUS_FLT_DO_NOT_DETACH")
        assert t["requester_got"] == "HRESULT 0x801F0010" and "flt-hresult" in t.rules

    def test_fltmc_prints_the_observed_lines(self):
        t = run(trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH")
        assert t["printed"] == ["Unload failed with error: 0x801f0010",
                                "Do not detach the filter from the volume at this time."]
        assert "fltmc-output" in t.rules

    def test_an_undocumented_hresult_is_said_to_be_undocumented(self):
        t = run(trigger="FilterUnload", callback_returns="STATUS_UNSUCCESSFUL")
        assert "not documented" in t["requester_got"] and "silent-other-hresult" in t.rules

    def test_service_stop_opt_out_does_not_matter(self):
        t = run(trigger="fltmc-unload", flags=["DO_NOT_SUPPORT_SERVICE_STOP"])
        assert t.outcome is Outcome.UNLOADED and t["callback_called"]


class TestMandatory:
    """sc stop, net stop, ControlService: MANDATORY flag; the callback's status is ignored."""

    @pytest.mark.parametrize("trigger", MANDATORY)
    def test_flag_is_mandatory(self, trigger):
        t = run(trigger=trigger)
        assert t["mandatory"] and t["callback_flags"] == [FLTFL_FILTER_UNLOAD_MANDATORY]

    @pytest.mark.parametrize("trigger", MANDATORY)
    @pytest.mark.parametrize("st", ["STATUS_FLT_DO_NOT_DETACH", "STATUS_DEVICE_BUSY", "0xC0001234"])
    def test_refusal_is_ignored(self, trigger, st):
        t = run(trigger=trigger, callback_returns=st)
        assert t.outcome is Outcome.UNLOADED and t["unloaded"]
        assert "mandatory-ignores-refusal" in t.rules and any(s.mark is Mark.IGNORED for s in t.steps)
        assert "silent-no-unregister" in t.rules  # it returned before FltUnregisterFilter

    def test_service_stop_goes_scm_then_kernel_then_filter_manager(self):
        t = run(trigger="sc-stop")
        order = [(s.actor, s.target) for s in t.steps if s.kind is Kind.CALL]
        start = order.index((Actor.CALLER, Actor.SCM))
        assert order[start:start + 4] == [(Actor.CALLER, Actor.SCM), (Actor.SCM, Actor.IO_MANAGER),
                             (Actor.IO_MANAGER, Actor.FILTER_MANAGER), (Actor.FILTER_MANAGER, Actor.MINIFILTER)]
        assert "scm-ntunloaddriver" in t.rules and "unload-in-system-thread" in t.rules

    def test_conditional_refusal_lets_the_mandatory_unload_tear_down(self):
        t = run(trigger="net-stop", callback_returns="STATUS_FLT_DO_NOT_DETACH",
                refuse_only_if_not_mandatory=True, instances=1)
        assert t["callback_returned"] == "STATUS_SUCCESS" and called(t, "FltUnregisterFilter")
        assert t["instances_torn_down"] == 1

    def test_conditional_refusal_still_refuses_non_mandatory(self):
        t = run(trigger="FltUnloadFilter", callback_returns="STATUS_FLT_DO_NOT_DETACH",
                refuse_only_if_not_mandatory=True)
        assert t.outcome is Outcome.REFUSED


class TestDoNotSupportServiceStop:
    """With the opt-out flag a service stop fails and calls nothing; sc shows 1052."""

    @pytest.mark.parametrize("trigger", MANDATORY)
    def test_service_stop_fails_without_calling_the_callback(self, trigger):
        t = run(trigger=trigger, flags=["FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP"])
        assert t.outcome is Outcome.FAILED and not t["callback_called"] and not t["unloaded"]
        assert {"do-not-support-service-stop", "failed-request-no-callback", "null-driverunload"} <= set(t.rules)
        assert not any(s.target is Actor.FILTER_MANAGER and s.actor is Actor.IO_MANAGER for s in t.steps)

    def test_sc_prints_1052(self):
        t = run(trigger="sc-stop", flags=["DO_NOT_SUPPORT_SERVICE_STOP"])
        assert t["printed"] == ["[SC] ControlService FAILED 1052:", "",
                                "The requested control is not valid for this service."]

    def test_controlservice_returns_false_with_1052(self):
        t = run(trigger="ControlService", flags=["DO_NOT_SUPPORT_SERVICE_STOP"])
        assert "FALSE" in t["requester_got"] and "1052" in t["requester_got"]

    def test_driver_unload_is_null_at_registration(self):
        t = run(trigger="sc-stop", flags=["DO_NOT_SUPPORT_SERVICE_STOP"])
        assert "DriverObject->DriverUnload = NULL" in actions(t)


class TestFailedDriverEntry:
    """A warning or error from DriverEntry: no callback ever; the image is just unloaded."""

    @pytest.mark.parametrize("trigger", ALL)
    @pytest.mark.parametrize("st", ["STATUS_UNSUCCESSFUL", "STATUS_DEVICE_BUSY", "STATUS_INSUFFICIENT_RESOURCES"])
    def test_no_callback_and_unloaded(self, trigger, st):
        t = run(trigger=trigger, driver_entry_returns=st, shutdown_preop=True)
        assert t.outcome is Outcome.DRIVER_ENTRY_FAILED and t["unloaded"]
        assert not t["callback_called"] and not t["shutdown_preop_called"]
        assert "driver-entry-failed" in t.rules

    def test_informational_driver_entry_loads(self):
        assert run(trigger="FilterUnload", driver_entry_returns="STATUS_OBJECT_NAME_EXISTS").outcome is Outcome.UNLOADED

    def test_requests_afterwards_find_nothing(self):
        assert run(trigger="FltUnloadFilter", driver_entry_returns="0xC0000001")["requester_got"] == \
            "NTSTATUS STATUS_FLT_FILTER_NOT_FOUND (0xC01C0013, error)"
        assert "1062" in run(trigger="sc-stop", driver_entry_returns="0xC0000001")["requester_got"]

    def test_failing_driver_entry_undoes_its_registration(self):
        t = run(trigger="shutdown", driver_entry_returns="0xC0000001")
        assert called(t, "FltUnregisterFilter") and "driver-entry-pattern" in t.rules


class TestShutdown:
    """At shutdown the callback is never called; an IRP_MJ_SHUTDOWN pre-operation is."""

    @pytest.mark.parametrize("preop", [True, False])
    @pytest.mark.parametrize("st", ["STATUS_SUCCESS", "STATUS_FLT_DO_NOT_DETACH"])
    def test_callback_not_called(self, preop, st):
        t = run(trigger="shutdown", shutdown_preop=preop, callback_returns=st)
        assert t.outcome is Outcome.SHUTDOWN and not t["callback_called"] and not t["unloaded"]
        assert t["shutdown_preop_called"] is preop
        assert "no-callback-at-shutdown" in t.rules

    def test_preop_is_registered_in_flt_registration(self):
        assert "IRP_MJ_SHUTDOWN pre-operation" in actions(run(trigger="shutdown", shutdown_preop=True))[1]


class TestUnloadRoutine:
    """Close the port, FltUnregisterFilter (instance teardown), clean up, return."""

    def test_documented_order(self):
        t = run(trigger="sc-stop", server_port="closed-before-unregister", instances=1)
        a = actions(t)
        i_close = a.index("FltCloseCommunicationPort(ServerPort)")
        i_unreg = a.index("FltUnregisterFilter(Filter)")
        i_clean = a.index("global cleanup")
        assert i_close < i_unreg < i_clean < a.index("FilterUnloadCallback returns")

    @pytest.mark.parametrize("trigger", NON_MANDATORY + MANDATORY)
    def test_port_left_open_hangs(self, trigger):
        t = run(trigger=trigger, server_port="left-open")
        assert t.outcome is Outcome.HUNG and not t["unloaded"] and t["callback_returned"] is None
        assert {"port-before-unregister", "fltunregister-blocks"} <= set(t.rules)
        assert t.steps[-1].mark is Mark.HUNG

    def test_teardown_start_then_complete_per_instance_with_reason(self):
        t = run(trigger="FilterUnload", instances=2)
        td = [a for a in actions(t) if a.startswith("InstanceTeardown")]
        assert td == ["InstanceTeardownStartCallback(C:, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)",
                      "InstanceTeardownCompleteCallback(C:, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)",
                      "InstanceTeardownStartCallback(D:, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)",
                      "InstanceTeardownCompleteCallback(D:, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD)"]

    def test_mandatory_reason_is_flagged_as_partly_undocumented(self):
        t = run(trigger="sc-stop", instances=1)
        assert any("MANDATORY_FILTER_UNLOAD" in a for a in actions(t)) and "silent-teardown-reason" in t.rules

    def test_query_teardown_is_not_called_on_unload(self):
        t = run(trigger="FilterUnload", instances=1)
        assert not called(t, "InstanceQueryTeardown") and "query-teardown-manual-only" in t.rules

    def test_without_teardown_callbacks_instances_still_go(self):
        t = run(trigger="FilterUnload", instances=3, teardown_callbacks=False)
        assert t["instances_torn_down"] == 3 and not called(t, "InstanceTeardown")

    def test_pended_io_hangs_before_teardown_complete(self):
        t = run(trigger="sc-stop", instances=2, pended_io=True)
        assert t.outcome is Outcome.HUNG and "teardown-hang" in t.rules
        assert not called(t, "InstanceTeardownCompleteCallback")

    def test_forgetting_fltunregisterfilter_is_flagged_silent(self):
        t = run(trigger="FilterUnload", calls_unregister=False)
        assert "silent-no-unregister" in t.rules and any(s.mark is Mark.SILENT for s in t.steps)


class TestPrivilege:
    """FilterUnload needs SeLoadDriverPrivilege; a service stop needs SERVICE_STOP access, which a
    service's default security gives administrators only; the kernel call uses the SCM's privilege."""

    @pytest.mark.parametrize("trigger", ["FilterUnload", "fltmc-unload"])
    def test_user_mode_caller_without_privilege_fails_before_the_filter_manager_acts(self, trigger):
        t = run(trigger=trigger, caller_privileged=False)
        assert t.outcome is Outcome.FAILED and not t["callback_called"]
        assert "silent-privilege-hresult" in t.rules and "inferred" in t["requester_got"]

    @pytest.mark.parametrize("trigger", MANDATORY)
    def test_service_stop_by_an_administrator_uses_the_scms_privilege(self, trigger):
        t = run(trigger=trigger)
        assert t.outcome is Outcome.UNLOADED and "scm-ntunloaddriver" in t.rules

    @pytest.mark.parametrize("trigger", MANDATORY)
    def test_service_stop_by_a_standard_user_is_access_denied(self, trigger):
        t = run(trigger=trigger, caller_privileged=False)
        assert t.outcome is Outcome.FAILED and not t["callback_called"] and "service-stop-access" in t.rules
        assert "ERROR_ACCESS_DENIED" in t["requester_got"] and "5" in t["requester_got"]
        assert not called(t, "NtUnloadDriver") and t.steps[-1].status == "ERROR_ACCESS_DENIED (5)"

    def test_fltmc_enables_the_privilege_first(self):
        assert actions(run(trigger="fltmc-unload"))[5] == "enable SeLoadDriverPrivilege"


def test_every_trigger_has_a_caller_and_mandatory_is_exactly_the_service_stops_and_ntunloaddriver():
    assert {t.value for t in Trigger if t.facts.mandatory} == set(MANDATORY) | {"NtUnloadDriver"}
    assert {t.value for t in Trigger if t.facts.via_scm} == set(MANDATORY)
    assert all(t.facts.caller and t.facts.who for t in Trigger)
