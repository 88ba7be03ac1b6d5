"""The filter manager model: how a minifilter is loaded, asked to unload, and torn down.

``MinifilterScenario`` holds the knobs; ``simulate(scenario)`` returns a ``Trace``.
Every decision below cites the rule that makes it; each rule is decided here only.
"""
from __future__ import annotations

import enum
import functools
import operator
from dataclasses import dataclass, field, fields
from typing import Any, Iterable

from ..windows.ntstatus import NtStatus, StatusError, hresult_for_user_mode, parse_status, status
from ..windows.service import (CONTROL_SERVICE, ERROR_INVALID_SERVICE_CONTROL, ERROR_SERVICE_NOT_ACTIVE, NET_STOP,
                               SC_STOP, SHUTDOWN, WIN32_MESSAGE_TEXT)
from ..windows.trace import Actor, Kind, Mark, Outcome, ScenarioError, Step, Trace, parse_choice

__all__ = [
    "Trigger", "RegistrationFlag", "ServerPort", "MinifilterScenario", "simulate",
    "FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES", "cache_clear",
]

SERVICE_NAME = "SampleFilter"
VOLUMES = ("C:", "D:", "E:", "F:", "G:", "H:", "I:", "J:")
FLTFL_FILTER_UNLOAD_MANDATORY = "FLTFL_FILTER_UNLOAD_MANDATORY"
SUCCESS = status("STATUS_SUCCESS")

# The message texts the facts record (domain-facts #4, #14).
_MESSAGE_TEXT = {
    0x801F0010: "Do not detach the filter from the volume at this time.",
    **WIN32_MESSAGE_TEXT,
}


class Trigger(enum.Enum):
    """The seven ways an unload can be asked for (or, at shutdown, not asked for).

    Each member carries plain attributes: ``mandatory`` (rule mandatory-triggers: the
    service stops are mandatory; shutdown is no unload at all), ``service_stop``,
    ``caller`` (the lifeline's name), ``who`` (who starts it), ``call_name`` (the API the
    result comes back from) and ``request`` (the call or command as the requester writes it).
    """

    __hash__ = object.__hash__  # members are singletons; the C hash keeps simulate() fast

    FILTER_UNLOAD = "FilterUnload"
    FLT_UNLOAD_FILTER = "FltUnloadFilter"
    FLTMC_UNLOAD = "fltmc-unload"
    SC_STOP = SC_STOP
    NET_STOP = NET_STOP
    CONTROL_SERVICE = CONTROL_SERVICE
    SHUTDOWN = SHUTDOWN


_FILTER_UNLOAD_CALL = f'FilterUnload(L"{SERVICE_NAME}")'
_TRIGGER_FACTS = {  # member: (service stop = mandatory, caller, who starts it, call name, the request)
    Trigger.FILTER_UNLOAD: (False, "application (fltlib)", "a user-mode application", "FilterUnload",
                            _FILTER_UNLOAD_CALL),
    Trigger.FLT_UNLOAD_FILTER: (False, "kernel-mode driver", "a kernel-mode driver", "FltUnloadFilter",
                                f'FltUnloadFilter(&"{SERVICE_NAME}")'),
    Trigger.FLTMC_UNLOAD: (False, "fltmc.exe", "an administrator at a command prompt", "FilterUnload",
                           _FILTER_UNLOAD_CALL),
    Trigger.SC_STOP: (True, "sc.exe", "an administrator at a command prompt", "ControlService",
                      f"sc stop {SERVICE_NAME}"),
    Trigger.NET_STOP: (True, "net.exe", "an administrator at a command prompt", "ControlService",
                       f"net stop {SERVICE_NAME}"),
    Trigger.CONTROL_SERVICE: (True, "application (advapi32)", "a user-mode application", "ControlService",
                              "ControlService(hService, SERVICE_CONTROL_STOP, &Status)"),
    Trigger.SHUTDOWN: (False, "system", "the system", "shutdown", "IRP_MJ_SHUTDOWN"),
}
for _t, (_stop, _caller, _who, _call, _request) in _TRIGGER_FACTS.items():
    _t.mandatory = _t.service_stop = _stop
    _t.caller, _t.who, _t.call_name, _t.request = _caller, _who, _call, _request


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
        # Values of the right type are only checked (cheaply: the decision space makes
        # 10,584 scenarios); anything else is parsed, and a bad value is named.
        put = object.__setattr__  # the dataclass is frozen
        if type(self.trigger) is not Trigger:
            put(self, "trigger", parse_choice(Trigger, self.trigger, "trigger"))
        if type(self.server_port) is not ServerPort:
            put(self, "server_port", parse_choice(ServerPort, self.server_port, "server_port"))
        if type(self.flags) is not frozenset or not self.flags <= _ALL_FLAGS:
            put(self, "flags", _parse_flags(self.flags))
        if type(self.callback_returns) is not NtStatus or type(self.driver_entry_returns) is not NtStatus:
            for name in ("callback_returns", "driver_entry_returns"):
                try:
                    put(self, name, parse_status(getattr(self, name)))
                except StatusError as e:
                    raise ScenarioError(f"{name}: {e}") from None
        if tuple(map(type, _bool_knob_values(self))) != _ALL_BOOL:
            name = next(n for n in _BOOL_KNOBS if type(getattr(self, n)) is not bool)
            raise ScenarioError(f"{name}: expected True or False, got {getattr(self, name)!r}")
        n = self.instances
        if type(n) is not int or not 0 <= n <= len(VOLUMES):
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
        """Whether DriverObject->DriverUnload points at the filter manager (a service stop can unload)."""
        return _driver_unload_set(self.unload_callback, self.flags)


_BOOL_KNOBS = tuple(f.name for f in fields(MinifilterScenario) if f.type == "bool")
_bool_knob_values = operator.attrgetter(*_BOOL_KNOBS)
_ALL_BOOL = (bool,) * len(_BOOL_KNOBS)
_ALL_FLAGS = frozenset(RegistrationFlag)


_HEADLINES = {
    Outcome.UNLOADED: "the minifilter was unloaded.",
    Outcome.REFUSED: "the FilterUnloadCallback refused and the minifilter stays loaded.",
    Outcome.FAILED: "the request failed without calling FilterUnloadCallback; the minifilter stays loaded.",
    Outcome.HUNG: "the unload hangs inside FltUnregisterFilter; the request never returns.",
}


@functools.lru_cache(maxsize=128)
def _headline(trigger: Trigger, outcome: Outcome, preop_called: bool) -> str:
    """The outcome in one sentence (a few dozen distinct ones, so each is made once)."""
    if outcome is Outcome.SHUTDOWN:
        return "System shutdown: FilterUnloadCallback is not called" + (
            "; the IRP_MJ_SHUTDOWN pre-operation is." if preop_called else ".")
    if outcome is Outcome.DRIVER_ENTRY_FAILED:
        return "DriverEntry failed, so the image was simply unloaded; FilterUnloadCallback was never called."
    kind = "mandatory" if trigger.mandatory else "non-mandatory"
    return f"{trigger.value} ({kind}): {_HEADLINES[outcome]}"


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


# Looking an Enum member up on its class costs ~0.1 us on Python 3.11 and a run makes
# thousands of such lookups, so the model uses these aliases (as callout.py does).
_CALLER, _SCM, _IO, _FLTMGR, _MINIFILTER, _INSTANCES = (
    Actor.CALLER, Actor.SCM, Actor.IO_MANAGER, Actor.FILTER_MANAGER, Actor.MINIFILTER, Actor.INSTANCES)
_CALL, _RETURN, _ACTION, _NOTE = Kind.CALL, Kind.RETURN, Kind.ACTION, Kind.NOTE
_FAILED, _REFUSED, _IGNORED, _HUNG, _SILENT = Mark.FAILED, Mark.REFUSED, Mark.IGNORED, Mark.HUNG, Mark.SILENT
_DRIVER_ENTRY_FAILED, _UNLOADED = Outcome.DRIVER_ENTRY_FAILED, Outcome.UNLOADED
_SHUTDOWN = Trigger.SHUTDOWN
_tuple_new = tuple.__new__


def _driver_unload_set(unload_callback: bool, flags: frozenset[RegistrationFlag]) -> bool:
    """Rule fltmgr-owns-driverunload: FltRegisterFilter leaves DriverObject->DriverUnload
    pointing at the filter manager only with a callback and service stop supported."""
    return unload_callback and RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP not in flags


@functools.lru_cache(maxsize=1024)
def _load(unload_callback: bool, flags: frozenset[RegistrationFlag], shutdown_preop: bool,
          driver_entry_returns: int, instances: int) -> tuple[tuple[Step, ...], bool]:
    """DriverEntry's steps, and whether the minifilter is loaded. They depend on these knobs
    only, so each distinct load is built once (the decision space repeats each many times)."""
    de = NtStatus(driver_entry_returns)
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
    if _driver_unload_set(unload_callback, flags):
        driver_unload = Step(
            _FLTMGR, _ACTION, "DriverObject->DriverUnload = filter manager's routine",
            "A callback is registered and service stop is supported, so a service stop will reach the "
            "filter manager.", ("fltmgr-owns-driverunload",))
    else:
        why = ("no FilterUnloadCallback is registered" if not unload_callback
               else "FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP is set")
        driver_unload = Step(_FLTMGR, _ACTION, "DriverObject->DriverUnload = NULL",
                             f"Because {why}, the driver gets no DriverUnload routine: a service stop "
                             "cannot unload it.", ("fltmgr-owns-driverunload",))
    steps = (
        Step(_IO, _CALL, "DriverEntry(DriverObject, RegistryPath)",
             f"The I/O manager loads the {SERVICE_NAME} image and calls its DriverEntry.",
             ("callback-in-registration",), _MINIFILTER),
        Step(_MINIFILTER, _CALL, f"FltRegisterFilter(Flags={names}, FilterUnloadCallback={cb}{preop})",
             "DriverEntry registers with the filter manager through FLT_REGISTRATION.",
             rules, _FLTMGR),
        driver_unload,
    )
    if not de.nt_success:
        return steps + (
            Step(_MINIFILTER, _CALL, "FltUnregisterFilter(Filter)",
                 "DriverEntry is failing, so it undoes its registration before returning.",
                 ("driver-entry-pattern",), _FLTMGR),
            Step(_MINIFILTER, _RETURN, "DriverEntry returns",
                 f"DriverEntry returns {de.describe()}, {_article(de.severity.value)} status.",
                 ("driver-entry-failed", "ntstatus-severity"), _IO, de.label, _FAILED),
            Step(_FLTMGR, _ACTION, "image unloaded; FilterUnloadCallback not called",
                 "After a failed DriverEntry the driver is simply unloaded: no unload routine runs.",
                 ("driver-entry-failed",)),
        ), False
    volumes = ", ".join(VOLUMES[:instances]) or "no volume"
    return steps + (
        Step(_MINIFILTER, _CALL, "FltStartFiltering(Filter)",
             f"Filtering starts; instances attach to {volumes}.",
             ("driver-entry-pattern",), _FLTMGR),
        Step(_MINIFILTER, _RETURN, "DriverEntry returns",
             f"DriverEntry returns {de.describe()}: the minifilter is loaded and filtering.",
             ("ntstatus-severity",), _IO, de.label),
    ), True


@functools.lru_cache(maxsize=64)
def _after_failed_load(trigger: Trigger, caller_privileged: bool) -> tuple[tuple[Step, ...], str, tuple[str, ...]]:
    """What a request meets after DriverEntry failed: (steps, what the requester got, what
    was printed). Only these two knobs matter, so each pair is worked out once."""
    run = _Run(MinifilterScenario(trigger=trigger, caller_privileged=caller_privileged))
    run.request_after_failed_load()
    return tuple(run.steps), run.returned, run.printed


def cache_clear() -> None:
    """Forget the steps built once per distinct load and failed-load request (for benchmarks)."""
    _load.cache_clear()
    _after_failed_load.cache_clear()


def simulate(scenario: MinifilterScenario) -> Trace:
    """Run one scenario through the model and return its trace."""
    if not isinstance(scenario, MinifilterScenario):
        raise ScenarioError(f"simulate() needs a MinifilterScenario, got {type(scenario).__name__}")
    return _Run(scenario).run()


# ----------------------------------------------------------------------------------
@dataclass(slots=True)
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
    print_rules: tuple[str, ...] = ()

    def step(self, actor: Actor, kind: Kind, action: str, detail: str, rules: tuple[str, ...],
             target: Actor | None = None, status: str | None = None, mark: Mark | None = None) -> None:
        # tuple.__new__ skips the NamedTuple constructor's Python frame: steps are made by the thousand
        self.steps.append(_tuple_new(Step, (actor, kind, action, detail, rules, target, status, mark)))

    # --- the whole run ------------------------------------------------------------
    def run(self) -> Trace:
        sc = self.sc
        steps, loaded = _load(sc.unload_callback, sc.flags, sc.shutdown_preop, sc.driver_entry_returns.code,
                              sc.instances)
        self.steps.extend(steps)
        if not loaded:
            outcome, unloaded = _DRIVER_ENTRY_FAILED, True
            steps, self.returned, self.printed = _after_failed_load(sc.trigger, sc.caller_privileged)
            self.steps.extend(steps)
        elif sc.trigger is _SHUTDOWN:
            outcome, unloaded = self.shutdown(), False
        else:
            outcome = self.service_stop() if sc.trigger.mandatory else self.non_mandatory()
            unloaded = outcome is _UNLOADED
        return Trace(
            model="minifilter", scenario=sc, steps=tuple(self.steps), outcome=outcome,
            headline=_headline(sc.trigger, outcome, self.preop_called),
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

    # --- the requests ---------------------------------------------------------------
    def request_after_failed_load(self) -> None:
        """DriverEntry failed: whatever is asked for now finds no driver."""
        t = self.sc.trigger
        if t is Trigger.SHUTDOWN:
            self.step(_CALLER, _NOTE, "system shutdown",
                      "The driver is no longer loaded, so nothing of it is called at shutdown.",
                      ("driver-entry-failed", "no-callback-at-shutdown"))
        elif t.service_stop:
            self.ask_scm()
            self.step(_SCM, _RETURN, f"fails: ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})",
                      "The service is not running, because its DriverEntry failed.",
                      ("service-not-active", "driver-entry-failed"), _CALLER,
                      f"ERROR_SERVICE_NOT_ACTIVE ({ERROR_SERVICE_NOT_ACTIVE})", _FAILED)
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
        self.step(_CALLER, _CALL, _SHUTDOWN.request,
                  "The system is shutting down: file systems get a shutdown request, not an unload.",
                  ("no-callback-at-shutdown", "shutdown-preop"), _FLTMGR)
        if sc.shutdown_preop:
            self.preop_called = True
            self.step(_FLTMGR, _CALL, "PreShutdown(Data, FltObjects, CompletionContext)",
                      "The minifilter registered an IRP_MJ_SHUTDOWN pre-operation callback, so it gets to "
                      "do its shutdown work here.", ("shutdown-preop",), _MINIFILTER)
            self.step(_MINIFILTER, _RETURN, "PreShutdown returns", "Shutdown work done.",
                      ("shutdown-preop",), _FLTMGR)
        else:
            self.step(_FLTMGR, _NOTE, "no IRP_MJ_SHUTDOWN pre-operation registered",
                      "The minifilter gets no chance to do shutdown work.", ("shutdown-preop",))
        self.step(_FLTMGR, _NOTE, "FilterUnloadCallback not called",
                  "Shutdown is not an unload: the unload callback is never called for it.",
                  ("no-callback-at-shutdown",))
        return Outcome.SHUTDOWN

    def non_mandatory(self) -> Outcome:
        sc = self.sc
        self.ask_filter_manager()
        if self.returned:
            return Outcome.FAILED
        self.step(_FLTMGR, _ACTION, f"finds the filter {SERVICE_NAME}",
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
            self.step(_FLTMGR, _ACTION, "keeps the minifilter loaded",
                      f"The unload is not mandatory and the callback returned {_article(returned.severity.value)} "
                      "status: the request is refused.", rules, mark=_REFUSED)
            self.fail_to_caller(returned, "The callback's status goes back to the requester.",
                                ("callback-status-propagates",), _REFUSED)
            return Outcome.REFUSED
        self.finish_unload()
        self.succeed_to_caller()
        return Outcome.UNLOADED

    def service_stop(self) -> Outcome:
        sc = self.sc
        self.ask_scm()
        path = rf"\Registry\Machine\System\CurrentControlSet\Services\{SERVICE_NAME}"
        self.step(_SCM, _CALL, f"NtUnloadDriver({path})",
                  "The SCM enables SeLoadDriverPrivilege in its own process and asks the kernel to unload "
                  "the driver.", ("scm-ntunloaddriver",), _IO)
        if not sc.driver_unload_set:
            why = ("do-not-support-service-stop",) if sc.unload_callback else ("no-callback-no-unload",)
            self.step(_IO, _RETURN, "fails: DriverUnload is NULL",
                      "There is no DriverUnload routine, so the kernel refuses; the filter manager and the "
                      "minifilter are not called.",
                      ("null-driverunload", "fltmgr-owns-driverunload", *why, "failed-request-no-callback"),
                      _SCM, "STATUS_INVALID_DEVICE_REQUEST", _FAILED)
            self.step(_SCM, _RETURN, f"fails: error {ERROR_INVALID_SERVICE_CONTROL}",
                      "The caller sees ERROR_INVALID_SERVICE_CONTROL (observed on Windows, not documented).",
                      ("sc-stop-1052", "silent-sc-output"), _CALLER,
                      f"ERROR_INVALID_SERVICE_CONTROL ({ERROR_INVALID_SERVICE_CONTROL})", _FAILED)
            self.win32_result(ERROR_INVALID_SERVICE_CONTROL, "ERROR_INVALID_SERVICE_CONTROL")
            return Outcome.FAILED
        self.step(_IO, _CALL, "DriverUnload(DriverObject)",
                  "In a system worker thread the I/O manager calls DriverUnload, which is the filter "
                  "manager's routine.", ("unload-in-system-thread", "fltmgr-owns-driverunload"),
                  _FLTMGR)
        if self.call_callback(mandatory=True) is None:
            return Outcome.HUNG
        self.finish_unload()
        self.step(_IO, _RETURN, "NtUnloadDriver returns", "The driver is unloaded.",
                  ("unload-in-system-thread",), _SCM, "STATUS_SUCCESS")
        self.step(_SCM, _RETURN, "the service is stopped",
                  "ControlService succeeds; what 'sc stop' prints then is not covered by our sources.",
                  ("silent-sc-output",), _CALLER, "success")
        self.returned = "success: the service is stopped"
        return Outcome.UNLOADED

    # --- pieces shared by the requests ---------------------------------------------------
    def ask_scm(self) -> None:
        t = self.sc.trigger
        self.step(_CALLER, _CALL, t.request,
                  f"{t.who.capitalize()} asks the service control manager to stop the driver's service: "
                  "a mandatory unload.", ("mandatory-triggers",), _SCM)
        if not self.sc.caller_privileged:
            self.step(_SCM, _NOTE, "caller's own privilege not used",
                      "The SCM enables SeLoadDriverPrivilege itself, so the caller's privilege is not what "
                      "the kernel checks.", ("scm-ntunloaddriver",))

    def ask_filter_manager(self) -> None:
        """The non-mandatory request reaches the filter manager, or fails for privilege."""
        t, privileged = self.sc.trigger, self.sc.caller_privileged
        if t is Trigger.FLTMC_UNLOAD:
            self.step(_CALLER, _ACTION, "enable SeLoadDriverPrivilege",
                      "fltmc enables the privilege before it calls FilterUnload"
                      + (", which works for an administrator." if privileged else
                         ", but this caller does not hold it."),
                      ("fltmc-calls-filterunload",), mark=None if privileged else _FAILED)
        self.step(_CALLER, _CALL, t.request,
                  f"{t.who.capitalize()} asks the filter manager for a non-mandatory unload.",
                  ("nonmandatory-triggers",), _FLTMGR)
        if t is Trigger.FLT_UNLOAD_FILTER or privileged:
            return
        shown = self.user_mode_result(status("STATUS_PRIVILEGE_NOT_HELD"), "silent-privilege-hresult")
        self.step(_FLTMGR, _RETURN, "FilterUnload fails: privilege not held",
                  "FilterUnload needs SeLoadDriverPrivilege; what it returns without it is not documented.",
                  ("filterunload-privilege", "silent-privilege-hresult"), _CALLER, shown, _FAILED)
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
        self.step(_FLTMGR, _CALL, f"FilterUnloadCallback(Flags={flags})",
                  "The filter manager tells the minifilter it is about to be unloaded.", rules, _MINIFILTER)
        returned = sc.callback_returns
        if sc.refuse_only_if_not_mandatory and mandatory:
            returned = SUCCESS
            self.step(_MINIFILTER, _ACTION, "Flags has FLTFL_FILTER_UNLOAD_MANDATORY: go ahead",
                      "The callback refuses only non-mandatory unloads, so here it tears down and succeeds.",
                      ("mandatory-ignores-refusal", "refuse-before-teardown"))
        if returned.nt_success:
            if not self.unload_body(mandatory):
                return None
        self.callback_returned = returned
        rules = ("informational-allows",) if returned.nt_information else ()
        if not returned.nt_success:
            rules = ("refuse-before-teardown", "ntstatus-severity")
        elif returned.code == 0:
            rules = ("normally-success",)
        mark = None
        if not returned.nt_success and mandatory:
            mark = _IGNORED
        self.step(_MINIFILTER, _RETURN, "FilterUnloadCallback returns",
                  f"It returns {returned.describe()}"
                  + (" without tearing anything down." if not returned.nt_success else "."),
                  rules, _FLTMGR, returned.label, mark)
        if mark is _IGNORED:
            self.step(_FLTMGR, _NOTE, "refusal ignored: the unload is mandatory",
                      "A mandatory unload goes ahead whatever the callback returns.",
                      ("mandatory-ignores-refusal",), mark=_IGNORED)
            self.step(_FLTMGR, _NOTE, "filter still registered",
                      "The callback returned without calling FltUnregisterFilter; how the filter manager "
                      "then tears the filter down is not documented.", ("silent-no-unregister",),
                      mark=_SILENT)
        return returned

    def unload_body(self, mandatory: bool) -> bool:
        """The unload routine's work, in the documented order. False when it hangs."""
        sc = self.sc
        if sc.server_port is ServerPort.CLOSED_FIRST:
            self.step(_MINIFILTER, _CALL, "FltCloseCommunicationPort(ServerPort)",
                      "First the server port is closed, so FltUnregisterFilter will not wait on it.",
                      ("unload-routine-order", "port-before-unregister"), _FLTMGR)
        if not sc.calls_unregister:
            self.step(_MINIFILTER, _NOTE, "FltUnregisterFilter never called",
                      "The routine goes on without unregistering; what follows is not documented: a driver bug.",
                      ("unload-routine-order", "silent-no-unregister"), mark=_SILENT)
        elif not self.unregister(mandatory):
            return False
        self.step(_MINIFILTER, _ACTION, "global cleanup",
                  "Frees what DriverEntry allocated (resources, pool, lookaside lists, notify routines).",
                  ("unload-routine-order",))
        return True

    def unregister(self, mandatory: bool) -> bool:
        """FltUnregisterFilter: instance teardown, contexts, rundown. False when it hangs."""
        sc = self.sc
        self.step(_MINIFILTER, _CALL, "FltUnregisterFilter(Filter)",
                  "Unregisters the callbacks, tears down every instance and deletes the contexts.",
                  ("unload-routine-order", "fltunregister-teardown"), _FLTMGR)
        if sc.instances:
            self.step(_FLTMGR, _NOTE, "InstanceQueryTeardownCallback not called",
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
                self.step(_FLTMGR, _CALL, f"InstanceTeardownStartCallback({volume}, {reason})",
                          "Teardown starts: the minifilter must complete its pended operations.",
                          reason_rules, _INSTANCES)
            if n == 0 and sc.pended_io:
                self.step(_INSTANCES, _NOTE, f"pended operation on {volume} never completed",
                          "TeardownComplete waits for outstanding I/O, so the unload hangs here.",
                          ("teardown-hang",), mark=_HUNG)
                return self.hang()
            if sc.teardown_callbacks:
                self.step(_FLTMGR, _CALL,
                          f"InstanceTeardownCompleteCallback({volume}, {reason})",
                          "Outstanding I/O has drained; the instance closes the files it opened.",
                          reason_rules, _INSTANCES)
            else:
                self.step(_FLTMGR, _ACTION, f"tears down the instance on {volume}",
                          "No teardown callbacks are registered; the instance is torn down all the same.",
                          ("teardown-sequence",))
            self.torn_down += 1
        if sc.server_port is ServerPort.LEFT_OPEN:
            self.step(_FLTMGR, _NOTE, "waits for the open server port",
                      "The server port was not closed first, so FltUnregisterFilter waits forever.",
                      ("port-before-unregister", "fltunregister-blocks"), mark=_HUNG)
            return self.hang()
        self.step(_FLTMGR, _RETURN, "FltUnregisterFilter returns",
                  "All instances and contexts are gone and no rundown reference remains.",
                  ("fltunregister-teardown", "fltunregister-blocks"), _MINIFILTER)
        return True

    def hang(self) -> bool:
        self.returned = "nothing: the request never returns"
        return False

    def finish_unload(self) -> None:
        self.step(_FLTMGR, _ACTION, "unloads the minifilter",
                  "The unload was not refused (or could not be), so the image goes.",
                  ("otherwise-unloaded",))

    # --- what the requester gets back, in its own form -------------------------------------
    def fail_to_caller(self, st: NtStatus | None, detail: str, rules: tuple[str, ...],
                       mark: Mark = _FAILED) -> None:
        """The request fails; the caller gets st (None: not documented) in its own form."""
        t = self.sc.trigger
        if t is Trigger.FLT_UNLOAD_FILTER:
            shown = st.label if st else "(status not documented)"
            self.returned = f"NTSTATUS {st.describe()}" if st else "a failure status (not documented)"
        else:
            shown = self.user_mode_result(st, "silent-other-hresult" if st else "silent-no-callback-status")
            rules += tuple(r for r in self.print_rules[1:] if r not in rules)
        self.step(_FLTMGR, _RETURN, f"{t.call_name} fails", detail, rules,
                  _CALLER, shown, mark)
        self.print_fltmc(mark)

    def succeed_to_caller(self) -> None:
        t = self.sc.trigger
        shown = "STATUS_SUCCESS" if t is Trigger.FLT_UNLOAD_FILTER else "S_OK"
        self.step(_FLTMGR, _RETURN, f"{t.call_name} returns",
                  "The request succeeded.", ("otherwise-unloaded", "filterunload-privilege"), _CALLER, shown)
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

    def print_fltmc(self, mark: Mark = _FAILED) -> None:
        if self.printed and self.sc.trigger is Trigger.FLTMC_UNLOAD:
            self.step(_CALLER, _ACTION, "fltmc prints the failure", " / ".join(self.printed),
                      self.print_rules, mark=mark)

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
