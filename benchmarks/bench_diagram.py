"""Time the sequence diagram alone, for every catalogue trace.

For each trace: the median (and p95) time to build the diagram and ``fig.canvas.draw()``
it with Agg, and to build it and ``savefig`` a PNG into memory; the same two for a blank
figure of the same size, measured in the same run; and the ratio diagram / blank.
The trace itself is simulated once, outside the timing.

    python benchmarks/bench_diagram.py [repeats]      (default 21)
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from unloadlab import plots, scenarios  # noqa: E402


def _blank(size):
    fig = Figure(figsize=size, dpi=plots.DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _time(make, finish, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        finish(make())
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(0.95 * len(xs)) - 1)]


import math  # noqa: E402


def main(argv):
    repeats = int(argv[1]) if len(argv) > 1 else 21
    draw = lambda fig: fig.canvas.draw()  # noqa: E731
    rows, all_d, all_p, all_bd, all_bp = [], [], [], [], []
    for ex in scenarios.CATALOGUE:
        trace = ex.run()
        size = tuple(plots.sequence_diagram(trace).get_size_inches())   # warm-up, and the size
        d = _time(lambda: plots.sequence_diagram(trace), draw, repeats)
        p = _time(lambda: plots.sequence_diagram(trace), _png, repeats)
        bd = _time(lambda: _blank(size), draw, repeats)
        bp = _time(lambda: _blank(size), _png, repeats)
        all_d += d; all_p += p; all_bd += bd; all_bp += bp
        rows.append((ex.name, len(trace.steps), size, d, p, bd, bp))
    med = statistics.median
    print(f"sequence_diagram, {repeats} repeats per trace, times in ms (median / p95)")
    print(f"{'scenario':36} {'steps':>5} {'height':>6}  {'diagram+draw':>13} {'diagram+png':>13}"
          f"  {'blank+draw':>11} {'blank+png':>11}  {'ratio draw':>10} {'ratio png':>9}")
    for name, n, size, d, p, bd, bp in rows:
        print(f"{name:36} {n:5} {size[1]:6.2f}  {med(d):6.1f}/{_p95(d):6.1f} {med(p):6.1f}/{_p95(p):6.1f}"
              f"  {med(bd):5.1f}/{_p95(bd):5.1f} {med(bp):5.1f}/{_p95(bp):5.1f}"
              f"  {med(d) / med(bd):10.2f} {med(p) / med(bp):9.2f}")
    print(f"{'ALL':36} {'':5} {'':6}  {med(all_d):6.1f}/{_p95(all_d):6.1f} {med(all_p):6.1f}/{_p95(all_p):6.1f}"
          f"  {med(all_bd):5.1f}/{_p95(all_bd):5.1f} {med(all_bp):5.1f}/{_p95(all_bp):5.1f}"
          f"  {med(all_d) / med(all_bd):10.2f} {med(all_p) / med(all_bp):9.2f}")


if __name__ == "__main__":
    main(sys.argv)
