"""The minifilter family: the filter manager's model, its rules, its scenario catalogue and
the C a minifilter would contain. Pure Python; it imports only ``unloadlab.windows``.
Each name below is imported from its submodule when first used."""
from ..windows.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "model": ("FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES", "MinifilterScenario", "RegistrationFlag",
              "ServerPort", "Trigger", "cache_clear", "simulate"),
    "rules": ("MINIFILTER_RULES",),
    "scenarios": ("MINIFILTER_EXAMPLES", "STATUS_CLASSES", "decision_space"),
    "c_view": ("minifilter_c",),
})
