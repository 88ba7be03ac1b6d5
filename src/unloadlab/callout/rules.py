"""Rules of the WFP callout driver family: how a callout driver names its unload function,
how the kernel and KMDF reach it, and how it takes down its filters, the work in flight,
its flow contexts, its callouts, its injection handle and its device.

Same shape as ``minifilter.rules.MINIFILTER_RULES``: one behaviour per rule, one line in our words,
its kind and its sources. The callout model also cites rules that hold for any driver
service (``windows.rules``: ``null-driverunload``, ``sc-stop-1052``, ``scm-ntunloaddriver``,
``unload-pending``, ``shutdown-needs-registration``, ``service-stop-access`` and others).
"""
from __future__ import annotations

from ..windows.sources import SEED_WFP_UNLOAD, D, F, M, Q, Rule, S, Source, fact, open_question
from ..windows.sources import define as _r

__all__ = ["CALLOUT_RULES"]

_SAMPLES = "https://github.com/microsoft/Windows-driver-samples/blob/main/network/trans/"
INSPECT = Source("inspect sample, DriverEntry and TLInspectEvtDriverUnload", _SAMPLES + "inspect/sys/TL_drv.c")
DDPROXY = Source("ddproxy sample, unload routine", _SAMPLES + "ddproxy/sys/DD_drv.c")
MSNMNTR = Source("msnmntr sample, MonitorCoUninitialize", _SAMPLES + "msnmntr/sys/msnmntr.c")
CONTROL_DEVICES = Source("Using Control Device Objects (domain-facts #41)",
                         "https://learn.microsoft.com/windows-hardware/drivers/wdf/using-control-device-objects")
ISSUE_464 = Source("microsoft/Windows-driver-samples issue #464 (domain-facts #76)",
                   "https://github.com/microsoft/Windows-driver-samples/issues/464")
PNP_UNLOAD = Source("PnP Driver's Unload Routine (domain-facts #36)",
                    "https://learn.microsoft.com/windows-hardware/drivers/kernel/pnp-driver-s-unload-routine")

CALLOUT_RULES: tuple[Rule, ...] = (
    # --- the seed: Specifying an Unload Function --------------------------------------
    _r("wfp-unload-required", D, "Every callout driver has to supply an unload function.",
       SEED_WFP_UNLOAD, fact(42)),
    _r("wfp-unload-called-on-unload", D, "The system calls that unload function when it unloads the callout "
       "driver.", SEED_WFP_UNLOAD),
    _r("wfp-unload-must-unregister", D, "The unload function has to make sure every callout is unregistered "
       "from the filter engine before the driver's image leaves memory.", SEED_WFP_UNLOAD, fact(43)),
    _r("wfp-no-unload-function", D, "A callout driver that supplies no unload function cannot be unloaded.",
       SEED_WFP_UNLOAD, fact(42)),
    _r("wfp-wdm-driverunload", D, "A WDM callout driver names its Unload routine from DriverEntry by storing "
       "it in DriverObject->DriverUnload.", SEED_WFP_UNLOAD),
    _r("wfp-wdf-evtdriverunload", D, "A WDF callout driver names its EvtDriverUnload in the WDF_DRIVER_CONFIG "
       "that DriverEntry hands to WdfDriverCreate.", SEED_WFP_UNLOAD),
    _r("wfp-wdf-nonpnp", D, "The WDF callout driver declares itself non-PnP: WdfDriverInitNonPnpDriver in "
       "WDF_DRIVER_CONFIG.DriverInitFlags.", SEED_WFP_UNLOAD, open_question(11)),
    # --- WDM and the I/O manager ------------------------------------------------------------
    _r("callout-driverunload-void", D, "DriverUnload returns nothing and runs at PASSIVE_LEVEL in a system "
       "thread: once it is called, the driver cannot stop the unload.", fact(33)),
    _r("callout-wdm-unload-expected", D, "A WDM driver is expected to have an Unload routine; Driver Verifier "
       "reports one that has none.", fact(34)),
    _r("callout-nonpnp-unload-deletes-devices", D, "A non-PnP driver's Unload deletes the device objects (and "
       "symbolic links) the driver created.", fact(36)),
    _r("callout-no-unload-after-failed-entry", D, "When DriverEntry returns a warning or error, neither a WDM "
       "Unload nor a KMDF EvtDriverUnload is ever called: the image is simply unloaded.", fact(9, 38)),
    _r("callout-no-unload-at-shutdown", D, "No unload routine runs when the system shuts down: neither a WDM "
       "Unload nor, through the framework's DriverUnload, a KMDF EvtDriverUnload.", fact(9, 10), fact(66)),
    _r("callout-ntunload-refuses-pnp", D, "NtUnloadDriver will not unload a PnP device driver: it returns "
       "STATUS_INVALID_DEVICE_REQUEST and the driver stays loaded.", fact(4)),
    _r("callout-pnp-unload-after-removal", D, "The PnP manager calls a PnP driver's Unload only once all of "
       "the driver's devices have been removed.", PNP_UNLOAD),
    _r("callout-bugcheck-0xce", D, "Bug check 0xCE is the documented crash when freed driver code or data is "
       "reached through work the driver did not cancel before unloading (timers, DPCs, worker threads).",
       fact(37)),
    # --- KMDF -------------------------------------------------------------------------------
    _r("callout-kmdf-evtdriverunload", D, "EvtDriverUnload returns nothing, runs at PASSIVE_LEVEL and frees "
       "driver-wide resources that belong to no device.", fact(38)),
    _r("callout-kmdf-nonpnp-needs-evt", M, "For a non-PnP driver KMDF points DriverObject->DriverUnload at its "
       "own routine only when EvtDriverUnload is given; otherwise DriverUnload stays NULL.", fact(39)),
    _r("callout-kmdf-pnp-always-unload", M, "For a PnP driver KMDF always points DriverObject->DriverUnload at "
       "its own routine, which calls EvtDriverUnload only if one was given.", fact(39), open_question(11)),
    _r("callout-kmdf-pnp-adddevice", M, "Without WdfDriverInitNonPnpDriver KMDF installs an AddDevice routine, "
       "so the kernel counts the driver as PnP and a service stop cannot unload it.", fact(39, 4)),
    _r("callout-kmdf-unload-order", M, "The framework's DriverUnload calls EvtDriverUnload first, then deletes "
       "the WDFDRIVER object and its children.", fact(39)),
    _r("callout-kmdf-deletes-control-device", D, "A driver with only control devices need not delete them: the "
       "framework deletes them after EvtDriverUnload returns.", CONTROL_DEVICES),
    # --- the filter engine: registering, unregistering, flow contexts ---------------------------
    _r("wfp-sample-register-in-driverentry", S, "The WFP samples create a device object and an injection "
       "handle in DriverEntry and register each callout there with FwpsCalloutRegister.", INSPECT),
    _r("wfp-sample-failed-entry-cleanup", S, "When a later step of DriverEntry fails, the inspect sample "
       "unregisters the callouts it already registered and destroys its injection handle before returning.",
       INSPECT),
    _r("wfp-sample-filters-in-transaction", S, "The inspect sample adds its filters in one transaction and "
       "aborts it on any failure, so they go live all at once or not at all; a callout no filter names is "
       "never called.", INSPECT),
    _r("wfp-unregister-by-id", D, "The unload function unregisters each callout with "
       "FwpsCalloutUnregisterById0 (or ...ByKey0) at PASSIVE_LEVEL and must not return before all are gone.",
       fact(43, 44)),
    _r("wfp-unregister-success", D, "FwpsCalloutUnregisterById0 returns STATUS_SUCCESS once the callout is "
       "unregistered.", fact(44)),
    _r("wfp-unregister-busy", D, "FwpsCalloutUnregisterById0 returns STATUS_DEVICE_BUSY while flows the callout "
       "processed still carry a context; the driver has to remove those contexts and try again.",
       fact(44, 45)),
    _r("wfp-device-busy-is-warning", D, "STATUS_DEVICE_BUSY (0x80000011) is a warning: NT_SUCCESS is false for "
       "it, and so is NT_ERROR, so only an NT_SUCCESS test catches it.", fact(44, 48), open_question(12)),
    _r("wfp-busy-recovery", D, "The documented recovery from STATUS_DEVICE_BUSY: FwpsFlowRemoveContext0 for "
       "each flow that has a context, then unregister the callout once more.", fact(43, 45)),
    _r("wfp-flow-remove-context", D, "FwpsFlowRemoveContext0 returns STATUS_SUCCESS when flowDeleteFn has "
       "already run, or STATUS_PENDING when a classify is in progress and flowDeleteFn will run later.",
       fact(45)),
    _r("wfp-flow-delete-fn", D, "The filter engine calls flowDeleteFn only for flows that carry a context: "
       "when that context is removed, or when the flow ends.", fact(46)),
    _r("wfp-filters-after-unregister", D, "Unregistering works even while filters still name the callout; "
       "afterwards its terminating or unknown-action filters act as BLOCK and inspection ones are skipped.",
       fact(47)),
    _r("wfp-unload-deletes-device", D, "After unregistering, the unload function deletes its device object "
       "(IoDeleteDevice, or WdfObjectDelete under WDF) and destroys its injection handles.", fact(43)),
    _r("wfp-not-unloadable-while-registered", D, "A callout driver cannot be unloaded until all of its callouts "
       "are unregistered: the pages state it as the driver's duty, not as something the system enforces.",
       fact(43), fact(78)),
    # --- what the samples do ------------------------------------------------------------------
    _r("wfp-sample-ignores-result", S, "The inspect sample unregisters its callouts one after another and "
       "ignores what each call returns.", INSPECT),
    _r("wfp-sample-remove-contexts-first", S, "The ddproxy and msnmntr samples remove every flow context "
       "before they unregister, so STATUS_DEVICE_BUSY never comes up.", DDPROXY, MSNMNTR),
    _r("wfp-sample-stop-at-first-failure", S, "The msnmntr sample's unregister helper stops at the first callout "
       "that fails to unregister and leaves the rest.", MSNMNTR),
    _r("wfp-sample-keep-device", S, "The WDF samples leave their control device to the framework instead of "
       "calling WdfObjectDelete, although the unloading page asks for it.", INSPECT, CONTROL_DEVICES,
       open_question(10)),
    # --- where the documentation is silent ----------------------------------------------------
    _r("wfp-silent-pending-unregister", Q, "While flowDeleteFn calls left pending by FwpsFlowRemoveContext0 "
       "are outstanding, what FwpsCalloutUnregisterById0 returns, and when those calls run, is not "
       "documented.", open_question(10)),
    _r("wfp-silent-registered-at-unload", Q, "What follows when DriverUnload returns with callouts still "
       "registered is not documented: whether the kernel holds the unload back, or which crash comes when the "
       "engine next calls classifyFn or flowDeleteFn.", fact(43), fact(78), fact(37)),
    _r("wfp-silent-unregister-failure", Q, "What an unload function can do when FwpsCalloutUnregisterById0 "
       "fails with a status other than STATUS_DEVICE_BUSY is not documented: the pages give a recovery for that "
       "status only.",
       fact(43, 44)),
    _r("wfp-unregister-in-use", D, "FwpsCalloutUnregisterById0 returns STATUS_FWP_IN_USE when another thread is "
       "registering or unregistering the same callout at that moment.", fact(86, 44)),
    _r("wfp-silent-in-use-recovery", Q, "What an unload function should do after STATUS_FWP_IN_USE from "
       "FwpsCalloutUnregisterById0 (retry, or wait for the other thread), and whether the callout is registered "
       "once the other thread's call returns, is not documented.", fact(86)),
    _r("wfp-silent-failed-entry-callouts", Q, "That the system removes callouts a failing DriverEntry leaves "
       "registered is not documented; the driver has to unregister them itself.", fact(9, 38)),
    _r("callout-silent-pnp-registration", Q, "Where a PnP callout driver registers its callouts is not "
       "documented; the lab does it in EvtDriverDeviceAdd, where it creates its device (the non-PnP inspect "
       "sample uses DriverEntry).", INSPECT, fact(40, 41)),
    _r("callout-silent-pnp-device-removed", Q, "Whether callout registrations may outlive the device they "
       "were made with, which a PnP removal deletes before the unload function runs, is not documented.",
       fact(36, 43)),
    _r("wfp-silent-shutdown", Q, "What the filter engine does at shutdown with callouts that are still "
       "registered is not documented.", fact(9, 10)),
    # --- the teardown done right (domain-facts section 11, #70..#83) ---------------------------
    _r("wfp-stop-new-work", S, "The samples first set an unloading flag under the lock their classifyFn "
       "takes, so no new flow context is attached and no new work is queued during the teardown.",
       INSPECT, DDPROXY, MSNMNTR, fact(70)),
    _r("wfp-filters-before-callouts", S, "The inspect and ddproxy samples close their dynamic session, which "
       "deletes their filters, before they unregister the callouts those filters name.", INSPECT, DDPROXY, fact(70)),
    _r("wfp-dynamic-session-filters", D, "Objects added in a dynamic session (FWPM_SESSION_FLAG_DYNAMIC) are "
       "deleted when the session ends, so FwpmEngineClose0 removes the driver's filters and callout objects.",
       fact(71)),
    _r("wfp-static-objects-stay", D, "Objects added outside a dynamic session stay in the engine until they "
       "are deleted, the base filtering engine stops or the system shuts down; closing the session keeps them.",
       fact(71)),
    _r("wfp-persistent-filters-stay", D, "A filter added with FWPM_FILTER_FLAG_PERSISTENT stays in the engine "
       "across restarts of the base filtering engine and of the system, until it is deleted.", fact(71), fact(73)),
    _r("wfp-silent-persistent-filter-at-boot", Q, "What a persistent callout filter does at boot once its driver "
       "is gone is not documented; the lab infers BLOCK from wfp-persistent-filters-stay and "
       "wfp-filters-after-unregister, as simplewall's users saw leftover persistent filters do.", fact(71), fact(72),
       Source("simplewall: filters left after uninstall (henrypp/simplewall#3)",
              "https://github.com/henrypp/simplewall/issues/3"),
       Source("simplewall: no network after uninstall (henrypp/simplewall#675)",
              "https://github.com/henrypp/simplewall/issues/675")),
    _r("wfp-delete-by-key", D, "A driver that added its filters in a static session deletes them itself "
       "(FwpmFilterDeleteByKey0), and its callout objects after them (FwpmCalloutDeleteByKey0).", fact(74)),
    _r("wfp-callout-object-in-use", D, "FwpmCalloutDeleteByKey0 fails with STATUS_FWP_IN_USE while any filter "
       "names the callout; netebpfext met exactly that when a filter could not be deleted.", fact(74)),
    _r("wfp-fail-closed-observed", F, "The eBPF for Windows driver netebpfext found that unregistering its "
       "callouts before their terminating filters were deleted blocked all matching traffic, and now adds its "
       "filters with FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED.", fact(72)),
    _r("wfp-permit-if-unregistered", D, "A filter added with FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED "
       "acts as PERMIT while its callout is not registered (allowed for CALLOUT_TERMINATING or "
       "CALLOUT_UNKNOWN actions only).", fact(73)),
    _r("wfp-drain-before-unregister", F, "An engineer of the eBPF for Windows team reports that unregistering "
       "a callout fails while one of its classifyFn calls is still running or a flow context is outstanding: "
       "drain those first.", fact(75)),
    _r("wfp-silent-classify-unregister-status", Q, "Which status FwpsCalloutUnregisterById0 returns while a "
       "classifyFn of the callout is still running is not documented.", fact(75), fact(44)),
    _r("wfp-rundown-wait", D, "After ExWaitForRundownProtectionRelease no new rundown protection is granted, "
       "and the call returns once every holder has released its protection.", fact(82)),
    _r("wfp-wait-worker-thread", S, "The inspect and ddproxy samples wake their worker thread, which completes "
       "the queued (pended) work and exits, and wait on its thread object before they unregister.", INSPECT, DDPROXY,
       fact(70, 81)),
    _r("wfp-wait-flow-deletes", Q, "Waiting for flowDeleteFn is not documented, nor how; the lab infers it: one "
       "left pending by FwpsFlowRemoveContext0 runs later (documented), and driver code must not run once the "
       "image is gone, so the teardown waits until every one has run.", fact(45), fact(77), fact(37)),
    _r("wfp-unregister-passive-level", D, "FwpsCalloutUnregisterById0 and ...ByKey0 must be called at "
       "PASSIVE_LEVEL; holding a fast mutex keeps the thread at APC_LEVEL until it is released.", fact(76)),
    _r("wfp-unregister-at-apc-fails", F, "Called at APC_LEVEL (under a mutex), FwpsCalloutUnregisterByKey0 was "
       "seen to return STATUS_NOT_SUPPORTED at once, leaving the callout registered.", ISSUE_464, fact(76)),
    _r("wfp-injection-destroy-waits", D, "FwpsInjectionHandleDestroy0 returns only once every pending "
       "injection made with the handle has completed.", fact(83)),
    _r("wfp-unregister-before-device-delete", D, "A callout driver deletes the device object its callouts "
       "were registered with only after it has unregistered all of them.", fact(43, 79)),
    _r("callout-kmdf-self-managed-io-cleanup", D, "KMDF calls EvtDeviceSelfManagedIoCleanup at PASSIVE_LEVEL "
       "after the device is removed and before the framework deletes the device object (that a callout driver "
       "unregisters there is the lab's reading: callout-silent-pnp-device-removed).", fact(80)),
)
