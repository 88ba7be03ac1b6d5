"""Time the sequence diagram alone: SVG (what the panel and notebooks show) and PNG (the
fallback stored beside it), against a blank figure of the same size measured in the same run.

For a 22-step trace (the first catalogue trace with 22 steps), eight volumes' teardown
(grouped into a loop) and the catalogue's longest trace, median / p95 in ms of:
  diagram svg   sequence_diagram(trace) then plots.to_svg(fig)
  diagram png   sequence_diagram(trace) then plots.to_png(fig)
  blank svg     a blank Figure of the same size saved as SVG (the floor)
  blank png     the same blank figure saved as PNG
and the ratios diagram/blank and png/svg. Every column is measured in turn within each
repeat, so machine load hits them alike. Traces are simulated once, untimed.

    python benchmarks/bench_diagram.py [repeats]      (default 15)
"""
from __future__ import annotations

import io
import math
import os
import statistics
import sys
import time

from matplotlib.figure import Figure

from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter import MinifilterScenario, simulate
from unloadlab.views import plots


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(0.95 * len(xs)) - 1)]


def _blank(size, fmt):
    buf = io.StringIO() if fmt == "svg" else io.BytesIO()
    Figure(figsize=size, dpi=plots.DPI).savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)


def _traces():
    runs = [(e.name, e.run()) for e in CATALOGUE]
    name, trace = min(runs, key=lambda r: (abs(len(r[1].steps) - 22), r[0]))
    longest = max(runs, key=lambda r: (len(r[1].steps), r[0]))
    eight = simulate(MinifilterScenario(trigger="sc-stop", instances=8, teardown_callbacks=True))
    return [(name, trace), ("sc-stop, 8 instances", eight), longest]


def main(argv):
    repeats = int(argv[1]) if len(argv) > 1 else 15
    med = statistics.median
    cols = ("diagram svg", "diagram png", "blank svg", "blank png")
    print(f"sequence_diagram: {repeats} repeats per trace; ms as median/p95")
    print(f"{'trace':30} {'steps':>5} {'rows':>4} " + " ".join(f"{c:>13}" for c in cols)
          + f" {'svg/blank':>9} {'png/blank':>9} {'png/svg':>7}")
    for name, trace in _traces():
        fig = plots.sequence_diagram(trace)                      # warm-up, and the size
        size, rows = tuple(fig.get_size_inches()), len(fig.unloadlab.rows)
        plots.to_svg(fig), plots.to_png(fig)
        jobs = {
            "diagram svg": lambda: plots.to_svg(plots.sequence_diagram(trace)),
            "diagram png": lambda: plots.to_png(plots.sequence_diagram(trace)),
            "blank svg": lambda: _blank(size, "svg"),
            "blank png": lambda: _blank(size, "png"),
        }
        times = {c: [] for c in cols}
        for _ in range(repeats):
            for c, job in jobs.items():
                t0 = time.perf_counter()
                job()
                times[c].append((time.perf_counter() - t0) * 1000.0)
        m = {c: med(times[c]) for c in cols}
        print(f"{name:30} {len(trace.steps):>5} {rows:>4} "
              + " ".join(f"{m[c]:6.1f}/{_p95(times[c]):6.1f}" for c in cols)
              + f" {m['diagram svg'] / m['blank svg']:9.1f} {m['diagram png'] / m['blank png']:9.1f}"
              f" {m['diagram png'] / m['diagram svg']:7.1f}")
    print("os.getloadavg():", ", ".join(f"{x:.2f}" for x in os.getloadavg()), f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main(sys.argv)
