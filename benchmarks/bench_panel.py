"""Change one knob on the real widget panel and time until the trace, the sequence
diagram (SVG, as the panel shows it) and the C view are all rendered, over many changes.

Prints median and p95, and their ratio to saving a blank figure of the diagram's size as
SVG, measured in the same run (interleaved with the changes, so load hits both alike).
Goal (issue 10) on the 2-core reference machine: median <= 50 ms, p95 <= 100 ms.
The panel itself renders only the tab that is shown; here every tab is forced, the worst case.
Run: python benchmarks/bench_panel.py [changes]
"""
import io
import itertools
import os
import statistics
import sys
import time

from matplotlib.figure import Figure

from unloadlab.catalogue import example
from unloadlab.minifilter import Trigger
from unloadlab.views.plots import sequence_diagram
from unloadlab.views.panel import Panel


def _p95(xs):
    return sorted(xs)[int(0.95 * (len(xs) - 1))]


def _blank_svg(size):
    Figure(figsize=size).savefig(io.StringIO(), format="svg", metadata={"Date": None})


def main(changes: int = 60) -> None:
    panel = Panel("minifilter", instances=2, server_port="closed-before-unregister")
    statuses = ["STATUS_SUCCESS", "STATUS_FLT_DO_NOT_DETACH", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY"]
    knobs = itertools.cycle([("trigger", t.value) for t in Trigger] + [("callback_returns", s) for s in statuses])
    size = tuple(sequence_diagram(example("sc-stop-success").run()).get_size_inches())
    panel.render_all()  # warm up fonts and caches, as a learner's first view does
    _blank_svg(size)
    times, blank = [], []
    for _ in range(changes):
        name, value = next(knobs)
        t = time.perf_counter()
        panel.controls[name][0].value = value   # one knob, through the real control
        panel.render_all()
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        _blank_svg(size)
        blank.append(time.perf_counter() - t)
    svg = panel.diagram.value
    assert "<svg" in svg and "<text" in svg, "the panel's diagram is not SVG with text"
    med, p95, bmed = statistics.median(times), _p95(times), statistics.median(blank)
    print(f"{changes} knob changes (trace + diagram SVG + C view each; last SVG {len(svg)} characters)")
    print(f"median {med * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (goal: median <= 50 ms, p95 <= 100 ms: "
          f"{'met' if med <= 0.05 and p95 <= 0.1 else 'NOT met'})")
    print(f"blank figure {size[0]:.2f}x{size[1]:.2f} in as SVG: median {bmed * 1000:.2f} ms; "
          f"ratio median/blank {med / bmed:.1f}x, p95/blank {p95 / bmed:.1f}x")
    print("os.getloadavg():", ", ".join(f"{x:.2f}" for x in os.getloadavg()), f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
