"""The generated driver C: it compiles against our WDK stub, and it says what the knobs say.

Every catalogue entry, every distinct text of both decision spaces and a few corner cases
are type-checked with ``gcc -fsyntax-only`` against tests/c/wdk_stub.h (deduplicated by
text: knobs such as the trigger do not change the driver's code; batched into one unit
per core, each variant renamed apart). Without gcc the compile tests skip, except under
CI=true, where a missing gcc fails.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from unloadlab import callout
from unloadlab.views import code as codegen
from unloadlab.callout import CalloutScenario, ContextRemoval, DriverModel
from unloadlab.callout import callout_c
from unloadlab.minifilter import minifilter_c
from unloadlab.views.code import driver_c
from unloadlab.windows.c_text import c_status
from unloadlab.minifilter import MinifilterScenario, RegistrationFlag, ServerPort
from unloadlab.windows import KNOWN_STATUSES, NtStatus
from unloadlab.catalogue import RULES_BY_ID
from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter import decision_space

C_DIR = Path(__file__).parent / "c"
STUB = C_DIR / "wdk_stub.h"
# -Wextra's missing-field-initializers is switched off on purpose: the documented idiom
# `{ IRP_MJ_OPERATION_END }` and a FLT_REGISTRATION that lists only the callbacks it sets
# leave the remaining members zero.
GCC_FLAGS = ["-fsyntax-only", "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
             "-Wno-missing-field-initializers", "-include", str(STUB), "-I", str(C_DIR / "include")]
JOBS = 2  # gcc processes at a time (2 cores)


# ----------------------------------------------------------------------------- helpers
def _gcc() -> str:
    gcc = shutil.which("gcc")
    if gcc:
        return gcc
    if os.environ.get("CI") == "true":
        pytest.fail("gcc is required under CI=true to type-check the generated C")
    pytest.skip("gcc not found: the generated C cannot be type-checked here")


_FILE_SCOPE_NAME = re.compile(r"^(?![#\s{}/])[^;=(]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*[;=(]")


def file_scope_names(text: str) -> tuple[set[str], set[str]]:
    """(identifiers the text defines or declares at file scope, macros it #defines)."""
    names = set()
    for line in text.splitlines():
        m = _FILE_SCOPE_NAME.match(re.sub(r"\{[^{}]*\}", "", line))  # drop `struct { ... }` bodies
        if m:
            names.add(m.group(1))
    return names, set(re.findall(r"^#define (\w+)", text, re.M))


def as_one_unit(texts: dict[str, str]) -> str:
    """Many variants in one translation unit, each behaving as if compiled alone: its file-scope
    names get a per-variant suffix (member accesses such as config.EvtDriverUnload are left
    alone) and its own macros are undefined after it; #line keeps gcc's messages pointing at
    the variant's own name and line."""
    parts = []
    for name, text in texts.items():
        names, macros = file_scope_names(text)
        if names:
            pattern = re.compile(r"(?<![\w.])(?<!->)\b(" + "|".join(sorted(names)) + r")\b")
            text = pattern.sub(rf"\1__{name}", text)
        parts += [f'#line 1 "{name}.c"', text.rstrip("\n"), *(f"#undef {m}" for m in sorted(macros))]
    return "\n".join(parts) + "\n"


def compile_all(texts: dict[str, str], tmp: Path) -> None:
    """Type-check every variant as if it were its own translation unit (in JOBS batches, to
    spare process start-ups); fail naming the variants gcc rejects, with the first's text."""
    gcc = _gcc()
    names = sorted(texts)
    size = -(-len(names) // JOBS)
    procs = []
    for job in range(JOBS):
        unit = tmp / f"batch{job}.c"
        unit.write_text(as_one_unit({n: texts[n] for n in names[job * size:(job + 1) * size]}))
        procs.append(subprocess.Popen([gcc, *GCC_FLAGS, unit.name], cwd=tmp, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    errors = "".join(out for out, rc in ((p.communicate()[0], p.returncode) for p in procs) if rc)
    if errors:
        failing = sorted(set(re.findall(r"^(\w+)\.c:", errors, re.M)))
        first = texts.get(failing[0], "") if failing else ""
        pytest.fail(f"{len(failing)} variant(s) do not compile: {failing[:10]}\n{errors[:3000]}\n"
                    f"--- {failing[:1]} ---\n{first}")


def strip_comments(c: str) -> str:
    return re.sub(r"/\*.*?\*/", "", c, flags=re.S)


def function(c: str, name: str) -> str:
    """The text of function `name` (header to closing brace at column 0), or '' if absent."""
    m = re.search(rf"^[A-Za-z_][^\n;]*\b{name}\(.*?^}}$", c, re.M | re.S)
    return m.group(0) if m else ""


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
]


@pytest.fixture(scope="module")
def mf_space() -> list[tuple[MinifilterScenario, str]]:
    """(scenario, C) for the decision space, the minifilter catalogue entries and the corners."""
    scenarios = list(decision_space()) + [e.scenario() for e in CATALOGUE if e.model == "minifilter"]
    return [(s, minifilter_c(s)) for s in scenarios + MF_CORNERS]


# Knobs that describe the world, not the driver: they never change its code.
_WORLD = {"trigger", "caller_privileged", "instances", "flows_with_context", "flow_removal"}


def _code_knobs(sc) -> str:
    """The knobs that can change the driver's code, as a hashable key."""
    return repr({k: v for k, v in sc.knobs().items() if k not in _WORLD})


@pytest.fixture(scope="module")
def co_space() -> list[tuple[CalloutScenario, str]]:
    """(scenario, C) for the callout decision space, its catalogue entries and the corners."""
    scenarios = list(callout.decision_space()) + [e.scenario() for e in CATALOGUE if e.model == "callout"]
    return [(s, callout_c(s)) for s in scenarios + CO_CORNERS]


def _distinct(texts) -> dict[str, str]:
    unique = sorted(set(texts))
    return {f"v{i:04d}": t for i, t in enumerate(unique)}


# ----------------------------------------------------------------------------- compiling
def test_every_minifilter_variant_compiles(mf_space, tmp_path):
    variants = _distinct(c for _, c in mf_space)
    assert len(variants) > 300  # the sweep really covers the knobs
    compile_all(variants, tmp_path)


def test_every_callout_variant_compiles(co_space, tmp_path):
    variants = _distinct(c for _, c in co_space)
    assert len(variants) > 150
    compile_all(variants, tmp_path)


def test_catalogue_entries_all_render():
    for e in CATALOGUE:
        assert driver_c(e.scenario()).startswith("#include <"), e.name


def test_one_unit_keeps_variants_apart():
    everything = minifilter_c(mf(server_port="left-open", shutdown_preop=True))
    assert file_scope_names(everything) == ({
        "DriverEntry", "gFilter", "gServerPort", "gClientPort", "Unload", "InstanceQueryTeardown",
        "InstanceTeardownStart", "InstanceTeardownComplete", "PreShutdown", "PortConnect", "PortDisconnect",
        "Callbacks", "FilterRegistration"}, set())
    wdm = callout_c(CalloutScenario(remove_flow_contexts="on-device-busy"))
    assert file_scope_names(wdm) == ({
        "DriverEntry", "Unload", "CalloutKeyBase", "gDeviceObject", "gInjectionHandle", "gCalloutIds", "gFlows",
        "gFlowCount", "ClassifyFn", "NotifyFn", "FlowDeleteFn", "RegisterCallouts", "UndoDriverEntry",
        "RemoveFlowContexts"}, {"CALLOUT_COUNT"})
    unit = as_one_unit({"a": wdm, "b": callout_c(CalloutScenario(model="wdf"))})
    assert "config.EvtDriverUnload = EvtDriverUnload__b;" in unit and "#undef CALLOUT_COUNT" in unit


def test_one_unit_names_the_variant_that_does_not_compile(tmp_path):
    _gcc()
    good = {f"ok{i}": minifilter_c(mf(shutdown_preop=bool(i))) for i in range(2)}
    # uses gFilter, which only the other variants define: must fail here, as it would alone
    borrowed = good["ok0"].replace("static PFLT_FILTER gFilter;\n", "", 1)
    assert borrowed != good["ok0"]
    with pytest.raises(pytest.fail.Exception, match=r"1 variant\(s\) do not compile: \['bad'\]"):
        compile_all({**good, "bad": borrowed}, tmp_path)


def test_compile_check_has_teeth(tmp_path):
    """A wrong callback signature must be rejected, or the compile tests prove nothing."""
    good = minifilter_c(mf(shutdown_preop=True))
    bad = {
        "unload_sig": good.replace("Unload(FLT_FILTER_UNLOAD_FLAGS Flags)", "Unload(PVOID Flags)"),
        "preop_sig": good.replace("PVOID *CompletionContext)", "PVOID CompletionContext)"),
        "order": good.replace("InstanceQueryTeardown,\n    InstanceTeardownStart,",
                              "InstanceTeardownStart,\n    InstanceQueryTeardown,"),
        "flow_delete": callout_c(CalloutScenario()).replace("UINT64 flowContext)\n{", "UINT32 flowContext)\n{"),
        "evt_unload": callout_c(CalloutScenario(model="wdf")).replace(
            "VOID EvtDriverUnload(WDFDRIVER Driver)", "VOID EvtDriverUnload(PDRIVER_OBJECT Driver)"),
    }
    assert all(text not in (good, callout_c(CalloutScenario()), callout_c(CalloutScenario(model="wdf")))
               for text in bad.values())
    gcc = _gcc()
    for name, text in bad.items():
        (tmp_path / f"{name}.c").write_text(text)
        proc = subprocess.run([gcc, *GCC_FLAGS, f"{name}.c"], cwd=tmp_path, capture_output=True, text=True)
        assert proc.returncode != 0, f"{name}: gcc accepted a broken variant"


# ----------------------------------------------------------------------------- the stub
def _stub_defines() -> dict[str, int]:
    text = STUB.read_text()
    found = re.findall(r"^#define (\w+)\s+\(\(NTSTATUS\)(0x[0-9A-Fa-f]+)L\)", text, re.M)
    flags = re.findall(r"^#define (FLTFL_\w+)\s+(0x[0-9A-Fa-f]+)", text, re.M)
    return {name: int(value, 16) for name, value in found + flags}


def test_stub_status_values_match_the_constants_table():
    assert {k: v for k, v in _stub_defines().items() if k.startswith("STATUS_")} == KNOWN_STATUSES


def test_stub_registration_flag_values():
    defined = _stub_defines()
    for flag in RegistrationFlag:
        assert defined[flag.value] == flag.bit
    assert defined["FLTFL_FILTER_UNLOAD_MANDATORY"] == 1


def test_stub_flt_registration_member_order():
    """Documented order (domain-facts #30): the positional initialiser depends on it."""
    body = re.search(r"typedef struct _FLT_REGISTRATION \{(.*?)\} FLT_REGISTRATION;", STUB.read_text(), re.S)
    members = re.findall(r"(\w+);", body.group(1))
    assert members == [
        "Size", "Version", "Flags", "ContextRegistration", "OperationRegistration", "FilterUnloadCallback",
        "InstanceSetupCallback", "InstanceQueryTeardownCallback", "InstanceTeardownStartCallback",
        "InstanceTeardownCompleteCallback", "GenerateFileNameCallback", "NormalizeNameComponentCallback",
        "NormalizeContextCleanupCallback", "TransactionNotificationCallback",
        "NormalizeNameComponentExCallback", "SectionNotificationCallback"]


# ----------------------------------------------------------------------------- minifilter content
def test_minifilter_text_follows_every_knob(mf_space):
    """One pass over every distinct text of the sweep; comments name the knob checked."""
    for sc, c in {_code_knobs(sc): (sc, c) for sc, c in mf_space}.values():
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
    lines = [ln.strip() for ln in strip_comments(c).splitlines()]
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
        assert 40 <= c.count("\n") <= 115, sc.knobs()
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


def test_callout_text_follows_every_knob(co_space):
    for sc, c in {_code_knobs(sc): (sc, c) for sc, c in co_space}.values():
        ctx, code, wdm = sc.knobs(), strip_comments(c), sc.model is DriverModel.WDM
        unload = function(c, "Unload" if wdm else "EvtDriverUnload")
        entry = function(c, "DriverEntry")
        head = "#include <ntddk.h>\n#include <fwpsk.h>\n" if wdm else "#include <ntddk.h>\n#include <wdf.h>\n"
        assert c.startswith(head), ctx
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
            assert bool(device_add) == (sc.model is DriverModel.WDF_PNP), ctx
            # the C registers where the trace does: in EvtDriverDeviceAdd for PnP, else DriverEntry
            assert "RegisterCallouts(" in strip_comments(device_add or entry), ctx
            steps = [step.action for step in callout.simulate(sc).steps]
            if sc.driver_entry_returns.nt_success:
                first = next(i for i, a in enumerate(steps) if a.startswith("FwpsCalloutRegister0("))
                in_device_add = any(a.startswith("EvtDriverDeviceAdd(") for a in steps[:first])
                assert in_device_add == bool(device_add), ctx
            assert "->DriverUnload" not in code, ctx
        if not sc.unload_function:
            assert _NO_UNLOAD_RULE[sc.model] in entry, ctx
        # driver_entry_returns
        de = sc.driver_entry_returns
        assert f"return {c_status(de)};" in entry, ctx
        if not de.nt_success:
            body = strip_comments(entry)
            undo = "UndoDriverEntry();" if sc.model is not DriverModel.WDF_PNP else "FwpsInjectionHandleDestroy0("
            assert 0 <= body.rfind(undo) < body.rfind(f"return {c_status(de)};"), ctx
        if unload:
            _check_callout_unload(sc, unload, ctx)
        for rule_id in re.findall(r"rule ([a-z0-9-]+)", c):
            assert rule_id in RULES_BY_ID, (rule_id, ctx)


def _check_callout_unload(sc: CalloutScenario, unload: str, ctx) -> None:
    code = strip_comments(unload)
    unregister = code.find("FwpsCalloutUnregisterById0(")
    removal = code.find("RemoveFlowContexts(")
    # unregisters / check_unregister_result
    assert (unregister >= 0) == sc.unregisters, ctx
    checks = sc.unregisters and sc.check_unregister_result
    assert ("if (!NT_SUCCESS(status))" in code) == checks, ctx
    if sc.unregisters and not sc.check_unregister_result:
        assert "status" not in code, ctx
    if not sc.unregisters:
        assert "rule wfp-unload-must-unregister" in unload, ctx
    # remove_flow_contexts: none, first, or on STATUS_DEVICE_BUSY then retry
    rm = sc.remove_flow_contexts
    assert (removal >= 0) == (rm is not ContextRemoval.NONE), ctx
    if rm is ContextRemoval.BEFORE_UNREGISTER and sc.unregisters:
        assert removal < unregister, ctx
    if rm is ContextRemoval.ON_DEVICE_BUSY:
        retry = code.find("FwpsCalloutUnregisterById0(", removal)
        assert unregister < code.find("if (!NT_SUCCESS(status))") < removal < retry, ctx
    if checks and rm is not ContextRemoval.ON_DEVICE_BUSY:
        assert "break;" in code, ctx
    # then the device (WDM deletes its own; KMDF leaves the control device to the framework)
    assert calls(code, "IoDeleteDevice") == (sc.model is DriverModel.WDM), ctx
    assert "WdfObjectDelete" not in code, ctx
    last = code.rfind("FwpsInjectionHandleDestroy0(")
    assert last > max(unregister, removal, code.find("IoDeleteDevice(")), ctx


def test_wdf_driver_entry_is_the_seed_pattern():
    entry = strip_comments(function(callout_c(CalloutScenario(model="wdf")), "DriverEntry"))
    lines = [ln.strip() for ln in entry.splitlines()]
    start = lines.index("WDF_DRIVER_CONFIG_INIT(&config, WDF_NO_EVENT_CALLBACK);")
    assert lines[start + 1:start + 3] == ["config.DriverInitFlags |= WdfDriverInitNonPnpDriver;",
                                          "config.EvtDriverUnload = EvtDriverUnload;"]
    assert lines[start + 3].startswith("status = WdfDriverCreate(DriverObject, RegistryPath,")
    assert "WdfControlDeviceInitAllocate(driver, &SDDL_DEVOBJ_KERNEL_ONLY);" in entry


def test_busy_retry_is_the_documented_recovery():
    c = function(callout_c(CalloutScenario(remove_flow_contexts="on-device-busy")), "Unload")
    lines = [ln.strip() for ln in strip_comments(c).splitlines() if ln.strip()]
    i = lines.index("status = FwpsCalloutUnregisterById0(gCalloutIds[i]);")
    assert lines[i + 1:i + 4] == ["if (!NT_SUCCESS(status)) {", "RemoveFlowContexts(gCalloutIds[i]);",
                                  "status = FwpsCalloutUnregisterById0(gCalloutIds[i]);"]


def test_callout_text_is_compact_and_ignores_the_world(co_space):
    by_knobs = {}
    for sc, c in co_space:
        assert max(map(len, c.splitlines())) <= 100, sc.knobs()
        assert 60 <= c.count("\n") <= 140, sc.knobs()
        assert by_knobs.setdefault(_code_knobs(sc), c) == c  # trigger and traffic never change the driver


def test_driver_c_dispatches_callouts():
    sc = CalloutScenario(model="wdf-pnp", trigger="device-removal")
    assert driver_c(sc) == callout_c(sc)
