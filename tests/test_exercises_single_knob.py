"""Practice problems need more than one line read: at most 1 problem in 10 is decided by a
single knob, measured over many seeds.

Definition (``space.deciding_knob``): for a problem's scenario S with outcome O, a knob is
*relevant* when changing that knob alone (to any value ``space.domain`` offers that the model
accepts) changes the outcome to something other than "unloaded after DriverEntry failed" (a
failing DriverEntry overrides every knob, so it says nothing about the others). S is *decided
by a single knob* when at most one knob is relevant: then reading that one knob answers the
problem whatever the rest says. A failing DriverEntry (only DriverEntry is relevant) and a
shutdown (only the trigger is) are the usual ones.
"""
from collections import Counter

from unloadlab.exercises import make, problem
from unloadlab.exercises import deciding_knob
from unloadlab.minifilter import MinifilterScenario

RULES_SEEDS = range(2000)
DIAGNOSIS_SEEDS = range(300)


def test_the_definition_catches_what_it_should():
    assert deciding_knob(MinifilterScenario("shutdown")) == "trigger"
    assert deciding_knob(MinifilterScenario("sc-stop", driver_entry_returns="STATUS_UNSUCCESSFUL")) == \
        "driver_entry_returns"
    assert deciding_knob(MinifilterScenario("fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH")) is None
    assert deciding_knob(MinifilterScenario("sc-stop", unload_callback=False)) is None


def test_rules_level_at_most_one_in_ten():
    decided = Counter(deciding_knob(problem(s)) for s in RULES_SEEDS)
    single = sum(n for knob, n in decided.items() if knob is not None)
    assert single <= len(RULES_SEEDS) / 10, decided
    assert single > 0   # few, not none: a shutdown or a failed DriverEntry still turns up now and then


def test_diagnosis_level_at_most_one_in_ten():
    single = sum(deciding_knob(make("diagnosis", s).extra["scenario"]) is not None for s in DIAGNOSIS_SEEDS)
    assert single <= len(DIAGNOSIS_SEEDS) / 10
