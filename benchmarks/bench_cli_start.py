"""How long `python -m unloadlab minifilter --trigger sc-stop --json` takes from start to exit,
against a floor measured in the same run: a Python that imports what a CLI of this shape
needs from the standard library (runpy, argparse, json, dataclasses, typing) and builds an
argparse parser. The CLI keeps argparse and dataclasses, used as their docs use them, so
this is what it cannot go below. `python -m unloadlab why 1052` is timed the same way: it
reads the symptom index from its stored table (``symptoms/table.py``, checked against the
catalogue replayed by tests/test_why.py), and issue 17 asks it to answer in the time of any
other CLI command.

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
WHY_ARGS = ["why", "1052"]
WHY = [sys.executable, "-m", "unloadlab", *WHY_ARGS]
FLOOR = [sys.executable, "-c", "import runpy, argparse, json, dataclasses, typing; "
         "argparse.ArgumentParser().add_argument('--x')"]
NEVER = ("matplotlib", "ipywidgets", "IPython")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def heavy_imports(args: list[str]) -> list[str]:
    """The modules of NEVER that one CLI run imports (read from -X importtime)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "unloadlab", *args], env=ENV, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    return sorted(n for n in names if n.split(".")[0] in NEVER)


def main(runs: int) -> float:
    _once(CLI), _once(WHY)  # warm the file cache and the bytecode cache once
    floor, cli, why = [], [], []
    for _ in range(runs):
        floor.append(_once(FLOOR))
        cli.append(_once(CLI))
        why.append(_once(WHY))
    f, c, w = (statistics.median(x) for x in (floor, cli, why))
    ratio = c / f
    heavy = sorted(set(heavy_imports(ARGS)) | set(heavy_imports(WHY_ARGS)))
    print(f"{runs} runs each: floor (runpy, argparse, json, dataclasses, typing) median {f * 1000:.1f} ms; "
          f"CLI median {c * 1000:.1f} ms")
    print(f"ratio CLI/floor {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")
    print(f"why 1052 (symptom index read from its table) median {w * 1000:.1f} ms: ratio why/floor {w / f:.2f}x "
          f"(goal <= {GOAL}x: {'met' if w / f <= GOAL else 'NOT met'}), why/CLI {w / c:.2f}x")
    print(f"{', '.join(NEVER)} imported: {', '.join(heavy) or 'none'}")
    if heavy:
        raise SystemExit(f"the CLI imports {', '.join(heavy)}")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
