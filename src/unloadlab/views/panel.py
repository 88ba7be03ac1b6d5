"""The panel: controls for a scenario's knobs, the outcome in words, and the tabbed views.
No rule lives here: a panel reads its controls, builds a scenario, asks the core for the
trace and renders it.

``Panel("minifilter", show=("trigger", "callback_returns"))`` shows only those controls
(the others keep their defaults or the values given as keywords). The controls, then the
outcome as a banner (words, an icon and a colour) above the tabs Trace | Sequence diagram |
C code | Rules: beside the controls where the notebook is wide enough, under them at full
width where it is not (the CSS in panel_html follows the panel's own width). A tab is
rendered only when it is shown, and only again after a knob changed. The tab pages are
regions named per panel ("Trace, panel 2"), so their names are unique on a page.

Bad input is reported next to the control that holds it; that control keeps its last valid
value in the result, every other control still applies, and the panel says so. A hex field
that is still empty is not an error. Nothing is clamped.
"""
from __future__ import annotations

import html
from typing import Any, Callable, Sequence

import ipywidgets as W

from ..families import NAMES, family
from ..windows import ScenarioError, StatusError, Trace
from .controls import OTHER, Choice, Count, FlagSet, StatusChoice, chosen_flags, control, specs, watched
from .panel_html import diagram_svg, error_html, notice_html, outcome_html, plain, pre, rules_html, scroll, trace_html
from .shown import Shown
from .text import show_value

__all__ = ["Panel", "TABS"]

TABS = ("Trace", "Sequence diagram", "C code", "Rules")

# --- the panel --------------------------------------------------------------------------------------
class Panel(Shown):
    """Controls for a scenario's knobs, the outcome in words, and the tabbed views."""

    _made = 0   # panels made in this kernel: numbers them, so their region names differ

    def __init__(self, family_name: str = "minifilter", /, show: Sequence[str] | None = None, **initial: Any):
        # the family is positional-only: the callout family has a knob called model.
        if family_name not in NAMES:
            raise ValueError(f"family {family_name!r} is not one of: {', '.join(NAMES)}")
        self.family = family(family_name)
        self.specs = specs(self.family)   # knob: how its control looks, in field order
        Panel._made += 1
        self.number = Panel._made
        unknown = (set(show or ()) | set(initial)) - set(self.specs)
        if unknown:
            raise ValueError(f"unknown knob(s) {', '.join(sorted(unknown))}; known: {', '.join(self.specs)}")
        self.show = tuple(show) if show is not None else tuple(self.specs)
        starts = {row.name: row.start for row in self.family.knobs if row.start is not None}
        defaults = {**self._scenario_defaults(), **starts, **initial}
        self.fixed = {k: v for k, v in {**starts, **initial}.items() if k not in self.show}
        self.controls: dict[str, tuple[W.Widget, ...]] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        self.messages: dict[str, W.HTML] = {}   # per knob: the error shown beside its control
        for name in self.show:
            try:
                self.controls[name], self._readers[name] = control(self.specs[name], defaults[name])
            except (ScenarioError, StatusError) as e:   # a bad initial value: name the knob
                raise ScenarioError(str(e), name) from None
            self.messages[name] = W.HTML(layout=W.Layout(display="none"))
        self.outcome = W.HTML()   # the banner
        self.notice = W.HTML(layout=W.Layout(display="none"))   # why the result is not the controls' own
        self.trace_view, self.code_view, self.rules_view = W.HTML(), W.HTML(), W.HTML()
        self.diagram = W.HTML()   # inline SVG: text stays text
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
            for w in watched(ws):
                self._knob_of[w.model_id] = name
                w.observe(self._changed, names="value")
        self.tabs.observe(self._tab_changed, names="selected_index")
        self._start()

    def _layout(self) -> W.Widget:
        """The controls, then the banner, notice and tabs; where they sit is the CSS's
        (panel_html.CSS): side by side on a wide panel, the result under the controls else."""
        knobs = []
        for name, ws in self.controls.items():
            knobs.append(W.VBox([*ws, self.messages[name]]))
            knobs[-1].add_class("unloadlab-knob")
        controls = W.VBox(knobs)
        controls.add_class("unloadlab-controls")
        result = W.VBox([self.outcome, self.notice, self.tabs])
        result.add_class("unloadlab-result")
        panel = W.HBox([controls, result])
        panel.add_class("unloadlab-panel")
        return panel

    def sentence(self) -> str:
        labels = [self.specs[name].label for name in self.show]
        opens = (f"{', '.join(labels)} → " if labels else "") + f"outcome, {', '.join(TABS)}"
        return f"Run this cell to open the panel: {opens}."

    def _scenario_defaults(self) -> dict[str, Any]:
        import dataclasses
        return {f.name: f.default for f in dataclasses.fields(self.family.scenario)
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
        widgets, spec = self.controls[name], self.specs[name]
        self._last_changed = name
        if isinstance(spec, StatusChoice):
            dropdown, hexbox = widgets
            if isinstance(value, str) and value in spec.names:
                dropdown.value = value
            else:
                dropdown.value, hexbox.value = OTHER, str(value)
        elif isinstance(spec, FlagSet):
            chosen = chosen_flags(spec, value)
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
        self._show(self.family.scenario(**knobs), knobs)
        self._report({}, set())

    def update(self) -> Trace | None:
        """Simulate the current knobs and render. A value the model rejects is reported beside
        its control and replaced by its last valid value, so every other control still applies;
        the notice says which value the result uses instead."""
        values = self.knobs()
        problems = self._out_of_range(values)
        pending = {name for name, spec in self.specs.items()
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
        for name, spec in self.specs.items():
            if name in self._readers and isinstance(spec, Count) and not spec.low <= values[name] <= spec.high:
                out[name] = f"expected a whole number {spec.low}..{spec.high}, got {values[name]}"
        return out

    def _scenario(self, values: dict[str, Any], problems: dict[str, str]) -> Any:
        """The scenario for ``values``; each knob the model rejects falls back to its last valid
        value (recorded in ``problems``). None when no fallback mends it (see _failure)."""
        while True:
            try:
                return self.family.scenario(**values)
            except (ScenarioError, StatusError) as e:
                knob, reason = getattr(e, "knob", ""), getattr(e, "reason", str(e))
                said = f"{self._label(knob)}: {reason}" if knob in self.specs else str(e)
                culprit = self._culprit(knob, values, problems)
                if culprit is None:
                    self._failure = said
                    return None
                problems[culprit] = reason if culprit == knob else said
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
        self.scenario, self.result = scenario, self.family.simulate(scenario)
        self.outcome.value = outcome_html(self.result)
        self._stale = set(range(len(TABS)))
        self._render(self.tabs.selected_index or 0)

    def _report(self, problems: dict[str, str], pending: set[str]) -> None:
        """Each error beside its control; above the tabs, which values the result uses instead."""
        self.errors = dict(problems)
        for name, box in self.messages.items():
            _set_html(box, error_html(problems[name]) if name in problems else "")
            for w in self.controls[name]:
                if isinstance(w, (W.Text, W.IntText)):   # aria-invalid, through the front-end script
                    (w.add_class if name in problems else w.remove_class)("unloadlab-invalid")
        lines = [f"<b>{html.escape(self._label(n))}</b> is not applied: the result uses its last valid "
                 f"value, {html.escape(show_value(self._valid[n]))}." for n in problems]
        lines += [f"<b>{html.escape(self._label(n))}</b>: type a status in the hex field to apply it; until "
                  f"then the result uses {html.escape(show_value(self._valid[n]))}." for n in sorted(pending)]
        if self._failure:
            lines.append(f"<b>Not applied:</b> {html.escape(self._failure)}. The result is the last valid one; "
                         "change this control back, or another one, to go on.")
        _set_html(self.notice, notice_html(lines, error=bool(self._failure)) if lines else "")

    def _label(self, knob: str) -> str:
        return self.specs[knob].label if knob in self.specs else knob

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
        trace, name = self.result, f"{TABS[index]}, panel {self.number}"
        if index == 0:
            self.trace_view.value = scroll(trace_html(trace), name)
        elif index == 1:
            self.diagram.value = diagram_svg(trace, name)
        elif index == 2:
            from .code import driver_c
            self.code_view.value = scroll(pre(driver_c(self.scenario)), name)
        else:
            self.rules_view.value = scroll(rules_html(trace), name)

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


def _set_html(box: W.HTML, markup: str) -> None:
    """Show ``markup``, or hide the widget when there is none (an empty HTML still takes a line)."""
    box.value = markup
    box.layout.display = None if markup else "none"

