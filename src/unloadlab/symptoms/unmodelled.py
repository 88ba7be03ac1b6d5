"""What the lab does not model, per symptom: said plainly, with the source where one exists
(docs/domain-facts.md, section "Symptoms the lab does not model yet", holds the facts).

Keyed by an observation key (``hang``, ``win32:1072``, ``ntstatus:STATUS_FWP_IN_USE``) or a
symptom id (``reboot``). A code key that no scenario shows is still decoded and answered with
its note, so ``why 1072`` says what 1072 is and that the lab does not model it.
"""
from __future__ import annotations

__all__ = ["NOT_MODELLED"]

NOT_MODELLED: dict[str, tuple[str, ...]] = {
    "win32:1072": (
        "sc delete is not modelled: on a driver service that is still running it only marks the service for "
        "deletion; later requests get ERROR_SERVICE_MARKED_FOR_DELETE (1072) and the service goes once the "
        "driver is unloaded, which for a driver that cannot be stopped means at the next boot (DeleteService: "
        "https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-deleteservice).",),
    "reboot": (
        "The uninstaller's decision to ask for a reboot (sc delete, SetupAPI, a PnP device that cannot be "
        "removed) is not modelled. What the lab shows is why the driver is still loaded: each cause below "
        "leaves the image in memory, and for most of them only a reboot frees it.",),
    "ntstatus:STATUS_INVALID_DEVICE_REQUEST": (
        "The lab shows this status as the answer to the SCM's NtUnloadDriver call. A loader tool calling "
        "NtUnloadDriver or ZwUnloadDriver itself is not a trigger in the lab, and that call's other statuses "
        "are not modelled (ZwUnloadDriver: https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/"
        "nf-wdm-zwunloaddriver).",),
    "ntstatus:STATUS_FWP_IN_USE": (
        "The lab shows STATUS_FWP_IN_USE (FWP_E_IN_USE in user mode) from FwpmCalloutDeleteByKey0 while filters "
        "still name the callout. FwpsCalloutUnregisterById0 returning it while another thread registers or "
        "unregisters the same callout, which its DDI page lists, is not modelled "
        "(https://learn.microsoft.com/windows-hardware/drivers/ddi/fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0).",),
    "traffic-blocked": (
        "Persistent filters (FWPM_FILTER_FLAG_PERSISTENT), which outlive a reboot and so can block traffic at "
        "boot while the callout driver is gone, are not modelled "
        "(https://learn.microsoft.com/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0).",),
    "bugcheck:0xC7": (
        "Driver Verifier's own checks at unload (a timer or DPC not cancelled gives bug check 0xC7 "
        "TIMER_OR_DPC_INVALID right after the unload) are not modelled; the lab's driver_verifier knob is Pool "
        "Tracking only, and shows a timer left behind as the later 0xD4 (docs/domain-facts.md #61b).",),
    "bugcheck:0xF5": (
        "FLTMGR_FILE_SYSTEM is decoded only: no scenario in the lab produces it.",),
    "hang": (
        "The lab models the waits its sources name (an open server port, leaked references, a pended "
        "operation, a work item, FltSendMessage without a timeout). A hang on anything else, such as a lock "
        "the unload routine takes or a thread of the driver's own, is not modelled.",),
    "unload-pending": (
        "What 'sc query' shows for a driver left unload pending is not documented (rule "
        "silent-unload-pending-query).",),
}
