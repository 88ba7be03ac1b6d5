"""How long `python -m unloadlab minifilter --trigger sc-stop --json` takes from start to exit,
against bare `python -c pass` measured in the same run (the floor: the interpreter's own start).

Goal (issue 10): the CLI at most 2.5x the floor. Runs alternate between the two commands so
a slow moment of the machine hits both; medians are compared. Both run as on a learner's
machine, where Python caches compiled bytecode: PYTHONDONTWRITEBYTECODE (set on some CI
images) is removed from their environment, and a first untimed run fills the cache.
Run: python benchmarks/bench_cli_start.py [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

GOAL = 2.5
FLOOR = [sys.executable, "-c", "pass"]
CLI = [sys.executable, "-m", "unloadlab", "minifilter", "--trigger", "sc-stop", "--json"]
# For scale: what the standard library a CLI of this shape needs costs by itself.
STDLIB = [sys.executable, "-c", "import runpy, argparse, json, dataclasses, typing; "
          "argparse.ArgumentParser().add_argument('--x')"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def main(runs: int) -> None:
    _once(CLI)  # warm the file cache and the bytecode cache once
    floor, cli, stdlib = [], [], []
    for _ in range(runs):
        floor.append(_once(FLOOR))
        cli.append(_once(CLI))
        stdlib.append(_once(STDLIB))
    f, c, s = (statistics.median(x) for x in (floor, cli, stdlib))
    ratio = c / f
    print(f"{runs} runs each: python -c pass median {f * 1000:.1f} ms; CLI median {c * 1000:.1f} ms")
    print(f"ratio CLI/floor {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")
    print(f"for scale: runpy + argparse + json + dataclasses + typing alone {s / f:.2f}x the floor")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
