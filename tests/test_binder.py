"""The Binder environment (binder/requirements.txt, binder/runtime.txt).

(a) every pin is exact and inside the range pyproject.toml allows;
(b) repo2docker reads binder/ and plans to install it on Python 3.11 (no Docker needed:
    ``--no-build --no-run --debug`` prints the Dockerfile it would build);
(c) slow: a fresh venv gets ``pip install -r binder/requirements.txt`` from PyPI, and the
    notebooks pass strict nbval in it -- what a Binder user would run.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli", reason="tomli is needed on Python < 3.11")

REPO = Path(__file__).resolve().parent.parent
BINDER = REPO / "binder"
NOTEBOOKS = REPO / "notebooks"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

# Must be pinned together: the widget front end (jupyterlab_widgets, widgetsnbextension)
# has to match the kernel side (ipywidgets), or the browser shows "Error displaying widget".
REQUIRED_PINS = {
    "jupyterlab", "ipywidgets", "jupyterlab-widgets", "widgetsnbextension", "matplotlib", "ipykernel",
}


slow = pytest.mark.slow


def _requirement_lines() -> list[str]:
    lines = []
    for raw in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def binder_pins() -> dict[str, Requirement]:
    return {
        canonicalize_name(Requirement(line).name): Requirement(line)
        for line in _requirement_lines()
        if line not in {".", "-e ."} and not line.startswith("-")
    }


def pyproject_ranges() -> dict[str, SpecifierSet]:
    return {
        canonicalize_name((r := Requirement(d)).name): r.specifier
        for d in PYPROJECT["project"]["dependencies"]
    }


def _pinned_version(req: Requirement) -> Version:
    (spec,) = req.specifier
    return Version(spec.version)


# ---------------------------------------------------------------------------- (a)


def test_binder_pins_are_exact():
    pins = binder_pins()
    assert REQUIRED_PINS <= set(pins), f"missing pins: {sorted(REQUIRED_PINS - set(pins))}"
    loose = [str(r) for r in pins.values() if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert loose == [], "binder/requirements.txt must pin with == only"


def test_binder_pins_satisfy_pyproject():
    pins, ranges = binder_pins(), pyproject_ranges()
    assert set(ranges) <= set(pins), f"runtime deps not pinned for Binder: {sorted(set(ranges) - set(pins))}"
    bad = {
        name: f"{pins[name]} is outside {name}{spec}"
        for name, spec in ranges.items()
        if _pinned_version(pins[name]) not in spec
    }
    assert bad == {}


def test_tests_run_with_the_matplotlib_binder_pins():
    """The notebooks' stored SVG is compared as text, so the test extra pins the matplotlib
    that Binder (and the notebook re-run) uses."""
    test_extra = {canonicalize_name(Requirement(r).name): Requirement(r)
                  for r in PYPROJECT["project"]["optional-dependencies"]["test"]}
    assert test_extra["matplotlib"].specifier == binder_pins()["matplotlib"].specifier


def test_binder_installs_this_package():
    # repo2docker runs pip from the repository root (WORKDIR ${REPO_DIR}) and pip resolves
    # a local path against the working directory, so "." is the repository, not binder/.
    assert "." in _requirement_lines()


def test_binder_runtime_is_python_311():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == "python-3.11"
    requires_python = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert Version("3.11") in requires_python


def test_widget_packages_pinned_together():
    """ipywidgets' own requirements on its front-end packages hold for the pins.  Read
    from the installed ipywidgets' metadata when it is the pinned version."""
    pins = binder_pins()
    want = _pinned_version(pins["ipywidgets"])
    try:
        have = Version(importlib.metadata.version("ipywidgets"))
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("ipywidgets is not installed here")
    if have != want:
        pytest.skip(f"installed ipywidgets {have} is not the pinned {want}; the venv test checks it")
    problems = []
    for line in importlib.metadata.requires("ipywidgets") or []:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name in pins and req.marker is None:
            if _pinned_version(pins[name]) not in req.specifier:
                problems.append(f"ipywidgets {want} needs {req}, pinned {pins[name]}")
    assert problems == []


# ---------------------------------------------------------------------------- (b)


def test_repo2docker_uses_binder_dir(tmp_path):
    if importlib.util.find_spec("repo2docker") is None:
        pytest.skip("jupyter-repo2docker is not installed (it is in the test extra)")
    proc = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--no-run", "--debug", str(REPO)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    dockerfile = proc.stdout
    pip_line = 'pip install --no-cache-dir -r "binder/requirements.txt"'
    assert pip_line in dockerfile, dockerfile[-4000:]
    assert "src/binder/requirements.txt" in dockerfile  # read from binder/, not the root
    assert "python=3.11" in out or "py-3.11" in dockerfile, out[-4000:]
    # "." needs the whole repository: the install must come after it is copied in.
    full_copy = dockerfile.rfind("src/ ${REPO_DIR}/")
    assert 0 <= full_copy < dockerfile.index(pip_line), dockerfile[-4000:]
    assert "binder/postBuild" not in dockerfile  # none needed: "." does it


# ---------------------------------------------------------------------------- (c)


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(cmd, *, env, timeout, cwd=REPO) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{cmd} exited {proc.returncode}\n--- stdout ---\n{proc.stdout[-6000:]}"
        f"\n--- stderr ---\n{proc.stderr[-4000:]}"
    )
    return proc


def _venv_env(venv: Path, network: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(_venv_python(venv).parent), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    env.pop("MPLBACKEND", None)  # the inline backend only when unset
    if network:
        # pip needs PyPI; the repository's conftest switches the network off for every
        # process the tests start (tests/no_network), which is right for kernels only.
        env.pop("UNLOADLAB_NO_NETWORK", None)
        env.pop("PYTHONPATH", None)
    return env


def _test_extra(name: str) -> str:
    for dep in PYPROJECT["project"]["optional-dependencies"]["test"]:
        if canonicalize_name(Requirement(dep).name) == name:
            return dep
    return name


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("binder-venv") / "venv"
    _run([sys.executable, "-m", "venv", venv], env=dict(os.environ), timeout=300)
    py = _venv_python(venv)
    _run(
        [py, "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-r", BINDER / "requirements.txt", _test_extra("pytest"), _test_extra("nbval")],
        env=_venv_env(venv, network=True),
        timeout=1800,
    )
    return venv


@slow
def test_binder_requirements_install_in_a_fresh_venv(binder_venv):
    py = _venv_python(binder_venv)
    env = _venv_env(binder_venv, network=False)
    _run([py, "-m", "pip", "check"], env=env, timeout=300)
    code = (
        "import importlib.metadata as m, json, sys, unloadlab, ipywidgets, matplotlib, jupyterlab\n"
        "names = ['jupyterlab', 'ipywidgets', 'jupyterlab_widgets', 'widgetsnbextension',"
        " 'matplotlib', 'ipykernel']\n"
        "print(json.dumps({'versions': {n: m.version(n) for n in names},"
        " 'unloadlab': unloadlab.__file__, 'prefix': sys.prefix}))"
    )
    got = json.loads(_run([py, "-c", code], env=env, timeout=300, cwd=binder_venv).stdout)
    pins = {n: str(_pinned_version(r)) for n, r in binder_pins().items()}
    assert {canonicalize_name(k): v for k, v in got["versions"].items()} == {
        n: pins[n] for n in REQUIRED_PINS
    }
    assert Path(got["unloadlab"]).resolve().is_relative_to(binder_venv.resolve()), got
    manager = binder_venv / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"
    assert manager.is_dir(), "the ipywidgets JupyterLab front end is not in the venv"


@slow
def test_notebooks_pass_strict_nbval_in_binder_venv(request):
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not notebooks:
        pytest.skip("no notebooks/*.ipynb yet: nothing to run in the Binder environment")
    venv = request.getfixturevalue("binder_venv")
    py = _venv_python(venv)
    # Strict nbval (never --nbval-lax), the kernel from the venv, run from the repository
    # root so pyproject.toml's pytest settings and the root conftest.py apply.
    _run(
        [py, "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-cell-timeout=300", "-q", "notebooks"],
        env=_venv_env(venv, network=False),
        timeout=3600,
    )
