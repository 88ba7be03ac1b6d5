"""Notebook-wide checks beyond strict nbval (which pytest runs on notebooks/ itself)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unloadlab.catalogue import CATALOGUE

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def _text(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 10, [p.name for p in NOTEBOOKS]


def test_every_catalogue_scenario_is_demonstrated_in_a_notebook():
    text = "\n".join(_text(p) for p in NOTEBOOKS)
    missing = [e.name for e in CATALOGUE if e.name not in text]
    assert missing == []


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_come_from_a_clean_run(nb):
    cells = [c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in cells if "".join(c["source"]).strip()]
    assert counts == list(range(1, len(counts) + 1))
    assert not any(o["output_type"] == "error" for c in cells for o in c["outputs"])
    assert "%matplotlib inline" in "".join(cells[0]["source"])


def test_the_network_is_really_off_for_test_processes():
    """The guard the notebook kernels run under refuses a remote connection, allows loopback."""
    code = ("import socket\n"
            "try:\n    socket.create_connection(('93.184.216.34', 80), timeout=2)\nexcept OSError as e:\n"
            "    print('refused:', e)\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); c = socket.socket();"
            " c.connect(s.getsockname()); print('loopback ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ)
    assert "refused: network disabled in Unload Lab tests" in r.stdout and "loopback ok" in r.stdout
