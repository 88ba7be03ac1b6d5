"""How long `python -m unloadlab minifilter --trigger sc-stop --json` takes from start to exit,
against a floor measured in the same run: a Python that imports what a CLI of this shape
needs from the standard library (runpy, argparse, json, dataclasses, typing) and builds an
argparse parser. The CLI keeps argparse and dataclasses, used as their docs use them, so
this is what it cannot go below.

Goal (issue 20): the CLI at most 1.25x that floor, with matplotlib, ipywidgets and IPython
never imported (checked in a run with ``-X importtime``). Runs alternate between the two
commands so a slow moment of the machine hits both; medians are compared. Both run as on a
learner's machine, where Python caches compiled bytecode: PYTHONDONTWRITEBYTECODE (set on
some CI images) is removed from their environment, and a first untimed run fills the cache.
Run: python benchmarks/bench_cli_start.py [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

GOAL = 1.25
ARGS = ["minifilter", "--trigger", "sc-stop", "--json"]
CLI = [sys.executable, "-m", "unloadlab", *ARGS]
FLOOR = [sys.executable, "-c", "import runpy, argparse, json, dataclasses, typing; "
         "argparse.ArgumentParser().add_argument('--x')"]
NEVER = ("matplotlib", "ipywidgets", "IPython")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def heavy_imports() -> list[str]:
    """The modules of NEVER that one CLI run imports (read from -X importtime)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "unloadlab", *ARGS], env=ENV, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    return sorted(n for n in names if n.split(".")[0] in NEVER)


def main(runs: int) -> float:
    _once(CLI)  # warm the file cache and the bytecode cache once
    floor, cli = [], []
    for _ in range(runs):
        floor.append(_once(FLOOR))
        cli.append(_once(CLI))
    f, c = statistics.median(floor), statistics.median(cli)
    ratio = c / f
    heavy = heavy_imports()
    print(f"{runs} runs each: floor (runpy, argparse, json, dataclasses, typing) median {f * 1000:.1f} ms; "
          f"CLI median {c * 1000:.1f} ms")
    print(f"ratio CLI/floor {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")
    print(f"{', '.join(NEVER)} imported: {', '.join(heavy) or 'none'}")
    if heavy:
        raise SystemExit(f"the CLI imports {', '.join(heavy)}")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
