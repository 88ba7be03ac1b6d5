"""Shared by every build_NN.py: write a lesson notebook from a list of cells.

Cell ids ``nbNN-MM`` come from the notebook name and position, so a rebuild changes nothing
the sources do not change.
The builders only write cell sources; ``python tools/run_notebooks.py notebooks/NN.ipynb``
then executes the notebook and stores its real outputs (strict nbval compares them).

``sources(rule_id)`` renders a rule's source pages as markdown links, read from the rules
catalogue, so a notebook's links are the ones the rule itself cites.
"""
from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from unloadlab.catalogue import rule

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
FACTS_LINK = "../docs/domain-facts.md"   # relative to notebooks/


def md(text: str):
    return new_markdown_cell(dedent(text).strip("\n"))


def code(text: str):
    return new_code_cell(dedent(text).strip("\n"))


def sources(*rule_ids: str) -> str:
    """'([Title](url), [Title](url))' for the pages the rules cite, each page once."""
    seen: dict[str, str] = {}
    for rid in rule_ids:
        for s in rule(rid).sources:
            title = re.sub(r" \(domain-facts [^)]*\)$", "", s.title)
            url = s.url if s.url.startswith("http") else FACTS_LINK
            if url == FACTS_LINK:
                title = "domain-facts.md"
            seen.setdefault(url, title)
    return "(" + ", ".join(f"[{t}]({u})" for u, t in seen.items()) + ")"


def nav(back: tuple[str, str] | None, forward: tuple[str, str] | None) -> str:
    """The navigation line: Back | Start here | Next, as relative links."""
    parts = []
    if back:
        parts.append(f"[← {back[1]}]({back[0]})")
    parts.append("[Start here](00-start-here.ipynb)")
    if forward:
        parts.append(f"[{forward[1]} →]({forward[0]})")
    return " | ".join(parts)


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
