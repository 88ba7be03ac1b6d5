"""Each callout driver knob declared once: its label, help, choices, words, and where a value
is a mistake, its cause and fix; then the family's record (``FAMILY``). Type and default
live in ``CalloutScenario``. The shells (the CLI, the panel, the exercises) read these rows;
``tests/test_knobs.py`` checks that they name exactly the scenario's fields. Words that
read several knobs are functions here: the unregister sentence reads seven.
"""
from __future__ import annotations

from typing import Any

from ..windows.family import Family, Flag, Knob, default_of, statuses
from ..windows.service import (SC_DELETE_MAX, caller, deletes, dependents, driver_entry, driver_entry_mistakes,
                               request_text)
from ..windows.trace import Actor
from .scenario import (MAX_CALLOUTS, MAX_FLOWS, SERVICE_NAME, CalloutScenario, CalloutTrigger, ContextRemoval,
                       DriverModel, FilterRemoval, FlowRemoval, TRIGGERS, UnregisterPlace)

__all__ = ["KNOBS", "FAMILY", "REQUESTS", "request", "context_removal"]

# trigger value: how the request is made, in words (read from the trigger facts)
REQUESTS = {value: facts.words for value, facts in TRIGGERS.items()}


def request(sc: CalloutScenario) -> str:
    return request_text(sc.trigger, SERVICE_NAME, REQUESTS, sc.caller_privileged)


_PARTS = {ContextRemoval.NONE: (False, False), ContextRemoval.BEFORE_UNREGISTER: (True, False),
          ContextRemoval.ON_DEVICE_BUSY: (False, True), ContextRemoval.BEFORE_AND_ON_BUSY: (True, True)}


def context_removal(parts: frozenset) -> ContextRemoval:
    """One value from the flags given together, each a (part, on) pair for the two parts of
    the teardown (contexts removed before unregistering; removed again on STATUS_DEVICE_BUSY).
    A part no flag names keeps the scenario's default, so the flags only say what changes."""
    default = _PARTS[CalloutScenario.__dataclass_fields__["remove_flow_contexts"].default]
    given = dict(parts)
    wanted = (given.get("before", default[0]), given.get("busy", default[1]))
    return next(value for value, p in _PARTS.items() if p == wanted)


# --- words that read several knobs --------------------------------------------------------------
def _unload_function(sc: CalloutScenario) -> str:
    fn = ("Unload routine (DriverObject->DriverUnload)" if sc.model is DriverModel.WDM
          else "EvtDriverUnload (WDF_DRIVER_CONFIG)")
    return f"DriverEntry names an {fn}." if sc.unload_function else f"DriverEntry names no {fn}."


def _callouts(sc: CalloutScenario) -> str:
    n = f"{sc.callouts} callout{'s' if sc.callouts != 1 else ''}"
    if sc.model is DriverModel.WDF_PNP:   # a PnP driver has no device to register with before AddDevice
        return f"Once its device is added, its EvtDriverDeviceAdd registers {n}."
    return f"DriverEntry registers {n}."


def _flows(sc: CalloutScenario) -> str:
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
    return (sc.unload_function or sc.tears_down_in_cleanup
            or any(getattr(sc, k) != default_of(CalloutScenario, k) for k in knobs))


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _drain(sc: CalloutScenario) -> str | None:
    work = "work in flight (classifyFn calls, pended classifies, its worker thread)"
    if not sc.drains_before_unregister:
        return f"{_cap(_subject(sc))} waits for {work} only after unregistering the callouts."
    if sc.classify_in_progress and _said(sc):
        return f"Before unregistering, {_subject(sc)} waits for {work} to finish."
    return None


def _remove_first(sc: CalloutScenario) -> str | None:
    if sc.removes_first and _said(sc, "remove_flow_contexts"):
        return f"Before unregistering, {_subject(sc)} removes every flow context with FwpsFlowRemoveContext0."
    if sc.remove_flow_contexts is ContextRemoval.NONE and _said(sc, "remove_flow_contexts"):
        return f"{_cap(_subject(sc))} never removes the contexts its flows carry (no FwpsFlowRemoveContext0)."
    return None   # removed only on STATUS_DEVICE_BUSY: the unregister sentence says so


def _waits(sc: CalloutScenario) -> str | None:
    if not _said(sc, "waits_for_flow_deletes", "remove_flow_contexts"):
        return None
    if not sc.waits_for_flow_deletes:
        if sc.remove_flow_contexts is ContextRemoval.NONE:
            return None   # it removes no context, so there is nothing to wait for (the model insists on False)
        return (f"After removing flow contexts, {_subject(sc)} unregisters at once, without waiting for "
                "flowDeleteFn to run.")
    return (f"Whenever it removes flow contexts, {_subject(sc)} then waits until flowDeleteFn has run for every one "
            "of them.")


def _unregister_place(sc: CalloutScenario) -> str | None:
    if sc.unregister_in is None:
        return None   # the right place for its model: the other sentences already say which routine
    if sc.tears_down_in_cleanup:
        return ("It takes its callouts down in EvtDeviceSelfManagedIoCleanup, which its EvtDriverDeviceAdd names, "
                "not in EvtDriverUnload.")
    return ("It takes its callouts down in its unload function"
            + (", not in EvtDeviceSelfManagedIoCleanup." if sc.model is DriverModel.WDF_PNP else "."))


def _apc_level(sc: CalloutScenario) -> str | None:
    return (f"{_cap(_subject(sc))} holds a fast mutex (ExAcquireFastMutex) while it unregisters the callouts."
            if sc.unregister_at_apc_level else None)


def _unregister(sc: CalloutScenario) -> str | None:
    if not _said(sc, "unregisters", "check_unregister_result", "remove_flow_contexts"):
        return None
    who = _cap(_subject(sc))
    if not sc.unregisters:
        return f"{who} never calls FwpsCalloutUnregisterById0."
    if not sc.check_unregister_result:
        return f"{who} calls FwpsCalloutUnregisterById0 for each callout but never looks at what it returns."
    if not sc.retries_on_failure:
        return f"{who} calls FwpsCalloutUnregisterById0 for each callout and checks the result."
    # the retry follows STATUS_DEVICE_BUSY only: any other failure is one no page covers
    return (f"{who} calls FwpsCalloutUnregisterById0 for each callout and checks the result: on STATUS_DEVICE_BUSY "
            "it removes that callout's flow contexts and tries again.")


def _flow_removal(sc: CalloutScenario) -> str | None:
    if sc.flow_removal is FlowRemoval.PENDING:
        return "A classify is in progress on those flows, so FwpsFlowRemoveContext0 returns STATUS_PENDING."
    return None


def _unload_function_mistake(sc: Any) -> tuple[str, str]:
    if sc.model.value == "wdm":
        return ("DriverEntry never sets DriverObject->DriverUnload, so the kernel has no routine to call and a "
                "service stop cannot unload the driver",
                "set DriverObject->DriverUnload to the Unload routine in DriverEntry")
    return ("WDF_DRIVER_CONFIG names no EvtDriverUnload: for a non-PnP driver KMDF then leaves DriverUnload NULL, "
            "so a service stop cannot unload the driver",
            "set config.EvtDriverUnload before calling WdfDriverCreate")


_UNREGISTER_ALL = "call FwpsCalloutUnregisterById0 for every callout in the unload function, and check each result"

# --- the rows, in the order the words say them (what the driver is, then its teardown) ------------
KNOBS: tuple[Knob, ...] = (
    Knob("model", "Driver model",
         "how the driver is built: WDM Unload, KMDF non-PnP EvtDriverUnload, or the KMDF PnP contrast",
         choices=((DriverModel.WDM.value, "WDM (DriverUnload)"),
                  (DriverModel.WDF.value, "KMDF non-PnP (EvtDriverUnload)"),
                  (DriverModel.WDF_PNP.value, "KMDF PnP (contrast)")),
         words={
             DriverModel.WDM: "A WDM callout driver.",
             DriverModel.WDF: "A KMDF callout driver that sets WdfDriverInitNonPnpDriver.",
             DriverModel.WDF_PNP: "A KMDF callout driver that does not set WdfDriverInitNonPnpDriver.",
         },
         mistakes={"wdf-pnp": (
             "It is a KMDF driver that does not set WdfDriverInitNonPnpDriver, so it is a PnP driver, which a "
             "service stop cannot unload",
             "set WdfDriverInitNonPnpDriver in WDF_DRIVER_CONFIG.DriverInitFlags and name an EvtDriverUnload")},
         traits={"wdm": "is a WDM driver that created its device object with IoCreateDevice",
                 "wdf": "is a KMDF driver, whose framework deletes the device it created",
                 "wdf-pnp": "is a KMDF driver, whose framework deletes the device it created"}),
    Knob("trigger", "Trigger", "who asks for the unload (device-removal: wdf-pnp only)",
         choices=tuple((t.value, t.facts.label) for t in CalloutTrigger),
         words=request),
    Knob("sc_delete", "sc delete afterwards", "times an uninstaller runs sc delete after the request (0-2)",
         limits=(0, SC_DELETE_MAX), words=lambda sc: deletes(sc, SERVICE_NAME)),
    Knob("dependent_services", "Another service depends on it", "another running service depends on this one",
         words=lambda sc: dependents(sc, SERVICE_NAME)),
    Knob("caller_privileged", "Caller is an administrator", "the caller is an administrator",
         flags=(Flag("--no-privilege", False, "the caller lacks SERVICE_STOP access to the service (not an "
                     "administrator)"),),
         words=caller, said_with=("trigger",)),
    Knob("unload_function", "Unload function set", "DriverEntry names an Unload/EvtDriverUnload",
         words=_unload_function, mistakes={False: _unload_function_mistake}),
    Knob("unregister_in", "Unregisters in", "where a KMDF PnP driver takes its callouts down",
         choices=((None, "the right place for the driver model"),
                  (UnregisterPlace.UNLOAD_FUNCTION.value, "the unload function"),
                  (UnregisterPlace.SELF_MANAGED_IO_CLEANUP.value, "EvtDeviceSelfManagedIoCleanup (PnP)")),
         words=_unregister_place),
    Knob("callouts", "Callouts", "callouts registered", limits=(1, MAX_CALLOUTS), words=_callouts),
    Knob("filters", "Filters", "how the driver's filters leave the engine",
         choices=((FilterRemoval.DYNAMIC_SESSION.value, "dynamic session closed first"),
                  (FilterRemoval.DELETED_BY_KEY.value, "deleted by key first"),
                  (FilterRemoval.AFTER_UNREGISTER.value, "removed after unregistering"),
                  (FilterRemoval.LEFT_IN_PLACE.value, "left in place")),
         words={
             FilterRemoval.DELETED_BY_KEY: "It adds its filters and callout objects in a static session; its teardown "
                                           "deletes each filter with FwpmFilterDeleteByKey0, then each callout object "
                                           "(FwpmCalloutDeleteByKey0), before it unregisters the callouts.",
             FilterRemoval.LEFT_IN_PLACE: "It adds its filters and callout objects in a static session; its teardown "
                                          "never deletes the filters, only calls FwpmCalloutDeleteByKey0 for the "
                                          "callout objects and closes the session.",
             FilterRemoval.AFTER_UNREGISTER: "It adds its filters in a dynamic session, and its teardown closes that "
                                             "session (FwpmEngineClose0) only after unregistering the callouts.",
         },
         mistakes={
             "after-unregister": ("It unregisters the callouts first and removes its filters only afterwards, so "
                                  "for a while filters name callouts that are gone and block matching traffic",
                                  "remove the filters first (close the dynamic session), then unregister the "
                                  "callouts"),
             "left-in-place": ("Its filters were added in a static session and are never deleted, so they stay in "
                               "the engine after the driver is gone and block matching traffic",
                               "delete each filter with FwpmFilterDeleteByKey0 before the callout objects, or add "
                               "them in a dynamic session")},
         traits={"dynamic-session": "adds its filters in a dynamic session, which FwpmEngineClose0 ends, "
                                    "deleting its filters and callout objects with it",
                 "deleted-by-key": "adds its filters in a static session, so it deletes them and its callout "
                                   "objects by key"}),
    Knob("permit_if_unregistered", "Filters permit if callout unregistered",
         "the filters carry FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED",
         words={True: "Its filters carry FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED."}),
    Knob("driver_entry_returns", "DriverEntry returns", "what DriverEntry returns",
         choices=statuses("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY",
                          "STATUS_INSUFFICIENT_RESOURCES", "STATUS_FLT_NOT_INITIALIZED", "STATUS_UNSUCCESSFUL"),
         words=driver_entry, mistakes=driver_entry_mistakes("unregister its callouts and close the engine handle")),
    Knob("flows_with_context", "Flows with a context", "flows still carrying a context at unload",
         limits=(0, MAX_FLOWS), panel=(0, 8, "eight flows over the callouts already show every path"), words=_flows),
    Knob("persistent_filters", "Persistent filters",
         "the filters carry FWPM_FILTER_FLAG_PERSISTENT and survive a restart (a static session only)",
         words={True: "Its filters carry FWPM_FILTER_FLAG_PERSISTENT: they survive a restart until deleted."}),
    Knob("classify_in_progress", "A classify is still running",
         "a classifyFn of callout 0 is still running when the teardown starts",
         words={True: "A classifyFn of callout 0 is still running when the teardown starts."}),
    Knob("concurrent_registration", "Another thread (un)registers callout 0",
         "another thread registers or unregisters callout 0 while the teardown unregisters it (STATUS_FWP_IN_USE)",
         words={True: "Another thread is registering or unregistering callout 0 at the moment the teardown "
                      "unregisters it."}),
    Knob("drains_before_unregister", "Drains work before unregistering",
         "the teardown waits for work in flight before unregistering",
         flags=(Flag("--drain-after-unregister", False,
                     "the teardown waits for work in flight only after unregistering"),),
         words=_drain,
         mistakes={False: (
             "It unregisters the callouts before waiting for the classifyFn calls and queued work still in "
             "flight, so an unregister fails while a callout is still in use",
             "wait for work in flight first (ExWaitForRundownProtectionRelease, stop the worker thread), then "
             "unregister")}),
    Knob("remove_flow_contexts", "Flow contexts", "whether and when the flows' contexts are removed",
         choices=((ContextRemoval.NONE.value, "left in place"),
                  (ContextRemoval.BEFORE_UNREGISTER.value, "removed before unregistering"),
                  (ContextRemoval.ON_DEVICE_BUSY.value, "removed on STATUS_DEVICE_BUSY, then retry"),
                  (ContextRemoval.BEFORE_AND_ON_BUSY.value, "removed before, and on STATUS_DEVICE_BUSY")),
         option="--flow-contexts", join=context_removal,
         flags=(Flag("--remove-flow-contexts", ("before", True),
                     "remove every flow context before unregistering, as ddproxy and msnmntr do (default: yes)"),
                Flag("--no-remove-flow-contexts", ("before", False),
                     "do not remove the flow contexts before unregistering"),
                Flag("--retry-on-busy", ("busy", True),
                     "on STATUS_DEVICE_BUSY remove that callout's contexts and unregister again, the documented "
                     "recovery (default: yes)"),
                Flag("--no-retry-on-busy", ("busy", False), "give up on a callout whose unregister returns "
                     "STATUS_DEVICE_BUSY")),
         words=_remove_first, said_with=("unregisters",),   # the retry on STATUS_DEVICE_BUSY
         mistakes={
             "none": ("It never removes the contexts its flows still carry, so FwpsCalloutUnregisterById0 "
                      "returns STATUS_DEVICE_BUSY and the callout stays registered",
                      "remove each flow's context with FwpsFlowRemoveContext0 before unregistering, and again on "
                      "STATUS_DEVICE_BUSY before trying once more"),
             "before-unregister": ("It removes the flow contexts first, but when FwpsCalloutUnregisterById0 still "
                                   "returns STATUS_DEVICE_BUSY it gives up and leaves the remaining callouts "
                                   "registered",
                                   "on STATUS_DEVICE_BUSY remove that callout's flow contexts again and unregister "
                                   "it once more, then go on with the next callout"),
             "on-device-busy": ("It removes a callout's flow contexts only after FwpsCalloutUnregisterById0 has "
                                "returned STATUS_DEVICE_BUSY, not before unregistering",
                                "remove every flow context before unregistering, and keep the retry on "
                                "STATUS_DEVICE_BUSY")},
         traits={"none": "removes no flow context",
                 "before-unregister": "removes its flows' contexts before unregistering",
                 "on-device-busy": "removes a callout's flow contexts when unregistering it returns "
                                   "STATUS_DEVICE_BUSY",
                 "before-and-on-busy": "removes its flows' contexts before unregistering and again on "
                                       "STATUS_DEVICE_BUSY"}),
    Knob("waits_for_flow_deletes", "Waits for every flowDeleteFn",
         "after removing contexts, wait until every flowDeleteFn has run (a count and an event)",
         option="--wait-for-flow-deletes",
         words=_waits, said_with=("remove_flow_contexts",),   # removing no context leaves nothing to wait for
         mistakes={False: (
             "After removing the flow contexts it does not wait until every flowDeleteFn has run "
             "(FwpsFlowRemoveContext0 can leave them pending), and unregisters at once",
             "wait, on an event the last flowDeleteFn sets, until every flowDeleteFn has run, then unregister")},
         traits={False: "waits for no flowDeleteFn", True: "waits until every flowDeleteFn has run"}),
    Knob("unregister_at_apc_level", "Unregisters under a fast mutex (APC_LEVEL)",
         "the teardown unregisters while holding a fast mutex (APC_LEVEL)", words=_apc_level,
         mistakes={True: ("It calls FwpsCalloutUnregisterById0 while holding a fast mutex, at APC_LEVEL",
                          "unregister at PASSIVE_LEVEL, outside the lock")}),
    Knob("check_unregister_result", "Checks the unregister result",
         "the teardown checks what FwpsCalloutUnregisterById0 returns",
         flags=(Flag("--ignore-unregister-result", False,
                     "the teardown ignores what FwpsCalloutUnregisterById0 returns (give --flow-contexts none or "
                     "before-unregister with it: there is nothing to retry on)"),),
         said_with=("unregisters",),
         mistakes={False: (
             "The unload function ignores what FwpsCalloutUnregisterById0 returns, so a callout that returns "
             "STATUS_DEVICE_BUSY stays registered",
             "check each result; on STATUS_DEVICE_BUSY remove that callout's flow contexts with "
             "FwpsFlowRemoveContext0 and unregister it again")}),
    Knob("unregisters", "Unregisters its callouts", "the teardown unregisters the callouts",
         flags=(Flag("--skip-unregister", False, "the teardown never unregisters the callouts"),),
         words=_unregister,
         mistakes={False: (
             "The unload function never calls FwpsCalloutUnregisterById0, so the image goes while its callouts "
             "are still registered", _UNREGISTER_ALL)}),
    Knob("flow_removal", "Flow context removal", "what FwpsFlowRemoveContext0 returns for the flows",
         choices=((FlowRemoval.SYNCHRONOUS.value, "synchronous"), (FlowRemoval.PENDING.value, "pending")),
         flags=(Flag("--pending-removal", FlowRemoval.PENDING,
                     "FwpsFlowRemoveContext0 returns STATUS_PENDING (flowDeleteFn runs later)"),),
         words=_flow_removal),
)


# --- the family's record (windows.family.Family): what the shells need ---------------------------
def _simulate(scenario: Any) -> Any:
    from .model import simulate
    return simulate(scenario)


def _c_view(scenario: Any) -> str:
    from .c_view import callout_c
    return callout_c(scenario)


def _examples() -> Any:
    from .scenarios import CALLOUT_EXAMPLES
    return CALLOUT_EXAMPLES


def _rules() -> Any:
    from .rules import CALLOUT_RULES
    return CALLOUT_RULES


def _decision_space() -> Any:
    from .scenarios import decision_space
    return decision_space()


FAMILY = Family("callout", "WFP callout driver", CalloutScenario, KNOBS, SERVICE_NAME,
                (Actor.FRAMEWORK, Actor.CALLOUT_DRIVER, Actor.FILTER_ENGINE), _simulate, _c_view, _examples, _rules,
                _decision_space, help="simulate a WFP callout driver unload", requests=REQUESTS)
