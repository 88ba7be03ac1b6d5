"""The generated driver C says what the knobs say: one pass over every distinct text of both
decision spaces (and the catalogues) checks each knob's mark in the code.

Compiling the C against real Windows headers is tests/test_c_compile.py; comparing the
teardown's call order with the trace is tests/test_c_order.py.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from unloadlab import callout
from unloadlab.views import code as codegen
from unloadlab.callout import CANONICAL, CalloutScenario, DriverModel, FilterRemoval
from unloadlab.callout import callout_c
from unloadlab.minifilter import minifilter_c
from unloadlab.views.code import driver_c
from unloadlab.callout.flaws import flaws as callout_flaws
from unloadlab.windows.c_text import bugs, c_status
from unloadlab.minifilter import MinifilterScenario, RegistrationFlag, ServerPort
from unloadlab.windows import NtStatus
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter import decision_space

sys.path.insert(0, str(Path(__file__).parent / "c"))
from c_source import function, strip_comments  # noqa: E402  (tests/c, not a package)


def calls(c: str, name: str) -> int:
    """How many times the code (not its comments) calls `name`."""
    return len(re.findall(rf"\b{name}\(", strip_comments(c)))


def mf(**knobs) -> MinifilterScenario:
    return MinifilterScenario(**{"trigger": "FilterUnload", **knobs})


# ----------------------------------------------------------------------------- variants
# Knob combinations neither decision space visits.
MF_CORNERS = [
    mf(pended_io=True, teardown_callbacks=False),
    mf(pended_io=True, teardown_callbacks=False, unload_callback=False),
    mf(callback_returns="STATUS_SUCCESS", refuse_only_if_not_mandatory=True),
    mf(callback_returns="STATUS_OBJECT_NAME_EXISTS", refuse_only_if_not_mandatory=True, server_port="left-open"),
    mf(callback_returns="0xE0123456", driver_entry_returns="0x40123456"),
    mf(flags=[f.value for f in RegistrationFlag], shutdown_preop=True, server_port="closed-before-unregister"),
    mf(server_port="closed-before-unregister", calls_unregister=False),
    mf(server_port="left-open", calls_unregister=False, driver_entry_returns="STATUS_INSUFFICIENT_RESOURCES"),
]
CO_CORNERS = [
    CalloutScenario(callouts=8, flows_with_context=64, remove_flow_contexts="before-unregister",
                    driver_entry_returns="0xC0123456"),
    CalloutScenario(model="wdf-pnp", unregisters=False, remove_flow_contexts="before-unregister",
                    driver_entry_returns="STATUS_OBJECT_NAME_EXISTS"),
    CalloutScenario(model="wdf", unload_function=False, remove_flow_contexts="on-device-busy"),
    CalloutScenario(model="wdm", check_unregister_result=False, remove_flow_contexts="before-unregister",
                    flow_removal="pending", driver_entry_returns="STATUS_INSUFFICIENT_RESOURCES"),
    CalloutScenario(model="wdf-pnp", unload_function=False, unregister_in="self-managed-io-cleanup",
                    filters="left-in-place", permit_if_unregistered=True, unregister_at_apc_level=True,
                    drains_before_unregister=False, trigger="device-removal"),
    CalloutScenario(model="wdm", unregisters=False, remove_flow_contexts="on-device-busy",
                    waits_for_flow_deletes=True, filters="after-unregister"),
]
# The minifilter knobs the detailed checks below know; a scenario that sets any other one
# (the minifilter family is growing) is checked for what holds of every text only.
_MF_KNOWN = {"trigger", "unload_callback", "callback_returns", "refuse_only_if_not_mandatory", "flags",
             "driver_entry_returns", "shutdown_preop", "instances", "teardown_callbacks", "pended_io", "server_port",
             "calls_unregister", "caller_privileged"}
_MF_DEFAULTS = MinifilterScenario(trigger="FilterUnload").knobs()


def _mf_plain(sc: MinifilterScenario) -> bool:
    return all(v == _MF_DEFAULTS[k] for k, v in sc.knobs().items() if k not in _MF_KNOWN)


@pytest.fixture(scope="module")
def mf_space() -> list[tuple[MinifilterScenario, str]]:
    """(scenario, C) for the decision space, the minifilter catalogue entries and the corners."""
    scenarios = list(decision_space()) + [e.scenario() for e in CATALOGUE if e.family == "minifilter"]
    return [(s, minifilter_c(s)) for s in scenarios + MF_CORNERS]


# Knobs that describe the world, not the driver: they never change its code.
_WORLD = {"trigger", "caller_privileged", "instances", "flows_with_context", "flow_removal", "classify_in_progress",
          "dependent_services"}


def _code_knobs(sc) -> str:
    """The knobs that can change the driver's code, as a hashable key."""
    return repr({k: v for k, v in sc.knobs().items() if k not in _WORLD})


@pytest.fixture(scope="module")
def co_space() -> list[tuple[CalloutScenario, str]]:
    """(scenario, C) for the callout decision space, its catalogue entries and the corners."""
    scenarios = list(callout.decision_space()) + [e.scenario() for e in CATALOGUE if e.family == "callout"]
    return [(s, callout_c(s)) for s in scenarios + CO_CORNERS]


# ----------------------------------------------------------------------------- minifilter content
def test_minifilter_text_follows_every_knob(mf_space):
    """One pass over every distinct text of the sweep; comments name the knob checked."""
    plain = [(sc, c) for sc, c in mf_space if _mf_plain(sc)]
    assert len(plain) > 300   # the sweep really covers the knobs these checks know
    for sc, c in {_code_knobs(sc): (sc, c) for sc, c in plain}.values():
        code = strip_comments(c)
        unload = function(c, "Unload")
        entry = function(c, "DriverEntry")
        ctx = sc.knobs()
        assert c.startswith("#include <fltKernel.h>\n"), ctx
        # unload_callback: FLT_REGISTRATION.FilterUnloadCallback
        member = re.search(r"^    (\w+),  /\* FilterUnloadCallback", c, re.M).group(1)
        assert member == ("Unload" if sc.unload_callback else "NULL"), ctx
        assert bool(unload) == sc.unload_callback, ctx
        # refuse_only_if_not_mandatory: the MANDATORY test, exactly then
        has_check = "if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY))" in code
        assert has_check == (sc.unload_callback and sc.refuse_only_if_not_mandatory), ctx
        # flags
        flags = re.search(r"^    ([^,]*),  /\* Flags \*/", c, re.M).group(1)
        want = " |\n        ".join(f.value for f in sorted(sc.flags, key=lambda f: f.bit)) or "0"
        assert flags == want, ctx
        # shutdown_preop
        assert ("{ IRP_MJ_SHUTDOWN, 0, PreShutdown, NULL }" in c) == sc.shutdown_preop, ctx
        assert bool(function(c, "PreShutdown")) == sc.shutdown_preop, ctx
        assert code.count("{ IRP_MJ_OPERATION_END }") == 1, ctx
        # teardown_callbacks
        for name in ("InstanceTeardownStart", "InstanceTeardownComplete"):
            assert bool(function(c, name)) == sc.teardown_callbacks, ctx
        assert ("rule teardown-hang" in c) == sc.pended_io, ctx
        # server_port
        port = sc.server_port is not ServerPort.NONE
        assert calls(entry, "FltCreateCommunicationPort") == port, ctx
        # driver_entry_returns
        de = sc.driver_entry_returns
        assert f"return {c_status(de)};" in entry, ctx
        assert calls(entry, "FltStartFiltering") == de.nt_success, ctx
        if not de.nt_success:  # undo the registration first (rule driver-entry-pattern)
            assert strip_comments(entry).rfind("FltUnregisterFilter(") < strip_comments(entry).rfind("return"), ctx
        # the unload routine
        if unload:
            _check_unload(sc, unload, ctx)
        # every cited rule exists
        for rule_id in re.findall(r"rule ([a-z0-9-]+)", c):
            assert rule_id in RULES_BY_ID, (rule_id, ctx)


def _check_unload(sc: MinifilterScenario, unload: str, ctx) -> None:
    code = strip_comments(unload)
    refuses_always = not sc.callback_returns.nt_success and not sc.refuse_only_if_not_mandatory
    assert f"return {c_status(sc.callback_returns)};" in code, ctx
    if refuses_always:  # returns before tearing anything down (rule refuse-before-teardown)
        assert "FltUnregisterFilter(" not in code and "FltCloseCommunicationPort(" not in code, ctx
        assert code.count("return") == 1, ctx
        return
    if sc.refuse_only_if_not_mandatory and not sc.callback_returns.nt_success:
        check = code.index("FLTFL_FILTER_UNLOAD_MANDATORY")
        teardown = [code.find(f) for f in ("FltCloseCommunicationPort(", "FltUnregisterFilter(")]
        assert check < code.index("return") and all(check < i for i in teardown if i >= 0), ctx
        assert "return STATUS_SUCCESS;" in code, ctx
    assert calls(code, "FltUnregisterFilter") == sc.calls_unregister, ctx
    assert calls(code, "FltCloseCommunicationPort") == (sc.server_port is ServerPort.CLOSED_FIRST), ctx
    if sc.server_port is ServerPort.CLOSED_FIRST and sc.calls_unregister:
        assert code.index("FltCloseCommunicationPort(") < code.index("FltUnregisterFilter("), ctx
    if sc.server_port is ServerPort.LEFT_OPEN:
        assert "BUG: server port left open" in unload and "rule port-before-unregister" in unload, ctx
    if not sc.calls_unregister:
        assert "rule silent-no-unregister" in unload, ctx


def test_conditional_refusal_checks_the_flag_before_any_teardown():
    c = function(minifilter_c(mf(callback_returns="STATUS_FLT_DO_NOT_DETACH", refuse_only_if_not_mandatory=True,
                                 server_port="closed-before-unregister")), "Unload")
    lines = [ln.strip() for ln in strip_comments(c).splitlines() if ln.strip()]
    assert "rule tamper-resistant-refusal" in c and "BUG" not in c
    assert lines[2:7] == ["if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {",
                          "return STATUS_FLT_DO_NOT_DETACH;", "}",
                          "FltCloseCommunicationPort(gServerPort);", "FltUnregisterFilter(gFilter);"]
    assert lines[-2] == "return STATUS_SUCCESS;"


def test_port_left_open_has_no_close_and_says_unregister_hangs():
    c = function(minifilter_c(mf(server_port="left-open")), "Unload")
    assert "FltCloseCommunicationPort" not in c
    assert "FltUnregisterFilter below hangs" in c


def test_unknown_status_is_written_as_a_cast_hex_literal():
    assert c_status(NtStatus(0xC0123456)) == "((NTSTATUS)0xC0123456L)"
    c = minifilter_c(mf(callback_returns="0xC0123456"))
    assert "return ((NTSTATUS)0xC0123456L);" in function(c, "Unload")


def test_minifilter_text_is_compact_and_deterministic(mf_space):
    by_knobs = {}
    for sc, c in mf_space:
        assert max(map(len, c.splitlines())) <= 100, sc.knobs()
        if _mf_plain(sc):
            assert 40 <= c.count("\n") <= 120, sc.knobs()
        assert by_knobs.setdefault(_code_knobs(sc), c) == c  # the trigger never changes the driver
    sc = mf(server_port="left-open", shutdown_preop=True)
    assert minifilter_c(sc) == minifilter_c(mf(server_port="left-open", shutdown_preop=True))


def test_driver_c_dispatches_and_rejects_other_types():
    sc = mf()
    assert driver_c(sc) == minifilter_c(sc)
    with pytest.raises(TypeError, match="CalloutScenario"):
        driver_c("not a scenario")


def test_codegen_has_no_third_party_imports():
    src = Path(codegen.__file__).read_text()
    imports = re.findall(r"^(?:from|import) ([\w.]+)", src, re.M)
    assert all(m in ("__future__", "typing") or m.startswith(".") for m in imports), imports


# ----------------------------------------------------------------------------- callout content
_NO_UNLOAD_RULE = {DriverModel.WDM: "rule wfp-no-unload-function",
                   DriverModel.WDF: "rule callout-kmdf-nonpnp-needs-evt",
                   DriverModel.WDF_PNP: "rule callout-kmdf-pnp-always-unload"}


def bug_lines(c: str) -> set[str]:
    """The rule ids named by the listing's BUG comments (read back by windows.c_text.bugs)."""
    return {rule for _, rule in bugs(c)}


def test_callout_text_follows_every_knob(co_space):
    for sc, c in {_code_knobs(sc): (sc, c) for sc, c in co_space}.values():
        ctx, code, wdm = sc.knobs(), strip_comments(c), sc.model is DriverModel.WDM
        pnp = sc.model is DriverModel.WDF_PNP
        unload = function(c, "Unload" if wdm else "EvtDriverUnload")
        cleanup = function(c, "EvtDeviceSelfManagedIoCleanup")
        entry = function(c, "DriverEntry")
        head = "#include <ntifs.h>" + ("" if wdm else "  /* ntddk.h and more: ZwWaitForSingleObject */\n#include <wdf.h>")
        assert c.startswith("#define NDIS61 1") and head.split("  /*")[0] in c, ctx
        assert ("#pragma warning(disable:4201)  /* nameless unions in fwpsk.h, as in inspect */\n"
                "#include <fwpsk.h>\n#pragma warning(pop)\n#include <fwpmk.h>\n") in c, ctx
        assert f"#define CALLOUT_COUNT {sc.callouts}\n" in c, ctx
        assert calls(c, "FwpsCalloutRegister0") == 1, ctx  # in the loop of RegisterCallouts
        # model and unload_function: who names the unload function, and how
        assert bool(unload) == sc.unload_function, ctx
        if wdm:
            assert ("DriverObject->DriverUnload = Unload;" in code) == sc.unload_function, ctx
            assert "WdfDriverCreate" not in code, ctx
        else:
            assert ("config.EvtDriverUnload = EvtDriverUnload;" in code) == sc.unload_function, ctx
            nonpnp = "config.DriverInitFlags |= WdfDriverInitNonPnpDriver;" in code
            assert nonpnp == (sc.model is DriverModel.WDF), ctx
            device_add = function(c, "EvtDriverDeviceAdd")
            assert bool(device_add) == pnp, ctx
            # the C registers where the trace does: in EvtDriverDeviceAdd for PnP, else DriverEntry
            assert "RegisterCallouts(" in strip_comments(device_add or entry), ctx
            assert "->DriverUnload" not in code, ctx
        if not sc.unload_function:
            named = "rule wfp-unload-deletes-device" if sc.tears_down_in_cleanup else _NO_UNLOAD_RULE[sc.model]
            assert named in entry, ctx
        # unregister_in: the PnP driver's cleanup callback, named before the device is created
        assert bool(cleanup) == sc.tears_down_in_cleanup, ctx
        if cleanup:
            add = strip_comments(function(c, "EvtDriverDeviceAdd"))
            assert add.index("WdfDeviceInitSetPnpPowerEventCallbacks(") < add.index("WdfDeviceCreate("), ctx
        # driver_entry_returns
        de = sc.driver_entry_returns
        assert f"return {c_status(de)};" in entry, ctx
        if not de.nt_success:
            body = strip_comments(entry)
            undo = "FwpsInjectionHandleDestroy0(" if pnp else "UndoDriverEntry();"
            assert 0 <= body.rfind(undo) < body.rfind(f"return {c_status(de)};"), ctx
        # filters and the permit flag: how the session is opened, how RemoveFilters empties it
        add_filters, remove = strip_comments(function(c, "AddFilters")), strip_comments(function(c, "RemoveFilters"))
        static = sc.filters in (FilterRemoval.DELETED_BY_KEY, FilterRemoval.LEFT_IN_PLACE)
        assert ("FWPM_SESSION_FLAG_DYNAMIC" in add_filters) is not static, ctx
        assert ("FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED" in add_filters) is sc.permit_if_unregistered, ctx
        assert calls(remove, "FwpmFilterDeleteByKey0") == (sc.filters is FilterRemoval.DELETED_BY_KEY), ctx
        assert calls(remove, "FwpmCalloutDeleteByKey0") == static, ctx
        assert calls(remove, "FwpmEngineClose0") == 1, ctx
        # the teardown, where it is
        teardown = cleanup or (unload if sc.unload_function else "")
        if teardown:
            _check_teardown(sc, teardown, unload, ctx)
        # BUG lines: exactly the mistakes the code holds (callout.flaws, the headline's), each naming its rule
        assert bug_lines(c) == {rule for rule, _ in callout_flaws(sc)}, ctx
        for rule_id in re.findall(r"rule ([a-z0-9-]+)", c):
            assert rule_id in RULES_BY_ID, (rule_id, ctx)


def _check_teardown(sc: CalloutScenario, teardown: str, unload: str, ctx) -> None:
    code = strip_comments(teardown)
    unregister = code.find("FwpsCalloutUnregisterById0(")
    removal = code.find("RemoveFlowContexts(")
    drain = code.find("ExWaitForRundownProtectionRelease(")
    filters = code.find("RemoveFilters(")
    stop = code.find("gUnloading = TRUE;")
    # step 1 first, always
    assert 0 <= stop < min(i for i in (filters, drain, removal, unregister) if i >= 0), ctx
    # unregisters / check_unregister_result / remove_flow_contexts / waits_for_flow_deletes
    assert (unregister >= 0) == sc.unregisters, ctx
    checks = sc.unregisters and sc.check_unregister_result
    assert ("if (!NT_SUCCESS(status))" in code) == checks, ctx
    if sc.unregisters and not sc.check_unregister_result:
        assert "status" not in code, ctx
    assert (removal >= 0) == (sc.removes_first or (sc.retries_on_failure and sc.unregisters)), ctx
    if sc.removes_first and sc.unregisters:
        assert removal < unregister, ctx
    if sc.retries_on_failure and sc.unregisters:
        busy = code.find("while (status == STATUS_DEVICE_BUSY)")
        retry = code.find("FwpsCalloutUnregisterById0(", busy)
        assert unregister < busy < code.rfind("RemoveFlowContexts(") < retry < code.find("if (!NT_SUCCESS(status))"), ctx
        assert "gCalloutsLeft = TRUE;" in code, ctx
    waits = code.count("KeWaitForSingleObject(&gNoFlowContexts")
    assert (waits > 0) == (sc.waits_for_flow_deletes and removal >= 0), ctx
    if checks and not sc.retries_on_failure:
        assert "break;" in code, ctx
    # filters: first, or after the callouts
    assert filters >= 0, ctx
    if sc.unregisters:
        assert (filters < unregister) is (sc.filters is not FilterRemoval.AFTER_UNREGISTER), ctx
        assert (drain < unregister) is sc.drains_before_unregister, ctx
        assert ("ExAcquireFastMutex(" in code) is sc.unregister_at_apc_level, ctx
    # then the injection handle and the device, in the unload function
    tail = strip_comments(unload)
    if unload:
        assert calls(tail, "IoDeleteDevice") == (sc.model is DriverModel.WDM), ctx
        assert "WdfObjectDelete" not in tail, ctx
        last = tail.rfind("FwpsInjectionHandleDestroy0(")
        assert last > max(tail.find("FwpsCalloutUnregisterById0("), -1) and (
            sc.model is not DriverModel.WDM or last < tail.find("IoDeleteDevice(")), ctx


def test_canonical_c_carries_no_bug():
    for model in DriverModel:
        place = "self-managed-io-cleanup" if model is DriverModel.WDF_PNP else "unload-function"
        c = callout_c(CalloutScenario(model=model, unregister_in=place, **CANONICAL))
        assert "BUG" not in c, model


@pytest.mark.parametrize("example", [e for e in CATALOGUE if e.family == "callout"], ids=lambda e: e.name)
def test_a_bug_line_appears_only_where_the_trace_shows_that_bug(example):
    """Issue 12, item 5: each BUG comment names a rule the trace cites; an entry shown as
    correct (unloaded, nothing marked) has no BUG line at all."""
    trace, c = example.run(), driver_c(example.scenario())
    assert bug_lines(c) <= set(trace.rules), sorted(bug_lines(c) - set(trace.rules))
    if trace.outcome.value == "unloaded" and not any(s.mark for s in trace.steps):
        assert "BUG" not in c


def test_every_bug_line_is_shown_by_the_trace_when_the_teardown_runs(co_space):
    for sc, c in co_space:
        t = callout.simulate(sc)
        ran = t["unload_function_called"] or any(s.action == "EvtDeviceSelfManagedIoCleanup(Device)"
                                                 for s in t.steps)
        if ran:
            assert bug_lines(c) <= set(t.rules), (sorted(bug_lines(c) - set(t.rules)), sc.knobs())


def test_wdf_driver_entry_is_the_seed_pattern():
    entry = strip_comments(function(callout_c(CalloutScenario(model="wdf")), "DriverEntry"))
    lines = [ln.strip() for ln in entry.splitlines()]
    start = lines.index("WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);")
    assert lines[start + 1:start + 3] == ["config.DriverInitFlags |= WdfDriverInitNonPnpDriver;",
                                          "config.EvtDriverUnload = EvtDriverUnload;"]
    assert lines[start + 3].startswith("status = WdfDriverCreate(DriverObject, RegistryPath,")
    assert "WdfControlDeviceInitAllocate(driver, &SDDL_DEVOBJ_KERNEL_ONLY);" in entry


def test_busy_retry_is_the_documented_recovery():
    c = function(callout_c(CalloutScenario(remove_flow_contexts="on-device-busy", waits_for_flow_deletes=True)),
                 "Unload")
    lines = [ln.strip() for ln in strip_comments(c).splitlines() if ln.strip()]
    i = lines.index("status = FwpsCalloutUnregisterById0(gCalloutIds[i]);")
    assert lines[i + 1:i + 8] == ["while (status == STATUS_DEVICE_BUSY) {", "RemoveFlowContexts(gCalloutIds[i]);",
                                  "KeWaitForSingleObject(&gNoFlowContexts, Executive, KernelMode, FALSE, NULL);",
                                  "status = FwpsCalloutUnregisterById0(gCalloutIds[i]);", "}",
                                  "if (!NT_SUCCESS(status)) {", "gCalloutsLeft = TRUE;"]
    # with a callout left, the device it was registered with is not deleted (issue 19, item 1)
    assert lines.index("if (gCalloutsLeft) {") + 1 == lines.index("return;") < lines.index(
        "IoDeleteDevice(gDeviceObject);")


def test_flow_table_is_bounded_and_locked():
    c = strip_comments(callout_c(CalloutScenario(**CANONICAL)))
    for name in ("TrackFlow", "ForgetFlow", "RemoveFlowContexts"):
        body = function(c, name)
        assert "KeAcquireInStackQueuedSpinLock(&gFlowLock" in body and "KeReleaseInStackQueuedSpinLock" in body, name
    assert "i < FLOW_SLOTS" in function(c, "TrackFlow") and "!gUnloading" in function(c, "TrackFlow")
    remove = function(c, "RemoveFlowContexts")   # the removal runs with the lock released
    assert remove.index("KeReleaseInStackQueuedSpinLock") < remove.index("FwpsFlowRemoveContext0(")


def test_callout_signatures_follow_the_ddi_pages():
    c = callout_c(CalloutScenario())
    assert "const FWPS_FILTER0 *filter,\n" in function(c, "ClassifyFn")          # classifyFn0: const
    assert "FWPS_FILTER0 *filter)" in function(c, "NotifyFn") and "const FWPS_FILTER0 *filter)" not in c
    assert "UINT64 flowContext)" in function(c, "FlowDeleteFn")


def test_callout_text_is_compact_and_ignores_the_world(co_space):
    by_knobs = {}
    for sc, c in co_space:
        assert max(map(len, c.splitlines())) <= 100, sc.knobs()
        assert 200 <= c.count("\n") <= 400, sc.knobs()
        assert by_knobs.setdefault(_code_knobs(sc), c) == c  # trigger and traffic never change the driver


def test_driver_c_dispatches_callouts():
    sc = CalloutScenario(model="wdf-pnp", trigger="device-removal")
    assert driver_c(sc) == callout_c(sc)
