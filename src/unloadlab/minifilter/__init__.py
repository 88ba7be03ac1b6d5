"""The minifilter family: the scenario's knobs, the filter manager's model, its rules, its
scenario catalogue and the C a minifilter would contain. Pure Python; it imports only
``unloadlab.windows``. Each name below is imported from its submodule when first used."""
from ..windows.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "knobs": ("KNOBS", "FAMILY"),
    "scenario": ("FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES", "MinifilterScenario", "RegistrationFlag",
                 "ServerPort", "Trigger", "Leak", "CleanupMistake", "ControlDevice"),
    "model": ("cache_clear", "simulate", "BUGCHECK_0XCE", "BUGCHECK_0XD4", "BUGCHECK_0XC4",
              "BUGCHECK_0XC7"),
    "rules": ("MINIFILTER_RULES",),
    "scenarios": ("MINIFILTER_EXAMPLES", "CRAFT_EXAMPLES", "STATUS_CLASSES", "decision_space", "craft_space"),
    "c_view": ("minifilter_c",),
})
