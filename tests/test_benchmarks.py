"""The benchmark scripts still run and print their figures (their times are not asserted:
speed is read from the benchmarks, not from timed tests)."""
import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_decision_space_benchmark_prints_both_readings_against_the_goal():
    out = _run("bench_decision_space.py")
    from unloadlab.minifilter import decision_space
    assert f"decision space: {sum(1 for _ in decision_space())} scenarios" in out
    assert re.search(r"^simulate: best [\d.]+ ms \(goal < 200 ms: (met|NOT met)\)", out, re.M)
    assert re.search(r"enumerate \+ simulate: [\d.]+ ms \(goal < 200 ms: (met|NOT met)\)", out)
    assert re.search(r"ratio: simulate \d+x, enumerate \+ simulate \d+x", out)


def test_panel_benchmark_prints_median_p95_and_ratio():
    out = _run("bench_panel.py", "8")
    assert "8 knob changes (trace + diagram SVG + C view each" in out
    assert re.search(r"median [\d.]+ ms, p95 [\d.]+ ms \(goal: median <= 50 ms, p95 <= 100 ms: (met|NOT met)\)", out)
    assert re.search(r"ratio median/blank [\d.]+x, p95/blank [\d.]+x", out)


def test_diagram_benchmark_prints_svg_and_png_against_a_blank_figure():
    out = _run("bench_diagram.py", "2")
    rows = re.findall(r"^(.{30}) +(\d+) +(\d+) +(?:[\d.]+/ *[\d.]+ +){4}([\d.]+) +([\d.]+) +([\d.]+)$", out, re.M)
    assert len(rows) == 3, out
    assert int(rows[0][1]) == 22                      # a 22-step diagram
    assert "svg/blank png/blank png/svg" in out


def test_cli_start_benchmark_prints_the_ratio_to_the_standard_library_floor():
    out = _run("bench_cli_start.py", "3")
    assert re.search(r"floor \(runpy, argparse, json, dataclasses, typing\) median [\d.]+ ms; CLI median [\d.]+ ms",
                     out)
    assert re.search(r"ratio CLI/floor [\d.]+x \(goal <= 1.25x: (met|NOT met)\)", out)
    assert "matplotlib, ipywidgets, IPython imported: none" in out
    assert re.search(r"why 1052 \(symptom index read from its table\) median [\d.]+ ms: ratio why/floor [\d.]+x "
                     r"\(goal <= 1.25x: (met|NOT met)\), why/CLI [\d.]+x", out)
