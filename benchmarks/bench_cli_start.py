"""How long `python -m unloadlab minifilter --trigger sc-stop --json` takes from start to exit,
against bare `python -c pass` measured in the same run (the floor: the interpreter's own start).
`python -m unloadlab why 1052` is timed the same way: it imports both families, replays the
catalogue once and inverts it (the symptom index), so its line shows what that costs.

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
WHY = [sys.executable, "-m", "unloadlab", "why", "1052"]
# For scale: what the standard library a CLI of this shape needs costs by itself.
STDLIB = [sys.executable, "-c", "import runpy, argparse, json, dataclasses, typing; "
          "argparse.ArgumentParser().add_argument('--x')"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def main(runs: int) -> None:
    _once(CLI), _once(WHY)  # warm the file cache and the bytecode cache once
    floor, cli, stdlib, why = [], [], [], []
    for _ in range(runs):
        floor.append(_once(FLOOR))
        cli.append(_once(CLI))
        stdlib.append(_once(STDLIB))
        why.append(_once(WHY))
    f, c, s, w = (statistics.median(x) for x in (floor, cli, stdlib, why))
    ratio = c / f
    print(f"{runs} runs each: python -c pass median {f * 1000:.1f} ms; CLI median {c * 1000:.1f} ms")
    print(f"ratio CLI/floor {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")
    print(f"why 1052 (symptom index built on first use) median {w * 1000:.1f} ms: ratio why/floor {w / f:.2f}x "
          f"(goal <= {GOAL}x: {'met' if w / f <= GOAL else 'NOT met'}), why/CLI {w / c:.2f}x")
    print(f"for scale: runpy + argparse + json + dataclasses + typing alone {s / f:.2f}x the floor")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
