"""The WFP callout driver model: how a callout driver names its unload function, how a
service stop (or, for a PnP driver, a device removal) reaches it, and how it takes down
what it built: its filters, the work in flight, the flow contexts, the callouts, the
injection handle and the device.

``CalloutScenario`` holds the knobs; ``simulate(scenario)`` returns a ``Trace`` (model
"callout"). Every decision below cites the rule that makes it; each rule is decided here
only. (``scenarios.decision_space()`` enumerates the knob combinations that matter.)

The canonical teardown, in the order this model runs it (rule ids in brackets):
  1. stop new work: an unloading flag, set under the flow lock        [wfp-stop-new-work]
  2. remove the filters (close the dynamic session, or delete by key)  [wfp-filters-before-callouts]
  3. wait for work in flight, then for the worker thread               [wfp-drain-before-unregister]
  4. remove flow contexts, wait until every flowDeleteFn has run       [wfp-wait-flow-deletes]
  5. unregister each callout, check; on STATUS_DEVICE_BUSY remove the
     contexts and retry; any other failure: documentation silent       [wfp-busy-recovery]
  6. destroy the injection handle                                      [wfp-injection-destroy-waits]
  7. delete the device (WDM) or leave the control device to KMDF       [wfp-unload-deletes-device]
Knobs move or drop steps to show what goes wrong.
"""
from __future__ import annotations

from typing import Any

from ..windows.ntstatus import SUCCESS, NtStatus
from ..windows.service import (ERROR_ACCESS_DENIED, ERROR_DEPENDENT_SERVICES_RUNNING, ERROR_INVALID_SERVICE_CONTROL,
                               ERROR_SERVICE_NOT_ACTIVE, WIN32_MESSAGE_TEXT, NtUnloadRequest, access_denied_steps,
                               dependents_running_steps, delete_steps, nt_status_got, nt_unload_fails)
from ..windows.trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Steps, Trace
from .scenario import (CANONICAL, SERVICE_NAME, CalloutScenario, CalloutTrigger, ContextRemoval, DriverModel,
                       FilterRemoval, FlowRemoval, UnregisterPlace)
from ..windows.flaws import sentence
from .flaws import flaws
from .teardown import NOT_DOCUMENTED, STATUS_NOT_SUPPORTED, Teardown, plural

__all__ = ["simulate", "NOT_DOCUMENTED", "STATUS_NOT_SUPPORTED"]



def simulate(scenario: CalloutScenario) -> Trace:
    """Run one scenario through the model and return its trace."""
    if not isinstance(scenario, CalloutScenario):
        raise ScenarioError(f"simulate() needs a CalloutScenario, got {type(scenario).__name__}")
    return _Run(scenario).run()


class _Run(Teardown, Steps, NtUnloadRequest):
    """One simulation's working state; local to simulate(), never shared."""

    def __init__(self, sc: CalloutScenario) -> None:
        self.sc = sc
        self.steps: list[Step] = []
        self.registered: list[bool] = []        # per callout: still registered
        self.contexts: list[int] = []           # per callout: flows still carrying a context
        self.pending: list[int] = []            # per callout: flowDeleteFn calls not yet made
        self.filters = 0                        # the driver's filters still in the engine
        self.classify_running = False           # a classifyFn of callout 0 has not returned
        self.unregister_results: list[str] = []
        self.flow_delete_calls = 0
        self.driver_unload_called = False
        self.unload_function_called = False
        self.device_went_first = False          # the callouts' device was deleted while they were registered
        self.said_no_wait = False               # the trace has noted that flowDeleteFn is not waited for
        self.returned = ""
        self.printed: tuple[str, ...] = ()
        self.deleted: str | None = None
        self.traffic_at_boot: str | None = None   # after sc delete and a restart, with persistent filters

    def by_driver(self, kind: Kind, action: str, detail: str, rules: tuple[str, ...], target: Actor | None = None,
                  status: str | None = None, mark: Mark | None = None) -> None:
        """A step the callout driver takes."""
        self.step(Actor.CALLOUT_DRIVER, kind, action, detail, rules, target, status, mark)

    def by_engine(self, kind: Kind, action: str, detail: str, rules: tuple[str, ...], target: Actor | None = None,
                  status: str | None = None, mark: Mark | None = None) -> None:
        """A step the filter engine takes."""
        self.step(Actor.FILTER_ENGINE, kind, action, detail, rules, target, status, mark)

    # --- the whole run ------------------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        if not self.load():
            self.request_after_failed_load()
            outcome, unloaded = Outcome.DRIVER_ENTRY_FAILED, True
        elif sc.trigger is CalloutTrigger.SHUTDOWN:
            outcome, unloaded = self.shutdown(), False
        else:
            outcome = self.unload_request()
            # None where no source says whether the image goes (rule wfp-silent-registered-at-unload)
            unloaded = {Outcome.UNLOADED: True, Outcome.HAZARD: None}.get(outcome, False)
        self.deleted = self.uninstall(outcome) if sc.sc_delete else None
        return Trace(family="callout", scenario=sc, steps=tuple(self.steps), outcome=outcome,
                     headline=self.headline(outcome), state=self.final_state(outcome, unloaded))

    def uninstall(self, outcome: Outcome) -> str | None:
        """sc delete once the request is over: the entry goes now, or at the restart while the SCM
        still counts the service running (rules delete-service-*). After a HAZARD the SCM reported
        the service stopped."""
        steps, deleted, printed = delete_steps(SERVICE_NAME, self.sc.sc_delete, outcome is Outcome.FAILED)
        self.steps.extend(steps)
        self.printed += printed
        if self.filters and self.sc.persistent_filters and outcome is not Outcome.FAILED:
            self.boot_without_driver()
        return deleted

    def boot_without_driver(self) -> None:
        """The next boot: the service is gone, its persistent filters are not (rule
        wfp-silent-persistent-filter-at-boot: the combination is the lab's inference)."""
        self.step(Actor.CALLER, Kind.ACTION, "the system restarts",
                 "The service was deleted, so the driver does not load again; its filters were added with "
                 "FWPM_FILTER_FLAG_PERSISTENT, so the engine restores them.", ("wfp-persistent-filters-stay",))
        permit = self.sc.permit_if_unregistered
        self.traffic_at_boot = "permitted" if permit else "blocked"
        self.by_engine(Kind.NOTE, f"at boot: {plural(self.filters, 'filter')} and no callout: traffic "
                       f"{self.traffic_at_boot}",
                       "The persistent filters name callouts that nothing registers any more, so they act as "
                       + ("PERMIT (FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)" if permit else
                          "BLOCK: the traffic they match is dropped at every boot")
                       + " until someone deletes them. No page states this combination; it follows from two "
                       "documented rules.",
                       ("wfp-silent-persistent-filter-at-boot", "wfp-filters-after-unregister",
                        "wfp-permit-if-unregistered" if permit else "wfp-fail-closed-observed"),
                       mark=Mark.SILENT)

    def final_state(self, outcome: Outcome, unloaded: bool) -> dict[str, Any]:
        sc = self.sc
        image = {Outcome.UNLOADED: True, Outcome.DRIVER_ENTRY_FAILED: True, Outcome.HAZARD: None}
        return {
            "mandatory": sc.trigger.facts.mandatory,
            "caller": sc.trigger.facts.caller,
            "driver_unload_set": sc.driver_unload_set,
            "driver_unload_called": self.driver_unload_called,
            "unload_function_called": self.unload_function_called,
            "unloaded": unloaded,
            # None: no source says whether the image goes (rule wfp-silent-registered-at-unload)
            "image_unloaded": image.get(outcome, False),
            "callouts_registered": sum(self.registered),
            "unregister_results": self.unregister_results,
            "flow_contexts_remaining": sum(self.contexts) + sum(self.pending),
            "flow_delete_calls": self.flow_delete_calls,
            "filters_remaining": self.filters,
            "traffic_after_unload": self.traffic_after_unload(outcome),
            "requester_got": self.returned,
            "printed": list(self.printed),
            "service_deleted": self.deleted,
            "traffic_at_boot": self.traffic_at_boot,
        }

    def traffic_after_unload(self, outcome: Outcome) -> str | None:
        """What the driver's leftover filters do to matching traffic once it is gone: only when
        filters remain and none of their callouts is registered (rule wfp-filters-after-unregister)."""
        if outcome not in (Outcome.UNLOADED, Outcome.DRIVER_ENTRY_FAILED) or not self.filters or any(self.registered):
            return None
        return "permitted" if self.sc.permit_if_unregistered else "blocked"

    def headline(self, outcome: Outcome) -> str:
        sc = self.sc
        who = sc.trigger.value
        if outcome is Outcome.UNLOADED and self.device_went_first:
            text = (f"{who}: the device went while its callouts were still registered, against the documented "
                    "order; they were unregistered only later and the driver was unloaded.")
        elif outcome is Outcome.UNLOADED:
            text = f"{who}: every callout was unregistered and the driver was unloaded."
            traffic = self.traffic_after_unload(outcome)
            if traffic:
                text += f" Its {plural(self.filters, 'filter')} stayed behind: matching traffic is now {traffic}."
        elif outcome is Outcome.HAZARD:
            text = (f"{who}: DriverUnload returned with {plural(sum(self.registered), 'callout')} still "
                    "registered; whether the image then leaves memory is not documented.")
        elif outcome is Outcome.FAILED:
            text = self.failed_headline()
        elif outcome is Outcome.SHUTDOWN:
            text = "System shutdown: no unload function is called and the callouts stay registered."
        else:
            text = ("DriverEntry failed, so the image was simply unloaded; the unload function never ran ("
                    + ("no callout was registered yet)." if sc.model is DriverModel.WDF_PNP
                       else "DriverEntry unregistered its own callouts)."))
        silent = self.unregister_results.count(NOT_DOCUMENTED)
        if silent:
            text += (" One unregister result is not documented: see the step marked 'documentation silent'."
                     if silent == 1 else f" {silent} unregister results are not documented: see the steps "
                     "marked 'documentation silent'.")
        return text + sentence(flaws(sc))

    def failed_headline(self) -> str:
        sc = self.sc
        who = sc.trigger.value
        direct = sc.trigger is CalloutTrigger.NT_UNLOAD_DRIVER
        if not sc.caller_privileged:
            return (f"{who}: the caller lacks SeLoadDriverPrivilege; the kernel refused and nothing of the driver ran."
                    if direct else
                    f"{who}: the caller lacks SERVICE_STOP access; the SCM refused and nothing of the driver ran.")
        if sc.dependent_services and not direct:
            return f"{who}: other running services depend on this one; the SCM did not pass the stop on."
        if sc.model is DriverModel.WDF_PNP:
            return f"{who}: a PnP driver cannot be unloaded by a service stop; nothing of it was called."
        return f"{who}: the driver has no DriverUnload routine, so it cannot be unloaded; nothing of it was called."

    # --- DriverEntry ----------------------------------------------------------------------------
    def load(self) -> bool:
        """DriverEntry: name the unload function, set up the callouts. False when it fails."""
        sc = self.sc
        pnp = sc.model is DriverModel.WDF_PNP
        self.step(Actor.IO_MANAGER, Kind.CALL, "DriverEntry(DriverObject, RegistryPath)",
                 f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
                 ("wfp-unload-required",), Actor.CALLOUT_DRIVER)
        if sc.model is DriverModel.WDM:
            self.by_driver(Kind.CALL, "IoCreateDevice(DriverObject, ..., &DeviceObject)",
                           "Creates the device object its callouts will be registered with.",
                           ("wfp-sample-register-in-driverentry",), Actor.IO_MANAGER)
            self.name_wdm_unload()
        else:
            self.name_kmdf_unload()
        self.by_driver(Kind.CALL, "FwpsInjectionHandleCreate0(AF_UNSPEC, FWPS_INJECTION_TYPE_TRANSPORT, "
                       "&InjectionHandle)", "Gets an injection handle, as the samples do; the unload function must "
                       "destroy it.", ("wfp-sample-register-in-driverentry",), Actor.FILTER_ENGINE)
        self.registered = []
        if not pnp:
            self.register_callouts()
            self.start_worker()
        de = sc.driver_entry_returns
        if not de.nt_success:
            self.fail_driver_entry(de)
            return False
        if not pnp:
            self.add_filters()
        self.driver_entry_returns(de)
        if pnp:
            self.add_device()
        self.contexts = list(sc.contexts_per_callout)
        self.pending = [0] * sc.callouts
        if sc.flows_with_context:
            spread = ", ".join(f"callout {i}: {n}" for i, n in enumerate(self.contexts) if n)
            flows = plural(sc.flows_with_context, "flow")
            self.by_engine(Kind.CALL, "classifyFn(...) on live traffic",
                           f"While traffic flows, the callouts attach a context to {flows} with "
                           f"FwpsFlowAssociateContext0 ({spread}); the driver notes each one in its flow table; each "
                           "will get a flowDeleteFn call.",
                           ("wfp-flow-delete-fn",), Actor.CALLOUT_DRIVER)
        return True

    def name_wdm_unload(self) -> None:
        if self.sc.driver_unload_set:
            self.by_driver(Kind.ACTION, "DriverObject->DriverUnload = Unload",
                           "DriverEntry names its Unload routine; the system will call it to unload the driver.",
                           ("wfp-wdm-driverunload", "wfp-unload-called-on-unload"))
        else:
            self.by_driver(Kind.ACTION, "DriverObject->DriverUnload left NULL",
                           "DriverEntry names no Unload routine, so nothing can unload this driver.",
                           ("wfp-unload-required", "callout-wdm-unload-expected", "wfp-no-unload-function"))

    def name_kmdf_unload(self) -> None:
        """WDF_DRIVER_CONFIG and WdfDriverCreate; the framework decides DriverObject->DriverUnload."""
        sc = self.sc
        pnp = sc.model is DriverModel.WDF_PNP
        flags = "0 (a PnP driver)" if pnp else "WdfDriverInitNonPnpDriver"
        evt = "EvtDriverUnload" if sc.unload_function else "NULL"
        rules = ("wfp-wdf-evtdriverunload",) + (() if pnp else ("wfp-wdf-nonpnp",))
        if not sc.unload_function:
            rules += ("wfp-unload-required",)
        self.by_driver(Kind.ACTION, f"WDF_DRIVER_CONFIG: DriverInitFlags = {flags}, EvtDriverUnload = {evt}",
                       "DriverEntry fills in the driver configuration it will hand to the framework.", rules)
        self.by_driver(Kind.CALL, "WdfDriverCreate(DriverObject, RegistryPath, ..., &config, &Driver)",
                       "The framework creates the WDFDRIVER object and wires up the driver object.",
                       ("wfp-wdf-evtdriverunload",), Actor.FRAMEWORK)
        if pnp:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "AddDevice = FxDriver::AddDevice; DriverUnload = FxDriver::Unload",
                     "For a PnP driver the framework always installs its own DriverUnload, EvtDriverUnload or not, "
                     "and an AddDevice routine, which makes the kernel count the driver as PnP.",
                     ("callout-kmdf-pnp-always-unload", "callout-kmdf-pnp-adddevice"))
            return
        if sc.driver_unload_set:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "DriverObject->DriverUnload = FxDriver::Unload",
                     "Non-PnP with an EvtDriverUnload: the framework installs its own DriverUnload, which will call "
                     "EvtDriverUnload.", ("callout-kmdf-nonpnp-needs-evt",))
        else:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "DriverObject->DriverUnload = NULL",
                     "Non-PnP without an EvtDriverUnload: the framework leaves DriverUnload NULL, so nothing can "
                     "unload this driver.", ("callout-kmdf-nonpnp-needs-evt", "wfp-no-unload-function"))
        self.by_driver(Kind.CALL, "WdfControlDeviceInitAllocate, WdfDeviceCreate, WdfControlFinishInitializing",
                       "Creates a control device; its device object is what the callouts are registered with.",
                       ("wfp-sample-register-in-driverentry",), Actor.FRAMEWORK)

    def register_callouts(self) -> None:
        """Register each callout; no filter names them yet, so none is called."""
        sc = self.sc
        where = "callout-silent-pnp-registration" if sc.model is DriverModel.WDF_PNP else \
            "wfp-sample-register-in-driverentry"
        for i in range(sc.callouts):
            self.by_driver(Kind.CALL, f"FwpsCalloutRegister0(DeviceObject, &Callout{i}, &CalloutIds[{i}])",
                           f"Registers callout {i} (its classifyFn, notifyFn and flowDeleteFn) with the filter "
                           "engine.",
                           (where,), Actor.FILTER_ENGINE)
            self.registered.append(True)

    def add_filters(self) -> None:
        """Last, once nothing else can fail: a callout object and a filter per callout, in one
        transaction, so the filters go live all at once."""
        sc = self.sc
        if sc.filters in (FilterRemoval.DELETED_BY_KEY, FilterRemoval.LEFT_IN_PLACE):
            session = ("A static session (no FWPM_SESSION_FLAG_DYNAMIC): what it adds stays in the engine "
                       "until deleted.", ("wfp-static-objects-stay",))
        else:
            session = ("A dynamic session (FWPM_SESSION_FLAG_DYNAMIC): the engine deletes what it adds "
                       "when the session closes.", ("wfp-dynamic-session-filters",))
        self.by_driver(Kind.CALL, "FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &Session, &EngineHandle)",
                       session[0], ("wfp-sample-register-in-driverentry", *session[1]), Actor.FILTER_ENGINE)
        self.by_driver(Kind.CALL, "FwpmTransactionBegin0(EngineHandle, 0)",
                       "Last, once nothing else can fail, it adds its filters inside one transaction.",
                       ("wfp-sample-filters-in-transaction",), Actor.FILTER_ENGINE)
        n = sc.callouts
        self.by_driver(Kind.CALL, f"FwpmCalloutAdd0(EngineHandle, &CalloutObject, NULL, NULL) x {n}",
                       "Adds a callout object (the management view of each callout) at the stream layer.",
                       ("wfp-sample-register-in-driverentry",), Actor.FILTER_ENGINE)
        flag = (" and FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED" if sc.permit_if_unregistered else "")
        self.by_driver(Kind.CALL, f"FwpmFilterAdd0(EngineHandle, &Filter, NULL, NULL) x {n}",
                       f"Adds a filter for each callout, action FWP_ACTION_CALLOUT_TERMINATING{flag}.",
                       ("wfp-sample-register-in-driverentry",)
                       + (("wfp-permit-if-unregistered",) if sc.permit_if_unregistered else ()), Actor.FILTER_ENGINE)
        self.by_driver(Kind.CALL, "FwpmTransactionCommit0(EngineHandle)",
                       "Commits: the filters go live together, and from now on the callouts can be called.",
                       ("wfp-sample-filters-in-transaction",), Actor.FILTER_ENGINE)
        self.filters = n

    def start_worker(self) -> None:
        self.by_driver(Kind.CALL, "PsCreateSystemThread(&Thread, ..., WorkerThread, NULL)",
                       "Starts the worker thread that completes pended classifies and injects queued packets, as "
                       "inspect and ddproxy do; it holds a reference to the thread object to wait on later.",
                       ("wfp-wait-worker-thread",), Actor.IO_MANAGER)

    def driver_entry_returns(self, de: NtStatus) -> None:
        pnp = self.sc.model is DriverModel.WDF_PNP
        if de.nt_success:
            done = "registers its callouts once its device is added" if pnp else "its callouts are registered"
            self.by_driver(Kind.RETURN, "DriverEntry returns", f"DriverEntry returns {de.describe()}: the driver "
                           f"is loaded and {done}.", ("ntstatus-severity",), Actor.IO_MANAGER, de.label)
        else:
            self.by_driver(Kind.RETURN, "DriverEntry returns",
                           f"DriverEntry returns {de.describe()}: a failure, since NT_SUCCESS is false.",
                           ("callout-no-unload-after-failed-entry", "ntstatus-severity"), Actor.IO_MANAGER, de.label,
                           Mark.FAILED)

    def add_device(self) -> None:
        """A PnP driver gets its device, and so sets up its callouts, only when the device is added."""
        sc = self.sc
        self.step(Actor.IO_MANAGER, Kind.CALL, "AddDevice(DriverObject, PhysicalDeviceObject)",
                 "The PnP manager adds the driver's device; the AddDevice routine is the framework's.",
                 ("callout-kmdf-pnp-adddevice",), Actor.FRAMEWORK)
        self.step(Actor.FRAMEWORK, Kind.CALL, "EvtDriverDeviceAdd(Driver, DeviceInit)",
                 "The framework calls the driver's EvtDriverDeviceAdd.",
                 ("callout-kmdf-pnp-adddevice",), Actor.CALLOUT_DRIVER)
        if sc.tears_down_in_cleanup:
            self.by_driver(Kind.CALL, "WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &PnpPowerCallbacks)",
                           "Names EvtDeviceSelfManagedIoCleanup, where it will take its callouts down before the "
                           "device goes.", ("callout-kmdf-self-managed-io-cleanup",), Actor.FRAMEWORK)
        self.by_driver(Kind.CALL, "WdfDeviceCreate(&DeviceInit, ..., &Device)",
                       "Creates the device: only now does a PnP driver have a device object to register its callouts "
                       "with.", ("callout-silent-pnp-registration",), Actor.FRAMEWORK)
        self.register_callouts()
        self.start_worker()
        self.add_filters()
        self.by_driver(Kind.RETURN, "EvtDriverDeviceAdd returns", "The device is added and the callouts are "
                       "registered.", ("callout-silent-pnp-registration",), Actor.FRAMEWORK, SUCCESS.label)
        self.step(Actor.FRAMEWORK, Kind.RETURN, "AddDevice returns", "The framework's AddDevice passes the result on.",
                 ("callout-kmdf-pnp-adddevice",), Actor.IO_MANAGER, SUCCESS.label)

    def fail_driver_entry(self, de: NtStatus) -> None:
        """A later step of DriverEntry failed, before its filters were added: it stops its worker,
        undoes what it set up (a PnP driver has set up no callout yet) and returns the error."""
        if self.registered:
            self.by_driver(Kind.ACTION, "KeWaitForSingleObject(WorkerThread, Executive, KernelMode, FALSE, NULL)",
                           "DriverEntry is failing: it tells its worker thread to stop and waits for it, since the "
                           "thread runs the driver's code.", ("wfp-wait-worker-thread", "callout-bugcheck-0xce"))
            for i in range(len(self.registered)):
                self.by_driver(Kind.CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])",
                               f"Then it unregisters callout {i} itself before returning.",
                               ("wfp-sample-failed-entry-cleanup",), Actor.FILTER_ENGINE)
                self.by_engine(Kind.RETURN, "FwpsCalloutUnregisterById0 returns",
                               "No filter ever named this callout, so it was never called and no flow carries its "
                               "context: it is unregistered.",
                               ("wfp-unregister-success", "wfp-sample-filters-in-transaction"),
                               Actor.CALLOUT_DRIVER, SUCCESS.label)
                self.registered[i] = False
                self.unregister_results.append(SUCCESS.label)
        self.by_driver(Kind.CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                       "And destroys its injection handle.", ("wfp-sample-failed-entry-cleanup",), Actor.FILTER_ENGINE)
        self.driver_entry_returns(de)
        self.step(Actor.IO_MANAGER, Kind.ACTION, "image unloaded; the unload function is not called",
                 "After a failed DriverEntry the image is simply unloaded: no Unload or EvtDriverUnload runs.",
                 ("callout-no-unload-after-failed-entry",))
        if self.registered:
            self.by_engine(Kind.NOTE, "no callout left behind, by the driver's own doing",
                           "Nothing documented would remove callouts a failing DriverEntry left registered; this "
                           "driver unregistered them itself.", ("wfp-silent-failed-entry-callouts",), mark=Mark.SILENT)

    # --- the requests -----------------------------------------------------------------------
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
        elif t is CalloutTrigger.NT_UNLOAD_DRIVER:
            self.nt_unload_driver_after_failed_load(SERVICE_NAME)
        elif self.ask_scm():
            self.step(Actor.SCM, Kind.RETURN, "the stop fails: the service is not running",
                     "The service is not running, because its DriverEntry failed.",
                     ("service-not-active", "callout-no-unload-after-failed-entry"), Actor.CALLER,
                     f"ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})", Mark.FAILED)
            self.win32_result(ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE")

    def shutdown(self) -> Outcome:
        """Shutdown is not an unload: no unload function, and IRP_MJ_SHUTDOWN only on request."""
        kmdf = self.sc.model is not DriverModel.WDM
        self.step(Actor.CALLER, Kind.CALL, "system shutdown",
                 "The system is shutting down: that is not a request to unload the driver.",
                 ("callout-no-unload-at-shutdown",), Actor.IO_MANAGER)
        detail = ("No unload routine runs at shutdown"
                  + ("; EvtDriverUnload is only ever called from the framework's DriverUnload, so it does "
                     "not run either." if kmdf else "."))
        self.step(Actor.IO_MANAGER, Kind.NOTE, "DriverUnload not called", detail,
                 ("callout-no-unload-at-shutdown",) + (("callout-kmdf-unload-order",) if kmdf else ()))
        self.step(Actor.IO_MANAGER, Kind.NOTE, "no IRP_MJ_SHUTDOWN for this driver",
                 "The driver never called IoRegisterShutdownNotification (or its last-chance variant) for a device, "
                 "and it is not a file system, so no DispatchShutdown of it runs either.",
                 ("shutdown-needs-registration",))
        self.by_engine(Kind.NOTE, f"{plural(self.sc.callouts, 'callout')} still registered",
                       "What the filter engine does with them as the system goes down is not documented.",
                       ("wfp-silent-shutdown",), mark=Mark.SILENT)
        return Outcome.SHUTDOWN

    def ask_scm(self) -> bool:
        """The stop request reaches the SCM; False when the SCM refuses it outright."""
        sc = self.sc
        t = sc.trigger
        who, call = t.facts.who, t.facts.request
        self.step(Actor.CALLER, Kind.CALL, call, f"{who.capitalize()} asks the service control manager to stop "
                 "the driver's service.", ("mandatory-triggers",), Actor.SCM)
        if not sc.caller_privileged:
            self.steps.extend(access_denied_steps())
            self.win32_result(ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED")
            return False
        if sc.dependent_services:
            self.steps.extend(dependents_running_steps(t.value))
            self.win32_result(ERROR_DEPENDENT_SERVICES_RUNNING, "ERROR_DEPENDENT_SERVICES_RUNNING")
            return False
        return True

    def unload_request(self) -> Outcome:
        """A service stop, or (PnP) the removal of the driver's last device."""
        sc = self.sc
        by_removal = sc.trigger is CalloutTrigger.DEVICE_REMOVAL
        direct = sc.trigger is CalloutTrigger.NT_UNLOAD_DRIVER
        if by_removal:
            self.remove_device()
        else:
            if not self.reach_nt_unload_driver(SERVICE_NAME, direct):
                return Outcome.FAILED
            if sc.model is DriverModel.WDF_PNP:
                return self.refuse("The driver has an AddDevice routine, so the kernel counts it as PnP and will "
                                   "not unload it by name; nothing of the driver is called.",
                                   ("callout-ntunload-refuses-pnp", "callout-kmdf-pnp-adddevice"))
            if not sc.driver_unload_set:
                wdm = sc.model is DriverModel.WDM
                third = "callout-wdm-unload-expected" if wdm else "callout-kmdf-nonpnp-needs-evt"
                return self.refuse("There is no DriverUnload routine, so the kernel refuses; nothing of the driver "
                                   "is called.", ("null-driverunload", "wfp-no-unload-function", third))
        self.call_driver_unload(by_removal)
        hazard = any(self.registered)
        self.image_leaves(by_removal, hazard)
        if by_removal:
            self.returned = "the device is removed and the driver unloaded"
        else:
            self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver returns",
                     "The driver is unloaded." if not hazard else
                     "The request is over and reported as a success; whether the image really left memory is the "
                     "open question above.", ("unload-in-system-thread",), Actor.CALLER if direct else Actor.SCM,
                     SUCCESS.label)
        if direct:
            self.returned = nt_status_got(SUCCESS.label)
        elif not by_removal:
            self.step(Actor.SCM, Kind.RETURN, "the service is stopped",
                     "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                     ("silent-sc-output",), Actor.CALLER, "success")
            self.returned = "success: the service is stopped"
        if hazard:
            self.hazard()
            return Outcome.HAZARD
        self.by_engine(Kind.NOTE, "no callout left registered",
                       "Every callout was unregistered before the image left memory, as the unload function must "
                       "make sure: nothing can call into the unloaded code.",
                       ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered"))
        return Outcome.UNLOADED

    def refuse(self, why: str, rules: tuple[str, ...]) -> Outcome:
        """NtUnloadDriver fails with STATUS_INVALID_DEVICE_REQUEST; through the SCM the caller sees 1052."""
        if self.sc.trigger is CalloutTrigger.NT_UNLOAD_DRIVER:
            self.steps.append(nt_unload_fails("STATUS_INVALID_DEVICE_REQUEST", why, rules))
            self.returned = nt_status_got("STATUS_INVALID_DEVICE_REQUEST")
            return Outcome.FAILED
        self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver fails", why, rules, Actor.SCM,
                 "STATUS_INVALID_DEVICE_REQUEST", Mark.FAILED)
        self.step(Actor.SCM, Kind.RETURN, "the stop fails: NtUnloadDriver refused it",
                 "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                 ("sc-stop-1052", "silent-sc-output"), Actor.CALLER,
                 f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", Mark.FAILED)
        self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")
        return Outcome.FAILED

    def win32_result(self, error: int, name: str) -> None:
        """What each service-stop caller shows for a Win32 error; sc's lines only where the facts give them."""
        t = self.sc.trigger
        self.returned = f"Win32 error {error} ({name})"
        if t is CalloutTrigger.SC_STOP and error == ERROR_INVALID_SERVICE_CONTROL:
            self.printed = (f"[SC] ControlService FAILED {error}:", "", WIN32_MESSAGE_TEXT[error])
        elif t is CalloutTrigger.CONTROL_SERVICE:
            self.returned = f"ControlService returns FALSE; GetLastError() = {error} ({name})"
        elif t is CalloutTrigger.NET_STOP:
            self.returned += "; net's exact wording is not documented"

    # --- device removal (KMDF PnP) --------------------------------------------------------------
    def remove_device(self) -> None:
        """The PnP way: the device goes first; a driver that tears down in
        EvtDeviceSelfManagedIoCleanup takes its callouts down before the framework deletes it."""
        sc = self.sc
        self.step(Actor.CALLER, Kind.CALL, CalloutTrigger.DEVICE_REMOVAL.facts.request,
                 "An administrator removes the device; with none of its devices left, the PnP manager unloads the "
                 "driver.", ("callout-pnp-unload-after-removal",), Actor.IO_MANAGER)
        if sc.tears_down_in_cleanup:
            self.step(Actor.FRAMEWORK, Kind.CALL, "EvtDeviceSelfManagedIoCleanup(Device)",
                     "The device has been removed; the framework calls the driver's cleanup callback before it "
                     "deletes the device object.", ("callout-kmdf-self-managed-io-cleanup",), Actor.CALLOUT_DRIVER)
            self.take_down_callouts()
            self.by_driver(Kind.RETURN, "EvtDeviceSelfManagedIoCleanup returns", "It returns nothing.",
                           ("callout-kmdf-self-managed-io-cleanup",), Actor.FRAMEWORK)
            left = any(self.registered)
            self.step(Actor.FRAMEWORK, Kind.ACTION, "deletes the device",
                     "At the end of the removal sequence the framework deletes the device object"
                     + ("; its callouts were unregistered first." if not left else
                        ", although some of its callouts are still registered."),
                     ("callout-kmdf-self-managed-io-cleanup", "wfp-unregister-before-device-delete"),
                     mark=Mark.FAILED if left else None)
            return
        if any(self.registered):
            self.device_went_first = True
            self.step(Actor.FRAMEWORK, Kind.ACTION, "deletes the device, its callouts still registered",
                     "The device the callouts were registered with goes before any unload function runs: the "
                     "callouts are unregistered only later, in EvtDriverUnload, if at all. The documented order is "
                     "the reverse, and what follows is not documented.",
                     ("wfp-unregister-before-device-delete", "callout-pnp-unload-after-removal",
                      "callout-silent-pnp-device-removed"), mark=Mark.FAILED)

    # --- DriverUnload and the unload function ------------------------------------------------
    def call_driver_unload(self, by_removal: bool) -> None:
        """The kernel calls DriverUnload: the driver's Unload (WDM) or the framework's (KMDF)."""
        sc = self.sc
        how = ("callout-pnp-unload-after-removal",) if by_removal else ("unload-in-system-thread",)
        self.driver_unload_called = True
        if sc.model is DriverModel.WDM:
            self.step(Actor.IO_MANAGER, Kind.CALL, "Unload(DriverObject)", "The I/O manager calls DriverUnload, "
                     "which is the driver's own Unload routine; it returns nothing, so from here the driver cannot "
                     "stop the unload.",
                     how + ("wfp-unload-called-on-unload", "callout-driverunload-void"), Actor.CALLOUT_DRIVER)
            self.unload_function(Actor.IO_MANAGER)
            return
        self.step(Actor.IO_MANAGER, Kind.CALL, "FxDriver::Unload(DriverObject)",
                 "DriverUnload is the framework's routine; it returns nothing.",
                 how + ("callout-kmdf-unload-order", "callout-driverunload-void"), Actor.FRAMEWORK)
        if sc.unload_function:
            self.step(Actor.FRAMEWORK, Kind.CALL, "EvtDriverUnload(Driver)",
                     "The framework calls the driver's EvtDriverUnload first.",
                     ("callout-kmdf-unload-order", "callout-kmdf-evtdriverunload", "wfp-unload-called-on-unload"),
                     Actor.CALLOUT_DRIVER)
            self.unload_function(Actor.FRAMEWORK)
        elif sc.tears_down_in_cleanup:
            self.step(Actor.FRAMEWORK, Kind.NOTE, "no EvtDriverUnload to call",
                     "The framework's DriverUnload finds no EvtDriverUnload: the callouts are gone already, but "
                     "nothing destroys the injection handle DriverEntry created.",
                     ("callout-kmdf-pnp-always-unload", "wfp-unload-deletes-device"), mark=Mark.FAILED)
        else:
            self.step(Actor.FRAMEWORK, Kind.NOTE, "no EvtDriverUnload to call",
                     "The framework's DriverUnload finds no EvtDriverUnload: nothing of the driver runs, so nothing "
                     "unregisters its callouts.", ("callout-kmdf-pnp-always-unload",
                                                           "wfp-unload-must-unregister"), mark=Mark.HAZARD)
        deletes = "Then the framework deletes the driver object it created"
        if sc.model is DriverModel.WDF:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "deletes the WDFDRIVER and its children",
                     deletes + ", and with it the control device.",
                     ("callout-kmdf-unload-order", "callout-kmdf-deletes-control-device"))
        else:
            self.step(Actor.FRAMEWORK, Kind.ACTION, "deletes the WDFDRIVER and its children", deletes + ".",
                     ("callout-kmdf-unload-order",))
        self.step(Actor.FRAMEWORK, Kind.RETURN, "FxDriver::Unload returns", "The framework's DriverUnload is done.",
                 ("callout-kmdf-unload-order",), Actor.IO_MANAGER)

    def unload_function(self, caller: Actor) -> None:
        """The driver's Unload / EvtDriverUnload: the callouts (unless a PnP driver took them down
        already), then the injection handle and the device."""
        sc = self.sc
        self.unload_function_called = True
        if not sc.tears_down_in_cleanup:
            self.take_down_callouts()
        if sc.unregisters and sc.retries_on_failure and any(self.registered):
            self.keep_device(caller)
            return
        self.by_driver(Kind.CALL, "FwpsInjectionHandleDestroy0(InjectionHandle)",
                       "Destroys its injection handle; the call returns only once every pending injection has "
                       "completed.",
                       ("wfp-unload-deletes-device", "wfp-injection-destroy-waits"), Actor.FILTER_ENGINE)
        if sc.model is DriverModel.WDM:
            self.by_driver(Kind.CALL, "IoDeleteDevice(DeviceObject)",
                           "A non-PnP driver deletes the device object it created, now that no callout is registered "
                           "with it." if not any(self.registered) else
                           "A non-PnP driver deletes the device object it created, although callouts are still "
                           "registered with it.",
                           ("wfp-unload-deletes-device", "callout-nonpnp-unload-deletes-devices",
                      "wfp-unregister-before-device-delete"), Actor.IO_MANAGER)
        elif sc.model is DriverModel.WDF:
            self.by_driver(Kind.NOTE, "control device left to the framework",
                           "Like the samples, it does not call WdfObjectDelete on its control device; the unloading "
                           "page asks for it, but the framework deletes the device after EvtDriverUnload anyway.",
                           ("wfp-sample-keep-device", "callout-kmdf-deletes-control-device",
                            "wfp-unload-deletes-device"))
        if caller is Actor.IO_MANAGER:
            self.by_driver(Kind.RETURN, "Unload returns", "The unload function is done; it returns nothing.",
                           ("callout-driverunload-void",), Actor.IO_MANAGER)
        else:
            self.by_driver(Kind.RETURN, "EvtDriverUnload returns", "The unload function is done; it returns "
                           "nothing.", ("callout-kmdf-evtdriverunload",), Actor.FRAMEWORK)

    def keep_device(self, caller: Actor) -> None:
        """The canonical unload function with a callout it could not take down: it returns without
        destroying the injection handle or deleting the device; no page says what is right here."""
        n = sum(self.registered)
        self.by_driver(Kind.NOTE, "returns, keeping the device and the injection handle",
                       f"{plural(n, 'callout')} could not be unregistered. No page says what an unload function can "
                       "do now; this one does not delete the device they were registered with, nor destroy the "
                       "injection handle, and returns.",
                       ("wfp-silent-unregister-failure", "wfp-unregister-before-device-delete"), mark=Mark.SILENT)
        name = "Unload" if caller is Actor.IO_MANAGER else "EvtDriverUnload"
        rule = "callout-driverunload-void" if caller is Actor.IO_MANAGER else "callout-kmdf-evtdriverunload"
        self.by_driver(Kind.RETURN, f"{name} returns", "It returns nothing.", (rule,), caller)

    # --- the image, and what is left behind -----------------------------------------------------
    def image_leaves(self, by_removal: bool, hazard: bool) -> None:
        how = ("callout-pnp-unload-after-removal",) if by_removal else ("unload-in-system-thread",)
        if not hazard:
            self.step(Actor.IO_MANAGER, Kind.ACTION, "unloads the image",
                     "DriverUnload has returned, so the driver's image leaves memory.", how)
            return
        n = sum(self.registered)
        self.step(Actor.IO_MANAGER, Kind.ACTION, "unloads the image, or holds it back: not documented",
                 f"DriverUnload returned with {plural(n, 'callout')} still registered. The WFP pages say a callout "
                 "driver cannot be unloaded until its callouts are unregistered, but not what the kernel does when "
                 "it is: either the image leaves memory and the engine's next call into it reaches freed code, or "
                 "the engine still references the device object the callouts were registered with and the unload "
                 "stays pending, as for any referenced device.",
                 (*how, "wfp-silent-registered-at-unload", "wfp-not-unloadable-while-registered",
                  "unload-pending"), mark=Mark.SILENT)

    def hazard(self) -> None:
        """The filter engine still holds callouts that point into the driver's code."""
        left = [i for i, r in enumerate(self.registered) if r]
        held, pending = sum(self.contexts), sum(self.pending)
        later = "".join((
            f", or flowDeleteFn when one of the {plural(held, 'flow')} still carrying a context ends" if held else "",
            f", or one of the {pending} flowDeleteFn calls still pending" if pending else ""))
        which = f"callout{'s' if len(left) > 1 else ''} {', '.join(map(str, left))}"
        self.by_engine(Kind.NOTE, f"{which} still registered",
                       f"If the image is gone, the next classifyFn{later} calls into code that is no longer loaded.",
                       ("wfp-unload-must-unregister", "wfp-not-unloadable-while-registered"), mark=Mark.HAZARD)
        self.by_engine(Kind.NOTE, "what follows is not documented",
                       "No source says which crash follows; bug check 0xCE is documented for a related case (freed "
                       "code reached through uncancelled work), not for this one.",
                       ("wfp-silent-registered-at-unload", "callout-bugcheck-0xce"), mark=Mark.SILENT)

