"""The HTML a panel renders, as strings: the lab's style sheet, the outcome banner, the
error and notice lines, the trace, the rules with their sources, and ``pre``/``plain`` for
monospace text and for reading markup back as text. No widgets here."""
from __future__ import annotations

import html
import re
from typing import Any

from ..catalogue import RULES_BY_ID
from ..windows import Mark, Outcome, Trace
from .figures import MIN_SHOWN_PX, NATURAL_PX
from .text import format_trace

__all__ = ["CSS", "FRONT_END", "TWO_COLUMNS", "LOOK", "pre", "plain", "outcome_html", "error_html", "notice_html",
           "scroll", "trace_html", "rules_html", "diagram_svg"]

# one style sheet, shown once per displayed widget (see shown.style_sheet)
_FOCUS = "#1a56db"       # 6.2:1 against white; JupyterLab's own focus border is 2.2:1
_ERROR = "#b91c1c"
_LINK = f"color:{_FOCUS}; text-decoration:underline"
TWO_COLUMNS = 1140       # px of panel width from which the controls sit beside the result
# The layout follows the width the widget gets (a container query on .unloadlab), not the
# window's: controls beside the result only where the result keeps room for a diagram at a
# readable size; otherwise the result goes under the controls, at full width, and the
# controls flow into as many columns as fit. No box here scrolls sideways: text wraps.
CSS = f"""
.unloadlab {{ container-type: inline-size; }}
.unloadlab .unloadlab-panel.widget-box {{ display: flex; flex-flow: column nowrap; align-items: stretch;
  gap: 8px 24px; overflow: visible; }}
.unloadlab .unloadlab-controls.widget-box {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
  gap: 0 24px; align-items: start; overflow: visible; }}
.unloadlab .unloadlab-result.widget-box {{ min-width: 0; overflow: visible; }}
@container (min-width: {TWO_COLUMNS}px) {{
  .unloadlab .unloadlab-panel.widget-box {{ flex-direction: row; align-items: flex-start; }}
  .unloadlab .unloadlab-controls.widget-box {{ display: flex; flex-direction: column; flex: 0 0 340px; }}
  .unloadlab .unloadlab-result.widget-box {{ flex: 1 1 0; }}
}}
.unloadlab-controls .widget-box {{ overflow: visible; }}
.unloadlab-controls .jupyter-widgets {{ margin-left: 0; margin-right: 0; max-width: 100%; box-sizing: border-box; }}
.unloadlab-controls .widget-dropdown, .unloadlab-controls .widget-text {{
  flex-direction: column; align-items: stretch; height: auto; margin-bottom: 6px; }}
.unloadlab-controls .widget-dropdown > .widget-label, .unloadlab-controls .widget-text > .widget-label {{
  width: auto; max-width: none; height: auto; text-align: left; white-space: normal; line-height: 1.3;
  overflow: visible; margin: 0 0 2px 0; }}
.unloadlab-controls .widget-dropdown > select, .unloadlab-controls .widget-text > input {{
  width: 100%; max-width: 100%; box-sizing: border-box; flex: 0 0 auto; height: var(--jp-widgets-inline-height, 28px); }}
.unloadlab .widget-html-content {{ line-height: 1.4; }}
.unloadlab-result .jupyter-widgets, .unloadlab-result .widget-html-content {{ min-width: 0; }}
.unloadlab-result .widget-tab-contents {{ overflow: visible; }}
.unloadlab-result .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab {{
  flex: 0 0 auto; min-width: 0; max-width: none; }}
.unloadlab-controls .widget-checkbox {{ height: auto; min-height: var(--jp-widgets-inline-height); }}
.unloadlab-controls .widget-checkbox .widget-label-basic,
.unloadlab-controls .widget-label-basic span {{ white-space: normal; overflow: visible; }}
.unloadlab-controls .widget-label {{ font-weight: 600; }}
.unloadlab-scroll {{ max-height: 85vh; overflow: auto; }}
.unloadlab-banner {{ overflow-wrap: anywhere; }}
.unloadlab-note {{ font-size: 12px; }}
.unloadlab-picture {{ container-type: inline-size; }}
.unloadlab-picture-box {{ overflow-x: auto; }}
.unloadlab-picture svg.unloadlab-figure {{ display: block; width: 100%; height: auto;
  max-width: {NATURAL_PX:.1f}px; min-width: {MIN_SHOWN_PX:.1f}px; }}
@container (max-width: {MIN_SHOWN_PX - 0.1:.1f}px) {{
  .unloadlab-picture-box {{ max-height: 70vh; overflow: auto; }}
}}
.unloadlab select:focus, .unloadlab input:focus, .unloadlab textarea:focus,
.unloadlab button:focus-visible, .unloadlab [role="tab"]:focus-visible, .unloadlab a:focus-visible,
.unloadlab summary:focus-visible, .unloadlab [tabindex="0"]:focus-visible {{
  outline: 2px solid {_FOCUS} !important; outline-offset: 2px; }}
.unloadlab a {{ {_LINK}; }}
.jp-Notebook:has(.unloadlab) .jp-OutputArea-output pre {{ word-break: normal; overflow-wrap: normal; }}
"""

# What Python cannot say through ipywidgets (it gives a widget classes, never attributes), run
# once per page by shown.front_end():
# - ArrowUp/ArrowDown on a dropdown change its value: Lumino skips its shortcuts for a key
#   whose target carries data-lm-suppress-shortcuts, so JupyterLab does not move to the next
#   cell; every other key (Shift+Enter, Escape) still reaches JupyterLab.
# - A field with the class unloadlab-invalid (a value the panel rejected) carries aria-invalid.
FRONT_END = """(() => {
  if (window.unloadlabFrontEnd) return;
  window.unloadlabFrontEnd = true;
  window.addEventListener('keydown', e => {
    const t = e.target;
    if (!(t instanceof HTMLSelectElement) || !t.closest('.unloadlab')) return;
    const arrow = (e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.altKey && !e.ctrlKey && !e.metaKey;
    t.toggleAttribute('data-lm-suppress-shortcuts', arrow);
  }, true);
  const sync = () => document.querySelectorAll('.unloadlab input').forEach(i => {
    const bad = !!i.closest('.unloadlab-invalid');
    if (bad !== i.hasAttribute('aria-invalid')) bad ? i.setAttribute('aria-invalid', 'true') : i.removeAttribute('aria-invalid');
  });
  new MutationObserver(ms => { if (ms.some(m => m.target.closest && m.target.closest('.unloadlab'))) sync(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
  sync();
})();
"""


def pre(text: str) -> str:
    """Monospace text as HTML. Lines wrap only between words (JupyterLab's own output style
    breaks anywhere, "Filte/rUnloadCallback"); code too, so a long line never widens its box."""
    return (f"<pre class='unloadlab-pre' style='font-size:12px; line-height:1.35; margin:0; "
            f"white-space:pre-wrap; word-break:normal; overflow-wrap:normal; overflow:visible'>"
            f"{html.escape(text)}</pre>")


def plain(markup: str) -> str:
    """What an HTML value says, as plain text (tests and notebooks read it); decorations
    (aria-hidden icons) and the style sheet are left out."""
    markup = re.sub(r"<(span|style)\b[^>]*?(aria-hidden='true'[^>]*)?>.*?</\1>",
                    lambda m: "" if m.group(1) == "style" or m.group(2) else m.group(0), markup, flags=re.S)
    markup = re.sub(r"<br>|</p>|</div>|</li>|</summary>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# outcome -> (icon, colour). The words say it first; the icon and the colour repeat it.
# Icons that common fonts have (DejaVu, Segoe UI Symbol), so none shows as a box.
LOOK = {
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


def outcome_html(trace: Trace) -> str:
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
    icon, colour = LOOK[trace.outcome]
    return _banner(f"outcome-{trace.outcome.name.lower().replace('_', '-')}", icon, colour, "<br>".join(lines))


def error_html(message: str) -> str:
    return (f"<div class='unloadlab-error' role='alert' style='color:{_ERROR}; font-weight:600; "
            f"margin:2px 0 6px 0'><span aria-hidden='true'>✖ </span>Not accepted: "
            f"{html.escape(message)}.</div>")


def notice_html(lines: list[str], error: bool) -> str:
    colour = _ERROR if error else "#b45309"
    return _banner("notice", "⚠", colour, "<br>".join(lines), role="alert" if error else "status")


def scroll(markup: str, label: str) -> str:
    """A tab page as a named region: it grows with its content up to most of the window's
    height (CSS .unloadlab-scroll) and only then scrolls (focusable, so the keyboard can scroll
    it). ``label`` must be unique on the page ("Trace, panel 2")."""
    return (f"<div class='unloadlab-scroll' role='region' aria-label='{html.escape(label)}' "
            f"tabindex='0'>{markup}</div>")


def trace_html(trace: Trace) -> str:
    """The steps; the echo of every knob (for a bug report) folded away above them."""
    echo, _, steps = format_trace(trace, with_rules=False).partition("\n\n")
    return (f"<details><summary>Settings of this run: every knob, defaults included</summary>"
            f"{pre(echo)}</details>{pre(steps)}")


def _source_html(source: Any) -> str:
    title = html.escape(source.title)
    if source.url.startswith(("https://", "http://")):
        return (f"<a href='{html.escape(source.url)}' target='_blank' rel='noopener' "
                f"style='{_LINK}'>{title}</a>")
    return f"{title} <span class='unloadlab-note'>({html.escape(source.url)} in this repository)</span>"


def rules_html(trace: Trace) -> str:
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
                     f"<span class='unloadlab-note'>Sources {', '.join(refs)}</span></li>")
    listed = "".join(f"<li>{_source_html(s)}</li>" for s in sources)
    return f"<ul>{''.join(items)}</ul><p><b>Sources</b></p><ol>{listed}</ol>"


def diagram_svg(trace: Trace, label: str = "Sequence diagram") -> str:
    """The sequence diagram as inline SVG markup, named by its alt text (role="img"), in a
    box named ``label``."""
    from .plots import sequence_diagram, to_html
    return to_html(sequence_diagram(trace), label)
