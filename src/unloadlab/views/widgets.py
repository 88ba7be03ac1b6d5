"""The lab's widgets under their former module name, for importers not yet moved: the
panel lives in ``panel``, its controls in ``controls``, its HTML in ``panel_html`` and the
display base in ``shown``."""
from .controls import OTHER, STYLE, WIDE
from .panel import TABS, Panel
from .panel_html import plain, pre
from .shown import Shown, style_sheet

__all__ = ["Panel", "Shown", "OTHER", "STYLE", "WIDE", "TABS", "pre", "plain", "style_sheet"]
