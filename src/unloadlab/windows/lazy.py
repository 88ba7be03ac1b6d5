"""Package namespaces that import a submodule only when one of its names is first read.

``python -m unloadlab minifilter ...`` should not pay for the C view, the catalogue or the
other family. A package's ``__init__`` therefore lists its public names per submodule and
lets PEP 562's module ``__getattr__`` import the submodule on first use.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]) -> tuple[list[str], Callable[[str], Any]]:
    """(``__all__``, ``__getattr__``) for a package whose public names live in the submodules
    ``exports`` maps them from: {"model": ("simulate", ...), ...}."""
    home = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home[name]}"), name)

    return list(home), __getattr__
