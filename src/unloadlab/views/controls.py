"""The panel's controls: how each scenario knob is shown (a dropdown, a checkbox, a count,
a set of checkboxes, a status with a hex field) and the widgets that read it back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as W

from .. import minifilter
from ..windows import ScenarioError, parse_status

__all__ = ["OTHER", "STYLE", "WIDE", "Choice", "Flag", "FlagSet", "Count", "StatusChoice", "MINIFILTER_KNOBS",
           "callout_knobs", "chosen_flags", "control", "watched"]

OTHER = "other (hex)"

# --- knob specifications: how each scenario field is shown ---------------------------------
@dataclass(frozen=True)
class Choice:
    label: str
    options: tuple[tuple[str, Any], ...]   # (what the learner reads, the knob value)


@dataclass(frozen=True)
class Flag:
    label: str


@dataclass(frozen=True)
class FlagSet:
    label: str
    options: tuple[tuple[str, str], ...]   # (checkbox description, flag name)


@dataclass(frozen=True)
class Count:
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class StatusChoice:
    label: str
    names: tuple[str, ...]                 # common statuses offered by name; OTHER adds a hex field


def _status_label(name: str) -> str:
    return f"{name} ({parse_status(name).severity.value})"


_CALLBACK_STATUSES = ("STATUS_SUCCESS", "STATUS_FLT_DO_NOT_DETACH", "STATUS_OBJECT_NAME_EXISTS",
                      "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL", "STATUS_ACCESS_DENIED")
_ENTRY_STATUSES = ("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY",
                   "STATUS_INSUFFICIENT_RESOURCES", "STATUS_FLT_NOT_INITIALIZED", "STATUS_UNSUCCESSFUL")
_TRIGGER_LABELS = {
    "FilterUnload": "FilterUnload (application)", "FltUnloadFilter": "FltUnloadFilter (driver)",
    "fltmc-unload": "fltmc unload", "sc-stop": "sc stop", "net-stop": "net stop",
    "ControlService": "ControlService(SERVICE_CONTROL_STOP)", "shutdown": "system shutdown",
}

def _options(members: Any, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Dropdown options from a model enum, each with the learner's label. A member without a
    label raises KeyError, so a new model value cannot silently miss the panel."""
    return tuple((labels[m.value], m.value) for m in members)


def _set_options(members: Any, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Checkbox options for a set-valued knob: (the learner's label, the model's value)."""
    return tuple((labels[m.value], m.value) for m in members)


MINIFILTER_KNOBS: dict[str, Any] = {
    "trigger": Choice("Trigger", _options(minifilter.Trigger, _TRIGGER_LABELS)),
    "unload_callback": Flag("FilterUnloadCallback registered"),
    "callback_returns": StatusChoice("Callback returns", _CALLBACK_STATUSES),
    "refuse_only_if_not_mandatory": Flag("Refuse only if not mandatory"),
    "flags": FlagSet("FLT_REGISTRATION.Flags", tuple((f.name, f.value) for f in minifilter.RegistrationFlag)),
    "driver_entry_returns": StatusChoice("DriverEntry returns", _ENTRY_STATUSES),
    "shutdown_preop": Flag("IRP_MJ_SHUTDOWN pre-operation"),
    "instances": Count("Instances", 0, len(minifilter.VOLUMES)),
    "teardown_callbacks": Flag("Instance teardown callbacks"),
    "pended_io": Flag("Pended I/O never completed"),
    "server_port": Choice("Server port", _options(minifilter.ServerPort, {
        "none": "none", "closed-before-unregister": "closed before FltUnregisterFilter", "left-open": "left open"})),
    "calls_unregister": Flag("Calls FltUnregisterFilter"),
    "caller_privileged": Flag("Caller is an administrator"),
    "leaks": FlagSet("Never given back", _set_options(minifilter.Leak, {
        "context": "context reference", "name-information": "file name information",
        "object-reference": "FltObjectReference", "open-file": "FltCreateFileEx handle",
        "work-item": "queued generic work item"})),
    "send_message_wait": Flag("FltSendMessage without a timeout"),
    "drains_pended_io": Flag("TeardownStart drains pended I/O"),
    "control_device": Choice("Control device", _options(minifilter.ControlDevice, {
        "none": "none", "created": "created, no handle open", "handle-open": "a handle is open"})),
    "refuse_only_if_control_device_open": Flag("Refuse only while a handle is open"),
    "global_resources": Flag("Timer, thread, notify routine, pool"),
    "cleanup_mistakes": FlagSet("Global cleanup forgets", _set_options(minifilter.CleanupMistake, {
        "timer-not-cancelled": "to cancel the timer", "thread-not-waited": "to wait for the thread",
        "notify-routine-left": "to remove the notify routine", "pool-not-freed": "to free the pool"})),
    "driver_verifier": Flag("Driver Verifier on"),
    "dependent_services": Flag("Another service depends on it"),
    "fast_startup": Flag("Fast Startup (hybrid shutdown)"),
}


def callout_knobs() -> dict[str, Any]:
    from ..callout import (MAX_CALLOUTS, CalloutTrigger, ContextRemoval, DriverModel, FilterRemoval, FlowRemoval,
                           UnregisterPlace)
    return {
        "model": Choice("Driver model", _options(DriverModel, {
            "wdm": "WDM (DriverUnload)", "wdf": "KMDF non-PnP (EvtDriverUnload)", "wdf-pnp": "KMDF PnP (contrast)"})),
        "trigger": Choice("Trigger", _options(CalloutTrigger, {
            **_TRIGGER_LABELS, "device-removal": "last device removed (KMDF PnP only)"})),
        "unload_function": Flag("Unload function set"),
        "unregisters": Flag("Unregisters its callouts"),
        "check_unregister_result": Flag("Checks the unregister result"),
        "flows_with_context": Count("Flows with a context", 0, 8),  # the model allows more; 8 shows every path
        "remove_flow_contexts": Choice("Flow contexts", _options(ContextRemoval, {
            "none": "left in place", "before-unregister": "removed before unregistering",
            "on-device-busy": "removed on STATUS_DEVICE_BUSY, then retry",
            "before-and-on-busy": "removed before, and on STATUS_DEVICE_BUSY"})),
        "flow_removal": Choice("Flow context removal", _options(FlowRemoval, {
            "synchronous": "synchronous", "pending": "pending"})),
        "waits_for_flow_deletes": Flag("Waits for every flowDeleteFn"),
        "callouts": Count("Callouts", 1, MAX_CALLOUTS),
        "driver_entry_returns": StatusChoice("DriverEntry returns", _ENTRY_STATUSES),
        "filters": Choice("Filters", _options(FilterRemoval, {
            "dynamic-session": "dynamic session closed first", "deleted-by-key": "deleted by key first",
            "after-unregister": "removed after unregistering", "left-in-place": "left in place"})),
        "permit_if_unregistered": Flag("Filters permit if callout unregistered"),
        "classify_in_progress": Flag("A classify is still running"),
        "drains_before_unregister": Flag("Drains work before unregistering"),
        "unregister_at_apc_level": Flag("Unregisters under a fast mutex (APC_LEVEL)"),
        "unregister_in": Choice("Unregisters in", _options(UnregisterPlace, {
            "unload-function": "the unload function",
            "self-managed-io-cleanup": "EvtDeviceSelfManagedIoCleanup (PnP)"})),
        "caller_privileged": Flag("Caller is an administrator"),
        "dependent_services": Flag("Another service depends on it"),
    }


# --- the controls ---------------------------------------------------------------------------------
STYLE = {"description_width": "210px"}   # exercises: a description beside its control
WIDE = W.Layout(width="460px")
_ABOVE = {"description_width": "initial"}   # panel: the description above its control (CSS stacks it)


def _full() -> W.Layout:
    return W.Layout(width="100%")


class _StatusControl:
    """A Dropdown of common statuses plus 'other (hex)', which shows a text field for the code."""

    def __init__(self, spec: StatusChoice, initial: Any):
        st = parse_status(initial)
        known = st.name in spec.names
        self.dropdown = W.Dropdown(options=[(_status_label(n), n) for n in spec.names] + [(OTHER, OTHER)],
                                   value=st.name if known else OTHER, description=spec.label,
                                   style=_ABOVE, layout=_full())
        self.hex = W.Text(value="" if known else st.hex, description=f"{spec.label} (hex)",
                          placeholder="e.g. 0xC01C0010", continuous_update=False, style=_ABOVE,
                          layout=_full())
        self.widgets = (self.dropdown, self.hex)
        self.dropdown.observe(self._toggle_hex, names="value")
        self._toggle_hex()

    def _toggle_hex(self, change: Any = None) -> None:
        self.hex.layout.display = None if self.dropdown.value == OTHER else "none"

    def value(self) -> str:
        """The chosen name, or what the hex field holds ("" before anything is typed)."""
        return self.hex.value.strip() if self.dropdown.value == OTHER else self.dropdown.value


def chosen_flags(spec: FlagSet, values: Any) -> set[str]:
    """Flag names from full names, short names (the checkbox text) or enum members;
    an unknown one raises ScenarioError rather than being dropped."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    chosen = set()
    for v in values:
        v = getattr(v, "value", v)
        match = [name for text, name in spec.options if v in (text, name)]
        if not match:
            raise ScenarioError(f"unknown flag {v!r}; accepted: {', '.join(n for _, n in spec.options)}")
        chosen.add(match[0])
    return chosen


def control(spec: Any, initial: Any) -> tuple[tuple[W.Widget, ...], Callable[[], Any]]:
    """The widgets for one knob, and a function reading the knob's value from them."""
    if isinstance(spec, Choice):
        w = W.Dropdown(options=list(spec.options), value=getattr(initial, "value", initial),
                       description=spec.label, style=_ABOVE, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, Flag):
        w = W.Checkbox(value=initial, description=spec.label, indent=False, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, Count):
        # IntText, not BoundedIntText: that one clamps silently; the panel says what is accepted.
        w = W.IntText(value=initial, description=f"{spec.label} ({spec.low} to {spec.high})",
                      style=_ABOVE, layout=_full())
        return (w,), lambda: w.value
    if isinstance(spec, FlagSet):
        chosen = chosen_flags(spec, initial)
        boxes = [W.Checkbox(value=name in chosen, description=text, indent=False, layout=_full())
                 for text, name in spec.options]
        names = [name for _, name in spec.options]
        box = W.VBox([W.Label(spec.label)] + boxes)
        return (box,), lambda: [n for n, b in zip(names, boxes) if b.value]
    if isinstance(spec, StatusChoice):
        c = _StatusControl(spec, initial)
        return c.widgets, c.value
    raise TypeError(f"no control for {spec!r}")


def watched(widgets: Sequence[W.Widget]) -> list[W.Widget]:
    """The controls inside boxes (tabs' pages and headings left out)."""
    out = []
    for w in widgets:
        if isinstance(w, W.Tab):
            continue
        out += watched(w.children) if isinstance(w, W.Box) else [w]
    return [w for w in out if not isinstance(w, (W.Label, W.HTML, W.Output, W.Image))]

