"""The craft of a minifilter unload (issue 11): what keeps it from finishing, what crashes
later, conditional refusal done right, the service stop as it really goes, shutdown, and
the C that shows each mistake. One test class per group, a test per new rule, and the C
view's teardown calls checked against the trace for every variant."""
import re

import pytest

from unloadlab.catalogue import RULES_BY_ID, rule
from unloadlab.minifilter import (BUGCHECK_0XC4, BUGCHECK_0XC7, BUGCHECK_0XCE, BUGCHECK_0XD4, MINIFILTER_EXAMPLES, CleanupMistake,
                                  Leak, MinifilterScenario, ServerPort, craft_space, decision_space, minifilter_c,
                                  simulate)
from unloadlab.windows import Actor, Kind, Mark, Outcome, RuleKind, ScenarioError

DND = "STATUS_FLT_DO_NOT_DETACH"
SERVICE_STOPS = ["sc-stop", "net-stop", "ControlService"]


def run(**knobs):
    return simulate(MinifilterScenario(**knobs))


def actions(trace):
    return [s.action for s in trace.steps]


def index(trace, prefix):
    """Position of the first step whose action starts with prefix (ValueError if none)."""
    return next(i for i, a in enumerate(actions(trace)) if a.startswith(prefix))


def has(trace, prefix):
    return any(a.startswith(prefix) for a in actions(trace))


# ============================================================================ what the unload waits for
class TestWhatFltUnregisterFilterWaitsFor:
    @pytest.mark.parametrize("leak", list(Leak))
    @pytest.mark.parametrize("trigger", ["FilterUnload", "fltmc-unload", "sc-stop"])
    def test_each_leak_hangs_after_instance_teardown_and_names_what_it_waits_for(self, leak, trigger):
        t = run(trigger=trigger, leaks=[leak.value], instances=2)
        assert t.outcome is Outcome.HUNG and not t["unloaded"] and t["callback_returned"] is None
        assert t["instances_torn_down"] == 2 and not has(t, "FltUnregisterFilter returns")
        assert t.steps[-1].mark is Mark.HUNG and t.steps[-1].action.startswith("waits for ")
        assert t["blocked_on"] and t["blocked_on"] in t.steps[-1].detail
        assert t["requester_got"] == "nothing: the request never returns"

    def test_object_reference_rundown(self):
        t = run(trigger="sc-stop", leaks=["object-reference"])
        assert {"object-reference-rundown", "fltunregister-blocks", "fltunregister-rundown-stack"} <= set(t.rules)
        assert "FltObjectDereference" in t["blocked_on"] and rule("object-reference-rundown").kind is RuleKind.DOC

    def test_work_item_rundown(self):
        t = run(trigger="FltUnloadFilter", leaks=["work-item"])
        assert "work-item-rundown" in t.rules and "FltQueueGenericWorkItem" in t["blocked_on"]
        assert rule("work-item-rundown").kind is RuleKind.DOC

    def test_fltunregister_rundown_stack_is_field_observed_and_names_the_wait(self):
        r = rule("fltunregister-rundown-stack")
        assert r.kind is RuleKind.FIELD and "FltpWaitForRundownProtectionReleaseInternal" in r.statement
        assert "systeminformer/issues/1755" in r.cite()
        assert "!stacks" in run(trigger="sc-stop", leaks=["work-item"]).steps[-1].detail

    def test_leaked_context_blocks_is_field_observed_not_documented(self):
        t = run(trigger="fltmc-unload", leaks=["context"])
        assert "leaked-context-blocks" in t.rules and rule("leaked-context-blocks").kind is RuleKind.FIELD
        assert "Windows-driver-samples#1360" in rule("leaked-context-blocks").statement
        assert "silent-leak-wait-point" in t.rules  # where it stops is the lab's choice, said so

    @pytest.mark.parametrize("leak, rule_id", [("name-information", "silent-name-info-wait"),
                                               ("open-file", "silent-open-file-wait")])
    def test_leaks_no_page_says_block_are_marked_silent(self, leak, rule_id):
        t = run(trigger="FilterUnload", leaks=[leak])
        assert rule_id in t.rules and rule(rule_id).kind is RuleKind.SILENT
        assert "not documented" in rule(rule_id).statement

    def test_silent_leak_wait_point_only_for_references_no_page_places(self):
        for leak in Leak:
            cited = "silent-leak-wait-point" in run(trigger="sc-stop", leaks=[leak.value]).rules
            assert cited is (leak in (Leak.CONTEXT, Leak.NAME_INFORMATION, Leak.OPEN_FILE)), leak

    def test_filter_verifier_leaks_is_how_to_find_tracked_references(self):
        for leak in Leak:
            cited = "filter-verifier-leaks" in run(trigger="sc-stop", leaks=[leak.value]).rules
            assert cited is (leak is not Leak.OBJECT_REFERENCE), leak
        assert "!fltkd" in rule("filter-verifier-leaks").statement

    def test_several_leaks_are_one_hang_naming_each(self):
        t = run(trigger="sc-stop", leaks=["context", "work-item", "object-reference"])
        assert [s.mark for s in t.steps].count(Mark.HUNG) == 1 and t["blocked_on"].count(";") == 2

    def test_an_open_server_port_is_met_before_the_leaks(self):
        t = run(trigger="sc-stop", leaks=["context"], server_port="left-open")
        assert t["blocked_on"] == "the open communication server port"

    def test_send_message_no_timeout_hangs_in_the_callback_before_unregistering(self):
        t = run(trigger="sc-stop", server_port="closed-before-unregister", send_message_wait=True, instances=2)
        assert t.outcome is Outcome.HUNG and "send-message-no-timeout" in t.rules
        assert has(t, "FltSendMessage(") and not has(t, "FltUnregisterFilter(")
        assert not has(t, "FltCloseCommunicationPort") and t["instances_torn_down"] == 0
        assert "FltSendMessage" in t.headline and "FltSendMessage" in t["blocked_on"]

    def test_the_existing_hangs_now_say_what_they_wait_for(self):
        assert run(trigger="sc-stop", pended_io=True)["blocked_on"].startswith("a pended operation on C:")
        assert run(trigger="sc-stop", server_port="left-open")["blocked_on"] == "the open communication server port"

    @pytest.mark.parametrize("knobs, named", [
        (dict(leaks=["context"], instances=0), "leaks"), (dict(leaks=["open-file"], instances=0), "leaks"),
        (dict(leaks=["work-item"], calls_unregister=False), "leaks"),
        (dict(send_message_wait=True), "send_message_wait"),
        (dict(leaks=["nope"]), "leaks"), (dict(leaks=3), "leaks"),
    ])
    def test_combinations_that_cannot_meet_are_named(self, knobs, named):
        with pytest.raises(ScenarioError) as e:
            MinifilterScenario(trigger="sc-stop", **knobs)
        assert str(e.value).startswith(f"{named}: ")

    def test_a_filter_object_reference_needs_no_instance(self):
        assert run(trigger="sc-stop", leaks=["object-reference", "work-item"], instances=0).outcome is Outcome.HUNG


# ============================================================================ InstanceTeardownStart
class TestInstanceTeardownStartDuties:
    def test_teardown_start_duties_drain_the_queue_and_the_unload_proceeds(self):
        t = run(trigger="sc-stop", instances=3, pended_io=True, drains_pended_io=True)
        assert t.outcome is Outcome.UNLOADED and t["instances_torn_down"] == 3 and "teardown-start-duties" in t.rules
        a = actions(t)
        assert a.count("FltCbdqDisable(Context->Queue)") == 3 and a.count("FltCompletePendedPreOperation(Data, ...)") == 1
        start, disable, complete = (index(t, p) for p in ("InstanceTeardownStartCallback(C:", "FltCbdqDisable",
                                                          "InstanceTeardownCompleteCallback(C:"))
        assert start < disable < index(t, "FltCompletePendedPreOperation") < complete

    def test_post_op_draining_is_cited_when_pended_work_is_drained(self):
        t = run(trigger="FilterUnload", pended_io=True, drains_pended_io=True)
        assert "post-op-draining" in t.rules and "FLTFL_POST_OPERATION_DRAINING" in rule("post-op-draining").statement
        assert "post-op-draining" not in run(trigger="FilterUnload", drains_pended_io=True).rules

    def test_without_the_drain_the_pended_operation_still_hangs(self):
        t = run(trigger="sc-stop", pended_io=True)
        assert t.outcome is Outcome.HUNG and "teardown-hang" in t.rules

    def test_the_drain_needs_a_teardown_start_callback(self):
        with pytest.raises(ScenarioError, match="^drains_pended_io: "):
            MinifilterScenario(trigger="sc-stop", drains_pended_io=True, teardown_callbacks=False)


# ============================================================================ global cleanup and crashes
class TestGlobalCleanup:
    ORDER = ["stop new work", "FltUnregisterFilter(", "global cleanup", "KeCancelTimer(", "KeFlushQueuedDpcs(",
             "KeWaitForSingleObject(", "PsSetCreateProcessNotifyRoutineEx(", "ExFreePoolWithTag(",
             "FilterUnloadCallback returns", "unloads the minifilter"]

    @pytest.mark.parametrize("trigger", ["fltmc-unload", "sc-stop"])
    def test_cleanup_order(self, trigger):
        t = run(trigger=trigger, global_resources=True, server_port="closed-before-unregister")
        positions = [index(t, p) for p in self.ORDER]
        assert positions == sorted(positions) and t.outcome is Outcome.UNLOADED and t["bugcheck"] is None
        assert {"cleanup-order", "wait-system-threads", "remove-notify-routines"} <= set(t.rules)

    def test_stop_new_work_first(self):
        t = run(trigger="sc-stop", global_resources=True, server_port="closed-before-unregister")
        assert index(t, "stop new work") < index(t, "FltCloseCommunicationPort") and "stop-new-work-first" in t.rules
        assert rule("stop-new-work-first").kind is RuleKind.SAMPLE

    @pytest.mark.parametrize("mistake, call, code, rule_id", [
        ("timer-not-cancelled", "KeCancelTimer", BUGCHECK_0XD4, "bugcheck-0xd4"),
        ("thread-not-waited", "KeWaitForSingleObject", BUGCHECK_0XCE, "bugcheck-0xce"),
        ("notify-routine-left", "PsSetCreateProcessNotifyRoutineEx", BUGCHECK_0XCE, "bugcheck-0xce")])
    @pytest.mark.parametrize("trigger", ["FilterUnload", "sc-stop", "net-stop"])
    def test_the_bug_check_comes_later_after_the_unload_and_its_reply(self, mistake, call, code, rule_id, trigger):
        t = run(trigger=trigger, global_resources=True, cleanup_mistakes=[mistake])
        assert t.outcome is Outcome.BUGCHECK and t["bugcheck"] == code and t["unloaded"]
        assert not has(t, call + "(") and has(t, f"forgets: {call}")
        last = t.steps[-1]
        assert last.mark is Mark.BUGCHECK and last.action.startswith("later: ") and rule_id in last.rules
        assert index(t, "unloads the minifilter") < len(t.steps) - 1
        reply = [i for i, s in enumerate(t.steps) if s.kind is Kind.RETURN and s.target is Actor.CALLER]
        assert reply and reply[-1] < len(t.steps) - 1 and code.split()[0] in t.headline and "later" in t.headline

    def test_a_timer_left_behind_names_both_bug_checks_and_marks_the_choice_silent(self):
        """Issue 11 review, item 6: both pages name DPCs left behind; only 0xD4's names a raised IRQL,
        where a DPC runs. No page settles which one a timer gives, so the later step names both,
        cites both pages, and a silent-marked note says so."""
        t = run(trigger="sc-stop", global_resources=True, cleanup_mistakes=["timer-not-cancelled"])
        note, last = t.steps[-2], t.steps[-1]
        assert note.mark is Mark.SILENT and "silent-0xce-or-0xd4" in note.rules
        assert {"bugcheck-0xce", "bugcheck-0xd4", "dpc-dispatch-level", "timer-after-unload-0xd4"} <= set(last.rules)
        assert BUGCHECK_0XD4 in last.detail and BUGCHECK_0XCE in last.detail and "DISPATCH_LEVEL" in last.detail
        assert "0xCE" in t.headline and "no page settles" in t.headline
        assert (rule("silent-0xce-or-0xd4").kind, rule("bugcheck-0xd4").kind, rule("bugcheck-0xce").kind,
                rule("timer-after-unload-0xd4").kind) == (RuleKind.SILENT, RuleKind.DOC, RuleKind.DOC, RuleKind.FIELD)
        assert "bug-check-0xd4--system-scan-at-raised-irql-caught-improper-driver-unlo" in rule("bugcheck-0xd4").cite()
        assert "bug-check-0xce--" in rule("bugcheck-0xce").cite() and "IRQL" in rule("bugcheck-0xd4").statement
        assert "ddi/wdm/nc-wdm-kdeferred_routine" in rule("dpc-dispatch-level").cite()

    @pytest.mark.parametrize("mistake", ["thread-not-waited", "notify-routine-left"])
    def test_passive_level_leftovers_stay_0xce_with_no_silent_choice(self, mistake):
        t = run(trigger="sc-stop", global_resources=True, cleanup_mistakes=[mistake])
        assert t["bugcheck"] == BUGCHECK_0XCE and "silent-0xce-or-0xd4" not in t.rules
        assert "no page settles" not in t.headline

    def test_the_bugcheck_key_keeps_the_form_code_then_name(self):
        for mistakes, verifier in ((["timer-not-cancelled"], False), (["thread-not-waited"], False),
                                   (["pool-not-freed"], True)):
            code = run(trigger="sc-stop", global_resources=True, cleanup_mistakes=mistakes,
                       driver_verifier=verifier)["bugcheck"]
            assert re.fullmatch(r"0x[0-9A-F]{2} [A-Z_]+( \(parameter 1 = 0x62\))?", code), code

    def test_unloaded_code_0xce_is_the_field_evidence_for_notify_routines(self):
        t = run(trigger="sc-stop", global_resources=True, cleanup_mistakes=["notify-routine-left"])
        assert "unloaded-code-0xce" in t.steps[-1].rules and rule("unloaded-code-0xce").kind is RuleKind.FIELD
        assert "unloaded-code-0xce" not in run(trigger="sc-stop", global_resources=True,
                                               cleanup_mistakes=["timer-not-cancelled"]).rules

    def test_pool_tracking_without_verifier_is_a_leak(self):
        t = run(trigger="sc-stop", global_resources=True, cleanup_mistakes=["pool-not-freed"])
        assert t.outcome is Outcome.UNLOADED and t["bugcheck"] is None and "pool-tracking" in t.rules
        assert any(s.mark is Mark.HAZARD and s.action == "pool never freed" for s in t.steps)

    def test_pool_tracking_with_verifier_is_0xc4_at_unload_before_anything_later(self):
        t = run(trigger="sc-stop", global_resources=True, driver_verifier=True,
                cleanup_mistakes=["pool-not-freed", "timer-not-cancelled"])
        assert t.outcome is Outcome.BUGCHECK and t["bugcheck"] == BUGCHECK_0XC4 and not t["unloaded"]
        assert t.steps[-1].mark is Mark.BUGCHECK and t.steps[-3].action == "unloads the minifilter"
        assert t.steps[-2].mark is Mark.SILENT and "silent-verifier-order" in t.steps[-2].rules
        assert t["requester_got"] == "nothing: the system stopped with bug check 0xC4"
        assert not has(t, "NtUnloadDriver returns") and "as the minifilter unloads" in t.headline

    def test_a_timer_left_under_verifier_is_0xc7_at_unload_not_the_later_0xd4(self):
        """Issue 19, item 8 (domain-facts #61b): the verifier's automatic checks catch the timer."""
        t = run(trigger="sc-stop", global_resources=True, driver_verifier=True, cleanup_mistakes=["timer-not-cancelled"])
        assert t.outcome is Outcome.BUGCHECK and t["bugcheck"] == BUGCHECK_0XC7 and not t["unloaded"]
        assert t.steps[-1].rules == ("verifier-timer-0xc7",) and not any("later:" in s.action for s in t.steps)

    def test_driver_verifier_alone_changes_nothing_for_a_clean_driver(self):
        clean = dict(trigger="sc-stop", global_resources=True)
        assert run(**clean, driver_verifier=True).steps == run(**clean).steps

    def test_a_refused_mandatory_unload_skips_the_cleanup_and_crashes_later(self):
        t = run(trigger="sc-stop", callback_returns=DND, global_resources=True)
        assert t.outcome is Outcome.BUGCHECK and t["bugcheck"] == BUGCHECK_0XD4   # the timer comes first
        assert not has(t, "KeCancelTimer(") and "mandatory-ignores-refusal" in t.rules

    def test_mistakes_need_resources_to_forget(self):
        with pytest.raises(ScenarioError, match="^cleanup_mistakes: "):
            MinifilterScenario(trigger="sc-stop", cleanup_mistakes=["pool-not-freed"])


# ============================================================================ conditional refusal
class TestConditionalRefusalLikeTheCdoSample:
    CDO = dict(callback_returns=DND, refuse_only_if_control_device_open=True)

    def test_cdo_conditional_refusal_refuses_with_a_reason_before_any_teardown(self):
        t = run(trigger="fltmc-unload", control_device="handle-open", **self.CDO)
        assert t.outcome is Outcome.REFUSED and t["callback_returned"] == DND and "cdo-conditional-refusal" in t.rules
        decided = index(t, "a handle to its control device is open: refuse")
        assert decided == index(t, "FilterUnloadCallback(") + 1 and not has(t, "FltUnregisterFilter(")
        assert rule("cdo-conditional-refusal").kind is RuleKind.SAMPLE

    def test_without_a_reason_it_goes_ahead_and_deletes_the_device_after_unregistering(self):
        t = run(trigger="fltmc-unload", control_device="created", **self.CDO)
        assert t.outcome is Outcome.UNLOADED and t["callback_returned"] == "STATUS_SUCCESS"
        assert index(t, "FltUnregisterFilter(") < index(t, "IoDeleteDevice(")

    def test_a_mandatory_unload_tears_down_anyway(self):
        t = run(trigger="sc-stop", control_device="created", **self.CDO)
        assert t.outcome is Outcome.UNLOADED and has(t, "Flags has FLTFL_FILTER_UNLOAD_MANDATORY: go ahead")
        assert "mandatory-ignores-refusal" in t.rules

    def test_the_old_pattern_refuses_every_fltmc_unload_even_without_a_reason(self):
        t = run(trigger="fltmc-unload", control_device="created", callback_returns=DND,
                refuse_only_if_not_mandatory=True)
        assert t.outcome is Outcome.REFUSED

    @pytest.mark.parametrize("knobs", [
        dict(refuse_only_if_control_device_open=True, control_device="created", callback_returns=DND,
             refuse_only_if_not_mandatory=True),
        dict(refuse_only_if_control_device_open=True, callback_returns=DND),
        dict(refuse_only_if_control_device_open=True, control_device="created"),
    ])
    def test_refusals_that_cannot_meet(self, knobs):
        with pytest.raises(ScenarioError, match="^refuse_only_if_control_device_open: "):
            MinifilterScenario(trigger="fltmc-unload", **knobs)


# ============================================================================ the service stop as it really goes
class TestServiceStopRealities:
    @pytest.mark.parametrize("trigger", SERVICE_STOPS)
    def test_service_stop_access(self, trigger):
        t = run(trigger=trigger, caller_privileged=False)
        assert t.outcome is Outcome.FAILED and "service-stop-access" in t.rules and not has(t, "NtUnloadDriver")
        assert rule("service-stop-access").kind is RuleKind.DOC and "5" in t["requester_got"]

    def test_access_is_checked_before_the_service_state(self):
        t = run(trigger="sc-stop", caller_privileged=False, driver_entry_returns="STATUS_UNSUCCESSFUL")
        assert "ERROR_ACCESS_DENIED" in t["requester_got"] and "service-not-active" not in t.rules

    def test_sc_output_for_errors_no_source_records_is_not_invented(self):
        t = run(trigger="sc-stop", caller_privileged=False)
        assert t["printed"] == [] and "not covered" in t["requester_got"]

    @pytest.mark.parametrize("trigger, got", [
        ("sc-stop", "Win32 error 1051 (ERROR_DEPENDENT_SERVICES_RUNNING)"),
        ("ControlService", "ControlService returns FALSE; GetLastError() = 1051 (ERROR_DEPENDENT_SERVICES_RUNNING)")])
    def test_dependent_services_running(self, trigger, got):
        t = run(trigger=trigger, dependent_services=True)
        assert t.outcome is Outcome.FAILED and t["requester_got"].startswith(got) and not t["callback_called"]
        assert "dependent-services-running" in t.rules and t.steps[-1].status.endswith("(1051)")

    def test_silent_net_stop_dependents(self):
        t = run(trigger="net-stop", dependent_services=True)
        note = t.steps[index(t, "net stop and the dependent services")]
        assert note.mark is Mark.SILENT and "silent-net-stop-dependents" in note.rules
        assert rule("silent-net-stop-dependents").kind is RuleKind.SILENT

    @pytest.mark.parametrize("trigger", ["FilterUnload", "FltUnloadFilter", "fltmc-unload"])
    def test_filter_manager_unloads_ignore_dependents(self, trigger):
        t = run(trigger=trigger, dependent_services=True)
        assert t.outcome is Outcome.UNLOADED and has(t, "service dependencies not consulted")

    @pytest.mark.parametrize("trigger", SERVICE_STOPS)
    def test_unload_pending(self, trigger):
        t = run(trigger=trigger, control_device="handle-open", instances=2)
        assert t.outcome is Outcome.UNLOAD_PENDING and not t["unloaded"] and not t["callback_called"]
        assert not has(t, "DriverUnload(") and t["instances_torn_down"] == 0
        assert {"unload-pending", "unload-pending-returns", "unload-pending-scm-state",
                "silent-unload-pending-query"} <= set(t.rules)
        returned = t.steps[index(t, "NtUnloadDriver returns")]
        assert returned.status == "STATUS_SUCCESS" and returned.mark is Mark.PENDING
        assert t.steps[-1].mark is Mark.SILENT and "sc query" in t.steps[-1].detail

    def test_unload_pending_kinds_are_honest(self):
        assert rule("unload-pending").kind is RuleKind.DOC
        assert rule("unload-pending-returns").kind is RuleKind.MECHANISM
        assert rule("unload-pending-scm-state").kind is RuleKind.MECHANISM
        assert "WinDivert/issues/406" in rule("unload-pending-scm-state").cite()
        assert rule("silent-unload-pending-query").kind is RuleKind.SILENT

    def test_a_filter_manager_unload_with_a_handle_open_is_flagged_silent(self):
        t = run(trigger="fltmc-unload", control_device="handle-open")
        step = t.steps[index(t, "a handle to the control device is still open")]
        assert step.mark is Mark.SILENT and "unload-pending" in step.rules

    @pytest.mark.parametrize("knobs, named", [(dict(dependent_services=True), "dependent_services"),
                                              (dict(control_device="handle-open"), "control_device")])
    def test_nothing_can_depend_on_or_hold_a_driver_that_failed_to_load(self, knobs, named):
        with pytest.raises(ScenarioError, match=f"^{named}: "):
            MinifilterScenario(trigger="sc-stop", driver_entry_returns="STATUS_UNSUCCESSFUL", **knobs)


# ============================================================================ shutdown and corrections
class TestShutdownAndCorrections:
    def test_fast_startup_hibernates_instead_of_unloading(self):
        t = run(trigger="shutdown", fast_startup=True, shutdown_preop=True)
        assert t.outcome is Outcome.SHUTDOWN and not t["callback_called"] and not t["shutdown_preop_called"]
        assert "fast-startup-hibernates" in t.rules and "Fast Startup" in t.headline
        silent = t.steps[index(t, "IRP_MJ_SHUTDOWN in a hybrid shutdown?")]
        assert silent.mark is Mark.SILENT and "silent-fast-startup-shutdown" in silent.rules

    def test_fast_startup_is_for_shutdown_only(self):
        with pytest.raises(ScenarioError, match="^fast_startup: "):
            MinifilterScenario(trigger="sc-stop", fast_startup=True)

    def test_shutdown_needs_registration_is_there_for_wdm_drivers(self):
        r = rule("shutdown-needs-registration")
        assert r.kind is RuleKind.DOC and "IoRegisterShutdownNotification" in r.statement
        assert "kernel/irp-mj-shutdown" in r.cite()

    def test_failed_load_io_manager(self):
        t = run(trigger="fltmc-unload", driver_entry_returns="STATUS_UNSUCCESSFUL")
        step = t.steps[index(t, "image unloaded")]
        assert step.actor is Actor.IO_MANAGER and "failed-load-io-manager" in step.rules

    def test_teardown_reason_is_an_inference_not_documented(self):
        r = rule("teardown-reason")
        assert r.kind is RuleKind.SILENT and "infers" in r.statement and "not documented" in r.statement

    def test_fltunloadfilter_takes_a_unicode_string(self):
        t = run(trigger="FltUnloadFilter")
        request = t.steps[index(t, "FltUnloadFilter(")]
        assert request.action == "FltUnloadFilter(&FilterName)" and "UNICODE_STRING" in request.detail
        assert '&"' not in request.action


# ============================================================================ the C view
_BUGS = {  # the marker each mistake leaves in the C
    "port": "BUG: server port left open", "no-unregister": "BUG: FltUnregisterFilter(gFilter) is never called",
    "send": "BUG: Timeout NULL",
    "pended": "BUG: a pended operation is never completed", "skipped-cleanup": "keep running: bug check later",
    **{f"leak-{leak.value}": w for leak, w in (
        (Leak.CONTEXT, "FltGetStreamContext"), (Leak.NAME_INFORMATION, "FltGetFileNameInformation"),
        (Leak.OBJECT_REFERENCE, "FltObjectReference(gFilter)"), (Leak.OPEN_FILE, "FltCreateFileEx"),
        (Leak.WORK_ITEM, "FltQueueGenericWorkItem"))},
    **{f"cleanup-{m.value}": w for m, w in (
        (CleanupMistake.TIMER, "timer is never cancelled"), (CleanupMistake.THREAD, "never waited for"),
        (CleanupMistake.NOTIFY, "stays registered"), (CleanupMistake.POOL, "pool never freed"))},
}


def _mistakes(sc: MinifilterScenario) -> set[str]:
    """The mistakes the scenario's driver code contains, as keys of _BUGS."""
    out = set()
    if sc.pended_io and not sc.drains_pended_io:
        out.add("pended")
    if Leak.CONTEXT in sc.leaks:
        out.add("leak-context")   # in PreCleanup, where the context is taken
    if not sc.unload_callback:
        return out
    refuses = not sc.callback_returns.nt_success
    if refuses and not (sc.refuse_only_if_not_mandatory or sc.refuse_only_if_control_device_open):
        return out | ({"skipped-cleanup"} if sc.global_resources else set())
    # refusing every fltmc unload is no BUG: tamper-resistant products do it on purpose
    # (rule tamper-resistant-refusal, issue 19 item 15); the comment says when it is a mistake
    if sc.server_port is ServerPort.LEFT_OPEN:
        out.add("port")
    if not sc.calls_unregister:
        out.add("no-unregister")
    if sc.send_message_wait:
        out.add("send")
    out |= {f"leak-{leak.value}" for leak in sc.leaks} | {f"cleanup-{m.value}" for m in sc.cleanup_mistakes}
    return out


@pytest.fixture(scope="module")
def every_variant():
    """(scenario, trace, C) for the decision space, the second grid and the catalogue."""
    scenarios = list(decision_space()) + list(craft_space()) + [e.scenario() for e in MINIFILTER_EXAMPLES]
    return [(s, simulate(s), minifilter_c(s)) for s in scenarios]


def test_each_mistake_is_a_marked_line_with_its_right_form_and_clean_code_has_none(every_variant):
    for sc, _, c in every_variant:
        mistakes = _mistakes(sc)
        assert ("BUG:" in c) is bool(mistakes), sc.knobs()
        for key in mistakes:
            assert _BUGS[key] in c, (key, sc.knobs())
        for comment in re.findall(r"/\*.*?\*/", c, re.S):
            if "BUG:" in comment and "rule teardown-hang" not in comment.split("BUG:")[0]:
                assert "right:" in comment or "refuses every fltmc unload" in comment, comment


def test_every_rule_the_c_cites_exists(every_variant):
    for _, _, c in {c: (s, t, c) for s, t, c in every_variant}.values():
        assert set(re.findall(r"rule ([a-z0-9-]+)", c)) <= set(RULES_BY_ID)


# Calls that undo something at unload, as the C and the trace both name them.
TEARDOWN_CALLS = ("FltSendMessage", "FltCloseCommunicationPort", "FltUnregisterFilter", "FltCbdqDisable",
                  "IoDeleteDevice", "KeCancelTimer", "KeFlushQueuedDpcs", "KeWaitForSingleObject",
                  "PsSetCreateProcessNotifyRoutineEx", "ExFreePoolWithTag")
_CALL = re.compile(r"\b(" + "|".join(TEARDOWN_CALLS) + r")\(")


def _function(c: str, name: str) -> str:
    m = re.search(rf"^[A-Za-z_][^\n;]*\b{name}\(.*?^}}$", c, re.M | re.S)
    return re.sub(r"/\*.*?\*/", "", m.group(0), flags=re.S) if m else ""


def c_teardown_sequence(sc: MinifilterScenario, c: str) -> list[str]:
    """The teardown calls the C makes, in the order a full unload makes them: the unload
    routine up to FltUnregisterFilter, then each instance's TeardownStart and
    TeardownComplete (FltUnregisterFilter calls them), then the rest of the routine."""
    unload = _CALL.findall(_function(c, "Unload"))
    per_instance = _CALL.findall(_function(c, "InstanceTeardownStart")) + _CALL.findall(
        _function(c, "InstanceTeardownComplete"))
    if "FltUnregisterFilter" not in unload:
        return unload
    cut = unload.index("FltUnregisterFilter") + 1
    return unload[:cut] + per_instance * sc.instances + unload[cut:]


def trace_teardown_sequence(trace) -> list[str]:
    """The same calls as the trace shows them, from FilterUnloadCallback on."""
    calls = [s.action for s in trace.steps if s.kind in (Kind.CALL, Kind.ACTION)]
    start = next((i for i, a in enumerate(calls) if a.startswith("FilterUnloadCallback(")), len(calls))
    return [m.group(1) for a in calls[start:] for m in [_CALL.match(a)] if m]


def test_the_c_teardown_calls_match_the_trace_for_every_variant(every_variant):
    """Issue 12 item 7 for the minifilter: the generated unload routine and teardown callbacks
    make the calls the trace shows, in its order; where the trace stops early (refused, hung,
    pending) it shows a prefix of them."""
    checked = 0
    for sc, t, c in every_variant:
        want, got = c_teardown_sequence(sc, c), trace_teardown_sequence(t)
        assert got == want[:len(got)], (sc.knobs(), got, want)
        if t["unloaded"] and t["callback_returned"] == "STATUS_SUCCESS" and sc.calls_unregister:
            assert got == want, (sc.knobs(), got, want)   # the whole routine ran: all of it
            checked += 1
    assert checked > 400   # not vacuous: hundreds of variants run the whole routine


def test_the_sequence_check_has_teeth():
    """A C text with two cleanup calls swapped, or one dropped, no longer matches its trace."""
    sc = MinifilterScenario(trigger="sc-stop", global_resources=True, server_port="closed-before-unregister",
                            instances=2, pended_io=True, drains_pended_io=True, control_device="created")
    c, trace = minifilter_c(sc), simulate(sc)
    assert trace_teardown_sequence(trace) == c_teardown_sequence(sc, c)
    swapped = c.replace("    KeCancelTimer(&gTimer);", "    @@").replace(
        "    ExFreePoolWithTag(gBuffer, TAG);", "    KeCancelTimer(&gTimer);").replace("    @@", "    ExFreePoolWithTag(gBuffer, TAG);")
    dropped = c.replace("FltCbdqDisable(context->Queue);", ";")
    for bad in (swapped, dropped):
        assert bad != c and trace_teardown_sequence(trace) != c_teardown_sequence(sc, bad)


def test_the_cdo_unload_decides_before_any_teardown():
    c = _function(minifilter_c(MinifilterScenario(trigger="sc-stop", control_device="created", callback_returns=DND,
                                                  refuse_only_if_control_device_open=True, global_resources=True)),
                  "Unload")
    lines = [ln.strip() for ln in c.splitlines() if ln.strip()]
    assert lines[2:5] == ["KeEnterCriticalRegion();", "(VOID)ExAcquireResourceSharedLite(&gCdoLock, TRUE);",
                          "if (gControlDeviceOpen != 0 && !FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {"]
    assert lines[5:8] == ["ExReleaseResourceLite(&gCdoLock);", "KeLeaveCriticalRegion();",
                          "return STATUS_FLT_DO_NOT_DETACH;"]
    assert lines[9].startswith("KeSetEvent(&gStopEvent") and lines[-2] == "return STATUS_SUCCESS;"


# --- issue 11 review: the cdo refusal holds its lock; the C passes what the trace says --------------
_CDO_VARIANTS = [MinifilterScenario(trigger="fltmc-unload", control_device=device, callback_returns=DND,
                                    refuse_only_if_control_device_open=True, driver_entry_returns=de, **extra)
                 for device in ("created", "handle-open") for de in ("STATUS_SUCCESS", "STATUS_UNSUCCESSFUL")
                 for extra in ({}, dict(global_resources=True, cleanup_mistakes=["timer-not-cancelled"]),
                               dict(server_port="closed-before-unregister", send_message_wait=True))
                 if not (device == "handle-open" and de == "STATUS_UNSUCCESSFUL")]


def _code_lines(c: str, name: str) -> list[str]:
    return [ln.strip() for ln in _function(c, name).splitlines() if ln.strip()]


@pytest.mark.parametrize("sc", _CDO_VARIANTS, ids=[f"cdo{i}" for i in range(len(_CDO_VARIANTS))])
def test_the_cdo_refusal_reads_the_open_count_only_under_its_lock(sc):
    """The lock is taken shared before gControlDeviceOpen is read, released on the refusing path before
    it returns and, on the other path, after IoDeleteDevice; deleted after its last use."""
    c = minifilter_c(sc)
    assert "static ERESOURCE gCdoLock;" in c and "volatile" not in c
    unload = _code_lines(c, "Unload")
    acquire, test = unload.index("(VOID)ExAcquireResourceSharedLite(&gCdoLock, TRUE);"), next(
        i for i, ln in enumerate(unload) if "gControlDeviceOpen" in ln)
    assert unload[acquire - 1] == "KeEnterCriticalRegion();" and acquire < test
    releases = [i for i, ln in enumerate(unload) if ln == "ExReleaseResourceLite(&gCdoLock);"]
    assert len(releases) == 2 and all(unload[i + 1] == "KeLeaveCriticalRegion();" for i in releases)
    refused, done = releases
    assert unload[refused + 2].startswith("return STATUS_FLT_DO_NOT_DETACH;") and refused == test + 1
    assert unload.index("IoDeleteDevice(gControlDevice);") < done
    assert unload.index("FltUnregisterFilter(gFilter);") < done
    assert unload[-3:] == ["ExDeleteResourceLite(&gCdoLock);", "return STATUS_SUCCESS;", "}"]


@pytest.mark.parametrize("sc", _CDO_VARIANTS, ids=[f"cdo{i}" for i in range(len(_CDO_VARIANTS))])
def test_driver_entry_initialises_the_lock_first_and_every_failure_deletes_it(sc):
    entry = _code_lines(minifilter_c(sc), "DriverEntry")
    init = entry.index("(VOID)ExInitializeResourceLite(&gCdoLock);")
    assert init < entry.index("status = FltRegisterFilter(DriverObject, &FilterRegistration, &gFilter);")
    returns = [i for i, ln in enumerate(entry) if ln.startswith("return ") and ln != "return STATUS_SUCCESS;"]
    assert returns and all(i > init and entry[i - 1] == "ExDeleteResourceLite(&gCdoLock);" for i in returns)
    assert ("return STATUS_SUCCESS;" in entry) is sc.driver_entry_returns.nt_success


def test_without_the_cdo_refusal_there_is_no_lock():
    for sc in (MinifilterScenario(trigger="sc-stop", control_device="created"),
               MinifilterScenario(trigger="sc-stop", callback_returns=DND, refuse_only_if_not_mandatory=True)):
        assert "gCdoLock" not in minifilter_c(sc)


def _args(call: str) -> list[str]:
    return [a.strip() for a in call[call.index("(") + 1:call.rindex(")")].split(",")]


def test_fltsendmessage_passes_a_reply_buffer_so_never_replies_is_what_it_waits_for():
    """Issue 11 review, item 3: with a NULL ReplyBuffer FltSendMessage waits only until the message
    is delivered (its DDI page); the C and the trace say it waits for a reply, so the C passes one."""
    sc = MinifilterScenario(trigger="sc-stop", server_port="closed-before-unregister", send_message_wait=True)
    c, t = minifilter_c(sc), simulate(sc)
    call = re.search(r"FltSendMessage\(.*?\);", c, re.S).group(0)
    args = _args(call)
    assert len(args) == 7 and args[4] != "NULL" and args[5] != "NULL" and args[6] == "NULL"
    assert "ULONG reply = 0;" in c and "ULONG replyLength = sizeof(reply);" in c
    send = t.steps[index(t, "FltSendMessage(")]
    assert "&Reply" in send.action and "Timeout=NULL" in send.action and "reply buffer" in send.detail
    assert "never replies" in t["blocked_on"]
    assert "without one it waits only for the message to be delivered" in rule("send-message-no-timeout").statement


# --- issue 11 review: rule sources, step texts, error grammar ----------------------------------------
def test_a_field_rule_links_every_public_report_its_statement_names():
    """A statement naming owner/repo#N (or repo#N) must cite that very GitHub issue or pull request."""
    from unloadlab.minifilter import MINIFILTER_RULES
    named = 0
    for r in MINIFILTER_RULES:
        for repo, number in re.findall(r"([A-Za-z][\w.-]*)#(\d+)", r.statement):
            named += 1
            urls = [s.url for s in r.sources]
            assert any(re.fullmatch(rf"https://github\.com/[\w.-]+/{re.escape(repo)}/(issues|pull)/{number}", u)
                       for u in urls), (r.id, repo, number, urls)
    assert named >= 5


def test_the_review_sources_are_the_exact_pages():
    assert "https://github.com/microsoft/Windows-driver-samples/issues/1360" in rule("leaked-context-blocks").cite()
    assert "https://github.com/everdox/InfinityHook/issues/9" in rule("unloaded-code-0xce").cite()
    threads = rule("wait-system-threads").cite()
    assert "wdm/nf-wdm-psterminatesystemthread" in threads and "wdm/nf-wdm-kewaitforsingleobject" in threads
    assert "kecanceltimer" not in threads and "network/trans/inspect/sys/TL_drv.c" in threads
    assert "debuggercmds/-stacks" in rule("stacks-finds-the-wait").cite()
    assert "parameter 4" in rule("pool-tracking").statement and "bug-check-0xc4" in rule("pool-tracking").cite()


def test_a_hang_in_fltunregisterfilter_says_how_to_find_it_with_stacks():
    t = run(trigger="sc-stop", leaks=["work-item"])
    assert "!stacks 2 FltUnregisterFilter" in t.steps[-1].detail and "stacks-finds-the-wait" in t.steps[-1].rules


def _status_repeated(step) -> bool:
    """The step's action repeats what its status says: the status's name, or its Win32 code."""
    if not step.status:
        return False
    name = step.status.split()[0]
    code = re.search(r"\((\d+)\)", step.status)
    return name in step.action or bool(code and code.group(1) in re.findall(r"\d+", step.action))


def test_no_step_says_its_status_twice(every_variant):
    """Issue 11 review, item 2: 'fails: ERROR_ACCESS_DENIED (5) -> ERROR_ACCESS_DENIED (5)'. The
    action says what fails, the status carries the code, once."""
    statuses = set()
    for sc, t, _ in every_variant:
        for step in t.steps:
            assert not _status_repeated(step), (sc.knobs(), step.action, step.status)
            statuses.add(step.status)
    assert {"ERROR_ACCESS_DENIED (5)", "ERROR_DEPENDENT_SERVICES_RUNNING (1051)",
            "ERROR_SERVICE_NOT_ACTIVE (1062)", "ERROR_INVALID_SERVICE_CONTROL (1052)"} <= statuses


def test_the_win32_failures_say_what_fails():
    denied = run(trigger="sc-stop", caller_privileged=False).steps[-1]
    deps = run(trigger="ControlService", dependent_services=True).steps[-1]
    assert (denied.action, denied.status) == ("the stop is refused: no SERVICE_STOP access", "ERROR_ACCESS_DENIED (5)")
    assert deps.action == "the stop is refused: services that depend on it are running"


@pytest.mark.parametrize("leaks, message", [
    (["context"], "leaks: context needs an instance to exist, and instances is 0"),
    (["context", "open-file"], "leaks: context and open-file need an instance to exist, and instances is 0"),
    (["context", "open-file", "name-information"],
     "leaks: context, name-information and open-file need an instance to exist, and instances is 0")])
def test_the_leak_error_agrees_in_number(leaks, message):
    with pytest.raises(ScenarioError) as e:
        MinifilterScenario(trigger="sc-stop", leaks=leaks, instances=0)
    assert str(e.value) == message


def test_every_craft_and_cdo_variant_compiles(tmp_path):
    """The second grid's C (the compile test in test_c_compile covers the decision space and the
    catalogue), with the cdo lock on every DriverEntry path."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "c"))
    import mingw
    texts = sorted({minifilter_c(s) for s in [*craft_space(), *_CDO_VARIANTS]})
    assert len(texts) > 50
    # mingw.as_one_unit renames file-scope names line by line; a typedef closing on its own line
    # ("} INSTANCE_CONTEXT, *PINSTANCE_CONTEXT;") is not renamed, so such variants go one by one
    alone = [t for t in texts if "typedef struct _INSTANCE_CONTEXT" in t]
    assert alone
    mingw.compile_all({f"v{i:04d}": t for i, t in enumerate(texts) if t not in alone}, tmp_path)
    for i, text in enumerate(alone):
        proc = mingw.compiles(text, tmp_path, f"alone{i}")
        assert proc.returncode == 0, proc.stdout + proc.stderr + text


def test_not_an_administrator_changes_nothing_for_a_kernel_caller_and_the_trace_says_so():
    from unloadlab.minifilter import MinifilterScenario, simulate
    kernel = simulate(MinifilterScenario(trigger="FltUnloadFilter", caller_privileged=False))
    assert kernel.outcome is simulate(MinifilterScenario(trigger="FltUnloadFilter")).outcome
    assert "silent-kernel-caller-privilege" in kernel.rules
    user = simulate(MinifilterScenario(trigger="fltmc-unload", caller_privileged=False))
    asks = next(s for s in user.steps if s.action.startswith("FilterUnload("))
    assert asks.detail.startswith("A user who is not an administrator") and "silent-kernel-caller-privilege" not in user.rules
