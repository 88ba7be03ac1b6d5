"""The C a real WFP callout driver would contain for a scenario's knobs.

A renderer only: it reads knobs and writes text; whether an unload succeeds, is refused
or hangs is decided by the model (``callout.simulate``), never here. Comments cite
rule ids from ``unloadlab.catalogue``. The code is ours, written from the documented
signatures. Output is deterministic: the same knobs give the same text.
"""
from __future__ import annotations

from ..windows.c_text import IND as _IND
from ..windows.c_text import block as _block
from ..windows.c_text import c_status
from ..windows.c_text import unused as _unused
from .model import MAX_FLOWS, CalloutScenario, ContextRemoval, DriverModel

__all__ = ["callout_c"]


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
