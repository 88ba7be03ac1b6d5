"""The C a real minifilter would contain for a scenario's knobs.

A renderer only: it reads knobs and writes text; whether an unload succeeds, is refused
or hangs is decided by the model (``minifilter.simulate``), never here. Comments cite
rule ids from ``unloadlab.catalogue``. The code is ours, written from the documented
signatures. Output is deterministic: the same knobs give the same text.
"""
from __future__ import annotations

from ..windows.c_text import IND as _IND
from ..windows.c_text import block as _block
from ..windows.c_text import c_status
from ..windows.c_text import unused as _unused
from .model import MinifilterScenario, ServerPort

__all__ = ["minifilter_c"]


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
