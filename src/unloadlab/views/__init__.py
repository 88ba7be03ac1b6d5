"""What renders traces: text, the driver's C, matplotlib pictures and ipywidgets panels.
They decide nothing; every outcome comes from the families' models.

Submodules are imported on demand (``unloadlab.views.panel`` pulls in ipywidgets,
``unloadlab.views.plots`` matplotlib), so the CLI pays only for ``views.text``."""
__all__ = ["text", "code", "plots", "figures", "measure", "loops", "diagram", "grid", "panel", "controls", "panel_html",
           "shown", "why_text", "why_panel"]
