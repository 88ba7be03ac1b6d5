"""Change one knob on the real widget panel and time until the trace, the sequence
diagram and the C view are all rendered (headless, Agg), over many changes.

Prints median and p95, and their ratio to rendering a blank figure of the same size in
the same run. Goal (issue 5) on the 2-core reference machine: median < 100 ms, p95 < 200 ms.
The panel itself renders only the tab that is shown; here every tab is forced, the worst case.
Run: python benchmarks/bench_panel.py [changes]
"""
import io
import itertools
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from unloadlab.minifilter import Trigger  # noqa: E402
from unloadlab.views.widgets import Panel  # noqa: E402


def _p95(xs):
    return sorted(xs)[int(0.95 * (len(xs) - 1))]


def main(changes: int = 60) -> None:
    panel = Panel("minifilter", instances=2, server_port="closed-before-unregister")
    statuses = ["STATUS_SUCCESS", "STATUS_FLT_DO_NOT_DETACH", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY"]
    knobs = itertools.cycle([("trigger", t.value) for t in Trigger] + [("callback_returns", s) for s in statuses])
    panel.render_all()  # warm up fonts and caches, as a learner's first view does
    size = None
    times = []
    for _ in range(changes):
        name, value = next(knobs)
        t = time.perf_counter()
        panel.controls[name][0].value = value   # one knob, through the real control
        panel.render_all()
        times.append(time.perf_counter() - t)
        size = len(panel.diagram.value)
    w, h = panel_fig_size()
    blank = []
    for _ in range(changes):
        t = time.perf_counter()
        Figure(figsize=(w, h), dpi=100).savefig(io.BytesIO(), format="png")
        blank.append(time.perf_counter() - t)
    med, p95, bmed = statistics.median(times), _p95(times), statistics.median(blank)
    print(f"{changes} knob changes (trace + diagram PNG + C view each; last PNG {size} bytes)")
    print(f"median {med * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (goal: median < 100 ms, p95 < 200 ms: "
          f"{'met' if med < 0.1 and p95 < 0.2 else 'NOT met'})")
    print(f"blank figure {w}x{h} in: median {bmed * 1000:.1f} ms; ratio median/blank {med / bmed:.1f}x")


def panel_fig_size():
    from unloadlab.views.plots import sequence_diagram
    from unloadlab.catalogue import example
    return tuple(sequence_diagram(example("sc-stop-success").run()).get_size_inches())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
