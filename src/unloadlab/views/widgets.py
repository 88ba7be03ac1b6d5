"""ipywidgets front ends over the model. No rule lives here: a panel reads its controls,
builds a scenario, asks the core for the trace and renders it.

``Panel("minifilter", show=("trigger", "callback_returns"))`` shows only those controls
(the others keep their defaults or the values given as keywords). Laid out for a
1280x720 screen: the controls on the left, on the right the outcome as a banner (words, an
icon and a colour) above the tabs Trace | Sequence diagram | C code | Rules; a tab is
rendered only when it is shown, and only again after a knob changed.

Bad input is reported next to the control that holds it; that control keeps its last valid
value in the result, every other control still applies, and the panel says so. A hex field
that is still empty is not an error. Nothing is clamped.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as W

from .. import minifilter
from ..catalogue import RULES_BY_ID
from ..windows import Mark, Outcome, ScenarioError, StatusError, Trace, parse_status
from .text import format_trace, show_value

__all__ = ["Panel", "Shown", "MODELS", "OTHER", "STYLE", "WIDE", "pre", "plain", "style_sheet"]

OTHER = "other (hex)"
TABS = ("Trace", "Sequence diagram", "C code", "Rules")


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


@dataclass(frozen=True)
class Model:
    """What a panel needs to know about one driver family."""

    scenario: Callable[..., Any]
    simulate: Callable[[Any], Trace]
    knobs: dict[str, Any]
    defaults: dict[str, Any]


def _minifilter_model() -> Model:
    return Model(minifilter.MinifilterScenario, minifilter.simulate, MINIFILTER_KNOBS,
                 {"trigger": "FilterUnload"})


def _callout_model() -> Model:
    from .. import callout
    return Model(callout.CalloutScenario, callout.simulate, _callout_knobs(), {})


MODELS: dict[str, Callable[[], Model]] = {"minifilter": _minifilter_model, "callout": _callout_model}


def _callout_knobs() -> dict[str, Any]:
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


def _chosen_flags(spec: FlagSet, values: Any) -> set[str]:
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


def _control(spec: Any, initial: Any) -> tuple[tuple[W.Widget, ...], Callable[[], Any]]:
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
        chosen = _chosen_flags(spec, initial)
        boxes = [W.Checkbox(value=name in chosen, description=text, indent=False, layout=_full())
                 for text, name in spec.options]
        names = [name for _, name in spec.options]
        box = W.VBox([W.Label(spec.label)] + boxes)
        return (box,), lambda: [n for n, b in zip(names, boxes) if b.value]
    if isinstance(spec, StatusChoice):
        c = _StatusControl(spec, initial)
        return c.widgets, c.value
    raise TypeError(f"no control for {spec!r}")


def _watched(widgets: Sequence[W.Widget]) -> list[W.Widget]:
    """The controls inside boxes (tabs' pages and headings left out)."""
    out = []
    for w in widgets:
        if isinstance(w, W.Tab):
            continue
        out += _watched(w.children) if isinstance(w, W.Box) else [w]
    return [w for w in out if not isinstance(w, (W.Label, W.HTML, W.Output, W.Image))]


# --- how it looks: one style sheet, shown once per displayed widget -------------------------------
_FOCUS = "#1a56db"       # 6.2:1 against white; JupyterLab's own focus border is 2.2:1
_ERROR = "#b91c1c"
_LINK = f"color:{_FOCUS}; text-decoration:underline"
_CSS = f"""
.unloadlab-controls .widget-dropdown, .unloadlab-controls .widget-text {{
  flex-direction: column; align-items: stretch; height: auto; margin-bottom: 6px; }}
.unloadlab-controls .widget-dropdown > .widget-label, .unloadlab-controls .widget-text > .widget-label {{
  width: auto; max-width: none; height: auto; text-align: left; white-space: normal; line-height: 1.3;
  overflow: visible; margin: 0 0 2px 0; }}
.unloadlab-controls .widget-dropdown > select, .unloadlab-controls .widget-text > input {{
  width: 100%; max-width: 100%; flex: 0 0 auto; height: var(--jp-widgets-inline-height, 28px); }}
.unloadlab .widget-html-content {{ line-height: 1.4; }}
.unloadlab-result .jupyter-widgets, .unloadlab-result .widget-html-content {{ min-width: 0; }}
.unloadlab-result .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab {{
  flex: 0 0 auto; min-width: 0; max-width: none; }}
.unloadlab-controls .widget-checkbox {{ height: auto; min-height: var(--jp-widgets-inline-height); }}
.unloadlab-controls .widget-checkbox .widget-label-basic,
.unloadlab-controls .widget-label-basic span {{ white-space: normal; overflow: visible; }}
.unloadlab-controls .widget-label {{ font-weight: 600; }}
.unloadlab select:focus, .unloadlab input:focus, .unloadlab textarea:focus,
.unloadlab button:focus-visible, .unloadlab [role="tab"]:focus-visible, .unloadlab a:focus-visible,
.unloadlab summary:focus-visible, .unloadlab [tabindex="0"]:focus-visible {{
  outline: 2px solid {_FOCUS} !important; outline-offset: 2px; }}
.unloadlab a {{ {_LINK}; }}
.jp-Notebook:has(.unloadlab) .jp-OutputArea-output pre {{ word-break: normal; overflow-wrap: normal; }}
.unloadlab-hint {{ font-size: 12px; color: var(--jp-content-font-color2, #374151); margin: 0 0 6px 0; }}
"""


def style_sheet() -> W.HTML:
    """An invisible widget holding the lab's CSS (focus ring, links, the panel's layout)."""
    return W.HTML(f"<style>{_CSS}</style>", layout=W.Layout(display="none"))


class Shown:
    """Displaying the object in a notebook displays its widget, with the lab's style sheet.

    Before a kernel has run the cell (GitHub, nbviewer, a fresh Binder) a reader sees the
    stored text/plain, so that is a sentence saying what the cell opens, never a repr."""

    widget: W.Widget
    NOUN = "widget"   # "Run this cell to open the <NOUN>: ..."

    def sentence(self) -> str:
        """What the cell opens, for readers without a kernel."""
        names = [w.description for w in _watched([self.widget]) if getattr(w, "description", "")]
        return f"Run this cell to open the {self.NOUN}" + (f": {', '.join(names)}." if names else ".")

    def shown_widget(self) -> W.Widget:
        """What is displayed: the widget and the style sheet, with the class the CSS keys on."""
        if getattr(self, "_shown_widget", None) is None:
            self._shown_widget = W.VBox([style_sheet(), self.widget])
            self._shown_widget.add_class("unloadlab")
        return self._shown_widget

    def _ipython_display_(self) -> None:
        from IPython.display import display
        bundle = self.shown_widget()._repr_mimebundle_()
        bundle["text/plain"] = self.sentence()
        display(bundle, raw=True)


# --- the panel --------------------------------------------------------------------------------------
class Panel(Shown):
    """Controls for a scenario's knobs, the outcome in words, and the tabbed views."""

    def __init__(self, model: str = "minifilter", /, show: Sequence[str] | None = None, **initial: Any):
        # model is positional-only: the callout family has a knob called model too.
        if model not in MODELS:
            raise ValueError(f"model {model!r} is not one of: {', '.join(MODELS)}")
        self.model = MODELS[model]()
        unknown = (set(show or ()) | set(initial)) - set(self.model.knobs)
        if unknown:
            raise ValueError(f"unknown knob(s) {', '.join(sorted(unknown))}; known: {', '.join(self.model.knobs)}")
        self.show = tuple(show) if show is not None else tuple(self.model.knobs)
        defaults = {**self._scenario_defaults(), **self.model.defaults, **initial}
        self.fixed = {k: v for k, v in {**self.model.defaults, **initial}.items() if k not in self.show}
        self.controls: dict[str, tuple[W.Widget, ...]] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        self.messages: dict[str, W.HTML] = {}   # per knob: the error shown beside its control
        for name in self.show:
            try:
                self.controls[name], self._readers[name] = _control(self.model.knobs[name], defaults[name])
            except (ScenarioError, StatusError) as e:   # a bad initial value: name the knob
                raise ScenarioError(f"{name}: {e}") from None
            self.messages[name] = W.HTML(layout=W.Layout(display="none"))
        self.outcome = W.HTML()   # the banner
        self.notice = W.HTML(layout=W.Layout(display="none"))   # why the result is not the controls' own
        self.trace_view, self.code_view, self.rules_view = W.HTML(), W.HTML(), W.HTML()
        self.diagram = W.HTML(layout=W.Layout(max_width="100%"))   # inline SVG: text stays text
        self.tabs = W.Tab(children=[self.trace_view, self.diagram, self.code_view, self.rules_view])
        for i, title in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.result: Trace | None = None
        self.scenario: Any = None
        self.errors: dict[str, str] = {}       # knob -> what is wrong with the value its control holds
        self._valid: dict[str, Any] = {}       # the knob values behind the result shown
        self._failure = ""                     # a combination no fallback can mend
        self._last_changed: str | None = None
        self._stale: set[int] = set()
        self._holding = False
        self.widget = self._layout()
        self._knob_of: dict[str, str] = {}
        for name, ws in self.controls.items():
            for w in _watched(ws):
                self._knob_of[w.model_id] = name
                w.observe(self._changed, names="value")
        self.tabs.observe(self._tab_changed, names="selected_index")
        self._start()

    def _layout(self) -> W.Widget:
        """Controls on the left, the banner, notice and tabs on the right (wrapping below on a
        narrow screen), so a control and its effect are on screen together."""
        knobs = []
        for name, ws in self.controls.items():
            knobs.append(W.VBox([*ws, self.messages[name]]))
            knobs[-1].add_class("unloadlab-knob")
        dropdowns = any(isinstance(w, W.Dropdown) for ws in self.controls.values() for w in ws)
        controls = W.VBox(([W.HTML(_KEYBOARD_HINT)] if dropdowns else []) + knobs,
                          layout=W.Layout(flex="0 1 340px", min_width="240px", margin="0 24px 8px 0"))
        controls.add_class("unloadlab-controls")
        result = W.VBox([self.outcome, self.notice, self.tabs], layout=W.Layout(flex="1 1 440px", min_width="0"))
        result.add_class("unloadlab-result")
        panel = W.HBox([controls, result], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        panel.add_class("unloadlab-panel")
        return panel

    def sentence(self) -> str:
        labels = [self.model.knobs[name].label for name in self.show]
        opens = (f"{', '.join(labels)} → " if labels else "") + f"outcome, {', '.join(TABS)}"
        return f"Run this cell to open the panel: {opens}."

    def _scenario_defaults(self) -> dict[str, Any]:
        import dataclasses
        return {f.name: f.default for f in dataclasses.fields(self.model.scenario)
                if f.default is not dataclasses.MISSING}

    # --- reading and updating ----------------------------------------------------------------------
    def knobs(self) -> dict[str, Any]:
        """The current knob values: the shown controls plus the fixed ones."""
        return {**self.fixed, **{name: read() for name, read in self._readers.items()}}

    def set(self, **values: Any) -> Trace | None:
        """Set several controls at once (one update), e.g. panel.set(trigger="sc-stop")."""
        self._holding = True
        try:
            for name, value in values.items():
                self._set_one(name, value)
        finally:
            self._holding = False
        return self.update()

    def _set_one(self, name: str, value: Any) -> None:
        if name not in self.controls:
            raise ValueError(f"{name!r} is not shown in this panel; shown: {', '.join(self.show)}")
        widgets, spec = self.controls[name], self.model.knobs[name]
        self._last_changed = name
        if isinstance(spec, StatusChoice):
            dropdown, hexbox = widgets
            if isinstance(value, str) and value in spec.names:
                dropdown.value = value
            else:
                dropdown.value, hexbox.value = OTHER, str(value)
        elif isinstance(spec, FlagSet):
            chosen = _chosen_flags(spec, value)
            for (_, flag), box in zip(spec.options, widgets[0].children[1:]):
                box.value = flag in chosen
        elif isinstance(spec, Choice):
            value = getattr(value, "value", value)
            if value not in [v for _, v in spec.options]:
                raise ScenarioError(f"{name}: {value!r} is not one of: {', '.join(v for _, v in spec.options)}")
            widgets[0].value = value
        else:
            widgets[0].value = value

    def _start(self) -> None:
        """The first result. Bad initial knobs are the caller's mistake: ScenarioError."""
        knobs = self.knobs()
        problems = [f"{name}: {problem}" for name, problem in self._out_of_range(knobs).items()]
        if problems:
            raise ScenarioError(problems[0])
        self._show(self.model.scenario(**knobs), knobs)
        self._report({}, set())

    def update(self) -> Trace | None:
        """Simulate the current knobs and render. A value the model rejects is reported beside
        its control and replaced by its last valid value, so every other control still applies;
        the notice says which value the result uses instead."""
        values = self.knobs()
        problems = self._out_of_range(values)
        pending = {name for name, spec in self.model.knobs.items()
                   if name in self._readers and isinstance(spec, StatusChoice) and values[name] == ""}
        for name in {*problems, *pending}:
            values[name] = self._valid[name]
        self._failure = ""
        scenario = self._scenario(values, problems)
        if scenario is not None:
            self._show(scenario, values)
        self._report(problems, pending)
        return self.result

    def _out_of_range(self, values: dict[str, Any]) -> dict[str, str]:
        """Counts outside what the panel offers (said in the model's words, never clamped)."""
        out = {}
        for name, spec in self.model.knobs.items():
            if name in self._readers and isinstance(spec, Count) and not spec.low <= values[name] <= spec.high:
                out[name] = f"expected a whole number {spec.low}..{spec.high}, got {values[name]}"
        return out

    def _scenario(self, values: dict[str, Any], problems: dict[str, str]) -> Any:
        """The scenario for ``values``; each knob the model rejects falls back to its last valid
        value (recorded in ``problems``). None when no fallback mends it (see _failure)."""
        while True:
            try:
                return self.model.scenario(**values)
            except (ScenarioError, StatusError) as e:
                knob, _, message = str(e).partition(": ")
                culprit = self._culprit(knob, values, problems)
                if culprit is None:
                    self._failure = f"{self._label(knob)}: {message}" if knob in self.model.knobs else str(e)
                    return None
                problems[culprit] = message if culprit == knob else f"{self._label(knob)}: {message}"
                values[culprit] = self._valid[culprit]

    def _culprit(self, knob: str, values: dict[str, Any], problems: dict[str, str]) -> str | None:
        """The control to blame: the knob the model names, else one rejected last time, else the
        one the learner just changed; only a shown control whose value is not its last valid one."""
        for name in (knob, *sorted(self.errors), self._last_changed):
            if name in self._readers and name not in problems and values[name] != self._valid[name]:
                return name
        return None

    def _show(self, scenario: Any, values: dict[str, Any]) -> None:
        self._valid = values
        if scenario == self.scenario:
            return
        self.scenario, self.result = scenario, self.model.simulate(scenario)
        self.outcome.value = _outcome_html(self.result)
        self._stale = set(range(len(TABS)))
        self._render(self.tabs.selected_index or 0)

    def _report(self, problems: dict[str, str], pending: set[str]) -> None:
        """Each error beside its control; above the tabs, which values the result uses instead."""
        self.errors = dict(problems)
        for name, box in self.messages.items():
            _set_html(box, _error_html(problems[name]) if name in problems else "")
        lines = [f"<b>{html.escape(self._label(n))}</b> is not applied: the result uses its last valid "
                 f"value, {html.escape(show_value(self._valid[n]))}." for n in problems]
        lines += [f"<b>{html.escape(self._label(n))}</b>: type a status in the hex field to apply it; until "
                  f"then the result uses {html.escape(show_value(self._valid[n]))}." for n in sorted(pending)]
        if self._failure:
            lines.append(f"<b>Not applied:</b> {html.escape(self._failure)}. The result is the last valid one; "
                         "change this control back, or another one, to go on.")
        _set_html(self.notice, _notice_html(lines, error=bool(self._failure)) if lines else "")

    def _label(self, knob: str) -> str:
        return self.model.knobs[knob].label if knob in self.model.knobs else knob

    def render_all(self) -> None:
        """Render every tab now (for benchmarks and tests; the panel itself is lazy)."""
        for i in range(len(TABS)):
            self._render(i)

    def _changed(self, change: dict) -> None:
        self._last_changed = self._knob_of.get(change["owner"].model_id, self._last_changed)
        if not self._holding:
            self.update()

    def _tab_changed(self, change: dict) -> None:
        if change["new"] is not None:
            self._render(change["new"])

    def _render(self, index: int) -> None:
        if index not in self._stale or self.result is None:
            return
        self._stale.discard(index)
        trace = self.result
        if index == 0:
            self.trace_view.value = _scroll(_trace_html(trace), TABS[0])
        elif index == 1:
            self.diagram.value = _diagram_svg(trace)
        elif index == 2:
            from .code import driver_c
            self.code_view.value = _scroll(pre(driver_c(self.scenario), wrap=False), TABS[2])
        else:
            self.rules_view.value = _scroll(_rules_html(trace), TABS[3])

    # --- text views (for tests and for the learner's next cell) ----------------------------------------
    @property
    def outcome_text(self) -> str:
        """The outcome as plain text (the banner's icon left out)."""
        return plain(self.outcome.value)

    @property
    def error_text(self) -> str:
        """Every error the panel shows, one per line ("Callback returns: ..."); "" when none."""
        lines = [f"{self._label(n)}: {m}" for n, m in self.errors.items()]
        return "\n".join(lines + ([self._failure] if self._failure else []))

    @property
    def notice_text(self) -> str:
        """Which values the result uses instead of what the controls hold; "" when none."""
        return plain(self.notice.value)


def pre(text: str, wrap: bool = True) -> str:
    """Monospace text as HTML. Lines wrap only between words (JupyterLab's own output style
    breaks anywhere, "Filte/rUnloadCallback"); wrap=False keeps code lines whole."""
    white = "pre-wrap" if wrap else "pre"
    return (f"<pre class='unloadlab-pre' style='font-size:12px; line-height:1.35; margin:0; "
            f"white-space:{white}; word-break:normal; overflow-wrap:normal; overflow:visible'>"
            f"{html.escape(text)}</pre>")


def plain(markup: str) -> str:
    """What an HTML value says, as plain text (tests and notebooks read it); decorations
    (aria-hidden icons) and the style sheet are left out."""
    import re
    markup = re.sub(r"<(span|style)\b[^>]*?(aria-hidden='true'[^>]*)?>.*?</\1>",
                    lambda m: "" if m.group(1) == "style" or m.group(2) else m.group(0), markup, flags=re.S)
    markup = re.sub(r"<br>|</p>|</div>|</li>|</summary>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _set_html(box: W.HTML, markup: str) -> None:
    """Show ``markup``, or hide the widget when there is none (an empty HTML still takes a line)."""
    box.value = markup
    box.layout.display = None if markup else "none"


_KEYBOARD_HINT = ("<p class='unloadlab-hint'>Keyboard: Tab moves between the controls; Space or Enter "
                  "opens a dropdown (an arrow key on a closed dropdown moves JupyterLab to the next "
                  "cell).</p>")

# outcome -> (icon, colour). The words say it first; the icon and the colour repeat it.
# Icons that common fonts have (DejaVu, Segoe UI Symbol), so none shows as a box.
_LOOK = {
    Outcome.UNLOADED: ("✔", "#15803d"),
    Outcome.REFUSED: ("⊘", "#b45309"),
    Outcome.FAILED: ("✖", _ERROR),
    Outcome.HUNG: ("◷", "#7e22ce"),
    Outcome.SHUTDOWN: ("ℹ", "#1d4ed8"),
    Outcome.DRIVER_ENTRY_FAILED: ("⚠", _ERROR),
    Outcome.HAZARD: ("☣", _ERROR),
    Outcome.UNLOAD_PENDING: ("◔", "#a16207"),
    Outcome.BUGCHECK: ("☠", "#7f1d1d"),
}


def _banner(kind: str, icon: str, colour: str, body: str, role: str = "status") -> str:
    return (f"<div class='unloadlab-banner unloadlab-{kind}' role='{role}' style='border-left:6px solid "
            f"{colour}; background:{colour}1a; padding:6px 10px; margin:0 0 6px 0; line-height:1.4'>"
            f"<span class='unloadlab-icon' aria-hidden='true' style='color:{colour}; font-size:1.25em; "
            f"margin-right:6px'>{icon}</span>{body}</div>")


def _outcome_html(trace: Trace) -> str:
    state = trace.state
    lines = [f"<b>Outcome: {html.escape(trace.outcome.value.upper())}</b>. {html.escape(trace.headline)}"]
    if state.get("requester_got"):
        lines.append(f"The requester got: {html.escape(state['requester_got'])}")
    if state.get("printed"):
        lines.append("It printed:<br><code>" + "<br>".join(html.escape(x) for x in state["printed"]) + "</code>")
    silent = [n for n, step in enumerate(trace.steps, 1) if step.mark is Mark.SILENT]
    if silent:
        lines.append("The documentation is silent at step " + ", ".join(map(str, silent))
                     + ": see the Trace tab.")
    icon, colour = _LOOK[trace.outcome]
    return _banner(f"outcome-{trace.outcome.name.lower().replace('_', '-')}", icon, colour, "<br>".join(lines))


def _error_html(message: str) -> str:
    return (f"<div class='unloadlab-error' role='alert' style='color:{_ERROR}; font-weight:600; "
            f"margin:2px 0 6px 0'><span aria-hidden='true'>✖ </span>Not accepted: "
            f"{html.escape(message)}.</div>")


def _notice_html(lines: list[str], error: bool) -> str:
    colour = _ERROR if error else "#b45309"
    return _banner("notice", "⚠", colour, "<br>".join(lines), role="alert" if error else "status")


def _scroll(markup: str, label: str) -> str:
    """A tab page that scrolls inside itself (focusable, so the keyboard can scroll it), keeping
    the controls and the banner on screen at 1280x720; a wide line or picture scrolls here
    instead of widening the panel (the min-width rules in _CSS)."""
    return (f"<div class='unloadlab-scroll' role='region' aria-label='{html.escape(label)}' tabindex='0' "
            f"style='max-height:420px; overflow:auto'>{markup}</div>")


def _trace_html(trace: Trace) -> str:
    """The steps; the echo of every knob (for a bug report) folded away above them."""
    echo, _, steps = format_trace(trace, with_rules=False).partition("\n\n")
    return (f"<details><summary>Settings of this run: every knob, defaults included</summary>"
            f"{pre(echo)}</details>{pre(steps)}")


def _source_html(source: Any) -> str:
    title = html.escape(source.title)
    if source.url.startswith(("https://", "http://")):
        return (f"<a href='{html.escape(source.url)}' target='_blank' rel='noopener' "
                f"style='{_LINK}'>{title}</a>")
    return f"{title} <small>({html.escape(source.url)} in this repository)</small>"


def _rules_html(trace: Trace) -> str:
    """Each cited rule with the numbers of its sources; then each source (a page: one URL)
    once, as a link."""
    numbers: dict[str, int] = {}
    sources, items = [], []
    for rid in trace.rules:
        r = RULES_BY_ID[rid]
        refs = []
        for s in r.sources:
            if s.url not in numbers:
                numbers[s.url] = len(numbers) + 1
                sources.append(s)
            refs.append(f"[{numbers[s.url]}]")
        items.append(f"<li><code>{rid}</code> [{r.kind.value}]: {html.escape(r.statement)} "
                     f"<small>Sources {', '.join(refs)}</small></li>")
    listed = "".join(f"<li>{_source_html(s)}</li>" for s in sources)
    return f"<ul>{''.join(items)}</ul><p><b>Sources</b></p><ol>{listed}</ol>"


def _diagram_svg(trace: Trace) -> str:
    """The sequence diagram as inline SVG markup, named by its alt text (role="img")."""
    from .plots import sequence_diagram, to_html
    return to_html(sequence_diagram(trace))
