"""The filter manager model: how a minifilter is loaded, asked to unload, and torn down.

``simulate(scenario)`` takes a ``MinifilterScenario`` (``minifilter.scenario``) and returns
a ``Trace``. Every decision below cites the rule that makes it; each rule is decided here only.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..windows.flaws import sentence
from ..windows.ntstatus import SUCCESS, NtStatus, hresult_for_user_mode, status
from ..windows.service import (ERROR_ACCESS_DENIED, ERROR_DEPENDENT_SERVICES_RUNNING, ERROR_INVALID_SERVICE_CONTROL,
                               ERROR_SERVICE_NOT_ACTIVE, WIN32_MESSAGE_TEXT, NtUnloadRequest, TriggerFacts,
                               access_denied_steps, bugcheck_before_delete, delete_steps, dependents_running_steps,
                               nt_status_got, unload_pending_steps)
from ..windows.trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Steps, Trace
from .flaws import flaws
from .scenario import (FLTFL_FILTER_UNLOAD_MANDATORY, SERVICE_NAME, VOLUMES, CleanupMistake, ControlDevice,
                       Leak, MinifilterScenario, RegistrationFlag, ServerPort, Trigger)

__all__ = ["simulate", "cache_clear", "BUGCHECK_0XCE", "BUGCHECK_0XD4", "BUGCHECK_0XC4", "BUGCHECK_0XC7"]

BUGCHECK_0XCE = "0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS"
BUGCHECK_0XD4 = "0xD4 SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD"
BUGCHECK_0XC4 = "0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (parameter 1 = 0x62)"
BUGCHECK_0XC7 = "0xC7 TIMER_OR_DPC_INVALID (parameter 1 = 0x0, a timer object)"

# The message texts the facts record (domain-facts #4, #14).
_MESSAGE_TEXT = {
    0x801F0010: "Do not detach the filter from the volume at this time.",
    **WIN32_MESSAGE_TEXT,
}

# What each leak keeps FltUnregisterFilter waiting for: (in the action, in blocked_on, rules).
_LEAK_WAITS = {
    Leak.CONTEXT: ("a leaked context reference", "a context reference never released (FltReleaseContext)",
                   ("leaked-context-blocks", "silent-leak-wait-point", "filter-verifier-leaks")),
    Leak.NAME_INFORMATION: ("unreleased file name information",
                            "file name information never released (FltReleaseFileNameInformation)",
                            ("silent-name-info-wait", "silent-leak-wait-point", "filter-verifier-leaks")),
    Leak.OBJECT_REFERENCE: ("a rundown reference never dropped",
                            "a rundown reference from FltObjectReference never dropped (FltObjectDereference)",
                            ("object-reference-rundown", "fltunregister-blocks", "fltunregister-rundown-stack")),
    Leak.OPEN_FILE: ("a file never closed", "a file opened with FltCreateFileEx and never closed (FltClose)",
                     ("silent-open-file-wait", "silent-leak-wait-point", "filter-verifier-leaks")),
    Leak.WORK_ITEM: ("a queued generic work item",
                     "a generic work item (FltQueueGenericWorkItem) whose routine has not returned",
                     ("work-item-rundown", "fltunregister-blocks", "fltunregister-rundown-stack",
                      "filter-verifier-leaks")),
}

# Global cleanup in the documented order (rule cleanup-order): the calls that clean each
# resource up, what they do, what forgetting them leaves, and what later runs into the
# unloaded image because of it ("" for pool: a leak, nothing runs).
_CLEANUP = (
    (CleanupMistake.TIMER, ("KeCancelTimer(&Timer)", "KeFlushQueuedDpcs()"),
     "Cancels the periodic timer; then waits until every queued DPC has run, as one may already be queued.",
     "The timer stays set: its DPC will run again, into whatever is loaded there then.",
     "its timer fires and the DPC routine it names is in the unloaded image"),
    (CleanupMistake.THREAD, ("KeWaitForSingleObject(Thread)",),
     "The stopping flag makes its system thread exit; the routine waits on the thread object for it.",
     "Its system thread is told to stop but not waited for: it may still be running driver code.",
     "its system thread, never waited for, runs on in the unloaded image"),
    (CleanupMistake.NOTIFY, ("PsSetCreateProcessNotifyRoutineEx(ProcessNotify, TRUE)",),
     "Removes the process-notify routine; with Remove TRUE it also waits for callbacks in flight.",
     "The process-notify routine stays registered with the kernel.",
     "a process starts and the kernel calls the process-notify routine in the unloaded image"),
    (CleanupMistake.POOL, ("ExFreePoolWithTag(Buffer, TAG)",),
     "Frees its pool last, once nothing can touch it any more.",
     "Its pool buffer is never freed.", ""),
)
_CLEANUP_RULES = {CleanupMistake.TIMER: ("cleanup-order",), CleanupMistake.THREAD: ("wait-system-threads",),
                  CleanupMistake.NOTIFY: ("remove-notify-routines",), CleanupMistake.POOL: ("cleanup-order",)}

_HEADLINES = {
    Outcome.UNLOADED: "the minifilter was unloaded.",
    Outcome.REFUSED: "the FilterUnloadCallback refused and the minifilter stays loaded.",
    Outcome.FAILED: "the request failed without calling FilterUnloadCallback; the minifilter stays loaded.",
    Outcome.HUNG: "the unload hangs inside FltUnregisterFilter; the request never returns.",
    Outcome.UNLOAD_PENDING: "the request returns, but the driver stays loaded (unload pending) while a handle "
                            "to its control device is open.",
}


def simulate(scenario: MinifilterScenario) -> Trace:
    """Run one scenario through the model and return its trace."""
    if not isinstance(scenario, MinifilterScenario):
        raise ScenarioError(f"simulate() needs a MinifilterScenario, got {type(scenario).__name__}")
    return _Run(scenario).run()


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


@functools.lru_cache(maxsize=256)
def _driver_entry(unload_callback: bool, flags: frozenset[RegistrationFlag], shutdown_preop: bool,
                  de: NtStatus, instances: int, control_device: bool,
                  global_resources: bool) -> tuple[tuple[Step, ...], bool]:
    """DriverEntry's steps, and whether the minifilter is loaded. They depend on these seven
    knobs only, and a whole decision space repeats each combination hundreds of times, so
    each is built once (the one cache the model keeps: issue 10 measured it is needed)."""
    cb = "FilterUnloadCallback" if unload_callback else "NULL"
    names = " | ".join(f.value for f in sorted(flags, key=lambda f: f.bit)) or "0"
    rules = ("callback-in-registration",)
    if not unload_callback:
        rules += ("callback-optional",)
    if len(flags) > (RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP in flags):
        rules += ("registration-flags",)
    preop = ""
    if shutdown_preop:
        rules += ("shutdown-preop",)
        preop = ", IRP_MJ_SHUTDOWN pre-operation"
    steps = [
        Step(Actor.IO_MANAGER, Kind.CALL, "DriverEntry(DriverObject, RegistryPath)",
             f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
             ("callback-in-registration",), Actor.MINIFILTER),
        Step(Actor.MINIFILTER, Kind.CALL, f"FltRegisterFilter(Flags={names}, FilterUnloadCallback={cb}{preop})",
             "DriverEntry registers with the filter manager through FLT_REGISTRATION.", rules, Actor.FILTER_MANAGER),
    ]
    if unload_callback and RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP not in flags:
        steps.append(Step(Actor.FILTER_MANAGER, Kind.ACTION, "DriverObject->DriverUnload = filter manager's routine",
                          "A callback is registered and service stop is supported, so a service stop will reach "
                          "the filter manager.", ("fltmgr-owns-driverunload",)))
    else:
        why = ("no FilterUnloadCallback is registered" if not unload_callback
               else "FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP is set")
        steps.append(Step(Actor.FILTER_MANAGER, Kind.ACTION, "DriverObject->DriverUnload = NULL",
                          f"Because {why}, the driver gets no DriverUnload routine: a service stop cannot unload it.",
                          ("fltmgr-owns-driverunload",)))
    if not de.nt_success:
        steps += [
            Step(Actor.MINIFILTER, Kind.CALL, "FltUnregisterFilter(Filter)",
                 "DriverEntry is failing, so it undoes its registration before returning.",
                 ("driver-entry-pattern",), Actor.FILTER_MANAGER),
            Step(Actor.MINIFILTER, Kind.RETURN, "DriverEntry returns",
                 f"DriverEntry returns {de.describe()}, {_article(de.severity.value)} status.",
                 ("driver-entry-failed", "ntstatus-severity"), Actor.IO_MANAGER, de.label, Mark.FAILED),
            Step(Actor.IO_MANAGER, Kind.ACTION, "image unloaded; FilterUnloadCallback not called",
                 "After a failed DriverEntry the I/O manager simply frees the image: no unload routine runs.",
                 ("driver-entry-failed", "failed-load-io-manager")),
        ]
        return tuple(steps), False
    volumes = ", ".join(VOLUMES[:instances]) or "no volume"
    steps.append(Step(Actor.MINIFILTER, Kind.CALL, "FltStartFiltering(Filter)",
                      f"Filtering starts; instances attach to {volumes}.", ("driver-entry-pattern",),
                      Actor.FILTER_MANAGER))
    if control_device:
        steps.append(Step(Actor.MINIFILTER, Kind.CALL, "IoCreateDevice(ControlDeviceObject)",
                          "It also creates a control device object that applications open, as the cdo sample does.",
                          ("cdo-conditional-refusal",), Actor.IO_MANAGER))
    if global_resources:
        steps.append(Step(Actor.MINIFILTER, Kind.ACTION, "starts its global work",
                          "A periodic timer with a DPC, a system thread, a process-notify routine and a pool "
                          "buffer: each must be undone before the image goes.", ("cleanup-order",)))
    steps.append(Step(Actor.MINIFILTER, Kind.RETURN, "DriverEntry returns",
                      f"DriverEntry returns {de.describe()}: the minifilter is loaded and filtering.",
                      ("ntstatus-severity",), Actor.IO_MANAGER, de.label))
    return tuple(steps), True


@functools.lru_cache(maxsize=64)
def _after_failed_load(trigger: Trigger, caller_privileged: bool) -> tuple[tuple[Step, ...], str, tuple[str, ...]]:
    """What a request meets after DriverEntry failed: (steps, what the requester got, what was
    printed). Only these two knobs matter (the others that could are ScenarioErrors with a failed
    load), and two thirds of a decision space are failed loads, so each pair is worked out once."""
    run = _Run(MinifilterScenario(trigger=trigger, caller_privileged=caller_privileged))
    run.request_after_failed_load()
    return tuple(run.steps), run.returned, run.printed


def cache_clear() -> None:
    """Forget the steps built once per distinct load and failed-load request (for benchmarks)."""
    _driver_entry.cache_clear()
    _after_failed_load.cache_clear()


# ----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Run(Steps, NtUnloadRequest):
    """One simulation's working state; local to simulate(), never shared."""

    sc: MinifilterScenario
    facts: TriggerFacts = field(init=False)   # the trigger's, read once: a decision space runs thousands
    steps: list[Step] = field(default_factory=list)
    callback_flags: tuple[str, ...] = ()
    callback_called: bool = False
    callback_returned: NtStatus | None = None
    preop_called: bool = False
    torn_down: int = 0
    returned: str = ""
    printed: tuple[str, ...] = ()
    print_rules: tuple[str, ...] = ()
    blocked_on: str | None = None
    bugcheck: str | None = None
    bugcheck_or: str = ""    # the other code the pages leave possible, where none settles which
    image_gone: bool = False
    cleaned: frozenset[CleanupMistake] = frozenset()   # global resources the unload routine cleaned up

    def __post_init__(self) -> None:
        self.facts = self.sc.trigger.facts

    # --- the whole run ------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        if not self.load():
            outcome = Outcome.DRIVER_ENTRY_FAILED
            steps, self.returned, self.printed = _after_failed_load(sc.trigger, sc.caller_privileged)
            self.steps.extend(steps)
        elif sc.trigger is Trigger.SHUTDOWN:
            outcome = self.shutdown()
        else:
            outcome = self.service_stop() if self.facts.mandatory else self.non_mandatory()
            outcome = self.later(outcome)
        deleted = self.uninstall(outcome) if sc.sc_delete else None
        unloaded = outcome in (Outcome.UNLOADED, Outcome.DRIVER_ENTRY_FAILED) or self.image_gone
        return Trace(
            family="minifilter", scenario=sc, steps=tuple(self.steps), outcome=outcome,
            headline=self.headline(outcome),
            state={
                "mandatory": self.facts.mandatory,
                "caller": self.facts.caller,
                "callback_called": self.callback_called,
                "callback_flags": list(self.callback_flags),
                "callback_returned": self.callback_returned.label if self.callback_returned else None,
                "unloaded": unloaded,
                "shutdown_preop_called": self.preop_called,
                "instances_torn_down": self.torn_down,
                "requester_got": self.returned,
                "printed": list(self.printed),
                "blocked_on": self.blocked_on,
                "bugcheck": self.bugcheck,
                "service_deleted": deleted,
            },
        )

    def headline(self, outcome: Outcome) -> str:
        """The outcome in one sentence, then every mistake the code holds (windows.flaws)."""
        return self.outcome_sentence(outcome) + sentence(flaws(self.sc))

    def outcome_sentence(self, outcome: Outcome) -> str:
        """The outcome in one sentence."""
        trigger = self.sc.trigger
        if outcome is Outcome.SHUTDOWN:
            if self.sc.fast_startup:
                return ("System shutdown with Fast Startup: the kernel session is hibernated with the minifilter "
                        "still loaded; FilterUnloadCallback is not called.")
            return "System shutdown: FilterUnloadCallback is not called" + (
                "; the IRP_MJ_SHUTDOWN pre-operation is." if self.preop_called else ".")
        if outcome is Outcome.DRIVER_ENTRY_FAILED:
            return "DriverEntry failed, so the image was simply unloaded; FilterUnloadCallback was never called."
        kind = "mandatory" if self.facts.mandatory else "non-mandatory"
        if outcome is Outcome.BUGCHECK:
            when = "later, after it was unloaded" if self.image_gone else "as the minifilter unloads"
            text = f"the system stops with bug check {self.bugcheck} {when}"
            text += f" (or {self.bugcheck_or}: no page settles which)." if self.bugcheck_or else "."
        elif outcome is Outcome.HUNG and self.sc.send_message_wait:
            text = "the unload hangs in FltSendMessage inside FilterUnloadCallback; the request never returns."
        else:
            text = _HEADLINES[outcome]
        return f"{trigger.value} ({kind}): {text}"

    def uninstall(self, outcome: Outcome) -> str | None:
        """sc delete once the request is over: the entry goes now, or at the restart while the SCM
        still counts the service running (rules delete-service-*)."""
        if outcome is Outcome.BUGCHECK:
            self.steps.append(bugcheck_before_delete())
            return None
        running = outcome in (Outcome.FAILED, Outcome.REFUSED, Outcome.HUNG)
        steps, deleted, printed = delete_steps(SERVICE_NAME, self.sc.sc_delete, running)
        self.steps.extend(steps)
        self.printed += printed
        return deleted

    # --- DriverEntry ------------------------------------------------------------------
    def load(self) -> bool:
        """DriverEntry's steps; whether the minifilter is loaded."""
        sc = self.sc
        steps, loaded = _driver_entry(sc.unload_callback, sc.flags, sc.shutdown_preop, sc.driver_entry_returns,
                                      sc.instances, sc.control_device is not ControlDevice.NONE, sc.global_resources)
        self.steps.extend(steps)
        return loaded

    # --- the requests ---------------------------------------------------------------
    def request_after_failed_load(self) -> None:
        """DriverEntry failed: whatever is asked for now finds no driver."""
        t = self.sc.trigger
        if t is Trigger.SHUTDOWN:
            self.step(Actor.CALLER, Kind.NOTE, "system shutdown",
                      "The driver is no longer loaded, so nothing of it is called at shutdown.",
                      ("driver-entry-failed", "no-callback-at-shutdown"))
        elif t is Trigger.NT_UNLOAD_DRIVER:
            self.nt_unload_driver_after_failed_load(SERVICE_NAME)
        elif self.facts.via_scm:
            if not self.ask_scm():
                return
            self.step(Actor.SCM, Kind.RETURN, "the stop fails: the service is not running",
                      "The service is not running, because its DriverEntry failed.",
                      ("service-not-active", "driver-entry-failed"), Actor.CALLER,
                      f"ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})", Mark.FAILED)
            self.win32_result(ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE")
        else:
            self.ask_filter_manager()
            if self.returned:  # refused for privilege before the lookup
                return
            self.fail_to_caller(status("STATUS_FLT_FILTER_NOT_FOUND"),
                                f"No filter named {SERVICE_NAME} is registered any more.",
                                ("fltunloadfilter-lookup", "driver-entry-failed"))

    def shutdown(self) -> Outcome:
        sc = self.sc
        if sc.fast_startup:
            return self.hybrid_shutdown()
        self.step(Actor.CALLER, Kind.CALL, Trigger.SHUTDOWN.facts.request,
                  "The system is shutting down: file systems get a shutdown request, not an unload.",
                  ("no-callback-at-shutdown", "shutdown-preop"), Actor.FILTER_MANAGER)
        if sc.shutdown_preop:
            self.preop_called = True
            self.step(Actor.FILTER_MANAGER, Kind.CALL, "PreShutdown(Data, FltObjects, CompletionContext)",
                      "The minifilter registered an IRP_MJ_SHUTDOWN pre-operation callback, so it gets to "
                      "do its shutdown work here.", ("shutdown-preop",), Actor.MINIFILTER)
            self.step(Actor.MINIFILTER, Kind.RETURN, "PreShutdown returns", "Shutdown work done.",
                      ("shutdown-preop",), Actor.FILTER_MANAGER)
        else:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "no IRP_MJ_SHUTDOWN pre-operation registered",
                      "The minifilter gets no chance to do shutdown work.", ("shutdown-preop",))
        self.step(Actor.FILTER_MANAGER, Kind.NOTE, "FilterUnloadCallback not called",
                  "Shutdown is not an unload: the unload callback is never called for it.",
                  ("no-callback-at-shutdown",))
        return Outcome.SHUTDOWN

    def hybrid_shutdown(self) -> Outcome:
        """Fast Startup: 'Shut down' hibernates the kernel session (rule fast-startup-hibernates)."""
        self.step(Actor.CALLER, Kind.ACTION, "Shut down with Fast Startup: a hybrid shutdown",
                  "Applications close and users log off; then the kernel image, with the minifilter still "
                  "loaded in it, is saved to Hiberfil.sys and restored at the next start.",
                  ("fast-startup-hibernates",))
        self.step(Actor.FILTER_MANAGER, Kind.NOTE, "IRP_MJ_SHUTDOWN in a hybrid shutdown?",
                  "Whether the IRP_MJ_SHUTDOWN pre-operation runs during a hybrid shutdown is not documented; "
                  "the lab does not show it.", ("silent-fast-startup-shutdown", "shutdown-preop"), mark=Mark.SILENT)
        self.step(Actor.FILTER_MANAGER, Kind.NOTE, "FilterUnloadCallback not called",
                  "Nothing is unloaded: the minifilter comes back with the restored image instead of being loaded afresh.",
                  ("no-callback-at-shutdown", "fast-startup-hibernates"))
        return Outcome.SHUTDOWN

    def non_mandatory(self) -> Outcome:
        sc = self.sc
        self.ask_filter_manager()
        if self.returned:
            return Outcome.FAILED
        if sc.dependent_services:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "service dependencies not consulted",
                      "Other services depend on this one, but an explicit filter-manager unload ignores the "
                      "SCM's dependencies.", ("fltmc-calls-filterunload",))
        self.step(Actor.FILTER_MANAGER, Kind.ACTION, f"finds the filter {SERVICE_NAME}",
                  "The filter is looked up by its service name.", ("fltunloadfilter-lookup",))
        if not sc.unload_callback:
            self.fail_to_caller(None, "No FilterUnloadCallback is registered, so the filter cannot be "
                                "unloaded; nothing of the minifilter is called.",
                                ("no-callback-no-unload", "failed-request-no-callback", "silent-no-callback-status"))
            return Outcome.FAILED
        returned = self.call_callback(mandatory=False)
        if returned is None:
            return Outcome.HUNG
        if not returned.nt_success:
            rules = ("nonmandatory-refusal", "callback-status-propagates")
            if returned.name == "STATUS_FLT_DO_NOT_DETACH":
                rules += ("do-not-detach-is-error",)
            self.step(Actor.FILTER_MANAGER, Kind.ACTION, "keeps the minifilter loaded",
                      f"The unload is not mandatory and the callback returned {_article(returned.severity.value)} "
                      "status: the request is refused.", rules, mark=Mark.REFUSED)
            self.fail_to_caller(returned, "The callback's status goes back to the requester.",
                                ("callback-status-propagates",), Mark.REFUSED)
            return Outcome.REFUSED
        if sc.control_device is ControlDevice.HANDLE_OPEN:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "a handle to the control device is still open",
                      "Whether the filter manager can unload the image while its device is still referenced, or "
                      "waits as NtUnloadDriver does, is not documented; the lab shows it going ahead.",
                      ("unload-pending", "otherwise-unloaded"), mark=Mark.SILENT)
        if not self.finish_unload():
            return Outcome.BUGCHECK
        self.succeed_to_caller()
        return Outcome.UNLOADED

    def service_stop(self) -> Outcome:
        """A mandatory unload: a service stop through the SCM, or a loader tool's own NtUnloadDriver."""
        sc = self.sc
        direct = sc.trigger is Trigger.NT_UNLOAD_DRIVER
        if not self.reach_nt_unload_driver(SERVICE_NAME, direct):
            return Outcome.FAILED
        unloader = Actor.CALLER if direct else Actor.SCM
        if not sc.driver_unload_set:
            why = ("do-not-support-service-stop",) if sc.unload_callback else ("no-callback-no-unload",)
            self.step(Actor.IO_MANAGER, Kind.RETURN, "fails: DriverUnload is NULL",
                      "There is no DriverUnload routine, so the kernel refuses; the filter manager and the "
                      "minifilter are not called.",
                      ("null-driverunload", "fltmgr-owns-driverunload", *why, "failed-request-no-callback"),
                      unloader, "STATUS_INVALID_DEVICE_REQUEST", Mark.FAILED)
            if direct:
                self.returned = nt_status_got("STATUS_INVALID_DEVICE_REQUEST")
                return Outcome.FAILED
            self.step(Actor.SCM, Kind.RETURN, "the stop fails: NtUnloadDriver refused it",
                      "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                      ("sc-stop-1052", "silent-sc-output"), Actor.CALLER,
                      f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", Mark.FAILED)
            self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")
            return Outcome.FAILED
        if sc.control_device is ControlDevice.HANDLE_OPEN:
            self.steps.extend(unload_pending_steps("its control device object", unloader))
            self.returned = (nt_status_got("STATUS_SUCCESS") + ", but the driver stays loaded (unload pending)"
                             if direct else "success: the service is reported stopped, but the driver stays loaded "
                             "(unload pending)")
            return Outcome.UNLOAD_PENDING
        self.step(Actor.IO_MANAGER, Kind.CALL, "DriverUnload(DriverObject)",
                  "In a system worker thread the I/O manager calls DriverUnload, which is the filter "
                  "manager's routine" + (", whoever called NtUnloadDriver: so this unload is mandatory too."
                                         if direct else "."),
                  ("unload-in-system-thread", "fltmgr-owns-driverunload")
                  + (("ntunload-mandatory",) if direct else ()), Actor.FILTER_MANAGER)
        if self.call_callback(mandatory=True) is None:
            return Outcome.HUNG
        if not self.finish_unload():
            return Outcome.BUGCHECK
        self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver returns", "The driver is unloaded.",
                  ("unload-in-system-thread",), unloader, "STATUS_SUCCESS")
        if direct:
            self.returned = nt_status_got("STATUS_SUCCESS")
            return Outcome.UNLOADED
        self.step(Actor.SCM, Kind.RETURN, "the service is stopped",
                  "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                  ("silent-sc-output",), Actor.CALLER, "success")
        self.returned = "success: the service is stopped"
        return Outcome.UNLOADED

    # --- pieces shared by the requests ---------------------------------------------------
    def ask_scm(self) -> bool:
        """The stop request reaches the SCM; False when the SCM refuses it outright."""
        sc = self.sc
        t = sc.trigger
        self.step(Actor.CALLER, Kind.CALL, self.facts.request,
                  f"{self.requester().capitalize()} asks the service control manager to stop the driver's service: "
                  "a mandatory unload.", ("mandatory-triggers",), Actor.SCM)
        if not sc.caller_privileged:
            self.steps.extend(access_denied_steps())
            self.win32_result(ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED", sc_output_known=False)
            return False
        if sc.dependent_services:
            self.steps.extend(dependents_running_steps(t.value))
            self.win32_result(ERROR_DEPENDENT_SERVICES_RUNNING, "ERROR_DEPENDENT_SERVICES_RUNNING",
                              sc_output_known=False)
            return False
        return True

    def requester(self) -> str:
        """Who asks, in words: the trigger's usual requester, or one without administrator rights."""
        who = self.facts.who
        if self.sc.caller_privileged or self.sc.trigger is Trigger.FLT_UNLOAD_FILTER:
            return who
        if who.startswith("an administrator"):
            return "a user who is not an administrator" + who[len("an administrator"):]
        return f"{who} running without administrator rights"

    def ask_filter_manager(self) -> None:
        """The non-mandatory request reaches the filter manager, or fails for privilege."""
        t, privileged = self.sc.trigger, self.sc.caller_privileged
        if t is Trigger.FLTMC_UNLOAD:
            self.step(Actor.CALLER, Kind.ACTION, "enable SeLoadDriverPrivilege",
                      "fltmc enables the privilege before it calls FilterUnload"
                      + (", which works for an administrator." if privileged else
                         ", but this caller does not hold it."),
                      ("fltmc-calls-filterunload",), mark=None if privileged else Mark.FAILED)
        detail = f"{self.requester().capitalize()} asks the filter manager for a non-mandatory unload."
        rules: tuple[str, ...] = ("nonmandatory-triggers",)
        if t is Trigger.FLT_UNLOAD_FILTER:
            detail += f' FilterName is a UNICODE_STRING holding L"{SERVICE_NAME}".'
            if not privileged:
                detail += (" No page names a privilege a kernel-mode caller must hold, so 'not an administrator' "
                           "changes nothing here.")
                rules += ("silent-kernel-caller-privilege",)
        self.step(Actor.CALLER, Kind.CALL, self.facts.request, detail, rules, Actor.FILTER_MANAGER)
        if t is Trigger.FLT_UNLOAD_FILTER or privileged:
            return
        shown = self.user_mode_result(status("STATUS_PRIVILEGE_NOT_HELD"), "silent-privilege-hresult")
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, "FilterUnload fails: privilege not held",
                  "FilterUnload needs SeLoadDriverPrivilege; what it returns without it is not documented.",
                  ("filterunload-privilege", "silent-privilege-hresult"), Actor.CALLER, shown, Mark.FAILED)
        self.print_fltmc()

    def call_callback(self, *, mandatory: bool) -> NtStatus | None:
        """Call FilterUnloadCallback; run its body; None when the unload hangs inside it."""
        sc = self.sc
        self.callback_called = True
        self.callback_flags = (FLTFL_FILTER_UNLOAD_MANDATORY,) if mandatory else ()
        flags = FLTFL_FILTER_UNLOAD_MANDATORY if mandatory else "0"
        rules = ("callback-notifies", "mandatory-flag", "callback-passive")
        if not mandatory:
            rules += ("silent-callback-thread",)
        self.step(Actor.FILTER_MANAGER, Kind.CALL, f"FilterUnloadCallback(Flags={flags})",
                  "The filter manager tells the minifilter it is about to be unloaded.", rules, Actor.MINIFILTER)
        returned = sc.callback_returns
        if sc.refuse_only_if_not_mandatory and mandatory:
            returned = SUCCESS
            self.step(Actor.MINIFILTER, Kind.ACTION, "Flags has FLTFL_FILTER_UNLOAD_MANDATORY: go ahead",
                      "The callback refuses only non-mandatory unloads, so here it tears down and succeeds.",
                      ("mandatory-ignores-refusal", "refuse-before-teardown"))
        if sc.refuse_only_if_control_device_open:
            returned = self.decide_like_cdo(mandatory)
        if returned.nt_success and not self.unload_body():
            return None
        self.callback_returned = returned
        rules = ("informational-allows",) if returned.nt_information else ()
        if not returned.nt_success:
            rules = ("refuse-before-teardown", "ntstatus-severity")
            rules += ("tamper-resistant-refusal",) if sc.refuse_only_if_not_mandatory else ()
        elif returned.code == 0:
            rules = ("normally-success",)
        mark = Mark.IGNORED if not returned.nt_success and mandatory else None
        self.step(Actor.MINIFILTER, Kind.RETURN, "FilterUnloadCallback returns",
                  f"It returns {returned.describe()}"
                  + (" without tearing anything down." if not returned.nt_success else "."),
                  rules, Actor.FILTER_MANAGER, returned.label, mark)
        if mark is Mark.IGNORED:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "refusal ignored: the unload is mandatory",
                      "A mandatory unload goes ahead whatever the callback returns.",
                      ("mandatory-ignores-refusal",), mark=Mark.IGNORED)
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "filter still registered",
                      "The callback returned without calling FltUnregisterFilter; how the filter manager "
                      "then tears the filter down is not documented.", ("silent-no-unregister",),
                      mark=Mark.SILENT)
        return returned

    def decide_like_cdo(self, mandatory: bool) -> NtStatus:
        """The cdo sample's refusal: decided first, and only with a reason (rule cdo-conditional-refusal)."""
        sc = self.sc
        if sc.control_device is ControlDevice.HANDLE_OPEN and not mandatory:
            self.step(Actor.MINIFILTER, Kind.ACTION, "a handle to its control device is open: refuse",
                      "Holding its lock shared, it finds the unload not mandatory and an application still using "
                      "the control device, so it releases the lock and refuses before it tears anything down.",
                      ("cdo-conditional-refusal", "refuse-before-teardown"))
            return sc.callback_returns
        why = ("Flags has FLTFL_FILTER_UNLOAD_MANDATORY" if mandatory
               else "no handle to its control device is open")
        rules = ("cdo-conditional-refusal",) + (("mandatory-ignores-refusal",) if mandatory else ())
        self.step(Actor.MINIFILTER, Kind.ACTION, f"{why}: go ahead",
                  "There is no reason to refuse (or no right to), so the callback tears down and succeeds, "
                  "holding its lock shared until the control device is deleted.", rules)
        return SUCCESS

    def unload_body(self) -> bool:
        """The unload routine's work, in the documented order. False when it hangs."""
        sc = self.sc
        if sc.global_resources:
            self.step(Actor.MINIFILTER, Kind.ACTION, "stop new work",
                      "First it sets its stopping flag, so that no new timer run, thread work or request starts.",
                      ("stop-new-work-first",))
        if sc.send_message_wait:
            return self.send_message_hang()
        if sc.server_port is ServerPort.CLOSED_FIRST:
            self.step(Actor.MINIFILTER, Kind.CALL, "FltCloseCommunicationPort(ServerPort)",
                      "First the server port is closed, so FltUnregisterFilter will not wait on it.",
                      ("unload-routine-order", "port-before-unregister"), Actor.FILTER_MANAGER)
        if not sc.calls_unregister:
            self.step(Actor.MINIFILTER, Kind.NOTE, "FltUnregisterFilter never called",
                      "The routine goes on without unregistering; what follows is not documented: a driver bug.",
                      ("unload-routine-order", "silent-no-unregister"), mark=Mark.SILENT)
        elif not self.unregister():
            return False
        self.step(Actor.MINIFILTER, Kind.ACTION, "global cleanup",
                  "Frees what DriverEntry allocated (resources, pool, lookaside lists, notify routines).",
                  ("unload-routine-order",))
        if sc.control_device is not ControlDevice.NONE:
            self.step(Actor.MINIFILTER, Kind.CALL, "IoDeleteDevice(ControlDeviceObject)",
                      "It deletes its control device object after FltUnregisterFilter, as the cdo sample does.",
                      ("cdo-conditional-refusal",), Actor.IO_MANAGER)
        if sc.global_resources:
            self.global_cleanup()
        return True

    def send_message_hang(self) -> bool:
        """FltSendMessage with a reply buffer and no timeout, to a service that never replies (rule
        send-message-no-timeout: with a reply buffer it waits for the reply, not only for delivery)."""
        self.step(Actor.MINIFILTER, Kind.CALL, "FltSendMessage(Filter, &ClientPort, ..., &Reply, &ReplyLength, "
                  "Timeout=NULL)", "It tells its user-mode service it is unloading and, having passed a reply "
                  "buffer, waits for the reply, with no timeout.", ("send-message-no-timeout",), Actor.FILTER_MANAGER)
        self.blocked_on = "a reply to FltSendMessage (Timeout NULL) from a user-mode service that never replies"
        self.step(Actor.FILTER_MANAGER, Kind.NOTE, "waits for the service's reply",
                  "The service never replies, so FltSendMessage never returns: the unload routine hangs before "
                  "FltUnregisterFilter. On a real machine !stacks 2 FltSendMessage finds the waiting thread.",
                  ("send-message-no-timeout", "stacks-finds-the-wait"), mark=Mark.HUNG)
        return self.hang()

    def global_cleanup(self) -> None:
        """Timers, threads, notify routines, then pool (rule cleanup-order); a forgotten step is marked."""
        mistakes = self.sc.cleanup_mistakes
        for resource, calls, done, forgotten, _ in _CLEANUP:
            if resource in mistakes:
                self.step(Actor.MINIFILTER, Kind.NOTE, f"forgets: {calls[0]}", forgotten,
                          _CLEANUP_RULES[resource], mark=Mark.HAZARD)
                continue
            for call in calls:
                self.step(Actor.MINIFILTER, Kind.ACTION, call, done, _CLEANUP_RULES[resource])
            self.cleaned |= {resource}

    def unregister(self) -> bool:
        """FltUnregisterFilter: instance teardown, contexts, rundown. False when it hangs."""
        sc = self.sc
        mandatory = self.facts.mandatory
        self.step(Actor.MINIFILTER, Kind.CALL, "FltUnregisterFilter(Filter)",
                  "Unregisters the callbacks, tears down every instance and deletes the contexts.",
                  ("unload-routine-order", "fltunregister-teardown"), Actor.FILTER_MANAGER)
        if sc.instances:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "InstanceQueryTeardownCallback not called",
                      "That callback is only for manual detach, never for unload.",
                      ("query-teardown-manual-only",))
        reason = ("FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD" if mandatory
                  else "FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD")
        reason_rules = ("teardown-sequence", "teardown-reason")
        if mandatory:
            reason_rules += ("silent-teardown-reason",)
        if sc.instances > 1:
            reason_rules += ("silent-teardown-order",)
        for n, volume in enumerate(VOLUMES[:sc.instances]):
            pended_here = n == 0 and sc.pended_io
            if sc.teardown_callbacks:
                self.step(Actor.FILTER_MANAGER, Kind.CALL, f"InstanceTeardownStartCallback({volume}, {reason})",
                          "Teardown starts: the minifilter must complete its pended operations.",
                          reason_rules, Actor.INSTANCES)
            if sc.drains_pended_io:
                self.drain_queue(volume, pended_here)
            elif pended_here:
                self.blocked_on = f"a pended operation on {volume} that InstanceTeardownStart never completed"
                self.step(Actor.INSTANCES, Kind.NOTE, f"pended operation on {volume} never completed",
                          "TeardownComplete waits for outstanding I/O, so the unload hangs here.",
                          ("teardown-hang",), mark=Mark.HUNG)
                return self.hang()
            if sc.teardown_callbacks:
                self.step(Actor.FILTER_MANAGER, Kind.CALL, f"InstanceTeardownCompleteCallback({volume}, {reason})",
                          "Outstanding I/O has drained; the instance closes the files it opened.",
                          reason_rules, Actor.INSTANCES)
            else:
                self.step(Actor.FILTER_MANAGER, Kind.ACTION, f"tears down the instance on {volume}",
                          "No teardown callbacks are registered; the instance is torn down all the same.",
                          ("teardown-sequence",))
            self.torn_down += 1
        if sc.server_port is ServerPort.LEFT_OPEN:
            self.blocked_on = "the open communication server port"
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "waits for the open server port",
                      "The server port was not closed first, so FltUnregisterFilter waits forever.",
                      ("port-before-unregister", "fltunregister-blocks"), mark=Mark.HUNG)
            return self.hang()
        if sc.leaks:
            return self.leak_hang()
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, "FltUnregisterFilter returns",
                  "All instances and contexts are gone and no rundown reference remains.",
                  ("fltunregister-teardown", "fltunregister-blocks"), Actor.MINIFILTER)
        return True

    def drain_queue(self, volume: str, pended_here: bool) -> None:
        """InstanceTeardownStart's duty (rule teardown-start-duties): stop queuing, complete what is queued."""
        self.step(Actor.INSTANCES, Kind.CALL, "FltCbdqDisable(Context->Queue)",
                  f"The instance on {volume} stops accepting new operations into its cancel-safe queue.",
                  ("teardown-start-duties",), Actor.FILTER_MANAGER)
        if pended_here:
            self.step(Actor.INSTANCES, Kind.CALL, "FltCompletePendedPreOperation(Data, ...)",
                      "It removes the pended operation from the queue and completes it, so nothing is left "
                      "outstanding.", ("teardown-start-duties",), Actor.FILTER_MANAGER)
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "in-flight operations are drained",
                      "Operations that had a pre-operation callback and await the post-operation one get it now, "
                      "with FLTFL_POST_OPERATION_DRAINING: clean up only.", ("post-op-draining",))

    def leak_hang(self) -> bool:
        """FltUnregisterFilter waits for what the minifilter never gave back."""
        leaks = [leak for leak in Leak if leak in self.sc.leaks]
        rules: tuple[str, ...] = ()
        for leak in leaks:
            rules += tuple(r for r in _LEAK_WAITS[leak][2] if r not in rules)
        self.blocked_on = "; ".join(_LEAK_WAITS[leak][1] for leak in leaks)
        self.step(Actor.FILTER_MANAGER, Kind.NOTE, "waits for " + " and ".join(_LEAK_WAITS[leak][0] for leak in leaks),
                  f"FltUnregisterFilter does not return while {self.blocked_on} is outstanding. On a real machine "
                  "!stacks 2 FltUnregisterFilter finds the waiting thread; Filter Verifier and !fltkd.filter "
                  "list leaked references.", rules + ("stacks-finds-the-wait",), mark=Mark.HUNG)
        return self.hang()

    def hang(self) -> bool:
        """The request never returns; for a service stop, what sc stop shows meanwhile is not documented."""
        self.returned = "nothing: the request never returns"
        if self.facts.via_scm:
            last = self.steps[-1]
            self.steps[-1] = last._replace(detail=last.detail + " What the service stop shows meanwhile (sc "
                                           "stop's output, a STOP_PENDING state) is not documented.",
                                           rules=last.rules + ("silent-sc-output",))
        return False

    def finish_unload(self) -> bool:
        """The image goes. False when Driver Verifier stops the system as it does (the checks the
        lab models: Pool Tracking, 0xC4, and the automatic timer check, 0xC7)."""
        sc = self.sc
        pool_left = sc.global_resources and CleanupMistake.POOL not in self.cleaned
        timer_left = sc.global_resources and CleanupMistake.TIMER not in self.cleaned
        verified = sc.driver_verifier and (pool_left or timer_left)
        self.step(Actor.FILTER_MANAGER, Kind.ACTION, "unloads the minifilter",
                  "The unload was not refused (or could not be): the filter manager unloads the minifilter"
                  + (", and Driver Verifier checks what it left behind before the image is gone." if verified
                     else ", so the image goes."), ("otherwise-unloaded",))
        if verified:
            return self.verifier_stops(pool_left, timer_left)
        if pool_left:
            self.step(Actor.IO_MANAGER, Kind.NOTE, "pool never freed",
                      "The driver's pool buffer stays allocated after it is gone: a leak (with Driver Verifier "
                      "this would be bug check 0xC4, parameter 0x62).", ("pool-tracking",), mark=Mark.HAZARD)
        self.image_gone = True
        return True

    def verifier_stops(self, pool_left: bool, timer_left: bool) -> bool:
        """Driver Verifier stops the system as the image is freed: 0xC4 for pool never freed, 0xC7
        for a timer never cancelled (rule verifier-timer-0xc7). Always False: the image never went."""
        if pool_left and timer_left:
            self.step(Actor.IO_MANAGER, Kind.NOTE, "0xC4 or 0xC7 first?",
                      "Both a pool leak and a live timer are there to find; no page says which check runs first. "
                      "The lab shows 0xC4.", ("silent-verifier-order", "pool-tracking", "verifier-timer-0xc7"),
                      mark=Mark.SILENT)
        if pool_left:
            self.bugcheck, code = BUGCHECK_0XC4, "0xC4"
            self.step(Actor.IO_MANAGER, Kind.ACTION, "bug check 0xC4, parameter 1 = 0x62",
                      "Driver Verifier's pool tracking finds pool the driver never freed as it unloads, and "
                      "stops the system before the image is gone: DRIVER_VERIFIER_DETECTED_VIOLATION.",
                      ("pool-tracking",), mark=Mark.BUGCHECK)
        else:
            self.bugcheck, code = BUGCHECK_0XC7, "0xC7"
            self.step(Actor.IO_MANAGER, Kind.ACTION, "bug check 0xC7, parameter 1 = 0x0",
                      "Driver Verifier's automatic checks find a timer the driver never cancelled in the image "
                      "being freed, and stop the system at once: TIMER_OR_DPC_INVALID, not the later 0xD4.",
                      ("verifier-timer-0xc7",), mark=Mark.BUGCHECK)
        self.returned = f"nothing: the system stopped with bug check {code}"
        return False

    def later(self, outcome: Outcome) -> Outcome:
        """After the image went: a timer, thread or notify routine left behind runs into it."""
        sc = self.sc
        if outcome is not Outcome.UNLOADED or not sc.global_resources:
            return outcome
        for resource, _, _, _, what in _CLEANUP:
            if what and resource not in self.cleaned:
                if resource is CleanupMistake.TIMER:
                    self.timer_crash(what)
                    return Outcome.BUGCHECK
                rules = ("bugcheck-0xce",) + (("unloaded-code-0xce",) if resource is CleanupMistake.NOTIFY else ())
                self.bugcheck = BUGCHECK_0XCE
                self.step(Actor.MINIFILTER, Kind.ACTION, f"later: {what}",
                          f"Its code is gone, so the system stops: bug check {BUGCHECK_0XCE}.", rules,
                          mark=Mark.BUGCHECK)
                return Outcome.BUGCHECK
        return outcome

    def timer_crash(self, what: str) -> None:
        """The timer's DPC runs into the unloaded image at DISPATCH_LEVEL: 0xD4, or 0xCE (rule
        silent-0xce-or-0xd4: both pages name DPCs, neither says which a timer gives)."""
        self.step(Actor.MINIFILTER, Kind.NOTE, "which bug check: 0xD4 or 0xCE?",
                  "Both bug check pages name a DPC left behind at unload. Only 0xD4's says the system touched the "
                  "unloaded driver at a raised IRQL, where a DPC runs (DISPATCH_LEVEL); no page says which of the "
                  "two a timer gives. The lab shows 0xD4, as a field report of a timer firing after unload saw.",
                  ("silent-0xce-or-0xd4", "bugcheck-0xce", "bugcheck-0xd4", "dpc-dispatch-level"), mark=Mark.SILENT)
        self.bugcheck, self.bugcheck_or = BUGCHECK_0XD4, BUGCHECK_0XCE.split()[0]
        self.step(Actor.MINIFILTER, Kind.ACTION, f"later: {what}",
                  f"Its code is gone and the DPC runs at DISPATCH_LEVEL, so the system stops: bug check "
                  f"{BUGCHECK_0XD4} (or {BUGCHECK_0XCE}; the pages leave both possible).",
                  ("bugcheck-0xd4", "bugcheck-0xce", "dpc-dispatch-level", "timer-after-unload-0xd4",
                   "silent-0xce-or-0xd4"), mark=Mark.BUGCHECK)

    # --- what the requester gets back, in its own form -------------------------------------
    def fail_to_caller(self, st: NtStatus | None, detail: str, rules: tuple[str, ...],
                       mark: Mark = Mark.FAILED) -> None:
        """The request fails; the caller gets st (None: not documented) in its own form."""
        t = self.sc.trigger
        if t is Trigger.FLT_UNLOAD_FILTER:
            shown = st.label if st else "(status not documented)"
            self.returned = f"NTSTATUS {st.describe()}" if st else "a failure status (not documented)"
        else:
            shown = self.user_mode_result(st, "silent-other-hresult" if st else "silent-no-callback-status")
            rules += tuple(r for r in self.print_rules[1:] if r not in rules)
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, f"{self.facts.call_name} fails", detail, rules, Actor.CALLER,
                  shown, mark)
        self.print_fltmc(mark)

    def succeed_to_caller(self) -> None:
        t = self.sc.trigger
        shown = "STATUS_SUCCESS" if t is Trigger.FLT_UNLOAD_FILTER else "S_OK"
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, f"{self.facts.call_name} returns",
                  "The request succeeded.", ("otherwise-unloaded", "filterunload-privilege"), Actor.CALLER, shown)
        self.returned = ("NTSTATUS STATUS_SUCCESS (0x00000000)" if t is Trigger.FLT_UNLOAD_FILTER
                         else "HRESULT S_OK (0x00000000)")
        if t is Trigger.FLTMC_UNLOAD:
            self.returned += "; fltmc reports no error"

    def user_mode_result(self, st: NtStatus | None, silent_rule: str) -> str:
        """Record FilterUnload's HRESULT for st and the lines fltmc would print; returns the
        HRESULT as shown on the return arrow. silent_rule is cited when it is not documented."""
        value, documented = hresult_for_user_mode(st) if st else (None, False)
        if value is None:
            self.returned = "a failing HRESULT (value not documented)"
            code, shown = "(HRESULT not documented)", "(HRESULT not documented)"
        else:
            self.returned = f"HRESULT 0x{value:08X}" + ("" if documented else " (inferred, not documented)")
            code, shown = f"0x{value:08x}", f"0x{value:08X}" + ("" if documented else " (inferred)")
        self.print_rules = ("fltmc-output", "flt-hresult" if documented else silent_rule)
        if self.sc.trigger is Trigger.FLTMC_UNLOAD:
            text = _MESSAGE_TEXT.get(value, "(the system's message text for this code)")
            self.printed = (f"Unload failed with error: {code}", text)
        return shown

    def print_fltmc(self, mark: Mark = Mark.FAILED) -> None:
        if self.printed and self.sc.trigger is Trigger.FLTMC_UNLOAD:
            self.step(Actor.CALLER, Kind.ACTION, "fltmc prints the failure", " / ".join(self.printed),
                      self.print_rules, mark=mark)

    def win32_result(self, error: int, name: str, *, sc_output_known: bool = True) -> None:
        """What each service-stop caller shows for a Win32 error. sc's lines are printed only
        where the facts record them (1052 observed; the others are not covered)."""
        t = self.sc.trigger
        self.returned = f"Win32 error {error} ({name})"
        if t is Trigger.SC_STOP:
            if sc_output_known:
                text = _MESSAGE_TEXT.get(error, "(the system's message text for this error)")
                self.printed = (f"[SC] ControlService FAILED {error}:", "", text)
            else:
                self.returned += "; what sc prints for it is not covered by our sources"
        elif t is Trigger.CONTROL_SERVICE:
            self.returned = f"ControlService returns FALSE; GetLastError() = {error} ({name})"
        else:
            self.returned += "; net's exact wording is not documented"
