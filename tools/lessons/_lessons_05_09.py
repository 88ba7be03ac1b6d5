"""Shared by build_05.py .. build_09.py: write a lesson notebook from a list of cells.

The builders only write cell sources; ``python tools/run_notebooks.py notebooks/NN.ipynb``
then executes the notebook and stores its real outputs (strict nbval compares them).
Cell ids are derived from the notebook name and position, so a rebuild changes nothing
that the sources do not change.
"""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def md(text: str):
    return new_markdown_cell(dedent(text).strip("\n"))


def code(text: str):
    return new_code_cell(dedent(text).strip("\n"))


def write(filename: str, cells: list) -> Path:
    stem = Path(filename).stem.split("-")[0]
    for n, cell in enumerate(cells):
        cell.id = f"nb{stem}-{n:02d}"
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC,
                                             "language_info": {"name": "python"}})
    nbformat.validate(nb)
    path = NOTEBOOKS / filename
    nbformat.write(nb, path)
    print(f"wrote {path.relative_to(NOTEBOOKS.parent)} ({len(cells)} cells)")
    return path
