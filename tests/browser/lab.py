"""Drive the lesson notebooks in a real JupyterLab with Debian chromium and Playwright.

Recipe: /work/shared/reference/notebook-testing.md (measured on these machines).

- ``LabServer`` starts ``jupyter lab`` as a plain child process on 127.0.0.1 with a
  free port, no token/password, ``port_retries=0``, its own config/data/runtime dirs
  (so a learner's settings and kernelspecs cannot change the run), and its log in a
  file.  ``stop()`` shuts kernels down through the REST API, then terminates the
  process group, then kills it, then looks for stray kernels of this server.
- ``prepare_root`` copies notebooks to a temporary root, strips ``metadata.widgets``
  and stored outputs (the browser run must produce them itself) and runs
  ``jupyter trust``.
- ``run_notebook`` opens one notebook, waits for the kernel (status bar ``| Idle``),
  runs Run All from the menu, waits for every code cell, then collects problems:
  tracebacks in outputs, ``Error displaying widget``, widgets rendered as plain text,
  controls without a visible label, controls the Tab key cannot reach, failed
  interactions (see ``interactions.py``) and error entries in the log console (where
  exceptions raised in widget callbacks end up).

Only the standard library and Playwright; pathlib everywhere; no shell.
"""
from __future__ import annotations

import atexit
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"

# Seconds. Every wait has one; override the long ones through the environment.
SERVER_START_TIMEOUT = float(os.environ.get("UNLOADLAB_LAB_START_TIMEOUT", "120"))
KERNEL_IDLE_TIMEOUT = float(os.environ.get("UNLOADLAB_KERNEL_IDLE_TIMEOUT", "90"))
RUN_ALL_TIMEOUT = float(os.environ.get("UNLOADLAB_RUN_ALL_TIMEOUT", "240"))
ACTION_TIMEOUT = 30.0
EXPECT_TIMEOUT = 20.0

# User settings written into the server's private config dir.
LAB_USER_SETTINGS = {
    # Every cell attached to the DOM, so cell i on the page is cell i of the file.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No "receive news?" toast over the notebook, no update check.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # The copy is throw-away; do not write it behind our back.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

# --------------------------------------------------------------------------- environment


def in_ci() -> bool:
    """CI=true (GitHub Actions, GitLab, most others): missing browser bits are failures."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def chromium_path() -> Path:
    return Path(os.environ.get("UNLOADLAB_CHROMIUM", DEFAULT_CHROMIUM))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_env(state_dir: Path) -> dict[str, str]:
    """Environment for the server, its kernels and ``jupyter trust``."""
    env = dict(os.environ)
    env["JUPYTER_CONFIG_DIR"] = str(state_dir / "config")
    env["JUPYTER_DATA_DIR"] = str(state_dir / "data")
    env["JUPYTER_RUNTIME_DIR"] = str(state_dir / "runtime")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # ipykernel picks the inline backend only when MPLBACKEND is unset.
    env.pop("MPLBACKEND", None)
    # PYTHONPATH and UNLOADLAB_NO_NETWORK are inherited on purpose: the repository's
    # conftest.py switches the network off for every process the tests start
    # (tests/no_network), kernels included; the server only needs loopback.
    for name in ("config", "data", "runtime"):
        (state_dir / name).mkdir(parents=True, exist_ok=True)
    settings = state_dir / "config" / "lab" / "user-settings"
    for rel, value in LAB_USER_SETTINGS.items():
        target = settings / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return env


# --------------------------------------------------------------------------- notebooks


def list_notebooks(folder: Path) -> list[str]:
    """Notebook paths relative to ``folder``, posix style, sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def clean_notebook_file(path: Path) -> None:
    """Strip ``metadata.widgets`` and stored outputs/execution counts, in place."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    """A notebook of (cell type, source) pairs, never run (for samples in the server root)."""

    def cell(i, kind, src):
        c = {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": src}
        if kind == "code":
            c.update(outputs=[], execution_count=None)
        return c

    nb = {
        "cells": [cell(i, k, s) for i, (k, s) in enumerate(cells)],
        "metadata": {"kernelspec": KERNELSPEC},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def trust(paths: list[Path], env: dict[str, str]) -> None:
    if not paths:
        return
    subprocess.run(
        [sys.executable, "-m", "jupyter", "trust", *map(str, paths)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def prepare_root(src: Path, dest: Path, env: dict[str, str]) -> list[str]:
    """Copy ``src`` (the notebooks folder, may be missing) to ``dest`` and prepare it."""
    if src.is_dir():
        shutil.copytree(
            src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            dirs_exist_ok=True,
        )
    else:
        dest.mkdir(parents=True, exist_ok=True)
    rels = list_notebooks(dest)
    for rel in rels:
        clean_notebook_file(dest / rel)
    trust([dest / rel for rel in rels], env)
    return rels


@dataclass
class CellInfo:
    index: int
    cell_type: str
    runs: bool  # a code cell with non-blank source: JupyterLab gives it a number
    raises: bool  # tagged raises-exception / NBVAL_RAISES_EXCEPTION: a traceback is fine


def cell_info(path: Path) -> list[CellInfo]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        tags = cell.get("metadata", {}).get("tags", [])
        is_code = cell.get("cell_type") == "code"
        out.append(
            CellInfo(
                index=i,
                cell_type=cell.get("cell_type", ""),
                runs=is_code and bool(src.strip()),
                raises="raises-exception" in tags or "NBVAL_RAISES_EXCEPTION" in src,
            )
        )
    return out


# --------------------------------------------------------------------------- server


class LabServer:
    """``jupyter lab`` as a child process, with a log file and a careful stop()."""

    def __init__(self, root_dir: Path, state_dir: Path, env: dict[str, str]):
        self.root_dir = Path(root_dir)
        self.state_dir = Path(state_dir)
        self.env = env
        self.log_path = self.state_dir / "jupyterlab-server.log"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = None
        self._opener = None
        self._xsrf: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ip", "127.0.0.1",
            "--port", str(self.port),
            "--allow-root",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.port_retries=0",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--KernelManager.transport_encryption=auto",
        ]

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> "LabServer":
        self.port = free_port()
        self._log_file = open(self.log_path, "ab")
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # own process group: stop() can kill it all
        else:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.root_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            **kwargs,
        )
        atexit.register(self.stop)  # last resort if a teardown never runs
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.proc.returncode} before it was "
                    f"ready\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/api/status", timeout=2) as r:
                    if r.status == 200:
                        json.load(r)
                        break
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"jupyter lab not answering /api/status after {timeout:.0f}s\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.25)
        return self

    # -- REST with the XSRF cookie (no token, so non-GET requests need it)

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        if self._opener is None:
            jar = http.cookiejar.CookieJar()
            self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            with self._opener.open(self.url + "/lab", timeout=timeout) as r:
                r.read()
            self._xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        req = urllib.request.Request(
            self.url + path, method=method, headers={"X-XSRFToken": self._xsrf or ""}
        )
        with self._opener.open(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> None:
        """Stop every kernel of this server (2 cores: one kernel at a time)."""
        if not self.running():
            return
        try:
            for s in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=30)
            for k in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{k['id']}", timeout=30)
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> list[str]:
        """Stop server and kernels; return descriptions of processes that had to be killed."""
        killed: list[str] = []
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=5)
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if not _wait(self.proc, 20):
                self._signal_group(terminate=True)
                if not _wait(self.proc, 10):
                    self._signal_group(terminate=False)
                    _wait(self.proc, 10)
                    killed.append(f"jupyter lab pid {self.proc.pid} (SIGKILL)")
        killed += kill_strays(self.state_dir / "runtime")
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return killed

    def _signal_group(self, terminate: bool) -> None:
        assert self.proc is not None
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, signal.SIGTERM if terminate else signal.SIGKILL)
            elif terminate:
                self.proc.terminate()
            else:
                self.proc.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return f"(no server log at {self.log_path})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last {lines} lines of {self.log_path} ---\n{tail}\n--- end of server log ---"


def _wait(proc: subprocess.Popen, seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def kill_strays(runtime_dir: Path) -> list[str]:
    """Kill processes whose command line names this server's runtime dir (its kernels).

    Kernels run in their own session (jupyter_client), so killing the server's process
    group does not reach them.  Linux only (/proc); elsewhere the API shutdown is all.
    """
    proc_root = Path("/proc")
    if not proc_root.is_dir():
        return []
    marker = str(runtime_dir).encode()
    killed = []
    for entry in proc_root.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                shown = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
                killed.append(f"pid {entry.name}: {shown}")
            except OSError:
                pass
    return killed


# --------------------------------------------------------------------------- interactions

# action name -> shape of its argument
ACTION_SPECS: dict[str, str] = {
    "select": "(label, option)",  # Dropdown / Select: choose the option by its text
    "click_checkbox": "description",  # Checkbox: toggles it
    "click_toggle": "description",  # ToggleButton
    "click_button": "description",  # Button
    "fill": "(label, text)",  # Text / Textarea: type, then Enter
    "select_tab": "title",  # Tab: click the tab with this title
    "expect_text": "text",  # visible somewhere in the notebook's outputs
    "expect_no_text": "text",  # not visible anywhere in the outputs
    "expect_value": "(label, value)",  # Text value / Dropdown's selected option
    "check_accessibility": "True",  # labels + Tab reachability of what is visible now
    "screenshot": "name",  # an extra screenshot, <notebook>--<name>.png
}
MODIFIERS = {"nth", "timeout"}


def validate_actions(actions: Any, where: str = "") -> list[str]:
    """Schema errors in a list of actions (empty list: valid)."""
    errors = []
    if not isinstance(actions, list):
        return [f"{where}: expected a list of actions, got {type(actions).__name__}"]
    for i, action in enumerate(actions):
        at = f"{where}[{i}]"
        if not isinstance(action, dict):
            errors.append(f"{at}: expected a dict like {{'click_toggle': 'Verbose'}}, got {action!r}")
            continue
        names = [k for k in action if k not in MODIFIERS]
        if len(names) != 1 or names[0] not in ACTION_SPECS:
            errors.append(
                f"{at}: exactly one action key from {sorted(ACTION_SPECS)} "
                f"(plus optional {sorted(MODIFIERS)}), got {sorted(action)}"
            )
            continue
        name = names[0]
        arg = action[name]
        pair = ACTION_SPECS[name].startswith("(")
        if pair and not (isinstance(arg, (tuple, list)) and len(arg) == 2):
            errors.append(f"{at}: {name} takes {ACTION_SPECS[name]}, got {arg!r}")
        elif name == "check_accessibility" and arg is not True:
            errors.append(f"{at}: check_accessibility takes True, got {arg!r}")
        elif not pair and name != "check_accessibility" and not isinstance(arg, str):
            errors.append(f"{at}: {name} takes a string ({ACTION_SPECS[name]}), got {arg!r}")
        if "nth" in action and not (isinstance(action["nth"], int) and action["nth"] >= 0):
            errors.append(f"{at}: nth must be an int >= 0")
        if "timeout" in action and not (
            isinstance(action["timeout"], (int, float)) and action["timeout"] > 0
        ):
            errors.append(f"{at}: timeout must be a positive number of seconds")
    return errors


# --------------------------------------------------------------------------- page scripts

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

_JS_COMMON = r"""
const PANEL = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const norm = s => (s || '').replace(/[\u200b\u00a0\s]+/g, ' ').trim();
const visible = e => !!e && (e.checkVisibility ? e.checkVisibility({visibilityProperty: true})
                                               : e.getClientRects().length > 0);
const cellsOf = () => PANEL ? [...PANEL.querySelectorAll('.jp-Notebook .jp-Cell')] : [];
const cellIndex = e => cellsOf().indexOf(e.closest('.jp-Cell'));
"""

JS_RUN_STATE = _JS_COMMON + r"""
() => {
  const cells = cellsOf();
  return cells.map(c => {
    const p = c.querySelector('.jp-InputPrompt');
    const errs = [...c.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
      .map(o => o.innerText)
      .filter(t => /Traceback|^\s*-{20,}\s*\n?\s*\w+(Error|Exception)\b/m.test(t));
    return {prompt: p ? norm(p.textContent) : '', errors: errs};
  });
}
"""

JS_PAGE_PROBLEMS = _JS_COMMON + r"""
() => {
  const out = [];
  if (!PANEL) return ['no notebook panel on the page'];
  for (const o of PANEL.querySelectorAll('.jp-OutputArea-output')) {
    const t = o.innerText || '';
    if (t.includes('Error displaying widget'))
      out.push(`cell ${cellIndex(o)}: ${norm(t).slice(0, 300)}`);
    const mime = o.getAttribute('data-mime-type');
    if (mime === 'text/plain' && !o.closest('.widget-output') &&
        /^\s*(VBox|HBox|Box|GridBox|Tab|Accordion|Stack|Dropdown|Select|Checkbox|ToggleButton|ToggleButtons|RadioButtons|Button|Text|Textarea|IntSlider|FloatSlider|Output|HTML|HTMLMath|Label|interactive)\(/.test(t))
      out.push(`cell ${cellIndex(o)}: widget shown as text, the widget front end is missing: ${norm(t).slice(0, 120)}`);
  }
  return out;
}
"""

# Tag every visible interactive element of every widget panel; report labels.
JS_A11Y_SCAN = _JS_COMMON + r"""
() => {
  const problems = [];
  const groups = [];
  if (!PANEL) return {problems: ['no notebook panel'], groups};
  document.querySelectorAll('[data-unloadlab-a11y]').forEach(e => e.removeAttribute('data-unloadlab-a11y'));
  document.querySelectorAll('[data-unloadlab-a11y-start]').forEach(e => e.removeAttribute('data-unloadlab-a11y-start'));
  const SEL = 'button, select, textarea, input:not([type="hidden"]), a[href], [tabindex]';
  const labelOf = el => {
    const aria = norm(el.getAttribute('aria-label'));
    if (el.matches('[role="tab"]')) return norm(el.querySelector('.lm-TabBar-tabLabel')?.textContent) || aria;
    if (el.matches('button, a[href]')) return norm(el.innerText) || aria;
    if (el.matches('input[type="checkbox"], input[type="radio"]')) {
      const basic = el.closest('label');
      if (basic && norm(basic.textContent)) return norm(basic.textContent);
    }
    if (el.id) {
      const l = PANEL.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (l && visible(l) && norm(l.textContent)) return norm(l.textContent);
    }
    const box = el.closest('.jupyter-widgets.widget-inline-hbox, .jupyter-widgets.widget-hbox');
    const l = box && box.querySelector(':scope > .widget-label');
    if (l && visible(l) && norm(l.textContent)) return norm(l.textContent);
    return aria;
  };
  const describe = el => {
    const w = el.closest('.jupyter-widgets');
    const cls = w ? [...w.classList].filter(c => c.startsWith('widget-')).join('.') : '';
    return `cell ${cellIndex(el)}: <${el.tagName.toLowerCase()}${el.type ? ' type=' + el.type : ''}> in ${cls || 'widget'}`;
  };
  let n = 0;
  const outputs = [...PANEL.querySelectorAll('.jp-Cell .jp-OutputArea-output')]
      .filter(o => !o.parentElement.closest('.jp-OutputArea-output') && o.querySelector('.jupyter-widgets'));
  outputs.forEach((o, g) => {
    const ids = [];
    for (const el of o.querySelectorAll(SEL)) {
      if (!el.closest('.jupyter-widgets') || !visible(el) || el.disabled) continue;
      const ti = el.getAttribute('tabindex');
      const native = el.matches('button, select, textarea, input, a[href]');
      if (!native && (ti === null || Number(ti) < 0)) continue;  // e.g. roving tabs not current
      if (el.matches('[role="tab"]')) {
        el.closest('[role="tablist"]').querySelectorAll('[role="tab"]').forEach((t, k) => {
          if (!norm(t.querySelector('.lm-TabBar-tabLabel')?.textContent))
            problems.push(`${describe(el)}: tab ${k} has no title`);
        });
      }
      const id = `${g}-${n++}`;
      el.setAttribute('data-unloadlab-a11y', id);
      if (!labelOf(el)) problems.push(`${describe(el)} has no visible label/description`);
      ids.push({id, what: describe(el) + (labelOf(el) ? ` "${labelOf(el)}"` : '')});
    }
    if (ids.length) {
      o.setAttribute('data-unloadlab-a11y-start', String(g));
      groups.push({group: g, controls: ids});
    }
  });
  return {problems, groups};
}
"""

JS_FIND_CONTROL = _JS_COMMON + r"""
([kind, label, token]) => {
  document.querySelectorAll(`[data-unloadlab-target]`).forEach(e => e.removeAttribute('data-unloadlab-target'));
  if (!PANEL) return {found: 0, available: []};
  const specs = {
    select:   ['.widget-dropdown, .widget-select', w => w.querySelector('select'),
               w => w.querySelector(':scope > .widget-label')?.textContent],
    text:     ['.widget-text, .widget-textarea, .widget-password', w => w.querySelector('input, textarea'),
               w => w.querySelector(':scope > .widget-label')?.textContent],
    checkbox: ['.widget-checkbox', w => w.querySelector('input[type="checkbox"]'),
               w => w.querySelector('.widget-label-basic')?.textContent || w.querySelector(':scope > .widget-label')?.textContent],
    toggle:   ['.widget-toggle-button', w => w, w => w.textContent],
    button:   ['.widget-button', w => w, w => w.textContent],
    tab:      ['.widget-tab [role="tab"]', w => w, w => w.querySelector('.lm-TabBar-tabLabel')?.textContent],
  };
  const [sel, pick, name] = specs[kind];
  const all = [...PANEL.querySelectorAll(sel)].filter(w => visible(w) && pick(w));
  const matches = all.filter(w => norm(name(w)) === norm(label));
  matches.forEach((w, i) => pick(w).setAttribute('data-unloadlab-target', `${token}-${i}`));
  const optionsOf = el => el.tagName === 'SELECT' ? [...el.options].map(o => norm(o.textContent)) : [];
  return {
    found: matches.length,
    available: all.map(w => norm(name(w))),
    options: matches.map(w => optionsOf(pick(w))),   // per match, in page order ("nth")
  };
}
"""

JS_OUTPUT_TEXT = _JS_COMMON + r"""
() => PANEL ? [...PANEL.querySelectorAll('.jp-Cell .jp-OutputArea')]
   .filter(a => !a.parentElement.closest('.jp-OutputArea'))
   .map(a => a.innerText).join('\n') : ''
"""

JS_CONTROL_VALUE = r"""
el => el.tagName === 'SELECT'
  ? (el.selectedOptions[0] ? el.selectedOptions[0].textContent.replace(/\u00a0/g, ' ').trim() : '')
  : el.value
"""


# --------------------------------------------------------------------------- the run


class HarnessError(AssertionError):
    pass


@dataclass
class NotebookRun:
    relpath: str
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    known_chrome: list[str] = field(default_factory=list)  # axe findings on JupyterLab's own elements

    def report(self) -> str:
        took = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        lines = [f"{self.relpath}: {len(self.problems)} problem(s)" + (f" ({took})" if took else "")]
        lines += [f"  - {p}" for p in self.problems]
        if self.screenshots:
            lines.append("  screenshots: " + ", ".join(map(str, self.screenshots)))
        if self.known_chrome:
            lines.append("  known JupyterLab chrome findings (excluded): " + "; ".join(self.known_chrome))
        if self.console:
            lines.append("  browser console errors:")
            lines += [f"    {c}" for c in self.console[-20:]]
        return "\n".join(lines)


def _safe_name(relpath: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", relpath)


def run_notebook(
    page,
    server: LabServer,
    relpath: str,
    actions: list[dict],
    screenshot_dir: Path,
    axe_script: Path | None = None,
) -> NotebookRun:
    """Open ``relpath`` (relative to the server root) and check it; never raises for
    notebook problems, it records them in the returned ``NotebookRun``.  With ``axe_script``
    (axe.min.js) the notebook is also audited with axe-core, every tab of every panel."""
    run = NotebookRun(relpath)
    errs = validate_actions(actions, relpath)
    if errs:
        run.problems += errs
        return run
    info = cell_info(server.root_dir / relpath)
    page.on(
        "console",
        lambda m: run.console.append(m.text) if m.type == "error" else None,
    )
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        ran = _open_and_run(page, server, relpath, info, run)
        run.timings["open+run"] = time.monotonic() - t0
        if ran:  # all cells ran, or Run All stopped at an error: check what is there
            t = time.monotonic()
            _wait_widgets_settled(page, run)
            run.problems += page.evaluate(JS_PAGE_PROBLEMS)
            run.problems += check_accessibility(page)
            run.problems += check_lab_widgets(page)
            run.problems += check_what_a_learner_sees(page)
            if axe_script is not None:
                found, run.known_chrome = audit_accessibility(page, axe_script)
                run.problems += found
            run.timings["widgets+a11y"] = time.monotonic() - t
            t = time.monotonic()
            _perform(page, actions, run, screenshot_dir)
            run.timings["interactions"] = time.monotonic() - t
            t = time.monotonic()
            run.problems += [
                p for p in page.evaluate(JS_PAGE_PROBLEMS) if p not in run.problems
            ]
            run.problems += _new_tracebacks(page, info, run)
            _wait_idle(page)
            run.problems += log_console_errors(page)
            run.timings["final checks"] = time.monotonic() - t
    except Exception as exc:  # a harness timeout, a crashed page...
        run.problems.append(f"harness: {type(exc).__name__}: {exc}")
    finally:
        shot = screenshot_dir / f"{_safe_name(relpath)}.png"
        try:
            page.screenshot(path=str(shot), full_page=True, timeout=15_000)
            run.screenshots.insert(0, shot)
        except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the result
            run.problems.append(f"harness: screenshot failed: {exc}")
        run.timings["total"] = time.monotonic() - t0
    return run


JS_LOADING_WIDGETS = _JS_COMMON + r"""
() => PANEL ? [...PANEL.querySelectorAll('.jp-OutputArea-output')]
   .filter(o => norm(o.innerText) === 'Loading widget...').map(cellIndex) : []
"""


def _wait_widgets_settled(page, run: NotebookRun, timeout: float = 30) -> None:
    """A widget view shows "Loading widget..." until its model resolves; a missing model
    turns into "Error displaying widget" only after a couple of seconds."""
    if _poll(lambda: not page.evaluate(JS_LOADING_WIDGETS), timeout, interval=0.25) is None:
        run.problems.append(
            f"widgets in cells {page.evaluate(JS_LOADING_WIDGETS)} still say 'Loading widget...' "
            f"after {timeout:.0f}s"
        )


def _wait_idle(page, timeout: float = KERNEL_IDLE_TIMEOUT) -> None:
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
        timeout=timeout * 1000
    )
    time.sleep(0.3)  # outputs of the last reply land just before the status message


def _open_and_run(page, server: LabServer, relpath: str, info: list[CellInfo], run: NotebookRun) -> bool:
    """Open the notebook, Run All, wait.  True when the cells ran (maybe with errors)."""
    url = f"{server.url}/lab/tree/{urllib.parse.quote(relpath)}?reset"
    page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    page.locator(f"{PANEL} .jp-Cell").first.wait_for(state="attached", timeout=60_000)
    # The status bar, not the execution indicator: that one says idle before the
    # kernel is connected, and Run All then does nothing.
    _wait_idle(page)
    open_file_browser(page)
    dom_cells = page.locator(f"{PANEL} .jp-Notebook .jp-Cell").count()
    if dom_cells != len(info):
        run.problems.append(f"harness: page shows {dom_cells} cells, the file has {len(info)}")
        return False
    expected = [c.index for c in info if c.runs]
    if not expected:
        return True
    numbered = lambda p: re.fullmatch(r"\[\d+\]:", p) is not None  # noqa: E731
    for _attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        # Run All queues every code cell at once ([*]); see that it started.
        if _poll(
            lambda: any(
                s["prompt"] != "[ ]:" for s in (page.evaluate(JS_RUN_STATE)[i] for i in expected)
            ),
            timeout=15,
        ):
            break
        page.keyboard.press("Escape")
    else:
        run.problems.append("harness: Run All Cells did not start any cell (tried twice)")
        return False

    def finished():
        state = page.evaluate(JS_RUN_STATE)
        if any("*" in s["prompt"] for s in state):
            return None
        if any(s["errors"] for s in state) or all(numbered(state[i]["prompt"]) for i in expected):
            return state
        return None

    state = _poll(finished, timeout=RUN_ALL_TIMEOUT, interval=0.25)
    if state is None:
        state = page.evaluate(JS_RUN_STATE)
        stuck = [i for i in expected if not numbered(state[i]["prompt"])]
        run.problems.append(
            f"cells {stuck} did not finish within {RUN_ALL_TIMEOUT:.0f}s "
            f"(prompts: {[state[i]['prompt'] for i in stuck]})"
        )
        run.problems += _tracebacks(state, info)
        return False
    run.problems += _tracebacks(state, info)
    not_run = [i for i in expected if not numbered(state[i]["prompt"])]
    if not_run:
        run.problems.append(f"cells {not_run} were not run (Run All stops at the first error)")
    return True


def _tracebacks(state: list[dict], info: list[CellInfo]) -> list[str]:
    out = []
    for c in info:
        if c.raises:
            continue
        for text in state[c.index]["errors"]:
            out.append(f"cell {c.index} raised:\n{_shorten(text)}")
    return out


def _new_tracebacks(page, info: list[CellInfo], run: NotebookRun) -> list[str]:
    """Tracebacks that appeared during the interactions (in outputs, not the log)."""
    return [p for p in _tracebacks(page.evaluate(JS_RUN_STATE), info) if p not in run.problems]


def _shorten(text: str, limit: int = 1500) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:300] + "\n...\n" + text[-1100:]


def _poll(fn, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def check_accessibility(page) -> list[str]:
    """Every visible widget control: a visible label/description, and reachable by Tab.

    For each widget panel (one cell output holding widgets), focus moves to just before
    its first control and Tab is pressed; every control must receive focus.
    """
    scan = page.evaluate(JS_A11Y_SCAN)
    problems = list(scan["problems"])
    for group in scan["groups"]:
        start = page.locator(f'[data-unloadlab-a11y-start="{group["group"]}"]')
        start.evaluate("o => { o.setAttribute('tabindex', '-1'); o.focus(); }")
        wanted = {c["id"]: c["what"] for c in group["controls"]}
        seen = set()
        for _ in range(2 * len(wanted) + 30):   # links, summaries and tabs in between take Tabs too
            page.keyboard.press("Tab")
            active = page.evaluate(
                "() => document.activeElement && document.activeElement.getAttribute('data-unloadlab-a11y')"
            )
            if active:
                seen.add(active)
            if seen >= set(wanted):
                break
        start.evaluate("o => o.removeAttribute('tabindex')")
        for cid, what in wanted.items():
            if cid not in seen:
                problems.append(f"{what}: not reachable with the Tab key")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return problems


def log_console_errors(page) -> list[str]:
    """Exceptions raised in widget callbacks go to JupyterLab's log console."""
    item = page.locator(".jp-LogConsoleStatusItem")
    if item.count() == 0 or not item.first.is_visible():
        return []
    item.first.click()
    panel = page.locator(".jp-LogConsolePanel").first
    panel.wait_for(timeout=10_000)
    entries = panel.evaluate(
        r"""p => [...p.querySelectorAll('.jp-OutputArea-child')].map(c => ({
              level: c.querySelector('[data-log-level]')?.getAttribute('data-log-level') || '',
              text: (c.querySelector('.jp-OutputArea-output')?.innerText || '')}))"""
    )
    return [
        f"log console ({e['level']}), e.g. an exception in a widget callback:\n{_shorten(e['text'])}"
        for e in entries
        if e["level"] in ("error", "critical") or "Traceback" in e["text"]
    ]


_KIND = {
    "select": "select",
    "fill": "text",
    "click_checkbox": "checkbox",
    "click_toggle": "toggle",
    "click_button": "button",
    "select_tab": "tab",
}
_KIND_WORD = {
    "select": "Dropdown/Select",
    "text": "Text",
    "checkbox": "Checkbox",
    "toggle": "ToggleButton",
    "button": "Button",
    "tab": "Tab title",
}


def _find(page, kind: str, label: str, nth: int | None, token: str):
    res = page.evaluate(JS_FIND_CONTROL, [kind, label, token])
    if res["found"] == 0:
        raise HarnessError(
            f"no visible {_KIND_WORD[kind]} labelled {label!r}; visible ones: {res['available']}"
        )
    if nth is None and res["found"] > 1:
        raise HarnessError(
            f"{res['found']} visible {_KIND_WORD[kind]}s labelled {label!r}: add \"nth\": 0..{res['found'] - 1}"
        )
    i = nth or 0
    if i >= res["found"]:
        raise HarnessError(f"nth={i} but only {res['found']} {_KIND_WORD[kind]}s labelled {label!r}")
    res["options"] = res["options"][i]   # the options of the control chosen, not of the first
    return page.locator(f'[data-unloadlab-target="{token}-{i}"]'), res


def _perform(page, actions: list[dict], run: NotebookRun, screenshot_dir: Path) -> None:
    for i, action in enumerate(actions):
        name = next(k for k in action if k not in MODIFIERS)
        arg = action[name]
        nth = action.get("nth")
        timeout = float(action.get("timeout", EXPECT_TIMEOUT))
        where = f"action {i} {{{name!r}: {arg!r}}}"
        try:
            if name == "select":
                label, option = arg
                loc, res = _find(page, "select", label, nth, f"a{i}")
                if option not in res["options"]:
                    raise HarnessError(f"{label!r} has no option {option!r}; options: {res['options']}")
                loc.select_option(label=option, timeout=ACTION_TIMEOUT * 1000)
            elif name == "fill":
                label, text = arg
                loc, _ = _find(page, "text", label, nth, f"a{i}")
                loc.fill(text, timeout=ACTION_TIMEOUT * 1000)
                loc.press("Enter")
            elif name in ("click_checkbox", "click_toggle", "click_button", "select_tab"):
                loc, _ = _find(page, _KIND[name], arg, nth, f"a{i}")
                loc.click(timeout=ACTION_TIMEOUT * 1000)
            elif name == "expect_value":
                label, value = arg
                last = None
                for kind in ("text", "select"):
                    res = page.evaluate(JS_FIND_CONTROL, [kind, label, f"a{i}{kind}"])
                    if res["found"]:
                        loc = page.locator(f'[data-unloadlab-target="a{i}{kind}-{nth or 0}"]')
                        ok = _poll(lambda: loc.evaluate(JS_CONTROL_VALUE) == value, timeout)
                        if not ok:
                            raise HarnessError(
                                f"{label!r} shows {loc.evaluate(JS_CONTROL_VALUE)!r}, expected {value!r} "
                                f"(waited {timeout:.0f}s)"
                            )
                        break
                    last = res
                else:
                    raise HarnessError(f"no visible Text/Dropdown labelled {label!r}; "
                                       f"visible: {last['available'] if last else []}")
            elif name == "expect_text":
                if not _poll(lambda: arg in page.evaluate(JS_OUTPUT_TEXT), timeout):
                    raise HarnessError(
                        f"text {arg!r} not visible in the outputs after {timeout:.0f}s; visible "
                        f"output text ends with: {page.evaluate(JS_OUTPUT_TEXT)[-500:]!r}"
                    )
            elif name == "expect_no_text":
                time.sleep(0.5)  # let a pending update land
                if arg in page.evaluate(JS_OUTPUT_TEXT):
                    raise HarnessError(f"text {arg!r} is visible in the outputs")
            elif name == "check_accessibility":
                run.problems += [p for p in check_accessibility(page) if p not in run.problems]
            elif name == "screenshot":
                shot = screenshot_dir / f"{_safe_name(run.relpath)}--{_safe_name(arg)}.png"
                page.screenshot(path=str(shot), full_page=True, timeout=15_000)
                run.screenshots.append(shot)
        except Exception as exc:  # noqa: BLE001 - report and stop the sequence
            msg = str(exc).splitlines()[0] if not isinstance(exc, HarnessError) else str(exc)
            run.problems.append(f"{where} failed: {msg} (later actions not performed)")
            return


# --------------------------------------------------------------------------- the lab's own widgets
# Issue 14: what a learner sees at 1280x720 after Run All. These checks key on the classes
# unloadlab.views (panel, shown) gives its widgets (unloadlab, unloadlab-panel, unloadlab-banner,
# unloadlab-error, unloadlab-notice) and on what every widget output shows.

VIEWPORT = {"width": 1280, "height": 720}
AXE_SCRIPT = Path(__file__).resolve().with_name("node_modules") / "axe-core" / "axe.min.js"
AXE_BLOCKING = ("critical", "serious")
# JupyterLab's own chrome has violations the lab cannot fix. Each is excluded only for that
# rule on those JupyterLab elements, and never for anything inside a cell's output.
KNOWN_CHROME = (
    ("aria-allowed-attr", "jp-button.jp-ToolbarButtonComponent[aria-pressed]",
     "JupyterLab's toolbar buttons with aria-pressed: the debugger button, the file browser's "
     "Upload Files and Toggle File Filter"),
    ("aria-required-children", ".jp-WindowedPanel-viewport[role='feed'], [role='feed'].jp-Notebook, "
     ".jp-Notebook [role='feed']", "the notebook's cell feed"),
    ("aria-input-field-name", ".cm-content, .cm-editor *", "code editors (CodeMirror)"),
    ("button-name", "button.jp-collapseHeadingButton",
     "the empty collapse button JupyterLab puts beside a markdown heading"),
)

JS_OVERFLOW = _JS_COMMON + r"""
() => {
  // Controls whose text does not fit: a <select> option wider than the box (the select shows
  // the chosen option cut, so every option is measured), an input's value or placeholder,
  // a description label, a button or a tab title (these have scrollWidth > clientWidth).
  const out = [];
  if (!PANEL) return out;
  const ctx = document.createElement('canvas').getContext('2d');
  const width = (el, text) => {
    const cs = getComputedStyle(el);
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    return ctx.measureText(text).width;
  };
  const room = el => {
    const cs = getComputedStyle(el);
    return el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  };
  const where = el => `cell ${cellIndex(el)}`;
  const outputs = '.jp-OutputArea-output .jupyter-widgets';
  for (const el of PANEL.querySelectorAll(`${outputs} select`)) {
    if (!visible(el)) continue;
    for (const o of el.options) {
      const w = width(el, o.textContent);
      if (w > room(el) + 0.5)
        out.push(`${where(el)}: dropdown option "${norm(o.textContent)}" is cut (${Math.round(w)} px of text in ${Math.round(room(el))} px)`);
    }
  }
  for (const el of PANEL.querySelectorAll(`${outputs} input[type="text"], ${outputs} input[type="number"]`)) {
    if (!visible(el)) continue;
    for (const text of [el.value, el.placeholder]) {
      if (text && width(el, text) > room(el) + 0.5)
        out.push(`${where(el)}: text field "${norm(text)}" is cut`);
    }
  }
  const boxes = '.widget-label, .widget-label-basic, .widget-button, .lm-TabBar-tabLabel';
  for (const el of PANEL.querySelectorAll(`.jp-OutputArea-output :is(${boxes})`)) {
    if (!visible(el) || !norm(el.textContent)) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      out.push(`${where(el)}: "${norm(el.textContent)}" is cut (${el.scrollWidth} px in ${el.clientWidth} px)`);
  }
  return out;
}
"""

JS_FIRST_PANEL = _JS_COMMON + r"""
() => {
  const p = PANEL && PANEL.querySelector('.jp-OutputArea-output .unloadlab-panel');
  if (!p) return null;
  const shownText = sel => [...p.querySelectorAll(sel)].filter(visible).map(e => norm(e.innerText));
  const banner = [...p.querySelectorAll('.unloadlab-result .unloadlab-banner')]
      .find(b => visible(b) && [...b.classList].some(c => c.startsWith('unloadlab-outcome-')));
  return {cell: cellIndex(p), errors: shownText('.unloadlab-error'), notices: shownText('.unloadlab-notice'),
          banner: banner ? norm(banner.innerText) : ''};
}
"""

JS_TEXT_STYLE = _JS_COMMON + r"""
() => {
  // Monospace blocks must break lines between words only; links must look like links.
  const out = [];
  if (!PANEL || !PANEL.querySelector('.unloadlab')) return out;
  const bad = new Set();
  for (const el of PANEL.querySelectorAll('.jp-OutputArea-output pre')) {
    if (!visible(el)) continue;
    const cs = getComputedStyle(el);
    if (cs.wordBreak === 'break-all' || ['anywhere', 'break-word'].includes(cs.overflowWrap))
      bad.add(`cell ${cellIndex(el)}: a monospace block can break inside a word (word-break: ${cs.wordBreak}, overflow-wrap: ${cs.overflowWrap})`);
  }
  for (const a of PANEL.querySelectorAll('.jp-OutputArea-output .unloadlab a[href]')) {
    if (!visible(a)) continue;
    if (!getComputedStyle(a).textDecorationLine.includes('underline'))
      bad.add(`cell ${cellIndex(a)}: link "${norm(a.textContent)}" is not underlined`);
  }
  return [...bad];
}
"""

JS_TAB_BARS = _JS_COMMON + r"""
() => PANEL ? [...PANEL.querySelectorAll('.jp-OutputArea-output .widget-tab > .lm-TabBar')]
   .map(bar => {
     const tabs = [...bar.querySelectorAll('[role="tab"]')];
     return {count: tabs.length, current: tabs.findIndex(t => t.classList.contains('lm-mod-current'))};
   }) : []
"""

JS_AXE = _JS_COMMON + r"""
async ([known, blocking, scope]) => {
  const ALWAYS = ['landmark-unique'];   // moderate, but seven panels' "Trace" regions confuse a screen reader
  const context = scope === 'page' ? document : {include: [['.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook']]};
  const res = await axe.run(context, {resultTypes: ['violations']});
  const out = [];
  for (const v of res.violations) {
    for (const n of v.nodes) {
      const impact = n.impact || v.impact;
      if (!blocking.includes(impact) && !ALWAYS.includes(v.id)) continue;
      const sel = n.target[n.target.length - 1];
      let el = null;
      try { el = document.querySelector(Array.isArray(sel) ? sel[sel.length - 1] : sel); } catch (e) {}
      const inOutput = !!(el && el.closest('.jp-OutputArea-output'));
      const known = !inOutput && !!el && known_match(v.id, el);
      out.push({rule: v.id, impact, known, inOutput, cell: el ? cellIndex(el) : -1,
                html: n.html.slice(0, 200), summary: (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)});
    }
  }
  return out;
  function known_match(rule, el) { return known.some(([r, s]) => r === rule && el.matches(s)); }
}
"""


def check_lab_widgets(page) -> list[str]:
    """At the current viewport: no control's text cut, the first panel shows its banner and no
    error, monospace blocks break between words, links are underlined."""
    problems = list(page.evaluate(JS_OVERFLOW)) + list(page.evaluate(JS_TEXT_STYLE))
    first = page.evaluate(JS_FIRST_PANEL)
    if first is not None:
        where = f"cell {first['cell']}: the first panel"
        if not first["banner"]:
            problems.append(f"{where} shows no outcome banner")
        for text in first["errors"] + first["notices"]:
            problems.append(f"{where} does not start as its prose says: it shows {text!r}")
    return problems


def select_tab_everywhere(page, index: int | list[int]) -> int:
    """Click tab ``index`` of every Tab widget that has one (or index[i] of the i-th);
    how many were clicked."""
    clicked = 0
    for bar, info in enumerate(page.evaluate(JS_TAB_BARS)):
        wanted = index[bar] if isinstance(index, list) else index
        if 0 <= wanted < info["count"] and wanted != info["current"]:
            bars = page.locator(f"{PANEL} .jp-OutputArea-output .widget-tab > .lm-TabBar")
            tab = bars.nth(bar).locator("[role='tab']").nth(wanted)
            tab.click(timeout=ACTION_TIMEOUT * 1000)
            clicked += 1
    if clicked:
        _wait_idle(page)   # a tab renders lazily: a round trip to the kernel
    return clicked


def audit_accessibility(page, axe_script: Path = AXE_SCRIPT) -> tuple[list[str], list[str]]:
    """axe-core over the notebook with each tab of every panel selected in turn (axe skips
    hidden tab pages). Returns (problems, known JupyterLab chrome findings): critical and
    serious violations only; the known ones are JupyterLab's, never in an output."""
    page.add_script_tag(path=str(axe_script))
    bars = page.evaluate(JS_TAB_BARS)
    tabs = max([b["count"] for b in bars] or [1])
    seen: dict[tuple, str] = {}
    known: set[str] = set()
    for index in range(tabs):
        if index:
            select_tab_everywhere(page, index)
        scope = "page" if index == 0 else "notebook"
        for v in page.evaluate(JS_AXE, [[list(k[:2]) for k in KNOWN_CHROME], list(AXE_BLOCKING), scope]):
            if v["known"]:
                known.add(f"{v['rule']} on {v['html'][:80]}")
                continue
            key = (v["rule"], v["html"])
            where = f"cell {v['cell']}" if v["inOutput"] else "JupyterLab (not a known exclusion)"
            seen.setdefault(key, f"axe {v['rule']} ({v['impact']}) in {where}: {v['html']} -- {v['summary']}")
    select_tab_everywhere(page, [b["current"] for b in bars])   # as the notebook left them
    return list(seen.values()), sorted(known)


# --------------------------------------------------------------------------- what a learner sees
# Issue 18: at 1280x720 with the file browser open (as JupyterLab opens), scrollbars shown (the
# browser runs without --hide-scrollbars), after Run All, with each tab of every panel selected
# in turn: boxes are measured, not the page.
MIN_TEXT_PX = 12.0          # any text in an output
MIN_PICTURE_TEXT_PX = 11.0  # SVG text: a picture may shrink to this, then it must scroll instead

JS_LEARNER_VIEW = _JS_COMMON + r"""
([minText, minPicture]) => {
  const out = [];
  if (!PANEL) return out;
  const seen = new Set();
  const say = s => { if (!seen.has(s)) { seen.add(s); out.push(s); } };
  const outputs = [...PANEL.querySelectorAll('.jp-Cell .jp-OutputArea-output')];
  const where = el => `cell ${cellIndex(el)}`;
  const what = el => {
    const t = norm(el.getAttribute('aria-label') || el.textContent).slice(0, 60);
    return `<${el.tagName.toLowerCase()} class="${(el.getAttribute('class') || '').slice(0, 60)}">${t ? ' "' + t + '"' : ''}`;
  };
  // the SVG's text size as shown: its font size times the picture's scale on screen
  const svgTextPx = svg => {
    const ctm = svg.getScreenCTM();
    const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
    let min = Infinity;
    for (const t of svg.querySelectorAll('text')) min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * scale);
    return min;
  };
  const scrollsX = el => {
    const ox = getComputedStyle(el).overflowX;
    return (ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 2;
  };
  for (const o of outputs) {
    if (!visible(o)) continue;
    const lab = o.querySelector('.unloadlab');
    // 1. pictures: as wide as their box at most, unless shrinking would take their text under
    //    minPicture px; then the box scrolls and its scrollbar is in view with the box's top
    for (const svg of o.querySelectorAll('svg')) {
      if (!visible(svg) || !svg.querySelector('text')) continue;
      const box = svg.parentElement.closest('div');
      const w = svg.getBoundingClientRect().width, room = box.clientWidth;
      if (w <= room + 1) continue;
      const px = svgTextPx(svg);
      const shrunk = px * room / w;
      if (shrunk >= minPicture)
        say(`${where(svg)}: a picture ${Math.round(w)} px wide in a ${room} px box (${Math.round(100 * room / w)}% visible), though it could shrink to fit with its text at ${shrunk.toFixed(1)} px`);
      else if (box.getBoundingClientRect().height > innerHeight || !scrollsX(box))
        say(`${where(svg)}: a picture ${Math.round(w)} px wide in a ${room} px box whose horizontal scrollbar is out of view (the box is ${Math.round(box.getBoundingClientRect().height)} px tall in a ${innerHeight} px window)`);
    }
    for (const img of o.querySelectorAll('img')) {
      if (!visible(img) || !img.naturalWidth) continue;
      const w = img.getBoundingClientRect().width;
      if (w < img.naturalWidth * minPicture / minText - 1)
        say(`${where(img)}: a picture shown at ${Math.round(100 * w / img.naturalWidth)}% of its size: its text shrinks under ${minPicture} px`);
    }
    // 2. no horizontal scrollbar inside a lab widget (pictures too wide to shrink excepted, above)
    if (lab) {
      for (const el of [o, ...o.querySelectorAll('*')]) {
        if (!visible(el) || !scrollsX(el)) continue;
        if (el.querySelector(':scope > svg') && svgTextPx(el.querySelector(':scope > svg')) * el.clientWidth / el.scrollWidth < minPicture) continue;
        say(`${where(el)}: a horizontal scrollbar in ${what(el)}: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
      }
    }
    // banners and error lines: their words stay inside (a long name wraps)
    for (const el of o.querySelectorAll('.unloadlab-banner, .unloadlab-error')) {
      if (visible(el) && el.scrollWidth > el.clientWidth + 1)
        say(`${where(el)}: text runs out of ${what(el)} (${el.scrollWidth} px in ${el.clientWidth} px)`);
    }
    // 3. text at minText px or more (SVG text: see 1)
    const walker = document.createTreeWalker(o, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!norm(n.textContent) || !el || el.closest('svg, style, script, option') || !visible(el)) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < minText - 0.05)
        say(`${where(el)}: text "${norm(n.textContent).slice(0, 40)}" is ${px.toFixed(1)} px (under ${minText} px)`);
    }
    for (const svg of o.querySelectorAll('svg')) {
      if (!visible(svg) || !svg.querySelector('text')) continue;
      const px = svgTextPx(svg);
      if (px < minPicture - 0.05)
        say(`${where(svg)}: a picture's text is ${px.toFixed(1)} px (under ${minPicture} px)`);
    }
  }
  return out;
}
"""

JS_DROPDOWNS = _JS_COMMON + r"""
() => {
  document.querySelectorAll('[data-unloadlab-key]').forEach(e => e.removeAttribute('data-unloadlab-key'));
  if (!PANEL) return [];
  const sel = [...PANEL.querySelectorAll('.jp-OutputArea-output .unloadlab select')].filter(s => visible(s) && !s.disabled && s.size <= 1);
  return sel.map((s, i) => {
    s.setAttribute('data-unloadlab-key', String(i));
    const label = s.closest('.jupyter-widgets')?.querySelector(':scope > .widget-label');
    return {i, cell: cellIndex(s), label: norm(label?.textContent), index: s.selectedIndex, count: s.options.length};
  });
}
"""

JS_KEY_STATE = r"""
el => ({focused: document.activeElement === el, index: el.selectedIndex,
        cell: [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')]
                .findIndex(c => c.classList.contains('jp-mod-active'))})
"""


def check_dropdown_keys(page) -> list[str]:
    """Every visible dropdown of the lab's widgets, closed: ArrowDown (ArrowUp on the last option) changes
    its value and keeps the focus on it, JupyterLab's active cell unchanged; the opposite
    arrow puts the value back. Looked up afresh after each (a change may redraw a widget)."""
    problems = []
    for i in range(len(page.evaluate(JS_DROPDOWNS))):
        found = page.evaluate(JS_DROPDOWNS)
        if i >= len(found):
            break
        d = found[i]
        if d["count"] < 2:
            continue
        loc = page.locator(f'[data-unloadlab-key="{i}"]')
        loc.focus()
        before = loc.evaluate(JS_KEY_STATE)
        there, back = ("ArrowDown", "ArrowUp") if d["index"] < d["count"] - 1 else ("ArrowUp", "ArrowDown")
        page.keyboard.press(there)
        after = loc.evaluate(JS_KEY_STATE)
        name = f"cell {d['cell']}: dropdown {d['label']!r}"
        if not after["focused"] or after["cell"] != before["cell"]:
            problems.append(f"{name}: {there} left it (the focus went to JupyterLab; active cell "
                            f"{before['cell']} -> {after['cell']})")
        elif after["index"] == before["index"]:
            problems.append(f"{name}: {there} did not change its value")
        else:
            page.keyboard.press(back)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        _wait_idle(page)
    return problems


JS_FILE_BROWSER = r"""
() => { const fb = document.querySelector('.jp-FileBrowser'); return !!fb && fb.checkVisibility(); }
"""


def open_file_browser(page) -> None:
    """The file browser open on the left, as JupyterLab opens: the notebook gets ~833 px at 1280."""
    if not page.evaluate(JS_FILE_BROWSER):
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").click()
        page.wait_for_function(JS_FILE_BROWSER, timeout=10_000)


# Checks run on what is visible with each tab of every panel selected in turn; each takes the
# page and returns problems. More can be appended (e.g. feedback that no longer matches its answer).
PER_TAB_CHECKS: list = [
    lambda page: page.evaluate(JS_LEARNER_VIEW, [MIN_TEXT_PX, MIN_PICTURE_TEXT_PX]),
]


def check_what_a_learner_sees(page) -> list[str]:
    """PER_TAB_CHECKS with each tab of every panel selected in turn, then the dropdowns' arrow
    keys; the tabs are left as they were."""
    problems: list[str] = []
    bars = page.evaluate(JS_TAB_BARS)
    for index in range(max([b["count"] for b in bars] or [1])):
        if index:
            select_tab_everywhere(page, index)
        for check in PER_TAB_CHECKS:
            problems += [p for p in check(page) if p not in problems]
    if bars:
        select_tab_everywhere(page, [b["current"] for b in bars])
    return problems + check_dropdown_keys(page)
