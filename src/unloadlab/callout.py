"""The WFP callout driver model: how a callout driver names its unload function, how a
service stop (or, for a PnP driver, a device removal) reaches it, and what it does with
its callouts and the flow contexts they hold.

``CalloutScenario`` holds the knobs; ``simulate(scenario)`` returns a ``Trace``
(model "callout"). Every decision below cites the rule that makes it; each rule is
decided here only. ``decision_space()`` enumerates the knob combinations that matter.
"""
from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field, fields
from typing import Any, Iterator

from .minifilter import ERROR_INVALID_SERVICE_CONTROL, ERROR_SERVICE_NOT_ACTIVE, Trigger
from .ntstatus import NtStatus, StatusError, parse_status, status
from .trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace

__all__ = [
    "DriverModel", "CalloutTrigger", "ContextRemoval", "FlowRemoval", "CalloutScenario", "simulate",
    "decision_space", "SERVICE_NAME", "MAX_FLOWS", "MAX_CALLOUTS", "NOT_DOCUMENTED",
]

SERVICE_NAME = "SampleCallout"
MAX_FLOWS = 64
MAX_CALLOUTS = 8
NOT_DOCUMENTED = "(not documented)"   # an unregister result no source gives (open question 10)

SUCCESS = status("STATUS_SUCCESS")
_BUSY = "STATUS_DEVICE_BUSY"
_SC_1052_TEXT = "The requested control is not valid for this service."  # field-observed (domain-facts #4)


class DriverModel(str, enum.Enum):
    """How the driver is built, and so who fills in DriverObject->DriverUnload."""

    WDM = "wdm"          # DriverEntry stores its Unload routine itself
    WDF = "wdf"          # KMDF with WdfDriverInitNonPnpDriver and EvtDriverUnload (the seed's example)
    WDF_PNP = "wdf-pnp"  # KMDF without that flag: the contrast of domain-facts #39


class CalloutTrigger(str, enum.Enum):
    """What asks for the unload. The service stops use the minifilter's trigger names."""

    SC_STOP = Trigger.SC_STOP.value
    NET_STOP = Trigger.NET_STOP.value
    CONTROL_SERVICE = Trigger.CONTROL_SERVICE.value
    SHUTDOWN = Trigger.SHUTDOWN.value
    DEVICE_REMOVAL = "device-removal"   # the PnP way: the driver's last device goes (wdf-pnp only)


class ContextRemoval(str, enum.Enum):
    """Whether and when the unload function removes the contexts flows still carry."""

    NONE = "none"
    BEFORE_UNREGISTER = "before-unregister"   # what the ddproxy and msnmntr samples do
    ON_DEVICE_BUSY = "on-device-busy"         # the documentation's recovery: remove, then retry


class FlowRemoval(str, enum.Enum):
    """What FwpsFlowRemoveContext0 returns for the flows (domain-facts #45)."""

    SYNCHRONOUS = "synchronous"   # STATUS_SUCCESS: flowDeleteFn already ran
    PENDING = "pending"           # STATUS_PENDING: a classify is in progress, flowDeleteFn runs later


_SERVICE_STOPS = frozenset({CalloutTrigger.SC_STOP, CalloutTrigger.NET_STOP, CalloutTrigger.CONTROL_SERVICE})
_CALLERS = {  # trigger: (the caller's lifeline, who starts it, the call it makes)
    CalloutTrigger.SC_STOP: ("sc.exe", "an administrator at a command prompt", f"sc stop {SERVICE_NAME}"),
    CalloutTrigger.NET_STOP: ("net.exe", "an administrator at a command prompt", f"net stop {SERVICE_NAME}"),
    CalloutTrigger.CONTROL_SERVICE: ("application (advapi32)", "a user-mode application",
                                     "ControlService(hService, SERVICE_CONTROL_STOP, &Status)"),
    CalloutTrigger.SHUTDOWN: ("system", "the system", "system shutdown"),
    CalloutTrigger.DEVICE_REMOVAL: ("administrator", "an administrator", "remove the driver's last device"),
}
_MINIFILTER_ONLY = {t.value for t in Trigger} - {t.value for t in CalloutTrigger}


def _choice(enum_cls: type[enum.Enum], value: Any, knob: str, hint: str = "") -> Any:
    if isinstance(value, enum_cls):
        return value
    for member in enum_cls:
        if value == member.value:
            return member
    accepted = ", ".join(m.value for m in enum_cls)
    raise ScenarioError(f"{knob}: {value!r} is not one of: {accepted}{hint}")


def _whole(value: Any, knob: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScenarioError(f"{knob}: expected a whole number {low}..{high}, got {value!r}")
    return value


@dataclass(frozen=True)
class CalloutScenario:
    """The knobs of one callout driver unload. Strings are accepted and checked."""

    model: DriverModel = DriverModel.WDM
    trigger: CalloutTrigger = CalloutTrigger.SC_STOP
    unload_function: bool = True             # DriverEntry names an Unload / EvtDriverUnload
    unregisters: bool = True                 # the unload function calls FwpsCalloutUnregisterById0
    check_unregister_result: bool = True     # it tests NT_SUCCESS on each result (inspect does not)
    flows_with_context: int = 0              # flows carrying a context at unload time, spread over the callouts
    remove_flow_contexts: ContextRemoval = ContextRemoval.NONE
    flow_removal: FlowRemoval = FlowRemoval.SYNCHRONOUS
    callouts: int = 2                        # callouts registered in DriverEntry
    driver_entry_returns: NtStatus = SUCCESS

    def __post_init__(self) -> None:
        put = lambda name, v: object.__setattr__(self, name, v)  # noqa: E731 (frozen)
        put("model", _choice(DriverModel, self.model, "model"))
        hint = (" (a filter-manager request for minifilters; a callout driver is stopped as a service)"
                if self.trigger in _MINIFILTER_ONLY else "")
        put("trigger", _choice(CalloutTrigger, self.trigger, "trigger", hint))
        put("remove_flow_contexts", _choice(ContextRemoval, self.remove_flow_contexts, "remove_flow_contexts"))
        put("flow_removal", _choice(FlowRemoval, self.flow_removal, "flow_removal"))
        try:
            put("driver_entry_returns", parse_status(self.driver_entry_returns))
        except StatusError as e:
            raise ScenarioError(f"driver_entry_returns: {e}") from None
        for f in fields(self):
            if f.type == "bool" and not isinstance(getattr(self, f.name), bool):
                raise ScenarioError(f"{f.name}: expected True or False, got {getattr(self, f.name)!r}")
        _whole(self.flows_with_context, "flows_with_context", 0, MAX_FLOWS)
        _whole(self.callouts, "callouts", 1, MAX_CALLOUTS)
        self._check_combination()

    def _check_combination(self) -> None:
        """Knob values that contradict each other."""
        if self.trigger is CalloutTrigger.DEVICE_REMOVAL and self.model is not DriverModel.WDF_PNP:
            raise ScenarioError(f"trigger: 'device-removal' needs model 'wdf-pnp'; a {self.model.value} callout "
                                "driver is not PnP and is unloaded by a service stop")
        if self.remove_flow_contexts is ContextRemoval.ON_DEVICE_BUSY and not self.check_unregister_result:
            raise ScenarioError("remove_flow_contexts: 'on-device-busy' cannot go with ignoring the unregister "
                                "result: the retry starts from seeing STATUS_DEVICE_BUSY")
        if self.flow_removal is FlowRemoval.PENDING and self.remove_flow_contexts is ContextRemoval.NONE:
            raise ScenarioError("flow_removal: 'pending' needs flow contexts to be removed, but "
                                "remove_flow_contexts is 'none'")

    def knobs(self) -> dict[str, Any]:
        """The knobs, JSON-able, for echoing."""
        return {
            "model": self.model.value,
            "trigger": self.trigger.value,
            "unload_function": self.unload_function,
            "unregisters": self.unregisters,
            "check_unregister_result": self.check_unregister_result,
            "flows_with_context": self.flows_with_context,
            "remove_flow_contexts": self.remove_flow_contexts.value,
            "flow_removal": self.flow_removal.value,
            "callouts": self.callouts,
            "driver_entry_returns": self.driver_entry_returns.describe(),
        }

    @property
    def driver_unload_set(self) -> bool:
        """Whether DriverObject->DriverUnload is non-NULL after DriverEntry: a WDM driver sets it
        itself (wfp-wdm-driverunload); KMDF sets its own routine always for a PnP driver
        (callout-kmdf-pnp-always-unload) and for a non-PnP one only with an EvtDriverUnload
        (callout-kmdf-nonpnp-needs-evt)."""
        return self.model is DriverModel.WDF_PNP or self.unload_function

    @property
    def contexts_per_callout(self) -> tuple[int, ...]:
        """The flows with a context, dealt round-robin over the callouts that processed them."""
        n, c = self.flows_with_context, self.callouts
        return tuple(n // c + (1 if i < n % c else 0) for i in range(c))


def simulate(scenario: CalloutScenario) -> Trace:
    """Run one scenario through the model and return its trace."""
    if not isinstance(scenario, CalloutScenario):
        raise ScenarioError(f"simulate() needs a CalloutScenario, got {type(scenario).__name__}")
    return _Run(scenario).run()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ----------------------------------------------------------------------------------------
@dataclass
class _Run:
    """One simulation's working state; local to simulate(), never shared."""

    sc: CalloutScenario
    steps: list[Step] = field(default_factory=list)
    registered: list[bool] = field(default_factory=list)   # per callout: still registered
    contexts: list[int] = field(default_factory=list)      # per callout: flows still carrying a context
    pending: list[int] = field(default_factory=list)       # per callout: flowDeleteFn calls not yet made
    unregister_results: list[str] = field(default_factory=list)
    flow_delete_calls: int = 0
    driver_unload_called: bool = False
    unload_function_called: bool = False
    silent_result: bool = False
    returned: str = ""
    printed: tuple[str, ...] = ()

    def step(self, actor: Actor, kind: Kind, action: str, detail: str, rules: tuple[str, ...],
             target: Actor | None = None, status: str | None = None, mark: Mark | None = None) -> None:
        self.steps.append(Step(actor, kind, action, detail, rules, target, status, mark))

    # --- the whole run ------------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        if not self.load():
            self.request_after_failed_load()
            outcome, unloaded = Outcome.DRIVER_ENTRY_FAILED, True
        elif sc.trigger is CalloutTrigger.SHUTDOWN:
            outcome, unloaded = self.shutdown(), False
        else:
            outcome = self.unload_request()
            unloaded = outcome is Outcome.UNLOADED or outcome is Outcome.HAZARD
        return Trace(
            model="callout", inputs=sc.knobs(), steps=tuple(self.steps), outcome=outcome,
            headline=self.headline(outcome),
            state={
                "mandatory": sc.trigger in _SERVICE_STOPS,
                "caller": _CALLERS[sc.trigger][0],
                "driver_unload_set": sc.driver_unload_set,
                "driver_unload_called": self.driver_unload_called,
                "unload_function_called": self.unload_function_called,
                "unloaded": unloaded,
                "callouts_registered": sum(self.registered),
                "unregister_results": list(self.unregister_results),
                "flow_contexts_remaining": sum(self.contexts) + sum(self.pending),
                "flow_delete_calls": self.flow_delete_calls,
                "requester_got": self.returned,
                "printed": list(self.printed),
            },
        )

    def headline(self, outcome: Outcome) -> str:
        sc, left = self.sc, sum(self.registered)
        who = sc.trigger.value
        text = {
            Outcome.UNLOADED: f"{who}: every callout was unregistered and the driver was unloaded.",
            Outcome.FAILED: (f"{who}: a PnP driver cannot be unloaded by a service stop; nothing of it was called."
                             if sc.model is DriverModel.WDF_PNP else
                             f"{who}: the driver has no DriverUnload routine, so it cannot be unloaded; "
                             "nothing of it was called."),
            Outcome.HAZARD: f"{who}: the image was unloaded with {_plural(left, 'callout')} still registered; "
                            "the filter engine may call into code that is gone.",
            Outcome.SHUTDOWN: "System shutdown: no unload function is called and the callouts stay registered.",
            Outcome.DRIVER_ENTRY_FAILED: "DriverEntry failed, so the image was simply unloaded; the unload "
                                         "function never ran (DriverEntry unregistered its own callouts).",
        }[outcome]
        if self.silent_result:
            text += " One unregister result is not documented: see the step marked 'documentation silent'."
        return text

    # --- DriverEntry ------------------------------------------------------------------------
    def load(self) -> bool:
        """DriverEntry: name the unload function, register the callouts. False when it fails."""
        sc = self.sc
        self.step(Actor.IO_MANAGER, Kind.CALL, "DriverEntry(DriverObject, RegistryPath)",
                  f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
                  ("wfp-unload-required",), Actor.CALLOUT_DRIVER)
        if sc.model is DriverModel.WDM:
            self.name_wdm_unload()
        else:
            self.name_kmdf_unload()
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "FwpsInjectionHandleCreate0(..., &InjectionHandle)",
                  "Gets an injection handle, as the samples do; the unload function must destroy it.",
                  ("wfp-sample-register-in-driverentry",), Actor.FILTER_ENGINE)
        for i in range(sc.callouts):
            self.step(Actor.CALLOUT_DRIVER, Kind.CALL, f"FwpsCalloutRegister0(DeviceObject, &Callout{i}, "
                      f"&CalloutIds[{i}])",
                      f"Registers callout {i} (its classifyFn, notifyFn and flowDeleteFn) with the filter engine.",
                      ("wfp-sample-register-in-driverentry",), Actor.FILTER_ENGINE)
        self.registered = [True] * sc.callouts
        de = sc.driver_entry_returns
        if not de.nt_success:
            self.fail_driver_entry(de)
            return False
        self.step(Actor.CALLOUT_DRIVER, Kind.RETURN, "DriverEntry returns",
                  f"DriverEntry returns {de.describe()}: the driver is loaded and its callouts are registered.",
                  ("ntstatus-severity",), Actor.IO_MANAGER, de.label)
        self.contexts = list(sc.contexts_per_callout)
        self.pending = [0] * sc.callouts
        if sc.flows_with_context:
            spread = ", ".join(f"callout {i}: {n}" for i, n in enumerate(self.contexts) if n)
            self.step(Actor.FILTER_ENGINE, Kind.CALL, "classifyFn(...) on live traffic",
                      f"While traffic flows, the callouts attach a context to {_plural(sc.flows_with_context, 'flow')}"
                      f" with FwpsFlowAssociateContext0 ({spread}); each will get a flowDeleteFn call.",
                      ("wfp-flow-delete-fn",), Actor.CALLOUT_DRIVER)
        return True

    def name_wdm_unload(self) -> None:
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "IoCreateDevice(DriverObject, ..., &DeviceObject)",
                  "Creates the device object its callouts will be registered with.",
                  ("wfp-sample-register-in-driverentry",), Actor.IO_MANAGER)
        if self.sc.unload_function:
            self.step(Actor.CALLOUT_DRIVER, Kind.ACTION, "DriverObject->DriverUnload = Unload",
                      "DriverEntry names its Unload routine; the system will call it to unload the driver.",
                      ("wfp-wdm-driverunload", "wfp-unload-called-on-unload"))
        else:
            self.step(Actor.CALLOUT_DRIVER, Kind.ACTION, "DriverObject->DriverUnload left NULL",
                      "DriverEntry names no Unload routine, so nothing can unload this driver.",
                      ("wfp-unload-required", "callout-wdm-unload-expected", "wfp-no-unload-function"))

    def name_kmdf_unload(self) -> None:
        sc = self.sc
        pnp = sc.model is DriverModel.WDF_PNP
        flags = "0 (a PnP driver)" if pnp else "WdfDriverInitNonPnpDriver"
        evt = "Unload" if sc.unload_function else "NULL"
        rules = ("wfp-wdf-evtdriverunload",) + (() if pnp else ("wfp-wdf-nonpnp",))
        if not sc.unload_function:
            rules += ("wfp-unload-required",)
        self.step(Actor.CALLOUT_DRIVER, Kind.ACTION, f"WDF_DRIVER_CONFIG: DriverInitFlags = {flags}, "
                  f"EvtDriverUnload = {evt}",
                  "DriverEntry fills in the driver configuration it will hand to the framework.", rules)
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "WdfDriverCreate(DriverObject, RegistryPath, ..., &config, "
                  "&Driver)", "The framework creates the WDFDRIVER object and wires up the driver object.",
                  ("wfp-wdf-evtdriverunload",), Actor.FRAMEWORK)
        if pnp:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "AddDevice = FxDriver::AddDevice; DriverUnload = FxDriver::Unload",
                      "For a PnP driver the framework always installs its own DriverUnload, EvtDriverUnload or "
                      "not, and an AddDevice routine, which makes the kernel count the driver as PnP.",
                      ("callout-kmdf-pnp-always-unload", "callout-kmdf-pnp-adddevice"))
            return
        if sc.unload_function:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "DriverObject->DriverUnload = FxDriver::Unload",
                      "Non-PnP with an EvtDriverUnload: the framework installs its own DriverUnload, which "
                      "will call EvtDriverUnload.", ("callout-kmdf-nonpnp-needs-evt",))
        else:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "DriverObject->DriverUnload = NULL",
                      "Non-PnP without an EvtDriverUnload: the framework leaves DriverUnload NULL, so nothing can "
                      "unload this driver.", ("callout-kmdf-nonpnp-needs-evt", "wfp-no-unload-function"))
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "WdfControlDeviceInitAllocate, WdfDeviceCreate, "
                  "WdfControlFinishInitializing", "Creates a control device; its device object is what the "
                  "callouts are registered with.", ("wfp-sample-register-in-driverentry",), Actor.FRAMEWORK)

    def fail_driver_entry(self, de: NtStatus) -> None:
        """A later step of DriverEntry failed: it undoes its registrations and returns the error."""
        for i in range(self.sc.callouts):
            self.unregister(i, ("wfp-sample-failed-entry-cleanup",), "DriverEntry is failing, so it unregisters "
                            f"callout {i} itself before returning.")
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                  "And destroys its injection handle.", ("wfp-sample-failed-entry-cleanup",), Actor.FILTER_ENGINE)
        self.step(Actor.CALLOUT_DRIVER, Kind.RETURN, "DriverEntry returns",
                  f"DriverEntry returns {de.describe()}: a failure, since NT_SUCCESS is false.",
                  ("callout-no-unload-after-failed-entry", "ntstatus-severity"), Actor.IO_MANAGER, de.label,
                  Mark.FAILED)
        self.step(Actor.IO_MANAGER, Kind.ACTION, "image unloaded; the unload function is not called",
                  "After a failed DriverEntry the image is simply unloaded: no Unload or EvtDriverUnload runs.",
                  ("callout-no-unload-after-failed-entry",))
        self.step(Actor.FILTER_ENGINE, Kind.NOTE, "no callout left behind, by the driver's own doing",
                  "Nothing documented would remove callouts a failing DriverEntry left registered; this driver "
                  "unregistered them itself.", ("wfp-silent-failed-entry-callouts",), mark=Mark.SILENT)

    # --- the requests ---------------------------------------------------------------------
    def request_after_failed_load(self) -> None:
        """DriverEntry failed: whatever is asked for now finds no driver."""
        t = self.sc.trigger
        if t is CalloutTrigger.SHUTDOWN:
            self.step(Actor.CALLER, Kind.NOTE, "system shutdown",
                      "The driver is no longer loaded, so nothing of it runs at shutdown.",
                      ("callout-no-unload-after-failed-entry", "callout-no-unload-at-shutdown"))
        elif t is CalloutTrigger.DEVICE_REMOVAL:
            self.step(Actor.CALLER, Kind.NOTE, "no device to remove",
                      "The driver never finished loading, so it has no device to remove and nothing of it runs.",
                      ("callout-no-unload-after-failed-entry",))
            self.returned = "nothing to remove: the driver is not loaded"
        else:
            self.ask_scm()
            self.step(Actor.SCM, Kind.RETURN, f"fails: ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})",
                      "The service is not running, because its DriverEntry failed.",
                      ("service-not-active", "callout-no-unload-after-failed-entry"), Actor.CALLER,
                      f"ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})", Mark.FAILED)
            self.win32_result(ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE")

    def shutdown(self) -> Outcome:
        kmdf = self.sc.model is not DriverModel.WDM
        self.step(Actor.CALLER, Kind.CALL, "system shutdown",
                  "The system is shutting down: that is not a request to unload the driver.",
                  ("callout-no-unload-at-shutdown",), Actor.IO_MANAGER)
        self.step(Actor.IO_MANAGER, Kind.NOTE, "DriverUnload not called",
                  "No unload routine runs at shutdown"
                  + ("; EvtDriverUnload is only ever called from the framework's DriverUnload, so it does not "
                     "run either." if kmdf else "; shutdown work would need a DispatchShutdown routine."),
                  ("callout-no-unload-at-shutdown",) + (("callout-kmdf-unload-order",) if kmdf else ()))
        self.step(Actor.FILTER_ENGINE, Kind.NOTE, f"{_plural(self.sc.callouts, 'callout')} still registered",
                  "What the filter engine does with them as the system goes down is not documented.",
                  ("wfp-silent-shutdown",), mark=Mark.SILENT)
        return Outcome.SHUTDOWN

    def unload_request(self) -> Outcome:
        """A service stop, or (PnP) the removal of the driver's last device."""
        sc = self.sc
        if sc.trigger is CalloutTrigger.DEVICE_REMOVAL:
            self.step(Actor.CALLER, Kind.CALL, "remove the driver's last device",
                      "An administrator removes the device; with none of its devices left, the PnP manager "
                      "unloads the driver.", ("callout-pnp-unload-after-removal",), Actor.IO_MANAGER)
        else:
            self.ask_scm()
            path = rf"\Registry\Machine\System\CurrentControlSet\Services\{SERVICE_NAME}"
            self.step(Actor.SCM, Kind.CALL, f"NtUnloadDriver({path})",
                      "The SCM enables SeLoadDriverPrivilege in its own process and asks the kernel to unload "
                      "the driver.", ("scm-ntunloaddriver",), Actor.IO_MANAGER)
            if sc.model is DriverModel.WDF_PNP:
                self.refuse("The driver has an AddDevice routine, so the kernel counts it as PnP and will not "
                            "unload it by name; nothing of the driver is called.",
                            ("callout-ntunload-refuses-pnp", "callout-kmdf-pnp-adddevice"))
                return Outcome.FAILED
            if not sc.driver_unload_set:
                model_rule = ("callout-wdm-unload-expected" if sc.model is DriverModel.WDM
                              else "callout-kmdf-nonpnp-needs-evt")
                self.refuse("There is no DriverUnload routine, so the kernel refuses; nothing of the driver is "
                            "called.", ("null-driverunload", "wfp-no-unload-function", model_rule))
                return Outcome.FAILED
        self.call_driver_unload()
        self.step(Actor.IO_MANAGER, Kind.ACTION, "unloads the image",
                  "DriverUnload has returned, so the driver's image leaves memory.",
                  ("callout-driverunload-void", "wfp-unload-called-on-unload"))
        self.succeed_to_caller()
        if any(self.registered):
            self.hazard()
            return Outcome.HAZARD
        return Outcome.UNLOADED

    def ask_scm(self) -> None:
        caller, who, call = _CALLERS[self.sc.trigger]
        self.step(Actor.CALLER, Kind.CALL, call,
                  f"{who.capitalize()} asks the service control manager to stop the driver's service.",
                  ("mandatory-triggers",), Actor.SCM)

    def refuse(self, detail: str, rules: tuple[str, ...]) -> None:
        """NtUnloadDriver fails with STATUS_INVALID_DEVICE_REQUEST; the caller sees 1052."""
        self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver fails", detail, rules, Actor.SCM,
                  "STATUS_INVALID_DEVICE_REQUEST", Mark.FAILED)
        self.step(Actor.SCM, Kind.RETURN, f"fails: error {ERROR_INVALID_SERVICE_CONTROL}",
                  "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                  ("sc-stop-1052", "silent-sc-output"), Actor.CALLER,
                  f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", Mark.FAILED)
        self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")

    def succeed_to_caller(self) -> None:
        if self.sc.trigger is CalloutTrigger.DEVICE_REMOVAL:
            self.returned = "the device is removed and the driver unloaded"
            return
        self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver returns", "The driver is unloaded.",
                  ("unload-in-system-thread",), Actor.SCM, "STATUS_SUCCESS")
        self.step(Actor.SCM, Kind.RETURN, "the service is stopped",
                  "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                  ("silent-sc-output",), Actor.CALLER, "success")
        self.returned = "success: the service is stopped"

    def win32_result(self, error: int, name: str) -> None:
        """What each service-stop caller shows for a Win32 error; sc's lines only where the facts give them."""
        t = self.sc.trigger
        self.returned = f"Win32 error {error} ({name})"
        if t is CalloutTrigger.SC_STOP and error == ERROR_INVALID_SERVICE_CONTROL:
            self.printed = (f"[SC] ControlService FAILED {error}:", "", _SC_1052_TEXT)
        elif t is CalloutTrigger.CONTROL_SERVICE:
            self.returned = f"ControlService returns FALSE; GetLastError() = {error} ({name})"
        elif t is CalloutTrigger.NET_STOP:
            self.returned += "; net's exact wording is not documented"

    # --- DriverUnload and the unload function ------------------------------------------------
    def call_driver_unload(self) -> None:
        """The kernel calls DriverUnload: the driver's Unload (WDM) or the framework's (KMDF)."""
        sc = self.sc
        self.driver_unload_called = True
        how = (("unload-in-system-thread",) if sc.trigger is not CalloutTrigger.DEVICE_REMOVAL
               else ("callout-pnp-unload-after-removal",))
        if sc.model is DriverModel.WDM:
            self.step(Actor.IO_MANAGER, Kind.CALL, "Unload(DriverObject)",
                      "The I/O manager calls DriverUnload, which is the driver's own Unload routine; it returns "
                      "nothing, so from here the driver cannot stop the unload.",
                      how + ("wfp-unload-called-on-unload", "callout-driverunload-void"), Actor.CALLOUT_DRIVER)
            self.unload_function("Unload", Actor.IO_MANAGER)
            return
        self.step(Actor.IO_MANAGER, Kind.CALL, "FxDriver::Unload(DriverObject)",
                  "DriverUnload is the framework's routine; it returns nothing.",
                  how + ("callout-kmdf-unload-order", "callout-driverunload-void"), Actor.FRAMEWORK)
        if sc.unload_function:
            self.step(Actor.FRAMEWORK, Kind.CALL, "EvtDriverUnload(Driver)",
                      "The framework calls the driver's EvtDriverUnload first.",
                      ("callout-kmdf-unload-order", "callout-kmdf-evtdriverunload", "wfp-unload-called-on-unload"),
                      Actor.CALLOUT_DRIVER)
            self.unload_function("EvtDriverUnload", Actor.FRAMEWORK)
        else:
            self.step(Actor.FRAMEWORK, Kind.NOTE, "no EvtDriverUnload to call",
                      "The framework's DriverUnload finds no EvtDriverUnload: nothing of the driver runs, so "
                      "nothing unregisters its callouts.",
                      ("callout-kmdf-pnp-always-unload", "wfp-unload-must-unregister"), mark=Mark.HAZARD)
        deletes = ("callout-kmdf-unload-order",) + (
            () if sc.model is DriverModel.WDF_PNP else ("callout-kmdf-deletes-control-device",))
        self.step(Actor.FRAMEWORK, Kind.ACTION, "deletes the WDFDRIVER and its children",
                  "Then the framework deletes the driver object it created"
                  + ("." if sc.model is DriverModel.WDF_PNP else ", and with it the control device."), deletes)
        self.step(Actor.FRAMEWORK, Kind.RETURN, "FxDriver::Unload returns", "The framework's DriverUnload is done.",
                  ("callout-kmdf-unload-order",), Actor.IO_MANAGER)

    def unload_function(self, name: str, caller: Actor) -> None:
        """The driver's Unload / EvtDriverUnload: contexts, callouts, device, injection handle."""
        sc = self.sc
        self.unload_function_called = True
        if sc.remove_flow_contexts is ContextRemoval.BEFORE_UNREGISTER:
            self.remove_contexts(range(sc.callouts), ("wfp-sample-remove-contexts-first",))
        if sc.unregisters:
            self.unregister_all()
        else:
            self.step(Actor.CALLOUT_DRIVER, Kind.NOTE, "FwpsCalloutUnregisterById0 never called",
                      f"The unload function forgets its callouts: all {sc.callouts} stay registered with the "
                      "filter engine.", ("wfp-unload-must-unregister", "wfp-unregister-by-id"), mark=Mark.HAZARD)
        if sc.model is DriverModel.WDM:
            self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "IoDeleteDevice(DeviceObject)",
                      "A non-PnP driver deletes the device object it created.",
                      ("wfp-unload-deletes-device", "callout-nonpnp-unload-deletes-devices"), Actor.IO_MANAGER)
        elif sc.model is DriverModel.WDF:
            self.step(Actor.CALLOUT_DRIVER, Kind.NOTE, "control device left to the framework",
                      "Like the samples, it does not call WdfObjectDelete on its control device; the unloading "
                      "page asks for it, but the framework deletes the device after EvtDriverUnload anyway.",
                      ("wfp-sample-keep-device", "callout-kmdf-deletes-control-device", "wfp-unload-deletes-device"))
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                  "Destroys its injection handle.", ("wfp-unload-deletes-device",), Actor.FILTER_ENGINE)
        self.step(Actor.CALLOUT_DRIVER, Kind.RETURN, f"{name} returns", "The unload function is done; it returns "
                  "nothing.", ("callout-driverunload-void",) if caller is Actor.IO_MANAGER
                  else ("callout-kmdf-evtdriverunload",), caller)

    def unregister_all(self) -> None:
        """FwpsCalloutUnregisterById0 for each callout, reacting to STATUS_DEVICE_BUSY as the knobs say."""
        sc = self.sc
        for i in range(sc.callouts):
            if self.unregister(i, ("wfp-unregister-by-id",), f"Unregisters callout {i}.") != _BUSY:
                continue
            if not sc.check_unregister_result:
                continue  # the ignored result is marked on the return step itself
            if sc.remove_flow_contexts is ContextRemoval.ON_DEVICE_BUSY:
                self.step(Actor.CALLOUT_DRIVER, Kind.ACTION, "NT_SUCCESS(status) is false: recover",
                          "STATUS_DEVICE_BUSY is a warning, so the NT_SUCCESS test catches it; the driver removes "
                          "the callout's flow contexts and tries again.",
                          ("wfp-busy-recovery", "wfp-device-busy-is-warning"))
                self.remove_contexts((i,), ("wfp-busy-recovery",))
                self.unregister(i, ("wfp-busy-recovery", "wfp-unregister-by-id"),
                                f"Unregisters callout {i} again, now that its contexts are removed.")
                continue
            left = sum(self.registered)
            self.step(Actor.CALLOUT_DRIVER, Kind.ACTION, "gives up at the first failure",
                      f"The result is checked but there is no recovery: like msnmntr's helper it stops here and "
                      f"leaves {_plural(left, 'callout')} registered.",
                      ("wfp-sample-stop-at-first-failure", "wfp-device-busy-is-warning"), mark=Mark.FAILED)
            break
        if not all(self.registered):
            self.step(Actor.FILTER_ENGINE, Kind.NOTE, "filters that name the removed callouts",
                      "Unregistering worked even if filters still name these callouts; those filters now block "
                      "(terminating or unknown action) or are skipped (inspection).",
                      ("wfp-filters-after-unregister",))

    def unregister(self, i: int, rules: tuple[str, ...], detail: str) -> str:
        """One FwpsCalloutUnregisterById0 call and its result, which is recorded and returned."""
        sc = self.sc
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])", detail, rules,
                  Actor.FILTER_ENGINE)
        busy = self.contexts[i] if self.contexts else 0
        if busy:
            result = _BUSY
            mark = None if sc.remove_flow_contexts is ContextRemoval.ON_DEVICE_BUSY else Mark.FAILED
            why = f"{_plural(busy, 'flow')} this callout processed still carry a context, so it stays registered"
            back = ("wfp-unregister-busy", "wfp-device-busy-is-warning")
            if not sc.check_unregister_result:
                mark, why = Mark.IGNORED, why + "; the driver never looks at the result (like the inspect sample)"
                back += ("wfp-sample-ignores-result",)
            self.step(Actor.FILTER_ENGINE, Kind.RETURN, "FwpsCalloutUnregisterById0 returns", why + ".", back,
                      Actor.CALLOUT_DRIVER, result, mark)
        elif self.pending and self.pending[i]:
            result = NOT_DOCUMENTED
            self.silent_result = True
            self.registered[i] = False
            self.step(Actor.FILTER_ENGINE, Kind.RETURN, "FwpsCalloutUnregisterById0 returns",
                      "flowDeleteFn has not yet run for this callout's removed contexts; what the call returns "
                      "then is not documented. The model carries on as if the callout was unregistered.",
                      ("wfp-silent-pending-unregister",), Actor.CALLOUT_DRIVER, result, Mark.SILENT)
            self.finish_pending(i)
        else:
            result = SUCCESS.label
            self.registered[i] = False
            self.step(Actor.FILTER_ENGINE, Kind.RETURN, "FwpsCalloutUnregisterById0 returns",
                      "No flow of this callout carries a context: it is unregistered.",
                      ("wfp-unregister-success",), Actor.CALLOUT_DRIVER, result)
        self.unregister_results.append(result)
        return result

    def remove_contexts(self, callouts: Any, rules: tuple[str, ...]) -> None:
        """FwpsFlowRemoveContext0 for every flow of these callouts that carries a context."""
        chosen = [i for i in callouts if self.contexts[i]]
        n = sum(self.contexts[i] for i in chosen)
        if not n:
            return
        whose = f"callout {chosen[0]}" if len(chosen) == 1 else "the callouts"
        self.step(Actor.CALLOUT_DRIVER, Kind.CALL, f"FwpsFlowRemoveContext0(FlowId, LayerId, CalloutId) x {n}",
                  f"Removes the context from each of the {_plural(n, 'flow')} of {whose}.",
                  rules + ("wfp-flow-remove-context",), Actor.FILTER_ENGINE)
        if self.sc.flow_removal is FlowRemoval.SYNCHRONOUS:
            self.step(Actor.FILTER_ENGINE, Kind.CALL, f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {n}",
                      "No classify is in progress, so the engine calls flowDeleteFn before the removal returns.",
                      ("wfp-flow-delete-fn", "wfp-flow-remove-context"), Actor.CALLOUT_DRIVER)
            self.flow_delete_calls += n
            self.step(Actor.FILTER_ENGINE, Kind.RETURN, "FwpsFlowRemoveContext0 returns",
                      "Each removal is complete.", ("wfp-flow-remove-context",), Actor.CALLOUT_DRIVER,
                      SUCCESS.label)
        else:
            self.step(Actor.FILTER_ENGINE, Kind.RETURN, "FwpsFlowRemoveContext0 returns",
                      "A classify is in progress on these flows: flowDeleteFn will be called later, on its own.",
                      ("wfp-flow-remove-context",), Actor.CALLOUT_DRIVER, "STATUS_PENDING")
            for i in chosen:
                self.pending[i] += self.contexts[i]
        for i in chosen:
            self.contexts[i] = 0

    def finish_pending(self, i: int) -> None:
        """The deferred flowDeleteFn calls for callout i; when they come is not documented."""
        n, self.pending[i] = self.pending[i], 0
        self.flow_delete_calls += n
        self.step(Actor.FILTER_ENGINE, Kind.CALL, f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {n}",
                  "The classify in progress finishes and the engine calls flowDeleteFn for the removed contexts; "
                  "the model lets that happen now, though when it happens is not documented.",
                  ("wfp-flow-delete-fn", "wfp-flow-remove-context", "wfp-silent-pending-unregister"),
                  Actor.CALLOUT_DRIVER, mark=Mark.SILENT)

    def hazard(self) -> None:
        """The image is gone but the filter engine still holds callouts that point into it."""
        left = [i for i, r in enumerate(self.registered) if r]
        flows = sum(self.contexts) + sum(self.pending)
        later = (f", or flowDeleteFn when one of the {_plural(flows, 'flow')} still carrying a context ends"
                 if flows else "")
        ids = ", ".join(map(str, left))
        self.step(Actor.FILTER_ENGINE, Kind.NOTE, f"callout{'s' if len(left) > 1 else ''} {ids} still registered",
                  f"The next classifyFn{later} would call into code that is no longer loaded.",
                  ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered"), mark=Mark.HAZARD)
        self.step(Actor.FILTER_ENGINE, Kind.NOTE, "what follows is not documented",
                  "No source says whether the kernel holds such an unload back or which crash follows; bug check "
                  "0xCE is documented for a related case (freed code reached through uncancelled work), not for "
                  "this one.", ("wfp-silent-registered-at-unload", "callout-bugcheck-0xce"), mark=Mark.SILENT)


# ----------------------------------------------------------------------------------------
_DRIVER_ENTRY_CLASSES = (status("STATUS_SUCCESS"), status("STATUS_OBJECT_NAME_EXISTS"),
                         status("STATUS_DEVICE_BUSY"), status("STATUS_UNSUCCESSFUL"))


def _unload_functions() -> Iterator[dict[str, Any]]:
    """Every unload function worth telling apart: none; one that forgets to unregister (with
    each way of removing contexts); one that unregisters, checking the result or not."""
    yield dict(unload_function=False)
    removals = [dict(remove_flow_contexts=ContextRemoval.NONE)] + [
        dict(remove_flow_contexts=r, flow_removal=f)
        for r in (ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.ON_DEVICE_BUSY) for f in FlowRemoval]
    for rm in removals:
        yield dict(unregisters=False, **rm)
    for check, rm in itertools.product((True, False), removals):
        if check or rm["remove_flow_contexts"] is not ContextRemoval.ON_DEVICE_BUSY:
            yield dict(check_unregister_result=check, **rm)


def decision_space() -> Iterator[CalloutScenario]:
    """Every model x trigger it accepts x unload function (see _unload_functions) x flows with a
    context (none, one, three) x callouts (one, three) x DriverEntry (each severity class).
    Knobs that cannot change a run (what an absent unload function would have done, or whether
    a function that never unregisters checks results) are left at their defaults."""
    pairs = [(m, t) for m in DriverModel for t in CalloutTrigger
             if t is not CalloutTrigger.DEVICE_REMOVAL or m is DriverModel.WDF_PNP]
    functions = list(_unload_functions())
    for (model, trig), fn, flows, callouts, de in itertools.product(
            pairs, functions, (0, 1, 3), (1, 3), _DRIVER_ENTRY_CLASSES):
        yield CalloutScenario(model=model, trigger=trig, flows_with_context=flows, callouts=callouts,
                              driver_entry_returns=de, **fn)
