"""The knobs of one minifilter unload: the request, what the driver registers and does, and
the world it meets. ``MinifilterScenario`` checks every knob and every combination; the
model (``minifilter.model``) only simulates scenarios that passed.
"""
from __future__ import annotations

import enum
import operator
from dataclasses import dataclass, fields
from typing import Any, Iterable

from ..windows.family import echo
from ..windows.ntstatus import SUCCESS, NtStatus, StatusError, parse_status
from ..windows.service import (CONTROL_SERVICE, NET_STOP, NT_UNLOAD_DRIVER, SC_STOP, SHUTDOWN, TriggerFacts,
                               delete_problem, triggers)
from ..windows.trace import ScenarioError, parse_choice

__all__ = [
    "Trigger", "RegistrationFlag", "ServerPort", "Leak", "CleanupMistake", "ControlDevice", "MinifilterScenario",
    "FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES", "SUCCESS", "TRIGGERS",
]

SERVICE_NAME = "SampleFilter"
VOLUMES = ("C:", "D:", "E:", "F:", "G:", "H:", "I:", "J:")
FLTFL_FILTER_UNLOAD_MANDATORY = "FLTFL_FILTER_UNLOAD_MANDATORY"


class Trigger(enum.Enum):
    """The ways an unload can be asked for (or, at shutdown, not asked for). ``facts``: the
    trigger's ``windows.service.TriggerFacts`` (rule mandatory-triggers: the service stops and a
    direct NtUnloadDriver are mandatory; shutdown is no unload at all)."""

    FILTER_UNLOAD = "FilterUnload"
    FLT_UNLOAD_FILTER = "FltUnloadFilter"
    FLTMC_UNLOAD = "fltmc-unload"
    SC_STOP = SC_STOP
    NET_STOP = NET_STOP
    CONTROL_SERVICE = CONTROL_SERVICE
    NT_UNLOAD_DRIVER = NT_UNLOAD_DRIVER
    SHUTDOWN = SHUTDOWN

    @property
    def facts(self) -> TriggerFacts:
        return TRIGGERS[self.value]

    @property
    def mandatory(self) -> bool:
        """Whether this request is a mandatory unload (the lessons ask it of a trigger)."""
        return self.facts.mandatory


_FILTER_UNLOAD_CALL = 'FilterUnload(L"{}")'
TRIGGERS = triggers(
    SERVICE_NAME,
    FilterUnload=TriggerFacts("FilterUnload (application)", False, False, "application (fltlib)",
                              "a user-mode application", "FilterUnload", _FILTER_UNLOAD_CALL,
                              'a user-mode application calls FilterUnload(L"{}")'),
    # FltUnloadFilter takes the service name as a UNICODE_STRING (domain-facts #69)
    FltUnloadFilter=TriggerFacts("FltUnloadFilter (driver)", False, False, "kernel-mode driver",
                                 "a kernel-mode driver", "FltUnloadFilter", "FltUnloadFilter(&FilterName)",
                                 'another kernel-mode driver calls FltUnloadFilter for "{}"'),
    fltmc_unload=TriggerFacts("fltmc unload", False, False, "fltmc.exe", "an administrator at a command prompt",
                              "FilterUnload", _FILTER_UNLOAD_CALL, "an administrator types `fltmc unload {}`"),
    shutdown=TriggerFacts("system shutdown", False, False, "system", "the system", "shutdown", "IRP_MJ_SHUTDOWN",
                          "the system shuts down"),
)


class RegistrationFlag(enum.Enum):
    """FLT_REGISTRATION.Flags bits (domain-facts constants); ``bit`` is the value."""

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
        raise ScenarioError(f"unknown registration flag {text!r}; accepted: {names}", "flags")


for _f, _bit in zip(RegistrationFlag, (0x1, 0x2, 0x4, 0x8)):
    _f.bit = _bit


class ServerPort(enum.Enum):
    """A communication server port, and when the unload routine closes it."""

    NONE = "none"
    CLOSED_FIRST = "closed-before-unregister"
    LEFT_OPEN = "left-open"


class Leak(enum.Enum):
    """What the minifilter took and never gave back; FltUnregisterFilter is where it shows.

    ``needs_instance``: the reference belongs to something on a volume (a file, its
    context or its name), so there must be an instance for it to exist."""

    CONTEXT = "context"                     # FltGetXxxContext without FltReleaseContext
    NAME_INFORMATION = "name-information"   # FltGetFileNameInformation without FltReleaseFileNameInformation
    OBJECT_REFERENCE = "object-reference"   # FltObjectReference without FltObjectDereference
    OPEN_FILE = "open-file"                 # FltCreateFileEx without FltClose
    WORK_ITEM = "work-item"                 # FltQueueGenericWorkItem whose routine has not returned


for _leak in Leak:
    _leak.needs_instance = _leak in (Leak.CONTEXT, Leak.NAME_INFORMATION, Leak.OPEN_FILE)


class CleanupMistake(enum.Enum):
    """A step the unload routine's global cleanup forgets (only with ``global_resources``)."""

    TIMER = "timer-not-cancelled"           # KeCancelTimer + KeFlushQueuedDpcs missing
    THREAD = "thread-not-waited"            # the system thread is never waited for
    NOTIFY = "notify-routine-left"          # PsSetCreateProcessNotifyRoutineEx(..., TRUE) missing
    POOL = "pool-not-freed"                 # ExFreePoolWithTag missing


class ControlDevice(enum.Enum):
    """A control device object the minifilter creates (as the cdo sample does), and whether
    a handle to it is open when the unload is asked for."""

    NONE = "none"
    CREATED = "created"           # created, no handle open
    HANDLE_OPEN = "handle-open"   # an application holds a handle to it


def _items(value: Any, knob: str, accepted: str) -> Any:
    """A comma-separated string as its items; '' is no item at all, but an empty item among
    others (',' or 'a,,b') is an error. A name given twice counts once (a set)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return []
    items = [v.strip() for v in value.split(",")]
    if "" in items:
        raise ScenarioError(f"an empty name in {value!r}; give comma-separated names from: {accepted}", knob)
    return items


def _parse_set(enum_cls: type[enum.Enum], value: Any, knob: str) -> frozenset:
    """A set knob from members, their values, or one comma-separated string of values."""
    value = _items(value, knob, ", ".join(m.value for m in enum_cls))
    if isinstance(value, enum.Enum) or not isinstance(value, Iterable):
        raise ScenarioError(f"expected a list of names, got {type(value).__name__}", knob)
    return frozenset(parse_choice(enum_cls, item, knob) for item in value)


def _parse_flags(value: Any) -> frozenset[RegistrationFlag]:
    value = _items(value, "flags", ", ".join(f.value for f in RegistrationFlag))
    if not isinstance(value, Iterable):
        raise ScenarioError(f"expected flag names, got {type(value).__name__}", "flags")
    out = set()
    for item in value:
        if isinstance(item, RegistrationFlag):
            out.add(item)
        elif isinstance(item, str):
            out.add(RegistrationFlag.parse(item))
        else:
            raise ScenarioError(f"{item!r} is not a flag name", "flags")
    return frozenset(out)


def _is_set_of(value: Any, enum_cls: type[enum.Enum]) -> bool:
    return type(value) is frozenset and (not value or all(isinstance(v, enum_cls) for v in value))


@dataclass(frozen=True)
class MinifilterScenario:
    """The knobs of one minifilter unload. Strings are accepted and checked; knobs that
    cannot meet (e.g. a leak with no FltUnregisterFilter call) raise ScenarioError."""

    trigger: Trigger
    unload_callback: bool = True             # FLT_REGISTRATION.FilterUnloadCallback set
    callback_returns: NtStatus = SUCCESS     # what the callback returns
    refuse_only_if_not_mandatory: bool = False  # returns callback_returns only without the MANDATORY flag
    flags: frozenset[RegistrationFlag] = frozenset()  # FLT_REGISTRATION.Flags
    driver_entry_returns: NtStatus = SUCCESS
    shutdown_preop: bool = False             # an IRP_MJ_SHUTDOWN pre-operation callback
    instances: int = 1                       # volumes the filter is attached to
    teardown_callbacks: bool = True          # InstanceTeardownStart/Complete registered
    pended_io: bool = False                  # an instance holds a pended operation
    server_port: ServerPort = ServerPort.NONE
    calls_unregister: bool = True            # the unload routine calls FltUnregisterFilter
    caller_privileged: bool = True           # an administrator: SeLoadDriverPrivilege, SERVICE_STOP access
    # --- the craft of the unload routine (issue 11) ---------------------------------------------
    leaks: frozenset[Leak] = frozenset()     # references the minifilter never gives back
    send_message_wait: bool = False          # FltSendMessage, Timeout NULL, to a service that never replies
    drains_pended_io: bool = False           # InstanceTeardownStart: FltCbdqDisable, complete the queue
    control_device: ControlDevice = ControlDevice.NONE
    refuse_only_if_control_device_open: bool = False  # the cdo sample's refusal
    global_resources: bool = False           # a timer + DPC, a system thread, a notify routine, pool
    cleanup_mistakes: frozenset[CleanupMistake] = frozenset()  # what global cleanup forgets
    driver_verifier: bool = False            # verifier.exe /standard on the minifilter
    dependent_services: bool = False         # another running service depends on this one
    fast_startup: bool = False               # shutdown is a hybrid shutdown (only with trigger shutdown)
    sc_delete: int = 0                       # then an uninstaller runs `sc delete` this many times (0..2)

    def __post_init__(self) -> None:
        d = self.__dict__   # read through the dict: a decision space checks thousands of scenarios
        if not _as_declared(d):
            self._convert(d)   # some knob came as a string, a list, an int...: each is checked
        n = self.instances
        if not 0 <= n <= len(VOLUMES):
            raise ScenarioError(f"expected a whole number 0..{len(VOLUMES)}, got {n!r}", "instances")
        problem = delete_problem(self)
        if problem:
            raise ScenarioError(problem, "sc_delete")
        problem = _combination_problem(self)
        if problem:
            raise ScenarioError(problem[1], problem[0])

    def _convert(self, d: dict) -> None:
        """Each knob as its own type, from what a caller may give (a value's name, a status's
        name or number, names for a set); ScenarioError names the first knob that is none."""
        put = object.__setattr__  # the dataclass is frozen
        for name, enum_cls in (("trigger", Trigger), ("server_port", ServerPort),
                               ("control_device", ControlDevice)):
            if d[name].__class__ is not enum_cls:
                put(self, name, parse_choice(enum_cls, d[name], name))
        if not _is_set_of(d["flags"], RegistrationFlag):
            put(self, "flags", _parse_flags(d["flags"]))
        for name, enum_cls in (("leaks", Leak), ("cleanup_mistakes", CleanupMistake)):
            if not _is_set_of(d[name], enum_cls):
                put(self, name, _parse_set(enum_cls, d[name], name))
        for name in ("callback_returns", "driver_entry_returns"):
            if d[name].__class__ is not NtStatus:
                try:
                    put(self, name, parse_status(d[name]))
                except StatusError as e:
                    raise ScenarioError(str(e), name) from None
        for name in _BOOL_KNOBS:
            if d[name].__class__ is not bool:
                raise ScenarioError(f"expected True or False, got {d[name]!r}", name)
        if type(d["instances"]) is not int:
            raise ScenarioError(f"expected a whole number 0..{len(VOLUMES)}, got {d['instances']!r}", "instances")

    def knobs(self) -> dict[str, Any]:
        """The knobs, JSON-able, for echoing (windows.family.echo: in field order)."""
        return echo(self)

    @property
    def driver_unload_set(self) -> bool:
        """Rule fltmgr-owns-driverunload: FltRegisterFilter leaves DriverObject->DriverUnload
        pointing at the filter manager only with a callback and service stop supported."""
        return self.unload_callback and RegistrationFlag.DO_NOT_SUPPORT_SERVICE_STOP not in self.flags


_BOOL_KNOBS = tuple(f.name for f in fields(MinifilterScenario) if f.type == "bool")
# Every knob's class in field order, read from the annotations (a set knob's is frozenset).
_KNOB_CLASSES = tuple(frozenset if f.type.startswith("frozenset[") else
                      {"bool": bool, "int": int}.get(f.type) or globals()[f.type] for f in fields(MinifilterScenario))
_values = operator.itemgetter(*(f.name for f in fields(MinifilterScenario)))
_ALL_FLAGS, _ALL_LEAKS, _ALL_MISTAKES = frozenset(RegistrationFlag), frozenset(Leak), frozenset(CleanupMistake)


def _as_declared(d: dict) -> bool:
    """Whether every knob already is of its declared class (sets: of their enum's members), as
    in a decision space: one comparison then replaces a check per knob (issue 20 measured it)."""
    return (tuple(map(type, _values(d))) == _KNOB_CLASSES and d["flags"] <= _ALL_FLAGS
            and d["leaks"] <= _ALL_LEAKS and d["cleanup_mistakes"] <= _ALL_MISTAKES)


def _combination_problem(sc: MinifilterScenario) -> tuple[str, str] | None:
    """The first pair of knobs that cannot meet, as (knob, why), or None when they all can."""
    if sc.pended_io and sc.instances == 0:
        return "pended_io", "needs at least one instance (instances is 0)"
    if sc.leaks:
        on_volume = sorted(leak.value for leak in sc.leaks if leak.needs_instance)
        if on_volume and sc.instances == 0:
            if len(on_volume) == 1:
                return "leaks", f"{on_volume[0]} needs an instance to exist, and instances is 0"
            names = f"{', '.join(on_volume[:-1])} and {on_volume[-1]}"
            return "leaks", f"{names} need an instance to exist, and instances is 0"
        if not sc.calls_unregister:
            return ("leaks", "the lab shows each leak as what FltUnregisterFilter waits for, but this unload "
                    "routine never calls FltUnregisterFilter; drop the leaks or let it call FltUnregisterFilter")
    if sc.send_message_wait and sc.server_port is ServerPort.NONE:
        return "send_message_wait", "FltSendMessage needs a communication port (server_port is none)"
    if sc.drains_pended_io and not sc.teardown_callbacks:
        return "drains_pended_io", "the queue is drained in InstanceTeardownStart, and teardown_callbacks is False"
    if sc.refuse_only_if_control_device_open:
        if sc.refuse_only_if_not_mandatory:
            return ("refuse_only_if_control_device_open", "choose one refusal, not both "
                    "(refuse_only_if_not_mandatory is also set)")
        if sc.control_device is ControlDevice.NONE:
            return "refuse_only_if_control_device_open", "needs a control device (control_device is none)"
        if sc.callback_returns.nt_success:
            return ("refuse_only_if_control_device_open", f"the refusal status must be a warning or error; "
                    f"callback_returns is {sc.callback_returns.describe()}")
    if sc.cleanup_mistakes and not sc.global_resources:
        return "cleanup_mistakes", "the driver owns nothing to forget (global_resources is False)"
    if sc.fast_startup and sc.trigger is not Trigger.SHUTDOWN:
        return "fast_startup", f"applies to trigger shutdown only, not {sc.trigger.value}"
    if sc.dependent_services and not sc.driver_entry_returns.nt_success:
        return ("dependent_services", "the SCM starts a service's dependencies first, so nothing depending on "
                "it can run when its DriverEntry failed")
    if sc.control_device is ControlDevice.HANDLE_OPEN and not sc.driver_entry_returns.nt_success:
        return "control_device", "no handle can be open to the device of a driver whose DriverEntry failed"
    return None

