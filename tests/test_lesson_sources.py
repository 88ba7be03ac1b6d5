"""Each lesson notebook is the only source of its text, edited in JupyterLab; nothing
regenerates it. What a generator used to keep consistent is checked here instead:

- every rule id a notebook names exists in the catalogue. A rule is named as
  ``**`rule-id`**`` (the start of a rule bullet), as "rule `rule-id`" or
  "rules `a`, `b` and `c`" in prose, or as ``rule("rule-id")`` in code;
- a rule bullet's source links are the pages the catalogue gives for the rules it names
  (the bullet's bold rule id, and any other it names), each page once, with the
  catalogue's title;
- every relative link (navigation, docs) points at a file that exists.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from unloadlab.catalogue import RULES_BY_ID

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FACTS_LINK = "../docs/domain-facts.md"

_BULLET_ID = re.compile(r"\*\*`([a-z0-9][a-z0-9-]*)`\*\*")
_PROSE_IDS = re.compile(r"\brules?\s+((?:`[a-z0-9][a-z0-9-]*`(?:,\s*|\s+and\s+|\s+or\s+)?)+)")
_CODE_ID = re.compile(r"\brule\(\s*[\"']([a-z0-9][a-z0-9-]*)[\"']\s*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _cells(nb: Path, kind: str) -> list[str]:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == kind]


def named_rules(markdown: list[str], code: list[str]) -> set[str]:
    """Every rule id the notebook names, in the three forms the docstring lists."""
    ids = set()
    for text in markdown:
        ids.update(_BULLET_ID.findall(text))
        for group in _PROSE_IDS.findall(text):
            ids.update(re.findall(r"`([^`]+)`", group))
    for text in code:
        ids.update(_CODE_ID.findall(text))
    return ids


def expected_links(rule_id: str) -> list[tuple[str, str]]:
    """(title, url) of each page the rule cites, once each, as a notebook links them."""
    seen: dict[str, str] = {}
    for s in RULES_BY_ID[rule_id].sources:
        url = s.url if s.url.startswith("http") else FACTS_LINK
        title = "domain-facts.md" if url == FACTS_LINK else re.sub(r" \(domain-facts [^)]*\)$", "", s.title)
        seen.setdefault(url, title)
    return [(t, u) for u, t in seen.items()]


def rule_bullets(markdown: list[str]) -> list[tuple[str, str]]:
    """(rule id, the bullet's text) for each bullet that starts with a bold rule id."""
    found = []
    for text in markdown:
        for bullet in re.split(r"\n(?=- )", text):
            m = re.match(r"- " + _BULLET_ID.pattern, bullet.strip())
            if m:
                found.append((m.group(1), bullet))
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_every_rule_a_lesson_names_exists(nb):
    unknown = sorted(named_rules(_cells(nb, "markdown"), _cells(nb, "code")) - set(RULES_BY_ID))
    assert unknown == [], f"{nb.name} names rules the catalogue does not have"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_a_rule_bullet_links_the_pages_its_rule_cites(nb):
    for rule_id, bullet in rule_bullets(_cells(nb, "markdown")):
        if rule_id not in RULES_BY_ID:
            continue   # reported by the test above
        named = named_rules([bullet], []) & set(RULES_BY_ID)
        want = {u: t for rid in sorted(named) for t, u in expected_links(rid)}
        links = _LINK.findall(bullet)
        assert len(links) == len({u for _, u in links}), f"{nb.name}: the bullet for {rule_id} links a page twice"
        assert {u: t for t, u in links} == want, f"{nb.name}: the bullet for {rule_id}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_point_at_files_that_exist(nb):
    for text in _cells(nb, "markdown"):
        for _, target in _LINK.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (nb.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{nb.name}: link to {target}, which does not exist"


def test_the_checks_can_fail():
    """Not vacuous: an unknown id, a wrong link and a missing page are each found."""
    md = ["- **`nonmandatory-refusal`**: text ([Wrong page](https://example.com/x))",
          "As rule `no-such-rule` and rules `mandatory-flag`, `also-missing` and `otherwise-unloaded` say."]
    ids = named_rules(md, ['rule("nope-rule")'])
    assert ids - set(RULES_BY_ID) == {"no-such-rule", "also-missing", "nope-rule"}
    (rid, bullet), = rule_bullets(md)
    assert {u: t for t, u in _LINK.findall(bullet)} != {u: t for t, u in expected_links(rid)}
    assert expected_links("nonmandatory-refusal")[0][1].startswith("https://learn.microsoft.com/")


def test_nothing_regenerates_a_lesson():
    """No script in the repository writes notebook sources (tools/run_notebooks.py only
    executes them and stores their outputs)."""
    writers = [p for p in ROOT.glob("tools/**/*.py")
               if re.search(r"new_notebook|new_markdown_cell|new_code_cell", p.read_text(encoding="utf-8"))]
    assert writers == []
