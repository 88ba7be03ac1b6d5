"""Catalogue entries of the WFP callout driver family (filled in by the callout model)."""
from __future__ import annotations

CALLOUT_EXAMPLES: tuple = ()
