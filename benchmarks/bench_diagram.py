"""Time the sequence diagram alone, for every catalogue trace.

For each trace, median / p95 in ms of:
  diagram+draw   sequence_diagram(trace) then fig.canvas.draw() (Agg)
  diagram+png    sequence_diagram(trace) then fig.savefig(BytesIO, format="png")
  blank+draw     a blank Figure of the same size (plain FigureCanvasAgg), then draw
  blank+png      the same blank figure, savefig to PNG (matplotlib's own PIL writer)
  blank+zpng     the blank figure through plots' canvas (the zlib PNG writer the diagram uses)
and the ratios diagram/blank. Blanks are measured in the same run, interleaved with the
diagram, so machine load affects both alike. The trace is simulated once, untimed.

    python benchmarks/bench_diagram.py [repeats]      (default 21)
"""
from __future__ import annotations

import io
import math
import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from unloadlab import plots, scenarios  # noqa: E402


def _blank(size, canvas=FigureCanvasAgg):
    fig = Figure(figsize=size, dpi=plots.DPI)
    canvas(fig)
    return fig


def _draw(fig):
    fig.canvas.draw()


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(0.95 * len(xs)) - 1)]


def main(argv):
    repeats = int(argv[1]) if len(argv) > 1 else 21
    med = statistics.median
    cols = ("diagram+draw", "diagram+png", "blank+draw", "blank+png", "blank+zpng")
    totals = {c: [] for c in cols}
    rows = []
    for ex in scenarios.CATALOGUE:
        trace = ex.run()
        size = tuple(plots.sequence_diagram(trace).get_size_inches())   # warm-up, and the size
        jobs = {
            "diagram+draw": (lambda: plots.sequence_diagram(trace), _draw),
            "diagram+png": (lambda: plots.sequence_diagram(trace), _png),
            "blank+draw": (lambda: _blank(size), _draw),
            "blank+png": (lambda: _blank(size), _png),
            "blank+zpng": (lambda: _blank(size, plots._Canvas), _png),
        }
        times = {c: [] for c in cols}
        for _ in range(repeats):            # interleaved: load hits every column alike
            for c, (make, finish) in jobs.items():
                t0 = time.perf_counter()
                finish(make())
                times[c].append((time.perf_counter() - t0) * 1000.0)
        for c in cols:
            totals[c] += times[c]
        rows.append((ex.name, len(trace.steps), size[1], times))

    def fmt(xs):
        return f"{med(xs):6.1f}/{_p95(xs):6.1f}"

    print(f"sequence_diagram: {repeats} repeats per trace, {len(rows)} traces; ms as median/p95")
    print(f"{'scenario':34} {'steps':>5} {'in':>5}  " + " ".join(f"{c:>13}" for c in cols)
          + f"  {'draw/blank':>10} {'png/blank':>9} {'png/zpng':>8}")
    for name, n, h, t in rows + [("ALL", "", "", totals)]:
        h = f"{h:5.2f}" if h != "" else ""
        print(f"{name:34} {n!s:>5} {h:>5}  " + " ".join(f"{fmt(t[c]):>13}" for c in cols)
              + f"  {med(t['diagram+draw']) / med(t['blank+draw']):10.2f}"
              f" {med(t['diagram+png']) / med(t['blank+png']):9.2f}"
              f" {med(t['diagram+png']) / med(t['blank+zpng']):8.2f}")
    print("os.getloadavg():", ", ".join(f"{x:.2f}" for x in os.getloadavg()), f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main(sys.argv)
