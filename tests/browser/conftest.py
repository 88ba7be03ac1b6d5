"""Fixtures for the real-browser tests: one JupyterLab server and one Debian chromium
per test session, a fresh browser context (1280x720, scrollbars shown, the file browser open)
per test.

Outside CI a missing playwright or /usr/bin/chromium skips these tests with the reason;
with CI=true it fails them (.ci/setup-browser installs chromium; never `playwright
install`, which downloads a browser that cannot run here).  UNLOADLAB_CHROMIUM points
at another chromium binary. Screenshots go to tests/browser/artifacts/ (git-ignored), or to
UNLOADLAB_SCREENSHOT_DIR. The axe-core audit needs tests/browser/node_modules (`npm ci` there);
missing, it skips outside CI and fails in CI, like the browser.
"""
from __future__ import annotations

import os
import signal
import warnings
from pathlib import Path

import pytest

import lab


_SUMMARY_KEY = pytest.StashKey[dict]()


def _summary(config) -> dict:
    return config.stash.setdefault(_SUMMARY_KEY, {"screenshots": [], "server": None})


def unavailable(reason: str):
    if lab.in_ci():
        pytest.fail(f"{reason} -- CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        unavailable(f"playwright (python) is not installed ({exc}); pip install -e '.[test]'")
    path = lab.chromium_path()
    if not path.exists():
        unavailable(
            f"{path} not found: the browser test uses Debian chromium "
            "(CI: .ci/setup-browser; by hand: apt-get install chromium; "
            "or set UNLOADLAB_CHROMIUM=/path/to/chromium)"
        )
    return path


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory):
    """A prepared copy of notebooks/ and the server's private Jupyter dirs."""
    base = tmp_path_factory.mktemp("jupyterlab")
    env = lab.lab_env(base / "state")
    root = base / "root"
    lab.prepare_root(lab.NOTEBOOKS, root, env)
    return root, base / "state", env


def _stop_on_sigterm():
    """SIGTERM (a CI timeout, `timeout`, `kill`) ends Python without running fixture
    teardown, which would orphan the server.  Turn it into KeyboardInterrupt, which
    pytest answers by running the teardowns."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


@pytest.fixture(scope="session")
def lab_server(chromium_executable, lab_root, request):
    root, state, env = lab_root
    server = lab.LabServer(root, state, env)
    _summary(request.config)["server"] = server
    previous = _stop_on_sigterm()
    try:
        server.start()
        yield server
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        killed = server.stop()
        if killed:
            warnings.warn(
                "JupyterLab did not shut down cleanly; killed: " + "; ".join(killed),
                stacklevel=1,
            )


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright hides scrollbars by default; a learner sees them, and so must the checks.
        b = pw.chromium.launch(
            executable_path=str(chromium_executable), args=lab.CHROMIUM_ARGS, timeout=60_000,
            ignore_default_args=["--hide-scrollbars"],
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, lab_server):
    context = browser.new_context(viewport=lab.VIEWPORT)  # a laptop: 1280x720
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        lab_server.shutdown_sessions()  # 2 cores: no kernel outlives its test


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's axe.min.js from tests/browser/node_modules (npm ci there; CI:
    .ci/setup-browser). Loaded from the file into the page, never from the network."""
    if not lab.AXE_SCRIPT.is_file():
        unavailable(
            f"{lab.AXE_SCRIPT} not found: run `npm ci` in tests/browser (CI: .ci/setup-browser)"
        )
    return lab.AXE_SCRIPT


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """tests/browser/artifacts/ (git-ignored), or UNLOADLAB_SCREENSHOT_DIR."""
    fixed = os.environ.get("UNLOADLAB_SCREENSHOT_DIR")
    path = Path(fixed) if fixed else Path(__file__).resolve().with_name("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def record_screenshots(request):
    """Call with a NotebookRun: prints and remembers its screenshots for the summary."""

    def record(run: lab.NotebookRun) -> None:
        for shot in run.screenshots:
            print(f"screenshot: {shot}")
            _summary(request.config)["screenshots"].append(shot)

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary = config.stash.get(_SUMMARY_KEY, None)
    if not summary:
        return
    tr = terminalreporter
    if summary["screenshots"]:
        tr.write_sep("-", "JupyterLab browser test screenshots")
        for shot in summary["screenshots"]:
            tr.write_line(str(shot))
    server = summary["server"]
    if server is not None:
        tr.write_line(f"JupyterLab server log: {server.log_path}")
        if exitstatus != 0:
            tr.write_sep("-", "JupyterLab server log (tail)")
            tr.write_line(server.log_tail())
