"""The order a compiler cannot check: for every callout variant, the teardown calls the
generated C makes (its teardown functions' bodies, in order, helpers spliced in) against the
steps of the trace for the same knobs.

Both sides are read as a sequence of teardown operations (``TEARDOWN``). Two checks:
  - order: the operations the trace shows, in the order they first appear, are a
    subsequence of the operations in the C, in the order they first appear;
  - presence: every operation the C makes unconditionally appears in the trace.
Together they catch a call moved (unregistering before the filters go), dropped or added
on one side only. The minifilter's order check lives with the minifilter tests.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from unloadlab import callout
from unloadlab.callout import CANONICAL, CalloutScenario, callout_c, simulate
from unloadlab.catalogue import CATALOGUE
from unloadlab.windows import Actor, Kind, Trace

sys.path.insert(0, str(Path(__file__).parent / "c"))
from c_source import calls_in_order  # noqa: E402  (tests/c, not a package)

# operation: (how the C statement looks, how the trace step's action starts)
TEARDOWN: dict[str, tuple[str, str]] = {
    "stop new work": (r"^gUnloading = TRUE;", "Unloading = TRUE"),
    "delete filters": (r"\bFwpmFilterDeleteByKey0\(", "FwpmFilterDeleteByKey0("),
    "delete callout objects": (r"\bFwpmCalloutDeleteByKey0\(", "FwpmCalloutDeleteByKey0("),
    "close session": (r"\bFwpmEngineClose0\(", "FwpmEngineClose0("),
    "wait for work in flight": (r"\bExWaitForRundownProtectionRelease\(", "ExWaitForRundownProtectionRelease("),
    "wait for the worker": (r"\bKeWaitForSingleObject\(gWorkerThread", "KeWaitForSingleObject(WorkerThread"),
    "remove flow contexts": (r"\bFwpsFlowRemoveContext0\(", "FwpsFlowRemoveContext0("),
    "wait for flowDeleteFn": (r"\bKeWaitForSingleObject\(&gNoFlowContexts", "KeWaitForSingleObject(&NoFlowContexts"),
    "take a fast mutex": (r"\bExAcquireFastMutex\(", "ExAcquireFastMutex("),
    "unregister": (r"\bFwpsCalloutUnregisterById0\(", "FwpsCalloutUnregisterById0("),
    "release the fast mutex": (r"\bExReleaseFastMutex\(", "ExReleaseFastMutex("),
    "destroy injection handle": (r"\bFwpsInjectionHandleDestroy0\(", "FwpsInjectionHandleDestroy0("),
    "delete device": (r"\bIoDeleteDevice\(", "IoDeleteDevice("),
}
_ENTRIES = ("Unload(DriverObject)", "EvtDriverUnload(Driver)", "EvtDeviceSelfManagedIoCleanup(Device)")


def teardown_functions(sc: CalloutScenario) -> list[str]:
    """The functions that run the teardown, in the order the system calls them."""
    if sc.model.value == "wdm":
        return ["Unload"] if sc.unload_function else []
    first = ["EvtDeviceSelfManagedIoCleanup"] if sc.tears_down_in_cleanup else []
    return first + (["EvtDriverUnload"] if sc.unload_function else [])


def c_operations(c: str, sc: CalloutScenario) -> list[tuple[str, bool]]:
    """(operation, conditional) for each teardown call of the C, in order."""
    out = []
    for name in teardown_functions(sc):
        for call in calls_in_order(c, name):
            for op, (pattern, _) in TEARDOWN.items():
                if re.search(pattern, call.line):
                    out.append((op, call.conditional))
    return out


def trace_operations(t: Trace) -> list[str]:
    """The driver's teardown steps, in order, from the first teardown function called."""
    start = next((i for i, s in enumerate(t.steps) if s.action in _ENTRIES and s.target is Actor.CALLOUT_DRIVER),
                 None)
    if start is None:
        return []
    out = []
    for s in t.steps[start + 1:]:
        if s.actor is Actor.CALLOUT_DRIVER and s.kind in (Kind.CALL, Kind.ACTION):
            out += [op for op, (_, prefix) in TEARDOWN.items() if s.action.startswith(prefix)]
    return out


def _first_seen(ops) -> list[str]:
    return list(dict.fromkeys(ops))


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(op in it for op in part)


def order_problems(c: str, sc: CalloutScenario, t: Trace) -> list[str]:
    """What differs between the C's teardown and the trace's (empty when they agree)."""
    in_c = c_operations(c, sc)
    in_trace = trace_operations(t)
    problems = []
    if not _is_subsequence(_first_seen(in_trace), _first_seen(op for op, _ in in_c)):
        problems.append(f"order: trace {_first_seen(in_trace)} vs C {_first_seen(op for op, _ in in_c)}")
    missing = [op for op, conditional in in_c if not conditional and op not in in_trace]
    if missing:
        problems.append(f"the C always does {missing}, the trace never shows it")
    return problems


def _teardown_ran(t: Trace) -> bool:
    return any(s.action in _ENTRIES and s.target is Actor.CALLOUT_DRIVER for s in t.steps)


@pytest.fixture(scope="module")
def variants() -> list[tuple[CalloutScenario, Trace, str]]:
    """Every scenario of the decision space and the catalogue whose teardown runs, with its trace and C."""
    scenarios = list(callout.decision_space()) + [e.scenario() for e in CATALOGUE if e.family == "callout"]
    traces = [(sc, simulate(sc)) for sc in scenarios]
    return [(sc, t, callout_c(sc)) for sc, t in traces if _teardown_ran(t)]


def test_every_variant_tears_down_in_the_order_its_trace_shows(variants):
    assert len(variants) > 3000
    seen_orders = set()
    for sc, t, c in variants:
        assert order_problems(c, sc, t) == [], sc.knobs()
        seen_orders.add(tuple(_first_seen(trace_operations(t))))
    assert len(seen_orders) > 20   # the knobs really move the steps around


def test_the_canonical_order(variants):
    """The seven steps, as lesson 08b teaches them, on both sides."""
    sc = CalloutScenario(flows_with_context=2, **CANONICAL)
    want = ["stop new work", "close session", "wait for work in flight", "wait for the worker",
            "remove flow contexts", "wait for flowDeleteFn", "unregister", "destroy injection handle", "delete device"]
    assert _first_seen(trace_operations(simulate(sc))) == want
    assert _first_seen(op for op, _ in c_operations(callout_c(sc), sc)) == want


@pytest.mark.parametrize("knobs, before, after", [
    (dict(filters="after-unregister"), "unregister", "close session"),
    (dict(drains_before_unregister=False), "unregister", "wait for work in flight"),
    (dict(filters="deleted-by-key"), "delete filters", "delete callout objects"),
    (dict(filters="left-in-place"), "delete callout objects", "close session"),
    (dict(unregister_at_apc_level=True), "take a fast mutex", "unregister"),
])
def test_knobs_move_the_steps_on_both_sides(knobs, before, after):
    sc = CalloutScenario(**{**CANONICAL, **knobs})
    for ops in (_first_seen(trace_operations(simulate(sc))), _first_seen(op for op, _ in c_operations(callout_c(sc), sc))):
        assert ops.index(before) < ops.index(after), ops


def test_pnp_cleanup_runs_before_the_unload_function():
    sc = CalloutScenario(model="wdf-pnp", trigger="device-removal", unregister_in="self-managed-io-cleanup",
                         **CANONICAL)
    assert teardown_functions(sc) == ["EvtDeviceSelfManagedIoCleanup", "EvtDriverUnload"]
    ops = _first_seen(trace_operations(simulate(sc)))
    assert ops[-1] == "destroy injection handle" and ops.index("unregister") < ops.index("destroy injection handle")


@pytest.mark.parametrize("mutation", ["unregister before the filters", "filters dropped", "drain dropped"])
def test_the_check_has_teeth(mutation):
    """The C changed behind the trace's back must be reported, whatever a compiler says."""
    sc = CalloutScenario(**CANONICAL)
    good, t = callout_c(sc), simulate(sc)
    assert order_problems(good, sc, t) == []
    unload_start = good.index("VOID Unload(")
    head, body = good[:unload_start], good[unload_start:]
    loop = body[body.index("    for (i = 0; i < CALLOUT_COUNT; i++) {\n        status"):body.index("    FwpsInjection")]
    filters = "    RemoveFilters();  /* 2. rule wfp-filters-before-callouts */\n"
    drain = "    ExWaitForRundownProtectionRelease(&gRundown);  /* 3. rule wfp-drain-before-unregister */\n"
    assert filters in body and drain in body and loop
    if mutation == "unregister before the filters":
        bad = body.replace(loop, "").replace(filters, loop + filters)
    elif mutation == "filters dropped":
        bad = body.replace(filters, "")
    else:
        bad = body.replace(drain, "")
    assert bad != body
    assert order_problems(head + bad, sc, t) != []
