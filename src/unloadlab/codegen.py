"""The C a real driver would contain for a scenario's knobs.

Renderers only: each function reads knobs and writes text; whether an unload succeeds,
is refused or hangs is decided by the models (``minifilter.simulate``, ``callout.simulate``),
never here. Comments cite rule ids from ``rules.RULES``. The code is ours, written from the
documented signatures. Output is deterministic: the same knobs give the same text.
"""
from __future__ import annotations

from typing import Iterable

from .callout import MAX_FLOWS, CalloutScenario, ContextRemoval, DriverModel
from .minifilter import MinifilterScenario, ServerPort
from .ntstatus import NtStatus

__all__ = ["minifilter_c", "callout_c", "driver_c", "c_status"]

_IND = "    "


def c_status(st: NtStatus) -> str:
    """The C spelling of a status: its name when known, else a cast hex literal."""
    return st.name or f"((NTSTATUS){st.hex}L)"


def _unused(*names: str) -> list[str]:
    """UNREFERENCED_PARAMETER for each name, packed into lines of at most 96 characters."""
    lines = [""]
    for call in (f"UNREFERENCED_PARAMETER({n});" for n in names):
        if lines[-1] and len(_IND + lines[-1] + " " + call) > 96:
            lines.append("")
        lines[-1] = f"{lines[-1]} {call}".lstrip()
    return [_IND + line for line in lines]


def _block(head: str, body: Iterable[str]) -> list[str]:
    """A function definition: header, braces, body, blank line after."""
    return [*head.split("\n"), "{", *body, "}", ""]


# ----------------------------------------------------------------------------- minifilter
def _mf_globals(sc: MinifilterScenario) -> list[str]:
    out = ["static PFLT_FILTER gFilter;"]
    if sc.server_port is not ServerPort.NONE:
        out += ["static PFLT_PORT gServerPort;", "static PFLT_PORT gClientPort;"]
    return out + [""]


def _mf_teardown_body(sc: MinifilterScenario) -> list[str]:
    """What the unload routine does once it goes ahead: port, unregister, cleanup."""
    out = []
    if sc.server_port is ServerPort.CLOSED_FIRST:
        out.append(f"{_IND}FltCloseCommunicationPort(gServerPort);  /* first: rule port-before-unregister */")
    elif sc.server_port is ServerPort.LEFT_OPEN:
        hang = ": FltUnregisterFilter below hangs" if sc.calls_unregister else ""
        out.append(f"{_IND}/* BUG: server port left open{hang} (rule port-before-unregister) */")
    if sc.calls_unregister:
        out.append(f"{_IND}FltUnregisterFilter(gFilter);  /* tears down instances: rule fltunregister-teardown */")
    else:
        out.append(f"{_IND}/* BUG: FltUnregisterFilter(gFilter) is never called (rule silent-no-unregister) */")
    out.append(f"{_IND}/* then free what DriverEntry allocated (rule unload-routine-order) */")
    return out


def _mf_unload(sc: MinifilterScenario) -> list[str]:
    """The FilterUnloadCallback, shaped by callback_returns and refuse_only_if_not_mandatory."""
    head = "static NTSTATUS Unload(FLT_FILTER_UNLOAD_FLAGS Flags)"
    ret, refuses = c_status(sc.callback_returns), not sc.callback_returns.nt_success
    mandatory_check = f"{_IND}if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {{"
    if refuses and sc.refuse_only_if_not_mandatory:
        body = [mandatory_check,
                f"{_IND * 2}return {ret};  /* before any teardown: rule refuse-before-teardown */",
                f"{_IND}}}", *_mf_teardown_body(sc), f"{_IND}return STATUS_SUCCESS;"]
    elif refuses:
        body = [*_unused("Flags"),
                f"{_IND}/* Refuses every unload and tears nothing down (rule refuse-before-teardown);",
                f"{_IND}   a mandatory unload ignores this (rule mandatory-ignores-refusal). */",
                f"{_IND}return {ret};  /* rule nonmandatory-refusal */"]
    elif sc.refuse_only_if_not_mandatory:
        body = [*_mf_teardown_body(sc), mandatory_check,
                f"{_IND * 2}return {ret};  /* does not refuse: rule informational-allows */",
                f"{_IND}}}", f"{_IND}return STATUS_SUCCESS;"]
    else:
        note = "rule normally-success" if sc.callback_returns.code == 0 else "NT_SUCCESS: rule informational-allows"
        body = [*_unused("Flags"), *_mf_teardown_body(sc), f"{_IND}return {ret};  /* {note} */"]
    return _block(head, body)


def _mf_teardown_callbacks(sc: MinifilterScenario) -> list[str]:
    params = "PCFLT_RELATED_OBJECTS FltObjects,\n{pad}FLT_INSTANCE_TEARDOWN_FLAGS Reason)"
    start = [*_unused("FltObjects", "Reason")]
    if sc.pended_io:
        start += [f"{_IND}/* BUG: a pended operation is never completed here, so TeardownComplete is",
                  f"{_IND}   never called and the unload hangs (rule teardown-hang) */"]
    else:
        start.append(f"{_IND}/* complete pended I/O, stop queuing work (rule teardown-sequence) */")
    complete = [*_unused("FltObjects", "Reason"),
                f"{_IND}/* I/O has drained: close files this instance opened (rule teardown-sequence) */"]
    heads = [f"static VOID {name}(" for name in ("InstanceTeardownStart", "InstanceTeardownComplete")]
    return (_block(heads[0] + params.format(pad=" " * len(heads[0])), start)
            + _block(heads[1] + params.format(pad=" " * len(heads[1])), complete))


def _mf_query_teardown() -> list[str]:
    head = ("static NTSTATUS InstanceQueryTeardown(PCFLT_RELATED_OBJECTS FltObjects,\n"
            "                                      FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags)")
    return _block(head, [*_unused("FltObjects", "Flags"),
                         f"{_IND}return STATUS_SUCCESS;  /* manual detach only: rule query-teardown-manual-only */"])


def _mf_pre_shutdown() -> list[str]:
    head = ("static FLT_PREOP_CALLBACK_STATUS PreShutdown(PFLT_CALLBACK_DATA Data,\n"
            "                                             PCFLT_RELATED_OBJECTS FltObjects,\n"
            "                                             PVOID *CompletionContext)")
    return _block(head, [*_unused("Data", "FltObjects", "CompletionContext"),
                         f"{_IND}/* shutdown work here: Unload is not called (rule no-callback-at-shutdown) */",
                         f"{_IND}return FLT_PREOP_SUCCESS_NO_CALLBACK;"])


def _mf_port_callbacks() -> list[str]:
    connect = ("static NTSTATUS PortConnect(PFLT_PORT ClientPort, PVOID ServerPortCookie, PVOID ConnectionContext,\n"
               "                            ULONG SizeOfContext, PVOID *ConnectionPortCookie)")
    return (_block(connect, [*_unused("ServerPortCookie", "ConnectionContext", "SizeOfContext",
                                      "ConnectionPortCookie"),
                             f"{_IND}gClientPort = ClientPort;", f"{_IND}return STATUS_SUCCESS;"])
            + _block("static VOID PortDisconnect(PVOID ConnectionCookie)",
                     [*_unused("ConnectionCookie"), f"{_IND}FltCloseClientPort(gFilter, &gClientPort);"]))


def _mf_registration(sc: MinifilterScenario) -> list[str]:
    ops = []
    if sc.shutdown_preop:
        ops.append(f"{_IND}{{ IRP_MJ_SHUTDOWN, 0, PreShutdown, NULL }},  /* no post-op: rule shutdown-preop */")
    flags = f" |\n{_IND}".join(f.value for f in sorted(sc.flags, key=lambda f: f.bit)) or "0"  # one a line
    if sc.unload_callback:
        unload = "Unload,  /* FilterUnloadCallback: rule callback-in-registration */"
    else:
        unload = "NULL,  /* FilterUnloadCallback: none, so never unloadable (rule no-callback-no-unload) */"
    if sc.teardown_callbacks:
        teardown = ["InstanceTeardownStart,", "InstanceTeardownComplete,"]
    else:
        teardown = ["NULL,  /* InstanceTeardownStartCallback: none (rule teardown-sequence) */",
                    "NULL,  /* InstanceTeardownCompleteCallback */"]
        if sc.pended_io:
            teardown.insert(0, "/* BUG: a pended operation is never completed: teardown hangs (rule teardown-hang) */")
    members = [
        "sizeof(FLT_REGISTRATION),", "FLT_REGISTRATION_VERSION,", f"{flags},  /* Flags */",
        "NULL,  /* ContextRegistration */", "Callbacks,  /* OperationRegistration */", unload,
        "NULL,  /* InstanceSetupCallback */", "InstanceQueryTeardown,", *teardown,
        "/* the remaining callbacks are NULL */",
    ]
    return ["CONST FLT_OPERATION_REGISTRATION Callbacks[] = {", *ops, f"{_IND}{{ IRP_MJ_OPERATION_END }}",
            "};", "", "CONST FLT_REGISTRATION FilterRegistration = {",
            *(_IND + m for m in "\n".join(members).split("\n")), "};", ""]


def _mf_create_port() -> list[str]:
    i2 = _IND * 2
    return [
        f"{_IND}InitializeObjectAttributes(&oa, &portName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,",
        f"{_IND}                           NULL, NULL);  /* a real driver passes a security descriptor */",
        f"{_IND}status = FltCreateCommunicationPort(gFilter, &gServerPort, &oa, NULL,",
        f"{_IND}                                    PortConnect, PortDisconnect, NULL, 1);",
        f"{_IND}if (!NT_SUCCESS(status)) {{",
        f"{i2}FltUnregisterFilter(gFilter);",
        f"{i2}return status;",
        f"{_IND}}}",
    ]


def _mf_undo(sc: MinifilterScenario, depth: int) -> list[str]:
    """DriverEntry's failure path: close the port, then unregister (rule driver-entry-pattern)."""
    ind = _IND * depth
    out = [f"{ind}FltCloseCommunicationPort(gServerPort);"] if sc.server_port is not ServerPort.NONE else []
    return out + [f"{ind}FltUnregisterFilter(gFilter);  /* undo first: rule driver-entry-pattern */"]


def _mf_driver_entry(sc: MinifilterScenario) -> list[str]:
    port = sc.server_port is not ServerPort.NONE
    de = sc.driver_entry_returns
    body = [f"{_IND}NTSTATUS status;"]
    if port:
        body += [f'{_IND}UNICODE_STRING portName = RTL_CONSTANT_STRING(L"\\\\SamplePort");',
                 f"{_IND}OBJECT_ATTRIBUTES oa;"]
    body += ["", *_unused("RegistryPath"),
             f"{_IND}status = FltRegisterFilter(DriverObject, &FilterRegistration, &gFilter);",
             f"{_IND}if (!NT_SUCCESS(status)) {{", f"{_IND * 2}return status;", f"{_IND}}}"]
    if port:
        body += _mf_create_port()
    if not de.nt_success:
        body += [f"{_IND}/* the rest of initialisation fails ({de.severity.value}): DriverEntry fails */",
                 *_mf_undo(sc, 1),
                 f"{_IND}return {c_status(de)};  /* Unload never runs: rule driver-entry-failed */"]
    else:
        note = "" if de.code == 0 else "  /* NT_SUCCESS: the driver loads (rule ntstatus-severity) */"
        body += [f"{_IND}status = FltStartFiltering(gFilter);", f"{_IND}if (!NT_SUCCESS(status)) {{",
                 *_mf_undo(sc, 2), f"{_IND * 2}return status;", f"{_IND}}}", f"{_IND}return {c_status(de)};{note}"]
    return _block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def minifilter_c(scenario: MinifilterScenario) -> str:
    """The minifilter's C: callbacks, FLT_REGISTRATION, DriverEntry and the unload routine."""
    sc = scenario
    out = ["#include <fltKernel.h>", "", "DRIVER_INITIALIZE DriverEntry;", *_mf_globals(sc)]
    if sc.unload_callback:
        out += _mf_unload(sc)
    out += _mf_query_teardown()
    if sc.teardown_callbacks:
        out += _mf_teardown_callbacks(sc)
    if sc.shutdown_preop:
        out += _mf_pre_shutdown()
    if sc.server_port is not ServerPort.NONE:
        out += _mf_port_callbacks()
    out += _mf_registration(sc) + _mf_driver_entry(sc)
    return "\n".join(out).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------- callout
_WDM, _WDF, _WDF_PNP = DriverModel.WDM, DriverModel.WDF, DriverModel.WDF_PNP
_BEFORE, _ON_BUSY = ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.ON_DEVICE_BUSY


def _co_removes(sc: CalloutScenario) -> bool:
    """Whether the unload function has code that removes flow contexts."""
    return sc.unload_function and sc.remove_flow_contexts is not ContextRemoval.NONE


def _co_includes(model: DriverModel) -> list[str]:
    sddl = ["#include <wdmsec.h>"] if model is _WDF else []  # SDDL_DEVOBJ_KERNEL_ONLY for the control device
    wdf = ["#include <wdf.h>", *sddl] if model is not _WDM else []
    return ["#include <ntddk.h>", *wdf, "#include <fwpsk.h>"]


def _co_globals(sc: CalloutScenario) -> list[str]:
    model = sc.model
    out = [f"#define CALLOUT_COUNT {sc.callouts}",
           "static const GUID CalloutKeyBase =  /* made up: make your own with uuidgen */",
           f"{_IND}{{ 0x3c5d9a10, 0x7b2e, 0x4f61, {{ 0x9a, 0x0c, 0x51, 0xe2, 0x6d, 0x48, 0xb7, 0x00 }} }};"]
    if model is _WDM:
        out.append("static PDEVICE_OBJECT gDeviceObject;")
    elif model is _WDF:
        out.append("static WDFDEVICE gDevice;")
    out += ["static HANDLE gInjectionHandle;", "static UINT32 gCalloutIds[CALLOUT_COUNT];"]
    if _co_removes(sc):
        out += [f"static struct {{ UINT64 flowId; UINT16 layerId; UINT32 calloutId; }} gFlows[{MAX_FLOWS}];",
                "static UINT32 gFlowCount;  /* classifyFn records each flow it gives a context */"]
    return out + [""]


def _co_callout_functions() -> list[str]:
    classify = ("static void NTAPI ClassifyFn(const FWPS_INCOMING_VALUES0 *inFixedValues,\n"
                "                              const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,\n"
                "                              void *layerData, const FWPS_FILTER0 *filter,\n"
                "                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)")
    notify = ("static NTSTATUS NTAPI NotifyFn(FWPS_CALLOUT_NOTIFY_TYPE notifyType, const GUID *filterKey,\n"
              "                               FWPS_FILTER0 *filter)")
    return (_block(classify, [*_unused("inFixedValues", "inMetaValues", "layerData", "filter",
                                       "flowContext", "classifyOut"),
                              f"{_IND}/* decide classifyOut->actionType; FwpsFlowAssociateContext0 "
                              "gives a flow a context */"])
            + _block(notify, [*_unused("notifyType", "filterKey", "filter"), f"{_IND}return STATUS_SUCCESS;"])
            + _block("static void NTAPI FlowDeleteFn(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)",
                     [*_unused("layerId", "calloutId", "flowContext"),
                      f"{_IND}/* the flow ended or its context was removed: free it (rule wfp-flow-delete-fn) */"]))


def _co_register() -> list[str]:
    i2 = _IND * 2
    return _block("static NTSTATUS RegisterCallouts(PDEVICE_OBJECT deviceObject)", [
        f"{_IND}FWPS_CALLOUT0 callout = {{ {{ 0 }}, 0, ClassifyFn, NotifyFn, FlowDeleteFn }};",
        f"{_IND}NTSTATUS status = STATUS_SUCCESS;", f"{_IND}UINT32 i;", "",
        f"{_IND}for (i = 0; i < CALLOUT_COUNT && NT_SUCCESS(status); i++) {{",
        f"{i2}callout.calloutKey = CalloutKeyBase;",
        f"{i2}callout.calloutKey.Data4[7] = (UCHAR)i;",
        f"{i2}status = FwpsCalloutRegister0(deviceObject, &callout, &gCalloutIds[i]);",
        f"{_IND}}}", f"{_IND}return status;"])


def _co_undo(sc: CalloutScenario) -> list[str]:
    """What a failing DriverEntry undoes (rule wfp-sample-failed-entry-cleanup)."""
    body = [f"{_IND}UINT32 i;", "", f"{_IND}for (i = 0; i < CALLOUT_COUNT; i++) {{",
            f"{_IND * 2}if (gCalloutIds[i] != 0) {{", f"{_IND * 3}FwpsCalloutUnregisterById0(gCalloutIds[i]);",
            f"{_IND * 2}}}", f"{_IND}}}", f"{_IND}FwpsInjectionHandleDestroy0(gInjectionHandle);"]
    if sc.model is _WDM:
        body.append(f"{_IND}IoDeleteDevice(gDeviceObject);")
    return _block("static VOID UndoDriverEntry(VOID)  /* rule wfp-sample-failed-entry-cleanup */", body)


def _co_remove_contexts() -> list[str]:
    i2, i3 = _IND * 2, _IND * 3
    return _block("static VOID RemoveFlowContexts(UINT32 calloutId)", [
        f"{_IND}UINT32 i;", "",
        f"{_IND}for (i = 0; i < gFlowCount; i++) {{  /* a real driver locks gFlows, unlocked around the call */",
        f"{i2}if (gFlows[i].calloutId == calloutId) {{",
        f"{i3}/* SUCCESS: FlowDeleteFn ran; PENDING: it runs later (rule wfp-flow-remove-context) */",
        f"{i3}FwpsFlowRemoveContext0(gFlows[i].flowId, gFlows[i].layerId, calloutId);",
        f"{i2}}}", f"{_IND}}}"])


def _co_unregister_loop(sc: CalloutScenario) -> list[str]:
    i2, i3 = _IND * 2, _IND * 3
    loop = f"{_IND}for (i = 0; i < CALLOUT_COUNT; i++) {{"
    if not sc.check_unregister_result:
        return [loop, f"{i2}FwpsCalloutUnregisterById0(gCalloutIds[i]);  /* ignored: rule wfp-sample-ignores-result */",
                f"{_IND}}}"]
    out = [loop, f"{i2}status = FwpsCalloutUnregisterById0(gCalloutIds[i]);  /* rule wfp-unregister-by-id */"]
    if sc.remove_flow_contexts is _ON_BUSY:
        return out + [
            f"{i2}if (!NT_SUCCESS(status)) {{  /* STATUS_DEVICE_BUSY too: rule wfp-device-busy-is-warning */",
            f"{i3}RemoveFlowContexts(gCalloutIds[i]);  /* then try again: rule wfp-busy-recovery */",
            f"{i3}status = FwpsCalloutUnregisterById0(gCalloutIds[i]);",
            f"{i3}/* if a removal pended, what this returns is not documented:",
            f"{i3}   rule wfp-silent-pending-unregister */",
            f"{i2}}}", f"{_IND}}}"]
    return out + [f"{i2}if (!NT_SUCCESS(status)) {{",
                  f"{i3}break;  /* BUG: the rest stay registered: rule wfp-sample-stop-at-first-failure */",
                  f"{i2}}}", f"{_IND}}}"]


def _co_unload(sc: CalloutScenario) -> list[str]:
    """Unload (WDM) or EvtDriverUnload (KMDF): contexts, callouts, device, injection handle."""
    model, removal = sc.model, sc.remove_flow_contexts
    param = "DriverObject" if model is _WDM else "Driver"
    head = "VOID Unload(PDRIVER_OBJECT DriverObject)" if model is _WDM else "VOID EvtDriverUnload(WDFDRIVER Driver)"
    checks = sc.unregisters and sc.check_unregister_result
    loops = sc.unregisters or removal is _BEFORE
    decls = ([f"{_IND}NTSTATUS status;"] if checks else []) + ([f"{_IND}UINT32 i;"] if loops else [])
    body = [*decls, *([""] if decls else []), *_unused(param)]
    if removal is _BEFORE:
        body += [f"{_IND}for (i = 0; i < CALLOUT_COUNT; i++) {{  /* first: rule wfp-sample-remove-contexts-first */",
                 f"{_IND * 2}RemoveFlowContexts(gCalloutIds[i]);", f"{_IND}}}"]
    if sc.unregisters:
        body += _co_unregister_loop(sc)
    else:
        body.append(f"{_IND}/* BUG: the callouts are never unregistered (rule wfp-unload-must-unregister) */")
    if model is _WDM:
        body.append(f"{_IND}IoDeleteDevice(gDeviceObject);  /* rule wfp-unload-deletes-device */")
    elif model is _WDF:
        body.append(f"{_IND}/* the framework deletes gDevice after this returns (rule wfp-sample-keep-device) */")
    body.append(f"{_IND}FwpsInjectionHandleDestroy0(gInjectionHandle);  /* rule wfp-unload-deletes-device */")
    return _block(head, body)


def _co_finish_entry(sc: CalloutScenario, register: str | None) -> list[str]:
    """Register the callouts (unless PnP), then return the chosen status, undoing all on failure."""
    de, i2 = sc.driver_entry_returns, _IND * 2
    out = [f"{_IND}status = {register};", f"{_IND}if (!NT_SUCCESS(status)) {{",
           f"{i2}UndoDriverEntry();", f"{i2}return status;", f"{_IND}}}"] if register else []
    undo = (f"{_IND}UndoDriverEntry();" if register else
            f"{_IND}FwpsInjectionHandleDestroy0(gInjectionHandle);  /* rule wfp-sample-failed-entry-cleanup */")
    if de.nt_success:
        note = "" if de.code == 0 else "  /* NT_SUCCESS: the driver loads (rule ntstatus-severity) */"
        return out + [f"{_IND}return {c_status(de)};{note}"]
    return out + [f"{_IND}/* the rest of initialisation fails ({de.severity.value}): DriverEntry fails */",
                  undo,
                  f"{_IND}return {c_status(de)};  /* rule callout-no-unload-after-failed-entry */"]


_INJECTION = [f"{_IND}status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_TRANSPORT,",
              f"{_IND}                                    &gInjectionHandle);"]


def _co_wdm_entry(sc: CalloutScenario) -> list[str]:
    i2 = _IND * 2
    if sc.unload_function:
        unload = [f"{_IND}DriverObject->DriverUnload = Unload;  /* rule wfp-wdm-driverunload */"]
    else:
        unload = [f"{_IND}/* DriverObject->DriverUnload stays NULL: the driver cannot be unloaded",
                  f"{_IND}   (rule wfp-no-unload-function) */"]
    body = [f"{_IND}NTSTATUS status;", "", *_unused("RegistryPath"),
            f"{_IND}status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_NETWORK, FILE_DEVICE_SECURE_OPEN,",
            f"{_IND}                        FALSE, &gDeviceObject);",
            f"{_IND}if (!NT_SUCCESS(status)) {{", f"{i2}return status;", f"{_IND}}}", *unload, *_INJECTION,
            f"{_IND}if (!NT_SUCCESS(status)) {{", f"{i2}IoDeleteDevice(gDeviceObject);", f"{i2}return status;",
            f"{_IND}}}", *_co_finish_entry(sc, "RegisterCallouts(gDeviceObject)")]
    return _block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def _co_kmdf_config(sc: CalloutScenario) -> list[str]:
    pnp = sc.model is _WDF_PNP
    out = [f"{_IND}WDF_DRIVER_CONFIG_INIT(&config, {'EvtDriverDeviceAdd' if pnp else 'WDF_NO_EVENT_CALLBACK'});"]
    if not pnp:
        out.append(f"{_IND}config.DriverInitFlags |= WdfDriverInitNonPnpDriver;  /* rule wfp-wdf-nonpnp */")
    if sc.unload_function:
        out.append(f"{_IND}config.EvtDriverUnload = EvtDriverUnload;  /* rule wfp-wdf-evtdriverunload */")
    elif pnp:
        out += [f"{_IND}/* no EvtDriverUnload: KMDF still installs its DriverUnload, but nothing will",
                f"{_IND}   unregister the callouts (rule callout-kmdf-pnp-always-unload) */"]
    else:
        out += [f"{_IND}/* no EvtDriverUnload: KMDF leaves DriverUnload NULL, the driver cannot be",
                f"{_IND}   unloaded (rule callout-kmdf-nonpnp-needs-evt) */"]
    return out


def _co_kmdf_entry(sc: CalloutScenario) -> list[str]:
    pnp, i2 = sc.model is _WDF_PNP, _IND * 2
    decls = [f"{_IND}WDF_DRIVER_CONFIG config;"]
    if not pnp:
        decls += [f"{_IND}WDFDRIVER driver;", f"{_IND}PWDFDEVICE_INIT init;"]
    body = [*decls, f"{_IND}NTSTATUS status;", "", *_co_kmdf_config(sc),
            f"{_IND}status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,",
            f"{_IND}                         {'WDF_NO_HANDLE' if pnp else '&driver'});",
            f"{_IND}if (!NT_SUCCESS(status)) {{", f"{i2}return status;", f"{_IND}}}"]
    if not pnp:
        body += [f"{_IND}init = WdfControlDeviceInitAllocate(driver, &SDDL_DEVOBJ_KERNEL_ONLY);",
                 f"{_IND}if (init == NULL) {{", f"{i2}return STATUS_INSUFFICIENT_RESOURCES;", f"{_IND}}}",
                 f"{_IND}status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &gDevice);",
                 f"{_IND}if (!NT_SUCCESS(status)) {{", f"{i2}WdfDeviceInitFree(init);", f"{i2}return status;",
                 f"{_IND}}}", f"{_IND}WdfControlFinishInitializing(gDevice);"]
    body += [*_INJECTION, f"{_IND}if (!NT_SUCCESS(status)) {{", f"{i2}return status;", f"{_IND}}}"]
    register = None if pnp else "RegisterCallouts(WdfDeviceWdmGetDeviceObject(gDevice))"
    body += _co_finish_entry(sc, register)
    return _block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def _co_device_add() -> list[str]:
    """A PnP KMDF driver has its device only here, so this is where it registers its callouts."""
    return _block("static NTSTATUS EvtDriverDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)", [
        f"{_IND}WDFDEVICE device;", f"{_IND}NTSTATUS status;", "", *_unused("Driver"),
        f"{_IND}status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);",
        f"{_IND}if (!NT_SUCCESS(status)) {{", f"{_IND * 2}return status;", f"{_IND}}}",
        f"{_IND}/* PnP: the device exists only now, so the callouts are registered here",
        f"{_IND}   (rule callout-silent-pnp-registration) */",
        f"{_IND}return RegisterCallouts(WdfDeviceWdmGetDeviceObject(device));"])


def callout_c(scenario: CalloutScenario) -> str:
    """The callout driver's C (WDM or KMDF): DriverEntry, callouts and the unload function."""
    sc, model = scenario, scenario.model
    roles = ["DRIVER_INITIALIZE DriverEntry;"]
    if sc.unload_function:
        roles.append("DRIVER_UNLOAD Unload;" if model is _WDM else "EVT_WDF_DRIVER_UNLOAD EvtDriverUnload;")
    out = [*_co_includes(model), "", *roles, *_co_globals(sc), *_co_callout_functions(), *_co_register()]
    if model is not _WDF_PNP:
        out += _co_undo(sc)
    if _co_removes(sc):
        out += _co_remove_contexts()
    if sc.unload_function:
        out += _co_unload(sc)
    if model is _WDF_PNP:
        out += _co_device_add()
    out += _co_wdm_entry(sc) if model is _WDM else _co_kmdf_entry(sc)
    return "\n".join(out).rstrip("\n") + "\n"


def driver_c(scenario: MinifilterScenario | CalloutScenario) -> str:
    """The C for either family, dispatching on the scenario's type."""
    if isinstance(scenario, MinifilterScenario):
        return minifilter_c(scenario)
    if isinstance(scenario, CalloutScenario):
        return callout_c(scenario)
    raise TypeError(f"driver_c() needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")
