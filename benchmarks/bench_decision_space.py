"""Simulate the whole minifilter decision space and print the time.

Goal (issues 2 and 20): under 0.2 s on the 2-core reference machine. Both readings are
printed: simulating the scenarios (the count is printed), and enumerating them too. The model builds some steps
once per distinct load or failed-load request; those caches are emptied before every
timed pass, so each pass pays for them. The floor, measured in the same run, is building
one plain tuple per scenario: the ratio says how far the model is from doing nothing, and
stays comparable when the machine is having a slow moment (its floor then rises too).
Run: python benchmarks/bench_decision_space.py
"""
import statistics
import time

from unloadlab.minifilter import cache_clear, simulate
from unloadlab.minifilter import decision_space

GOAL = 0.2  # seconds


def _best(fn, repeat=9):
    times = []
    for _ in range(repeat):
        cache_clear()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def _verdict(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms (goal < {GOAL * 1000:.0f} ms: {'met' if seconds < GOAL else 'NOT met'})"


def main() -> None:
    scenarios = list(decision_space())
    n = len(scenarios)
    enum_best, _ = _best(lambda: list(decision_space()))
    sim_best, sim_median = _best(lambda: [simulate(s) for s in scenarios])
    floor_best, _ = _best(lambda: [tuple((i, i, i)) for i in range(n)])
    total = enum_best + sim_best
    print(f"decision space: {n} scenarios")
    print(f"simulate: best {_verdict(sim_best)}; median {sim_median * 1000:.1f} ms; "
          f"{sim_best / n * 1e6:.1f} us per scenario")
    print(f"enumerate: {enum_best * 1000:.1f} ms; enumerate + simulate: {_verdict(total)}")
    print(f"floor (one tuple per scenario): {floor_best * 1000:.2f} ms; "
          f"ratio: simulate {sim_best / floor_best:.0f}x, enumerate + simulate {total / floor_best:.0f}x")


if __name__ == "__main__":
    main()
