"""The headline's last sentence in both families: every mistake a driver's code holds, named
whether or not this run triggers it (a latent mistake is still one)."""
from __future__ import annotations

from typing import Sequence

__all__ = ["sentence"]


def sentence(flaws: Sequence[tuple[str, str]]) -> str:
    """' Its code holds a mistake: <phrase>.' for (rule id, phrase) pairs; '' for none."""
    if not flaws:
        return ""
    many = "a mistake" if len(flaws) == 1 else f"{len(flaws)} mistakes"
    return f" Its code holds {many}: " + "; ".join(phrase for _, phrase in flaws) + "."
