"""What the lab does not model, per symptom: said plainly, with its source. The facts behind
them are docs/domain-facts.md, section "Symptoms the lab does not model yet" (U1-U6).

Keyed by an observation key (``hang``, ``win32:1072``, ``ntstatus:STATUS_FWP_IN_USE``) or a
symptom id (``reboot``). A code key that no scenario shows is still decoded and answered with
its note, so ``why 1072`` says what 1072 is and that the lab does not model it.
"""
from __future__ import annotations

__all__ = ["NOT_MODELLED"]

_DELETE_SERVICE = "https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-deleteservice"
_ZW_UNLOAD = "https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwunloaddriver"
_DIRECT_UNLOAD = (
    "A second NtUnloadDriver while an unload of the driver is already under way is not modelled: ReactOS's "
    f"IopUnloadDriver returns STATUS_DELETE_PENDING then ({_ZW_UNLOAD}; docs/domain-facts.md #5, #85).")
NOT_MODELLED: dict[str, tuple[str, ...]] = {
    "win32:1072": (
        "sc delete is not modelled. On a service that is still running, DeleteService only marks it for "
        "deletion (a second DeleteService gets 1072); the entry goes once no handle is open and the service is "
        "not running, and for a driver that cannot be stopped, at the next restart "
        f"({_DELETE_SERVICE}; docs/domain-facts.md U1). Look up why the stop fails: "
        "python -m unloadlab why still loaded after sc stop.",),
    "reboot": (
        "The uninstaller's decision is not modelled: DiUninstallDevice and DiUninstallDriver report that a restart "
        "is needed, but no page says which driver behaviour causes it "
        "(https://learn.microsoft.com/windows/win32/api/newdev/nf-newdev-diuninstalldevice). sc delete on a "
        "driver that cannot be stopped removes it only at the next restart (docs/domain-facts.md U1, U2). The "
        "causes below are why the driver stays loaded.",),
    "ntstatus:STATUS_DELETE_PENDING": (_DIRECT_UNLOAD,),
    "traffic-blocked": (
        "Persistent filters (FWPM_FILTER_FLAG_PERSISTENT) are not modelled. A persistent callout filter left "
        "behind by an uninstalled callout driver would block the traffic it matches after every restart: each "
        "part is documented (persistence, and a filter whose callout is not registered acting as BLOCK), the "
        "combination is not stated on any page "
        "(https://learn.microsoft.com/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0; "
        "docs/domain-facts.md U5).",),
    "bugcheck:0xC7": (
        "Driver Verifier's own checks at unload (a timer or DPC not cancelled gives bug check 0xC7 "
        "TIMER_OR_DPC_INVALID right after the unload) are not modelled; the lab's driver_verifier knob is Pool "
        "Tracking only, and shows a timer left behind as the later 0xD4 (docs/domain-facts.md #61b).",),
    "bugcheck:0xF5": (
        "FLTMGR_FILE_SYSTEM is decoded only: no scenario in the lab produces it.",),
    "hang": (
        "The lab models the waits its sources name (an open server port, leaked references, a pended "
        "operation, a work item, FltSendMessage without a timeout: docs/domain-facts.md #50-#56). A hang on "
        "anything else, such as a lock the unload routine takes or a thread of the driver's own, is not "
        "modelled.",),
    "unload-pending": (
        "What 'sc query' shows for a driver left unload pending is not documented (rule "
        "silent-unload-pending-query).",),
}
