"""Where the rules come from: the kinds of knowledge, the source pages, and the ``Rule``
both driver families (``minifilter.rules``, ``callout.rules``) build their catalogues with.
``unloadlab.catalogue`` joins the two.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "RuleKind", "Source", "Rule", "define", "fact", "open_question", "FACT_PAGES",
    "SEED_WRITING", "SEED_CALLBACK", "SEED_WHEN", "SEED_RETURNING", "SEED_WFP_UNLOAD",
    "D", "S", "M", "F", "Q",
]


class RuleKind(enum.Enum):
    """How a rule is known."""

    DOC = "documented"                 # Microsoft documentation says it
    SAMPLE = "sample"                  # what Microsoft's driver samples do
    MECHANISM = "mechanism"            # how an open re-implementation (ReactOS) or KMDF's source does it
    FIELD = "field-observed"           # seen on real Windows, not documented
    SILENT = "documentation silent"    # nobody documents it: the trace says so


@dataclass(frozen=True)
class Source:
    title: str
    url: str


_IFS = "https://learn.microsoft.com/windows-hardware/drivers/ifs/"
_DDI = "https://learn.microsoft.com/windows-hardware/drivers/ddi/"
_FACTS = "docs/domain-facts.md"

SEED_WRITING = Source("Writing a FilterUnloadCallback Routine for a Minifilter Driver",
                      _IFS + "writing-a-filterunloadcallback-routine-for-a-minifilter-driver")
SEED_CALLBACK = Source("PFLT_FILTER_UNLOAD_CALLBACK callback function",
                       _DDI + "fltkernel/nc-fltkernel-pflt_filter_unload_callback")
SEED_WHEN = Source("When the FilterUnloadCallback Routine Is Called",
                   _IFS + "when-the-filterunloadcallback-routine-is-called")
SEED_RETURNING = Source("Returning Status from a FilterUnloadCallback Routine",
                        _IFS + "returning-status-from-a-filterunloadcallback-routine")
SEED_WFP_UNLOAD = Source("Specifying an Unload Function (WFP callout drivers)",
                         "https://learn.microsoft.com/windows-hardware/drivers/network/specifying-an-unload-function")


_KERNEL = "https://learn.microsoft.com/windows-hardware/drivers/kernel/"
_NETWORK = "https://learn.microsoft.com/windows-hardware/drivers/network/"
_WDF = "https://learn.microsoft.com/windows-hardware/drivers/wdf/"
_WIN32 = "https://learn.microsoft.com/windows/win32/api/"
_RE = "https://github.com/reactos/reactos/blob/master/"
_FIELD = "https://github.com/"
_DEVTEST = "https://learn.microsoft.com/windows-hardware/drivers/devtest/"

# The primary page behind each researched fact (domain-facts.md names them all).
FACT_PAGES: dict[int, tuple[str, str]] = {
    1: ("Loading and Unloading (minifilters)", _IFS + "loading-and-unloading"),
    2: ("ControlService function", _WIN32 + "winsvc/nf-winsvc-controlservice"),
    3: ("ReactOS fltmgr FltRegisterFilter", _RE + "drivers/filters/fltmgr/Filter.c"),
    4: ("ZwUnloadDriver function", _DDI + "wdm/nf-wdm-zwunloaddriver"),
    5: ("ReactOS IopUnloadDriver; Unload Routine Environment",
        _RE + "ntoskrnl/io/iomgr/driver.c"),
    6: (SEED_WHEN.title, SEED_WHEN.url),
    7: ("FLT_REGISTRATION structure", _DDI + "fltkernel/ns-fltkernel-_flt_registration"),
    8: ("FltUnloadFilter function", _DDI + "fltkernel/nf-fltkernel-fltunloadfilter"),
    9: ("Unload Routine Environment", _KERNEL + "unload-routine-environment"),
    10: ("FLT_OPERATION_REGISTRATION structure", _DDI + "fltkernel/ns-fltkernel-_flt_operation_registration"),
    11: ("FltUnloadFilter function", _DDI + "fltkernel/nf-fltkernel-fltunloadfilter"),
    12: ("FilterUnload function (fltuser.h)", _WIN32 + "fltuser/nf-fltuser-filterunload"),
    13: ("fltWinError.h (FILTER_HRESULT_FROM_FLT_NTSTATUS), via win32metadata",
         "https://github.com/microsoft/win32metadata"),
    14: ("fltmc output observed on Windows (CenterDevice/MiniFSWatcher#8)",
         _FIELD + "CenterDevice/MiniFSWatcher/issues/8"),
    15: ("WdFilter MpUnload decompilation with fltmc output (field evidence)", _FACTS + " #15"),
    16: (SEED_CALLBACK.title, SEED_CALLBACK.url),
    17: ("Using NTSTATUS Values", _KERNEL + "using-ntstatus-values"),
    18: ("Writing a FilterUnloadCallback Routine", _IFS + "writing-a-filterunloadcallback-routine"),
    19: ("Closing the Communication Server Port", _IFS + "closing-the-communication-server-port"),
    20: ("cdo sample, CdoUnload", "https://github.com/microsoft/Windows-driver-samples/blob/main/"
         "filesys/miniFilter/cdo/CdoInit.c"),
    21: ("Unregistering the Minifilter", _IFS + "unregistering-the-minifilter"),
    22: ("Unregistering the Minifilter", _IFS + "unregistering-the-minifilter"),
    23: ("Loading and Unloading (minifilters)", _IFS + "loading-and-unloading"),
    24: ("PFLT_INSTANCE_TEARDOWN_CALLBACK", _DDI + "fltkernel/nc-fltkernel-pflt_instance_teardown_callback"),
    25: ("PFLT_INSTANCE_TEARDOWN_CALLBACK", _DDI + "fltkernel/nc-fltkernel-pflt_instance_teardown_callback"),
    27: ("PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK",
         _DDI + "fltkernel/nc-fltkernel-pflt_instance_query_teardown_callback"),
    30: ("FLT_REGISTRATION structure", _DDI + "fltkernel/ns-fltkernel-_flt_registration"),
    32: ("passThrough sample, DriverEntry", "https://github.com/microsoft/Windows-driver-samples/blob/main/"
         "filesys/miniFilter/passThrough/passThrough.c"),
    33: ("DRIVER_UNLOAD callback function", _DDI + "wdm/nc-wdm-driver_unload"),
    34: ("Writing an Unload Routine", _KERNEL + "writing-an-unload-routine"),
    35: ("ZwUnloadDriver function", _DDI + "wdm/nf-wdm-zwunloaddriver"),
    36: ("Non-PnP Driver's Unload Routine", _KERNEL + "non-pnp-driver-s-unload-routine"),
    37: ("Bug Check 0xCE", "https://learn.microsoft.com/windows-hardware/drivers/debugger/"
         "bug-check-0xce--driver-unloaded-without-cancelling-pending-operations"),
    38: ("EVT_WDF_DRIVER_UNLOAD callback function", _DDI + "wdfdriver/nc-wdfdriver-evt_wdf_driver_unload"),
    39: ("KMDF source, FxDriver::Initialize / FxDriver::Unload",
         "https://github.com/microsoft/Windows-Driver-Frameworks/blob/main/src/framework/shared/core/fxdriver.cpp"),
    40: ("WDF_DRIVER_INIT_FLAGS enumeration", _DDI + "wdfdriver/ne-wdfdriver-_wdf_driver_init_flags"),
    41: ("Using Kernel-Mode Driver Framework with Non-PnP Drivers",
         _WDF + "using-kernel-mode-driver-framework-with-non-pnp-drivers"),
    42: (SEED_WFP_UNLOAD.title, SEED_WFP_UNLOAD.url),
    43: ("Unloading a Callout Driver", _NETWORK + "unloading-a-callout-driver"),
    44: ("FwpsCalloutUnregisterById0 function", _DDI + "fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0"),
    45: ("FwpsFlowRemoveContext0 function", _DDI + "fwpsk/nf-fwpsk-fwpsflowremovecontext0"),
    46: ("FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0", _DDI + "fwpsk/nc-fwpsk-fwps_callout_flow_delete_notify_fn0"),
    47: ("FwpsCalloutUnregisterById0 function", _DDI + "fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0"),
    48: ("Using NTSTATUS Values", _KERNEL + "using-ntstatus-values"),
    # Section 10, the craft of a minifilter unload (49..69).
    49: ("FltObjectReference function", _DDI + "fltkernel/nf-fltkernel-fltobjectreference"),
    50: ("Unregistering the Minifilter (FltQueueGenericWorkItem rundown)", _IFS + "unregistering-the-minifilter"),
    51: ("FltReleaseContext function", _DDI + "fltkernel/nf-fltkernel-fltreleasecontext"),
    52: ("FltReleaseFileNameInformation function", _DDI + "fltkernel/nf-fltkernel-fltreleasefilenameinformation"),
    53: ("FltCreateFileEx function", _DDI + "fltkernel/nf-fltkernel-fltcreatefileex"),
    54: ("FltSendMessage function", _DDI + "fltkernel/nf-fltkernel-fltsendmessage"),
    55: ("File System Filter Verification", _DEVTEST + "file-system-filter-verification"),
    56: ("Hang in FltUnregisterFilter's rundown wait (winsiderss/systeminformer#1755)",
         _FIELD + "winsiderss/systeminformer/issues/1755"),
    57: ("Performing Global Cleanup", _IFS + "performing-global-cleanup"),
    58: ("PsSetCreateProcessNotifyRoutineEx function", _DDI + "ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex"),
    59: ("KeCancelTimer function", _DDI + "wdm/nf-wdm-kecanceltimer"),
    60: ("Bug Check 0xCE", "https://learn.microsoft.com/windows-hardware/drivers/debugger/"
         "bug-check-0xce--driver-unloaded-without-cancelling-pending-operations"),
    61: ("Pool Tracking (Driver Verifier)", _DEVTEST + "pool-tracking"),
    62: ("cancelSafe sample, InstanceTeardownStart", "https://github.com/microsoft/Windows-driver-samples/blob/main/"
         "filesys/miniFilter/cancelSafe/cancelSafe.c"),
    63: ("Performing Completion Processing for an I/O Operation",
         _IFS + "performing-completion-processing-for-an-i-o-operation"),
    64: ("Service Security and Access Rights", "https://learn.microsoft.com/windows/win32/services/"
         "service-security-and-access-rights"),
    65: ("Stopping a Service", "https://learn.microsoft.com/windows/win32/services/stopping-a-service"),
    66: ("Unload Routine Environment", _KERNEL + "unload-routine-environment"),
    67: ("IRP_MJ_SHUTDOWN (kernel-mode driver reference)", _KERNEL + "irp-mj-shutdown"),
    68: ("Distinguishing Fast Startup from Wake-from-Hibernation",
         _KERNEL + "distinguishing-fast-startup-from-wake-from-hibernation"),
    69: ("FltUnloadFilter function", _DDI + "fltkernel/nf-fltkernel-fltunloadfilter"),
    # Section 11, the callout unload done right (70..89).
    70: ("inspect and ddproxy samples, EvtDriverUnload", "https://github.com/microsoft/Windows-driver-samples/"
         "blob/main/network/trans/ddproxy/sys/DD_drv.c"),
    71: ("Object Management (WFP sessions and object lifetimes)",
         "https://learn.microsoft.com/windows/win32/fwp/object-management"),
    72: ("netebpfext: permit traffic when WFP callout is unregistered (microsoft/ebpf-for-windows#5496)",
         _FIELD + "microsoft/ebpf-for-windows/pull/5496"),
    73: ("FWPM_FILTER0 structure", "https://learn.microsoft.com/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0"),
    74: ("FwpmCalloutDeleteByKey0 function", _DDI + "fwpmk/nf-fwpmk-fwpmcalloutdeletebykey0"),
    75: ("Unregistering callouts fails during a classify (microsoft/ebpf-for-windows#1272)",
         _FIELD + "microsoft/ebpf-for-windows/issues/1272"),
    76: ("FwpsCalloutUnregisterByKey0 function", _DDI + "fwpsk/nf-fwpsk-fwpscalloutunregisterbykey0"),
    77: ("Is FwpsFlowRemoveContext in DriverUnload safe? (microsoft/Windows-driver-samples#242)",
         _FIELD + "microsoft/Windows-driver-samples/issues/242"),
    78: ("FwpsCalloutUnregisterById0 function (remarks)", _DDI + "fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0"),
    79: ("Unloading a Callout Driver", _NETWORK + "unloading-a-callout-driver"),
    80: ("EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP", _DDI + "wdfdevice/nc-wdfdevice-evt_wdf_device_self_managed_io_cleanup"),
    81: ("inspect sample, TLInspectEvtDriverUnload (the teardown order, synthesised)",
         "https://github.com/microsoft/Windows-driver-samples/blob/main/network/trans/inspect/sys/TL_drv.c"),
    82: ("ExWaitForRundownProtectionRelease function", _DDI + "wdm/nf-wdm-exwaitforrundownprotectionrelease"),
    83: ("FwpsInjectionHandleDestroy0 function", _DDI + "fwpsk/nf-fwpsk-fwpsinjectionhandledestroy0"),
    84: ("DeleteService function", _WIN32 + "winsvc/nf-winsvc-deleteservice"),
    85: ("ZwUnloadDriver function (a direct call)", _DDI + "wdm/nf-wdm-zwunloaddriver"),
    86: ("FwpsCalloutUnregisterById0 function (STATUS_FWP_IN_USE)", _DDI + "fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0"),
}


def fact(*numbers: int) -> Source:
    """The page behind researched fact(s) N, labelled with the fact numbers."""
    title, url = FACT_PAGES[numbers[0]]
    label = ", ".join(f"#{n}" for n in numbers)
    return Source(f"{title} (domain-facts {label})", url)


def open_question(number: int) -> Source:
    return Source(f"domain-facts open question {number}", f"{_FACTS} (Open questions, {number})")


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str               # one line, our words
    kind: RuleKind
    sources: tuple[Source, ...]

    def cite(self) -> str:
        """Each source once, with its address (two facts may share a page)."""
        seen: dict[str, str] = {}
        for s in self.sources:
            seen.setdefault(s.url, s.title)
        return "; ".join(f"{title} <{url}>" for url, title in seen.items())


def define(id: str, kind: RuleKind, statement: str, *sources: Source) -> Rule:
    """A rule: its id, kind, one statement in our words, and its sources."""
    return Rule(id, statement, kind, sources)


# Short names for the kinds, so each catalogue line stays one rule.
D, S, M, F, Q = RuleKind.DOC, RuleKind.SAMPLE, RuleKind.MECHANISM, RuleKind.FIELD, RuleKind.SILENT
