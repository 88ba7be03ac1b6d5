"""Simulate the whole minifilter decision space and print the time.

Goal (issue 2): under 0.2 s on the 2-core reference machine, enumerating and simulating
together. The model builds some steps once per distinct load or failed-load request; those
caches are emptied before every timed pass, so each pass pays for them. The floor, measured
in the same run, is building one plain tuple per scenario, so the ratio says how far the
model is from doing nothing at all.
Run: python benchmarks/bench_decision_space.py
"""
import statistics
import time

from unloadlab.minifilter import cache_clear, simulate
from unloadlab.scenarios import decision_space


def _best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        cache_clear()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    scenarios = list(decision_space())
    n = len(scenarios)
    enum_best, _ = _best(lambda: list(decision_space()))
    sim_best, sim_median = _best(lambda: [simulate(s) for s in scenarios])
    floor_best, _ = _best(lambda: [tuple((i, i, i)) for i in range(n)])
    total = enum_best + sim_best
    print(f"decision space: {n} scenarios")
    print(f"enumerate: {enum_best * 1000:.1f} ms; simulate: best {sim_best * 1000:.1f} ms, "
          f"median {sim_median * 1000:.1f} ms ({sim_best / n * 1e6:.1f} us per scenario)")
    print(f"enumerate + simulate: {total * 1000:.1f} ms (goal < 200 ms: {'met' if total < 0.2 else 'NOT met'})")
    print(f"floor (one tuple per scenario): {floor_best * 1000:.2f} ms; ratio {total / floor_best:.0f}x")


if __name__ == "__main__":
    main()
