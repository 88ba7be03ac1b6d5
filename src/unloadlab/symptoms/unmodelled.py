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
    "reboot": (
        "Why an uninstaller built on DiUninstallDevice or DiUninstallDriver asks for a restart is not modelled: "
        "they report it (NeedReboot), but no page says which driver behaviour causes it "
        "(https://learn.microsoft.com/windows/win32/api/newdev/nf-newdev-diuninstalldevice; docs/domain-facts.md U2). "
        "The causes below are the documented case: sc delete on a driver that stays loaded removes it at the next "
        "restart; why the stop failed is: python -m unloadlab why still loaded after sc stop.",),
    "win32:1072": (
        "Which calls other than a second DeleteService also get 1072 while the service is marked (a new "
        "CreateService of the same name, OpenService, a stop) is not documented "
        f"({_DELETE_SERVICE}; docs/domain-facts.md #84).",),
    "ntstatus:STATUS_DELETE_PENDING": (_DIRECT_UNLOAD,),
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
