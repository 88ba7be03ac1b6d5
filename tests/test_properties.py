"""Properties over the whole decision space (exhaustive) and over arbitrary knobs (hypothesis)."""
from hypothesis import given, settings, strategies as st

from unloadlab.minifilter import (FLTFL_FILTER_UNLOAD_MANDATORY, VOLUMES, MinifilterScenario, RegistrationFlag,
                                  ServerPort, Trigger, simulate)
from unloadlab.minifilter.model import _after_failed_load, _Run  # white-box: the cached steps
from unloadlab.windows import NtStatus
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.windows import Kind, Mark, Outcome


def test_space_covers_every_trigger_and_outcome(space):
    assert {s.trigger for s, _ in space} == set(Trigger)
    assert {t.outcome for _, t in space} == set(Outcome) - {Outcome.HAZARD}


def test_no_mandatory_unload_is_refused_once_the_callback_runs(space):
    for s, t in space:
        if s.trigger.mandatory and t["callback_called"]:
            assert t.outcome in (Outcome.UNLOADED, Outcome.HUNG), s


def test_callback_never_called_at_shutdown_or_after_failed_driver_entry(space):
    for s, t in space:
        if s.trigger is Trigger.SHUTDOWN or not s.driver_entry_returns.nt_success:
            assert not t["callback_called"], s


def test_flags_carry_mandatory_exactly_when_the_trigger_is_mandatory(space):
    for s, t in space:
        if t["callback_called"]:
            assert (t["callback_flags"] == [FLTFL_FILTER_UNLOAD_MANDATORY]) is s.trigger.mandatory, s


def test_refused_exactly_when_non_mandatory_and_not_nt_success(space):
    for s, t in space:
        if t["callback_called"] and t["callback_returned"] is not None and not s.trigger.mandatory:
            assert (t.outcome is Outcome.REFUSED) is (not s.callback_returns.nt_success), s


def test_service_stop_without_driver_unload_calls_nothing(space):
    for s, t in space:
        if s.trigger.service_stop and s.driver_entry_returns.nt_success and not s.driver_unload_set:
            assert t.outcome is Outcome.FAILED and not t["callback_called"], s


def test_preop_called_only_at_shutdown_when_registered_and_loaded(space):
    for s, t in space:
        want = s.trigger is Trigger.SHUTDOWN and s.shutdown_preop and s.driver_entry_returns.nt_success
        assert t["shutdown_preop_called"] is want, s


def test_unloaded_matches_outcome_and_every_step_cites_known_rules(space):
    for s, t in space:
        assert t["unloaded"] is (t.outcome in (Outcome.UNLOADED, Outcome.DRIVER_ENTRY_FAILED)), s
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


def test_a_hang_is_the_last_step_and_marked(space):
    for s, t in space:
        if t.outcome is Outcome.HUNG:
            assert t.steps[-1].mark is Mark.HUNG and "never returns" in t["requester_got"], s


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
})


@settings(max_examples=400, deadline=None)
@given(knobs)
def test_any_knobs_follow_the_documented_rules(k):
    """Arbitrary statuses and instance counts, not just the class representatives."""
    s = MinifilterScenario(**k)
    t = simulate(s)
    if s.trigger is Trigger.SHUTDOWN or not s.driver_entry_returns.nt_success:
        assert not t["callback_called"]
    if t["callback_called"] and s.trigger.mandatory:
        assert t.outcome in (Outcome.UNLOADED, Outcome.HUNG)
    if t.outcome is Outcome.UNLOADED and s.calls_unregister and t["callback_returned"] in ("STATUS_SUCCESS",):
        assert t["instances_torn_down"] == s.instances
    assert t.to_dict()["rules"] == list(t.rules)
