"""Every generated driver C, of both families, compiles against real Windows headers.

MinGW-w64's cross compiler (``x86_64-w64-mingw32-gcc -fsyntax-only -Wall -Wextra -Werror``,
plus -std=c11 -Wpedantic) checks each distinct text of both decision spaces and catalogues
against MinGW-w64's own ddk/ headers; the four WDK headers MinGW lacks come from
tests/c/wdk_declarations.h, each declaration naming its DDI page (tests/c/mingw.py).
The minifilter variants are enumerated from the minifilter model (decision space and
catalogue), so knobs that family gains are compiled without a change here. Without the
compiler these tests skip, except under CI=true, where a missing compiler fails them.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from unloadlab import callout, minifilter
from unloadlab.callout import CANONICAL, CalloutScenario, callout_c
from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter import MinifilterScenario, RegistrationFlag, minifilter_c
from unloadlab.windows import KNOWN_STATUSES

sys.path.insert(0, str(Path(__file__).parent / "c"))
import mingw  # noqa: E402  (tests/c, not a package)


def _distinct(texts) -> dict[str, str]:
    unique = sorted(set(texts))
    return {f"v{i:04d}": t for i, t in enumerate(unique)}


def test_every_minifilter_variant_compiles(tmp_path):
    scenarios = list(minifilter.decision_space()) + [e.scenario() for e in CATALOGUE if e.family == "minifilter"]
    variants = _distinct(minifilter_c(s) for s in scenarios)
    assert len(variants) > 300  # the sweep really covers the knobs
    mingw.compile_all(variants, tmp_path)


def test_every_callout_variant_compiles(tmp_path):
    scenarios = list(callout.decision_space()) + [e.scenario() for e in CATALOGUE if e.family == "callout"]
    variants = _distinct(callout_c(s) for s in scenarios)
    assert len(variants) > 500
    mingw.compile_all(variants, tmp_path)


# --- the check has teeth ----------------------------------------------------------------------------
def _mutations() -> dict[str, tuple[str, str, str]]:
    """name: (good text, text to find, replacement) -- each makes a wrong program."""
    wdm = callout_c(CalloutScenario(**CANONICAL))
    wdf = callout_c(CalloutScenario(model="wdf", **CANONICAL))
    mf = minifilter_c(MinifilterScenario(trigger="FilterUnload", shutdown_preop=True))
    return {
        # the samples' const filter is not what FWPS_CALLOUT_NOTIFY_FN0 takes (its DDI page)
        "notify_const_filter": (wdm, "FWPS_FILTER0 *filter)\n{", "const FWPS_FILTER0 *filter)\n{"),
        "flow_delete_context": (wdm, "UINT64 flowContext)\n{\n    UNREFERENCED_PARAMETER(layerId)",
                                "UINT32 flowContext)\n{\n    UNREFERENCED_PARAMETER(layerId)"),
        "evt_unload_param": (wdf, "VOID EvtDriverUnload(WDFDRIVER Driver)", "VOID EvtDriverUnload(PDRIVER_OBJECT Driver)"),
        "unload_return": (wdm, "VOID Unload(PDRIVER_OBJECT DriverObject)", "NTSTATUS Unload(PDRIVER_OBJECT DriverObject)"),
        # ZwWaitForSingleObject (StartWorker's failure path) is an ntifs.h routine: ntddk.h alone lacks it
        "ntifs_only_routine": (wdm, "#include <ntifs.h>", "#include <ntddk.h>"),
        "rundown_by_value": (wdm, "ExWaitForRundownProtectionRelease(&gRundown);",
                             "ExWaitForRundownProtectionRelease(gRundown);"),
        "mf_unload_sig": (mf, "Unload(FLT_FILTER_UNLOAD_FLAGS Flags)", "Unload(PVOID Flags)"),
        "mf_preop_sig": (mf, "PVOID *CompletionContext)", "PVOID CompletionContext)"),
    }


@pytest.mark.parametrize("name", sorted(_mutations()))
def test_compile_check_has_teeth(name, tmp_path):
    """A wrong signature or call must be rejected, or the compile tests prove nothing."""
    good, find, replace = _mutations()[name]
    assert find in good, f"{name}: the generated C no longer contains {find!r}"
    assert mingw.compiles(good, tmp_path, "good").returncode == 0
    proc = mingw.compiles(good.replace(find, replace, 1), tmp_path, "bad")
    assert proc.returncode != 0, f"{name}: the compiler accepted a broken variant"


def test_one_unit_keeps_variants_apart():
    everything = minifilter_c(MinifilterScenario(trigger="FilterUnload", server_port="left-open",
                                                 shutdown_preop=True))
    names, _ = mingw.file_scope_names(everything)
    assert {"DriverEntry", "gFilter", "Unload", "FilterRegistration", "Callbacks"} <= names
    wdm = callout_c(CalloutScenario(remove_flow_contexts="on-device-busy"))
    assert mingw.file_scope_names(wdm) == ({
        "DriverEntry", "WorkerThread", "Unload", "CalloutKeyBase", "FilterKeyBase", "gDeviceObject", "gEngineHandle",
        "gInjectionHandle", "gCalloutIds", "gRundown", "gFlowLock", "gUnloading", "gFlows", "gLiveFlows",
        "gNoFlowContexts", "gWorkerWake", "gWorkerStop", "gWorkerThread", "InitializeGlobals", "KeyFor", "TrackFlow",
        "ForgetFlow", "ClassifyFn", "NotifyFn", "FlowDeleteFn", "StartWorker", "StopWorker", "RegisterCallouts",
        "AddFilters", "RemoveFilters", "UndoRegistration", "RemoveFlowContexts", "UndoDriverEntry", "gCalloutsLeft"},
        {"NDIS61", "CALLOUT_COUNT", "FLOW_SLOTS"})
    unit = mingw.as_one_unit({"a": wdm, "b": callout_c(CalloutScenario(model="wdf"))})
    assert "config.EvtDriverUnload = EvtDriverUnload__b;" in unit and "#undef CALLOUT_COUNT" in unit


def test_one_unit_names_the_variant_that_does_not_compile(tmp_path):
    mingw.compiler()
    good = {f"ok{i}": callout_c(CalloutScenario(callouts=i + 1)) for i in range(2)}
    # uses gRundown, which only the other variants define: must fail here, as it would alone
    borrowed = good["ok0"].replace("static EX_RUNDOWN_REF gRundown;", "", 1)
    assert borrowed != good["ok0"]
    with pytest.raises(pytest.fail.Exception, match=r"1 variant\(s\) do not compile: \['bad'\]"):
        mingw.compile_all({**good, "bad": borrowed}, tmp_path)


# --- our numbers against the real headers -----------------------------------------------------------
def test_the_constants_table_matches_the_real_ntstatus_h(tmp_path):
    """Every status of the constants table (windows.ntstatus) has the value MinGW-w64's
    ntstatus.h gives it; the callout model's STATUS_NOT_SUPPORTED too."""
    values = {**KNOWN_STATUSES, callout.STATUS_NOT_SUPPORTED: 0xC00000BB}
    checks = [f'_Static_assert({name} == (NTSTATUS)0x{value:08X}, "{name}");' for name, value in values.items()]
    proc = mingw.compiles("#include <ntddk.h>\n" + "\n".join(checks) + "\n", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _declared() -> str:
    return mingw.DECLARATIONS.read_text()


def test_declared_registration_flags_match_the_model():
    defined = dict(re.findall(r"^#define (FLTFL_\w+)\s+(0x[0-9A-Fa-f]+)", _declared(), re.M))
    for flag in RegistrationFlag:
        assert int(defined[flag.value], 16) == flag.bit
    assert int(defined["FLTFL_FILTER_UNLOAD_MANDATORY"], 16) == 1


def test_declared_flt_registration_keeps_the_documented_member_order():
    """Domain-facts #30: the minifilter's positional initialiser depends on it."""
    body = re.search(r"typedef struct _FLT_REGISTRATION \{(.*?)\} FLT_REGISTRATION", _declared(), re.S)
    members = re.findall(r"(\w+);", body.group(1))
    assert members == [
        "Size", "Version", "Flags", "ContextRegistration", "OperationRegistration", "FilterUnloadCallback",
        "InstanceSetupCallback", "InstanceQueryTeardownCallback", "InstanceTeardownStartCallback",
        "InstanceTeardownCompleteCallback", "GenerateFileNameCallback", "NormalizeNameComponentCallback",
        "NormalizeContextCleanupCallback", "TransactionNotificationCallback",
        "NormalizeNameComponentExCallback", "SectionNotificationCallback"]


def test_declarations_cover_only_what_mingw_lacks(tmp_path):
    """The header declares no routine MinGW-w64's ddk/ already has: with the real headers
    alone, every routine it declares is undeclared."""
    gcc = mingw.compiler()
    ddk = mingw.ddk_dir(gcc)
    for shimmed in ("fltKernel.h", "fwpsk.h", "fwpmk.h", "wdf.h"):
        assert not (ddk / shimmed).exists() and not (ddk.parent / shimmed).exists(), shimmed
        assert (mingw.SHIMS / shimmed).is_file(), shimmed
    routines = re.findall(r"^(?:NTSTATUS|VOID|PDEVICE_OBJECT|PWDFDEVICE_INIT)(?: FLTAPI| NTAPI)? (\w+)\(",
                          _declared(), re.M)
    assert len(routines) > 25
    uses = "\n".join(f"    (void){name};" for name in routines)
    proc = mingw.compiles(f"#include <ntifs.h>\nvoid probe(void);\nvoid probe(void)\n{{\n{uses}\n}}\n", tmp_path)
    messages = proc.stdout + proc.stderr
    undeclared = set(re.findall(r"[‘'](\w+)[’'] undeclared", messages))
    assert undeclared == set(routines), sorted(set(routines) - undeclared)
