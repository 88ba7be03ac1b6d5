"""Write src/unloadlab/symptoms/table.py: the symptom index as the catalogue replays it.

`python -m unloadlab why` reads the stored table instead of replaying both families at every
start; tests/test_why.py fails when the table is not the catalogue replayed. Run this after a
change to a model, a catalogue scenario or a diagnosis:
    python tools/write_symptom_table.py
"""
from __future__ import annotations

import pprint
from pathlib import Path

from unloadlab.symptoms.answers import replayed

TABLE = Path(__file__).resolve().parent.parent / "src" / "unloadlab" / "symptoms" / "table.py"
HEAD = '''"""The symptom index, stored: written by tools/write_symptom_table.py from the catalogue
replayed (``answers.replayed``); do not edit. tests/test_why.py checks it is still that.

SEEN: observation key -> (scenario, where its trace shows it) for each cause, in catalogue
order. SCENARIOS: scenario -> the rest of its ``answers.Cause`` fields, in order (family,
trigger, cause, lesson, section, confirm, fix, rules). CODES: code key -> the code as the
traces spell it (``codes.Code`` fields, in order)."""
'''


def _format(name: str, value: object) -> str:
    return f"\n{name} = " + pprint.pformat(value, width=116, sort_dicts=False) + "\n"


def text() -> str:
    causes, codes = replayed()
    seen = {k: tuple((c.scenario, c.seen) for c in cs) for k, cs in causes.items()}
    scenarios = {}
    for c in (c for cs in causes.values() for c in cs):
        row = tuple(c)
        scenarios.setdefault(c.scenario, row[1:3] + row[4:])
    return (HEAD + _format("SEEN", seen) + _format("SCENARIOS", scenarios)
            + _format("CODES", {k: tuple(c) for k, c in codes.items()}))


if __name__ == "__main__":
    TABLE.write_text(text(), encoding="utf-8")
    print(f"wrote {TABLE}")
