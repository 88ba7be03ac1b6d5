"""A scenario in a driver engineer's words, inputs only: the practice problems and the lesson
quizzes show a scenario this way, so every knob that decides it is there and no outcome is.

One table per family turns a knob's value into a sentence (``_MINIFILTER``, ``_CALLOUT``):
a dict from value to sentence, one sentence per member for a set knob, or a function of the
scenario where the words need another knob (who asks, which status, which routine tears down).
A knob whose value is the default says nothing unless the scenario needs it said (the request,
what FilterUnloadCallback returns, the callout driver's model). ``_SAID_WITH`` names the rows
that also speak for a knob: a refusal's condition lives in the callback's sentence, a retry
on STATUS_DEVICE_BUSY in the unregister sentence. ``described`` gives, for each knob, the
sentences that say it; ``assumptions`` gives them once each, in table order. Pure: nothing
printed; no unload rule is decided here.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Mapping, Union

from .. import callout, minifilter
from ..callout import CalloutScenario, DriverModel, FilterRemoval, FlowRemoval, UnregisterPlace
from ..minifilter import CleanupMistake, ControlDevice, Leak, MinifilterScenario, ServerPort
from ..windows.service import SERVICE_STOPS

__all__ = ["described", "assumptions", "request_sentence", "non_default_knobs"]

Scenario = Union[MinifilterScenario, CalloutScenario]
Said = Union[str, Iterable[str], None]
Words = Union[Mapping[Any, str], Callable[[Any], Said]]   # a value's sentence, or the scenario's

# --- the request ------------------------------------------------------------------------------------------
_REQUESTS = {  # trigger value: how the request is made (the service name goes in {})
    "FilterUnload": 'a user-mode application calls FilterUnload(L"{}")',
    "FltUnloadFilter": 'another kernel-mode driver calls FltUnloadFilter for "{}"',
    "fltmc-unload": "an administrator types `fltmc unload {}`",
    "sc-stop": "an administrator types `sc stop {}`",
    "net-stop": "an administrator types `net stop {}`",
    "ControlService": "an application calls ControlService(SERVICE_CONTROL_STOP) on the {} service",
    "device-removal": "an administrator removes the last device of {}",
}
_ADMIN, _USER = "an administrator", "a user who is not an administrator"


def _service(sc: Scenario) -> str:
    return callout.SERVICE_NAME if isinstance(sc, CalloutScenario) else minifilter.SERVICE_NAME


def _request_text(trigger: Any, service: str, privileged: bool = True) -> str:
    if trigger.value == "shutdown":
        return "Nobody asks for an unload: the system shuts down."
    text = _REQUESTS[trigger.value].format(service) if trigger.value in _REQUESTS else f"{trigger.value} ({service})"
    if not privileged and text.startswith(_ADMIN):   # the same command, typed by someone else
        text = _USER + text[len(_ADMIN):]
    return f"The request: {text}."


def request_sentence(scenario: Scenario) -> str:
    """How the scenario's unload is asked for, in words: 'an administrator types `sc stop X`'.
    Who asks is always the usual requester: the capstone's evidence must not say who lacks rights."""
    return _request_text(scenario.trigger, _service(scenario)).removeprefix("The request: ").rstrip(".")


def _request(sc: Scenario) -> str:
    return _request_text(sc.trigger, _service(sc), sc.caller_privileged)


def _caller(sc: Scenario) -> Said:
    """What an unprivileged caller lacks depends on whom it asks (domain-facts #64)."""
    if sc.caller_privileged:
        return None
    if sc.trigger.value in SERVICE_STOPS:
        return "The caller has no SERVICE_STOP access to the service: it is not an administrator."
    if sc.trigger.value in ("shutdown", "device-removal"):
        return "The caller is not an administrator."
    return "The caller does not hold SeLoadDriverPrivilege."


def _dependents(sc: Scenario) -> Said:
    name = _service(sc)
    return (f"Another running service depends on {name} (its DependOnService lists {name})."
            if sc.dependent_services else None)


# --- the minifilter -----------------------------------------------------------------------------------------
def _callback(sc: MinifilterScenario) -> Said:
    if not sc.unload_callback:
        return "The minifilter registers no FilterUnloadCallback (FLT_REGISTRATION.FilterUnloadCallback is NULL)."
    status = sc.callback_returns.describe()
    if sc.refuse_only_if_not_mandatory and not sc.callback_returns.nt_success:
        return (f"Its FilterUnloadCallback returns {status} when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY, and "
                "STATUS_SUCCESS when Flags has it.")
    if sc.refuse_only_if_control_device_open:
        return (f"Its FilterUnloadCallback returns {status} when Flags lacks FLTFL_FILTER_UNLOAD_MANDATORY and an "
                "application has its control device open; otherwise it tears down and returns STATUS_SUCCESS.")
    return f"Its FilterUnloadCallback returns {status}."


def _flags(sc: MinifilterScenario) -> Said:
    return f"FLT_REGISTRATION.Flags is {' | '.join(sorted(f.value for f in sc.flags))}." if sc.flags else None


def _driver_entry(sc: Scenario) -> Said:
    de = sc.driver_entry_returns
    return f"DriverEntry returns {de.describe()}." if de.code else None   # anything but STATUS_SUCCESS


def _instances(sc: MinifilterScenario) -> Said:
    if sc.instances == 1:
        return None
    volumes = ", ".join(minifilter.VOLUMES[: sc.instances])
    return f"It is attached to {sc.instances} volumes ({volumes})." if sc.instances else "It is attached to no volume."


def _pended_io(sc: MinifilterScenario) -> Said:
    if not sc.pended_io:
        return None
    if sc.drains_pended_io:
        return "One instance holds a pended I/O operation in the minifilter's cancel-safe queue."
    return "One instance holds a pended I/O operation that the minifilter never completes."


def _server_port(sc: MinifilterScenario) -> Said:
    if sc.server_port is ServerPort.NONE:
        return None
    when = "closes it" if sc.server_port is ServerPort.CLOSED_FIRST else "does not close it"
    return f"It has a communication server port; its unload routine {when} before calling FltUnregisterFilter."


_MINIFILTER: dict[str, Words] = {
    "trigger": _request,
    "dependent_services": _dependents,
    "callback_returns": _callback,
    "flags": _flags,
    "driver_entry_returns": _driver_entry,
    "control_device": {
        ControlDevice.CREATED: "DriverEntry also creates a control device object (IoCreateDevice); no application "
                               "has a handle to it open.",
        ControlDevice.HANDLE_OPEN: "DriverEntry also creates a control device object (IoCreateDevice), and an "
                                   "application holds a handle to it open.",
    },
    "global_resources": {
        True: "DriverEntry also starts global work: a periodic timer with a DPC, a system thread, a process-notify "
              "routine and a pool buffer; when FilterUnloadCallback tears down, it cleans them up at the end.",
    },
    "cleanup_mistakes": {
        CleanupMistake.TIMER: "Its global cleanup never cancels the timer (no KeCancelTimer, no KeFlushQueuedDpcs).",
        CleanupMistake.THREAD: "Its global cleanup tells the system thread to stop but never waits for it to exit.",
        CleanupMistake.NOTIFY: "Its global cleanup never removes the process-notify routine (no "
                               "PsSetCreateProcessNotifyRoutineEx call with Remove set to TRUE).",
        CleanupMistake.POOL: "Its global cleanup never frees the pool buffer (no ExFreePoolWithTag).",
    },
    "driver_verifier": {
        True: f"Driver Verifier's standard checks are on for the minifilter (verifier /standard /driver "
              f"{minifilter.SERVICE_NAME}.sys).",
    },
    "shutdown_preop": {True: "It registers an IRP_MJ_SHUTDOWN pre-operation callback."},
    "fast_startup": {True: "Fast Startup is turned on when the user chooses Shut down."},
    "instances": _instances,
    "teardown_callbacks": {False: "It registers no InstanceTeardownStart/InstanceTeardownComplete callbacks."},
    "pended_io": _pended_io,
    "drains_pended_io": {
        True: "Its InstanceTeardownStartCallback disables the instance's cancel-safe queue (FltCbdqDisable) and "
              "completes every operation still in it.",
    },
    "server_port": _server_port,
    "send_message_wait": {
        True: "First, FilterUnloadCallback tells its user-mode service that it is unloading with FltSendMessage, "
              "passing a reply buffer and a NULL Timeout; the service does not reply.",
    },
    "calls_unregister": {False: "Its unload routine never calls FltUnregisterFilter."},
    "leaks": {
        Leak.CONTEXT: "It gets a context with an FltGetXxxContext call and never releases it with FltReleaseContext.",
        Leak.NAME_INFORMATION: "It gets file name information with FltGetFileNameInformation and never releases it "
                               "with FltReleaseFileNameInformation.",
        Leak.OBJECT_REFERENCE: "It takes a rundown reference with FltObjectReference and never drops it with "
                               "FltObjectDereference.",
        Leak.OPEN_FILE: "It opens a file with FltCreateFileEx and never closes it with FltClose.",
        Leak.WORK_ITEM: "A generic work item it queued with FltQueueGenericWorkItem is still running, and its routine "
                        "does not return.",
    },
    "caller_privileged": _caller,
}
_MINIFILTER_SAID_WITH = {   # knob: the rows whose sentences also say it
    "unload_callback": ("callback_returns",),
    "refuse_only_if_not_mandatory": ("callback_returns",),
    "refuse_only_if_control_device_open": ("callback_returns",),
    "caller_privileged": ("trigger",),
}


# --- the callout driver ---------------------------------------------------------------------------------------
def _unload_function(sc: CalloutScenario) -> Said:
    fn = ("Unload routine (DriverObject->DriverUnload)" if sc.model is DriverModel.WDM
          else "EvtDriverUnload (WDF_DRIVER_CONFIG)")
    return f"DriverEntry names an {fn}." if sc.unload_function else f"DriverEntry names no {fn}."


def _callouts(sc: CalloutScenario) -> Said:
    n = f"{sc.callouts} callout{'s' if sc.callouts != 1 else ''}"
    if sc.model is DriverModel.WDF_PNP:   # a PnP driver has no device to register with before AddDevice
        return f"Once its device is added, its EvtDriverDeviceAdd registers {n}."
    return f"DriverEntry registers {n}."


def _flows(sc: CalloutScenario) -> Said:
    n = sc.flows_with_context
    return (f"{n} flow{'s carry' if n != 1 else ' carries'} a context at unload time." if n
            else "No flow carries a context at unload time.")


def _subject(sc: CalloutScenario) -> str:
    """Who runs the teardown the knobs describe."""
    if sc.tears_down_in_cleanup:
        return "EvtDeviceSelfManagedIoCleanup"
    return "the unload function" if sc.unload_function else "the teardown code it wrote for an unload function"


def _said(sc: CalloutScenario, *knobs: str) -> bool:
    """Whether the teardown's words are needed: a routine runs it, or one of these knobs is not
    its default (teardown code no routine runs is described only where it differs)."""
    return sc.unload_function or sc.tears_down_in_cleanup or any(_differs(sc, k) for k in knobs)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _drain(sc: CalloutScenario) -> Said:
    work = "work in flight (classifyFn calls, pended classifies, its worker thread)"
    if not sc.drains_before_unregister:
        return f"{_cap(_subject(sc))} waits for {work} only after unregistering the callouts."
    if sc.classify_in_progress and _said(sc):
        return f"Before unregistering, {_subject(sc)} waits for {work} to finish."
    return None


def _remove_first(sc: CalloutScenario) -> Said:
    if sc.removes_first:
        return f"Before unregistering, {_subject(sc)} removes every flow context with FwpsFlowRemoveContext0."
    return None


def _waits(sc: CalloutScenario) -> Said:
    if not sc.waits_for_flow_deletes:
        return None
    return (f"Whenever it removes flow contexts, {_subject(sc)} then waits until flowDeleteFn has run for every one "
            "of them.")


def _apc_level(sc: CalloutScenario) -> Said:
    return (f"{_cap(_subject(sc))} holds a fast mutex (ExAcquireFastMutex) while it unregisters the callouts."
            if sc.unregister_at_apc_level else None)


def _unregister(sc: CalloutScenario) -> Said:
    if not _said(sc, "unregisters", "check_unregister_result") and not sc.retries_on_failure:
        return None
    who = _cap(_subject(sc))
    if not sc.unregisters:
        return f"{who} never calls FwpsCalloutUnregisterById0."
    if not sc.check_unregister_result:
        return f"{who} calls FwpsCalloutUnregisterById0 for each callout but never looks at what it returns."
    if not sc.retries_on_failure:
        return f"{who} calls FwpsCalloutUnregisterById0 for each callout and checks the result."
    # the retry follows any failure (NT_SUCCESS false); name the one the scenario can meet
    other = sc.unregister_at_apc_level or sc.classify_in_progress
    when = "when a call fails (NT_SUCCESS is false)" if other else "on STATUS_DEVICE_BUSY"
    return (f"{who} calls FwpsCalloutUnregisterById0 for each callout and checks the result: {when} it removes "
            "that callout's flow contexts and tries again.")


def _flow_removal(sc: CalloutScenario) -> Said:
    if sc.flow_removal is FlowRemoval.PENDING:
        return "A classify is in progress on those flows, so FwpsFlowRemoveContext0 returns STATUS_PENDING."
    return None


_CALLOUT: dict[str, Words] = {
    "model": {
        DriverModel.WDM: "A WDM callout driver.",
        DriverModel.WDF: "A KMDF callout driver that sets WdfDriverInitNonPnpDriver.",
        DriverModel.WDF_PNP: "A KMDF callout driver that does not set WdfDriverInitNonPnpDriver.",
    },
    "trigger": _request,
    "dependent_services": _dependents,
    "caller_privileged": _caller,
    "unload_function": _unload_function,
    "unregister_in": {
        UnregisterPlace.SELF_MANAGED_IO_CLEANUP: "It takes its callouts down in EvtDeviceSelfManagedIoCleanup, which "
                                                 "its EvtDriverDeviceAdd names, not in EvtDriverUnload.",
    },
    "callouts": _callouts,
    "filters": {
        FilterRemoval.DELETED_BY_KEY: "It adds its filters and callout objects in a static session; its teardown "
                                      "deletes each filter with FwpmFilterDeleteByKey0, then each callout object "
                                      "(FwpmCalloutDeleteByKey0), before it unregisters the callouts.",
        FilterRemoval.LEFT_IN_PLACE: "It adds its filters and callout objects in a static session; its teardown "
                                     "never deletes the filters, only calls FwpmCalloutDeleteByKey0 for the callout "
                                     "objects and closes the session.",
        FilterRemoval.AFTER_UNREGISTER: "It adds its filters in a dynamic session, and its teardown closes that "
                                        "session (FwpmEngineClose0) only after unregistering the callouts.",
    },
    "permit_if_unregistered": {True: "Its filters carry FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED."},
    "driver_entry_returns": _driver_entry,
    "flows_with_context": _flows,
    "classify_in_progress": {True: "A classifyFn of callout 0 is still running when the teardown starts."},
    "drains_before_unregister": _drain,
    "remove_flow_contexts": _remove_first,
    "waits_for_flow_deletes": _waits,
    "unregister_at_apc_level": _apc_level,
    "unregisters": _unregister,
    "flow_removal": _flow_removal,
}
_CALLOUT_SAID_WITH = {
    "check_unregister_result": ("unregisters",),
    "remove_flow_contexts": ("unregisters",),   # the retry on STATUS_DEVICE_BUSY
    "caller_privileged": ("trigger",),
}

_TABLES: dict[type, tuple[dict[str, Words], dict[str, tuple[str, ...]]]] = {
    MinifilterScenario: (_MINIFILTER, _MINIFILTER_SAID_WITH),
    CalloutScenario: (_CALLOUT, _CALLOUT_SAID_WITH),
}


# --- reading the tables ------------------------------------------------------------------------------------------
def _default(cls: type, knob: str) -> Any:
    f = next(f for f in dataclasses.fields(cls) if f.name == knob)
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING   # a knob every scenario sets (the minifilter's trigger)


def _differs(sc: Scenario, knob: str) -> bool:
    return getattr(sc, knob) != _default(type(sc), knob)


def non_default_knobs(scenario: Scenario) -> list[str]:
    """The knobs whose value is not the scenario class's default (a knob without one counts)."""
    return [f.name for f in dataclasses.fields(scenario) if _differs(scenario, f.name)]


def _say(words: Words, sc: Scenario, knob: str) -> tuple[str, ...]:
    if callable(words):
        said = words(sc)
    else:
        value = getattr(sc, knob)
        if isinstance(value, frozenset):   # a set knob: one sentence per member, in the enum's order
            said = [words[m] for m in type(min(value, key=str)) if m in value] if value else None
        else:
            said = words.get(value)
    if said is None:
        return ()
    return (said,) if isinstance(said, str) else tuple(said)


def _table(scenario: Scenario) -> tuple[dict[str, Words], dict[str, tuple[str, ...]]]:
    if type(scenario) not in _TABLES:
        raise TypeError(f"needs a MinifilterScenario or CalloutScenario, got {type(scenario).__name__}")
    return _TABLES[type(scenario)]


def described(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Each knob the words speak for, with the sentences that say it. Every knob that is not its
    default is here; a default knob is here only where its row says something."""
    table, said_with = _table(scenario)
    rows = {knob: _say(words, scenario, knob) for knob, words in table.items()}
    out = {knob: said for knob, said in rows.items() if said}
    for knob, hosts in said_with.items():
        said = tuple(s for host in hosts for s in rows[host] if s not in out.get(knob, ()))
        if said:
            out[knob] = out.get(knob, ()) + said
    return out


def assumptions(scenario: Scenario) -> list[str]:
    """One sentence per knob that shapes this scenario, in the table's order, each once."""
    table, _ = _table(scenario)
    return list(dict.fromkeys(s for knob, words in table.items() for s in _say(words, scenario, knob)))
