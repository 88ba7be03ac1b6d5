"""The C a real minifilter would contain for a scenario's knobs.

A renderer only: it reads knobs and writes text; whether an unload succeeds, is refused
or hangs is decided by the model (``minifilter.simulate``), never here. Comments cite
rule ids from ``unloadlab.catalogue``. The code is ours, written from the documented
signatures. Output is deterministic: the same knobs give the same text.

A mistake the scenario asks for is shown where it sits, marked ``/* BUG: ... (rule x);
right: ... */`` by ``windows.c_text.bug``; a scenario without mistakes has no BUG line.
"""
from __future__ import annotations

from ..windows.c_text import IND as _IND
from ..windows.c_text import block as _block
from ..windows.c_text import bug, c_status
from ..windows.c_text import unused as _unused
from .scenario import CleanupMistake, ControlDevice, Leak, MinifilterScenario, ServerPort

__all__ = ["minifilter_c"]

_I2 = _IND * 2

# Each leak but the context's (marked in PreCleanup, where it is taken), marked where the unload
# routine would have to give it back: (what, rule, right).
_LEAK_BUGS = {
    Leak.NAME_INFORMATION: ("name information from FltGetFileNameInformation is never released",
                            "silent-name-info-wait", "FltReleaseFileNameInformation"),
    Leak.OBJECT_REFERENCE: ("a FltObjectReference(gFilter) is never dropped: FltUnregisterFilter waits for it",
                            "object-reference-rundown", "FltObjectDereference"),
    Leak.OPEN_FILE: ("a file opened with FltCreateFileEx is never closed", "silent-open-file-wait",
                     "FltClose it in InstanceTeardownComplete"),
    Leak.WORK_ITEM: ("a FltQueueGenericWorkItem routine that never returns keeps FltUnregisterFilter waiting",
                     "work-item-rundown", "let it finish, do not queue more"),
}

# Global cleanup in order (rule cleanup-order); a forgotten step becomes a BUG line:
# (mistake, the calls done right, what is wrong, its rule, the right form).
_CLEANUP_C = (
    (CleanupMistake.TIMER, ("KeCancelTimer(&gTimer);  /* rule cleanup-order */",
                            "KeFlushQueuedDpcs();  /* a DPC may already be queued */"),
     "the timer is never cancelled: its DPC runs after unload: 0xD4", "bugcheck-0xd4",
     "KeCancelTimer(&gTimer); KeFlushQueuedDpcs()"),
    (CleanupMistake.THREAD, ("KeWaitForSingleObject(gThread, Executive, KernelMode, FALSE, NULL);",
                             "ObDereferenceObject(gThread);  /* rule wait-system-threads */"),
     "the system thread is never waited for: it may run on after unload, bug check 0xCE", "wait-system-threads",
     "KeWaitForSingleObject(gThread, ...); ObDereferenceObject"),
    (CleanupMistake.NOTIFY, ("PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE);  /* rule remove-notify-routines */",),
     "the process-notify routine stays registered: bug check 0xCE", "unloaded-code-0xce",
     "PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE)"),
    (CleanupMistake.POOL, ("ExFreePoolWithTag(gBuffer, TAG);  /* last: rule cleanup-order */",),
     "pool never freed: a leak; 0xC4/0x62 under Driver Verifier", "pool-tracking",
     "ExFreePoolWithTag(gBuffer, TAG)"),
)


def _lock_shared(depth: int) -> list[str]:
    ind = _IND * depth
    return [f"{ind}KeEnterCriticalRegion();", f"{ind}(VOID)ExAcquireResourceSharedLite(&gCdoLock, TRUE);"]


def _lock_release(depth: int) -> list[str]:
    ind = _IND * depth
    return [f"{ind}ExReleaseResourceLite(&gCdoLock);", f"{ind}KeLeaveCriticalRegion();"]


def _lock_delete(sc: MinifilterScenario, depth: int) -> list[str]:
    """Every way out of DriverEntry after the lock was initialised deletes it (the cdo sample's)."""
    if not sc.refuse_only_if_control_device_open:
        return []
    return [f"{_IND * depth}ExDeleteResourceLite(&gCdoLock);"]


def _mf_globals(sc: MinifilterScenario) -> list[str]:
    out = ["static PFLT_FILTER gFilter;"]
    if sc.server_port is not ServerPort.NONE:
        out += ["static PFLT_PORT gServerPort;", "static PFLT_PORT gClientPort;"]
    if sc.control_device is not ControlDevice.NONE:
        out.append("static PDEVICE_OBJECT gControlDevice;")
        if sc.refuse_only_if_control_device_open:
            out += ["static ERESOURCE gCdoLock;  /* a global: nonpaged, as ExInitializeResourceLite needs */",
                    "static LONG gControlDeviceOpen;  /* set by IRP_MJ_CREATE, cleared by IRP_MJ_CLOSE (a",
                    "                                    reference, not a handle), under gCdoLock (not shown) */"]
    if sc.global_resources:
        out += ["/* DriverEntry's global work, started by StartGlobalWork (not shown; it undoes its own",
                "   work if it fails): a periodic timer, a system thread, a process-notify routine, pool. */",
                "NTSTATUS StartGlobalWork(VOID);",
                "VOID ProcessNotify(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo);",
                "static KTIMER gTimer;", "static PVOID gThread;  /* the thread object, referenced */",
                "static KEVENT gStopEvent;  /* signalled: stop starting work; the thread exits */",
                "static PVOID gBuffer;", "#define TAG 0x666C7453  /* 'Sflt' */"]
    return out + [""]


def _mf_teardown_body(sc: MinifilterScenario) -> list[str]:
    """What the unload routine does once it goes ahead: stop work, port, unregister, cleanup."""
    out = []
    if sc.global_resources:
        out.append(f"{_IND}KeSetEvent(&gStopEvent, 0, FALSE);  /* stop new work first: rule stop-new-work-first */")
    if sc.send_message_wait:
        out += [f"{_IND}(void)FltSendMessage(gFilter, &gClientPort, &message, sizeof(message),",
                f"{_IND}                     &reply, &replyLength, NULL);",
                *bug("Timeout NULL with a reply buffer: waits forever for a reply the service never sends",
                     "send-message-no-timeout", "a timeout, e.g. -10 s in 100 ns units")]
    if sc.server_port is ServerPort.CLOSED_FIRST:
        out.append(f"{_IND}FltCloseCommunicationPort(gServerPort);  /* first: rule port-before-unregister */")
    elif sc.server_port is ServerPort.LEFT_OPEN:
        hang = ": FltUnregisterFilter below hangs" if sc.calls_unregister else ""
        out += bug(f"server port left open{hang}", "port-before-unregister", "close the server port first")
    for leak in Leak:
        if leak in sc.leaks and leak in _LEAK_BUGS:
            out += bug(*_LEAK_BUGS[leak])
    if sc.calls_unregister:
        out.append(f"{_IND}FltUnregisterFilter(gFilter);  /* tears down instances: rule fltunregister-teardown */")
    else:
        out += bug("FltUnregisterFilter(gFilter) is never called", "silent-no-unregister",
                   "call it here, after closing the port and before global cleanup")
    if sc.control_device is not ControlDevice.NONE:
        out.append(f"{_IND}IoDeleteDevice(gControlDevice);  /* after FltUnregisterFilter: rule cdo-conditional-refusal */")
    if sc.refuse_only_if_control_device_open:
        out += [f"{_IND}/* held from the test through the teardown; the device is gone now */", *_lock_release(1)]
    if sc.global_resources:
        for mistake, calls, what, rule, right in _CLEANUP_C:
            out += (bug(what, rule, right) if mistake in sc.cleanup_mistakes
                    else [f"{_IND}{call}" for call in calls])
    else:
        out.append(f"{_IND}/* then free what DriverEntry allocated (rule unload-routine-order) */")
    return out


def _mf_unload(sc: MinifilterScenario) -> list[str]:
    """The FilterUnloadCallback, shaped by callback_returns and the refusal knobs."""
    head = "static NTSTATUS Unload(FLT_FILTER_UNLOAD_FLAGS Flags)"
    ret, refuses = c_status(sc.callback_returns), not sc.callback_returns.nt_success
    locals_ = ([f"{_IND}ULONG message = 0;  /* \"unloading\" */", f"{_IND}ULONG reply = 0;",
                f"{_IND}ULONG replyLength = sizeof(reply);", ""] if sc.send_message_wait else [])
    mandatory_check = f"{_IND}if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {{"
    if sc.refuse_only_if_control_device_open:
        body = [*locals_,
                f"{_IND}/* decide first, holding the lock shared from the test through the teardown, so no",
                f"{_IND}   open of the control device slips in between (rule cdo-conditional-refusal) */",
                *_lock_shared(1),
                f"{_IND}if (gControlDeviceOpen != 0 && !FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {{",
                *_lock_release(2),
                f"{_I2}return {ret};  /* a reason to: rule cdo-conditional-refusal */",
                f"{_IND}}}", *_mf_teardown_body(sc),
                f"{_IND}ExDeleteResourceLite(&gCdoLock);  /* after its last use: nothing can take it now */",
                f"{_IND}return STATUS_SUCCESS;"]
    elif refuses and sc.refuse_only_if_not_mandatory:
        body = [*locals_,
                f"{_IND}/* refuses every fltmc unload: on purpose in a tamper-resistant product such as WdFilter",
                f"{_IND}   (rule tamper-resistant-refusal); an ordinary minifilter refuses only for a reason,",
                f"{_IND}   as the cdo sample does (rule cdo-conditional-refusal) */",
                mandatory_check,
                f"{_I2}return {ret};  /* before any teardown: rule refuse-before-teardown */",
                f"{_IND}}}",
                *_mf_teardown_body(sc), f"{_IND}return STATUS_SUCCESS;"]
    elif refuses:
        body = [*_unused("Flags"),
                f"{_IND}/* Refuses every unload and tears nothing down (rule refuse-before-teardown);",
                f"{_IND}   a mandatory unload ignores this (rule mandatory-ignores-refusal). */"]
        if sc.global_resources:
            body += bug("on a mandatory unload timer, thread and notify routine keep running: bug check later",
                        "bugcheck-0xd4", "refuse only when not mandatory; otherwise tear down")
        body.append(f"{_IND}return {ret};  /* rule nonmandatory-refusal */")
    elif sc.refuse_only_if_not_mandatory:
        body = [*locals_, *_mf_teardown_body(sc), mandatory_check,
                f"{_I2}return {ret};  /* does not refuse: rule informational-allows */",
                f"{_IND}}}", f"{_IND}return STATUS_SUCCESS;"]
    else:
        note = "rule normally-success" if sc.callback_returns.code == 0 else "NT_SUCCESS: rule informational-allows"
        body = [*locals_, *_unused("Flags"), *_mf_teardown_body(sc), f"{_IND}return {ret};  /* {note} */"]
    return _block(head, body)


def _mf_teardown_callbacks(sc: MinifilterScenario) -> list[str]:
    params = "PCFLT_RELATED_OBJECTS FltObjects,\n{pad}FLT_INSTANCE_TEARDOWN_FLAGS Reason)"
    if sc.drains_pended_io:
        why = " (rule teardown-hang)" if sc.pended_io else ""
        start = [f"{_IND}PINSTANCE_CONTEXT context;", f"{_IND}PFLT_CALLBACK_DATA data;", "",
                 *_unused("Reason"),
                 f"{_IND}if (!NT_SUCCESS(FltGetInstanceContext(FltObjects->Instance, (PFLT_CONTEXT *)&context))) {{",
                 f"{_I2}return;", f"{_IND}}}",
                 f"{_IND}FltCbdqDisable(context->Queue);  /* no new pended I/O: rule teardown-start-duties */",
                 f"{_IND}while ((data = FltCbdqRemoveNextIo(context->Queue, NULL)) != NULL) {{",
                 f"{_I2}/* complete it, or TeardownComplete never comes{why} */",
                 f"{_I2}FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, NULL);",
                 f"{_IND}}}", f"{_IND}FltReleaseContext(context);"]
    else:
        start = [*_unused("FltObjects", "Reason")]
        if sc.pended_io:
            start += bug("a pended operation is never completed here, so TeardownComplete is never called and "
                         "the unload hangs", "teardown-hang",
                         "FltCbdqDisable, then complete every queued operation (rule teardown-start-duties)")
        else:
            start.append(f"{_IND}/* complete pended I/O, stop queuing work (rule teardown-sequence) */")
    complete = [*_unused("FltObjects", "Reason"),
                f"{_IND}/* I/O has drained: close files this instance opened (rule teardown-sequence) */"]
    heads = [f"static VOID {name}(" for name in ("InstanceTeardownStart", "InstanceTeardownComplete")]
    return (_block(heads[0] + params.format(pad=" " * len(heads[0])), start)
            + _block(heads[1] + params.format(pad=" " * len(heads[1])), complete))


def _has_queue(sc: MinifilterScenario) -> bool:
    """A per-instance cancel-safe queue that InstanceTeardownStart drains (cancelSafe sample)."""
    return sc.drains_pended_io and sc.teardown_callbacks


def _mf_contexts(sc: MinifilterScenario) -> list[str]:
    """The context types the driver uses, and their registration: the instance's queue, and the
    stream context a context leak takes."""
    types, entries = [], []
    if _has_queue(sc):
        types += ["typedef struct _INSTANCE_CONTEXT {",
                  f"{_IND}PFLT_CALLBACK_DATA_QUEUE Queue;  /* set up by InstanceSetup */",
                  "} INSTANCE_CONTEXT, *PINSTANCE_CONTEXT;", "",
                  "/* FltCbdqInitialize with the queue's callbacks (not shown) */",
                  "NTSTATUS InitializeQueue(PINSTANCE_CONTEXT Context);", ""]
        entries.append(f"{_IND}{{ FLT_INSTANCE_CONTEXT, 0, NULL, sizeof(INSTANCE_CONTEXT), 0x71636653 }},"
                       "  /* 'Sfcq' */")
    if Leak.CONTEXT in sc.leaks:
        types += ["typedef struct _STREAM_CONTEXT {",
                  f"{_IND}BOOLEAN Scanned;  /* set by a post-create callback (not shown) */",
                  "} STREAM_CONTEXT, *PSTREAM_CONTEXT;", ""]
        entries.append(f"{_IND}{{ FLT_STREAM_CONTEXT, 0, NULL, sizeof(STREAM_CONTEXT), 0x63736653 }},  /* 'Sfsc' */")
    if not entries:
        return []
    return [*types, "CONST FLT_CONTEXT_REGISTRATION Contexts[] = {", *entries, f"{_IND}{{ FLT_CONTEXT_END }}",
            "};", ""]


def _mf_instance_setup() -> list[str]:
    head = ("static NTSTATUS InstanceSetup(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_SETUP_FLAGS Flags,\n"
            "                              DEVICE_TYPE VolumeDeviceType,\n"
            "                              FLT_FILESYSTEM_TYPE VolumeFilesystemType)")
    return _block(head, [
        f"{_IND}PINSTANCE_CONTEXT context;", f"{_IND}NTSTATUS status;", "",
        *_unused("Flags", "VolumeDeviceType", "VolumeFilesystemType"),
        f"{_IND}status = FltAllocateContext(FltObjects->Filter, FLT_INSTANCE_CONTEXT, sizeof(INSTANCE_CONTEXT),",
        f"{_IND}                            NonPagedPoolNx, (PFLT_CONTEXT *)&context);",
        f"{_IND}if (!NT_SUCCESS(status)) {{", f"{_I2}return status;", f"{_IND}}}",
        f"{_IND}status = InitializeQueue(context);",
        f"{_IND}if (NT_SUCCESS(status)) {{",
        f"{_I2}status = FltSetInstanceContext(FltObjects->Instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS,",
        f"{_I2}                               context, NULL);",
        f"{_IND}}}", f"{_IND}FltReleaseContext(context);  /* the instance holds its own reference now */",
        f"{_IND}return status;"])


def _mf_pre_cleanup() -> list[str]:
    """Where a context leak really is: a callback takes a stream context and, on one path, never
    releases it (rule leaked-context-blocks)."""
    head = ("static FLT_PREOP_CALLBACK_STATUS PreCleanup(PFLT_CALLBACK_DATA Data,\n"
            "                                            PCFLT_RELATED_OBJECTS FltObjects,\n"
            "                                            PVOID *CompletionContext)")
    return _block(head, [
        f"{_IND}PSTREAM_CONTEXT context;", "", *_unused("Data", "CompletionContext"),
        f"{_IND}if (!NT_SUCCESS(FltGetStreamContext(FltObjects->Instance, FltObjects->FileObject,",
        f"{_IND}                                    (PFLT_CONTEXT *)&context))) {{",
        f"{_I2}return FLT_PREOP_SUCCESS_NO_CALLBACK;", f"{_IND}}}",
        f"{_IND}if (context->Scanned) {{",
        *bug("returns holding the stream context, so the unload never finishes", "leaked-context-blocks",
             "FltReleaseContext(context) first", _I2, trailing="return FLT_PREOP_SUCCESS_NO_CALLBACK;"),
        f"{_IND}}}", f"{_IND}/* scan the stream here */", f"{_IND}FltReleaseContext(context);",
        f"{_IND}return FLT_PREOP_SUCCESS_NO_CALLBACK;"])


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
    ops = [f"{_IND}{{ IRP_MJ_CLEANUP, 0, PreCleanup, NULL }},"] if Leak.CONTEXT in sc.leaks else []
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
            marked = bug("a pended operation is never completed: teardown hangs", "teardown-hang",
                         "register InstanceTeardownStart and complete it there")
            teardown[:0] = [line[len(_IND):] for line in marked]   # members are indented below
    contexts = "Contexts," if _mf_contexts(sc) else "NULL,"
    members = [
        "sizeof(FLT_REGISTRATION),", "FLT_REGISTRATION_VERSION,", f"{flags},  /* Flags */",
        f"{contexts}  /* ContextRegistration */", "Callbacks,  /* OperationRegistration */", unload,
        "InstanceSetup," if _has_queue(sc) else "NULL,  /* InstanceSetupCallback */", "InstanceQueryTeardown,",
        *teardown,
        "/* the remaining callbacks are NULL */",
    ]
    return ["CONST FLT_OPERATION_REGISTRATION Callbacks[] = {", *ops, f"{_IND}{{ IRP_MJ_OPERATION_END }}",
            "};", "", "CONST FLT_REGISTRATION FilterRegistration = {",
            *(_IND + m for m in "\n".join(members).split("\n")), "};", ""]


def _mf_create_port(sc: MinifilterScenario) -> list[str]:
    return [
        f"{_IND}InitializeObjectAttributes(&oa, &portName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE,",
        f"{_IND}                           NULL, NULL);  /* a real driver passes a security descriptor */",
        f"{_IND}status = FltCreateCommunicationPort(gFilter, &gServerPort, &oa, NULL,",
        f"{_IND}                                    PortConnect, PortDisconnect, NULL, 1);",
        f"{_IND}if (!NT_SUCCESS(status)) {{",
        f"{_I2}FltUnregisterFilter(gFilter);",
        *_lock_delete(sc, 2),
        f"{_I2}return status;",
        f"{_IND}}}",
    ]


def _mf_undo(sc: MinifilterScenario, depth: int) -> list[str]:
    """DriverEntry's failure path: close the port, then unregister (rule driver-entry-pattern)."""
    ind = _IND * depth
    out = [f"{ind}FltCloseCommunicationPort(gServerPort);"] if sc.server_port is not ServerPort.NONE else []
    return out + [f"{ind}FltUnregisterFilter(gFilter);  /* undo first: rule driver-entry-pattern */",
                  *_lock_delete(sc, depth)]


def _mf_after_start(sc: MinifilterScenario) -> list[str]:
    """What DriverEntry starts once filtering runs: the control device, the global work."""
    out = []
    if sc.control_device is not ControlDevice.NONE:
        out += [f"{_IND}status = IoCreateDevice(DriverObject, 0, &cdoName, FILE_DEVICE_DISK_FILE_SYSTEM,",
                f"{_IND}                        FILE_DEVICE_SECURE_OPEN, FALSE, &gControlDevice);",
                f"{_IND}if (!NT_SUCCESS(status)) {{", *_mf_undo(sc, 2), f"{_I2}return status;", f"{_IND}}}"]
    if sc.global_resources:
        undo_cdo = ([f"{_I2}IoDeleteDevice(gControlDevice);"] if sc.control_device is not ControlDevice.NONE
                    else [])
        out += [f"{_IND}status = StartGlobalWork();", f"{_IND}if (!NT_SUCCESS(status)) {{",
                *undo_cdo, *_mf_undo(sc, 2), f"{_I2}return status;", f"{_IND}}}"]
    return out


def _mf_driver_entry(sc: MinifilterScenario) -> list[str]:
    port = sc.server_port is not ServerPort.NONE
    de = sc.driver_entry_returns
    body = [f"{_IND}NTSTATUS status;"]
    if port:
        body += [f'{_IND}UNICODE_STRING portName = RTL_CONSTANT_STRING(L"\\\\SamplePort");',
                 f"{_IND}OBJECT_ATTRIBUTES oa;"]
    if sc.control_device is not ControlDevice.NONE and de.nt_success:
        body.append(f'{_IND}UNICODE_STRING cdoName = RTL_CONSTANT_STRING(L"\\\\FileSystem\\\\Filters\\\\SampleCdo");')
    body += ["", *_unused("RegistryPath")]
    if sc.refuse_only_if_control_device_open:
        body.append(f"{_IND}(VOID)ExInitializeResourceLite(&gCdoLock);  /* before Unload can run */")
    body += [f"{_IND}status = FltRegisterFilter(DriverObject, &FilterRegistration, &gFilter);",
             f"{_IND}if (!NT_SUCCESS(status)) {{", *_lock_delete(sc, 2), f"{_I2}return status;", f"{_IND}}}"]
    if port:
        body += _mf_create_port(sc)
    if not de.nt_success:
        body += [f"{_IND}/* the rest of initialisation fails ({de.severity.value}): DriverEntry fails */",
                 *_mf_undo(sc, 1),
                 f"{_IND}return {c_status(de)};  /* Unload never runs: rule driver-entry-failed */"]
    else:
        note = "" if de.code == 0 else "  /* NT_SUCCESS: the driver loads (rule ntstatus-severity) */"
        body += [f"{_IND}status = FltStartFiltering(gFilter);", f"{_IND}if (!NT_SUCCESS(status)) {{",
                 *_mf_undo(sc, 2), f"{_I2}return status;", f"{_IND}}}", *_mf_after_start(sc),
                 f"{_IND}return {c_status(de)};{note}"]
    return _block("NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)", body)


def minifilter_c(scenario: MinifilterScenario) -> str:
    """The minifilter's C: callbacks, FLT_REGISTRATION, DriverEntry and the unload routine."""
    sc = scenario
    out = ["#include <fltKernel.h>", "", "DRIVER_INITIALIZE DriverEntry;", *_mf_globals(sc)]
    out += _mf_contexts(sc)
    if _has_queue(sc):
        out += _mf_instance_setup()
    if Leak.CONTEXT in sc.leaks:
        out += _mf_pre_cleanup()
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
