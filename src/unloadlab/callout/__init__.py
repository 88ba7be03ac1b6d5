"""The WFP callout driver family: WDM and KMDF unload functions, the model, its rules, its
scenario catalogue and the driver's C. Pure Python; it imports only ``unloadlab.windows``.
Each name below is imported from its submodule when first used."""
from ..windows.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "knobs": ("KNOBS", "FAMILY"),
    "scenario": ("MAX_CALLOUTS", "MAX_FLOWS", "SERVICE_NAME", "CalloutScenario", "CalloutTrigger", "ContextRemoval",
                 "DriverModel", "FilterRemoval", "FlowRemoval", "UnregisterPlace", "CANONICAL"),
    "model": ("NOT_DOCUMENTED", "STATUS_NOT_SUPPORTED", "simulate"),
    "rules": ("CALLOUT_RULES",),
    "scenarios": ("CALLOUT_EXAMPLES", "decision_space"),
    "c_view": ("callout_c",),
})
