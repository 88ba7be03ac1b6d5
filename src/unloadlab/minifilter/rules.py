"""Rules of the minifilter family: the filter manager's decisions. A minifilter trace cites
these and the shared ``windows.rules``; ``unloadlab.catalogue`` joins all of them.

Each rule is one statement in our own words, its kind (how we know it) and its source
page. Rules of kind ``silent`` record where the documentation says nothing: a trace
that reaches such a point cites the silent rule instead of inventing an answer.
"""
from __future__ import annotations

from ..windows.sources import (
    SEED_CALLBACK, SEED_RETURNING, SEED_WHEN, SEED_WRITING, D, F, M, Q, Rule, S, Source, fact, open_question,
)
from ..windows.sources import define as _r

__all__ = ["MINIFILTER_RULES"]

# Pages a rule cites directly: the field reports themselves and the pages behind facts
# 56a..61c of domain-facts section 10 (lettered: FACT_PAGES keeps whole numbers).
_GH = "https://github.com/"
_DDI = "https://learn.microsoft.com/windows-hardware/drivers/ddi/"
_DBG = "https://learn.microsoft.com/windows-hardware/drivers/debugger/"
_WDS_1360 = Source("Delete sample: potential FLT_CONTEXT leak (microsoft/Windows-driver-samples#1360)",
                  _GH + "microsoft/Windows-driver-samples/issues/1360")
_INFINITYHOOK_9 = Source("Unloading the driver probabilistically occurs bugcheck (everdox/InfinityHook#9)",
                        _GH + "everdox/InfinityHook/issues/9")
_GREMLINS_3 = Source("DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS bugcheck (ch3rn0byl/Gremlins#3)",
                    _GH + "ch3rn0byl/Gremlins/issues/3")
_OPENZFS_92 = Source("Bugcheck: BSD timer fires after driver Unload (openzfsonwindows/openzfs#92)",
                    _GH + "openzfsonwindows/openzfs/issues/92")
_OPENZFS_52 = Source("Bugcheck during driver uninstall (openzfsonwindows/openzfs#52)",
                    _GH + "openzfsonwindows/openzfs/issues/52")
_PS_TERMINATE = Source("PsTerminateSystemThread function (domain-facts #59a)",
                      _DDI + "wdm/nf-wdm-psterminatesystemthread")
_KE_WAIT = Source("KeWaitForSingleObject function (domain-facts #59a)", _DDI + "wdm/nf-wdm-kewaitforsingleobject")
_INSPECT_UNLOAD = Source("inspect sample, TLInspectEvtDriverUnload (waits on its worker thread object)",
                        "https://github.com/microsoft/Windows-driver-samples/blob/main/network/trans/inspect/sys/TL_drv.c")
_KDEFERRED = Source("KDEFERRED_ROUTINE callback function (domain-facts #59b)", _DDI + "wdm/nc-wdm-kdeferred_routine")
_BUGCHECK_D4 = Source("Bug Check 0xD4: SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD (domain-facts #60b)",
                     _DBG + "bug-check-0xd4--system-scan-at-raised-irql-caught-improper-driver-unlo")
_BUGCHECK_C4 = Source("Bug Check 0xC4: DRIVER_VERIFIER_DETECTED_VIOLATION (domain-facts #61a)",
                     _DBG + "bug-check-0xc4--driver-verifier-detected-violation")
_BUGCHECK_C7 = Source("Bug Check 0xC7: TIMER_OR_DPC_INVALID; Automatic Checks (domain-facts #61b)",
                     _DBG + "bug-check-0xc7--timer-or-dpc-invalid")
_STACKS = Source("!stacks (debugger extension) (domain-facts #56a)",
                "https://learn.microsoft.com/windows-hardware/drivers/debuggercmds/-stacks")

MINIFILTER_RULES: tuple[Rule, ...] = (
    # --- the seeds ---------------------------------------------------------------
    _r("callback-optional", D, "Registering a FilterUnloadCallback is optional, but strongly recommended.",
       SEED_WRITING, SEED_CALLBACK),
    _r("no-callback-no-unload", D, "A minifilter that registers no FilterUnloadCallback cannot be unloaded, "
       "by any request.", SEED_WRITING, SEED_CALLBACK, fact(8)),
    _r("callback-in-registration", D, "The callback is registered by putting its address in "
       "FLT_REGISTRATION.FilterUnloadCallback, which DriverEntry passes to FltRegisterFilter.",
       SEED_WRITING, SEED_CALLBACK),
    _r("callback-notifies", D, "With a callback registered, the filter manager calls it to tell the "
       "minifilter that it is about to be unloaded.", SEED_CALLBACK),
    _r("ntunload-mandatory", M, "A loader tool's own NtUnloadDriver reaches the filter manager's DriverUnload "
       "as a service stop does, so the unload is mandatory: FilterUnloadCallback gets "
       "FLTFL_FILTER_UNLOAD_MANDATORY and cannot refuse. The pages name only the service stops as mandatory.",
       fact(3), SEED_WHEN, fact(85)),
    _r("nonmandatory-triggers", D, "FilterUnload (user mode), FltUnloadFilter (kernel mode) and "
       "'fltmc unload' request a non-mandatory unload.", SEED_WHEN, fact(1)),
    _r("mandatory-flag", D, "The filter manager passes FLTFL_FILTER_UNLOAD_MANDATORY in Flags when the "
       "unload is mandatory, and no flag (0) otherwise.", SEED_CALLBACK, fact(16)),
    _r("nonmandatory-refusal", D, "On a non-mandatory unload, a callback that returns a warning or error "
       "status (such as STATUS_FLT_DO_NOT_DETACH) keeps the minifilter loaded.",
       SEED_CALLBACK, SEED_WHEN, SEED_RETURNING, fact(17)),
    _r("otherwise-unloaded", D, "When the unload is not refused, the filter manager unloads the minifilter.",
       SEED_CALLBACK),
    _r("mandatory-ignores-refusal", D, "On a mandatory unload the minifilter cannot stop itself being "
       "unloaded: the filter manager unloads it after the callback, whatever the callback returned.",
       SEED_CALLBACK, SEED_WHEN, fact(6)),
    _r("do-not-detach-is-error", D, "STATUS_FLT_DO_NOT_DETACH is an error status; it is the conventional "
       "way to refuse a non-mandatory unload.", SEED_CALLBACK, SEED_RETURNING),
    _r("normally-success", D, "A FilterUnloadCallback normally returns STATUS_SUCCESS.", SEED_RETURNING),
    _r("do-not-support-service-stop", D, "With FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP in "
       "FLT_REGISTRATION.Flags, mandatory (service stop) requests fail; non-mandatory ones work as usual.",
       SEED_WHEN, fact(7)),
    _r("failed-request-no-callback", D, "The filter manager does not call the FilterUnloadCallback for an "
       "unload request that fails.", SEED_WHEN, fact(7)),
    _r("driver-entry-failed", D, "If DriverEntry returns a warning or error status, the FilterUnloadCallback "
       "is never called: the driver is simply unloaded.", SEED_WHEN, fact(9)),
    _r("no-callback-at-shutdown", D, "The FilterUnloadCallback is not called when the system shuts down.",
       SEED_WHEN, fact(10)),
    _r("shutdown-preop", D, "A minifilter that must do work at shutdown registers a pre-operation callback "
       "for IRP_MJ_SHUTDOWN (a post-operation callback for it is not allowed).", SEED_WHEN, fact(10)),
    # --- the researched facts the model uses ----------------------------------------
    _r("informational-allows", D, "An informational status is not a warning or error (NT_SUCCESS is true), "
       "so it does not refuse an unload.", SEED_RETURNING, fact(17, 48)),
    _r("callback-passive", D, "The filter manager calls FilterUnloadCallback at PASSIVE_LEVEL with one "
       "parameter, Flags.", fact(16)),
    _r("fltmc-calls-filterunload", M, "'fltmc unload' enables SeLoadDriverPrivilege and calls FilterUnload "
       "(the documentation calls it a FilterUnload caller; enabling the privilege is how ReactOS's fltmc does "
       "it); an explicit unload ignores service dependencies (documented).", fact(1, 14)),
    _r("filterunload-privilege", D, "FilterUnload requires the caller to hold SeLoadDriverPrivilege and "
       "returns an HRESULT (S_OK on success).", fact(12)),
    _r("fltunloadfilter-lookup", D, "FltUnloadFilter finds the filter by its service name and returns "
       "STATUS_FLT_FILTER_NOT_FOUND when no such filter is registered.", fact(11)),
    _r("flt-hresult", D, "A filter-manager NTSTATUS reaches user mode as an HRESULT that keeps the severity "
       "bit and code and takes facility 0x1F (0xC01C0010 becomes 0x801F0010).", fact(13)),
    _r("callback-status-propagates", F, "A refusing callback's status is what the non-mandatory requester "
       "gets back (seen with fltmc on a real refusing filter).", fact(15)),
    _r("tamper-resistant-refusal", F, "A tamper-resistant product refuses every non-mandatory unload on "
       "purpose: WdFilter returns STATUS_FLT_DO_NOT_DETACH whenever the MANDATORY flag is missing. An ordinary "
       "minifilter doing so only blocks fltmc unload.", fact(15)),
    _r("fltmc-output", F, "On failure fltmc prints 'Unload failed with error: 0x%08x' and then the system's "
       "message text for that HRESULT.", fact(14)),
    _r("fltmgr-owns-driverunload", M, "FltRegisterFilter points DriverObject->DriverUnload at the filter "
       "manager only when a FilterUnloadCallback is registered and service stop is supported; otherwise "
       "DriverUnload is NULL.", fact(3)),
    _r("unload-routine-order", D, "An unload routine closes its server ports, then calls FltUnregisterFilter, "
       "then does global cleanup, then returns.", fact(18)),
    _r("port-before-unregister", D, "Closing the communication server port before FltUnregisterFilter is "
       "required: an open server port makes the unload hang.", fact(18, 19)),
    _r("refuse-before-teardown", S, "A callback that refuses returns before it tears anything down (the "
       "samples test the condition first).", fact(20)),
    _r("fltunregister-teardown", D, "FltUnregisterFilter unregisters the callbacks, tears down every "
       "instance and deletes the filter's contexts.", fact(21)),
    _r("fltunregister-blocks", D, "FltUnregisterFilter waits until every rundown reference on the filter "
       "is released.", fact(22)),
    _r("teardown-sequence", D, "Each instance gets InstanceTeardownStartCallback, then, once its I/O has "
       "drained, InstanceTeardownCompleteCallback; with NULL callbacks the instance is still torn down.",
       fact(23)),
    _r("teardown-hang", D, "TeardownComplete is not called while pended or filter-initiated I/O is "
       "outstanding, and the unload appears hung until it is.", fact(24)),
    _r("teardown-reason", Q, "Both teardown callbacks receive a reason flag, and the page describes "
       "FILTER_UNLOAD (0x2) and MANDATORY_FILTER_UNLOAD (0x4) alike ('being unloaded'): which unload passes "
       "which is not documented; the lab infers 0x2 for non-mandatory and 0x4 for mandatory unloads from "
       "the names.", fact(25), open_question(5)),
    _r("query-teardown-manual-only", D, "InstanceQueryTeardownCallback is called only for manual detach, "
       "never on filter unload.", fact(27)),
    _r("driver-entry-pattern", S, "DriverEntry calls FltRegisterFilter then FltStartFiltering; if starting "
       "fails it calls FltUnregisterFilter before returning the error.", fact(32)),
    _r("registration-flags", D, "FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS, _SUPPORT_DAX_VOLUME and "
       "_SUPPORT_WCOS choose which volumes the filter may attach to; they do not change unloading.",
       fact(30)),
    # --- where the documentation is silent ------------------------------------------
    _r("silent-no-callback-status", Q, "Which status FltUnloadFilter or FilterUnload returns when no "
       "FilterUnloadCallback is registered is not documented; only that the call fails.", open_question(1)),
    _r("silent-privilege-hresult", Q, "What FilterUnload returns without SeLoadDriverPrivilege is not "
       "documented; 0x80070522 (ERROR_PRIVILEGE_NOT_HELD) is a likely, unverified value.", open_question(3)),
    _r("silent-other-hresult", Q, "The HRESULT FilterUnload returns for a status outside the filter "
       "manager's facility is not documented.", fact(13)),
    _r("silent-no-unregister", Q, "What happens when a callback lets the unload go on without having "
       "called FltUnregisterFilter is not documented; treat it as a driver bug.", open_question(4)),
    _r("silent-teardown-reason", Q, "Whether FILTER_UNLOAD (0x2) is also set with MANDATORY_FILTER_UNLOAD "
       "(0x4) is not documented.", open_question(5)),
    _r("silent-teardown-order", Q, "Whether the instances on several volumes are torn down one after "
       "another or in parallel is not documented; the lab shows them in volume order.", open_question(7)),
    _r("silent-callback-thread", Q, "For FltUnloadFilter and FilterUnload, the thread the callback runs in "
       "is not documented.", open_question(6)),
    _r("silent-kernel-caller-privilege", Q, "Whether a kernel-mode caller of FltUnloadFilter needs a privilege is "
       "not documented (its page names none), so the lab lets 'not an administrator' change nothing there.",
       fact(8)),
    # --- the craft of an unload routine (domain-facts section 10, #49-#63) ---------------------------
    _r("object-reference-rundown", D, "FltObjectReference adds a rundown reference that keeps the filter "
       "object from being freed; FltUnregisterFilter waits until FltObjectDereference removes it.",
       fact(49, 22)),
    _r("work-item-rundown", D, "A generic work item queued with FltQueueGenericWorkItem holds a rundown "
       "reference on the filter until its routine returns; FltUnregisterFilter waits for it.", fact(50)),
    _r("fltunregister-rundown-stack", F, "On real Windows such a hang shows a thread inside FltUnregisterFilter "
       "waiting in FLTMGR!FltpWaitForRundownProtectionReleaseInternal (systeminformer#1755).", fact(56)),
    _r("leaked-context-blocks", F, "A context reference never released (FltGetXxxContext without "
       "FltReleaseContext) keeps the minifilter from unloading: the delete sample fails to unload, and "
       "!fltkd.filter lists the leaked FLT_CONTEXT references (Windows-driver-samples#1360).", fact(51), _WDS_1360),
    _r("silent-name-info-wait", Q, "Whether file name information never released with "
       "FltReleaseFileNameInformation keeps FltUnregisterFilter from returning is not documented; the "
       "structure is never freed, and Filter Verifier reports the leak at unload.", fact(52, 55)),
    _r("silent-open-file-wait", Q, "Whether a file opened with FltCreateFileEx and never closed with FltClose "
       "keeps the unload from finishing is not documented; InstanceTeardownComplete is where an instance "
       "closes the files it opened.", fact(53, 23)),
    _r("silent-leak-wait-point", Q, "Where a leaked context, name-information or file reference stops the "
       "unload (inside FltUnregisterFilter or later) is not documented; the lab shows it as a wait in "
       "FltUnregisterFilter.", fact(51, 55)),
    _r("send-message-no-timeout", D, "FltSendMessage with a NULL Timeout waits, for as long as it takes, for "
       "the application to get the message and, with a reply buffer, to reply; without one it waits only for "
       "the message to be delivered.", fact(54)),
    _r("filter-verifier-leaks", D, "Filter Verifier (verifier.exe /standard /driver on the minifilter) tracks "
       "contexts, name information, queued work items and file objects, and at unload breaks into the "
       "debugger when references look leaked, pointing to !fltkd to find them.", fact(55)),
    _r("teardown-start-duties", D, "InstanceTeardownStart completes or cancels the operations its instance "
       "pended and stops queuing new ones; the cancelSafe sample disables its queue with FltCbdqDisable, "
       "then removes and completes every queued operation.", fact(23, 62)),
    _r("post-op-draining", D, "When an instance is torn down, operations that got a pre-operation callback and "
       "await their post-operation callback are drained: the post-operation callback is called with "
       "FLTFL_POST_OPERATION_DRAINING and must only clean up.", fact(63)),
    _r("cdo-conditional-refusal", S, "The cdo sample decides first, holding its ERESOURCE shared from the test "
       "through the teardown: it refuses (STATUS_FLT_DO_NOT_DETACH) only while its control device object is "
       "open (from IRP_MJ_CREATE to IRP_MJ_CLOSE: a reference, which can outlive the handle) and the unload is "
       "not mandatory; otherwise it calls FltUnregisterFilter, deletes the "
       "control device object, releases and deletes the resource, and succeeds.", fact(20)),
    _r("stop-new-work-first", S, "An unload routine first stops new work (the avscan sample sets its "
       "'unloading' flag under its lock before anything else).",
       Source("avscan sample, AvUnload (domain-facts, Sample unload routines)",
              "https://github.com/microsoft/Windows-driver-samples/blob/main/"
              "filesys/miniFilter/avscan/filter/avscan.c")),
    _r("cleanup-order", D, "Global cleanup leaves nothing running into freed memory: cancel timers and flush "
       "queued DPCs (a DPC already running still runs to completion), let its system threads exit and wait "
       "for them, remove notify routines, and free pool last.", fact(59, 57)),
    _r("remove-notify-routines", D, "A driver removes every notify or callback routine it registered before "
       "it unloads: PsSetCreateProcessNotifyRoutineEx with Remove TRUE (which also waits for callbacks in "
       "flight), PsRemoveCreateThreadNotifyRoutine, PsRemoveLoadImageNotifyRoutine, CmUnRegisterCallback, "
       "ObUnRegisterCallbacks.", fact(58, 57)),
    _r("wait-system-threads", D, "A driver that creates system threads must make sure each one terminates "
       "(PsTerminateSystemThread); a thread object is one KeWaitForSingleObject can wait on, so the unload "
       "routine tells its threads to stop and waits on their thread objects, as the inspect sample's unload does.",
       _PS_TERMINATE, _KE_WAIT, _INSPECT_UNLOAD),
    _r("bugcheck-0xce", D, "Bug check 0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS: a driver "
       "unloaded without cancelling its lookaside lists, DPCs, worker threads or similar items; parameter 1 is "
       "the address touched, 2 read (0) or write (1), 3 the code that touched it.", fact(60, 37)),
    _r("bugcheck-0xd4", D, "Bug check 0xD4 SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD has the same "
       "cause as 0xCE, and the system then touched the unloaded driver's former location at a raised IRQL; "
       "parameter 2 is that IRQL.", _BUGCHECK_D4),
    _r("dpc-dispatch-level", D, "A DPC routine, a timer's CustomTimerDpc among them, is called at DISPATCH_LEVEL.",
       _KDEFERRED),
    _r("silent-0xce-or-0xd4", Q, "Which of the two bug checks a timer DPC left behind gives is not documented: "
       "both pages name DPCs; only 0xD4's ties the crash to a raised IRQL, where a DPC runs. The lab shows "
       "0xD4, as a field report of a timer that fired after unload saw, and names 0xCE beside it.",
       fact(60), _BUGCHECK_D4),
    _r("timer-after-unload-0xd4", F, "A driver's timer that fired after the driver unloaded stopped the system "
       "with 0xD4 at IRQL 2 (openzfsonwindows/openzfs#92; #52, timer objects left active at uninstall, the same "
       "bug check).", _OPENZFS_92, _OPENZFS_52),
    _r("unloaded-code-0xce", F, "The kernel calling into a driver after it unloaded (a hook or callback left "
       "behind) ends in 0xCE in field reports (InfinityHook#9, Gremlins#3).", fact(60), _INFINITYHOOK_9,
       _GREMLINS_3),
    _r("stacks-finds-the-wait", D, "The debugger's !stacks [Detail [FilterString]] sums up every kernel thread's "
       "stack; a FilterString keeps only the threads with that substring in a symbol, and Detail 2 adds full "
       "parameters and paged-out stacks: !stacks 2 FltUnregisterFilter lists the threads waiting in it.", _STACKS),
    _r("verifier-timer-0xc7", D, "With Driver Verifier on, a timer or DPC left behind in a driver's image as it "
       "unloads gives bug check 0xC7 TIMER_OR_DPC_INVALID (parameter 1 = 0x0 for a timer object) at once; the "
       "automatic checks are part of the standard flags.", fact(61), _BUGCHECK_C7),
    _r("silent-verifier-order", Q, "Which of Driver Verifier's unload checks runs first, pool tracking (0xC4) or "
       "the timer check (0xC7), when a driver leaves both behind is not documented.", fact(61)),
    _r("pool-tracking", D, "Pool a driver never frees stays allocated (a leak); with Driver Verifier's Pool "
       "Tracking (part of /standard) the driver gets bug check 0xC4 with parameter 1 = 0x62 when it unloads "
       "without freeing all its allocations; parameter 2 is the driver's name, parameter 4 the count of "
       "allocations not freed.", fact(61), _BUGCHECK_C4),
)
