"""ipywidgets front ends over the model. No rule lives here: a panel reads its controls,
builds a scenario, asks the core for the trace and renders it.

``Panel("minifilter", show=("trigger", "callback_returns"))`` shows only those controls
(the others keep their defaults or the values given as keywords). The outcome is stated in
words; the tabs are Trace | Sequence diagram | C code | Rules; a tab is rendered only when
it is shown, and only again after a knob changed. Bad input (a malformed hex status)
appears in the panel and leaves the previous result in place.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as W

from .. import minifilter
from ..catalogue import RULES_BY_ID
from ..windows import Mark, ScenarioError, StatusError, Trace, parse_status
from .text import format_trace

__all__ = ["Panel", "Shown", "MODELS", "OTHER", "STYLE", "WIDE", "pre", "plain"]

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
    "caller_privileged": Flag("Caller holds SeLoadDriverPrivilege"),
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
    from ..callout import MAX_CALLOUTS, CalloutTrigger, ContextRemoval, DriverModel, FlowRemoval
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
            "on-device-busy": "removed on STATUS_DEVICE_BUSY, then retry"})),
        "flow_removal": Choice("Flow context removal", _options(FlowRemoval, {
            "synchronous": "synchronous", "pending": "pending"})),
        "callouts": Count("Callouts", 1, MAX_CALLOUTS),
        "driver_entry_returns": StatusChoice("DriverEntry returns", _ENTRY_STATUSES),
    }


# --- the controls ---------------------------------------------------------------------------------
STYLE = {"description_width": "210px"}
WIDE = W.Layout(width="460px")


class _StatusControl:
    """A Dropdown of common statuses plus 'other (hex)' with a text field."""

    def __init__(self, spec: StatusChoice, initial: Any):
        st = parse_status(initial)
        known = st.name in spec.names
        self.dropdown = W.Dropdown(options=[(_status_label(n), n) for n in spec.names] + [(OTHER, OTHER)],
                                   value=st.name if known else OTHER, description=spec.label,
                                   style=STYLE, layout=WIDE)
        self.hex = W.Text(value="" if known else st.hex, description=f"{spec.label} (hex)",
                          placeholder="e.g. 0xC01C0010", continuous_update=False, style=STYLE, layout=WIDE,
                          disabled=known)
        self.widgets = (self.dropdown, self.hex)

    def value(self) -> str:
        self.hex.disabled = self.dropdown.value != OTHER
        return self.hex.value if self.dropdown.value == OTHER else self.dropdown.value


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
        w = W.Dropdown(options=list(spec.options), value=getattr(initial, "value", initial), description=spec.label, style=STYLE, layout=WIDE)
        return (w,), lambda: w.value
    if isinstance(spec, Flag):
        w = W.Checkbox(value=initial, description=spec.label, indent=False)
        return (w,), lambda: w.value
    if isinstance(spec, Count):
        w = W.BoundedIntText(value=initial, min=spec.low, max=spec.high, description=spec.label,
                             style=STYLE, layout=W.Layout(width="300px"))
        return (w,), lambda: w.value
    if isinstance(spec, FlagSet):
        chosen = _chosen_flags(spec, initial)
        boxes = [W.Checkbox(value=name in chosen, description=text, indent=False) for text, name in spec.options]
        names = [name for _, name in spec.options]
        box = W.VBox([W.Label(spec.label)] + boxes)
        return (box,), lambda: [n for n, b in zip(names, boxes) if b.value]
    if isinstance(spec, StatusChoice):
        c = _StatusControl(spec, initial)
        return c.widgets, c.value
    raise TypeError(f"no control for {spec!r}")


def _watched(widgets: Sequence[W.Widget]) -> list[W.Widget]:
    out = []
    for w in widgets:
        out += _watched(w.children) if isinstance(w, W.Box) else [w]
    return [w for w in out if not isinstance(w, W.Label)]


class Shown:
    """Displaying the object in a notebook displays its widget."""

    widget: W.Widget

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)


# --- the panel --------------------------------------------------------------------------------------
class Panel(Shown):
    """Controls for a scenario's knobs, the outcome in words, and the tabbed views."""

    def __init__(self, model: str = "minifilter", show: Sequence[str] | None = None, **initial: Any):
        if model not in MODELS:
            raise ValueError(f"model {model!r} is not one of: {', '.join(MODELS)}")
        self.model = MODELS[model]()
        unknown = (set(show or ()) | set(initial)) - set(self.model.knobs)
        if unknown:
            raise ValueError(f"unknown knob(s) {', '.join(sorted(unknown))}; known: {', '.join(self.model.knobs)}")
        self.show = tuple(show) if show is not None else tuple(self.model.knobs)
        defaults = {**self._scenario_defaults(), **self.model.defaults, **initial}
        self.fixed = {k: v for k, v in initial.items() if k not in self.show}
        self.controls: dict[str, tuple[W.Widget, ...]] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        for name in self.show:
            self.controls[name], self._readers[name] = _control(self.model.knobs[name], defaults[name])
        self.outcome = W.HTML()
        self.error = W.HTML()
        self.trace_view, self.code_view, self.rules_view = W.HTML(), W.HTML(), W.HTML()
        self.diagram = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.tabs = W.Tab(children=[self.trace_view, self.diagram, self.code_view, self.rules_view])
        for i, title in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.result: Trace | None = None
        self.scenario: Any = None
        self._stale: set[int] = set()
        self._holding = False
        self.widget = W.VBox([W.VBox([w for ws in self.controls.values() for w in ws]),
                              self.error, self.outcome, self.tabs])
        for w in _watched([w for ws in self.controls.values() for w in ws]):
            w.observe(self._changed, names="value")
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.update()

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
        else:
            widgets[0].value = value

    def update(self) -> Trace | None:
        """Simulate the current knobs and render; on bad input keep the previous result."""
        try:
            scenario = self.model.scenario(**self.knobs())
        except (ScenarioError, StatusError) as e:
            knob, _, rest = str(e).partition(": ")
            message = f"{self.model.knobs[knob].label}: {rest}" if knob in self.model.knobs else str(e)
            self.error.value = (f"<p><b>Input not accepted.</b> {html.escape(message)}. "
                                "The result below is still the previous one.</p>")
            return self.result
        self.error.value = ""
        self.scenario, self.result = scenario, self.model.simulate(scenario)
        self.outcome.value = _outcome_html(self.result)
        self._stale = set(range(len(TABS)))
        self._render(self.tabs.selected_index or 0)
        return self.result

    def render_all(self) -> None:
        """Render every tab now (for benchmarks and tests; the panel itself is lazy)."""
        for i in range(len(TABS)):
            self._render(i)

    def _changed(self, change: dict) -> None:
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
            self.trace_view.value = pre(format_trace(trace, with_rules=False))
        elif index == 1:
            self.diagram.value = _diagram_png(trace)
        elif index == 2:
            from .code import driver_c
            self.code_view.value = pre(driver_c(self.scenario))
        else:
            self.rules_view.value = _rules_html(trace)

    # --- text views (for tests and for the learner's next cell) ----------------------------------------
    @property
    def outcome_text(self) -> str:
        """The outcome as plain text."""
        return plain(self.outcome.value)

    @property
    def error_text(self) -> str:
        return plain(self.error.value)


def pre(text: str) -> str:
    """Monospace text as HTML."""
    return f"<pre style='font-size:12px; line-height:1.35'>{html.escape(text)}</pre>"


def plain(markup: str) -> str:
    """What an HTML value says, as plain text (tests and notebooks read it)."""
    import re
    return html.unescape(re.sub(r"<[^>]+>", "", markup.replace("<br>", "\n"))).strip()


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
    return "<p>" + "<br>".join(lines) + "</p>"


def _rules_html(trace: Trace) -> str:
    items = []
    for rid in trace.rules:
        r = RULES_BY_ID[rid]
        src = "; ".join(f"<a href='{html.escape(s.url)}' target='_blank'>{html.escape(s.title)}</a>"
                        for s in r.sources)
        items.append(f"<li><code>{rid}</code> [{r.kind.value}]: {html.escape(r.statement)}<br>"
                     f"<small>{src}</small></li>")
    return "<ul>" + "".join(items) + "</ul>"


def _diagram_png(trace: Trace) -> bytes:
    from .plots import sequence_diagram
    fig = sequence_diagram(trace)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
