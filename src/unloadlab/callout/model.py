"""The WFP callout driver model: how a callout driver names its unload function, how a
service stop (or, for a PnP driver, a device removal) reaches it, and what it does with
its callouts and the flow contexts they hold.

``CalloutScenario`` holds the knobs; ``simulate(scenario)`` returns a ``Trace``
(model "callout"). Every decision below cites the rule that makes it; each rule is
decided here only. ``decision_space()`` enumerates the knob combinations that matter.
"""
from __future__ import annotations

import enum
import functools
import itertools
from dataclasses import dataclass, fields
from typing import Any, Iterator

from ..windows import service
from ..windows.ntstatus import NtStatus, StatusError, parse_status, status
from ..windows.service import ERROR_INVALID_SERVICE_CONTROL, ERROR_SERVICE_NOT_ACTIVE, WIN32_MESSAGE_TEXT
from ..windows.trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace, parse_choice

__all__ = [
    "DriverModel", "CalloutTrigger", "ContextRemoval", "FlowRemoval", "CalloutScenario", "simulate",
    "decision_space", "SERVICE_NAME", "MAX_FLOWS", "MAX_CALLOUTS", "NOT_DOCUMENTED",
]

SERVICE_NAME = "SampleCallout"
MAX_FLOWS = 64
MAX_CALLOUTS = 8
NOT_DOCUMENTED = "(not documented)"   # an unregister result no source gives (open question 10)

SUCCESS = status("STATUS_SUCCESS")
_SUCCESS_LABEL = SUCCESS.label
_BUSY = "STATUS_DEVICE_BUSY"
_SC_1052_TEXT = WIN32_MESSAGE_TEXT[ERROR_INVALID_SERVICE_CONTROL]  # field-observed (domain-facts #4)


class DriverModel(str, enum.Enum):
    """How the driver is built, and so who fills in DriverObject->DriverUnload."""

    WDM = "wdm"          # DriverEntry stores its Unload routine itself
    WDF = "wdf"          # KMDF with WdfDriverInitNonPnpDriver and EvtDriverUnload (the seed's example)
    WDF_PNP = "wdf-pnp"  # KMDF without that flag: the contrast of domain-facts #39


class CalloutTrigger(str, enum.Enum):
    """What asks for the unload. The service stops use the minifilter's trigger names."""

    SC_STOP = service.SC_STOP
    NET_STOP = service.NET_STOP
    CONTROL_SERVICE = service.CONTROL_SERVICE
    SHUTDOWN = service.SHUTDOWN
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
_MINIFILTER_ONLY = service.FILTER_MANAGER_REQUESTS


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
    callouts: int = 2                        # callouts the driver registers
    driver_entry_returns: NtStatus = SUCCESS

    def __post_init__(self) -> None:
        put = lambda name, v: object.__setattr__(self, name, v)  # noqa: E731 (frozen)
        put("model", parse_choice(DriverModel, self.model, "model"))
        asked = getattr(self.trigger, "value", self.trigger)
        hint = (" (a filter-manager request for minifilters; a callout driver is stopped as a service)"
                if isinstance(asked, str) and asked in _MINIFILTER_ONLY else "")
        put("trigger", parse_choice(CalloutTrigger, self.trigger, "trigger", hint))
        put("remove_flow_contexts", parse_choice(ContextRemoval, self.remove_flow_contexts, "remove_flow_contexts"))
        put("flow_removal", parse_choice(FlowRemoval, self.flow_removal, "flow_removal"))
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
            raise ScenarioError("flow_removal: 'pending' says how flow contexts get removed, but this unload "
                                "function removes none (remove_flow_contexts is 'none')")

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


# --- steps ---------------------------------------------------------------------------------
# Looking an Enum member up on its class costs ~0.2 us on Python 3.11, so the run uses these
# aliases; and steps that never vary are made once (Steps are immutable, so sharing is safe).
_CALLER, _SCM, _IO, _FW, _DRIVER, _ENGINE = (Actor.CALLER, Actor.SCM, Actor.IO_MANAGER, Actor.FRAMEWORK,
                                             Actor.CALLOUT_DRIVER, Actor.FILTER_ENGINE)
_CALL, _RETURN, _ACTION, _NOTE = Kind.CALL, Kind.RETURN, Kind.ACTION, Kind.NOTE
_FAILED, _IGNORED, _HAZARD, _SILENT = Mark.FAILED, Mark.IGNORED, Mark.HAZARD, Mark.SILENT
_WDM, _WDF, _WDF_PNP = DriverModel.WDM, DriverModel.WDF, DriverModel.WDF_PNP
_SHUTDOWN, _DEVICE_REMOVAL = CalloutTrigger.SHUTDOWN, CalloutTrigger.DEVICE_REMOVAL
_SC_STOP, _NET_STOP, _CONTROL_SERVICE = CalloutTrigger.SC_STOP, CalloutTrigger.NET_STOP, CalloutTrigger.CONTROL_SERVICE
_BEFORE, _ON_BUSY = ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.ON_DEVICE_BUSY
_SYNCHRONOUS = FlowRemoval.SYNCHRONOUS
_UNLOADED, _HAZARD_OUTCOME = Outcome.UNLOADED, Outcome.HAZARD

# DriverEntry
_DRIVER_ENTRY = Step(_IO, _CALL, "DriverEntry(DriverObject, RegistryPath)",
                     f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
                     ("wfp-unload-required",), _DRIVER)
_IO_CREATE_DEVICE = Step(_DRIVER, _CALL, "IoCreateDevice(DriverObject, ..., &DeviceObject)",
                         "Creates the device object its callouts will be registered with.",
                         ("wfp-sample-register-in-driverentry",), _IO)
_WDM_UNLOAD_SET = Step(_DRIVER, _ACTION, "DriverObject->DriverUnload = Unload",
                       "DriverEntry names its Unload routine; the system will call it to unload the driver.",
                       ("wfp-wdm-driverunload", "wfp-unload-called-on-unload"))
_WDM_UNLOAD_NULL = Step(_DRIVER, _ACTION, "DriverObject->DriverUnload left NULL",
                        "DriverEntry names no Unload routine, so nothing can unload this driver.",
                        ("wfp-unload-required", "callout-wdm-unload-expected", "wfp-no-unload-function"))
_WDF_CONFIG = {  # (PnP, EvtDriverUnload given): the WDF_DRIVER_CONFIG that DriverEntry fills in
    (pnp, evt): Step(_DRIVER, _ACTION, "WDF_DRIVER_CONFIG: DriverInitFlags = "
                     + ("0 (a PnP driver)" if pnp else "WdfDriverInitNonPnpDriver")
                     + f", EvtDriverUnload = {'EvtDriverUnload' if evt else 'NULL'}",
                     "DriverEntry fills in the driver configuration it will hand to the framework.",
                     ("wfp-wdf-evtdriverunload",) + (() if pnp else ("wfp-wdf-nonpnp",))
                     + (() if evt else ("wfp-unload-required",)))
    for pnp in (False, True) for evt in (False, True)}
_WDF_DRIVER_CREATE = Step(_DRIVER, _CALL, "WdfDriverCreate(DriverObject, RegistryPath, ..., &config, &Driver)",
                          "The framework creates the WDFDRIVER object and wires up the driver object.",
                          ("wfp-wdf-evtdriverunload",), _FW)
_KMDF_PNP_WIRING = Step(_FW, _ACTION, "AddDevice = FxDriver::AddDevice; DriverUnload = FxDriver::Unload",
                        "For a PnP driver the framework always installs its own DriverUnload, EvtDriverUnload or "
                        "not, and an AddDevice routine, which makes the kernel count the driver as PnP.",
                        ("callout-kmdf-pnp-always-unload", "callout-kmdf-pnp-adddevice"))
_KMDF_UNLOAD_SET = Step(_FW, _ACTION, "DriverObject->DriverUnload = FxDriver::Unload",
                        "Non-PnP with an EvtDriverUnload: the framework installs its own DriverUnload, which will "
                        "call EvtDriverUnload.", ("callout-kmdf-nonpnp-needs-evt",))
_KMDF_UNLOAD_NULL = Step(_FW, _ACTION, "DriverObject->DriverUnload = NULL",
                         "Non-PnP without an EvtDriverUnload: the framework leaves DriverUnload NULL, so nothing "
                         "can unload this driver.", ("callout-kmdf-nonpnp-needs-evt", "wfp-no-unload-function"))
_CONTROL_DEVICE = Step(_DRIVER, _CALL, "WdfControlDeviceInitAllocate, WdfDeviceCreate, WdfControlFinishInitializing",
                       "Creates a control device; its device object is what the callouts are registered with.",
                       ("wfp-sample-register-in-driverentry",), _FW)
_INJECTION_CREATE = Step(_DRIVER, _CALL, "FwpsInjectionHandleCreate0(..., &InjectionHandle)",
                         "Gets an injection handle, as the samples do; the unload function must destroy it.",
                         ("wfp-sample-register-in-driverentry",), _ENGINE)
_REGISTER = {pnp: tuple(Step(_DRIVER, _CALL, f"FwpsCalloutRegister0(DeviceObject, &Callout{i}, &CalloutIds[{i}])",
                             f"Registers callout {i} (its classifyFn, notifyFn and flowDeleteFn) with the filter "
                             "engine.", ("callout-silent-pnp-registration" if pnp else
                                         "wfp-sample-register-in-driverentry",), _ENGINE)
                        for i in range(MAX_CALLOUTS)) for pnp in (False, True)}

# A PnP driver gets its device, and so registers its callouts, only when the device is added
_ADD_DEVICE = Step(_IO, _CALL, "AddDevice(DriverObject, PhysicalDeviceObject)",
                   "The PnP manager adds the driver's device; the AddDevice routine is the framework's.",
                   ("callout-kmdf-pnp-adddevice",), _FW)
_EVT_DEVICE_ADD = Step(_FW, _CALL, "EvtDriverDeviceAdd(Driver, DeviceInit)",
                       "The framework calls the driver's EvtDriverDeviceAdd.", ("callout-kmdf-pnp-adddevice",), _DRIVER)
_PNP_DEVICE_CREATE = Step(_DRIVER, _CALL, "WdfDeviceCreate(&DeviceInit, ..., &Device)",
                          "Creates the device: only now does a PnP driver have a device object to register its "
                          "callouts with.", ("callout-silent-pnp-registration",), _FW)
_DEVICE_ADD_RETURNS = (Step(_DRIVER, _RETURN, "EvtDriverDeviceAdd returns",
                      "The device is added and the callouts are registered.", ("callout-silent-pnp-registration",),
                      _FW, "STATUS_SUCCESS"),
                 Step(_FW, _RETURN, "AddDevice returns", "The framework's AddDevice passes the result on.",
                      ("callout-kmdf-pnp-adddevice",), _IO, "STATUS_SUCCESS"))

# A failing DriverEntry
_UNREGISTER_IN_ENTRY = tuple(Step(_DRIVER, _CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])",
                                  f"DriverEntry is failing, so it unregisters callout {i} itself before returning.",
                                  ("wfp-sample-failed-entry-cleanup",), _ENGINE) for i in range(MAX_CALLOUTS))
_INJECTION_DESTROY_IN_ENTRY = Step(_DRIVER, _CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                                   "And destroys its injection handle.", ("wfp-sample-failed-entry-cleanup",), _ENGINE)
_IMAGE_GONE_AFTER_FAILURE = Step(_IO, _ACTION, "image unloaded; the unload function is not called",
                                 "After a failed DriverEntry the image is simply unloaded: no Unload or "
                                 "EvtDriverUnload runs.", ("callout-no-unload-after-failed-entry",))
_NO_CALLOUT_LEFT = Step(_ENGINE, _NOTE, "no callout left behind, by the driver's own doing",
                        "Nothing documented would remove callouts a failing DriverEntry left registered; this "
                        "driver unregistered them itself.", ("wfp-silent-failed-entry-callouts",), mark=_SILENT)
_SHUTDOWN_AFTER_FAILURE = Step(_CALLER, _NOTE, "system shutdown",
                               "The driver is no longer loaded, so nothing of it runs at shutdown.",
                               ("callout-no-unload-after-failed-entry", "callout-no-unload-at-shutdown"))
_NOTHING_TO_REMOVE = Step(_CALLER, _NOTE, "no device to remove",
                          "The driver never finished loading, so it has no device to remove and nothing of it runs.",
                          ("callout-no-unload-after-failed-entry",))
_SERVICE_NOT_ACTIVE = Step(_SCM, _RETURN, f"fails: ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})",
                           "The service is not running, because its DriverEntry failed.",
                           ("service-not-active", "callout-no-unload-after-failed-entry"), _CALLER,
                           f"ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})", _FAILED)

# Shutdown
_SHUTDOWN_CALL = Step(_CALLER, _CALL, "system shutdown",
                      "The system is shutting down: that is not a request to unload the driver.",
                      ("callout-no-unload-at-shutdown",), _IO)
_NO_UNLOAD_AT_SHUTDOWN = {
    False: Step(_IO, _NOTE, "DriverUnload not called", "No unload routine runs at shutdown; shutdown work would "
                "need a DispatchShutdown routine.", ("callout-no-unload-at-shutdown",)),
    True: Step(_IO, _NOTE, "DriverUnload not called", "No unload routine runs at shutdown; EvtDriverUnload is "
               "only ever called from the framework's DriverUnload, so it does not run either.",
               ("callout-no-unload-at-shutdown", "callout-kmdf-unload-order")),
}

# The request
_ASK_SCM = {t: Step(_CALLER, _CALL, _CALLERS[t][2], f"{_CALLERS[t][1].capitalize()} asks the service control "
                    "manager to stop the driver's service.", ("mandatory-triggers",), _SCM) for t in _SERVICE_STOPS}
_REMOVE_DEVICE = Step(_CALLER, _CALL, _CALLERS[_DEVICE_REMOVAL][2],
                      "An administrator removes the device; with none of its devices left, the PnP manager "
                      "unloads the driver.", ("callout-pnp-unload-after-removal",), _IO)
_DEVICE_GONE = Step(_IO, _NOTE, "the callouts' device is gone",
                    "The device the callouts were registered with is removed before the unload function runs; "
                    "whether their registrations may outlive it is not documented.",
                    ("callout-pnp-unload-after-removal", "callout-silent-pnp-device-removed"), mark=_SILENT)
_NT_UNLOAD_DRIVER = Step(_SCM, _CALL, rf"NtUnloadDriver(\Registry\Machine\System\CurrentControlSet\Services"
                         rf"\{SERVICE_NAME})", "The SCM enables SeLoadDriverPrivilege in its own process and asks the "
                         "kernel to unload the driver.", ("scm-ntunloaddriver",), _IO)
_REFUSED_PNP = Step(_IO, _RETURN, "NtUnloadDriver fails", "The driver has an AddDevice routine, so the kernel counts "
                    "it as PnP and will not unload it by name; nothing of the driver is called.",
                    ("callout-ntunload-refuses-pnp", "callout-kmdf-pnp-adddevice"), _SCM,
                    "STATUS_INVALID_DEVICE_REQUEST", _FAILED)
_REFUSED_NULL = {m: Step(_IO, _RETURN, "NtUnloadDriver fails", "There is no DriverUnload routine, so the kernel "
                         "refuses; nothing of the driver is called.",
                         ("null-driverunload", "wfp-no-unload-function",
                          "callout-wdm-unload-expected" if m is _WDM else "callout-kmdf-nonpnp-needs-evt"),
                         _SCM, "STATUS_INVALID_DEVICE_REQUEST", _FAILED) for m in (_WDM, _WDF)}
_SCM_1052 = Step(_SCM, _RETURN, f"fails: error {ERROR_INVALID_SERVICE_CONTROL}",
                 "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                 ("sc-stop-1052", "silent-sc-output"), _CALLER,
                 f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", _FAILED)
_NT_UNLOAD_OK = Step(_IO, _RETURN, "NtUnloadDriver returns", "The driver is unloaded.",
                     ("unload-in-system-thread",), _SCM, "STATUS_SUCCESS")
_SERVICE_STOPPED = Step(_SCM, _RETURN, "the service is stopped",
                        "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                        ("silent-sc-output",), _CALLER, "success")

# DriverUnload: who calls it, and (KMDF) the framework around the driver's EvtDriverUnload
_HOW = {False: ("unload-in-system-thread",), True: ("callout-pnp-unload-after-removal",)}  # by: device removal?
_WDM_UNLOAD_CALL = {pnp: Step(_IO, _CALL, "Unload(DriverObject)", "The I/O manager calls DriverUnload, which is "
                              "the driver's own Unload routine; it returns nothing, so from here the driver cannot "
                              "stop the unload.", _HOW[pnp] + ("wfp-unload-called-on-unload",
                                                               "callout-driverunload-void"), _DRIVER)
                    for pnp in (False, True)}
_FX_UNLOAD_CALL = {pnp: Step(_IO, _CALL, "FxDriver::Unload(DriverObject)",
                             "DriverUnload is the framework's routine; it returns nothing.",
                             _HOW[pnp] + ("callout-kmdf-unload-order", "callout-driverunload-void"), _FW)
                   for pnp in (False, True)}
_EVT_UNLOAD_CALL = Step(_FW, _CALL, "EvtDriverUnload(Driver)",
                        "The framework calls the driver's EvtDriverUnload first.",
                        ("callout-kmdf-unload-order", "callout-kmdf-evtdriverunload", "wfp-unload-called-on-unload"),
                        _DRIVER)
_NO_EVT_UNLOAD = Step(_FW, _NOTE, "no EvtDriverUnload to call",
                      "The framework's DriverUnload finds no EvtDriverUnload: nothing of the driver runs, so nothing "
                      "unregisters its callouts.", ("callout-kmdf-pnp-always-unload", "wfp-unload-must-unregister"),
                      mark=_HAZARD)
_FX_DELETES = {
    _WDF: Step(_FW, _ACTION, "deletes the WDFDRIVER and its children", "Then the framework deletes the driver "
               "object it created, and with it the control device.",
               ("callout-kmdf-unload-order", "callout-kmdf-deletes-control-device")),
    _WDF_PNP: Step(_FW, _ACTION, "deletes the WDFDRIVER and its children", "Then the framework deletes the driver "
                   "object it created.", ("callout-kmdf-unload-order",)),
}
_FX_UNLOAD_RETURNS = Step(_FW, _RETURN, "FxDriver::Unload returns", "The framework's DriverUnload is done.",
                          ("callout-kmdf-unload-order",), _IO)
_IMAGE_GONE = {pnp: Step(_IO, _ACTION, "unloads the image", "DriverUnload has returned, so the driver's image "
                         "leaves memory.", _HOW[pnp]) for pnp in (False, True)}

# The unload function
_FORGETS = Step(_DRIVER, _NOTE, "FwpsCalloutUnregisterById0 never called", "The unload function forgets its "
                "callouts: every one of them stays registered with the filter engine.",
                ("wfp-unload-must-unregister", "wfp-unregister-by-id"), mark=_HAZARD)
_UNREGISTER = tuple(Step(_DRIVER, _CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])", f"Unregisters callout {i}.",
                         ("wfp-unregister-by-id",), _ENGINE) for i in range(MAX_CALLOUTS))
_UNREGISTER_AGAIN = tuple(Step(_DRIVER, _CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])",
                               f"Unregisters callout {i} again, now that its contexts are removed.",
                               ("wfp-busy-recovery", "wfp-unregister-by-id"), _ENGINE) for i in range(MAX_CALLOUTS))
_UNREGISTERED = Step(_ENGINE, _RETURN, "FwpsCalloutUnregisterById0 returns",
                     "No flow of this callout carries a context: it is unregistered.",
                     ("wfp-unregister-success",), _DRIVER, SUCCESS.label)
_UNREGISTER_UNKNOWN = Step(_ENGINE, _RETURN, "FwpsCalloutUnregisterById0 returns",
                           "flowDeleteFn has not yet run for this callout's removed contexts; what the call returns "
                           "then is not documented. The model carries on as if the callout was unregistered.",
                           ("wfp-silent-pending-unregister",), _DRIVER, NOT_DOCUMENTED, _SILENT)
_RECOVER = Step(_DRIVER, _ACTION, "NT_SUCCESS(status) is false: recover",
                "STATUS_DEVICE_BUSY is a warning, so the NT_SUCCESS test catches it; the driver removes the "
                "callout's flow contexts and tries again.", ("wfp-busy-recovery", "wfp-device-busy-is-warning"))
_FILTERS_AFTER = Step(_ENGINE, _NOTE, "filters that name the removed callouts",
                      "Unregistering worked even if filters still name these callouts; those filters now block "
                      "(terminating or unknown action) or are skipped (inspection).", ("wfp-filters-after-unregister",))
_IO_DELETE_DEVICE = Step(_DRIVER, _CALL, "IoDeleteDevice(DeviceObject)",
                         "A non-PnP driver deletes the device object it created.",
                         ("wfp-unload-deletes-device", "callout-nonpnp-unload-deletes-devices"), _IO)
_KEEPS_CONTROL_DEVICE = Step(_DRIVER, _NOTE, "control device left to the framework",
                             "Like the samples, it does not call WdfObjectDelete on its control device; the unloading "
                             "page asks for it, but the framework deletes the device after EvtDriverUnload anyway.",
                             ("wfp-sample-keep-device", "callout-kmdf-deletes-control-device",
                              "wfp-unload-deletes-device"))
_INJECTION_DESTROY = Step(_DRIVER, _CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                          "Destroys its injection handle.", ("wfp-unload-deletes-device",), _ENGINE)
_UNLOAD_RETURNS = {
    _IO: Step(_DRIVER, _RETURN, "Unload returns", "The unload function is done; it returns nothing.",
              ("callout-driverunload-void",), _IO),
    _FW: Step(_DRIVER, _RETURN, "EvtDriverUnload returns", "The unload function is done; it returns nothing.",
              ("callout-kmdf-evtdriverunload",), _FW),
}
_REMOVAL_DONE = Step(_ENGINE, _RETURN, "FwpsFlowRemoveContext0 returns", "Each removal is complete.",
                     ("wfp-flow-remove-context",), _DRIVER, SUCCESS.label)
_REMOVAL_PENDING = Step(_ENGINE, _RETURN, "FwpsFlowRemoveContext0 returns",
                        "A classify is in progress on these flows: flowDeleteFn will be called later, on its own.",
                        ("wfp-flow-remove-context",), _DRIVER, "STATUS_PENDING")
_NONE_LEFT = Step(_ENGINE, _NOTE, "no callout left registered",
                  "Every callout was unregistered before the image left memory, as the unload function must "
                  "make sure: nothing can call into the unloaded code.",
                  ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered"))
_WHAT_FOLLOWS = Step(_ENGINE, _NOTE, "what follows is not documented",
                     "No source says whether the kernel holds such an unload back or which crash follows; bug check "
                     "0xCE is documented for a related case (freed code reached through uncancelled work), not for "
                     "this one.", ("wfp-silent-registered-at-unload", "callout-bugcheck-0xce"), mark=_SILENT)


@functools.lru_cache(maxsize=256)
def _driver_entry_returns(code: int, pnp: bool) -> Step:
    de = NtStatus(code)
    if de.nt_success:
        done = "registers its callouts once its device is added" if pnp else "its callouts are registered"
        return Step(_DRIVER, _RETURN, "DriverEntry returns", f"DriverEntry returns {de.describe()}: the driver is "
                    f"loaded and {done}.", ("ntstatus-severity",), _IO, de.label)
    return Step(_DRIVER, _RETURN, "DriverEntry returns",
                f"DriverEntry returns {de.describe()}: a failure, since NT_SUCCESS is false.",
                ("callout-no-unload-after-failed-entry", "ntstatus-severity"), _IO, de.label, _FAILED)


@functools.lru_cache(maxsize=1024)
def _traffic(contexts: tuple[int, ...]) -> Step:
    spread = ", ".join(f"callout {i}: {n}" for i, n in enumerate(contexts) if n)
    return Step(_ENGINE, _CALL, "classifyFn(...) on live traffic",
                f"While traffic flows, the callouts attach a context to {_plural(sum(contexts), 'flow')} with "
                f"FwpsFlowAssociateContext0 ({spread}); each will get a flowDeleteFn call.",
                ("wfp-flow-delete-fn",), _DRIVER)


@functools.lru_cache(maxsize=1024)
def _busy(n: int, ignored: bool, retried: bool) -> Step:
    """STATUS_DEVICE_BUSY for a callout with n flows still carrying a context."""
    why = f"{_plural(n, 'flow')} this callout processed still {'carries' if n == 1 else 'carry'} a context, " \
          "so it stays registered"
    rules = ("wfp-unregister-busy", "wfp-device-busy-is-warning")
    if ignored:
        return Step(_ENGINE, _RETURN, "FwpsCalloutUnregisterById0 returns", why + "; the driver never looks at the "
                    "result (like the inspect sample).", rules + ("wfp-sample-ignores-result",), _DRIVER, _BUSY,
                    _IGNORED)
    return Step(_ENGINE, _RETURN, "FwpsCalloutUnregisterById0 returns", why + ".", rules, _DRIVER, _BUSY,
                None if retried else _FAILED)


@functools.lru_cache(maxsize=256)
def _gives_up(left: int) -> Step:
    return Step(_DRIVER, _ACTION, "gives up at the first failure",
                f"The result is checked but there is no recovery: like msnmntr's helper it stops here and leaves "
                f"{_plural(left, 'callout')} registered.",
                ("wfp-sample-stop-at-first-failure", "wfp-device-busy-is-warning"), mark=_FAILED)


@functools.lru_cache(maxsize=1024)
def _remove(n: int, only: int | None, first_rule: str) -> Step:
    """FwpsFlowRemoveContext0 for n flows: of one callout (only), or of several (None)."""
    whose = "the callouts" if only is None else f"callout {only}"
    return Step(_DRIVER, _CALL, f"FwpsFlowRemoveContext0(FlowId, LayerId, CalloutId) x {n}",
                f"Removes the context from {'the one flow' if n == 1 else f'each of the {n} flows'} of {whose}.",
                (first_rule, "wfp-flow-remove-context"), _ENGINE)


@functools.lru_cache(maxsize=256)
def _flow_delete(n: int, pending: bool) -> Step:
    """The engine calls flowDeleteFn n times: inside the removal, or later for pending ones."""
    call = f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {n}"
    if not pending:
        return Step(_ENGINE, _CALL, call, "No classify is in progress, so the engine calls flowDeleteFn before "
                    "the removal returns.", ("wfp-flow-delete-fn", "wfp-flow-remove-context"), _DRIVER)
    return Step(_ENGINE, _CALL, call, "The classify in progress finishes and the engine calls flowDeleteFn for the "
                "removed contexts; the model lets that happen now, though when it happens is not documented.",
                ("wfp-flow-delete-fn", "wfp-flow-remove-context", "wfp-silent-pending-unregister"), _DRIVER,
                mark=_SILENT)


@functools.lru_cache(maxsize=1024)
def _still_registered(left: tuple[int, ...], held: int, pending: int) -> Step:
    later = "".join((
        f", or flowDeleteFn when one of the {_plural(held, 'flow')} still carrying a context ends" if held else "",
        f", or one of the {pending} flowDeleteFn calls still pending" if pending else ""))
    return Step(_ENGINE, _NOTE, f"callout{'s' if len(left) > 1 else ''} {', '.join(map(str, left))} still registered",
                f"The next classifyFn{later} would call into code that is no longer loaded.",
                ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered"), mark=_HAZARD)


@functools.lru_cache(maxsize=16)
def _still_registered_at_shutdown(n: int) -> Step:
    return Step(_ENGINE, _NOTE, f"{_plural(n, 'callout')} still registered",
                "What the filter engine does with them as the system goes down is not documented.",
                ("wfp-silent-shutdown",), mark=_SILENT)


# ----------------------------------------------------------------------------------------
class _Run:
    """One simulation's working state; local to simulate(), never shared."""

    __slots__ = ("sc", "steps", "add", "registered", "contexts", "pending", "unregister_results",
                 "flow_delete_calls", "driver_unload_called", "unload_function_called", "silent_result",
                 "returned", "printed")

    def __init__(self, sc: CalloutScenario) -> None:
        self.sc = sc
        self.steps: list[Step] = []
        self.add = self.steps.append
        self.registered: list[bool] = []        # per callout: still registered
        self.contexts: list[int] = []           # per callout: flows still carrying a context
        self.pending: list[int] = []            # per callout: flowDeleteFn calls not yet made
        self.unregister_results: list[str] = []
        self.flow_delete_calls = 0
        self.driver_unload_called = False
        self.unload_function_called = False
        self.silent_result = False              # an unregister result no source gives
        self.returned = ""
        self.printed: tuple[str, ...] = ()

    # --- the whole run ------------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        if not self.load():
            self.request_after_failed_load()
            outcome, unloaded = Outcome.DRIVER_ENTRY_FAILED, True
        elif sc.trigger is _SHUTDOWN:
            outcome, unloaded = self.shutdown(), False
        else:
            outcome = self.unload_request()
            unloaded = outcome is _UNLOADED or outcome is _HAZARD_OUTCOME
        return Trace(
            model="callout", scenario=sc, steps=tuple(self.steps), outcome=outcome,
            headline=self.headline(outcome),
            state={
                "mandatory": sc.trigger in _SERVICE_STOPS,
                "caller": _CALLERS[sc.trigger][0],
                "driver_unload_set": sc.driver_unload_set,
                "driver_unload_called": self.driver_unload_called,
                "unload_function_called": self.unload_function_called,
                "unloaded": unloaded,
                "callouts_registered": sum(self.registered),
                "unregister_results": self.unregister_results,
                "flow_contexts_remaining": sum(self.contexts) + sum(self.pending),
                "flow_delete_calls": self.flow_delete_calls,
                "requester_got": self.returned,
                "printed": list(self.printed),
            },
        )

    def headline(self, outcome: Outcome) -> str:
        sc = self.sc
        who = sc.trigger.value
        if outcome is _UNLOADED:
            text = f"{who}: every callout was unregistered and the driver was unloaded."
        elif outcome is _HAZARD_OUTCOME:
            text = (f"{who}: the image was unloaded with {_plural(sum(self.registered), 'callout')} still "
                    "registered; the filter engine may call into code that is gone.")
        elif outcome is Outcome.FAILED:
            text = (f"{who}: a PnP driver cannot be unloaded by a service stop; nothing of it was called."
                    if sc.model is _WDF_PNP else f"{who}: the driver has no DriverUnload routine, so it cannot be "
                    "unloaded; nothing of it was called.")
        elif outcome is Outcome.SHUTDOWN:
            text = "System shutdown: no unload function is called and the callouts stay registered."
        else:
            text = ("DriverEntry failed, so the image was simply unloaded; the unload function never ran ("
                    + ("no callout was registered yet)." if sc.model is _WDF_PNP
                       else "DriverEntry unregistered its own callouts)."))
        if self.silent_result:
            text += " One unregister result is not documented: see the step marked 'documentation silent'."
        return text

    # --- DriverEntry ------------------------------------------------------------------------
    def load(self) -> bool:
        """DriverEntry: name the unload function, register the callouts. False when it fails."""
        sc, add = self.sc, self.add
        add(_DRIVER_ENTRY)
        if sc.model is _WDM:
            add(_IO_CREATE_DEVICE)
            add(_WDM_UNLOAD_SET if sc.driver_unload_set else _WDM_UNLOAD_NULL)
        else:
            self.name_kmdf_unload()
        add(_INJECTION_CREATE)
        pnp = sc.model is _WDF_PNP
        if not pnp:
            self.register()
        de = sc.driver_entry_returns
        if not de.nt_success:
            self.fail_driver_entry(de)
            return False
        add(_driver_entry_returns(de.code, pnp))
        if pnp:
            add(_ADD_DEVICE)
            add(_EVT_DEVICE_ADD)
            add(_PNP_DEVICE_CREATE)
            self.register()
            self.steps += _DEVICE_ADD_RETURNS
        self.contexts = list(sc.contexts_per_callout)
        self.pending = [0] * sc.callouts
        if sc.flows_with_context:
            add(_traffic(tuple(self.contexts)))
        return True

    def register(self) -> None:
        """FwpsCalloutRegister0 for each callout: in DriverEntry, or (PnP) in EvtDriverDeviceAdd."""
        self.steps += _REGISTER[self.sc.model is _WDF_PNP][:self.sc.callouts]
        self.registered = [True] * self.sc.callouts

    def name_kmdf_unload(self) -> None:
        """WDF_DRIVER_CONFIG and WdfDriverCreate; the framework decides DriverObject->DriverUnload."""
        sc, add = self.sc, self.add
        pnp = sc.model is _WDF_PNP
        add(_WDF_CONFIG[pnp, sc.unload_function])
        add(_WDF_DRIVER_CREATE)
        if pnp:
            add(_KMDF_PNP_WIRING)
            return
        add(_KMDF_UNLOAD_SET if sc.driver_unload_set else _KMDF_UNLOAD_NULL)
        add(_CONTROL_DEVICE)

    def fail_driver_entry(self, de: NtStatus) -> None:
        """A later step of DriverEntry failed: it undoes its registrations (a PnP driver has
        none yet) and returns the error."""
        add = self.add
        for i in range(len(self.registered)):
            add(_UNREGISTER_IN_ENTRY[i])
            add(_UNREGISTERED)
            self.registered[i] = False
            self.unregister_results.append(_SUCCESS_LABEL)
        add(_INJECTION_DESTROY_IN_ENTRY)
        add(_driver_entry_returns(de.code, self.sc.model is _WDF_PNP))
        add(_IMAGE_GONE_AFTER_FAILURE)
        if self.registered:
            add(_NO_CALLOUT_LEFT)

    # --- the requests ---------------------------------------------------------------------
    def request_after_failed_load(self) -> None:
        """DriverEntry failed: whatever is asked for now finds no driver."""
        t = self.sc.trigger
        if t is _SHUTDOWN:
            self.add(_SHUTDOWN_AFTER_FAILURE)
        elif t is _DEVICE_REMOVAL:
            self.add(_NOTHING_TO_REMOVE)
            self.returned = "nothing to remove: the driver is not loaded"
        else:
            self.add(_ASK_SCM[t])
            self.add(_SERVICE_NOT_ACTIVE)
            self.win32_result(ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE")

    def shutdown(self) -> Outcome:
        self.add(_SHUTDOWN_CALL)
        self.add(_NO_UNLOAD_AT_SHUTDOWN[self.sc.model is not _WDM])
        self.add(_still_registered_at_shutdown(self.sc.callouts))
        return Outcome.SHUTDOWN

    def unload_request(self) -> Outcome:
        """A service stop, or (PnP) the removal of the driver's last device."""
        sc, add = self.sc, self.add
        by_removal = sc.trigger is _DEVICE_REMOVAL
        if by_removal:
            add(_REMOVE_DEVICE)
            add(_DEVICE_GONE)
        else:
            add(_ASK_SCM[sc.trigger])
            add(_NT_UNLOAD_DRIVER)
            if sc.model is _WDF_PNP:
                return self.refuse(_REFUSED_PNP)
            if not sc.driver_unload_set:
                return self.refuse(_REFUSED_NULL[sc.model])
        self.call_driver_unload(by_removal)
        add(_IMAGE_GONE[by_removal])
        if by_removal:
            self.returned = "the device is removed and the driver unloaded"
        else:
            add(_NT_UNLOAD_OK)
            add(_SERVICE_STOPPED)
            self.returned = "success: the service is stopped"
        if any(self.registered):
            self.hazard()
            return _HAZARD_OUTCOME
        add(_NONE_LEFT)
        return _UNLOADED

    def refuse(self, why: Step) -> Outcome:
        """NtUnloadDriver fails with STATUS_INVALID_DEVICE_REQUEST; the caller sees 1052."""
        self.add(why)
        self.add(_SCM_1052)
        self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")
        return Outcome.FAILED

    def win32_result(self, error: int, name: str) -> None:
        """What each service-stop caller shows for a Win32 error; sc's lines only where the facts give them."""
        t = self.sc.trigger
        self.returned = f"Win32 error {error} ({name})"
        if t is _SC_STOP and error == ERROR_INVALID_SERVICE_CONTROL:
            self.printed = (f"[SC] ControlService FAILED {error}:", "", _SC_1052_TEXT)
        elif t is _CONTROL_SERVICE:
            self.returned = f"ControlService returns FALSE; GetLastError() = {error} ({name})"
        elif t is _NET_STOP:
            self.returned += "; net's exact wording is not documented"

    # --- DriverUnload and the unload function ------------------------------------------------
    def call_driver_unload(self, by_removal: bool) -> None:
        """The kernel calls DriverUnload: the driver's Unload (WDM) or the framework's (KMDF)."""
        sc, add = self.sc, self.add
        self.driver_unload_called = True
        if sc.model is _WDM:
            add(_WDM_UNLOAD_CALL[by_removal])
            self.unload_function(_IO)
            return
        add(_FX_UNLOAD_CALL[by_removal])
        if sc.unload_function:
            add(_EVT_UNLOAD_CALL)
            self.unload_function(_FW)
        else:
            add(_NO_EVT_UNLOAD)
        add(_FX_DELETES[sc.model])
        add(_FX_UNLOAD_RETURNS)

    def unload_function(self, caller: Actor) -> None:
        """The driver's Unload / EvtDriverUnload: contexts, callouts, device, injection handle."""
        sc, add = self.sc, self.add
        self.unload_function_called = True
        if sc.remove_flow_contexts is _BEFORE:
            self.remove_contexts(range(sc.callouts), "wfp-sample-remove-contexts-first")
        if sc.unregisters:
            self.unregister_all()
        else:
            add(_FORGETS)
        if sc.model is _WDM:
            add(_IO_DELETE_DEVICE)
        elif sc.model is _WDF:
            add(_KEEPS_CONTROL_DEVICE)
        add(_INJECTION_DESTROY)
        add(_UNLOAD_RETURNS[caller])

    def unregister_all(self) -> None:
        """FwpsCalloutUnregisterById0 for each callout, reacting to STATUS_DEVICE_BUSY as the knobs say."""
        sc = self.sc
        for i in range(sc.callouts):
            if self.unregister(i, _UNREGISTER[i]) != _BUSY or not sc.check_unregister_result:
                continue  # an ignored STATUS_DEVICE_BUSY is marked on the return step itself
            if sc.remove_flow_contexts is _ON_BUSY:
                self.add(_RECOVER)
                self.remove_contexts((i,), "wfp-busy-recovery")
                self.unregister(i, _UNREGISTER_AGAIN[i])
                continue
            self.add(_gives_up(sum(self.registered)))
            break
        if not all(self.registered):
            self.add(_FILTERS_AFTER)

    def unregister(self, i: int, call: Step) -> str:
        """One FwpsCalloutUnregisterById0 call and its result, which is recorded and returned."""
        sc, add = self.sc, self.add
        add(call)
        busy = self.contexts[i]
        if busy:
            result = _BUSY
            add(_busy(busy, not sc.check_unregister_result, sc.remove_flow_contexts is _ON_BUSY))
        elif self.pending[i]:
            result = NOT_DOCUMENTED
            self.silent_result = True
            add(_UNREGISTER_UNKNOWN)
            self.registered[i] = False
            self.finish_pending(i)
        else:
            result = _SUCCESS_LABEL
            add(_UNREGISTERED)
            self.registered[i] = False
        self.unregister_results.append(result)
        return result

    def remove_contexts(self, callouts: Any, first_rule: str) -> None:
        """FwpsFlowRemoveContext0 for every flow of these callouts that carries a context."""
        contexts = self.contexts
        chosen = [i for i in callouts if contexts[i]]
        n = sum(contexts[i] for i in chosen)
        if not n:
            return
        self.add(_remove(n, chosen[0] if len(chosen) == 1 else None, first_rule))
        if self.sc.flow_removal is _SYNCHRONOUS:
            self.add(_flow_delete(n, False))
            self.flow_delete_calls += n
            self.add(_REMOVAL_DONE)
        else:
            self.add(_REMOVAL_PENDING)
            for i in chosen:
                self.pending[i] += contexts[i]
        for i in chosen:
            contexts[i] = 0

    def finish_pending(self, i: int) -> None:
        """The deferred flowDeleteFn calls for callout i; when they come is not documented."""
        n, self.pending[i] = self.pending[i], 0
        self.flow_delete_calls += n
        self.add(_flow_delete(n, True))

    def hazard(self) -> None:
        """The image is gone but the filter engine still holds callouts that point into it."""
        left = tuple(i for i, r in enumerate(self.registered) if r)
        self.add(_still_registered(left, sum(self.contexts), sum(self.pending)))
        self.add(_WHAT_FOLLOWS)



# --- the decision space ---------------------------------------------------------------------
_DRIVER_ENTRY_CLASSES = (status("STATUS_SUCCESS"), status("STATUS_OBJECT_NAME_EXISTS"),
                         status("STATUS_DEVICE_BUSY"), status("STATUS_UNSUCCESSFUL"))


def _unload_functions() -> Iterator[dict[str, Any]]:
    """Every unload function worth telling apart: none; one that forgets to unregister (leaving
    contexts, or removing them first either way); one that unregisters, checking the result or
    not, with each way of removing contexts."""
    yield dict(unload_function=False)
    removals = [dict(remove_flow_contexts=ContextRemoval.NONE)] + [
        dict(remove_flow_contexts=r, flow_removal=f)
        for r in (ContextRemoval.BEFORE_UNREGISTER, ContextRemoval.ON_DEVICE_BUSY) for f in FlowRemoval]
    for rm in removals:  # without unregistering there is no STATUS_DEVICE_BUSY to retry on
        if rm["remove_flow_contexts"] is not ContextRemoval.ON_DEVICE_BUSY:
            yield dict(unregisters=False, **rm)
    for check, rm in itertools.product((True, False), removals):
        if check or rm["remove_flow_contexts"] is not ContextRemoval.ON_DEVICE_BUSY:
            yield dict(check_unregister_result=check, **rm)


def decision_space() -> Iterator[CalloutScenario]:
    """Every model x trigger it accepts x unload function (see _unload_functions) x flows with a
    context (none, one, three) x callouts (one, three) x DriverEntry (each severity class).
    Knobs that cannot change a run (what an absent unload function would have done, or whether
    one that never unregisters checks results) stay at their defaults."""
    pairs = [(m, t) for m in DriverModel for t in CalloutTrigger
             if t is not CalloutTrigger.DEVICE_REMOVAL or m is DriverModel.WDF_PNP]
    functions = list(_unload_functions())
    for (model, trig), fn, flows, callouts, de in itertools.product(
            pairs, functions, (0, 1, 3), (1, 3), _DRIVER_ENTRY_CLASSES):
        yield CalloutScenario(model=model, trigger=trig, flows_with_context=flows, callouts=callouts,
                              driver_entry_returns=de, **fn)
