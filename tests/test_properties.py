"""Properties over the whole decision space (exhaustive), over the second grid of the unload
routine's craft (exhaustive) and over arbitrary knobs (hypothesis)."""
import dataclasses

import pytest
from hypothesis import assume, given, settings, strategies as st

from unloadlab.minifilter import (BUGCHECK_0XC4, BUGCHECK_0XC7, BUGCHECK_0XCE, BUGCHECK_0XD4,
                                  FLTFL_FILTER_UNLOAD_MANDATORY,
                                  VOLUMES, CleanupMistake,
                                  ControlDevice, Leak, MinifilterScenario, RegistrationFlag, ServerPort, Trigger,
                                  craft_space, simulate)
from unloadlab.minifilter.model import _after_failed_load, _Run  # white-box: the cached steps
from unloadlab.windows import NtStatus, ScenarioError
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.windows import Kind, Mark, Outcome

NEW_OUTCOMES = {Outcome.UNLOAD_PENDING, Outcome.BUGCHECK}


def request_steps(t):
    """The trace's steps up to the sc delete that the sc_delete knob appends after the request."""
    cut = next((i for i, s in enumerate(t.steps) if s.action.startswith(("sc delete ", "no sc delete"))), None)
    return t.steps[:cut]


@pytest.fixture(scope="module")
def craft():
    """(scenario, trace) for every combination of the second grid."""
    return [(s, simulate(s)) for s in craft_space()]


def test_space_covers_every_trigger_and_outcome(space):
    assert {s.trigger for s, _ in space} == set(Trigger)
    assert {t.outcome for _, t in space} == set(Outcome) - {Outcome.HAZARD} - NEW_OUTCOMES


def test_the_original_space_meets_no_craft_behaviour(space):
    for s, t in space:
        assert t["bugcheck"] is None and (t["blocked_on"] is None) is (t.outcome is not Outcome.HUNG), s


def test_no_mandatory_unload_is_refused_once_the_callback_runs(space):
    for s, t in space:
        if s.trigger.facts.mandatory and t["callback_called"]:
            assert t.outcome in (Outcome.UNLOADED, Outcome.HUNG), s


def test_callback_never_called_at_shutdown_or_after_failed_driver_entry(space):
    for s, t in space:
        if s.trigger is Trigger.SHUTDOWN or not s.driver_entry_returns.nt_success:
            assert not t["callback_called"], s


def test_flags_carry_mandatory_exactly_when_the_trigger_is_mandatory(space):
    for s, t in space:
        if t["callback_called"]:
            assert (t["callback_flags"] == [FLTFL_FILTER_UNLOAD_MANDATORY]) is s.trigger.facts.mandatory, s


def test_refused_exactly_when_non_mandatory_and_not_nt_success(space):
    for s, t in space:
        if t["callback_called"] and t["callback_returned"] is not None and not s.trigger.facts.mandatory:
            assert (t.outcome is Outcome.REFUSED) is (not s.callback_returns.nt_success), s


def test_service_stop_without_driver_unload_calls_nothing(space):
    for s, t in space:
        if s.trigger.facts.mandatory and s.driver_entry_returns.nt_success and not s.driver_unload_set:
            assert t.outcome is Outcome.FAILED and not t["callback_called"], s


def test_preop_called_only_at_shutdown_when_registered_and_loaded(space):
    for s, t in space:
        want = s.trigger is Trigger.SHUTDOWN and s.shutdown_preop and s.driver_entry_returns.nt_success
        assert t["shutdown_preop_called"] is want, s


def _unloaded(t) -> bool:
    """The image went: unloaded, or DriverEntry failed, or it went and 0xCE or 0xD4 followed."""
    return (t.outcome in (Outcome.UNLOADED, Outcome.DRIVER_ENTRY_FAILED)
            or (t.outcome is Outcome.BUGCHECK and t["bugcheck"] in (BUGCHECK_0XCE, BUGCHECK_0XD4)))


@pytest.mark.parametrize("grid", ["space", "craft"])
def test_unloaded_matches_outcome_and_every_step_cites_known_rules(grid, request):
    for s, t in request.getfixturevalue(grid):
        assert t["unloaded"] is _unloaded(t), s
        for step in t.steps:
            assert step.rules and all(r in RULES_BY_ID for r in step.rules), step
            assert (step.target is not None) is (step.kind in (Kind.CALL, Kind.RETURN)), step


def test_a_failed_load_request_depends_only_on_trigger_and_privilege(space):
    """simulate() works the request after a failed DriverEntry out once per (trigger,
    caller_privileged); running it on each actual scenario must give the same."""
    for s, t in space:
        if not s.driver_entry_returns.nt_success:
            run = _Run(s)
            run.request_after_failed_load()
            assert (tuple(run.steps), run.returned, run.printed) == _after_failed_load(
                s.trigger, s.caller_privileged), s
            assert t.steps[-len(run.steps):] == tuple(run.steps), s


@pytest.mark.parametrize("grid", ["space", "craft"])
def test_a_hang_is_the_last_step_marked_and_names_what_it_waits_for(grid, request):
    for s, t in request.getfixturevalue(grid):
        if t.outcome is Outcome.HUNG:
            assert request_steps(t)[-1].mark is Mark.HUNG and "never returns" in t["requester_got"], s
            assert t["blocked_on"], s
        else:
            assert t["blocked_on"] is None, s


# --- the second grid: the craft of the unload routine ---------------------------------------
def test_craft_space_covers_every_outcome_and_every_craft_knob(craft):
    assert {t.outcome for _, t in craft} == set(Outcome) - {Outcome.HAZARD}   # failed loads: with sc delete
    assert {leak for s, _ in craft for leak in s.leaks} == set(Leak)
    assert {m for s, _ in craft for m in s.cleanup_mistakes} == set(CleanupMistake)
    assert {s.control_device for s, _ in craft} == set(ControlDevice)
    assert {t["bugcheck"] for _, t in craft} == {None, BUGCHECK_0XCE, BUGCHECK_0XD4, BUGCHECK_0XC4, BUGCHECK_0XC7}
    assert all(any(getattr(s, k) for s, _ in craft) for k in (
        "send_message_wait", "drains_pended_io", "refuse_only_if_control_device_open", "driver_verifier",
        "dependent_services", "fast_startup", "global_resources"))


def test_a_bug_check_is_the_last_step_and_marked(craft):
    for s, t in craft:
        if t.outcome is Outcome.BUGCHECK:
            assert request_steps(t)[-1].mark is Mark.BUGCHECK and t["bugcheck"] in t.headline, s
        else:
            assert t["bugcheck"] is None and not any(step.mark is Mark.BUGCHECK for step in t.steps), s


def test_0xce_or_0xd4_only_when_something_left_running_outlives_the_image(craft):
    for s, t in craft:
        if t["bugcheck"] in (BUGCHECK_0XCE, BUGCHECK_0XD4):
            left = set(s.cleanup_mistakes) - {CleanupMistake.POOL}
            skipped = not s.callback_returns.nt_success and s.trigger.facts.mandatory  # refusal ignored: no cleanup
            assert s.global_resources and (left or skipped) and t["unloaded"], s
            # a refusal that is ignored skips the cleanup; a conditional one tears down on a mandatory unload
            skipped = skipped and not (s.refuse_only_if_control_device_open or s.refuse_only_if_not_mandatory)
            # 0xD4 exactly when the timer is what runs into the image (its DPC, at DISPATCH_LEVEL)
            timer_left = CleanupMistake.TIMER in s.cleanup_mistakes or skipped
            assert (t["bugcheck"] == BUGCHECK_0XD4) is timer_left, s
        if t["bugcheck"] == BUGCHECK_0XC4:
            assert s.driver_verifier and s.global_resources and not t["unloaded"], s


def test_a_correct_unload_routine_never_crashes_or_leaks(craft):
    for s, t in craft:
        if s.global_resources and not s.cleanup_mistakes and s.callback_returns.nt_success:
            assert t.outcome is not Outcome.BUGCHECK, s
            assert not any(step.mark is Mark.HAZARD for step in t.steps), s


def test_unload_pending_only_for_a_service_stop_with_a_handle_open(craft):
    for s, t in craft:
        pending = (s.trigger.facts.mandatory and s.control_device is ControlDevice.HANDLE_OPEN and s.caller_privileged
                   and not (s.dependent_services and s.trigger.facts.via_scm) and s.driver_unload_set)
        assert (t.outcome is Outcome.UNLOAD_PENDING) is pending, s
        if pending:
            assert not t["callback_called"] and not t["unloaded"] and "unload pending" in t["requester_got"], s


def test_the_scm_refuses_standard_users_then_dependents_before_the_kernel(craft):
    for s, t in craft:
        if not s.trigger.facts.via_scm:
            continue
        actions = [step.action for step in t.steps]
        if not s.caller_privileged:
            assert t.outcome is Outcome.FAILED and "ERROR_ACCESS_DENIED" in t["requester_got"], s
        elif s.dependent_services:
            assert t.outcome is Outcome.FAILED and "1051" in t["requester_got"], s
        else:
            continue
        assert not any(a.startswith("NtUnloadDriver") for a in actions) and not t["callback_called"], s


def test_the_cdo_refusal_refuses_exactly_with_a_reason_and_no_mandate(craft):
    for s, t in craft:
        if s.refuse_only_if_control_device_open and t["callback_called"]:
            reason = s.control_device is ControlDevice.HANDLE_OPEN and not s.trigger.facts.mandatory
            assert (t.outcome is Outcome.REFUSED) is reason, s
            if reason:
                assert t["instances_torn_down"] == 0 and "cdo-conditional-refusal" in t.rules, s


def test_a_drained_queue_never_hangs_on_pended_io(craft):
    for s, t in craft:
        if s.drains_pended_io and s.pended_io and t["callback_called"] and not s.leaks:
            assert t.outcome is not Outcome.HUNG or s.send_message_wait, s


def test_fast_startup_unloads_nothing(craft):
    for s, t in craft:
        if s.fast_startup:
            assert t.outcome is Outcome.SHUTDOWN and not t["unloaded"] and not t["shutdown_preop_called"], s


statuses = st.integers(0, 0xFFFFFFFF).map(NtStatus)
knobs = st.fixed_dictionaries({
    "trigger": st.sampled_from(Trigger),
    "unload_callback": st.booleans(),
    "callback_returns": statuses,
    "refuse_only_if_not_mandatory": st.booleans(),
    "flags": st.frozensets(st.sampled_from(RegistrationFlag)),
    "driver_entry_returns": statuses,
    "shutdown_preop": st.booleans(),
    "instances": st.integers(1, len(VOLUMES)),
    "teardown_callbacks": st.booleans(),
    "pended_io": st.booleans(),
    "server_port": st.sampled_from(ServerPort),
    "calls_unregister": st.booleans(),
    "caller_privileged": st.booleans(),
    "leaks": st.frozensets(st.sampled_from(Leak)),
    "send_message_wait": st.booleans(),
    "drains_pended_io": st.booleans(),
    "control_device": st.sampled_from(ControlDevice),
    "refuse_only_if_control_device_open": st.booleans(),
    "global_resources": st.booleans(),
    "cleanup_mistakes": st.frozensets(st.sampled_from(CleanupMistake)),
    "driver_verifier": st.booleans(),
    "dependent_services": st.booleans(),
    "fast_startup": st.booleans(),
})


def _scenario(k):
    """The knobs as a scenario. Where the model says two knobs cannot meet, the knob its
    ScenarioError names goes back to its default, until they all meet (the model's own
    combination rules decide, not a copy of them here); a draw that still cannot meet is skipped."""
    k = dict(k)
    defaults = {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
                for f in dataclasses.fields(MinifilterScenario) if f.name != "trigger"}
    for _ in range(len(k)):
        try:
            return MinifilterScenario(**k)
        except ScenarioError as e:
            knob = e.knob
            assert knob in k, e
            if k[knob] == defaults.get(knob, k[knob]):
                break
            k[knob] = defaults[knob]
    assume(False)


@settings(max_examples=400, deadline=None)
@given(knobs)
def test_any_knobs_follow_the_documented_rules(k):
    """Arbitrary statuses, instance counts and craft knobs, not just the grids' values."""
    s = _scenario(k)
    t = simulate(s)
    if s.trigger is Trigger.SHUTDOWN or not s.driver_entry_returns.nt_success:
        assert not t["callback_called"]
    if t["callback_called"] and s.trigger.facts.mandatory:
        assert t.outcome in (Outcome.UNLOADED, Outcome.HUNG, Outcome.BUGCHECK)
    if t.outcome is Outcome.UNLOADED and s.calls_unregister and t["callback_returned"] in ("STATUS_SUCCESS",):
        assert t["instances_torn_down"] == s.instances
    if t.outcome is Outcome.HUNG:
        assert t["blocked_on"] and t.steps[-1].mark is Mark.HUNG
    assert t["unloaded"] is _unloaded(t)
    assert t.to_dict()["rules"] == list(t.rules)
