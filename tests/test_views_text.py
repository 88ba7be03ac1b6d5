"""The text views lessons read: a trace's steps without the knob echo, and one C function."""
import pytest

from unloadlab.catalogue import example
from unloadlab.views.code import c_function, driver_c
from unloadlab.views.text import format_steps, format_trace


def test_format_steps_starts_where_asked_and_ends_with_the_outcome():
    trace = example("fltmc-refused").run()
    text = format_steps(trace, "FilterUnloadCallback(")
    first = next(n for n, s in enumerate(trace.steps, 1) if s.action.startswith("FilterUnloadCallback("))
    assert text.startswith(f"{first:2}. [filter manager -> minifilter] FilterUnloadCallback(")
    assert text.endswith(f"Outcome: {trace.outcome.value}. {trace.headline}")
    assert "trigger:" not in text and "rules:" not in text          # no echo, no rules
    assert format_steps(trace, first) == text
    # every step line of the full trace from there on, in the same words
    full = [line for line in format_trace(trace).splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert text.splitlines()[:len(full) - first + 1] == full[first - 1:]


def test_format_steps_says_what_is_wrong_with_first():
    trace = example("fltmc-refused").run()
    with pytest.raises(ValueError, match="no step of this trace starts with 'Nope'"):
        format_steps(trace, "Nope")
    with pytest.raises(ValueError, match=r"step 0 is not in this trace \(1\.\."):
        format_steps(trace, 0)


def test_c_function_is_one_whole_function():
    c = driver_c(example("fltmc-refused").scenario())
    unload = c_function(c, "Unload")
    assert unload.startswith("static NTSTATUS Unload(") and unload.endswith("\n}")
    assert unload.count("{") == unload.count("}") and "DriverEntry" not in unload
    assert c_function(c, "DriverEntry").startswith("NTSTATUS DriverEntry(")
    with pytest.raises(ValueError, match="no function 'Missing'"):
        c_function(c, "Missing")
