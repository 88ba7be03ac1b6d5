"""The knobs of one WFP callout driver unload: ``CalloutScenario``, its enums, and
``CANONICAL``, the knobs of the teardown done right. Pure data; ``model.simulate`` runs it."""
from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Any

from ..windows import service
from ..windows.family import echo
from ..windows.ntstatus import SUCCESS, NtStatus, StatusError, parse_status
from ..windows.trace import ScenarioError, parse_choice

__all__ = [
    "DriverModel", "CalloutTrigger", "ContextRemoval", "FlowRemoval", "FilterRemoval", "UnregisterPlace",
    "CalloutScenario", "CANONICAL", "SERVICE_NAME", "MAX_FLOWS", "MAX_CALLOUTS", "TRIGGERS",
]

SERVICE_NAME = "SampleCallout"
MAX_FLOWS = 64
MAX_CALLOUTS = 8


class DriverModel(str, enum.Enum):
    """How the driver is built, and so who fills in DriverObject->DriverUnload."""

    WDM = "wdm"          # DriverEntry stores its Unload routine itself
    WDF = "wdf"          # KMDF with WdfDriverInitNonPnpDriver and EvtDriverUnload (the seed's example)
    WDF_PNP = "wdf-pnp"  # KMDF without that flag: the contrast of domain-facts #39


class CalloutTrigger(str, enum.Enum):
    """What asks for the unload. The service stops use the minifilter's trigger names;
    ``facts``: the trigger's ``windows.service.TriggerFacts``."""

    SC_STOP = service.SC_STOP
    NET_STOP = service.NET_STOP
    CONTROL_SERVICE = service.CONTROL_SERVICE
    NT_UNLOAD_DRIVER = service.NT_UNLOAD_DRIVER
    SHUTDOWN = service.SHUTDOWN
    DEVICE_REMOVAL = "device-removal"   # the PnP way: the driver's last device goes (wdf-pnp only)

    @property
    def facts(self) -> service.TriggerFacts:
        return TRIGGERS[self.value]


TRIGGERS = service.triggers(
    SERVICE_NAME,
    device_removal=service.TriggerFacts("last device removed (KMDF PnP only)", False, False, "administrator",
                                        "an administrator", "device removal", "remove the driver's last device",
                                        "an administrator removes the last device of {}"),
)


class ContextRemoval(str, enum.Enum):
    """Whether and when the driver removes the contexts flows still carry."""

    NONE = "none"
    BEFORE_UNREGISTER = "before-unregister"    # what the ddproxy and msnmntr samples do
    ON_DEVICE_BUSY = "on-device-busy"          # the documentation's recovery: remove, then retry
    BEFORE_AND_ON_BUSY = "before-and-on-busy"  # both: the canonical teardown


class FlowRemoval(str, enum.Enum):
    """What FwpsFlowRemoveContext0 returns for the flows (domain-facts #45)."""

    SYNCHRONOUS = "synchronous"   # STATUS_SUCCESS: flowDeleteFn already ran
    PENDING = "pending"           # STATUS_PENDING: a classify is in progress, flowDeleteFn runs later


class FilterRemoval(str, enum.Enum):
    """How the driver's filters (one per callout, added by DriverEntry) leave the engine."""

    DYNAMIC_SESSION = "dynamic-session"    # FwpmEngineClose0 on the dynamic session, first (inspect, ddproxy)
    DELETED_BY_KEY = "deleted-by-key"      # a static session: FwpmFilterDeleteByKey0, then the callout objects
    AFTER_UNREGISTER = "after-unregister"  # the session is closed only after the callouts are unregistered
    LEFT_IN_PLACE = "left-in-place"        # static filters never deleted: they outlive the driver


class UnregisterPlace(str, enum.Enum):
    """Which function takes the callouts down (the KMDF PnP driver has a choice)."""

    UNLOAD_FUNCTION = "unload-function"                  # Unload / EvtDriverUnload
    SELF_MANAGED_IO_CLEANUP = "self-managed-io-cleanup"  # EvtDeviceSelfManagedIoCleanup (wdf-pnp only)



def _whole(value: Any, knob: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScenarioError(f"expected a whole number {low}..{high}, got {value!r}", knob)
    return value


@dataclass(frozen=True)
class CalloutScenario:
    """The knobs of one callout driver unload. Strings are accepted and checked.

    The defaults are the teardown done right (``CANONICAL``): code to copy. ``unregister_in``
    left at None takes the right place for the model: EvtDeviceSelfManagedIoCleanup for a
    KMDF PnP driver, the unload function otherwise."""

    model: DriverModel = DriverModel.WDM
    trigger: CalloutTrigger = CalloutTrigger.SC_STOP
    unload_function: bool = True             # DriverEntry names an Unload / EvtDriverUnload
    unregisters: bool = True                 # the teardown calls FwpsCalloutUnregisterById0
    check_unregister_result: bool = True     # it tests NT_SUCCESS on each result (inspect does not)
    flows_with_context: int = 0              # flows carrying a context at unload time, spread over the callouts
    remove_flow_contexts: ContextRemoval = ContextRemoval.BEFORE_AND_ON_BUSY
    flow_removal: FlowRemoval = FlowRemoval.SYNCHRONOUS
    waits_for_flow_deletes: bool = True      # after removing contexts, waits until every flowDeleteFn has run
    callouts: int = 2                        # callouts the driver registers
    driver_entry_returns: NtStatus = SUCCESS
    filters: FilterRemoval = FilterRemoval.DYNAMIC_SESSION
    permit_if_unregistered: bool = False     # its filters carry FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED
    persistent_filters: bool = False         # its filters carry FWPM_FILTER_FLAG_PERSISTENT (static session)
    classify_in_progress: bool = False       # a classifyFn of callout 0 is still running at teardown
    concurrent_registration: bool = False    # another thread registers or unregisters callout 0 meanwhile
    drains_before_unregister: bool = True    # waits for work in flight before unregistering (else only after)
    unregister_at_apc_level: bool = False    # unregisters while holding a fast mutex (APC_LEVEL)
    unregister_in: UnregisterPlace | None = None   # None: the right place for the model (see above)
    caller_privileged: bool = True           # an administrator: the SCM grants SERVICE_STOP
    dependent_services: bool = False         # another running service depends on this one
    sc_delete: int = 0                       # then an uninstaller runs `sc delete` this many times (0..2)

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)   # the dataclass is frozen

        put("model", parse_choice(DriverModel, self.model, "model"))
        asked = getattr(self.trigger, "value", self.trigger)
        hint = (" (a filter-manager request for minifilters; a callout driver is stopped as a service)"
                if isinstance(asked, str) and asked in service.FILTER_MANAGER_REQUESTS else "")
        put("trigger", parse_choice(CalloutTrigger, self.trigger, "trigger", hint))
        put("remove_flow_contexts", parse_choice(ContextRemoval, self.remove_flow_contexts, "remove_flow_contexts"))
        put("flow_removal", parse_choice(FlowRemoval, self.flow_removal, "flow_removal"))
        put("filters", parse_choice(FilterRemoval, self.filters, "filters"))
        if self.unregister_in is not None:   # None stays None: the place follows the model (unregister_place)
            put("unregister_in", parse_choice(UnregisterPlace, self.unregister_in, "unregister_in"))
        try:
            put("driver_entry_returns", parse_status(self.driver_entry_returns))
        except StatusError as e:
            raise ScenarioError(str(e), "driver_entry_returns") from None
        for f in fields(self):
            if f.type == "bool" and not isinstance(getattr(self, f.name), bool):
                raise ScenarioError(f"expected True or False, got {getattr(self, f.name)!r}", f.name)
        _whole(self.flows_with_context, "flows_with_context", 0, MAX_FLOWS)
        _whole(self.callouts, "callouts", 1, MAX_CALLOUTS)
        problem = service.delete_problem(self)
        if problem:
            raise ScenarioError(problem, "sc_delete")
        self._check_combination()

    def _check_combination(self) -> None:
        """Knob values that contradict each other."""
        if self.trigger is CalloutTrigger.DEVICE_REMOVAL and self.model is not DriverModel.WDF_PNP:
            raise ScenarioError(f"'device-removal' needs model 'wdf-pnp'; a {self.model.value} callout "
                                "driver is not PnP and is unloaded by a service stop", "trigger")
        if self.retries_on_failure and not self.check_unregister_result:
            raise ScenarioError(f"{self.remove_flow_contexts.value!r} cannot go with ignoring "
                                "the unregister result: the retry starts from seeing STATUS_DEVICE_BUSY; with the "
                                "result ignored, choose 'none' or 'before-unregister' (no retry)",
                                "remove_flow_contexts")
        if self.flow_removal is FlowRemoval.PENDING and self.remove_flow_contexts is ContextRemoval.NONE:
            raise ScenarioError("'pending' says how flow contexts get removed, but this driver "
                                "removes none (remove_flow_contexts is 'none')", "flow_removal")
        if self.waits_for_flow_deletes and self.remove_flow_contexts is ContextRemoval.NONE:
            raise ScenarioError("there is nothing to wait for, this driver removes no "
                                "flow context (remove_flow_contexts is 'none'); set it to False",
                                "waits_for_flow_deletes")
        if self.unregister_at_apc_level and not self.unregisters:
            raise ScenarioError("this driver never unregisters its callouts "
                                "(unregisters is False)", "unregister_at_apc_level")
        static = self.filters in (FilterRemoval.DELETED_BY_KEY, FilterRemoval.LEFT_IN_PLACE)
        if self.persistent_filters and not static:
            raise ScenarioError("the lab shows persistent filters added in a static session only (filters "
                                f"'deleted-by-key' or 'left-in-place', not {self.filters.value!r})",
                                "persistent_filters")
        if self.concurrent_registration and not self.unregisters:
            raise ScenarioError("this driver never unregisters its callouts (unregisters is False)",
                                "concurrent_registration")
        if self.concurrent_registration and self.unregister_at_apc_level:
            raise ScenarioError("unregistering at APC_LEVEL already fails every call (unregister_at_apc_level is "
                                "True)", "concurrent_registration")
        if self.concurrent_registration and self.classify_in_progress:
            raise ScenarioError("a classifyFn of callout 0 is already in the way (classify_in_progress is True); "
                                "choose one", "concurrent_registration")
        if self.unregister_in is UnregisterPlace.SELF_MANAGED_IO_CLEANUP and self.model is not DriverModel.WDF_PNP:
            raise ScenarioError(f"'self-managed-io-cleanup' needs model 'wdf-pnp'; a "
                                f"{self.model.value} callout driver takes its callouts down in its unload function",
                                "unregister_in")
        if self.dependent_services and not self.driver_entry_returns.nt_success:
            raise ScenarioError("the SCM starts a service's dependencies first, so nothing "
                                "depending on it runs when its DriverEntry failed", "dependent_services")

    def knobs(self) -> dict[str, Any]:
        """The knobs, JSON-able, for echoing (windows.family.echo: in field order)."""
        return echo(self)

    @property
    def driver_unload_set(self) -> bool:
        """Whether DriverObject->DriverUnload is non-NULL after DriverEntry: a WDM driver sets it
        itself (wfp-wdm-driverunload); KMDF sets its own routine always for a PnP driver
        (callout-kmdf-pnp-always-unload) and for a non-PnP one only with an EvtDriverUnload
        (callout-kmdf-nonpnp-needs-evt)."""
        return self.model is DriverModel.WDF_PNP or self.unload_function

    @property
    def removes_first(self) -> bool:
        """The teardown removes every flow context before it unregisters anything."""
        return self.remove_flow_contexts in (ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.BEFORE_AND_ON_BUSY)

    @property
    def retries_on_failure(self) -> bool:
        """On a failed unregister the teardown removes that callout's contexts and tries again."""
        return self.remove_flow_contexts in (ContextRemoval.ON_DEVICE_BUSY, ContextRemoval.BEFORE_AND_ON_BUSY)

    @property
    def unregister_place(self) -> UnregisterPlace:
        """Where the callouts are taken down: ``unregister_in``, or the right place for the model."""
        if self.unregister_in is not None:
            return self.unregister_in
        return (UnregisterPlace.SELF_MANAGED_IO_CLEANUP if self.model is DriverModel.WDF_PNP
                else UnregisterPlace.UNLOAD_FUNCTION)

    @property
    def tears_down_in_cleanup(self) -> bool:
        return self.unregister_place is UnregisterPlace.SELF_MANAGED_IO_CLEANUP

    @property
    def contexts_per_callout(self) -> tuple[int, ...]:
        """The flows with a context, dealt round-robin over the callouts that processed them."""
        n, c = self.flows_with_context, self.callouts
        return tuple(n // c + (1 if i < n % c else 0) for i in range(c))


# The teardown done right: the defaults of its knobs, which a lesson sets on top of a
# scenario's own to show the canonical unload.
CANONICAL: dict[str, Any] = {f.name: f.default for f in fields(CalloutScenario) if f.name in (
    "check_unregister_result", "remove_flow_contexts", "waits_for_flow_deletes", "filters",
    "drains_before_unregister", "unregister_at_apc_level")}
