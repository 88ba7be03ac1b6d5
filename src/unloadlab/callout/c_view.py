"""The C a real WFP callout driver would contain for a scenario's knobs.

A renderer only: it reads knobs and writes text; whether an unload succeeds, is refused
or leaves callouts behind is decided by the model (``callout.simulate``), never here.
Comments cite rule ids from ``unloadlab.catalogue``; a line that carries a known mistake
says ``BUG`` and names the rule the trace cites for it. The code is ours, written from the
documented signatures (version-0 WFP names, as the unloading pages use). Output is
deterministic: the same knobs give the same text.

The teardown runs in the order of ``callout.model`` (steps 1-7), inside Unload (WDM),
EvtDriverUnload (KMDF) or, for a PnP driver that does it right,
EvtDeviceSelfManagedIoCleanup.
"""
from __future__ import annotations

from ..windows.c_text import IND, block, bug, c_status, unused
from .scenario import MAX_FLOWS, CalloutScenario, DriverModel, FilterRemoval

__all__ = ["callout_c"]

I2, I3 = IND * 2, IND * 3
WAIT_FLOWS = "KeWaitForSingleObject(&gNoFlowContexts, Executive, KernelMode, FALSE, NULL);"


def _removes(sc: CalloutScenario) -> bool:
    """Whether the teardown has code that removes flow contexts (the retry needs an unregister loop)."""
    return sc.removes_first or (sc.retries_on_failure and sc.unregisters)


def _teardown_runs_somewhere(sc: CalloutScenario) -> bool:
    return sc.unload_function or sc.tears_down_in_cleanup


def _keeps_on_failure(sc: CalloutScenario) -> bool:
    """The canonical unregister loop: retry on STATUS_DEVICE_BUSY, note any other failure."""
    return sc.unregisters and sc.retries_on_failure and _teardown_runs_somewhere(sc)


# --- file scope ---------------------------------------------------------------------------------
def _includes(model: DriverModel) -> list[str]:
    wdf = [] if model is DriverModel.WDM else ["#include <wdf.h>"]
    sddl = ["#include <wdmsec.h>  /* SDDL_DEVOBJ_KERNEL_ONLY for the control device */"] \
        if model is DriverModel.WDF else []
    return ["#define NDIS61 1  /* fwpsk.h needs an NDIS version (the inspect sample's project sets one) */",
            "#include <ntifs.h>  /* ntddk.h and more: ZwWaitForSingleObject */", *wdf, *sddl,
            "#pragma warning(push)", "#pragma warning(disable:4201)  /* nameless unions in fwpsk.h, as in inspect */",
            "#include <fwpsk.h>", "#pragma warning(pop)", "#include <fwpmk.h>", ""]


def _roles(sc: CalloutScenario) -> list[str]:
    out = ["DRIVER_INITIALIZE DriverEntry;", "KSTART_ROUTINE WorkerThread;"]
    if sc.model is DriverModel.WDM:
        out += ["DRIVER_UNLOAD Unload;"] if sc.unload_function else []
        return out + [""]
    if sc.unload_function:
        out.append("EVT_WDF_DRIVER_UNLOAD EvtDriverUnload;")
    if sc.model is DriverModel.WDF_PNP:
        out.append("EVT_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;")
        if sc.tears_down_in_cleanup:
            out.append("EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EvtDeviceSelfManagedIoCleanup;")
    return out + [""]


def _globals(sc: CalloutScenario) -> list[str]:
    device = {DriverModel.WDM: ["static PDEVICE_OBJECT gDeviceObject;"],
              DriverModel.WDF: ["static WDFDEVICE gDevice;  /* the control device */"],
              DriverModel.WDF_PNP: []}[sc.model]
    lock = ["static FAST_MUTEX gConfigLock;"] if sc.unregister_at_apc_level else []
    left = ["static BOOLEAN gCalloutsLeft;    /* an unregister failed for good */"] if _keeps_on_failure(sc) else []
    return [
        f"#define CALLOUT_COUNT {sc.callouts}",
        f"#define FLOW_SLOTS {MAX_FLOWS}  /* bounded: a flow gets a context only if a slot is free */",
        "",
        "/* made up: make your own with uuidgen */",
        "static const GUID CalloutKeyBase =",
        f"{IND}{{ 0x3c5d9a10, 0x7b2e, 0x4f61, {{ 0x9a, 0x0c, 0x51, 0xe2, 0x6d, 0x48, 0xb7, 0x00 }} }};",
        "static const GUID FilterKeyBase =",
        f"{IND}{{ 0x8e1f4c22, 0x05a7, 0x4d3b, {{ 0xb1, 0x6e, 0x27, 0x90, 0xc4, 0x5d, 0x13, 0x00 }} }};",
        *device,
        "static HANDLE gEngineHandle;",
        "static HANDLE gInjectionHandle;",
        "static UINT32 gCalloutIds[CALLOUT_COUNT];",
        "static EX_RUNDOWN_REF gRundown;  /* held by each classifyFn call and by the work it queues */",
        "static KSPIN_LOCK gFlowLock;     /* guards gUnloading, gFlows and gLiveFlows */",
        "static BOOLEAN gUnloading;",
        "static struct { UINT64 flowId; UINT16 layerId; UINT32 calloutId; BOOLEAN used; } gFlows[FLOW_SLOTS];",
        "static LONG gLiveFlows;",
        "static KEVENT gNoFlowContexts;   /* set while no flow carries a context */",
        "static KEVENT gWorkerWake;",
        "static volatile LONG gWorkerStop;",
        "static PVOID gWorkerThread;      /* referenced thread object, to wait on */",
        *lock, *left,
        "",
    ]


def _helpers(sc: CalloutScenario) -> list[str]:
    init = [f"{IND}ExInitializeRundownProtection(&gRundown);", f"{IND}KeInitializeSpinLock(&gFlowLock);",
            f"{IND}KeInitializeEvent(&gNoFlowContexts, NotificationEvent, TRUE);",
            f"{IND}KeInitializeEvent(&gWorkerWake, SynchronizationEvent, FALSE);"]
    if sc.unregister_at_apc_level:
        init.append(f"{IND}ExInitializeFastMutex(&gConfigLock);")
    return (block("static VOID InitializeGlobals(VOID)", init)
            + block("static GUID KeyFor(const GUID *base, UINT32 i)",
                    [f"{IND}GUID key = *base;", "", f"{IND}key.Data4[7] = (UCHAR)i;", f"{IND}return key;"]))


# --- the flow table: bounded, under gFlowLock ------------------------------------------------------
def _flow_table() -> list[str]:
    track = block(
        "/* classifyFn calls this before FwpsFlowAssociateContext0 and passes the result as the\n"
        "   flow context; 0 means: give this flow no context (table full, or unloading). */\n"
        "UINT64 TrackFlow(UINT64 flowId, UINT16 layerId, UINT32 calloutId)", [
            f"{IND}KLOCK_QUEUE_HANDLE lockHandle;", f"{IND}UINT64 context = 0;", f"{IND}UINT32 i;", "",
            f"{IND}KeAcquireInStackQueuedSpinLock(&gFlowLock, &lockHandle);",
            f"{IND}for (i = 0; i < FLOW_SLOTS && !gUnloading; i++) {{  /* rule wfp-stop-new-work */",
            f"{I2}if (!gFlows[i].used) {{",
            f"{I3}gFlows[i].flowId = flowId;", f"{I3}gFlows[i].layerId = layerId;",
            f"{I3}gFlows[i].calloutId = calloutId;", f"{I3}gFlows[i].used = TRUE;",
            f"{I3}if (gLiveFlows++ == 0) {{", f"{I3}{IND}KeClearEvent(&gNoFlowContexts);", f"{I3}}}",
            f"{I3}context = (UINT64)i + 1;", f"{I3}break;", f"{I2}}}", f"{IND}}}",
            f"{IND}KeReleaseInStackQueuedSpinLock(&lockHandle);", f"{IND}return context;"])
    forget = block(
        "/* frees a slot; classifyFn calls it too if FwpsFlowAssociateContext0 fails */\n"
        "static VOID ForgetFlow(UINT64 context)", [
            f"{IND}KLOCK_QUEUE_HANDLE lockHandle;", "",
            f"{IND}if (context == 0 || context > FLOW_SLOTS) {{", f"{I2}return;", f"{IND}}}",
            f"{IND}KeAcquireInStackQueuedSpinLock(&gFlowLock, &lockHandle);",
            f"{IND}gFlows[context - 1].used = FALSE;",
            f"{IND}if (--gLiveFlows == 0) {{", f"{I2}KeSetEvent(&gNoFlowContexts, IO_NO_INCREMENT, FALSE);",
            f"{IND}}}", f"{IND}KeReleaseInStackQueuedSpinLock(&lockHandle);"])
    return track + forget


def _callout_functions() -> list[str]:
    classify = ("static void NTAPI ClassifyFn(const FWPS_INCOMING_VALUES0 *inFixedValues,\n"
                "                             const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,\n"
                "                             void *layerData, const FWPS_FILTER0 *filter,\n"
                "                             UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)")
    notify = ("static NTSTATUS NTAPI NotifyFn(FWPS_CALLOUT_NOTIFY_TYPE notifyType, const GUID *filterKey,\n"
              "                               FWPS_FILTER0 *filter)")
    return (block(classify, [
        *unused("inFixedValues", "inMetaValues", "layerData", "filter", "flowContext", "classifyOut"),
        f"{IND}if (!ExAcquireRundownProtection(&gRundown)) {{",
        f"{I2}return;  /* the teardown has begun: start nothing (rule wfp-rundown-wait) */", f"{IND}}}",
        f"{IND}/* decide classifyOut->actionType; a flow that needs a context gets TrackFlow()'s value",
        f"{IND}   through FwpsFlowAssociateContext0; queued work keeps its own rundown protection */",
        f"{IND}ExReleaseRundownProtection(&gRundown);"])
        + block(notify, [*unused("notifyType", "filterKey", "filter"), f"{IND}return STATUS_SUCCESS;"])
        + block("static void NTAPI FlowDeleteFn(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)",
                [*unused("layerId", "calloutId"),
                 f"{IND}ForgetFlow(flowContext);  /* ended or removed: rule wfp-flow-delete-fn */"]))


def _worker() -> list[str]:
    thread = block("VOID WorkerThread(PVOID StartContext)", [
        *unused("StartContext"),
        f"{IND}while (!gWorkerStop) {{",
        f"{I2}KeWaitForSingleObject(&gWorkerWake, Executive, KernelMode, FALSE, NULL);",
        f"{I2}/* complete pended classifies and inject queued packets; each item releases",
        f"{I2}   its rundown protection when its injection has completed */",
        f"{IND}}}", f"{IND}PsTerminateSystemThread(STATUS_SUCCESS);"])
    start = block("static NTSTATUS StartWorker(VOID)", [
        f"{IND}HANDLE thread;", f"{IND}NTSTATUS status;", "",
        f"{IND}status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL,",
        f"{IND}                              WorkerThread, NULL);",
        f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}return status;", f"{IND}}}",
        f"{IND}status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, *PsThreadType, KernelMode,",
        f"{IND}                                   &gWorkerThread, NULL);",
        f"{IND}if (!NT_SUCCESS(status)) {{  /* not for a handle just created (the samples assert it) */",
        f"{I2}InterlockedExchange(&gWorkerStop, TRUE);",
        f"{I2}KeSetEvent(&gWorkerWake, IO_NO_INCREMENT, FALSE);",
        f"{I2}ZwWaitForSingleObject(thread, FALSE, NULL);  /* rule wfp-wait-worker-thread */",
        f"{I2}gWorkerThread = NULL;", f"{IND}}}",
        f"{IND}ZwClose(thread);", f"{IND}return status;"])
    stop = block("static VOID StopWorker(VOID)", [
        f"{IND}if (gWorkerThread == NULL) {{", f"{I2}return;  /* never started */", f"{IND}}}",
        f"{IND}InterlockedExchange(&gWorkerStop, TRUE);",
        f"{IND}KeSetEvent(&gWorkerWake, IO_NO_INCREMENT, FALSE);",
        f"{IND}/* the worker finishes its queue and exits: rule wfp-wait-worker-thread */",
        f"{IND}KeWaitForSingleObject(gWorkerThread, Executive, KernelMode, FALSE, NULL);",
        f"{IND}ObDereferenceObject(gWorkerThread);", f"{IND}gWorkerThread = NULL;"])
    return thread + start + stop


# --- registration and filters -----------------------------------------------------------------------
def _register() -> list[str]:
    return block("static NTSTATUS RegisterCallouts(PDEVICE_OBJECT deviceObject)", [
        f"{IND}FWPS_CALLOUT0 callout = {{ {{ 0 }}, 0, ClassifyFn, NotifyFn, FlowDeleteFn }};",
        f"{IND}NTSTATUS status = STATUS_SUCCESS;", f"{IND}UINT32 i;", "",
        f"{IND}for (i = 0; i < CALLOUT_COUNT && NT_SUCCESS(status); i++) {{",
        f"{I2}callout.calloutKey = KeyFor(&CalloutKeyBase, i);",
        f"{I2}status = FwpsCalloutRegister0(deviceObject, &callout, &gCalloutIds[i]);",
        f"{IND}}}", f"{IND}return status;"])


def _add_filters(sc: CalloutScenario) -> list[str]:
    static = sc.filters in (FilterRemoval.DELETED_BY_KEY, FilterRemoval.LEFT_IN_PLACE)
    session = ([f"{IND}/* a static session: what it adds stays until deleted (rule wfp-static-objects-stay) */"]
               if static else
               [f"{IND}session.flags = FWPM_SESSION_FLAG_DYNAMIC;  /* rule wfp-dynamic-session-filters */"])
    named = ((sc.persistent_filters, "FWPM_FILTER_FLAG_PERSISTENT"),
             (sc.permit_if_unregistered, "FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED"))
    flags = [name for on, name in named if on]
    permit = ([f"{IND}/* permit, not block, while its callout is unregistered: rule wfp-permit-if-unregistered */"]
              if sc.permit_if_unregistered else [])
    if sc.persistent_filters:
        permit.append(f"{IND}/* kept across restarts until deleted: rule wfp-persistent-filters-stay */")
    if flags:
        permit.append(f"{IND}filter.flags = {' | '.join(flags)};")
    return block("/* all filters go live at the commit, or none does: rule wfp-sample-filters-in-transaction */\n"
                 "static NTSTATUS AddFilters(VOID)", [
        f"{IND}FWPM_SESSION0 session = {{ 0 }};", f"{IND}FWPM_CALLOUT0 calloutObject = {{ 0 }};",
        f"{IND}FWPM_FILTER0 filter = {{ 0 }};", f"{IND}NTSTATUS status;", f"{IND}UINT32 i;", "",
        *session,
        f"{IND}status = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &gEngineHandle);",
        f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}gEngineHandle = NULL;", f"{I2}return status;", f"{IND}}}",
        f"{IND}status = FwpmTransactionBegin0(gEngineHandle, 0);",
        f'{IND}calloutObject.displayData.name = L"SampleCallout callout";',
        f"{IND}calloutObject.applicableLayer = FWPM_LAYER_STREAM_V4;",
        f'{IND}filter.displayData.name = L"SampleCallout filter";',
        f"{IND}filter.layerKey = FWPM_LAYER_STREAM_V4;",
        f"{IND}filter.action.type = FWP_ACTION_CALLOUT_TERMINATING;", *permit,
        f"{IND}for (i = 0; i < CALLOUT_COUNT && NT_SUCCESS(status); i++) {{",
        f"{I2}calloutObject.calloutKey = KeyFor(&CalloutKeyBase, i);",
        f"{I2}status = FwpmCalloutAdd0(gEngineHandle, &calloutObject, NULL, NULL);",
        f"{I2}if (NT_SUCCESS(status)) {{",
        f"{I3}filter.filterKey = KeyFor(&FilterKeyBase, i);",
        f"{I3}filter.action.calloutKey = calloutObject.calloutKey;",
        f"{I3}status = FwpmFilterAdd0(gEngineHandle, &filter, NULL, NULL);", f"{I2}}}",
        f"{IND}}}",
        f"{IND}if (NT_SUCCESS(status)) {{", f"{I2}status = FwpmTransactionCommit0(gEngineHandle);",
        f"{IND}}} else {{", f"{I2}FwpmTransactionAbort0(gEngineHandle);", f"{IND}}}",
        f"{IND}if (!NT_SUCCESS(status)) {{  /* nothing was added: close the session */",
        f"{I2}FwpmEngineClose0(gEngineHandle);", f"{I2}gEngineHandle = NULL;", f"{IND}}}",
        f"{IND}return status;"])


def _delete_by_key(what: str, base: str, comment: str) -> list[str]:
    return [f"{IND}for (i = 0; i < CALLOUT_COUNT; i++) {{  /* {comment} */", f"{I2}key = KeyFor(&{base}, i);",
            f"{I2}{what}(gEngineHandle, &key);", f"{IND}}}"]


def _remove_filters(sc: CalloutScenario) -> list[str]:
    """Take the filters out of the engine the knob's way (teardown step 2)."""
    close = [f"{IND}FwpmEngineClose0(gEngineHandle);", f"{IND}gEngineHandle = NULL;"]
    guard = [f"{IND}if (gEngineHandle == NULL) {{", f"{I2}return;  /* no filter was ever added */",
             f"{IND}}}"]
    decls = [f"{IND}GUID key;", f"{IND}UINT32 i;", ""]
    if sc.filters is FilterRemoval.DELETED_BY_KEY:
        body = [*decls, *guard,
                *_delete_by_key("FwpmFilterDeleteByKey0", "FilterKeyBase",
                                "the filters first: rule wfp-delete-by-key"),
                *_delete_by_key("FwpmCalloutDeleteByKey0", "CalloutKeyBase",
                                "then the objects: rule wfp-callout-object-in-use"), *close]
    elif sc.filters is FilterRemoval.LEFT_IN_PLACE:
        body = [*decls, *guard,
                *bug("the filters are never deleted and stay in the engine", "wfp-static-objects-stay",
                     "FwpmFilterDeleteByKey0 for each, then the callout objects"),
                *_delete_by_key("FwpmCalloutDeleteByKey0", "CalloutKeyBase",
                                "STATUS_FWP_IN_USE: rule wfp-callout-object-in-use"),
                *close]
    else:
        close.insert(0, f"{IND}/* its filters and callout objects go with it: rule wfp-dynamic-session-filters */")
        body = [*guard, *close]
    return block("static VOID RemoveFilters(VOID)", body)


def _undo_registration() -> list[str]:
    return block("/* before AddFilters succeeded: no filter ever named these callouts, so no classifyFn ran\n"
                 "   and no flow has a context (rule wfp-sample-filters-in-transaction) */\n"
                 "static VOID UndoRegistration(VOID)  /* rule wfp-sample-failed-entry-cleanup */", [
        f"{IND}UINT32 i;", "", f"{IND}StopWorker();",
        f"{IND}for (i = 0; i < CALLOUT_COUNT; i++) {{", f"{I2}if (gCalloutIds[i] != 0) {{",
        f"{I3}(VOID)FwpsCalloutUnregisterById0(gCalloutIds[i]);  /* cannot be busy: no context */",
        f"{I3}gCalloutIds[i] = 0;", f"{I2}}}", f"{IND}}}"])


def _remove_flow_contexts() -> list[str]:
    return block("static VOID RemoveFlowContexts(UINT32 calloutId)", [
        f"{IND}KLOCK_QUEUE_HANDLE lockHandle;", f"{IND}UINT64 flowId;", f"{IND}UINT16 layerId;",
        f"{IND}BOOLEAN found;", f"{IND}UINT32 i;", "",
        f"{IND}for (i = 0; i < FLOW_SLOTS; i++) {{",
        f"{I2}KeAcquireInStackQueuedSpinLock(&gFlowLock, &lockHandle);",
        f"{I2}found = gFlows[i].used && gFlows[i].calloutId == calloutId;",
        f"{I2}flowId = gFlows[i].flowId;", f"{I2}layerId = gFlows[i].layerId;",
        f"{I2}KeReleaseInStackQueuedSpinLock(&lockHandle);",
        f"{I2}if (found) {{  /* outside the lock: flowDeleteFn may run before this returns */",
        f"{I3}FwpsFlowRemoveContext0(flowId, layerId, calloutId);  /* rule wfp-flow-remove-context */",
        f"{I2}}}", f"{IND}}}"])


# --- the teardown (model steps 1-5) ----------------------------------------------------------------
def _stop_new_work() -> list[str]:
    return [f"{IND}KeAcquireInStackQueuedSpinLock(&gFlowLock, &lockHandle);",
            f"{IND}gUnloading = TRUE;  /* 1. stop new work: rule wfp-stop-new-work */",
            f"{IND}KeReleaseInStackQueuedSpinLock(&lockHandle);"]


def _drain(before: bool) -> list[str]:
    note = "3. rule" if before else "only now: rule"
    return [f"{IND}ExWaitForRundownProtectionRelease(&gRundown);  /* {note} wfp-drain-before-unregister */",
            f"{IND}StopWorker();"]


def _wait_flows(sc: CalloutScenario, ind: str) -> list[str]:
    if sc.waits_for_flow_deletes:
        return [f"{ind}/* until every flowDeleteFn has run: rule wfp-wait-flow-deletes */", f"{ind}{WAIT_FLOWS}"]
    return bug("does not wait until every flowDeleteFn has run", "wfp-wait-flow-deletes", WAIT_FLOWS[:-1], ind)


def _unregister_loop(sc: CalloutScenario) -> list[str]:
    loop = f"{IND}for (i = 0; i < CALLOUT_COUNT; i++) {{"
    call = "FwpsCalloutUnregisterById0(gCalloutIds[i]);"
    if not sc.check_unregister_result:
        body = [loop, *bug("the result is ignored", "wfp-sample-ignores-result",
                           "test NT_SUCCESS, recover from STATUS_DEVICE_BUSY", I2), f"{I2}{call}", f"{IND}}}"]
    elif sc.retries_on_failure:
        retry_wait = _wait_flows(sc, I3) if sc.waits_for_flow_deletes or not sc.removes_first else []
        body = [loop, f"{I2}status = {call}  /* 5. rule wfp-unregister-by-id */",
                f"{I2}/* a warning, so NT_SUCCESS is false for it: rule wfp-device-busy-is-warning */",
                f"{I2}while (status == STATUS_DEVICE_BUSY) {{",
                f"{I3}RemoveFlowContexts(gCalloutIds[i]);  /* then try again: rule wfp-busy-recovery */",
                *retry_wait, f"{I3}status = {call}", f"{I2}}}",
                f"{I2}if (!NT_SUCCESS(status)) {{",
                f"{I3}/* any other failure: no page says what to do (rule wfp-silent-unregister-failure) */",
                f"{I3}gCalloutsLeft = TRUE;", f"{I2}}}", f"{IND}}}"]
    else:
        body = [loop, f"{I2}status = {call}  /* 5. rule wfp-unregister-by-id */",
                f"{I2}if (!NT_SUCCESS(status)) {{",
                *bug("the rest stay registered", "wfp-sample-stop-at-first-failure",
                     "remove the callout's flow contexts and retry", I3, trailing="break;"),
                f"{I2}}}", f"{IND}}}"]
    if sc.unregister_at_apc_level:
        body = [*bug("unregisters at APC_LEVEL", "wfp-unregister-passive-level", "call it at PASSIVE_LEVEL",
                     trailing="ExAcquireFastMutex(&gConfigLock);"),
                *body, f"{IND}ExReleaseFastMutex(&gConfigLock);"]
    return body


def _teardown_body(sc: CalloutScenario) -> list[str]:
    """Steps 1-5, as the knobs place them; the caller adds the declarations."""
    body = _stop_new_work()
    late_filters = sc.filters is FilterRemoval.AFTER_UNREGISTER
    if not late_filters:
        body.append(f"{IND}RemoveFilters();  /* 2. rule wfp-filters-before-callouts */")
    if sc.drains_before_unregister:
        body += _drain(True)
    else:
        body += bug("unregisters before waiting for work in flight", "wfp-drain-before-unregister",
                    "ExWaitForRundownProtectionRelease and StopWorker first")
    if sc.removes_first:
        body += [f"{IND}for (i = 0; i < CALLOUT_COUNT; i++) {{  /* 4. rule wfp-sample-remove-contexts-first */",
                 f"{I2}RemoveFlowContexts(gCalloutIds[i]);", f"{IND}}}", *_wait_flows(sc, IND)]
    if sc.unregisters:
        body += _unregister_loop(sc)
    else:
        body += bug("the callouts are never unregistered", "wfp-unload-must-unregister",
                    "FwpsCalloutUnregisterById0 for each, checking the result")
    if not sc.drains_before_unregister:
        body += _drain(False)
    if late_filters:
        body += [*bug("the filters outlive the callouts until here", "wfp-filters-before-callouts",
                      "RemoveFilters() before anything else is taken down"), f"{IND}RemoveFilters();"]
    return body


def _teardown_decls(sc: CalloutScenario, param: str) -> list[str]:
    status = [f"{IND}NTSTATUS status;"] if sc.unregisters and sc.check_unregister_result else []
    loops = [f"{IND}UINT32 i;"] if sc.unregisters or sc.removes_first else []
    return [f"{IND}KLOCK_QUEUE_HANDLE lockHandle;", *status, *loops, "", *unused(param)]


def _unload(sc: CalloutScenario) -> list[str]:
    """Unload (WDM) or EvtDriverUnload (KMDF): the teardown unless a PnP driver did it already,
    then the injection handle and the device."""
    wdm = sc.model is DriverModel.WDM
    head = "VOID Unload(PDRIVER_OBJECT DriverObject)" if wdm else "VOID EvtDriverUnload(WDFDRIVER Driver)"
    param = "DriverObject" if wdm else "Driver"
    if sc.tears_down_in_cleanup:
        body = [*unused(param), f"{IND}/* the callouts went in EvtDeviceSelfManagedIoCleanup",
                f"{IND}   (rule callout-kmdf-self-managed-io-cleanup) */"]
    else:
        body = _teardown_decls(sc, param)
        if sc.model is DriverModel.WDF_PNP:
            body += bug("the device these callouts were registered with is already gone",
                        "wfp-unregister-before-device-delete", "unregister in EvtDeviceSelfManagedIoCleanup")
        body += _teardown_body(sc)
    if _keeps_on_failure(sc):
        body += [f"{IND}if (gCalloutsLeft) {{",
                 f"{I2}/* a callout is still registered, and no page says what an unload function can do now",
                 f"{I2}   (rule wfp-silent-unregister-failure): returning is no documented right either. This",
                 f"{I2}   one at least keeps the device it was registered with",
                 f"{I2}   (rule wfp-unregister-before-device-delete) and the injection handle */",
                 f"{I2}return;", f"{IND}}}"]
    body.append(f"{IND}FwpsInjectionHandleDestroy0(gInjectionHandle);  /* 6. rule wfp-injection-destroy-waits */")
    if wdm:
        body.append(f"{IND}IoDeleteDevice(gDeviceObject);  /* 7. rule wfp-unload-deletes-device */")
    elif sc.model is DriverModel.WDF:
        body.append(f"{IND}/* 7. the framework deletes gDevice after this returns (rule wfp-sample-keep-device) */")
    return block(head, body)


def _self_managed_io_cleanup(sc: CalloutScenario) -> list[str]:
    return block("/* before the framework deletes the device: rule callout-kmdf-self-managed-io-cleanup */\n"
                 "VOID EvtDeviceSelfManagedIoCleanup(WDFDEVICE Device)",
                 [*_teardown_decls(sc, "Device"), *_teardown_body(sc)])


# --- DriverEntry and EvtDriverDeviceAdd -------------------------------------------------------------
def _undo_driver_entry(sc: CalloutScenario) -> list[str]:
    body = [f"{IND}UndoRegistration();", f"{IND}FwpsInjectionHandleDestroy0(gInjectionHandle);"]
    if sc.model is DriverModel.WDM:
        body.append(f"{IND}IoDeleteDevice(gDeviceObject);")
    return block("static VOID UndoDriverEntry(VOID)", body)


_INJECTION = [f"{IND}status = FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_TRANSPORT,",
              f"{IND}                                    &gInjectionHandle);"]


def _set_up_and_finish(sc: CalloutScenario, device: str) -> list[str]:
    """Register, start the worker; then fail as DriverEntry is told to, or add the filters, last."""
    de = sc.driver_entry_returns
    out = [f"{IND}status = RegisterCallouts({device});", f"{IND}if (NT_SUCCESS(status)) {{",
           f"{I2}status = StartWorker();", f"{IND}}}",
           f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}UndoDriverEntry();", f"{I2}return status;", f"{IND}}}"]
    if not de.nt_success:
        return out + [f"{IND}/* the rest of initialisation fails ({de.severity.value}): DriverEntry fails */",
                      f"{IND}UndoDriverEntry();",
                      f"{IND}return {c_status(de)};  /* rule callout-no-unload-after-failed-entry */"]
    note = "" if de.code == 0 else "  /* NT_SUCCESS: the driver loads (rule ntstatus-severity) */"
    return out + [f"{IND}status = AddFilters();  /* last, once nothing else can fail */",
                  f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}UndoDriverEntry();",
                  f"{I2}return status;", f"{IND}}}", f"{IND}return {c_status(de)};{note}"]


def _wdm_entry(sc: CalloutScenario) -> list[str]:
    if sc.unload_function:
        unload = [f"{IND}DriverObject->DriverUnload = Unload;  /* rule wfp-wdm-driverunload */"]
    else:
        unload = [f"{IND}/* DriverObject->DriverUnload stays NULL: the driver cannot be unloaded",
                  f"{IND}   (rule wfp-no-unload-function) */"]
    body = [f"{IND}NTSTATUS status;", "", *unused("RegistryPath"), f"{IND}InitializeGlobals();",
            f"{IND}status = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_NETWORK, FILE_DEVICE_SECURE_OPEN,",
            f"{IND}                        FALSE, &gDeviceObject);",
            f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}return status;", f"{IND}}}", *unload, *_INJECTION,
            f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}IoDeleteDevice(gDeviceObject);", f"{I2}return status;",
            f"{IND}}}", *_set_up_and_finish(sc, "gDeviceObject")]
    return block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def _kmdf_config(sc: CalloutScenario) -> list[str]:
    pnp = sc.model is DriverModel.WDF_PNP
    out = [f"{IND}WDF_DRIVER_CONFIG_INIT(&config, {'EvtDriverDeviceAdd' if pnp else 'WDF_NO_EVENT_CALLBACK'});"]
    if not pnp:
        out.append(f"{IND}config.DriverInitFlags |= WdfDriverInitNonPnpDriver;  /* rule wfp-wdf-nonpnp */")
    if sc.unload_function:
        out.append(f"{IND}config.EvtDriverUnload = EvtDriverUnload;  /* rule wfp-wdf-evtdriverunload */")
    elif pnp and sc.tears_down_in_cleanup:
        out += bug("no EvtDriverUnload, so nothing destroys the injection handle", "wfp-unload-deletes-device",
                   "config.EvtDriverUnload = EvtDriverUnload")
    elif pnp:
        out += bug("no EvtDriverUnload: KMDF still installs its DriverUnload, but nothing unregisters the callouts",
                   "callout-kmdf-pnp-always-unload", "config.EvtDriverUnload = EvtDriverUnload")
    else:
        out += [f"{IND}/* no EvtDriverUnload: KMDF leaves DriverUnload NULL, the driver cannot be",
                f"{IND}   unloaded (rule callout-kmdf-nonpnp-needs-evt) */"]
    return out


def _kmdf_entry(sc: CalloutScenario) -> list[str]:
    pnp = sc.model is DriverModel.WDF_PNP
    decls = [f"{IND}WDF_DRIVER_CONFIG config;"]
    if not pnp:
        decls += [f"{IND}WDFDRIVER driver;", f"{IND}PWDFDEVICE_INIT init;"]
    body = [*decls, f"{IND}NTSTATUS status;", "", f"{IND}InitializeGlobals();", *_kmdf_config(sc),
            f"{IND}status = WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,",
            f"{IND}                         {'WDF_NO_HANDLE' if pnp else '&driver'});",
            f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}return status;", f"{IND}}}"]
    if not pnp:
        body += [f"{IND}init = WdfControlDeviceInitAllocate(driver, &SDDL_DEVOBJ_KERNEL_ONLY);",
                 f"{IND}if (init == NULL) {{", f"{I2}return STATUS_INSUFFICIENT_RESOURCES;", f"{IND}}}",
                 f"{IND}status = WdfDeviceCreate(&init, WDF_NO_OBJECT_ATTRIBUTES, &gDevice);",
                 f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}WdfDeviceInitFree(init);", f"{I2}return status;",
                 f"{IND}}}", f"{IND}WdfControlFinishInitializing(gDevice);"]
    body += [*_INJECTION, f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}return status;", f"{IND}}}"]
    if not pnp:
        body += _set_up_and_finish(sc, "WdfDeviceWdmGetDeviceObject(gDevice)")
    else:
        de = sc.driver_entry_returns
        if de.nt_success:
            note = "" if de.code == 0 else "  /* NT_SUCCESS: the driver loads (rule ntstatus-severity) */"
            body.append(f"{IND}return {c_status(de)};{note}")
        else:
            body += [f"{IND}/* the rest of initialisation fails ({de.severity.value}): DriverEntry fails */",
                     f"{IND}FwpsInjectionHandleDestroy0(gInjectionHandle);"
                     "  /* rule wfp-sample-failed-entry-cleanup */",
                     f"{IND}return {c_status(de)};  /* rule callout-no-unload-after-failed-entry */"]
    return block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def _device_add(sc: CalloutScenario) -> list[str]:
    """A PnP KMDF driver has its device only here, so this is where it sets up its callouts."""
    cleanup = []
    decls = [f"{IND}WDFDEVICE device;", f"{IND}NTSTATUS status;"]
    if sc.tears_down_in_cleanup:
        decls.insert(0, f"{IND}WDF_PNPPOWER_EVENT_CALLBACKS pnpPowerCallbacks;")
        cleanup = [f"{IND}WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnpPowerCallbacks);",
                   f"{IND}pnpPowerCallbacks.EvtDeviceSelfManagedIoCleanup = EvtDeviceSelfManagedIoCleanup;",
                   f"{IND}WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnpPowerCallbacks);"]
    return block("/* for one device: the callouts, filters, flow table and worker are this driver's globals;\n"
                 "   a driver with several devices keeps them in each device's context instead */\n"
                 "NTSTATUS EvtDriverDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)", [
        *decls, "", *unused("Driver"), *cleanup,
        f"{IND}status = WdfDeviceCreate(&DeviceInit, WDF_NO_OBJECT_ATTRIBUTES, &device);",
        f"{IND}if (!NT_SUCCESS(status)) {{", f"{I2}return status;", f"{IND}}}",
        f"{IND}/* PnP: the device exists only now, so the callouts are registered here",
        f"{IND}   (rule callout-silent-pnp-registration) */",
        f"{IND}status = RegisterCallouts(WdfDeviceWdmGetDeviceObject(device));",
        f"{IND}if (NT_SUCCESS(status)) {{", f"{I2}status = StartWorker();", f"{IND}}}",
        f"{IND}if (NT_SUCCESS(status)) {{", f"{I2}status = AddFilters();  /* last, once nothing else can fail */",
        f"{IND}}}", f"{IND}if (!NT_SUCCESS(status)) {{",
        f"{I2}UndoRegistration();  /* before the framework deletes the device */", f"{IND}}}",
        f"{IND}return status;"])


def callout_c(scenario: CalloutScenario) -> str:
    """The callout driver's C (WDM or KMDF): its state, its callouts, the teardown, DriverEntry."""
    sc = scenario
    pnp = sc.model is DriverModel.WDF_PNP
    out = [*_includes(sc.model), *_roles(sc), *_globals(sc), *_helpers(sc), *_flow_table(),
           *_callout_functions(), *_worker(), *_register(), *_add_filters(sc), *_remove_filters(sc),
           *_undo_registration()]
    if _removes(sc) and _teardown_runs_somewhere(sc):
        out += _remove_flow_contexts()
    if sc.tears_down_in_cleanup:
        out += _self_managed_io_cleanup(sc)
    if sc.unload_function:
        out += _unload(sc)
    if pnp:
        out += _device_add(sc)
    else:
        out += _undo_driver_entry(sc)
    out += _wdm_entry(sc) if sc.model is DriverModel.WDM else _kmdf_entry(sc)
    return "\n".join(out).rstrip("\n") + "\n"
