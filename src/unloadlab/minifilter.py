"""The filter manager model: how a minifilter is loaded, asked to unload, and torn down.

``MinifilterScenario`` holds the knobs; ``simulate(scenario)`` returns a ``Trace``.
Every decision below cites the rule that makes it; each rule is decided here only.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, Iterable

from .ntstatus import NtStatus, StatusError, hresult_for_user_mode, parse_status, status
from .trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace

__all__ = [
    "Trigger", "RegistrationFlag", "ServerPort", "MinifilterScenario", "simulate",
    "FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES",
]

SERVICE_NAME = "SampleFilter"
VOLUMES = ("C:", "D:", "E:", "F:", "G:", "H:", "I:", "J:")
FLTFL_FILTER_UNLOAD_MANDATORY = "FLTFL_FILTER_UNLOAD_MANDATORY"
SUCCESS = status("STATUS_SUCCESS")

# Win32 errors and the message texts the facts record (domain-facts #4, #14, constants).
ERROR_INVALID_SERVICE_CONTROL = 1052
ERROR_SERVICE_NOT_ACTIVE = 1062
_MESSAGE_TEXT = {
    0x801F0010: "Do not detach the filter from the volume at this time.",
    ERROR_INVALID_SERVICE_CONTROL: "The requested control is not valid for this service.",
}


class Trigger(enum.Enum):
    """The seven ways an unload can be asked for (or, at shutdown, not asked for).

    Each member carries plain attributes: ``mandatory`` (rule mandatory-triggers: the
    service stops are mandatory; shutdown is no unload at all), ``service_stop``,
    ``caller`` (the lifeline's name) and ``who`` (who starts it).
    """

    __hash__ = object.__hash__  # members are singletons; the C hash keeps simulate() fast

    FILTER_UNLOAD = "FilterUnload"
    FLT_UNLOAD_FILTER = "FltUnloadFilter"
    FLTMC_UNLOAD = "fltmc-unload"
    SC_STOP = "sc-stop"
    NET_STOP = "net-stop"
    CONTROL_SERVICE = "ControlService"
    SHUTDOWN = "shutdown"


_TRIGGER_FACTS = {  # member: (service stop = mandatory, caller, who starts it, call name)
    Trigger.FILTER_UNLOAD: (False, "application (fltlib)", "a user-mode application", "FilterUnload"),
    Trigger.FLT_UNLOAD_FILTER: (False, "kernel-mode driver", "a kernel-mode driver", "FltUnloadFilter"),
    Trigger.FLTMC_UNLOAD: (False, "fltmc.exe", "an administrator at a command prompt", "FilterUnload"),
    Trigger.SC_STOP: (True, "sc.exe", "an administrator at a command prompt", "ControlService"),
    Trigger.NET_STOP: (True, "net.exe", "an administrator at a command prompt", "ControlService"),
    Trigger.CONTROL_SERVICE: (True, "application (advapi32)", "a user-mode application", "ControlService"),
    Trigger.SHUTDOWN: (False, "system", "the system", "shutdown"),
}
for _t, (_stop, _caller, _who, _call) in _TRIGGER_FACTS.items():
    _t.mandatory = _t.service_stop = _stop
    _t.caller, _t.who, _t.call_name = _caller, _who, _call


class RegistrationFlag(enum.Enum):
    """FLT_REGISTRATION.Flags bits (domain-facts constants); ``bit`` is the value."""

    __hash__ = object.__hash__  # members are singletons; the C hash keeps simulate() fast

    DO_NOT_SUPPORT_SERVICE_STOP = "FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP"
    SUPPORT_NPFS_MSFS = "FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS"
    SUPPORT_DAX_VOLUME = "FLTFL_REGISTRATION_SUPPORT_DAX_VOLUME"
    SUPPORT_WCOS = "FLTFL_REGISTRATION_SUPPORT_WCOS"

    @classmethod
    def parse(cls, text: str) -> "RegistrationFlag":
        """Accepts the full name or the part after FLTFL_REGISTRATION_."""
        key = text.strip().upper().removeprefix("FLTFL_REGISTRATION_")
        if key in cls.__members__:
            return cls[key]
        names = ", ".join(f.value for f in cls)
        raise ScenarioError(f"unknown registration flag {text!r}; accepted: {names}")


for _f, _bit in zip(RegistrationFlag, (0x1, 0x2, 0x4, 0x8)):
    _f.bit = _bit


class ServerPort(enum.Enum):
    """A communication server port, and when the unload routine closes it."""

    __hash__ = object.__hash__  # members are singletons; the C hash keeps simulate() fast

    NONE = "none"
    CLOSED_FIRST = "closed-before-unregister"
    LEFT_OPEN = "left-open"


def _choice(enum_cls: type[enum.Enum], value: Any, knob: str) -> Any:
    if isinstance(value, enum_cls):
        return value
    for member in enum_cls:
        if value == member.value:
            return member
    accepted = ", ".join(m.value for m in enum_cls)
    raise ScenarioError(f"{knob}: {value!r} is not one of: {accepted}")


def _parse_flags(value: Any) -> frozenset[RegistrationFlag]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, Iterable):
        raise ScenarioError(f"flags: expected flag names, got {type(value).__name__}")
    out = set()
    for item in value:
        if isinstance(item, RegistrationFlag):
            out.add(item)
        elif isinstance(item, str):
            out.add(RegistrationFlag.parse(item))
        else:
            raise ScenarioError(f"flags: {item!r} is not a flag name")
    return frozenset(out)


@dataclass(frozen=True)
class MinifilterScenario:
    """The knobs of one minifilter unload. Strings are accepted and checked."""

    trigger: Trigger
    unload_callback: bool = True             # FLT_REGISTRATION.FilterUnloadCallback set
    callback_returns: NtStatus = SUCCESS     # what the callback returns
    refuse_only_if_not_mandatory: bool = False  # returns callback_returns only without the MANDATORY flag
    flags: frozenset[RegistrationFlag] = frozenset()  # FLT_REGISTRATION.Flags
    driver_entry_returns: NtStatus = SUCCESS
    shutdown_preop: bool = False             # an IRP_MJ_SHUTDOWN pre-operation callback
    instances: int = 1                       # volumes the filter is attached to
    teardown_callbacks: bool = True          # InstanceTeardownStart/Complete registered
    pended_io: bool = False                  # an instance holds a pended operation never completed
    server_port: ServerPort = ServerPort.NONE
    calls_unregister: bool = True            # the unload routine calls FltUnregisterFilter
    caller_privileged: bool = True           # the caller holds SeLoadDriverPrivilege

    def __post_init__(self) -> None:
        put = lambda name, v: object.__setattr__(self, name, v)  # noqa: E731 (frozen)
        put("trigger", _choice(Trigger, self.trigger, "trigger"))
        put("server_port", _choice(ServerPort, self.server_port, "server_port"))
        put("flags", _parse_flags(self.flags))
        for name in ("callback_returns", "driver_entry_returns"):
            try:
                put(name, parse_status(getattr(self, name)))
            except StatusError as e:
                raise ScenarioError(f"{name}: {e}") from None
        for name in _BOOL_KNOBS:
            if not isinstance(getattr(self, name), bool):
                raise ScenarioError(f"{name}: expected True or False, got {getattr(self, name)!r}")
        n = self.instances
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(VOLUMES):
            raise ScenarioError(f"instances: expected a whole number 0..{len(VOLUMES)}, got {n!r}")
        if self.pended_io and n == 0:
            raise ScenarioError("pended_io: needs at least one instance (instances is 0)")

    def knobs(self) -> dict[str, Any]:
        """The knobs, JSON-able, for echoing."""
        return {
            "trigger": self.trigger.value,
            "unload_callback": self.unload_callback,
            "callback_returns": self.callback_returns.describe(),
            "refuse_only_if_not_mandatory": self.refuse_only_if_not_mandatory,
            "flags": sorted(f.value for f in self.flags),
            "driver_entry_returns": self.driver_entry_returns.describe(),
            "shutdown_preop": self.shutdown_preop,
            "instances": self.instances,
            "teardown_callbacks": self.teardown_callbacks,
            "pended_io": self.pended_io,
            "server_port": self.server_port.value,
            "calls_unregister": self.calls_unregister,
            "caller_privileged": self.caller_privileged,
        }

    @property
    def driver_unload_set(self) -> bool:
        """Whether FltRegisterFilter leaves DriverObject->DriverUnload pointing at the filter
        manager (rule fltmgr-owns-driverunload): only with a callback and service stop supported."""
        return self.unload_callback and RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP not in self.flags


_BOOL_KNOBS = tuple(f.name for f in fields(MinifilterScenario) if f.type == "bool")


# Steps that never vary are made once: Steps are immutable, so sharing them is safe.
_DRIVER_ENTRY_CALL = Step(
    Actor.IO_MANAGER, Kind.CALL, "DriverEntry(DriverObject, RegistryPath)",
    f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
    ("callback-in-registration",), Actor.MINIFILTER)
_DRIVER_UNLOAD_FLTMGR = Step(
    Actor.FILTER_MANAGER, Kind.ACTION, "DriverObject->DriverUnload = filter manager's routine",
    "A callback is registered and service stop is supported, so a service stop will reach the filter manager.",
    ("fltmgr-owns-driverunload",))
_NULL_DRIVER_UNLOAD = ("Because {}, the driver gets no DriverUnload routine: "
                       "a service stop cannot unload it.")
_DRIVER_UNLOAD_NULL_NO_CALLBACK = Step(
    Actor.FILTER_MANAGER, Kind.ACTION, "DriverObject->DriverUnload = NULL",
    _NULL_DRIVER_UNLOAD.format("no FilterUnloadCallback is registered"), ("fltmgr-owns-driverunload",))
_DRIVER_UNLOAD_NULL_OPT_OUT = Step(
    Actor.FILTER_MANAGER, Kind.ACTION, "DriverObject->DriverUnload = NULL",
    _NULL_DRIVER_UNLOAD.format("FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP is set"),
    ("fltmgr-owns-driverunload",))
_UNDO_REGISTRATION = Step(
    Actor.MINIFILTER, Kind.CALL, "FltUnregisterFilter(Filter)",
    "DriverEntry is failing, so it undoes its registration before returning.",
    ("driver-entry-pattern",), Actor.FILTER_MANAGER)
_IMAGE_UNLOADED_AFTER_FAILURE = Step(
    Actor.FILTER_MANAGER, Kind.ACTION, "image unloaded; FilterUnloadCallback not called",
    "After a failed DriverEntry the driver is simply unloaded: no unload routine runs.", ("driver-entry-failed",))


def _bit(flag: RegistrationFlag) -> int:
    return flag.bit


_HEADLINES = {
    Outcome.UNLOADED: "the minifilter was unloaded.",
    Outcome.REFUSED: "the FilterUnloadCallback refused and the minifilter stays loaded.",
    Outcome.FAILED: "the request failed without calling FilterUnloadCallback; the minifilter stays loaded.",
    Outcome.HUNG: "the unload hangs inside FltUnregisterFilter; the request never returns.",
}


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def simulate(scenario: MinifilterScenario) -> Trace:
    """Run one scenario through the model and return its trace."""
    if not isinstance(scenario, MinifilterScenario):
        raise ScenarioError(f"simulate() needs a MinifilterScenario, got {type(scenario).__name__}")
    return _Run(scenario).run()


# ----------------------------------------------------------------------------------
@dataclass
class _Run:
    """One simulation's working state; local to simulate(), never shared."""

    sc: MinifilterScenario
    steps: list[Step] = field(default_factory=list)
    callback_flags: tuple[str, ...] = ()
    callback_called: bool = False
    callback_returned: NtStatus | None = None
    preop_called: bool = False
    torn_down: int = 0
    returned: str = ""
    printed: tuple[str, ...] = ()
    _print_rules: tuple[str, ...] = ()

    def step(self, actor: Actor, kind: Kind, action: str, detail: str, rules: tuple[str, ...],
             target: Actor | None = None, status: str | None = None, mark: Mark | None = None) -> None:
        self.steps.append(Step(actor, kind, action, detail, rules, target, status, mark))

    # --- the whole run ------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        loaded = self.load()
        if not loaded:
            outcome, unloaded = Outcome.DRIVER_ENTRY_FAILED, True
            self.request_after_failed_load()
        elif sc.trigger is Trigger.SHUTDOWN:
            outcome, unloaded = self.shutdown(), False
        elif sc.trigger.mandatory:
            outcome = self.service_stop()
            unloaded = outcome is Outcome.UNLOADED
        else:
            outcome = self.non_mandatory()
            unloaded = outcome is Outcome.UNLOADED
        return Trace(
            model="minifilter", inputs=sc.knobs(), steps=tuple(self.steps), outcome=outcome,
            headline=self.headline(outcome),
            state={
                "mandatory": sc.trigger.mandatory,
                "caller": sc.trigger.caller,
                "callback_called": self.callback_called,
                "callback_flags": list(self.callback_flags),
                "callback_returned": self.callback_returned.label if self.callback_returned else None,
                "unloaded": unloaded,
                "shutdown_preop_called": self.preop_called,
                "instances_torn_down": self.torn_down,
                "requester_got": self.returned,
                "printed": list(self.printed),
            },
        )

    def headline(self, outcome: Outcome) -> str:
        t = self.sc.trigger
        if outcome is Outcome.SHUTDOWN:
            return "System shutdown: FilterUnloadCallback is not called" + (
                "; the IRP_MJ_SHUTDOWN pre-operation is." if self.preop_called else ".")
        if outcome is Outcome.DRIVER_ENTRY_FAILED:
            return "DriverEntry failed, so the image was simply unloaded; FilterUnloadCallback was never called."
        kind = "mandatory" if t.mandatory else "non-mandatory"
        return f"{t.value} ({kind}): {_HEADLINES[outcome]}"

    # --- load -------------------------------------------------------------------------
    def load(self) -> bool:
        sc = self.sc
        self.steps.append(_DRIVER_ENTRY_CALL)
        cb = "FilterUnloadCallback" if sc.unload_callback else "NULL"
        flags = " | ".join(f.value for f in sorted(sc.flags, key=_bit)) if sc.flags else "0"
        rules = ("callback-in-registration",)
        if not sc.unload_callback:
            rules += ("callback-optional",)
        if len(sc.flags) > (RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP in sc.flags):
            rules += ("registration-flags",)
        preop = ""
        if sc.shutdown_preop:
            rules += ("shutdown-preop",)
            preop = ", IRP_MJ_SHUTDOWN pre-operation"
        self.step(Actor.MINIFILTER, Kind.CALL, f"FltRegisterFilter(Flags={flags}, FilterUnloadCallback={cb}{preop})",
                  "DriverEntry registers with the filter manager through FLT_REGISTRATION.",
                  rules, Actor.FILTER_MANAGER)
        if sc.driver_unload_set:
            self.steps.append(_DRIVER_UNLOAD_FLTMGR)
        else:
            self.steps.append(_DRIVER_UNLOAD_NULL_NO_CALLBACK if not sc.unload_callback else _DRIVER_UNLOAD_NULL_OPT_OUT)
        de = sc.driver_entry_returns
        if not de.nt_success:
            self.steps.append(_UNDO_REGISTRATION)
            self.step(Actor.MINIFILTER, Kind.RETURN, "DriverEntry returns",
                      f"DriverEntry returns {de.describe()}, {_article(de.severity.value)} status.",
                      ("driver-entry-failed", "ntstatus-severity"), Actor.IO_MANAGER, de.label, Mark.FAILED)
            self.steps.append(_IMAGE_UNLOADED_AFTER_FAILURE)
            return False
        volumes = ", ".join(VOLUMES[: sc.instances]) or "no volume"
        self.step(Actor.MINIFILTER, Kind.CALL, "FltStartFiltering(Filter)",
                  f"Filtering starts; instances attach to {volumes}.",
                  ("driver-entry-pattern",), Actor.FILTER_MANAGER)
        self.step(Actor.MINIFILTER, Kind.RETURN, "DriverEntry returns",
                  f"DriverEntry returns {de.describe()}: the minifilter is loaded and filtering.",
                  ("ntstatus-severity",), Actor.IO_MANAGER, de.label)
        return True

    # --- the requests ---------------------------------------------------------------
    def request_after_failed_load(self) -> None:
        """DriverEntry failed: whatever is asked for now finds no driver."""
        t = self.sc.trigger
        if t is Trigger.SHUTDOWN:
            self.step(Actor.CALLER, Kind.NOTE, "system shutdown",
                      "The driver is no longer loaded, so nothing of it is called at shutdown.",
                      ("driver-entry-failed", "no-callback-at-shutdown"))
        elif t.service_stop:
            self.ask_scm()
            self.step(Actor.SCM, Kind.RETURN, f"fails: ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})",
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
        self.step(Actor.CALLER, Kind.CALL, "IRP_MJ_SHUTDOWN",
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

    def non_mandatory(self) -> Outcome:
        sc = self.sc
        self.ask_filter_manager()
        if self.returned:
            return Outcome.FAILED
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
        self.finish_unload()
        self.succeed_to_caller()
        return Outcome.UNLOADED

    def service_stop(self) -> Outcome:
        sc = self.sc
        self.ask_scm()
        path = rf"\Registry\Machine\System\CurrentControlSet\Services\{SERVICE_NAME}"
        self.step(Actor.SCM, Kind.CALL, f"NtUnloadDriver({path})",
                  "The SCM enables SeLoadDriverPrivilege in its own process and asks the kernel to unload "
                  "the driver.", ("scm-ntunloaddriver",), Actor.IO_MANAGER)
        if not sc.driver_unload_set:
            why = ("do-not-support-service-stop",) if sc.unload_callback else ("no-callback-no-unload",)
            self.step(Actor.IO_MANAGER, Kind.RETURN, "fails: DriverUnload is NULL",
                      "There is no DriverUnload routine, so the kernel refuses; the filter manager and the "
                      "minifilter are not called.",
                      ("null-driverunload", "fltmgr-owns-driverunload", *why, "failed-request-no-callback"),
                      Actor.SCM, "STATUS_INVALID_DEVICE_REQUEST", Mark.FAILED)
            self.step(Actor.SCM, Kind.RETURN, f"fails: error {ERROR_INVALID_SERVICE_CONTROL}",
                      "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                      ("sc-stop-1052", "silent-sc-output"), Actor.CALLER,
                      f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", Mark.FAILED)
            self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")
            return Outcome.FAILED
        self.step(Actor.IO_MANAGER, Kind.CALL, "DriverUnload(DriverObject)",
                  "In a system worker thread the I/O manager calls DriverUnload, which is the filter "
                  "manager's routine.", ("unload-in-system-thread", "fltmgr-owns-driverunload"),
                  Actor.FILTER_MANAGER)
        if self.call_callback(mandatory=True) is None:
            return Outcome.HUNG
        self.finish_unload()
        self.step(Actor.IO_MANAGER, Kind.RETURN, "NtUnloadDriver returns", "The driver is unloaded.",
                  ("unload-in-system-thread",), Actor.SCM, "STATUS_SUCCESS")
        self.step(Actor.SCM, Kind.RETURN, "the service is stopped",
                  "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                  ("silent-sc-output",), Actor.CALLER, "success")
        self.returned = "success: the service is stopped"
        return Outcome.UNLOADED

    # --- pieces shared by the requests ---------------------------------------------------
    def ask_scm(self) -> None:
        t = self.sc.trigger
        call = {Trigger.SC_STOP: f"sc stop {SERVICE_NAME}", Trigger.NET_STOP: f"net stop {SERVICE_NAME}",
                Trigger.CONTROL_SERVICE: "ControlService(hService, SERVICE_CONTROL_STOP, &Status)"}[t]
        self.step(Actor.CALLER, Kind.CALL, call,
                  f"{t.who.capitalize()} asks the service control manager to stop the driver's service: "
                  "a mandatory unload.", ("mandatory-triggers",), Actor.SCM)
        if not self.sc.caller_privileged:
            self.step(Actor.SCM, Kind.NOTE, "caller's own privilege not used",
                      "The SCM enables SeLoadDriverPrivilege itself, so the caller's privilege is not what "
                      "the kernel checks.", ("scm-ntunloaddriver",))

    def ask_filter_manager(self) -> None:
        """The non-mandatory request reaches the filter manager, or fails for privilege."""
        t, privileged = self.sc.trigger, self.sc.caller_privileged
        if t is Trigger.FLTMC_UNLOAD:
            self.step(Actor.CALLER, Kind.ACTION, "enable SeLoadDriverPrivilege",
                      "fltmc enables the privilege before it calls FilterUnload"
                      + (", which works for an administrator." if privileged else
                         ", but this caller does not hold it."),
                      ("fltmc-calls-filterunload",), mark=None if privileged else Mark.FAILED)
        call = {Trigger.FILTER_UNLOAD: f'FilterUnload(L"{SERVICE_NAME}")',
                Trigger.FLTMC_UNLOAD: f'FilterUnload(L"{SERVICE_NAME}")',
                Trigger.FLT_UNLOAD_FILTER: f'FltUnloadFilter(&"{SERVICE_NAME}")'}[t]
        self.step(Actor.CALLER, Kind.CALL, call,
                  f"{t.who.capitalize()} asks the filter manager for a non-mandatory unload.",
                  ("nonmandatory-triggers",), Actor.FILTER_MANAGER)
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
        if returned.nt_success:
            if not self.unload_body(mandatory):
                return None
        self.callback_returned = returned
        rules = ("informational-allows",) if returned.severity.value == "informational" else ()
        if not returned.nt_success:
            rules = ("refuse-before-teardown", "ntstatus-severity")
        elif returned.code == 0:
            rules = ("normally-success",)
        mark = None
        if not returned.nt_success and mandatory:
            mark = Mark.IGNORED
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

    def unload_body(self, mandatory: bool) -> bool:
        """The unload routine's work, in the documented order. False when it hangs."""
        sc = self.sc
        if sc.server_port is ServerPort.CLOSED_FIRST:
            self.step(Actor.MINIFILTER, Kind.CALL, "FltCloseCommunicationPort(ServerPort)",
                      "First the server port is closed, so FltUnregisterFilter will not wait on it.",
                      ("unload-routine-order", "port-before-unregister"), Actor.FILTER_MANAGER)
        if not sc.calls_unregister:
            self.step(Actor.MINIFILTER, Kind.NOTE, "FltUnregisterFilter never called",
                      "The routine goes on without unregistering; what follows is not documented: a driver bug.",
                      ("unload-routine-order", "silent-no-unregister"), mark=Mark.SILENT)
        elif not self.unregister(mandatory):
            return False
        self.step(Actor.MINIFILTER, Kind.ACTION, "global cleanup",
                  "Frees what DriverEntry allocated (resources, pool, lookaside lists, notify routines).",
                  ("unload-routine-order",))
        return True

    def unregister(self, mandatory: bool) -> bool:
        """FltUnregisterFilter: instance teardown, contexts, rundown. False when it hangs."""
        sc = self.sc
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
        for n, volume in enumerate(VOLUMES[: sc.instances]):
            if sc.teardown_callbacks:
                self.step(Actor.FILTER_MANAGER, Kind.CALL, f"InstanceTeardownStartCallback({volume}, {reason})",
                          "Teardown starts: the minifilter must complete its pended operations.",
                          reason_rules, Actor.INSTANCES)
            if n == 0 and sc.pended_io:
                self.step(Actor.INSTANCES, Kind.NOTE, f"pended operation on {volume} never completed",
                          "TeardownComplete waits for outstanding I/O, so the unload hangs here.",
                          ("teardown-hang",), mark=Mark.HUNG)
                return self.hang()
            if sc.teardown_callbacks:
                self.step(Actor.FILTER_MANAGER, Kind.CALL,
                          f"InstanceTeardownCompleteCallback({volume}, {reason})",
                          "Outstanding I/O has drained; the instance closes the files it opened.",
                          reason_rules, Actor.INSTANCES)
            else:
                self.step(Actor.FILTER_MANAGER, Kind.ACTION, f"tears down the instance on {volume}",
                          "No teardown callbacks are registered; the instance is torn down all the same.",
                          ("teardown-sequence",))
            self.torn_down += 1
        if sc.server_port is ServerPort.LEFT_OPEN:
            self.step(Actor.FILTER_MANAGER, Kind.NOTE, "waits for the open server port",
                      "The server port was not closed first, so FltUnregisterFilter waits forever.",
                      ("port-before-unregister", "fltunregister-blocks"), mark=Mark.HUNG)
            return self.hang()
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, "FltUnregisterFilter returns",
                  "All instances and contexts are gone and no rundown reference remains.",
                  ("fltunregister-teardown", "fltunregister-blocks"), Actor.MINIFILTER)
        return True

    def hang(self) -> bool:
        self.returned = "nothing: the request never returns"
        return False

    def finish_unload(self) -> None:
        self.step(Actor.FILTER_MANAGER, Kind.ACTION, "unloads the minifilter",
                  "The unload was not refused (or could not be), so the image goes.",
                  ("otherwise-unloaded",))

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
            rules += tuple(r for r in self._print_rules[1:] if r not in rules)
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, f"{t.call_name} fails", detail, rules,
                  Actor.CALLER, shown, mark)
        self.print_fltmc(mark)

    def succeed_to_caller(self) -> None:
        t = self.sc.trigger
        shown = "STATUS_SUCCESS" if t is Trigger.FLT_UNLOAD_FILTER else "S_OK"
        self.step(Actor.FILTER_MANAGER, Kind.RETURN, f"{t.call_name} returns",
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
        self._print_rules = ("fltmc-output", "flt-hresult" if documented else silent_rule)
        if self.sc.trigger is Trigger.FLTMC_UNLOAD:
            text = _MESSAGE_TEXT.get(value, "(the system's message text for this code)")
            self.printed = (f"Unload failed with error: {code}", text)
        return shown

    def print_fltmc(self, mark: Mark = Mark.FAILED) -> None:
        if self.printed and self.sc.trigger is Trigger.FLTMC_UNLOAD:
            self.step(Actor.CALLER, Kind.ACTION, "fltmc prints the failure", " / ".join(self.printed),
                      self._print_rules, mark=mark)

    def win32_result(self, error: int, name: str) -> None:
        """What each service-stop caller shows for a Win32 error."""
        t = self.sc.trigger
        self.returned = f"Win32 error {error} ({name})"
        if t is Trigger.SC_STOP:
            text = _MESSAGE_TEXT.get(error, "(the system's message text for this error)")
            self.printed = (f"[SC] ControlService FAILED {error}:", "", text)
        elif t is Trigger.CONTROL_SERVICE:
            self.returned = f"ControlService returns FALSE; GetLastError() = {error} ({name})"
        else:
            self.returned += "; net's exact wording is not documented"
