"""The README's start and test lines (issue 14, findings 3 and 4).

Each line, one per OS family, creates a virtual environment, installs the lab into it and
opens JupyterLab at the repository root on notebooks/00-start-here.ipynb. The launch is
measured: JupyterLab is started with the README's own arguments, and every relative link
in the notebooks must then resolve on that server (with the notebooks folder as the
server's root, ../docs/domain-facts.md is a 404).
"""
from __future__ import annotations

import json
import re
import shlex
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

import lab

README = (lab.REPO / "README.md").read_text(encoding="utf-8")


def fenced_after(heading: str, containing: str) -> str:
    """The first one-line code block after ``heading`` whose line contains ``containing``."""
    for block in re.findall(r"^" + re.escape(heading) + r"\s*\n+```\n([^\n]+)\n```", README, re.M):
        if containing in block:
            return block
    raise AssertionError(f"no code block after {heading!r} containing {containing!r} in README.md")


START = {"windows": fenced_after("Windows (PowerShell):", "jupyter lab"),
         "unix": fenced_after("macOS and Linux:", "jupyter lab")}
TEST = {"windows": fenced_after("Windows (PowerShell):", "pytest"),
        "unix": fenced_after("macOS and Linux:", "pytest")}
PYTHON = {"windows": r".\.venv\Scripts\python", "unix": ".venv/bin/python"}
JOIN = {"windows": "; ", "unix": " && "}
LAUNCH = "-m jupyter lab --ServerApp.root_dir=. notebooks/00-start-here.ipynb"


@pytest.mark.parametrize("family", ["windows", "unix"])
def test_start_and_test_lines_use_a_virtual_environment(family):
    py, join = PYTHON[family], JOIN[family]
    venv = ("python" if family == "windows" else "python3") + " -m venv .venv"
    assert START[family] == join.join([venv, f"{py} -m pip install -e .", f"{py} {LAUNCH}"])
    assert TEST[family] == join.join([venv, f'{py} -m pip install -e ".[test]"', f"{py} -m pytest"])


def test_the_readme_says_what_to_do_without_python_or_as_root():
    start = README.split("## Start", 1)[1].split("\n## ", 1)[0]
    assert "`python3` is not found" in start and "`py`" in start
    assert "--allow-root" in start and "PowerShell 5.1" in start


def test_ci_runs_the_readme_test_line_verbatim():
    run = (lab.REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST["unix"] in run.splitlines()


def relative_links() -> list[tuple[str, str]]:
    """(notebook, target) for every relative link in the notebooks' markdown cells."""
    out = []
    for nb in sorted(lab.NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", "".join(cell["source"])):
                if not re.match(r"[a-z]+:|#", target):
                    out.append((nb.name, target.split("#")[0]))
    return out


class ReadmeServer(lab.LabServer):
    """``jupyter lab`` from the repository folder with the README's own arguments."""

    def __init__(self, args: list[str], state_dir, env):
        super().__init__(lab.REPO, state_dir, env)
        self.args = args

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jupyter", "lab", *self.args, "--no-browser", "--ip", "127.0.0.1",
                "--port", str(self.port), "--allow-root", "--IdentityProvider.token=",
                "--ServerApp.password=", "--ServerApp.port_retries=0", "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]


@pytest.mark.browser
def test_the_readme_launch_serves_the_repository_so_relative_links_work(tmp_path):
    line = START["unix"]
    args = shlex.split(line.split(" -m jupyter lab ", 1)[1])
    state = tmp_path / "state"
    server = ReadmeServer(args, state, lab.lab_env(state)).start()
    try:
        (opened,) = (state / "runtime").glob("jpserver-file-to-run-*-open.html")
        assert "/lab/tree/notebooks/00-start-here.ipynb" in opened.read_text()   # opens the first notebook
        links = relative_links()
        assert any(t.startswith("../docs/") for _, t in links)   # the links finding 3 is about
        missing = []
        for nb, target in sorted(set(links)):
            path = urllib.parse.quote(str((lab.REPO / "notebooks" / target).resolve().relative_to(lab.REPO)))
            try:
                server.api("GET", f"/api/contents/{path}?content=0")
            except urllib.error.HTTPError as e:
                missing.append(f"{nb}: {target} -> {e.code}")
        for doc in ("docs/domain-facts.md", "docs/instructor.md"):
            server.api("GET", f"/api/contents/{doc}?content=0")
        assert not missing, missing
    finally:
        server.stop()
