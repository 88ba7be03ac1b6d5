"""The WFP callout driver family: WDM and KMDF unload functions, the model, its rules, its
scenario catalogue and the driver's C. Pure Python; it imports only ``unloadlab.windows``."""
from .c_view import callout_c
from .model import (MAX_CALLOUTS, MAX_FLOWS, NOT_DOCUMENTED, SERVICE_NAME, CalloutScenario, CalloutTrigger,
                    ContextRemoval, DriverModel, FlowRemoval, decision_space, simulate)
from .rules import CALLOUT_RULES
from .scenarios import CALLOUT_EXAMPLES

__all__ = [
    "MAX_CALLOUTS", "MAX_FLOWS", "NOT_DOCUMENTED", "SERVICE_NAME", "CalloutScenario", "CalloutTrigger",
    "ContextRemoval", "DriverModel", "FlowRemoval", "decision_space", "simulate", "CALLOUT_RULES",
    "CALLOUT_EXAMPLES", "callout_c",
]
