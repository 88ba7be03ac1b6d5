"""The minifilter family: the filter manager's model, its rules, its scenario catalogue and
the C a minifilter would contain. Pure Python; it imports only ``unloadlab.windows``."""
from .c_view import minifilter_c
from .model import (FLTFL_FILTER_UNLOAD_MANDATORY, SERVICE_NAME, VOLUMES, MinifilterScenario, RegistrationFlag,
                    ServerPort, Trigger, cache_clear, simulate)
from .rules import MINIFILTER_RULES
from .scenarios import MINIFILTER_EXAMPLES, STATUS_CLASSES, decision_space

__all__ = [
    "FLTFL_FILTER_UNLOAD_MANDATORY", "SERVICE_NAME", "VOLUMES", "MinifilterScenario", "RegistrationFlag",
    "ServerPort", "Trigger", "cache_clear", "simulate", "MINIFILTER_RULES", "MINIFILTER_EXAMPLES", "STATUS_CLASSES",
    "decision_space", "minifilter_c",
]
