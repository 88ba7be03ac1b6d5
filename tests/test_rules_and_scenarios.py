"""The rules catalogue is complete and cited; every catalogue scenario replays as documented."""
import dataclasses
import pytest

from unloadlab.catalogue import RULES, UnknownRuleError, rule
from unloadlab.minifilter import MINIFILTER_RULES
from unloadlab.windows import RuleKind as Kind
from unloadlab.catalogue import CATALOGUE, example

SEED_RULES = {  # one per statement the seeds' README lists
    "callback-optional", "no-callback-no-unload", "callback-in-registration", "callback-notifies",
    "nonmandatory-triggers", "mandatory-triggers", "mandatory-flag", "nonmandatory-refusal",
    "otherwise-unloaded", "mandatory-ignores-refusal", "do-not-detach-is-error", "normally-success",
    "do-not-support-service-stop", "failed-request-no-callback", "driver-entry-failed",
    "no-callback-at-shutdown", "shutdown-preop",
}


def test_every_rule_has_a_statement_a_kind_and_a_source():
    for r in RULES:
        assert r.statement and not r.statement[0].islower() and r.sources, r.id
        assert all(s.title and s.url for s in r.sources), r.id
        assert r.id == r.id.lower() and " " not in r.id


def test_seed_statements_are_all_in_the_catalogue():
    assert SEED_RULES <= {r.id for r in RULES}


def test_silent_rules_say_so():
    for r in RULES:
        if r.kind is Kind.SILENT:
            assert "not documented" in r.statement or "not covered" in r.statement, r.id


def test_every_minifilter_rule_is_cited_by_some_trace(space):
    cited = {rid for _, t in space for rid in t.rules} | {rid for e in CATALOGUE for rid in e.run().rules}
    assert {r.id for r in MINIFILTER_RULES} - cited == set()


def test_unknown_rule_id_is_a_clear_error():
    with pytest.raises(UnknownRuleError, match="unknown rule id 'nope'"):
        rule("nope")


@pytest.mark.parametrize("ex", CATALOGUE, ids=lambda e: e.name)
def test_catalogue_scenario_replays(ex):
    """Each named path gives the outcome, state and cited rules it documents."""
    assert ex.mismatches(ex.run()) == []


def test_catalogue_names_are_unique_and_lessons_set():
    assert len({e.name for e in CATALOGUE}) == len(CATALOGUE)
    assert all(e.lesson for e in CATALOGUE)


def test_unknown_scenario_name():
    with pytest.raises(KeyError, match="unknown scenario 'nope'"):
        example("nope")


def test_mismatches_can_fail():
    """The replay check is not vacuous: a wrong expectation is reported."""
    ex = example("fltmc-refused")
    wrong = dataclasses.replace(ex, expected={"unloaded": True}, rules=("shutdown-preop",))
    assert len(wrong.mismatches(ex.run())) == 2
