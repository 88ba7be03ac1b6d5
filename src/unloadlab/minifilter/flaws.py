"""The mistakes a minifilter's code holds, read from its knobs alone: the headline names each
one, whether this run triggers it or not. The C view marks the same mistakes with BUG lines;
a test checks over the whole decision space that every BUG line's rule is named here."""
from __future__ import annotations

from .scenario import CleanupMistake, Leak, MinifilterScenario, ServerPort

__all__ = ["flaws"]

_LEAKS = {
    Leak.NAME_INFORMATION: ("silent-name-info-wait", "it never releases name information it got"),
    Leak.OBJECT_REFERENCE: ("object-reference-rundown", "it never drops a FltObjectReference, so "
                                                        "FltUnregisterFilter would wait for it"),
    Leak.OPEN_FILE: ("silent-open-file-wait", "it never closes a file it opened with FltCreateFileEx"),
    Leak.WORK_ITEM: ("work-item-rundown", "a work item of it never returns, so FltUnregisterFilter would wait "
                                          "for it"),
}
_CLEANUP = {
    CleanupMistake.TIMER: ("bugcheck-0xd4", "it never cancels its timer, so the DPC would run after the unload"),
    CleanupMistake.THREAD: ("wait-system-threads", "it never waits for its system thread, which could run on after "
                                                   "the unload"),
    CleanupMistake.NOTIFY: ("unloaded-code-0xce", "it leaves its process-notify routine registered"),
    CleanupMistake.POOL: ("pool-tracking", "it never frees its pool"),
}


def _unload_flaws(sc: MinifilterScenario) -> list[tuple[str, str]]:
    """Mistakes in FilterUnloadCallback, which tears down unless it refuses outright."""
    refuses = not sc.callback_returns.nt_success
    if refuses and not (sc.refuse_only_if_not_mandatory or sc.refuse_only_if_control_device_open):
        return [("bugcheck-0xd4", "it tears nothing down, so on a mandatory unload its timer, thread and notify "
                                  "routine would outlive it")] if sc.global_resources else []
    out = []
    if sc.send_message_wait:
        out.append(("send-message-no-timeout", "it waits for a reply with no timeout while unloading"))
    if sc.server_port is ServerPort.LEFT_OPEN:
        out.append(("port-before-unregister", "it leaves its server port open, so FltUnregisterFilter would "
                                              "wait for it"))
    if sc.leaks:   # the tables list their members in the enums' order
        out += [entry for leak, entry in _LEAKS.items() if leak in sc.leaks]
    if not sc.calls_unregister:
        out.append(("silent-no-unregister", "it never calls FltUnregisterFilter"))
    if sc.cleanup_mistakes:   # only with global_resources (the scenario insists)
        out += [entry for mistake, entry in _CLEANUP.items() if mistake in sc.cleanup_mistakes]
    return out


def flaws(sc: MinifilterScenario) -> list[tuple[str, str]]:
    """(rule id, phrase) for each mistake this minifilter's code holds."""
    out = []
    if sc.pended_io and not (sc.teardown_callbacks and sc.drains_pended_io):
        out.append(("teardown-hang", "it never completes a pended operation, so instance teardown would hang"))
    if Leak.CONTEXT in sc.leaks:   # in PreCleanup, whatever the unload callback does
        out.append(("leaked-context-blocks", "it keeps a stream context on one path, so the unload would not "
                                             "finish"))
    if sc.unload_callback:
        out += _unload_flaws(sc)
    return out
